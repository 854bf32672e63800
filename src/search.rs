//! Full-text search: every note indexed at build time into Pagefind's file format, written
//! into the site under `pagefind/` with Pagefind's browser UI, so search works on any static
//! host with no server.
//!
//! The indexer is ours; Pagefind's library only supplies the browser runtime (its scripts,
//! styles and wasm, see `bundle`), and its browser code reads our files unchanged. Each note
//! comes as a plain-text record (title, names, summary, text) made while rendering, with its
//! title as the `title` meta field and its kind as the `kind` filter (person, company, event,
//! source). The pages are numbered first (a record with no word makes none), then split in
//! batches of consecutive records, each thread taking the next batch when it is free and
//! remembering the terms of the tokens it has met (`pages`, `words`: Pagefind's
//! normalisation, diacritic folding, compound parts and stemmer, so that queries in the
//! browser match). A thread appends each page's encoded positions to its terms' runs, and
//! each batch's fragments are named (in page order, as soon as the batches before are) and
//! put into the sink. Once every page is split, each term's runs from every thread are laid
//! end to end (`postings`) into Pagefind's sorted, size-bounded words files of CBOR records
//! (`format`), each compressed and put into the sink as soon as it is encoded. The files are
//! the ones Pagefind's library writes for the same records, byte for byte once decompressed
//! (tested here, and checked on 10,000 notes), and the same records always give the same
//! bytes.
//!
//! Left out, as casefile's records never need them: anchors, sort keys, fragment groups,
//! word segmentation for Chinese, Japanese and Thai (with katakana suffixes), emoji terms,
//! and Pagefind's `___PAGEFIND_…` markers inside text (ours index them as words).
//! `CASEFILE_TRACE_SEARCH=1` prints the time and resident memory after each step. Without
//! the `search` cargo feature this module indexes nothing.

use crate::output::{Output, Sink};
#[cfg(feature = "search")]
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(feature = "search")]
mod bundle;
#[cfg(feature = "search")]
mod format;
#[cfg(all(test, feature = "search"))]
mod index_tests;
#[cfg(feature = "search")]
mod pages;
#[cfg(feature = "search")]
mod postings;
#[cfg(feature = "search")]
mod reuse;
#[cfg(feature = "search")]
mod token_map;
#[cfg(feature = "search")]
mod vocabulary;
#[cfg(feature = "search")]
mod words;

/// The folder of the site that holds the index and the UI.
pub const BUNDLE_DIR: &str = "pagefind";

/// The list of the search index's fragments that the next build reuses (`search/reuse.rs`),
/// at the site's root beside casefile's marker file, so that the index folder holds only
/// what Pagefind would write.
pub const FRAGMENT_LIST: &str = ".casefile-fragments";

/// Whether this binary was built with search.
pub const ENABLED: bool = cfg!(feature = "search");

/// The gzip level of the index files, libdeflate's. Measured on 10,000 notes
/// (docs/performance.md): level 1 compresses the 71 MB of fragments and words files to 34 MB
/// in about 0.6 s of one core; level 2 saves 1 % more for ~50 % more time, level 6 4 % for
/// about 2.5 times, and level 9 (Pagefind's own) 5 % for about 6 times. The build's time
/// budget decides.
#[cfg(feature = "search")]
const GZIP_LEVEL: u32 = 1;

/// Starts making Pagefind's browser runtime for the site's `language` in the background,
/// for a build that will index it: the index then finds it made (see `bundle::runtime`).
pub fn prefetch_runtime(language: &str) {
    #[cfg(feature = "search")]
    bundle::prefetch_runtime(&index_language(language));
    #[cfg(not(feature = "search"))]
    let _ = language;
}

/// One note as the search index sees it.
#[derive(Debug, Clone)]
pub struct SearchRecord {
    /// Site-relative URL, `/people/x/` (Pagefind adds the base path at run time).
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub content: String,
}

/// A record the index asks for only when it comes to its page, so that the text of every
/// page is never held at once (at 10,000 notes the records made in advance were 40 MB).
pub trait Indexable: Send {
    /// Whether the record holds a word (a record without one makes no page): the pages are
    /// numbered from this before any record is made.
    fn has_words(&self, include_characters: &[char]) -> bool;
    /// The record itself.
    fn into_record(self) -> SearchRecord;
}

