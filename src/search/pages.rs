//! One search record made into what the index needs of its page: the terms at each word
//! position with their weights, packed the way Pagefind's word files hold them, and the
//! page's fragment (the JSON the browser shows a result from: URL, title, text, kind). A
//! `PageSplitter` serves one thread and remembers the terms of every token it has split,
//! since notes repeat a small vocabulary and stemming is the costly step.

use std::collections::{BTreeMap, HashMap};

use super::SearchRecord;
use super::bundle::{Compressor, full_hash};
use super::vocabulary::{NO_TERM, Vocabulary};
use super::words::{Term, WordSplitter};

/// The weight of an ordinary word: Pagefind's weight 1.0 in its units of 1/24.
const DEFAULT_WEIGHT: u8 = 24;

/// The weight that Pagefind sorts first and never marks, as the common case of HTML pages.
const UNMARKED_WEIGHT: u8 = 25;

/// The meta field words of the title are counted in (the only meta field, so the first).
const TITLE_FIELD: u16 = 0;

/// One term of a token, by number.
#[derive(Debug, Clone, Copy)]
struct TermId {
    stem: u32,
    /// The form with diacritics, or [`NO_TERM`].
    variant: u32,
    compound_part: bool,
}

/// A term at a position of the page's text.
#[derive(Debug, Clone, Copy)]
struct Placed {
    stem: u32,
    variant: u32,
    position: u32,
    weight: u8,
}

/// A page's places of one term, as read back from [`PageWords`].
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub stem: u32,
    /// Positions, weight and field marks, and one for the page: what Pagefind counts
    /// towards filling a words file.
    pub cost: u32,
}

/// An entry that holds a diacritic form of its term rather than the plain one.
#[derive(Debug, Clone, Copy)]
pub struct VariantEntry {
    /// Its index among the page's entries.
    pub entry: u32,
    pub form: u32,
    /// Whether the form is in the text (rather than only in the title).
    pub in_text: bool,
}

/// Every term of one page, sorted by term number: per term, its number, cost and the length
/// of its arrays as LEB128 numbers, then its body and meta positions as two CBOR arrays. A
/// few bytes each, as there are millions of them waiting until every page is split; a
/// diacritic form is noted on the side, in `variants`.
#[derive(Debug, Default)]
pub struct PageWords {
    bytes: Vec<u8>,
    count: u32,
    /// The entries of diacritic forms, in entry order.
    pub variants: Vec<VariantEntry>,
}

impl PageWords {
    fn push(&mut self, entry: Entry, arrays: &[u8]) {
        for n in [entry.stem, entry.cost, arrays.len() as u32] {
            write_leb128(&mut self.bytes, n);
        }
        self.bytes.extend_from_slice(arrays);
        self.count += 1;
    }

    /// Each entry with its arrays and, for a diacritic form, its note.
    pub fn iter(&self) -> impl Iterator<Item = (Entry, &[u8], Option<&VariantEntry>)> {
        let mut rest = &self.bytes[..];
        let mut index = 0;
        let mut variants = self.variants.iter().peekable();
        std::iter::from_fn(move || {
            let stem = read_leb128(&mut rest)?;
            let cost = read_leb128(&mut rest)?;
            let len = read_leb128(&mut rest)? as usize;
            let arrays = rest.get(..len)?;
            rest = &rest[len..];
            let variant = variants.next_if(|v| v.entry == index);
            index += 1;
            Some((Entry { stem, cost }, arrays, variant))
        })
    }
}

