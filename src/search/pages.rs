//! One search record made into what the index needs of its page: the terms at each word
//! position with their weights, packed the way Pagefind's word files hold them, and the
//! page's fragment (the JSON the browser shows a result from: URL, title, text, kind). A
//! `PageSplitter` serves one thread, which gives it batches of pages in page order: it
//! remembers the terms of every token it has split, since notes repeat a small vocabulary
//! and stemming is the costly step, and it appends each page's packed places to its term's
//! runs (`Postings`, a run per batch), so that no page keeps its own copy of them until
//! every page is split.

use super::SearchRecord;
use super::bundle::Compressor;
use super::format::{ARRAY, UNSIGNED, write_head, write_i32_array};
use super::reuse::PreviousFragments;
use super::token_map::TokenMap;
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

/// One place of a term on a page: its position and weight (none in the title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Placed {
    position: u32,
    weight: u8,
}

/// Marks the end of a chain, or a stem not yet on the page.
const NONE: u32 = u32::MAX;

/// One term and diacritic form of the page being split, with its places, which are chains
/// through [`PageTerms`]' lists (the places of a page come in the order of its text).
#[derive(Debug, Clone, Copy)]
struct PageKey {
    stem: u32,
    variant: u32,
    /// The page's next key with the same stem (another diacritic form), or [`NONE`].
    same_stem: u32,
    body: Chain,
    title: Chain,
}

#[derive(Debug, Clone, Copy)]
struct Chain {
    first: u32,
    last: u32,
}

const EMPTY_CHAIN: Chain = Chain {
    first: NONE,
    last: NONE,
};

/// The terms of the page being split, grouped by term as they are met: no sorting of the
/// page's places, and no memory kept from one page to the next but the buffers.
#[derive(Default)]
struct PageTerms {
    /// By stem number: the page's first key with that stem, or [`NONE`].
    first_key: Vec<u32>,
    keys: Vec<PageKey>,
    /// Each place with the index of the next place of its key (or [`NONE`]).
    places: Vec<(Placed, u32)>,
}

impl PageTerms {
    fn key(&mut self, stem: u32, variant: u32) -> usize {
        let slot = stem as usize;
        if slot >= self.first_key.len() {
            self.first_key.resize(slot + 1 + slot / 4, NONE);
        }
        let mut k = self.first_key[slot];
        while k != NONE {
            if self.keys[k as usize].variant == variant {
                return k as usize;
            }
            k = self.keys[k as usize].same_stem;
        }
        self.keys.push(PageKey {
            stem,
            variant,
            same_stem: self.first_key[slot],
            body: EMPTY_CHAIN,
            title: EMPTY_CHAIN,
        });
        self.first_key[slot] = (self.keys.len() - 1) as u32;
        self.keys.len() - 1
    }

    fn place(&mut self, term: &TermId, placed: Placed, in_title: bool) {
        let key = self.key(term.stem, term.variant);
        let index = self.places.len() as u32;
        self.places.push((placed, NONE));
        let chain = if in_title {
            &mut self.keys[key].title
        } else {
            &mut self.keys[key].body
        };
        if chain.last == NONE {
            chain.first = index;
        } else {
            self.places[chain.last as usize].1 = index;
        }
        chain.last = index;
    }

    /// The places of one chain, in the order they were met.
    fn chain(&self, chain: Chain, out: &mut Vec<Placed>) {
        out.clear();
        let mut next = chain.first;
        while next != NONE {
            let (placed, after) = self.places[next as usize];
            out.push(placed);
            next = after;
        }
    }

    fn clear(&mut self) {
        for key in &self.keys {
            self.first_key[key.stem as usize] = NONE;
        }
        self.keys.clear();
        self.places.clear();
    }
}