/// Whether a text has a word to index, and so makes a page: a token has terms exactly when
/// it has a letter, digit or included symbol (see `WordSplitter::word_terms`). Cheap, so
/// that pages can be numbered before they are split.
pub fn text_has_words(text: &str, include_characters: &[char]) -> bool {
    text.chars()
        .any(|c| c.is_alphanumeric() || include_characters.contains(&c))
}

impl Indexable for SearchRecord {
    fn has_words(&self, include_characters: &[char]) -> bool {
        text_has_words(&self.content, include_characters)
    }

    fn into_record(self) -> SearchRecord {
        self
    }
}

/// Indexes the records and puts the files of the index and UI into `sink` as they are
/// made. Each record is made when its batch is split, and freed once its page is.
#[cfg(feature = "search")]
pub fn index_site<R: Indexable>(
    records: Vec<R>,
    language: &str,
    sink: &dyn Sink,
) -> Result<(), String> {
    use pages::CompressedFile;
    use rayon::prelude::*;
    use std::sync::{Mutex, PoisonError};

    let mut trace = Trace::from_env();
    let sink = CountingSink {
        sink,
        fragments: AtomicUsize::new(0),
        words: AtomicUsize::new(0),
        meta: AtomicUsize::new(0),
    };
    let language = index_language(language);
    let runtime = bundle::runtime(&language)?;
    trace.lap("runtime from Pagefind's library");
    let previous = reuse::PreviousFragments::parse(
        &sink.sink.previous(reuse::MANIFEST).unwrap_or_default(),
        GZIP_LEVEL,
    );

    // Batches of consecutive records, their pages numbered before they are split, so that
    // each thread takes the next batch when it is free and each batch's fragments can be
    // named (in page order) and written as soon as the batches before are done. The batches
    // shrink towards the end (a quarter of each thread's share of what is left, 16 to 256
    // records): with batches of one size, the thread that took the last one was still
    // splitting it ~40 ms after the others had run out of work, at 10,000 notes.
    let threads = rayon::current_num_threads().max(1);
    let mut left = records.len();
    let mut batches: Vec<Batch<R>> = Vec::new();
    let mut page_count: u32 = 0;
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let batch_len = left.div_ceil(threads * 4).clamp(16, 256);
        left = left.saturating_sub(batch_len);
        let records: Vec<R> = records.by_ref().take(batch_len).collect();
        let pages = records
            .iter()
            .filter(|r| r.has_words(&runtime.include_characters))
            .count() as u32;
        batches.push(Batch {
            first_page: page_count,
            pages,
            records,
        });
        page_count += pages;
    }
    let batch_count = batches.len();
    let queue = Mutex::new(batches.into_iter().enumerate());
    let fragments = Mutex::new(Naming::new(&language, 1));
    let vocabulary = vocabulary::Vocabulary::default();
    let threads = rayon::current_num_threads().min(batch_count).max(1);
    let postings: Vec<pages::Postings> = (0..threads)
        .into_par_iter()
        .map(|_| {
            let mut splitter = pages::PageSplitter::new(
                &language,
                &runtime.include_characters,
                &vocabulary,
                GZIP_LEVEL,
            );
            loop {
                let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                let Some((number, batch)) = next else {
                    return Ok(splitter.into_postings());
                };
                let mut page = batch.first_page;
                let mut split = Vec::with_capacity(batch.records.len());
                for record in batch.records {
                    let record = record.into_record();
                    if let Some(done) = splitter.split_page(&record, page, batch.first_page) {
                        split.push(done);
                        page += 1;
                    }
                }
                if page - batch.first_page != batch.pages {
                    return Err("search index: pages were numbered wrongly".to_string());
                }
                let made: Vec<_> = split
                    .into_iter()
                    .map(|done| splitter.seal(done, &previous))
                    .collect();
                let ready = fragments
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .add(number, made, |page, name| {
                        (fragment_path(name), page.fragment_file)
                    });
                for (path, file) in ready {
                    match file {
                        CompressedFile::Compressed(bytes) => sink.put(Output::new(path, bytes))?,
                        CompressedFile::Previous { name, fragment } => {
                            if !sink.put_previous(&fragment_path(&name), &path)? {
                                let bytes = splitter.compress(&fragment);
                                sink.put(Output::new(path, bytes))?;
                            }
                        }
                    }
                }
            }
        })
        .collect::<Result<_, String>>()?;
    let words = vocabulary.into_words();
    let fragments = fragments
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    trace.lap("split, stem and fragments");

    // Each words file is hashed (for its name), compressed (unless the previous build made
    // the same one) and written as soon as it is encoded.
    let chunk_files = Mutex::new(Naming::new(&language, 2));
    let chunks =
        postings::word_chunks(postings, &words, postings::CHUNK_SIZE, |number, payload| {
            let (quick, hash) = previous.full_hash(&payload, &language);
            let mut compressor = bundle::Compressor::new(GZIP_LEVEL);
            let file = CompressedFile::of(payload, &hash, &previous, &mut compressor);
            let ready = chunk_files
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .add(
                    number,
                    vec![WordsFile { hash, quick, file }],
                    |words, name| (words_path(name), words.file),
                );
            ready.into_iter().try_for_each(|(path, file)| match file {
                CompressedFile::Compressed(bytes) => sink.put(Output::new(path, bytes)),
                CompressedFile::Previous { name, fragment } => {
                    if sink.put_previous(&words_path(&name), &path)? {
                        return Ok(());
                    }
                    sink.put(Output::new(path, compressor.compress(&fragment)))
                }
            })
        });
    if let Some(Err(e)) = chunks.iter().map(|c| &c.file).find(|f| f.is_err()) {
        return Err(e.clone());
    }
    let chunk_files = chunk_files
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    trace.lap("words files encoded and compressed");

    let meta_pages = fragments
        .named
        .iter()
        .map(|(name, page)| format::MetaPage {
            hash: name,
            word_count: page.word_count,
            group_hash: "",
        })
        .collect();
    let mut kinds: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
    for (number, (_, page)) in fragments.named.iter().enumerate() {
        kinds.entry(page.kind).or_default().push(number as u32);
    }
    let mut filter_payload = Vec::new();
    let filter = format::FilterIndex {
        filter: "kind",
        values: kinds
            .into_iter()
            .map(|(value, pages)| format::PackedValue { value, pages })
            .collect(),
    };
    // Writing to a Vec cannot fail.
    let _ = minicbor::encode(filter, &mut filter_payload);
    let mut filter_names = bundle::Names::new(&language, 2);
    let filter_name = filter_names.claim(&format!(
        "{language}_{}",
        bundle::full_hash(&filter_payload)
    ));

    let mut meta_payload = Vec::new();
    let page_count = fragments.named.len();
    let meta = format::MetaIndex {
        version: &runtime.version,
        pages: meta_pages,
        index_chunks: chunks
            .iter()
            .zip(&chunk_files.named)
            .map(|(c, (hash, _))| format::MetaChunk {
                from: &c.from,
                to: &c.to,
                hash,
            })
            .collect(),
        filters: if page_count == 0 {
            Vec::new()
        } else {
            vec![format::MetaFilter {
                filter: "kind",
                hash: &filter_name,
            }]
        },
        sorts: &[],
        meta_fields: if page_count == 0 { &[] } else { &["title"] },
    };
    let _ = minicbor::encode(meta, &mut meta_payload);
    let meta_hash = bundle::full_hash(&meta_payload);
    let meta_hash = format!(
        "{language}_{}",
        meta_hash.get(..language.len() + 8).unwrap_or(&meta_hash)
    );
    trace.lap("names and meta");

    let dir = BUNDLE_DIR;
    let this_builds_fragments = fragments
        .named
        .iter()
        .map(|(name, page)| (page.quick, page.full_hash.as_str(), name.as_str()))
        .chain(
            chunk_files
                .named
                .iter()
                .map(|(name, (quick, full_hash))| (*quick, full_hash.as_str(), name.as_str())),
        );
    sink.put(Output::new(
        reuse::MANIFEST,
        reuse::write(this_builds_fragments, GZIP_LEVEL),
    ))?;
    let mut compressor = bundle::Compressor::new(GZIP_LEVEL);
    if page_count > 0 {
        sink.put(Output::new(
            format!("{dir}/filter/{filter_name}.pf_filter"),
            compressor.compress(&filter_payload),
        ))?;
    }
    sink.put(Output::new(
        format!("{dir}/pagefind.{meta_hash}.pf_meta"),
        compressor.compress(&meta_payload),
    ))?;
    sink.put(Output::new(
        format!("{dir}/pagefind-entry.json"),
        bundle::entry_json(&runtime, &language, &meta_hash, page_count),
    ))?;
    for (name, bytes) in &runtime.files {
        sink.put(Output::new(format!("{dir}/{name}"), bytes.clone()))?;
    }
    trace.lap("files compressed");
    trace.done(page_count, words.len(), &sink);
    Ok(())
}