fn write_leb128(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_leb128(bytes: &mut &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for shift in [0, 7, 14, 21, 28] {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// A page ready for the index.
pub struct IndexedPage {
    pub words: PageWords,
    pub word_count: u32,
    /// `<language>_<sha1 of the fragment>`, shortened later to the file's name.
    pub fragment_hash: String,
    /// The fragment file, compressed.
    pub fragment_file: Vec<u8>,
    /// The value of the `kind` filter.
    pub kind: &'static str,
}

/// The fragment a result is shown from, with the fields in the order Pagefind writes them.
#[derive(serde::Serialize)]
struct Fragment<'a> {
    url: &'a str,
    content: &'a str,
    word_count: usize,
    filters: BTreeMap<&'a str, [&'a str; 1]>,
    meta: BTreeMap<&'a str, &'a str>,
    anchors: [(); 0],
}

/// A quick hash for the token cache, which is looked up once per word of every page: the
/// tokens are the brief's own text, so resisting crafted collisions is not worth SipHash's
/// cost here.
type TokenHash = std::hash::BuildHasherDefault<TokenHasher>;

#[derive(Default)]
struct TokenHasher(u64);

impl std::hash::Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The terms of every token met so far, by number. The tokens are kept as copies: looking
/// one up compares it with its key, and a copy made here is near the other keys in memory
/// where a slice of some earlier page's text would be a cache miss. The terms themselves
/// are runs of one array, the map giving where each token's run is.
struct TermCache<'r> {
    splitter: WordSplitter,
    vocabulary: &'r Vocabulary,
    body: HashMap<Box<str>, (u32, u32), TokenHash>,
    title: HashMap<Box<str>, (u32, u32), TokenHash>,
    terms: Vec<TermId>,
    scratch: Vec<Term>,
}

impl TermCache<'_> {
    fn body_terms(&mut self, token: &str) -> &[TermId] {
        let run = match self.body.get(token) {
            Some(&run) => run,
            None => {
                self.scratch.clear();
                self.splitter.body_terms(token, &mut self.scratch);
                let run = self.remember();
                self.body.insert(token.into(), run);
                run
            }
        };
        &self.terms[run.0 as usize..(run.0 + run.1) as usize]
    }

    fn title_terms(&mut self, token: &str) -> &[TermId] {
        let run = match self.title.get(token) {
            Some(&run) => run,
            None => {
                self.scratch.clear();
                self.splitter.word_terms(token, &mut self.scratch);
                let run = self.remember();
                self.title.insert(token.into(), run);
                run
            }
        };
        &self.terms[run.0 as usize..(run.0 + run.1) as usize]
    }

    /// Numbers the terms just split and keeps them: their run.
    fn remember(&mut self) -> (u32, u32) {
        let start = self.terms.len() as u32;
        for term in &self.scratch {
            self.terms.push(TermId {
                stem: self.vocabulary.id(&term.stem),
                variant: term
                    .original
                    .as_deref()
                    .map_or(NO_TERM, |original| self.vocabulary.id(original)),
                compound_part: term.compound_part,
            });
        }
        (start, self.scratch.len() as u32)
    }
}

/// Splits the pages of one thread, keeping what it learns about tokens between pages.
pub struct PageSplitter<'r> {
    cache: TermCache<'r>,
    language: &'r str,
    compressor: Compressor,
    placed: Vec<Placed>,
    title_placed: Vec<Placed>,
}

impl<'r> PageSplitter<'r> {
    /// `level` is the gzip level of the fragment files.
    pub fn new(
        language: &'r str,
        include_characters: &[char],
        vocabulary: &'r Vocabulary,
        level: u32,
    ) -> Self {
        PageSplitter {
            cache: TermCache {
                splitter: WordSplitter::new(language, include_characters),
                vocabulary,
                body: HashMap::default(),
                title: HashMap::default(),
                terms: Vec::new(),
                scratch: Vec::new(),
            },
            language,
            compressor: Compressor::new(level),
            placed: Vec::new(),
            title_placed: Vec::new(),
        }
    }

    /// The page of `record`, or `None` when its text has no word to index (Pagefind leaves
    /// such pages out).
    pub fn page(&mut self, record: &SearchRecord) -> Option<IndexedPage> {
        self.placed.clear();
        self.title_placed.clear();
        let mut content = String::with_capacity(record.content.len());
        let mut position: u32 = 0;
        // Zero-width spaces mark boundaries for some languages; they are never indexed.
        let has_zero_width = record.content.contains('\u{200B}');
        for token in record.content.split_whitespace() {
            let cleaned = (has_zero_width && token.contains('\u{200B}'))
                .then(|| token.replace('\u{200B}', ""));
            let text = cleaned.as_deref().unwrap_or(token);
            if text.is_empty() {
                continue;
            }
            if !content.is_empty() {
                content.push(' ');
            }
            content.push_str(text);
            place_token(self.cache.body_terms(text), position, &mut self.placed);
            position += 1;
        }
        if self.placed.is_empty() {
            return None;
        }
        for (position, token) in record.title.split_whitespace().enumerate() {
            for term in self.cache.title_terms(token) {
                self.title_placed.push(Placed {
                    stem: term.stem,
                    variant: term.variant,
                    position: position as u32,
                    weight: 0,
                });
            }
        }
        let words = pack_words(&mut self.placed, &mut self.title_placed);
        let fragment = Fragment {
            url: &record.url,
            content: &content,
            word_count: position as usize,
            filters: BTreeMap::from([("kind", [record.kind])]),
            meta: BTreeMap::from([("title", record.title.as_str())]),
            anchors: [],
        };
        let json = serde_json::to_string(&fragment).unwrap_or_default();
        Some(IndexedPage {
            words,
            word_count: position,
            fragment_hash: format!("{}_{}", self.language, full_hash(json.as_bytes())),
            fragment_file: self.compressor.compress(json.as_bytes()),
            kind: record.kind,
        })
    }
}