/// One term's places on the pages one splitter was given, in page order: runs of pages
/// from one batch each (the pages in between went to other threads), to be laid between
/// the runs of other splitters (see [`PrecodedRun`](super::format::PrecodedRun)).
#[derive(Debug, Default)]
pub struct TermRuns {
    /// Each run's first page's arrays, then its later pages whole (`[n, delta, locs,
    /// meta_locs]`).
    pub bytes: Vec<u8>,
    pub runs: Vec<Run>,
    /// Positions, weight and field marks, and one per page: what Pagefind counts towards
    /// filling a words file.
    pub cost: usize,
    /// The pages of the forms with diacritics (rare), in page order.
    pub variants: Vec<VariantPage>,
}

/// Where a run of [`TermRuns`] starts in its bytes, and its pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct Run {
    pub start: u32,
    pub first_page: u32,
    pub last_page: u32,
    /// How many pages the plain form is on.
    pub count: u32,
}

/// A page of a diacritic form of a term.
#[derive(Debug)]
pub struct VariantPage {
    pub page: u32,
    pub form: u32,
    /// Whether the form is in the text (rather than only in the title).
    pub in_text: bool,
    pub arrays: Vec<u8>,
}

/// Every term's places on the pages one splitter was given, by term number.
#[derive(Debug, Default)]
pub struct Postings {
    pub terms: Vec<TermRuns>,
}

/// One term's runs while pages are split, as every page the term is on touches it: its bytes
/// and the run they are being appended to, in one cache line (a term's runs on the heap
/// beside its bytes were another cache miss for each term of each page, at 10,000 notes a
/// table far larger than the caches). The closed runs and the forms with diacritics wait in
/// a table of their own, [`ClosedRuns`].
#[derive(Debug, Default)]
#[repr(align(64))]
struct OpenTerm {
    bytes: Vec<u8>,
    /// The run being appended to; none before the first page (`count` 0).
    run: Run,
    cost: usize,
}

/// What a term's runs seldom touch: the runs a later batch closed, and the diacritic forms.
#[derive(Debug, Default)]
struct ClosedRuns {
    runs: Vec<Run>,
    variants: Vec<VariantPage>,
}

/// The postings one splitter is appending to, by term number.
#[derive(Debug, Default)]
struct OpenPostings {
    open: Vec<OpenTerm>,
    closed: Vec<ClosedRuns>,
}

impl OpenPostings {
    /// Adds one term's places on `page`, the first page of its batch being `batch_start`.
    fn add(&mut self, key: &PageKey, page: u32, batch_start: u32, places: &Packed) {
        let slot = key.stem as usize;
        if slot >= self.open.len() {
            let len = slot + 1 + slot / 4;
            self.open.resize_with(len, OpenTerm::default);
            self.closed.resize_with(len, ClosedRuns::default);
        }
        let term = &mut self.open[slot];
        term.cost += places.locs.len() + places.meta_locs.len() + 1;
        if key.variant != NO_TERM {
            let mut arrays = Vec::new();
            places.write(&mut arrays);
            self.closed[slot].variants.push(VariantPage {
                page,
                form: key.variant,
                in_text: !places.locs.is_empty(),
                arrays,
            });
            return;
        }
        let run = &mut term.run;
        if run.count > 0 && run.last_page >= batch_start {
            write_head(&mut term.bytes, ARRAY, 3);
            write_head(&mut term.bytes, UNSIGNED, page - run.last_page);
            run.last_page = page;
            run.count += 1;
        } else {
            let next = Run {
                start: term.bytes.len() as u32,
                first_page: page,
                last_page: page,
                count: 1,
            };
            let closed = std::mem::replace(run, next);
            if closed.count > 0 {
                self.closed[slot].runs.push(closed);
            }
        }
        places.write(&mut term.bytes);
    }

    /// Every term's runs, as they wait for the words files: the open runs closed, the
    /// bytes' spare capacity given back.
    fn finish(self) -> Postings {
        let terms = self
            .open
            .into_iter()
            .zip(self.closed)
            .map(|(open, closed)| {
                let mut bytes = open.bytes;
                bytes.shrink_to_fit();
                let mut runs = closed.runs;
                if open.run.count > 0 {
                    runs.push(open.run);
                }
                runs.shrink_to_fit();
                TermRuns {
                    bytes,
                    runs,
                    cost: open.cost,
                    variants: closed.variants,
                }
            })
            .collect();
        Postings { terms }
    }
}