/// Consecutive records, and how many pages they make.
#[cfg(feature = "search")]
struct Batch<R> {
    first_page: u32,
    pages: u32,
    records: Vec<R>,
}

/// A words file, with the full hash its name is cut from.
#[cfg(feature = "search")]
struct WordsFile {
    hash: String,
    quick: u128,
    file: pages::CompressedFile,
}

/// Names files in the order of the index although they are made out of order: a file's
/// name is lengthened when an earlier file took it, so each batch of files waits until
/// the batches before it are named.
#[cfg(feature = "search")]
struct Naming<T: Nameable> {
    names: bundle::Names,
    next_batch: usize,
    waiting: std::collections::BTreeMap<usize, Vec<T>>,
    /// Every file named so far, in order, with what is kept of it once it is written.
    named: Vec<(String, T::Kept)>,
}

/// A file waiting for its name: its full hash, and what is kept of it once it is written.
#[cfg(feature = "search")]
trait Nameable {
    type Kept;
    fn full_hash(&self) -> &str;
    /// Splits the file into what is written and what is kept.
    fn split(self) -> (Self, Self::Kept)
    where
        Self: Sized;
}

#[cfg(feature = "search")]
impl Nameable for pages::IndexedPage {
    type Kept = PageMeta;
    fn full_hash(&self) -> &str {
        &self.fragment_hash
    }
    fn split(self) -> (Self, PageMeta) {
        let kept = PageMeta {
            word_count: self.word_count,
            kind: self.kind,
            full_hash: self.fragment_hash.clone(),
            quick: self.fragment_quick,
        };
        (self, kept)
    }
}

