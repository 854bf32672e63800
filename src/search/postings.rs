//! The inverted index: every page's terms gathered under their words, in word order, cut
//! into Pagefind's words files of about the same size and encoded. Each block of pages was
//! split with its places already gathered under their terms (`pages::BlockPostings`); a
//! term's list of pages is its runs of the blocks laid end to end, with only the first page
//! of each run given its delta here, so the runs are copied once, straight into the file
//! being encoded. Each file is encoded on its own thread; nothing here names or compresses
//! files.

use rayon::prelude::*;

use super::format::{
    PackedVariant, PackedWord, PrecodedPage, PrecodedPages, PrecodedRun, WordIndex,
};
use super::pages::{BlockPostings, TermRun, VariantPage};

/// A words file is closed once its words hold this many positions and pages (Pagefind's
/// default `index_chunk_size`).
pub const CHUNK_SIZE: usize = 20_000;

/// One words file before it is named: the range of words it holds and what `finish` made
/// of its CBOR.
pub struct WordChunk<F> {
    /// Shortened bounds: a query term between them is looked up in this file.
    pub from: String,
    pub to: String,
    pub file: F,
}

/// One term's runs, each with the number of the block's first page.
struct Postings {
    runs: Vec<(u32, TermRun)>,
}

/// The words files of the blocks of pages (in page order), with `words` naming the term
/// numbers. Each term's runs are dropped as soon as its file is encoded; `finish` turns a
/// file's CBOR into what is kept of it (compressed, say) on the thread that encoded it.
pub fn word_chunks<F: Send>(
    blocks: Vec<BlockPostings>,
    words: &[Box<str>],
    chunk_size: usize,
    finish: impl Fn(Vec<u8>) -> F + Sync,
) -> Vec<WordChunk<F>> {
    let mut postings = gather(blocks, words.len());
    let mut terms: Vec<u32> = (0..words.len() as u32)
        .filter(|&t| {
            postings[t as usize]
                .runs
                .iter()
                .any(|(_, run)| run.cost > 0)
        })
        .collect();
    terms.par_sort_unstable_by(|a, b| words[*a as usize].cmp(&words[*b as usize]));
    let costs: Vec<usize> = terms
        .iter()
        .map(|&t| {
            let runs = &postings[t as usize].runs;
            let mut forms: Vec<u32> = runs
                .iter()
                .flat_map(|(_, run)| run.variants.iter().map(|v| v.form))
                .collect();
            forms.sort_unstable();
            forms.dedup();
            runs.iter().map(|(_, run)| run.cost).sum::<usize>() + forms.len()
        })
        .collect();
    // Each file takes its terms' postings along, to drop them once it is encoded.
    let groups: Vec<Vec<(u32, Postings)>> = chunk_ranges(&costs, chunk_size)
        .into_iter()
        .map(|range| {
            terms[range]
                .iter()
                .map(|&t| {
                    let runs = std::mem::take(&mut postings[t as usize].runs);
                    (t, Postings { runs })
                })
                .collect()
        })
        .collect();
    drop(postings);
    let mut chunks: Vec<WordChunk<F>> = groups
        .into_par_iter()
        .map(|group| {
            // Diacritic forms' pages, numbered in the whole index.
            let variant_pages: Vec<Vec<(u32, &VariantPage)>> = group
                .iter()
                .map(|(_, term)| {
                    term.runs
                        .iter()
                        .flat_map(|(first_page, run)| {
                            run.variants.iter().map(move |v| (first_page + v.page, v))
                        })
                        .collect()
                })
                .collect();
            let packed: Vec<PackedWord> = group
                .iter()
                .zip(&variant_pages)
                .map(|((t, term), variants)| PackedWord {
                    word: &words[*t as usize],
                    pages: precoded_pages(&term.runs),
                    additional_variants: packed_variants(variants, words),
                })
                .collect();
            let mut payload = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = minicbor::encode(WordIndex { words: packed }, &mut payload);
            let word = |t: Option<&(u32, Postings)>| t.map_or("", |(t, _)| &*words[*t as usize]);
            let (from, to) = (word(group.first()), word(group.last()));
            let (from, to) = (from.to_string(), to.to_string());
            drop(group);
            WordChunk {
                from,
                to,
                file: finish(payload),
            }
        })
        .collect();
    shorten_bounds(&mut chunks);
    chunks
}

/// Every term's runs, block by block, with the page numbers where the blocks start.
fn gather(blocks: Vec<BlockPostings>, term_count: usize) -> Vec<Postings> {
    let mut postings: Vec<Postings> = (0..term_count)
        .map(|_| Postings { runs: Vec::new() })
        .collect();
    let mut first_page = 0;
    for block in blocks {
        for (term, run) in block.terms.into_iter().enumerate() {
            if run.cost > 0 {
                postings[term].runs.push((first_page, run));
            }
        }
        first_page += block.pages;
    }
    postings
}