/// One term's places on one page, packed (see [`PrecodedPage`](super::format::PrecodedPage)).
struct Packed<'p> {
    locs: &'p [i32],
    meta_locs: &'p [i32],
}

impl Packed<'_> {
    /// Writes `locs` then `meta_locs`, each a CBOR array, straight where they are kept.
    fn write(&self, out: &mut Vec<u8>) {
        write_i32_array(out, self.locs);
        write_i32_array(out, self.meta_locs);
    }
}

/// A page split, its places added to the postings, its fragment not yet compressed.
pub struct SplitPage {
    word_count: u32,
    /// The fragment's JSON.
    fragment: Vec<u8>,
    kind: &'static str,
}

/// A page ready for the index.
pub struct IndexedPage {
    pub word_count: u32,
    /// `<language>_<sha1 of the fragment>`, shortened later to the file's name.
    pub fragment_hash: String,
    /// The fragment's quick hash, for the next build's list ([`super::reuse`]).
    pub fragment_quick: u128,
    pub fragment_file: CompressedFile,
    /// The value of the `kind` filter.
    pub kind: &'static str,
}

/// The file of one of the index's compressed files (a page's fragment, a words file).
pub enum CompressedFile {
    /// Compressed by this build.
    Compressed(Vec<u8>),
    /// The previous build's file of the same bytes, by its name there; the bytes (before
    /// compression) are kept in case that file has gone by the time it is reused.
    Previous { name: String, fragment: Vec<u8> },
}

impl CompressedFile {
    /// The file for `payload` (whose full hash is `full_hash`): the previous build's, when
    /// its list names one, or compressed now.
    pub fn of(
        payload: Vec<u8>,
        full_hash: &str,
        previous: &PreviousFragments,
        compressor: &mut Compressor,
    ) -> CompressedFile {
        match previous.name_of(full_hash) {
            Some(name) => CompressedFile::Previous {
                name: name.to_string(),
                fragment: payload,
            },
            None => CompressedFile::Compressed(compressor.compress(&payload)),
        }
    }
}

#[cfg(test)]
impl CompressedFile {
    /// The compressed file; the tests seal without a previous build.
    pub fn compressed(&self) -> &[u8] {
        match self {
            CompressedFile::Compressed(bytes) => bytes,
            CompressedFile::Previous { .. } => panic!("a fragment reused from no previous build"),
        }
    }
}

/// Ends the fragment a result is shown from, whose URL and text are written: its fields come
/// in the order Pagefind writes them, as `serde_json` writes them (tested).
fn finish_fragment(json: &mut Vec<u8>, word_count: u32, record: &SearchRecord) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(
        json,
        "\",\"word_count\":{word_count},\"filters\":{{\"kind\":[\""
    );
    push_json_escaped(json, record.kind);
    json.extend_from_slice(b"\"]},\"meta\":{\"title\":\"");
    push_json_escaped(json, &record.title);
    json.extend_from_slice(b"\"},\"anchors\":[]}");
}

/// Appends `text` inside a JSON string, escaped as `serde_json` escapes it: quotes,
/// backslashes and control characters only. Most stretches of text need none, which a check
/// of 32 bytes at a time (that the compiler vectorises) tells.
fn push_json_escaped(json: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let needs_escape = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    if !bytes
        .chunks(32)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | needs_escape(b)))
    {
        json.extend_from_slice(bytes);
        return;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        json.extend_from_slice(&bytes[copied..i]);
        copied = i + 1;
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0C => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            _ => {
                json.extend_from_slice(b"\\u00");
                json.extend_from_slice(&[HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
                continue;
            }
        };
        json.extend_from_slice(&[b'\\', short]);
    }
    json.extend_from_slice(&bytes[copied..]);
}