#[cfg(feature = "search")]
impl Nameable for WordsFile {
    /// The quick and full hashes, for the list the next build reuses files by ([`reuse`]).
    type Kept = (u128, String);
    fn full_hash(&self) -> &str {
        &self.hash
    }
    fn split(self) -> (Self, (u128, String)) {
        let kept = (self.quick, self.hash.clone());
        (self, kept)
    }
}

/// What the meta file needs of a page once its fragment is written.
#[cfg(feature = "search")]
struct PageMeta {
    word_count: u32,
    kind: &'static str,
    /// For the list of fragments the next build reuses ([`reuse`]).
    full_hash: String,
    quick: u128,
}

/// Where the fragment file of this name goes.
#[cfg(feature = "search")]
fn fragment_path(name: &str) -> String {
    format!("{BUNDLE_DIR}/fragment/{name}.pf_fragment")
}

/// Where the words file of this name goes.
#[cfg(feature = "search")]
fn words_path(name: &str) -> String {
    format!("{BUNDLE_DIR}/index/{name}.pf_index")
}

#[cfg(feature = "search")]
impl<T: Nameable> Naming<T> {
    /// `step` is how many characters a taken name grows by (see [`bundle::Names`]).
    fn new(language: &str, step: usize) -> Self {
        Naming {
            names: bundle::Names::new(language, step),
            next_batch: 0,
            waiting: Default::default(),
            named: Vec::new(),
        }
    }

    /// Adds batch `number`, and returns the files that can now be named, as `output` makes
    /// them of each file and its name.
    fn add<O>(&mut self, number: usize, files: Vec<T>, output: impl Fn(T, &str) -> O) -> Vec<O> {
        self.waiting.insert(number, files);
        let mut ready = Vec::new();
        while let Some(files) = self.waiting.remove(&self.next_batch) {
            self.next_batch += 1;
            for file in files {
                let name = self.names.claim(file.full_hash());
                let (file, kept) = file.split();
                ready.push(output(file, &name));
                self.named.push((name, kept));
            }
        }
        ready
    }
}

