//! Full-text search: every note indexed at build time into Pagefind's file format, written
//! into the site under `pagefind/` with Pagefind's browser UI, so search works on any static
//! host with no server.
//!
//! The indexer is ours; Pagefind's library only supplies the browser runtime (its scripts,
//! styles and wasm, see `bundle`), and its browser code reads our files unchanged. Each note
//! comes as a plain-text record (title, names, summary, text) made while rendering, with its
//! title as the `title` meta field and its kind as the `kind` filter (person, company, event,
//! source). The records are split into words on all cores, each thread remembering the terms
//! of the tokens it has met (`pages`, `words`: Pagefind's normalisation, diacritic folding,
//! compound parts and stemmer, so that queries in the browser match), and each page's
//! positions are encoded there and then; one pass over the pages gathers them under their
//! terms (`postings`), cut into Pagefind's sorted, size-bounded words files of CBOR records
//! (`format`), each compressed as soon as it is encoded. The files are the ones Pagefind's
//! library writes for the same records, byte for byte once decompressed (tested here, and
//! checked on 10,000 notes), and the same records always give the same bytes.
//!
//! Left out, as casefile's records never need them: anchors, sort keys, fragment groups,
//! word segmentation for Chinese, Japanese and Thai (with katakana suffixes), emoji terms,
//! and Pagefind's `___PAGEFIND_…` markers inside text (ours index them as words).
//! `CASEFILE_TRACE_SEARCH=1` prints the time and resident memory after each step. Without
//! the `search` cargo feature this module indexes nothing.

use crate::output::Output;

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
mod vocabulary;
#[cfg(feature = "search")]
mod words;

/// The folder of the site that holds the index and the UI.
pub const BUNDLE_DIR: &str = "pagefind";

/// Whether this binary was built with search.
pub const ENABLED: bool = cfg!(feature = "search");

/// The gzip level of the index files. Measured on 10,000 notes (docs/performance.md): level
/// 1 compresses the 65 MB of fragments and words files to 47 MB in about 0.25 s of CPU;
/// level 2 to 35 MB for 0.35 s more, level 6 to 34 MB for 1 s more, and Pagefind's own
/// level 9 to 33 MB for 3 s more. The build's time budget decides.
#[cfg(feature = "search")]
const GZIP_LEVEL: u32 = 1;

/// One note as the search index sees it.
#[derive(Debug, Clone)]
pub struct SearchRecord {
    /// Site-relative URL, `/people/x/` (Pagefind adds the base path at run time).
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub content: String,
}