/// The terms of every token met so far, by number: most tokens have one term, a stem of no
/// other form and no compound part, kept in the token's own slot of the map; the others
/// are runs of one array, the map giving where each token's run is. (Reaching into the
/// array was a second cache miss for each word at 10,000 notes.)
struct TermCache<'r> {
    splitter: WordSplitter,
    vocabulary: &'r Vocabulary,
    body: TokenMap<CachedTerms>,
    title: TokenMap<CachedTerms>,
    terms: Vec<TermId>,
    scratch: Vec<Term>,
    /// The single term last looked up, as a slice.
    single: [TermId; 1],
}

/// A token's terms as the cache keeps them: `(stem, ONE_PLAIN_TERM)` for a single plain
/// stem, else `(start, count)` of their run in [`TermCache`]'s array.
type CachedTerms = (u32, u32);

/// The count that marks a single plain stem kept in the map itself.
const ONE_PLAIN_TERM: u32 = u32::MAX;

impl TermCache<'_> {
    fn body_terms(&mut self, token: &str) -> &[TermId] {
        let cached = self.body.get_or_insert_with(token, || {
            self.scratch.clear();
            self.splitter.body_terms(token, &mut self.scratch);
            remember(&self.scratch, self.vocabulary, &mut self.terms)
        });
        self.terms_of(cached)
    }

    fn title_terms(&mut self, token: &str) -> &[TermId] {
        let cached = self.title.get_or_insert_with(token, || {
            self.scratch.clear();
            self.splitter.word_terms(token, &mut self.scratch);
            remember(&self.scratch, self.vocabulary, &mut self.terms)
        });
        self.terms_of(cached)
    }

    #[inline]
    fn terms_of(&mut self, (first, count): CachedTerms) -> &[TermId] {
        if count == ONE_PLAIN_TERM {
            self.single[0].stem = first;
            &self.single
        } else {
            &self.terms[first as usize..(first + count) as usize]
        }
    }
}

/// Numbers the terms just split and keeps them: a single plain stem as it is, the others in
/// `terms`.
fn remember(split: &[Term], vocabulary: &Vocabulary, terms: &mut Vec<TermId>) -> CachedTerms {
    if let [term] = split
        && term.original.is_none()
        && !term.compound_part
    {
        return (vocabulary.id(&term.stem), ONE_PLAIN_TERM);
    }
    let start = terms.len() as u32;
    for term in split {
        terms.push(TermId {
            stem: vocabulary.id(&term.stem),
            variant: term
                .original
                .as_deref()
                .map_or(NO_TERM, |original| vocabulary.id(original)),
            compound_part: term.compound_part,
        });
    }
    (start, split.len() as u32)
}