/// Puts files into a sink, counting the bytes of each kind of index file for the trace.
#[cfg(feature = "search")]
struct CountingSink<'s> {
    sink: &'s dyn Sink,
    fragments: AtomicUsize,
    words: AtomicUsize,
    meta: AtomicUsize,
}

#[cfg(feature = "search")]
impl CountingSink<'_> {
    fn put(&self, output: Output) -> Result<(), String> {
        let counter = match output.path.rsplit_once('.').map(|(_, suffix)| suffix) {
            Some("pf_fragment") => &self.fragments,
            Some("pf_index") => &self.words,
            Some("pf_meta") => &self.meta,
            _ => return self.sink.put(output),
        };
        counter.fetch_add(output.bytes.len(), Ordering::Relaxed);
        self.sink.put(output)
    }

    /// A previous build's file (fragment or words), reused: its bytes are not counted.
    fn put_previous(&self, previous_path: &str, path: &str) -> Result<bool, String> {
        self.sink.put_previous(previous_path, path)
    }
}

/// The language code the index is made for: the primary subtag (`en` of `en-GB`), letters
/// and digits only since it goes into file names; `unknown` (Pagefind's name) when none.
#[cfg(feature = "search")]
fn index_language(language: &str) -> String {
    let primary: String = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if primary.is_empty() {
        "unknown".into()
    } else {
        primary
    }
}

/// Times of the indexer's steps on stderr, when `CASEFILE_TRACE_SEARCH` is set.
#[cfg(feature = "search")]
struct Trace {
    started: Option<std::time::Instant>,
    last: std::time::Instant,
}

#[cfg(feature = "search")]
impl Trace {
    fn from_env() -> Self {
        let now = std::time::Instant::now();
        Trace {
            started: std::env::var_os("CASEFILE_TRACE_SEARCH").map(|_| now),
            last: now,
        }
    }

    fn lap(&mut self, step: &str) {
        if self.started.is_some() {
            let now = std::time::Instant::now();
            eprintln!(
                "  search: {step:<34} {:7.1} ms; {}",
                (now - self.last).as_secs_f64() * 1e3,
                crate::trace::resources()
            );
            self.last = now;
        }
    }

    fn done(&self, pages: usize, words: usize, written: &CountingSink) {
        if let Some(started) = self.started {
            // Bytes compressed by this build (a file reused from the previous one counts 0).
            let bytes = |bytes: &AtomicUsize| bytes.load(Ordering::Relaxed);
            eprintln!(
                "  search: {pages} pages, {words} terms, {:.1} ms in all; compressed: fragments {} B, words files {} B, meta {} B",
                started.elapsed().as_secs_f64() * 1e3,
                bytes(&written.fragments),
                bytes(&written.words),
                bytes(&written.meta),
            );
        }
    }
}

#[cfg(not(feature = "search"))]
pub fn index_site<R: Indexable>(
    _records: Vec<R>,
    _language: &str,
    _sink: &dyn Sink,
) -> Result<(), String> {
    Ok(())
}

