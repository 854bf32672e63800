//! The inverted index: every page's terms gathered under their words, in word order, cut
//! into Pagefind's words files of about the same size and encoded. Each thread split its
//! pages with their places already gathered under their terms, in runs of consecutive pages
//! (`pages::Postings`); a term's list of pages is its runs from every thread in page order,
//! laid end to end with only the first page of each run given its delta here, so the places
//! are copied once, straight into the file being encoded. Each file is encoded on its own
//! thread; nothing here names or compresses files.

use rayon::prelude::*;

use super::format::{
    PackedVariant, PackedWord, PrecodedPage, PrecodedPages, PrecodedRun, WordIndex,
};
use super::pages::{Postings, Run, TermRuns, VariantPage};

/// A words file is closed once its words hold this many positions and pages (Pagefind's
/// default `index_chunk_size`).
pub const CHUNK_SIZE: usize = 20_000;

/// One words file before it is named: the range of words it holds, shortened.
pub struct WordChunk<F> {
    /// Shortened bounds: a query term between them is looked up in this file.
    pub from: String,
    pub to: String,
    pub file: F,
}

/// The words files of every thread's postings, with `words` naming the term numbers. Each
/// term's runs are dropped as soon as its file is encoded; `finish` is given each file's
/// number and CBOR, on the thread that encoded it, and turns it into what is kept of it.
pub fn word_chunks<F: Send>(
    postings: Vec<Postings>,
    words: &[Box<str>],
    chunk_size: usize,
    finish: impl Fn(usize, Vec<u8>) -> F + Sync,
) -> Vec<WordChunk<F>> {
    let mut by_term = gather(postings, words.len());
    let mut terms: Vec<u32> = (0..words.len() as u32)
        .filter(|&t| by_term[t as usize].iter().any(|term| term.cost > 0))
        .collect();
    terms.par_sort_unstable_by(|a, b| words[*a as usize].cmp(&words[*b as usize]));
    let costs: Vec<usize> = terms
        .iter()
        .map(|&t| {
            let parts = &by_term[t as usize];
            let mut forms: Vec<u32> = parts
                .iter()
                .flat_map(|term| term.variants.iter().map(|v| v.form))
                .collect();
            forms.sort_unstable();
            forms.dedup();
            parts.iter().map(|term| term.cost).sum::<usize>() + forms.len()
        })
        .collect();
    // Each file takes its terms' runs along, to drop them once it is encoded.
    let groups: Vec<Vec<(u32, Vec<TermRuns>)>> = chunk_ranges(&costs, chunk_size)
        .into_iter()
        .map(|range| {
            terms[range]
                .iter()
                .map(|&t| (t, std::mem::take(&mut by_term[t as usize])))
                .collect()
        })
        .collect();
    drop(by_term);
    let mut chunks: Vec<WordChunk<F>> = groups
        .into_par_iter()
        .enumerate()
        .map(|(number, group)| {
            let variant_pages: Vec<Vec<&VariantPage>> = group
                .iter()
                .map(|(_, parts)| {
                    let mut pages: Vec<&VariantPage> =
                        parts.iter().flat_map(|term| &term.variants).collect();
                    pages.sort_by_key(|v| v.page);
                    pages
                })
                .collect();
            let packed: Vec<PackedWord> = group
                .iter()
                .zip(&variant_pages)
                .map(|((t, parts), variants)| PackedWord {
                    word: &words[*t as usize],
                    pages: precoded_pages(parts),
                    additional_variants: packed_variants(variants, words),
                })
                .collect();
            let mut payload = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = minicbor::encode(WordIndex { words: packed }, &mut payload);
            let word =
                |t: Option<&(u32, Vec<TermRuns>)>| t.map_or("", |(t, _)| &*words[*t as usize]);
            let (from, to) = (word(group.first()), word(group.last()));
            let (from, to) = (from.to_string(), to.to_string());
            drop(group);
            WordChunk {
                from,
                to,
                file: finish(number, payload),
            }
        })
        .collect();
    shorten_bounds(&mut chunks);
    chunks
}

/// Every term's runs from each thread that met it.
fn gather(postings: Vec<Postings>, term_count: usize) -> Vec<Vec<TermRuns>> {
    let mut by_term: Vec<Vec<TermRuns>> = (0..term_count).map(|_| Vec::new()).collect();
    for thread in postings {
        for (term, runs) in thread.terms.into_iter().enumerate() {
            if runs.cost > 0 {
                by_term[term].push(runs);
            }
        }
    }
    by_term
}

/// A term's pages of the plain form: the runs of every thread, in page order.
fn precoded_pages(parts: &[TermRuns]) -> PrecodedPages<'_> {
    let mut runs: Vec<(&Run, &[u8])> = Vec::new();
    for term in parts {
        for (i, run) in term.runs.iter().enumerate() {
            let end = term
                .runs
                .get(i + 1)
                .map_or(term.bytes.len(), |next| next.start as usize);
            runs.push((run, &term.bytes[run.start as usize..end]));
        }
    }
    // Runs come from disjoint batches of pages: no two overlap.
    runs.sort_unstable_by_key(|(run, _)| run.first_page);
    let mut last_page = 0;
    let mut count = 0;
    let runs = runs
        .into_iter()
        .map(|(run, bytes)| {
            let first_delta = run.first_page - last_page;
            last_page = run.last_page;
            count += u64::from(run.count);
            PrecodedRun { first_delta, bytes }
        })
        .collect();
    PrecodedPages { count, runs }
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
fn packed_variants<'p>(pages: &[&'p VariantPage], words: &'p [Box<str>]) -> Vec<PackedVariant<'p>> {
    let mut variants: Vec<PackedVariant> = Vec::new();
    let mut forms: Vec<(u32, u32)> = Vec::new(); // (form, last page)
    let mut on_page: Vec<&VariantPage> = Vec::new();
    for group in pages.chunk_by(|a, b| a.page == b.page) {
        let page_number = group[0].page;
        on_page.clear();
        on_page.extend(group.iter().copied());
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