/// Indexes the records and returns the files of the index and UI. The records are taken
/// so that each one's text is freed as soon as its page is split.
#[cfg(feature = "search")]
pub fn index_site(records: Vec<SearchRecord>, language: &str) -> Result<Vec<Output>, String> {
    use rayon::prelude::*;

    let mut trace = Trace::from_env();
    let language = index_language(language);
    let runtime = bundle::runtime(&language)?;
    trace.lap("runtime from Pagefind's library");

    let vocabulary = vocabulary::Vocabulary::default();
    // Contiguous blocks, a few per thread, each split by one splitter with its own memory
    // of tokens and its own runs of places: pages stay in order and the threads share only
    // the vocabulary.
    let block = records
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(16);
    let blocks: Vec<(Vec<pages::IndexedPage>, pages::BlockPostings)> = records
        .into_par_iter()
        .chunks(block)
        .map(|block| {
            let mut splitter = pages::PageSplitter::new(
                &language,
                &runtime.include_characters,
                &vocabulary,
                GZIP_LEVEL,
            );
            let pages = block
                .into_iter()
                .filter_map(|r| splitter.page(&r))
                .collect::<Vec<_>>();
            (pages, splitter.into_postings())
        })
        .collect();
    let words = vocabulary.into_words();
    let mut pages = Vec::new();
    let mut postings = Vec::with_capacity(blocks.len());
    for (block_pages, block_postings) in blocks {
        pages.extend(block_pages);
        postings.push(block_postings);
    }
    trace.lap("split, stem and fragments");

    // Each words file is hashed (for its name) and compressed as soon as it is encoded.
    let chunks = postings::word_chunks(postings, &words, postings::CHUNK_SIZE, |payload| {
        let hash = format!("{language}_{}", bundle::full_hash(&payload));
        (hash, bundle::Compressor::new(GZIP_LEVEL).compress(&payload))
    });
    trace.lap("words files encoded and compressed");

    let mut outputs: Vec<Output> = Vec::new();
    let mut names = bundle::Names::new(&language, 1);
    let mut meta_pages = Vec::with_capacity(pages.len());
    let fragment_names: Vec<String> = pages
        .iter()
        .map(|p| names.claim(&p.fragment_hash))
        .collect();
    for (page, name) in pages.iter().zip(&fragment_names) {
        meta_pages.push(format::MetaPage {
            hash: name,
            word_count: page.word_count,
            group_hash: "",
        });
    }

    let mut kinds: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
    for (number, page) in pages.iter().enumerate() {
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

    let mut chunk_names = bundle::Names::new(&language, 2);
    let chunk_names: Vec<String> = chunks
        .iter()
        .map(|c| chunk_names.claim(&c.file.0))
        .collect();

    let mut meta_payload = Vec::new();
    let meta = format::MetaIndex {
        version: &runtime.version,
        pages: meta_pages,
        index_chunks: chunks
            .iter()
            .zip(&chunk_names)
            .map(|(c, hash)| format::MetaChunk {
                from: &c.from,
                to: &c.to,
                hash,
            })
            .collect(),
        filters: if pages.is_empty() {
            Vec::new()
        } else {
            vec![format::MetaFilter {
                filter: "kind",
                hash: &filter_name,
            }]
        },
        sorts: &[],
        meta_fields: if pages.is_empty() { &[] } else { &["title"] },
    };
    let _ = minicbor::encode(meta, &mut meta_payload);
    let meta_hash = bundle::full_hash(&meta_payload);
    let meta_hash = format!(
        "{language}_{}",
        meta_hash.get(..language.len() + 8).unwrap_or(&meta_hash)
    );
    trace.lap("names and meta");

    let dir = BUNDLE_DIR;
    let mut compressor = bundle::Compressor::new(GZIP_LEVEL);
    if !pages.is_empty() {
        outputs.push(Output::new(
            format!("{dir}/filter/{filter_name}.pf_filter"),
            compressor.compress(&filter_payload),
        ));
    }
    outputs.push(Output::new(
        format!("{dir}/pagefind.{meta_hash}.pf_meta"),
        compressor.compress(&meta_payload),
    ));
    outputs.push(Output::new(
        format!("{dir}/pagefind-entry.json"),
        bundle::entry_json(&runtime, &language, &meta_hash, pages.len()),
    ));
    outputs.extend(
        chunks
            .into_iter()
            .zip(chunk_names)
            .map(|(chunk, name)| Output::new(format!("{dir}/index/{name}.pf_index"), chunk.file.1)),
    );
    let page_count = pages.len();
    outputs.extend(pages.into_iter().zip(fragment_names).map(|(page, name)| {
        Output::new(
            format!("{dir}/fragment/{name}.pf_fragment"),
            page.fragment_file,
        )
    }));
    outputs.extend(
        runtime
            .files
            .iter()
            .map(|(name, bytes)| Output::new(format!("{dir}/{name}"), bytes.clone())),
    );
    trace.lap("files compressed");
    trace.done(page_count, words.len(), &outputs);
    Ok(outputs)
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

    fn done(&self, pages: usize, words: usize, outputs: &[Output]) {
        if let Some(started) = self.started {
            let bytes = |suffix: &str| -> usize {
                outputs
                    .iter()
                    .filter(|o| o.path.ends_with(suffix))
                    .map(|o| o.bytes.len())
                    .sum()
            };
            eprintln!(
                "  search: {pages} pages, {words} terms, {:.1} ms in all; fragments {} kB, words files {} kB, meta {} kB",
                started.elapsed().as_secs_f64() * 1e3,
                bytes(".pf_fragment") / 1000,
                bytes(".pf_index") / 1000,
                bytes(".pf_meta") / 1000,
            );
        }
    }
}

#[cfg(not(feature = "search"))]
pub fn index_site(_records: Vec<SearchRecord>, _language: &str) -> Result<Vec<Output>, String> {
    Ok(Vec::new())
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
        if !INLINE_TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            text.push(' ');
        }
    }
    if skipping.is_none() {
        text.push_str(rest);
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    // Folded to single spaces; a mark left alone by a superscript taken out (`Apple <sup>1</sup>.`)
    // goes back against its word.
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let lone_mark = word
            .chars()
            .all(|c| matches!(c, '.' | ',' | ';' | ':' | '!' | '?'));
        if !folded.is_empty() && !lone_mark {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// Tags that sit inside a line of text: no space is put where they open or close.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "small",
    "span", "strong", "sub", "time", "u", "var",
];

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_tag_cut_off_at_the_end_is_dropped() {
        assert_eq!(html_to_text("<p>Text</p><a href=\"x"), "Text");
    }
}