/// The terms of one token at `position`: the parts of a compound share the word's weight.
fn place_token(terms: &[TermId], position: u32, placed: &mut Vec<Placed>) {
    let parts = terms.iter().filter(|t| t.compound_part).count();
    let part_weight = if parts > 0 {
        (DEFAULT_WEIGHT / u8::try_from(parts).unwrap_or(u8::MAX)).max(1)
    } else {
        0
    };
    placed.extend(terms.iter().map(|term| Placed {
        stem: term.stem,
        variant: term.variant,
        position,
        weight: if term.compound_part {
            part_weight
        } else {
            DEFAULT_WEIGHT
        },
    }));
}

/// Groups the placed terms by term and diacritic form and packs their positions.
fn pack_words(body: &mut [Placed], title: &mut [Placed]) -> PageWords {
    // Within a term, the common weight first and then by position, so that most positions
    // are small differences with no weight marks between them.
    let weight_order = |w: u8| if w == UNMARKED_WEIGHT { 0 } else { w };
    body.sort_unstable_by_key(|p| (p.stem, p.variant, weight_order(p.weight), p.position));
    title.sort_unstable_by_key(|p| (p.stem, p.variant, p.position));
    let mut words = PageWords {
        bytes: Vec::with_capacity(body.len() * 4 + title.len() * 4),
        count: 0,
        variants: Vec::new(),
    };
    let (mut locs, mut meta_locs, mut arrays) = (Vec::new(), Vec::new(), Vec::new());
    let (mut b, mut t) = (0, 0);
    let key_of = |p: &Placed| (p.stem, p.variant);
    loop {
        let key = match (body.get(b), title.get(t)) {
            (Some(x), Some(y)) => key_of(x).min(key_of(y)),
            (Some(x), None) => key_of(x),
            (None, Some(y)) => key_of(y),
            (None, None) => break,
        };
        let body_end = b + body[b..].iter().take_while(|p| key_of(p) == key).count();
        let title_end = t + title[t..].iter().take_while(|p| key_of(p) == key).count();
        locs.clear();
        meta_locs.clear();
        arrays.clear();
        pack_body(&body[b..body_end], &mut locs);
        pack_meta(&title[t..title_end], &mut meta_locs);
        // Writing to a Vec cannot fail.
        let mut encoder = minicbor::Encoder::new(&mut arrays);
        let _ = encoder
            .encode(&locs[..])
            .and_then(|e| e.encode(&meta_locs[..]));
        if key.1 != NO_TERM {
            words.variants.push(VariantEntry {
                entry: words.count,
                form: key.1,
                in_text: !locs.is_empty(),
            });
        }
        let cost = (locs.len() + meta_locs.len() + 1) as u32;
        words.push(Entry { stem: key.0, cost }, &arrays);
        (b, t) = (body_end, title_end);
    }
    // Pages wait, thousands of them, until every page is split: no spare capacity.
    words.bytes.shrink_to_fit();
    words
}

/// Positions as differences, with a weight mark (`-w - 1`, then the absolute position)
/// wherever the weight changes from the one before (at first, the unmarked weight).
fn pack_body(placed: &[Placed], locs: &mut Vec<i32>) {
    let mut weight = UNMARKED_WEIGHT;
    let mut last = 0;
    for p in placed {
        if p.weight != weight {
            locs.push(-i32::from(p.weight) - 1);
            locs.push(p.position as i32);
            weight = p.weight;
        } else {
            locs.push((p.position - last) as i32);
        }
        last = p.position;
    }
}

