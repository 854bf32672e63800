//! One search record made into what the index needs of its page: the terms at each word
//! position with their weights, packed the way Pagefind's word files hold them, and the
//! page's fragment (the JSON the browser shows a result from: URL, title, text, kind). A
//! `PageSplitter` serves one thread and remembers the terms of every token it has split,
//! since notes repeat a small vocabulary and stemming is the costly step.

use std::collections::{BTreeMap, HashMap};

use super::SearchRecord;
use super::bundle::{compress, full_hash};
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

/// A page's places of one term (or of one diacritic form of it), as slices of
/// [`PageWords::locs`]: first the body positions, then the meta positions.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub stem: u32,
    pub variant: u32,
    start: u32,
    body_len: u32,
    meta_len: u32,
}

impl Entry {
    pub fn body<'a>(&self, locs: &'a [i32]) -> &'a [i32] {
        let start = self.start as usize;
        &locs[start..start + self.body_len as usize]
    }

    pub fn meta<'a>(&self, locs: &'a [i32]) -> &'a [i32] {
        let start = (self.start + self.body_len) as usize;
        &locs[start..start + self.meta_len as usize]
    }

    pub fn has_body(&self) -> bool {
        self.body_len > 0
    }

    /// The size Pagefind counts towards filling a words file.
    pub fn cost(&self) -> usize {
        (self.body_len + self.meta_len) as usize + 1
    }
}

/// Every term of one page, sorted by term number.
#[derive(Debug, Default)]
pub struct PageWords {
    pub entries: Vec<Entry>,
    pub locs: Vec<i32>,
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

/// The terms of every token met so far, by number.
struct TermCache<'r> {
    splitter: WordSplitter,
    vocabulary: &'r Vocabulary,
    body: HashMap<&'r str, Box<[TermId]>>,
    title: HashMap<&'r str, Box<[TermId]>>,
    scratch: Vec<Term>,
}

impl<'r> TermCache<'r> {
    fn body_terms(&mut self, token: &'r str) -> &[TermId] {
        let (splitter, vocabulary, scratch) = (&self.splitter, self.vocabulary, &mut self.scratch);
        self.body.entry(token).or_insert_with(|| {
            scratch.clear();
            splitter.body_terms(token, scratch);
            term_ids(scratch, vocabulary)
        })
    }

    fn title_terms(&mut self, token: &'r str) -> &[TermId] {
        let (splitter, vocabulary, scratch) = (&self.splitter, self.vocabulary, &mut self.scratch);
        self.title.entry(token).or_insert_with(|| {
            scratch.clear();
            splitter.word_terms(token, scratch);
            term_ids(scratch, vocabulary)
        })
    }

    fn body_terms_uncached(&mut self, token: &str) -> Box<[TermId]> {
        self.scratch.clear();
        self.splitter.body_terms(token, &mut self.scratch);
        term_ids(&self.scratch, self.vocabulary)
    }
}

/// Splits the pages of one thread, keeping what it learns about tokens between pages.
pub struct PageSplitter<'r> {
    cache: TermCache<'r>,
    language: &'r str,
    level: u32,
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
                body: HashMap::new(),
                title: HashMap::new(),
                scratch: Vec::new(),
            },
            language,
            level,
            placed: Vec::new(),
            title_placed: Vec::new(),
        }
    }

    /// The page of `record`, or `None` when its text has no word to index (Pagefind leaves
    /// such pages out).
    pub fn page(&mut self, record: &'r SearchRecord) -> Option<IndexedPage> {
        self.placed.clear();
        self.title_placed.clear();
        let mut content = String::with_capacity(record.content.len());
        let mut position: u32 = 0;
        for token in record.content.split_whitespace() {
            // Zero-width spaces mark boundaries for some languages; they are never indexed.
            let cleaned = token.contains('\u{200B}').then(|| token.replace('\u{200B}', ""));
            let text = cleaned.as_deref().unwrap_or(token);
            if text.is_empty() {
                continue;
            }
            if !content.is_empty() {
                content.push(' ');
            }
            content.push_str(text);
            match &cleaned {
                None => place_token(self.cache.body_terms(token), position, &mut self.placed),
                Some(text) => {
                    let terms = self.cache.body_terms_uncached(text);
                    place_token(&terms, position, &mut self.placed);
                }
            }
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
            fragment_file: compress(json.as_bytes(), self.level),
            kind: record.kind,
        })
    }
}

fn term_ids(terms: &[Term], vocabulary: &Vocabulary) -> Box<[TermId]> {
    terms
        .iter()
        .map(|term| TermId {
            stem: vocabulary.id(&term.stem),
            variant: term
                .original
                .as_deref()
                .map_or(NO_TERM, |original| vocabulary.id(original)),
            compound_part: term.compound_part,
        })
        .collect()
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
        entries: Vec::new(),
        locs: Vec::with_capacity(body.len() + body.len() / 2 + title.len() * 2),
    };
    let (mut b, mut t) = (0, 0);
    while b < body.len() || t < title.len() {
        let key_of = |p: &Placed| (p.stem, p.variant);
        let key = match (body.get(b), title.get(t)) {
            (Some(x), Some(y)) => key_of(x).min(key_of(y)),
            (Some(x), None) => key_of(x),
            (None, Some(y)) => key_of(y),
            (None, None) => break,
        };
        let body_end = b + body[b..].iter().take_while(|p| key_of(p) == key).count();
        let title_end = t + title[t..].iter().take_while(|p| key_of(p) == key).count();
        let start = words.locs.len();
        pack_body(&body[b..body_end], &mut words.locs);
        let meta_start = words.locs.len();
        pack_meta(&title[t..title_end], &mut words.locs);
        words.entries.push(Entry {
            stem: key.0,
            variant: key.1,
            start: start as u32,
            body_len: (meta_start - start) as u32,
            meta_len: (words.locs.len() - meta_start) as u32,
        });
        (b, t) = (body_end, title_end);
    }
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

    #[test]
    fn lighter_compound_parts_come_first_with_their_own_mark() {
        let mut body = [placed(1, 9, 24), placed(1, 4, 12), placed(1, 2, 24)];
        let words = pack_words(&mut body, &mut []);
        assert_eq!(words.entries.len(), 1);
        assert_eq!(words.entries[0].body(&words.locs), [-13, 4, -25, 2, 7]);
    }

    #[test]
    fn title_positions_join_the_body_entry_of_the_same_term() {
        let mut body = [placed(1, 0, 24), placed(2, 1, 24)];
        let mut title = [placed(2, 0, 0), placed(3, 1, 0), placed(3, 4, 0)];
        let words = pack_words(&mut body, &mut title);
        let summary: Vec<_> = words
            .entries
            .iter()
            .map(|e| (e.stem, e.body(&words.locs).to_vec(), e.meta(&words.locs).to_vec()))
            .collect();
        assert_eq!(
            summary,
            [
                (1, vec![-25, 0], vec![]),
                (2, vec![-25, 1], vec![-1, 0]),
                (3, vec![], vec![-1, 1, 3]),
            ]
        );
        assert!(!words.entries[2].has_body());
        assert_eq!(words.entries[1].cost(), 5);
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