/// A term's pages of the plain form, its runs laid end to end.
fn precoded_pages(runs: &[(u32, TermRun)]) -> PrecodedPages<'_> {
    let mut last_page = 0;
    let mut count = 0;
    let mut precoded = Vec::with_capacity(runs.len());
    for (first_page, run) in runs.iter().filter(|(_, run)| run.count > 0) {
        precoded.push(PrecodedRun {
            first_delta: first_page + run.first_page - last_page,
            bytes: &run.bytes,
        });
        last_page = first_page + run.last_page;
        count += u64::from(run.count);
    }
    PrecodedPages {
        count,
        runs: precoded,
    }
}

/// Consecutive runs of words, each closed as soon as its cost reaches `chunk_size`.
fn chunk_ranges(costs: &[usize], chunk_size: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let (mut start, mut filled) = (0, 0);
    for (i, cost) in costs.iter().enumerate() {
        filled += cost;
        if filled >= chunk_size {
            ranges.push(start..i + 1);
            (start, filled) = (i + 1, 0);
        }
    }
    if start < costs.len() {
        ranges.push(start..costs.len());
    }
    ranges
}

/// A word's diacritic forms with their pages, page numbers as differences. Forms are listed
/// in the order Pagefind meets them: page by page, and on a page those in the text
/// (alphabetically) before those only in the title.
fn packed_variants<'p>(
    pages: &[(u32, &'p VariantPage)],
    words: &'p [Box<str>],
) -> Vec<PackedVariant<'p>> {
    let mut variants: Vec<PackedVariant> = Vec::new();
    let mut forms: Vec<(u32, u32)> = Vec::new(); // (form, last page)
    let mut on_page: Vec<&VariantPage> = Vec::new();
    for group in pages.chunk_by(|a, b| a.0 == b.0) {
        let page_number = group[0].0;
        on_page.clear();
        on_page.extend(group.iter().map(|(_, v)| *v));
        on_page.sort_unstable_by(|a, b| {
            (!a.in_text, &words[a.form as usize]).cmp(&(!b.in_text, &words[b.form as usize]))
        });
        for page in &on_page {
            let slot = forms
                .iter()
                .position(|f| f.0 == page.form)
                .unwrap_or_else(|| {
                    forms.push((page.form, 0));
                    variants.push(PackedVariant {
                        form: &words[page.form as usize],
                        pages: Vec::new(),
                    });
                    forms.len() - 1
                });
            variants[slot].pages.push(PrecodedPage {
                page_delta: page_number - forms[slot].1,
                arrays: &page.arrays,
            });
            forms[slot].1 = page_number;
        }
    }
    variants
}

/// Trims each pair of neighbouring bounds to the shortest prefixes that still tell them
/// apart, as Pagefind does (a `to` only when that keeps it at or after its `from`).
fn shorten_bounds<F>(chunks: &mut [WordChunk<F>]) {
    for i in 1..chunks.len() {
        let (before, after) = chunks.split_at_mut(i);
        let (previous, next) = (&mut before[i - 1], &mut after[0]);
        let common = previous
            .to
            .chars()
            .zip(next.from.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let to: String = previous.to.chars().take(common + 1).collect();
        let from: String = next.from.chars().take(common + 1).collect();
        if to >= previous.from {
            previous.to = to;
        }
        next.from = from;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(from: &str, to: &str) -> WordChunk<()> {
        WordChunk {
            from: from.into(),
            to: to.into(),
            file: (),
        }
    }

    #[test]
    fn a_chunk_closes_when_it_reaches_the_size() {
        assert_eq!(chunk_ranges(&[4, 4, 1, 9, 2], 8), [0..2, 2..4, 4..5]);
        assert_eq!(chunk_ranges(&[8], 8).len(), 1);
        assert!(chunk_ranges(&[], 8).is_empty());
    }

    #[test]
    fn bounds_are_cut_to_the_prefixes_that_differ() {
        let mut chunks = [
            chunk("apple", "apple"),
            chunk("apricot", "banana"),
            chunk("peach", "peach"),
        ];
        shorten_bounds(&mut chunks);
        let bounds: Vec<_> = chunks
            .iter()
            .map(|c| (c.from.as_str(), c.to.as_str()))
            .collect();
        // "app" would sort before "apple", so the first chunk keeps its full `to`.
        assert_eq!(bounds, [("apple", "apple"), ("apr", "b"), ("p", "peach")]);
    }
}