/// Splits the pages given to one thread (in page order), keeping what it learns about tokens
/// between pages and gathering their places under their terms.
pub struct PageSplitter<'r> {
    cache: TermCache<'r>,
    language: &'r str,
    compressor: Compressor,
    page_terms: PageTerms,
    postings: OpenPostings,
    /// Buffers reused from key to key.
    places: Vec<Placed>,
    locs: Vec<i32>,
    meta_locs: Vec<i32>,
    json: Vec<u8>,
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
                body: TokenMap::default(),
                title: TokenMap::default(),
                terms: Vec::new(),
                scratch: Vec::new(),
                single: [TermId {
                    stem: 0,
                    variant: NO_TERM,
                    compound_part: false,
                }],
            },
            language,
            compressor: Compressor::new(level),
            page_terms: PageTerms::default(),
            postings: OpenPostings::default(),
            places: Vec::new(),
            locs: Vec::new(),
            meta_locs: Vec::new(),
            json: Vec::new(),
        }
    }

    /// The page of `record`, numbered `page` in a batch whose first page is `batch_start`,
    /// its places added to the postings; or `None` when its text has no word to index
    /// (Pagefind leaves such pages out: see [`super::text_has_words`]). The indexer splits and
    /// seals in two steps; the tests take both at once.
    #[cfg(test)]
    pub fn page(
        &mut self,
        record: &SearchRecord,
        page: u32,
        batch_start: u32,
    ) -> Option<IndexedPage> {
        let split = self.split_page(record, page, batch_start)?;
        Some(self.seal(split, &PreviousFragments::default()))
    }

    /// The page of `record` with its places added to the postings, as `page` makes it, but its
    /// fragment not yet named and compressed, which [`seal`](Self::seal) does: a thread seals a
    /// batch's pages once it has split them all, not between them, since the compressor's
    /// tables (libdeflate clears 128 kB of them for each file) pushed the splitter's maps out
    /// of the cache at every page.
    pub fn split_page(
        &mut self,
        record: &SearchRecord,
        page: u32,
        batch_start: u32,
    ) -> Option<SplitPage> {
        self.page_terms.clear();
        // The fragment, written into a buffer kept from page to page (a fresh one would grow a
        // dozen times). Its text is the tokens joined by single spaces, copied (escaped) a
        // stretch at a time, since most are already one space apart.
        let json = &mut self.json;
        json.clear();
        json.extend_from_slice(b"{\"url\":\"");
        push_json_escaped(json, &record.url);
        json.extend_from_slice(b"\",\"content\":\"");
        let mut started = false;
        let mut flush = |json: &mut Vec<u8>, text: &str| {
            if started {
                json.push(b' ');
            }
            started = true;
            push_json_escaped(json, text);
        };
        let mut stretch: Option<std::ops::Range<usize>> = None;
        let mut position: u32 = 0;
        // Zero-width spaces mark boundaries for some languages; they are never indexed.
        let has_zero_width = record.content.contains('\u{200B}');
        for (start, token) in tokens(&record.content) {
            let cleaned = (has_zero_width && token.contains('\u{200B}'))
                .then(|| token.replace('\u{200B}', ""));
            let text = cleaned.as_deref().unwrap_or(token);
            if text.is_empty() {
                continue;
            }
            let end = start + token.len();
            match (&mut stretch, &cleaned) {
                (Some(run), None)
                    if start == run.end + 1 && record.content.as_bytes()[run.end] == b' ' =>
                {
                    run.end = end;
                }
                _ => {
                    if let Some(run) = stretch.take() {
                        flush(json, &record.content[run]);
                    }
                    match &cleaned {
                        None => stretch = Some(start..end),
                        Some(text) => flush(json, text),
                    }
                }
            }
            place_token(self.cache.body_terms(text), position, &mut self.page_terms);
            position += 1;
        }
        if let Some(run) = stretch {
            flush(json, &record.content[run]);
        }
        if self.page_terms.keys.is_empty() {
            return None;
        }
        for (position, (_, token)) in tokens(&record.title).enumerate() {
            for term in self.cache.title_terms(token) {
                let placed = Placed {
                    position: position as u32,
                    weight: 0,
                };
                self.page_terms.place(term, placed, true);
            }
        }
        self.pack_words(page, batch_start);
        finish_fragment(&mut self.json, position, record);
        Some(SplitPage {
            word_count: position,
            fragment: self.json.clone(),
            kind: record.kind,
        })
    }

    /// A split page with its fragment hashed (for its name) and compressed, unless the
    /// previous build made the same fragment.
    pub fn seal(&mut self, page: SplitPage, previous: &PreviousFragments) -> IndexedPage {
        let (fragment_quick, fragment_hash) = previous.full_hash(&page.fragment, self.language);
        let fragment_file = CompressedFile::of(
            page.fragment,
            &fragment_hash,
            previous,
            &mut self.compressor,
        );
        IndexedPage {
            word_count: page.word_count,
            fragment_hash,
            fragment_quick,
            fragment_file,
            kind: page.kind,
        }
    }

    /// A fragment compressed as [`seal`](Self::seal) compresses it.
    pub fn compress(&mut self, fragment: &[u8]) -> Vec<u8> {
        self.compressor.compress(fragment)
    }

    /// Every term's places on the pages split so far. The runs wait, every thread's, until
    /// every page is split: their spare capacity is given back.
    pub fn into_postings(self) -> Postings {
        self.postings.finish()
    }

    /// Packs the places of each term and form of the page and adds them to the postings.
    fn pack_words(&mut self, page: u32, batch_start: u32) {
        // Within a term, the common weight first and then by position, so that most positions
        // are small differences with no weight marks between them.
        let weight_order = |w: u8| if w == UNMARKED_WEIGHT { 0 } else { w };
        for key in &self.page_terms.keys {
            self.page_terms.chain(key.body, &mut self.places);
            // Places come in text order; only a term met both whole and as a compound part
            // mixes weights, and needs sorting.
            let sorted = self
                .places
                .windows(2)
                .all(|w| weight_order(w[0].weight) <= weight_order(w[1].weight));
            if !sorted {
                self.places
                    .sort_unstable_by_key(|p| (weight_order(p.weight), p.position));
            }
            self.locs.clear();
            pack_body(&self.places, &mut self.locs);
            self.page_terms.chain(key.title, &mut self.places);
            self.meta_locs.clear();
            pack_meta(&self.places, &mut self.meta_locs);
            let packed = Packed {
                locs: &self.locs,
                meta_locs: &self.meta_locs,
            };
            self.postings.add(key, page, batch_start, &packed);
        }
    }
}

