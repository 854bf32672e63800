//! The inverted index: every page's terms gathered under their words, in word order, cut
//! into Pagefind's words files of about the same size and encoded. Gathering copies each
//! page's already encoded positions onto the end of its term's list, page by page (linear
//! in the number of page–term pairs, reading the pages in order), and each file is encoded
//! on its own thread; nothing here names or compresses files.

use rayon::prelude::*;

use super::format::{PackedVariant, PackedWord, PrecodedPage, PrecodedPages, WordIndex};
use super::pages::PageWords;

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

/// One term's places on every page.
#[derive(Default)]
struct Postings {
    /// The pages of the plain form, encoded end to end in page order.
    pages: Vec<u8>,
    page_count: u64,
    last_page: u32,
    cost: usize,
    /// The pages of the forms with diacritics (rare), in page order.
    variants: Vec<VariantPage>,
}

struct VariantPage {
    page: u32,
    form: u32,
    in_text: bool,
    arrays: Vec<u8>,
}

/// The words files of the pages (numbered in order), with `words` naming the term numbers.
/// Each page's words are dropped as soon as they are gathered, and each term's pages as soon
/// as its file is encoded; `finish` turns a file's CBOR into what is kept of it (compressed,
/// say) on the thread that encoded it.
pub fn word_chunks<F: Send>(
    page_words: Vec<PageWords>,
    words: &[Box<str>],
    chunk_size: usize,
    finish: impl Fn(Vec<u8>) -> F + Sync,
) -> Vec<WordChunk<F>> {
    let mut postings = gather(page_words, words.len());
    let mut terms: Vec<u32> = (0..words.len() as u32)
        .filter(|&t| postings[t as usize].cost > 0)
        .collect();
    terms.par_sort_unstable_by(|a, b| words[*a as usize].cmp(&words[*b as usize]));
    let costs: Vec<usize> = terms
        .iter()
        .map(|&t| {
            let term = &postings[t as usize];
            let mut forms: Vec<u32> = term.variants.iter().map(|v| v.form).collect();
            forms.sort_unstable();
            forms.dedup();
            term.cost + forms.len()
        })
        .collect();
    // Each file takes its terms' postings along, to drop them once it is encoded.
    let groups: Vec<Vec<(u32, Postings)>> = chunk_ranges(&costs, chunk_size)
        .into_iter()
        .map(|range| {
            terms[range]
                .iter()
                .map(|&t| (t, std::mem::take(&mut postings[t as usize])))
                .collect()
        })
        .collect();
    drop(postings);
    let mut chunks: Vec<WordChunk<F>> = groups
        .into_par_iter()
        .map(|group| {
            let packed: Vec<PackedWord> = group
                .iter()
                .map(|(t, term)| PackedWord {
                    word: &words[*t as usize],
                    pages: PrecodedPages {
                        count: term.page_count,
                        bytes: &term.pages,
                    },
                    additional_variants: packed_variants(&term.variants, words),
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

/// Every term's postings, gathered page by page.
fn gather(page_words: Vec<PageWords>, term_count: usize) -> Vec<Postings> {
    let mut postings: Vec<Postings> = (0..term_count).map(|_| Postings::default()).collect();
    // Each term's list is sized first, so it is written once without growing.
    let mut sizes = vec![0usize; term_count];
    for (page_number, page) in page_words.iter().enumerate() {
        let page_number = page_number as u32;
        for (entry, arrays, _) in page.iter().filter(|(_, _, variant)| variant.is_none()) {
            let term = &mut postings[entry.stem as usize];
            let delta = page_number - term.last_page;
            sizes[entry.stem as usize] += 1 + cbor_uint_len(delta) + arrays.len();
            term.last_page = page_number;
        }
    }
    for (term, size) in postings.iter_mut().zip(sizes) {
        term.pages.reserve_exact(size);
        term.last_page = 0;
    }
    for (page_number, page) in page_words.into_iter().enumerate() {
        let page_number = page_number as u32;
        for (entry, arrays, variant) in page.iter() {
            let term = &mut postings[entry.stem as usize];
            term.cost += entry.cost as usize;
            match variant {
                None => {
                    let page = PrecodedPage {
                        page_delta: page_number - term.last_page,
                        arrays,
                    };
                    // Writing to a Vec cannot fail.
                    let _ = minicbor::encode(page, &mut term.pages);
                    term.page_count += 1;
                    term.last_page = page_number;
                }
                Some(variant) => term.variants.push(VariantPage {
                    page: page_number,
                    form: variant.form,
                    in_text: variant.in_text,
                    arrays: arrays.to_vec(),
                }),
            }
        }
    }
    postings
}

/// How many bytes CBOR gives an unsigned number, with its type.
fn cbor_uint_len(n: u32) -> usize {
    match n {
        0..24 => 1,
        24..256 => 2,
        256..65536 => 3,
        _ => 5,
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
fn packed_variants<'p>(pages: &'p [VariantPage], words: &'p [Box<str>]) -> Vec<PackedVariant<'p>> {
    let mut variants: Vec<PackedVariant> = Vec::new();
    let mut forms: Vec<(u32, u32)> = Vec::new(); // (form, last page)
    let mut on_page: Vec<&VariantPage> = Vec::new();
    for group in pages.chunk_by(|a, b| a.page == b.page) {
        on_page.clear();
        on_page.extend(group);
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
                page_delta: page.page - forms[slot].1,
                arrays: &page.arrays,
            });
            forms[slot].1 = page.page;
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