/// Title positions: the field's mark, then positions as differences.
fn pack_meta(placed: &[Placed], locs: &mut Vec<i32>) {
    if placed.is_empty() {
        return;
    }
    locs.push(-i32::from(TITLE_FIELD) - 1);
    let mut last = 0;
    for p in placed {
        locs.push((p.position - last) as i32);
        last = p.position;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(stem: u32, position: u32, weight: u8) -> Placed {
        Placed {
            stem,
            variant: NO_TERM,
            position,
            weight,
        }
    }

    #[test]
    fn positions_are_differences_after_a_weight_mark() {
        let mut locs = Vec::new();
        pack_body(
            &[placed(1, 3, 24), placed(1, 10, 24), placed(1, 12, 24)],
            &mut locs,
        );
        assert_eq!(locs, [-25, 3, 7, 2]);
    }

    /// The positions and meta positions of each entry, decoded.
    fn decoded(words: &PageWords) -> Vec<(u32, Vec<i32>, Vec<i32>)> {
        words
            .iter()
            .map(|(e, arrays, _)| {
                let mut d = minicbor::Decoder::new(arrays);
                let locs = d.decode().expect("locs");
                let meta = d.decode().expect("meta_locs");
                (e.stem, locs, meta)
            })
            .collect()
    }

    #[test]
    fn lighter_compound_parts_come_first_with_their_own_mark() {
        let mut body = [placed(1, 9, 24), placed(1, 4, 12), placed(1, 2, 24)];
        let words = pack_words(&mut body, &mut []);
        assert_eq!(decoded(&words), [(1, vec![-13, 4, -25, 2, 7], vec![])]);
    }

    #[test]
    fn title_positions_join_the_body_entry_of_the_same_term() {
        let mut body = [placed(1, 0, 24), placed(2, 1, 24)];
        let mut title = [placed(2, 0, 0), placed(3, 1, 0), placed(3, 4, 0)];
        let words = pack_words(&mut body, &mut title);
        assert_eq!(
            decoded(&words),
            [
                (1, vec![-25, 0], vec![]),
                (2, vec![-25, 1], vec![-1, 0]),
                (3, vec![], vec![-1, 1, 3]),
            ]
        );
        assert_eq!(words.iter().nth(1).map(|(e, _, _)| e.cost), Some(5));
    }

    #[test]
    fn a_page_counts_its_words_and_keeps_its_text() {
        let vocabulary = Vocabulary::default();
        let record = SearchRecord {
            url: "/people/ann/".into(),
            title: "Ann Smith".into(),
            kind: "person",
            content: "Ann Smith.\n  She founded — Acme.".into(),
        };
        let mut splitter = PageSplitter::new("en", &['_'], &vocabulary, 1);
        let page = splitter.page(&record).expect("a page with words");
        // The dash is a position with no term.
        assert_eq!(page.word_count, 6);
        assert!(page.fragment_hash.starts_with("en_"));
        let json = super::super::bundle::decompress(&page.fragment_file).expect("gzip");
        let json = String::from_utf8(json).expect("utf-8");
        assert_eq!(
            json,
            r#"{"url":"/people/ann/","content":"Ann Smith. She founded — Acme.","word_count":6,"filters":{"kind":["person"]},"meta":{"title":"Ann Smith"},"anchors":[]}"#
        );
    }

    #[test]
    fn entry_headers_read_back_whatever_their_size() {
        let mut words = PageWords::default();
        for (stem, arrays) in [(0, &b"\x80\x80"[..]), (300, b"ab"), (u32::MAX, b"")] {
            words.push(
                Entry {
                    stem,
                    cost: stem / 2,
                },
                arrays,
            );
        }
        let back: Vec<_> = words
            .iter()
            .map(|(e, a, _)| (e.stem, e.cost, a.to_vec()))
            .collect();
        assert_eq!(
            back,
            [
                (0, 0, b"\x80\x80".to_vec()),
                (300, 150, b"ab".to_vec()),
                (u32::MAX, u32::MAX / 2, vec![])
            ]
        );
    }

    #[test]
    fn a_page_without_words_is_left_out() {
        let vocabulary = Vocabulary::default();
        let record = SearchRecord {
            url: "/x/".into(),
            title: "X".into(),
            kind: "event",
            content: "— … ".into(),
        };
        let mut splitter = PageSplitter::new("en", &[], &vocabulary, 1);
        assert!(splitter.page(&record).is_none());
    }
}