/// The tokens of a text (`str::split_whitespace`'s) with where each starts, found a byte at
/// a time (see [`whitespace_len`](super::whitespace_len)).
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = super::skip_whitespace(text, at);
        if start == text.len() {
            return None;
        }
        let mut end = start + 1;
        while end < text.len() && super::whitespace_len(text, end) == 0 {
            end += 1;
        }
        at = end;
        Some((start, &text[start..end]))
    })
}

/// The terms of one token at `position`: the parts of a compound share the word's weight.
fn place_token(terms: &[TermId], position: u32, page_terms: &mut PageTerms) {
    let parts = terms.iter().filter(|t| t.compound_part).count();
    let part_weight = if parts > 0 {
        (DEFAULT_WEIGHT / u8::try_from(parts).unwrap_or(u8::MAX)).max(1)
    } else {
        0
    };
    for term in terms {
        let weight = if term.compound_part {
            part_weight
        } else {
            DEFAULT_WEIGHT
        };
        page_terms.place(term, Placed { position, weight }, false);
    }
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

    fn placed(position: u32, weight: u8) -> Placed {
        Placed { position, weight }
    }

    fn term(stem: u32) -> TermId {
        TermId {
            stem,
            variant: NO_TERM,
            compound_part: false,
        }
    }

    #[test]
    fn positions_are_differences_after_a_weight_mark() {
        let mut locs = Vec::new();
        pack_body(&[placed(3, 24), placed(10, 24), placed(12, 24)], &mut locs);
        assert_eq!(locs, [-25, 3, 7, 2]);
    }

    /// A page number with its `locs` and `meta_locs`, decoded.
    type DecodedPage = (u32, Vec<i32>, Vec<i32>);

    /// A page's places of each term (by number), in its body and in its title.
    type PagePlaces<'a> = (&'a [(u32, Placed)], &'a [(u32, Placed)]);

    /// Each page of a term's runs with its places, decoded, and the runs' first and last pages.
    fn decoded(term: &TermRuns) -> (Vec<DecodedPage>, Vec<(u32, u32)>) {
        let mut pages = Vec::new();
        for (i, run) in term.runs.iter().enumerate() {
            let end = term
                .runs
                .get(i + 1)
                .map_or(term.bytes.len(), |r| r.start as usize);
            let bytes = &term.bytes[run.start as usize..end];
            let mut d = minicbor::Decoder::new(bytes);
            let mut page = run.first_page;
            for n in 0..run.count {
                if n > 0 {
                    assert_eq!(d.array().expect("page"), Some(3));
                    page += d.u32().expect("delta");
                }
                let locs = d.decode().expect("locs");
                let meta = d.decode().expect("meta_locs");
                pages.push((page, locs, meta));
            }
            assert_eq!(d.position(), bytes.len());
            assert_eq!(page, run.last_page);
        }
        let runs = term
            .runs
            .iter()
            .map(|r| (r.first_page, r.last_page))
            .collect();
        (pages, runs)
    }

    /// The postings of pages made of the given places (body, then title), numbered from 0,
    /// with a new batch at each page number in `batches`.
    fn packed(pages: &[PagePlaces], batches: &[u32]) -> Postings {
        let vocabulary = Vocabulary::default();
        let mut splitter = PageSplitter::new("en", &[], &vocabulary, 1);
        let mut batch_start = 0;
        for (page, (body, title)) in pages.iter().enumerate() {
            let page = page as u32 * 2;
            if batches.contains(&page) {
                batch_start = page;
            }
            splitter.page_terms.clear();
            for &(stem, p) in *body {
                splitter.page_terms.place(&term(stem), p, false);
            }
            for &(stem, p) in *title {
                splitter.page_terms.place(&term(stem), p, true);
            }
            splitter.pack_words(page, batch_start);
        }
        splitter.into_postings()
    }

    #[test]
    fn lighter_compound_parts_come_first_with_their_own_mark() {
        let body = [(1, placed(2, 24)), (1, placed(4, 12)), (1, placed(9, 24))];
        let postings = packed(&[(&body, &[])], &[]);
        assert_eq!(
            decoded(&postings.terms[1]).0,
            [(0, vec![-13, 4, -25, 2, 7], vec![])]
        );
    }

    #[test]
    fn title_positions_join_the_body_entry_of_the_same_term() {
        let body = [(1, placed(0, 24)), (2, placed(1, 24))];
        let title = [(2, placed(0, 0)), (3, placed(1, 0)), (3, placed(4, 0))];
        let postings = packed(&[(&body, &title)], &[]);
        assert_eq!(decoded(&postings.terms[1]).0, [(0, vec![-25, 0], vec![])]);
        assert_eq!(
            decoded(&postings.terms[2]).0,
            [(0, vec![-25, 1], vec![-1, 0])]
        );
        assert_eq!(decoded(&postings.terms[3]).0, [(0, vec![], vec![-1, 1, 3])]);
        assert_eq!(postings.terms[2].cost, 5);
    }

    #[test]
    fn a_terms_pages_follow_with_their_deltas_and_each_batch_starts_a_run() {
        let one = [(4, placed(0, 24))];
        let other = [(5, placed(0, 24))];
        let twice = [(4, placed(1, 24)), (4, placed(3, 24))];
        // Pages 0, 2, 4, 6, 8; a batch starts at 6.
        let pages: [PagePlaces; 5] = [
            (&other, &[]),
            (&one, &[]),
            (&other, &[]),
            (&twice, &[]),
            (&one, &[]),
        ];
        let postings = packed(&pages, &[6]);
        let (pages, runs) = decoded(&postings.terms[4]);
        assert_eq!(
            pages,
            [
                (2, vec![-25, 0], vec![]),
                (6, vec![-25, 1, 2], vec![]),
                (8, vec![-25, 0], vec![])
            ]
        );
        assert_eq!(runs, [(2, 2), (6, 8)]);
        // Each page costs its positions and marks, and one.
        assert_eq!(postings.terms[4].cost, 3 + 4 + 3);
        assert_eq!(decoded(&postings.terms[5]).1, [(0, 4)]);
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
        assert!(super::super::text_has_words(&record.content, &['_']));
        let page = splitter.page(&record, 0, 0).expect("a page with words");
        // The dash is a position with no term.
        assert_eq!(page.word_count, 6);
        assert!(page.fragment_hash.starts_with("en_"));
        let json = super::super::bundle::decompress(page.fragment_file.compressed()).expect("gzip");
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
        assert!(!super::super::text_has_words(&record.content, &[]));
        assert!(splitter.page(&record, 0, 0).is_none());
        assert!(splitter.into_postings().terms.is_empty());
    }

    #[test]
    fn tokens_know_where_they_start() {
        for text in [
            "",
            "  ",
            "one",
            " Ann  Smith.\n\tShe\u{0B}founded\u{0C}Acme\r\n",
            "a\u{A0}b\u{2003}c\u{3000}d\u{85}e\u{200B}f",
            "café — naïve ·x· 東京\u{2028}end ",
        ] {
            let ours: Vec<&str> = tokens(text).map(|(_, t)| t).collect();
            let theirs: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(ours, theirs, "{text:?}");
            assert!(tokens(text).all(|(start, t)| text[start..].starts_with(t)));
        }
    }

    #[test]
    fn the_fragment_text_is_the_tokens_one_space_apart() {
        let vocabulary = Vocabulary::default();
        let mut splitter = PageSplitter::new("en", &[], &vocabulary, 1);
        for text in [
            "Ann Smith. She founded Acme.",
            "  Ann\n\nSmith.\u{A0}She  founded\tAcme. ",
            "zero\u{200B}width \u{200B} spaces\u{200B} gone",
        ] {
            let record = SearchRecord {
                url: "/x/".into(),
                title: "T".into(),
                kind: "event",
                content: text.into(),
            };
            let page = splitter.page(&record, 0, 0).expect("a page");
            let json =
                super::super::bundle::decompress(page.fragment_file.compressed()).expect("gzip");
            let json: serde_json::Value = serde_json::from_slice(&json).expect("json");
            let expected: Vec<String> = text
                .split_whitespace()
                .map(|t| t.replace('\u{200B}', ""))
                .filter(|t| !t.is_empty())
                .collect();
            assert_eq!(json["content"], expected.join(" "), "{text:?}");
        }
    }

    /// The fragment a result is shown from, as Pagefind's library writes it (through
    /// `serde_json`, fields in this order).
    #[derive(serde::Serialize)]
    struct Fragment<'a> {
        url: &'a str,
        content: &'a str,
        word_count: usize,
        filters: std::collections::BTreeMap<&'a str, [&'a str; 1]>,
        meta: std::collections::BTreeMap<&'a str, &'a str>,
        anchors: [(); 0],
    }

    #[test]
    fn the_fragment_is_what_serde_json_writes() {
        let vocabulary = Vocabulary::default();
        let text = "(a|B|\"|\\\\|/|\u{0}|\u{1}|\u{8}|\u{C}|\u{1F}|\u{7F}|\u{E9}|\u{2014}|\u{200B}| |\n|\t|\r|\u{B}|\u{A0}|\u{3000}){0,40}";
        proptest::proptest!(|(url in text, title in text, content in text)| {
            let record = SearchRecord {
                url: url.clone(),
                title: title.clone(),
                kind: "person",
                content: format!("w {content}"),
            };
            let mut splitter = PageSplitter::new("en", &[], &vocabulary, 1);
            let page = splitter.page(&record, 0, 0).expect("a page");
            let json = super::super::bundle::decompress(page.fragment_file.compressed()).expect("gzip");
            let words: Vec<String> = record
                .content
                .split_whitespace()
                .map(|t| t.replace('\u{200B}', ""))
                .filter(|t| !t.is_empty())
                .collect();
            let expected = serde_json::to_vec(&Fragment {
                url: &url,
                content: &words.join(" "),
                word_count: words.len(),
                filters: [("kind", ["person"])].into(),
                meta: [("title", title.as_str())].into(),
                anchors: [],
            })
            .expect("json");
            proptest::prop_assert_eq!(page.word_count as usize, words.len());
            proptest::prop_assert_eq!(String::from_utf8_lossy(&json), String::from_utf8_lossy(&expected));
        });
    }

    #[test]
    fn a_text_has_words_exactly_when_it_makes_a_page() {
        let vocabulary = Vocabulary::default();
        let mut splitter = PageSplitter::new("en", &['_'], &vocabulary, 1);
        for text in [
            "— … ·",
            "_",
            "\u{200B}",
            "a\u{200B}",
            "…x…",
            "٣",
            "Ⅻ",
            "!!",
            " \n\t",
            "",
            "é",
            "—.—",
        ] {
            let record = SearchRecord {
                url: "/x/".into(),
                title: "T".into(),
                kind: "event",
                content: text.into(),
            };
            assert_eq!(
                super::super::text_has_words(text, &['_']),
                splitter.page(&record, 0, 0).is_some(),
                "{text:?}"
            );
        }
    }
}
