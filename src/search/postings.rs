//! The inverted index: every page's terms gathered under their words, in word order, cut
//! into Pagefind's words files of about the same size and encoded. Gathering is a counting
//! sort over term numbers (linear in the number of page–term pairs) and each file is
//! encoded on its own thread; nothing here names or compresses files.

use rayon::prelude::*;

use super::format::{PackedPage, PackedVariant, PackedWord, WordIndex};
use super::pages::{Entry, IndexedPage};
use super::vocabulary::NO_TERM;

/// A words file is closed once its words hold this many positions and pages (Pagefind's
/// default `index_chunk_size`).
pub const CHUNK_SIZE: usize = 20_000;

/// One words file before it is named: the range of words it holds and its CBOR.
pub struct WordChunk {
    /// Shortened bounds: a query term between them is looked up in this file.
    pub from: String,
    pub to: String,
    pub payload: Vec<u8>,
}

/// Where one page–term pair is: page number, then index in that page's entries.
type EntryRef = (u32, u32);

/// The word files of `pages` (numbered in order), with `words` naming the term numbers.
pub fn word_chunks(pages: &[IndexedPage], words: &[Box<str>], chunk_size: usize) -> Vec<WordChunk> {
    let (starts, refs) = gather(pages, words.len());
    let refs_of = |term: u32| &refs[starts[term as usize]..starts[term as usize + 1]];
    let mut terms: Vec<u32> = (0..words.len() as u32)
        .filter(|&term| !refs_of(term).is_empty())
        .collect();
    terms.par_sort_unstable_by(|a, b| words[*a as usize].cmp(&words[*b as usize]));
    let costs: Vec<usize> = terms
        .par_iter()
        .map(|&term| word_cost(pages, refs_of(term)))
        .collect();
    let ranges = chunk_ranges(&costs, chunk_size);
    let mut chunks: Vec<WordChunk> = ranges
        .into_par_iter()
        .map(|range| {
            let chunk_terms = &terms[range];
            let packed: Vec<PackedWord> = chunk_terms
                .iter()
                .map(|&term| packed_word(pages, words, term, refs_of(term)))
                .collect();
            let mut payload = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = minicbor::encode(WordIndex { words: packed }, &mut payload);
            let first = chunk_terms.first().map_or("", |&t| &*words[t as usize]);
            let last = chunk_terms.last().map_or("", |&t| &*words[t as usize]);
            WordChunk {
                from: first.to_string(),
                to: last.to_string(),
                payload,
            }
        })
        .collect();
    shorten_bounds(&mut chunks);
    chunks
}

/// For each term number, its page–term pairs in page order: `refs[starts[t]..starts[t + 1]]`.
fn gather(pages: &[IndexedPage], term_count: usize) -> (Vec<usize>, Vec<EntryRef>) {
    let mut starts = vec![0usize; term_count + 1];
    for page in pages {
        for entry in &page.words.entries {
            starts[entry.stem as usize + 1] += 1;
        }
    }
    for t in 0..term_count {
        starts[t + 1] += starts[t];
    }
    let mut next = starts.clone();
    let mut refs = vec![(0u32, 0u32); starts[term_count]];
    for (page_number, page) in pages.iter().enumerate() {
        for (index, entry) in page.words.entries.iter().enumerate() {
            let slot = &mut next[entry.stem as usize];
            refs[*slot] = (page_number as u32, index as u32);
            *slot += 1;
        }
    }
    (starts, refs)
}

fn entry<'p>(pages: &'p [IndexedPage], (page, index): EntryRef) -> (&'p IndexedPage, &'p Entry) {
    let page = &pages[page as usize];
    (page, &page.words.entries[index as usize])
}

/// What a word counts towards filling its file, as Pagefind counts it.
fn word_cost(pages: &[IndexedPage], refs: &[EntryRef]) -> usize {
    let mut variants: Vec<u32> = Vec::new();
    let mut cost = 0;
    for &r in refs {
        let (_, e) = entry(pages, r);
        cost += e.cost();
        if e.variant != NO_TERM && !variants.contains(&e.variant) {
            variants.push(e.variant);
        }
    }
    cost + variants.len()
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

/// One word with its pages, and its diacritic forms with theirs; page numbers as
/// differences. Forms are listed in the order Pagefind meets them: page by page, and on a
/// page those in the text (alphabetically) before those only in the title.
fn packed_word<'p>(
    pages: &'p [IndexedPage],
    words: &'p [Box<str>],
    term: u32,
    refs: &[EntryRef],
) -> PackedWord<'p> {
    let mut packed = PackedWord {
        word: &words[term as usize],
        pages: Vec::new(),
        additional_variants: Vec::new(),
    };
    let mut last_page = 0;
    let mut variant_last_pages: Vec<u32> = Vec::new();
    let mut variant_ids: Vec<u32> = Vec::new();
    let mut page_variants: Vec<(bool, &str, u32, &Entry)> = Vec::new();
    let mut i = 0;
    while i < refs.len() {
        let page_number = refs[i].0;
        let same_page = refs[i..].iter().take_while(|r| r.0 == page_number).count();
        page_variants.clear();
        for &r in &refs[i..i + same_page] {
            let (page, e) = entry(pages, r);
            if e.variant == NO_TERM {
                packed.pages.push(PackedPage {
                    page_delta: page_number - last_page,
                    locs: e.body(&page.words.locs),
                    meta_locs: e.meta(&page.words.locs),
                });
                last_page = page_number;
            } else {
                page_variants.push((!e.has_body(), &words[e.variant as usize], e.variant, e));
            }
        }
        page_variants.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let locs = &pages[page_number as usize].words.locs;
        for &(_, form, variant, e) in &page_variants {
            let slot = match variant_ids.iter().position(|&v| v == variant) {
                Some(slot) => slot,
                None => {
                    variant_ids.push(variant);
                    variant_last_pages.push(0);
                    packed.additional_variants.push(PackedVariant {
                        form,
                        pages: Vec::new(),
                    });
                    variant_ids.len() - 1
                }
            };
            packed.additional_variants[slot].pages.push(PackedPage {
                page_delta: page_number - variant_last_pages[slot],
                locs: e.body(locs),
                meta_locs: e.meta(locs),
            });
            variant_last_pages[slot] = page_number;
        }
        i += same_page;
    }
    packed
}

/// Trims each pair of neighbouring bounds to the shortest prefixes that still tell them
/// apart, as Pagefind does (a `to` only when that keeps it at or after its `from`).
fn shorten_bounds(chunks: &mut [WordChunk]) {
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

    fn chunk(from: &str, to: &str) -> WordChunk {
        WordChunk {
            from: from.into(),
            to: to.into(),
            payload: Vec::new(),
        }
    }

    #[test]
    fn a_chunk_closes_when_it_reaches_the_size() {
        assert_eq!(chunk_ranges(&[4, 4, 1, 9, 2], 8), [0..2, 2..4, 4..5]);
        assert_eq!(chunk_ranges(&[8], 8), [0..1]);
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
        let bounds: Vec<_> = chunks.iter().map(|c| (c.from.as_str(), c.to.as_str())).collect();
        // "app" would sort before "apple", so the first chunk keeps its full `to`.
        assert_eq!(bounds, [("apple", "apple"), ("apr", "b"), ("p", "peach")]);
    }
}