/// The text of a rendered body as a reader sees it in a search excerpt: tags dropped (block
/// ends become spaces, inline tags join their words as on the page), footnote superscripts and
/// origins badges left out (a bare "5" or "1 origin" in an excerpt is noise), the five escapes
/// undone, white space folded.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut rest = html;
    // While inside an element whose text is left out: its name and how deep it nests.
    let mut skipping: Option<(&str, usize)> = None;
    // `memchr` rather than `str::find`: a body has a tag every few dozen bytes, and the
    // char searcher's setup for each short stretch was most of this function's cost.
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        if skipping.is_none() {
            text.push_str(&rest[..open]);
        }
        let Some(close) = memchr::memchr(b'>', &rest.as_bytes()[open..]) else {
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let closing = tag.starts_with('/');
        let name_start = usize::from(closing);
        let name_end = tag.as_bytes()[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(tag.len(), |end| name_start + end);
        let name = &tag[name_start..name_end];
        if let Some((skipped, depth)) = skipping.as_mut() {
            if name.eq_ignore_ascii_case(skipped) {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if !closing && (name == "sup" || (name == "span" && tag.contains("class=\"origins"))) {
            skipping = Some((name, 1));
            continue;
        }
        if !is_inline_tag(name) {
            text.push(' ');
        }
    }
    if skipping.is_none() {
        text.push_str(rest);
    }
    let mut folded = String::with_capacity(text.len());
    push_folded(&mut folded, &text);
    folded
}

/// Whether an element of this name (any case) runs inside a line of text, so that its tags
/// join the words around them rather than part them.
fn is_inline_tag(name: &str) -> bool {
    // No inline tag's name is longer than "strong": most block tags are ruled out by length.
    name.len() <= 6
        && INLINE_TAGS
            .iter()
            .any(|inline| inline.len() == name.len() && inline.eq_ignore_ascii_case(name))
}

/// Appends `text`'s words one space apart, a mark left alone by a superscript taken out
/// (`Apple <sup>1</sup>.`) put back against its word, and the five escapes of rendered HTML
/// undone. What `split_whitespace` and a push of each word would give, in one pass over the
/// bytes that copies the stretches already one space apart whole (most of a body's text).
fn push_folded(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut i = skip_whitespace(text, 0);
    // Where the stretch not yet copied starts.
    let mut copied = i;
    while i < bytes.len() {
        let b = bytes[i];
        // Most bytes are letters, or a single space before one: the stretch goes on.
        if (b'!'..0x80).contains(&b) && b != b'&' {
            i += 1;
            continue;
        }
        if b == b' '
            && bytes
                .get(i + 1)
                .is_some_and(|&next| starts_plain_word(next))
        {
            i += 2;
            continue;
        }
        if b == b'&' {
            out.push_str(&text[copied..i]);
            let (len, c) = unescaped(&text[i..]);
            out.push(c);
            i += len;
            copied = i;
            continue;
        }
        let space = whitespace_len(text, i);
        if space == 0 {
            i += 1;
            continue;
        }
        let run_start = i;
        i = skip_whitespace(text, i + space);
        // At the end, or before a lone mark, the white space goes.
        if i == bytes.len() || is_lone_mark(text, i) {
            out.push_str(&text[copied..run_start]);
            copied = i;
        } else if i - run_start > 1 || bytes[run_start] != b' ' {
            out.push_str(&text[copied..run_start]);
            out.push(' ');
            copied = i;
        }
    }
    out.push_str(&text[copied..]);
}

/// Whether a word that starts with `byte` is neither white space, a mark nor an escape.
fn starts_plain_word(byte: u8) -> bool {
    (b'!'..0x80).contains(&byte) && !matches!(byte, b'&' | b'.' | b',' | b';' | b':' | b'!' | b'?')
}

/// Whether the word at `start` (not white space) is only marks, which go against the word
/// before.
fn is_lone_mark(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    let mut end = start;
    while end < bytes.len() && matches!(bytes[end], b'.' | b',' | b';' | b':' | b'!' | b'?') {
        end += 1;
    }
    end > start && (end == bytes.len() || whitespace_len(text, end) > 0)
}

/// Where the white space from `i` ends.
fn skip_whitespace(text: &str, mut i: usize) -> usize {
    while i < text.len() {
        match whitespace_len(text, i) {
            0 => break,
            len => i += len,
        }
    }
    i
}

/// The length of the white-space character (`char::is_whitespace`) at byte `i` of `text`, or
/// 0 when there is none there. Outside ASCII only `U+0085`, `U+00A0`, `U+1680`, `U+2000` to
/// `U+200A`, `U+2028`, `U+2029`, `U+202F`, `U+205F` and `U+3000` are white space (checked
/// against every character by a test), so most bytes are told apart without decoding.
#[inline]
fn whitespace_len(text: &str, i: usize) -> usize {
    match text.as_bytes()[i] {
        b'!'..=0x7F => 0,
        b' ' | b'\t'..=b'\r' => 1,
        lead @ (0xC2 | 0xE1 | 0xE2 | 0xE3) => wide_whitespace_len(text.as_bytes(), i, lead),
        _ => 0,
    }
}

/// [`whitespace_len`] of a character outside ASCII that starts with `lead`.
fn wide_whitespace_len(bytes: &[u8], i: usize, lead: u8) -> usize {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match lead {
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        0xE1 if next(1) == 0x9A && next(2) == 0x80 => 3,
        0xE2 if next(1) == 0x80 && matches!(next(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) => 3,
        0xE2 if next(1) == 0x81 && next(2) == 0x9F => 3,
        0xE3 if next(1) == 0x80 && next(2) == 0x80 => 3,
        _ => 0,
    }
}

/// The escape of rendered HTML that `text` starts with (it starts with `&`): its length and
/// the character it stands for; a bare `&` stands for itself.
fn unescaped(text: &str) -> (usize, char) {
    const ESCAPES: [(&str, char); 5] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&amp;", '&'),
    ];
    ESCAPES
        .iter()
        .find(|(escape, _)| text.starts_with(escape))
        .map_or((1, '&'), |(escape, c)| (escape.len(), *c))
}

/// Tags that sit inside a line of text: no space is put where they open or close.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
    "span", "strong", "sub", "time", "u", "var",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The stripping as it was before it searched with `memchr`: the reference the
    /// faster one must match byte for byte.
    fn html_to_text_reference(html: &str) -> String {
        let mut text = String::with_capacity(html.len() / 2);
        let mut rest = html;
        // While inside an element whose text is left out: its name and how deep it nests.
        let mut skipping: Option<(&str, usize)> = None;
        while let Some(open) = rest.find('<') {
            if skipping.is_none() {
                text.push_str(&rest[..open]);
            }
            let Some(close) = rest[open..].find('>') else {
                rest = "";
                break;
            };
            let tag = &rest[open + 1..open + close];
            rest = &rest[open + close + 1..];
            let closing = tag.starts_with('/');
            let name_start = usize::from(closing);
            let name_end = tag[name_start..]
                .find(|c: char| !c.is_ascii_alphanumeric())
                .map_or(tag.len(), |end| name_start + end);
            let name = &tag[name_start..name_end];
            if let Some((skipped, depth)) = skipping.as_mut() {
                if name.eq_ignore_ascii_case(skipped) {
                    if closing {
                        *depth -= 1;
                        if *depth == 0 {
                            skipping = None;
                        }
                    } else {
                        *depth += 1;
                    }
                }
                continue;
            }
            if !closing && (name == "sup" || (name == "span" && tag.contains("class=\"origins"))) {
                skipping = Some((name, 1));
                continue;
            }
            if !INLINE_TAGS
                .iter()
                .any(|inline| inline.eq_ignore_ascii_case(name))
            {
                text.push(' ');
            }
        }
        if skipping.is_none() {
            text.push_str(rest);
        }
        let mut folded = String::with_capacity(text.len());
        push_folded(&mut folded, &text);
        folded
    }

    proptest::proptest! {
        #[test]
        fn html_to_text_matches_its_reference(
            html in proptest::string::string_regex(
                "(<(/)?(p|a|sup|span|SPAN|em|strong|li|h2|code|Sup)( class=\"origins\"| href=\"x\")?>|[a-zé .,;&<>]|&amp;|&lt;|&#39;| |\n|1){0,60}"
            ).unwrap()
        ) {
            proptest::prop_assert_eq!(html_to_text(&html), html_to_text_reference(&html));
        }
    }

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text("<p>A &amp; <a href=\"x\">B</a></p>\n<p>C&lt;D</p>"),
            "A & B C<D"
        );
    }

    #[test]
    fn inline_tags_keep_words_and_punctuation_together() {
        assert_eq!(
            html_to_text("<p>(<a href=\"/x/\">Meta</a>) and <em>Scale</em>'s <code>AI</code>.</p>"),
            "(Meta) and Scale's AI."
        );
    }

    #[test]
    fn footnote_superscripts_and_origins_badges_are_left_out() {
        let html = "<p>Pang left Apple<sup class=\"citation\"><a id=\"ref-1-1\" href=\"#\">1</a></sup>\
                    <sup class=\"citation\"><a href=\"#\"><sup>2</sup></a></sup> \
                    <span class=\"origins\" title=\"t\">1 origin</span>. He <span>joined</span> Meta.</p>";
        assert_eq!(html_to_text(html), "Pang left Apple. He joined Meta.");
    }

    /// The folding as it was first written: the words of `split_whitespace`, each pushed with
    /// a space before it unless it is a lone mark, the escapes undone by one replace after
    /// another, `&amp;` last.
    fn folded_word_by_word(text: &str) -> String {
        let by_replaces = |s: &str| {
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        };
        let mut folded = String::new();
        for word in text.split_whitespace() {
            let lone_mark = word
                .chars()
                .all(|c| matches!(c, '.' | ',' | ';' | ':' | '!' | '?'));
            if !folded.is_empty() && !lone_mark {
                folded.push(' ');
            }
            folded.push_str(&by_replaces(word));
        }
        folded
    }

    #[test]
    fn escapes_are_undone_as_one_replace_after_another_would() {
        proptest::proptest!(|(s in "(&|amp;|lt;|gt;|quot;|#39;|&amp;|x|;| )*")| {
            let mut one_pass = String::new();
            push_folded(&mut one_pass, &s);
            proptest::prop_assert_eq!(one_pass, folded_word_by_word(&s));
        });
        assert_eq!(
            html_to_text("<p>&amp;lt; &quot;a&quot; &#39;b&#39; &amp;&amp; c&gt;d</p>"),
            "&lt; \"a\" 'b' && c>d"
        );
    }

    #[test]
    fn text_is_folded_as_word_by_word_pushes_would() {
        proptest::proptest!(|(s in "( |  |\n|\t|\u{0B}|\u{A0}|\u{2003}|\u{3000}|\u{200B}|\u{85}|\u{2014}|\u{E9}|[.,;:!?]|&amp;|&lt;|&|a|Bc|1)*")| {
            let mut one_pass = String::new();
            push_folded(&mut one_pass, &s);
            proptest::prop_assert_eq!(one_pass, folded_word_by_word(&s));
        });
        for text in [
            "",
            " ",
            " . ",
            ". , x",
            "a .",
            "a .x",
            "a\u{A0}\u{A0}. b",
            "x\u{2028}?!",
        ] {
            let mut one_pass = String::new();
            push_folded(&mut one_pass, text);
            assert_eq!(one_pass, folded_word_by_word(text), "{text:?}");
        }
    }

    #[test]
    fn white_space_is_what_char_is_whitespace_says_for_every_character() {
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            let mut text = String::from(c);
            text.push('x');
            let expected = if c.is_whitespace() { c.len_utf8() } else { 0 };
            assert_eq!(whitespace_len(&text, 0), expected, "{:?}", c);
            // Last in the text, too.
            assert_eq!(
                whitespace_len(&text[..c.len_utf8()], 0),
                expected,
                "{:?}",
                c
            );
        }
    }

    #[test]
    fn a_tag_cut_off_at_the_end_is_dropped() {
        assert_eq!(html_to_text("<p>Text</p><a href=\"x"), "Text");
    }
}

#[cfg(all(test, feature = "search"))]
mod naming_tests {
    use super::*;

    struct File(&'static str);

    impl Nameable for File {
        type Kept = ();
        fn full_hash(&self) -> &str {
            self.0
        }
        fn split(self) -> (Self, ()) {
            (self, ())
        }
    }

    #[test]
    fn files_are_named_in_batch_order_whatever_order_they_come_in() {
        let mut naming = Naming::new("en", 1);
        let output = |file: File, name: &str| Output::new(name, file.0.as_bytes().to_vec());
        // Batch 1 is done first: nothing of it is named until batch 0 is.
        assert!(
            naming
                .add(1, vec![File("en_0123456bbb")], output)
                .is_empty()
        );
        let ready = naming.add(0, vec![File("en_0123456aaa"), File("en_7777777")], output);
        let names: Vec<&str> = ready.iter().map(|o| o.path.as_str()).collect();
        // The later page's name is lengthened, though its batch was done first.
        assert_eq!(names, ["en_0123456", "en_7777777", "en_0123456b"]);
        assert_eq!(naming.named.len(), 3);
        assert!(naming.add(2, Vec::new(), output).is_empty());
        assert_eq!(naming.next_batch, 3);
    }
}
