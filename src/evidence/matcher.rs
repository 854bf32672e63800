//! Locating quotes in a source prepared once for many lookups.
//!
//! `PreparedSource::new` folds every paragraph (see `normalize`) into one string, paragraphs
//! separated by `\n` — a character folding never produces, so no match can cross a paragraph
//! — keeps the map from folded bytes back to the body, and indexes where each whole word
//! starts. A lookup folds only the quote and takes the rarest word inside its first piece
//! (a word with a boundary on both sides within the piece is a whole word wherever the piece
//! matches), so it checks only the places that word stands; a piece of one or two words falls
//! back to a `str::find` scan (Two-Way, linear). Median lookup on 20 KB sources: ~8 µs with
//! the index, ~17 µs scanning.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Arc;

use super::closest::{ClosestPassage, closest_passage};
use super::normalize::{FoldedText, fold_into};
use super::paragraphs::{SourceParagraph, split_paragraphs};
use super::quote::quote_pieces;

/// What became of a quote.
#[derive(Clone, Debug, PartialEq)]
pub enum QuoteLookup {
    /// Every piece was found, in order, within one paragraph.
    Found(QuoteMatch),
    /// Not in the source.
    NotFound {
        /// The most similar passage, as a hint; `None` when the source shares no word.
        closest: Option<ClosestPassage>,
    },
    /// The quote is empty or only punctuation/whitespace/ellipsis after normalisation.
    Empty,
}

/// Where a quote was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuoteMatch {
    /// Index into `PreparedSource::paragraphs()`.
    pub paragraph: usize,
    /// Byte ranges in the original body, one per piece of the quote, each covering exactly
    /// the matched text and starting and ending on char boundaries.
    pub ranges: Vec<Range<usize>>,
    /// How many distinct places match (1 = unique); the first one is returned.
    pub occurrences: usize,
}

/// A source prepared once for many quotes: the folded text of each paragraph and a map from
/// folded offsets back to byte offsets in the original body.
#[derive(Clone)]
pub struct PreparedSource {
    /// The body is `text[body_start..]`: the note's file, shared rather than copied.
    text: Arc<str>,
    body_start: usize,
    paragraphs: Vec<SourceParagraph>,
    folded: FoldedText,
    /// Where each paragraph's folded text starts in `folded.text`.
    folded_starts: Vec<usize>,
    /// Where each whole word of the folded text starts: a quote piece with a word inside it
    /// is looked up by its rarest inner word, so a lookup checks a handful of places instead
    /// of scanning the source.
    word_starts: WordIndex,
}

impl std::fmt::Debug for PreparedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedSource")
            .field("body_len", &self.body().len())
            .field("paragraphs", &self.paragraphs.len())
            .finish_non_exhaustive()
    }
}

impl PreparedSource {
    /// Splits `body` into paragraphs and folds them; the cost of every later lookup is paid
    /// here once.
    #[must_use]
    pub fn new(body: &str) -> PreparedSource {
        PreparedSource::shared(Arc::from(body), 0)
    }

    /// [`PreparedSource::new`] for the body `text[body_start..]`, keeping `text` (a note's
    /// whole file, already in memory) instead of a copy of the body.
    #[must_use]
    pub fn shared(text: Arc<str>, body_start: usize) -> PreparedSource {
        let body = text.get(body_start..).unwrap_or_default();
        let paragraphs = split_paragraphs(body);
        let mut folded = FoldedText::with_capacity(body.len());
        let mut folded_starts = Vec::with_capacity(paragraphs.len());
        for (index, paragraph) in paragraphs.iter().enumerate() {
            if index > 0 {
                folded.push_separator('\n', paragraph.range.start);
            }
            folded_starts.push(folded.text.len());
            let text = body.get(paragraph.range.clone()).unwrap_or_default();
            fold_into(&mut folded, text, paragraph.range.start);
        }
        folded.shrink_to_fit();
        let word_starts = WordIndex::new(&folded.text);
        PreparedSource {
            text,
            body_start,
            paragraphs,
            folded,
            folded_starts,
            word_starts,
        }
    }

    /// The paragraphs of the body, as `split_paragraphs` gives them.
    #[must_use]
    pub fn paragraphs(&self) -> &[SourceParagraph] {
        &self.paragraphs
    }

    /// Locate a quote. `...` / `…` inside the quote split it into pieces that must appear in
    /// order within one paragraph.
    #[must_use]
    pub fn locate(&self, quote: &str) -> QuoteLookup {
        let pieces = quote_pieces(quote);
        let Some((first, rest)) = pieces.split_first() else {
            return QuoteLookup::Empty;
        };
        let text = self.folded.text.as_str();
        let mut first_place: Option<(usize, Vec<Range<usize>>)> = None;
        let mut occurrences = 0;
        let mut search_from = 0;
        let mut current_paragraph = None;
        let mut later_pieces = LaterPieceCache::new(rest.len());
        for start in self.starts_of(first) {
            if start < search_from {
                continue;
            }
            let paragraph = self.paragraph_at(start);
            if current_paragraph != Some(paragraph) {
                current_paragraph = Some(paragraph);
                later_pieces = LaterPieceCache::new(rest.len());
            }
            let paragraph_end = self.folded_end(paragraph);
            let first_range = start..start + first.len();
            match later_pieces.complete(text, first_range, rest, paragraph_end) {
                Some(ranges) => {
                    occurrences += 1;
                    if first_place.is_none() {
                        first_place = Some((paragraph, ranges));
                    }
                    search_from = start + text[start..].chars().next().map_or(1, char::len_utf8);
                }
                // Later starts in this paragraph search later text, so they fail too.
                None => search_from = paragraph_end,
            }
        }
        let Some((paragraph, folded_ranges)) = first_place else {
            return self.not_found(&pieces);
        };
        let ranges: Option<Vec<Range<usize>>> = folded_ranges
            .into_iter()
            .map(|range| self.folded.original_range(range))
            .collect();
        match ranges {
            Some(ranges) => QuoteLookup::Found(QuoteMatch {
                paragraph,
                ranges,
                occurrences,
            }),
            None => self.not_found(&pieces),
        }
    }

    /// Every place, in order, where `piece` occurs in the folded text (overlapping ones too).
    fn starts_of(&self, piece: &str) -> Vec<usize> {
        let text = self.folded.text.as_str();
        if let Some((key, offset)) = self.rarest_inner_word(piece) {
            return self
                .word_starts
                .starts(key)
                .iter()
                .filter_map(|&at| (at as usize).checked_sub(offset))
                .filter(|&start| text.get(start..).is_some_and(|t| t.starts_with(piece)))
                .collect();
        }
        let mut starts = Vec::new();
        let mut from = 0;
        while let Some(found) = text.get(from..).and_then(|t| t.find(piece)) {
            let start = from + found;
            starts.push(start);
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        starts
    }

    /// A word of `piece` with a non-word character on both sides inside the piece (so it is a
    /// whole word wherever the piece matches), the one with the fewest places in the source:
    /// its key and its offset in the piece. `None` when the piece has no such word.
    fn rarest_inner_word(&self, piece: &str) -> Option<(u64, usize)> {
        let mut best: Option<(u64, usize, usize)> = None;
        for (start, end, key) in keyed_words(piece) {
            let inner = start > 0 && end < piece.len();
            if !inner {
                continue;
            }
            let count = self.word_starts.starts(key).len();
            if best.is_none_or(|(_, _, c)| count < c) {
                best = Some((key, start, count));
            }
        }
        best.map(|(key, offset, _)| (key, offset))
    }

    fn not_found(&self, pieces: &[String]) -> QuoteLookup {
        QuoteLookup::NotFound {
            closest: closest_passage(self, pieces),
        }
    }

    /// The original body (as prepared).
    pub(super) fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    pub(super) fn folded(&self) -> &FoldedText {
        &self.folded
    }

    /// The folded text of paragraph `index` as a range of `folded().text`.
    pub(super) fn folded_paragraph(&self, index: usize) -> Range<usize> {
        self.folded_starts.get(index).copied().unwrap_or(0)..self.folded_end(index)
    }

    fn folded_end(&self, index: usize) -> usize {
        match self.folded_starts.get(index + 1) {
            // Stop before the `\n` separator.
            Some(next_start) => next_start.saturating_sub(1),
            None => self.folded.text.len(),
        }
    }

    fn paragraph_at(&self, folded_offset: usize) -> usize {
        self.folded_starts
            .partition_point(|&start| start <= folded_offset)
            .saturating_sub(1)
    }
}

/// For the pieces after the first: where each was last found and from where it was searched.
/// Within one paragraph the first piece's successive starts only move right, and so does the
/// leftmost place of every later piece; a cached place that is still ahead of the new search
/// start is still the leftmost one, which keeps counting occurrences linear in the paragraph.
struct LaterPieceCache {
    found: Vec<Option<(usize, usize)>>,
}

impl LaterPieceCache {
    fn new(pieces: usize) -> LaterPieceCache {
        LaterPieceCache {
            found: vec![None; pieces],
        }
    }

    /// The folded ranges of all pieces when the first is at `first`, each later piece placed
    /// leftmost after the previous one, all before `paragraph_end`.
    fn complete(
        &mut self,
        text: &str,
        first: Range<usize>,
        rest: &[String],
        paragraph_end: usize,
    ) -> Option<Vec<Range<usize>>> {
        let mut position = first.end;
        let mut ranges = Vec::with_capacity(rest.len() + 1);
        ranges.push(first);
        for (piece, cached) in rest.iter().zip(self.found.iter_mut()) {
            let start = match *cached {
                Some((searched_from, found_at))
                    if searched_from <= position && position <= found_at =>
                {
                    found_at
                }
                _ => {
                    let found_at =
                        position + text.get(position..paragraph_end)?.find(piece.as_str())?;
                    *cached = Some((position, found_at));
                    found_at
                }
            };
            position = start + piece.len();
            ranges.push(start..position);
        }
        Some(ranges)
    }
}

/// The byte spans of the maximal runs of alphanumeric characters in `text`: the plain way of
/// finding words, which the tests hold [`keyed_words`] to.
#[cfg(test)]
fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = next_boundary(text, at, true)?;
        let end = next_boundary(text, start, false).unwrap_or(text.len());
        at = end;
        Some((start, end))
    })
}

/// The first char boundary at or after `from` whose character is alphanumeric (`word`) or
/// not; ASCII, most of any text, is judged a byte at a time, through a table, in a loop of
/// its own (a source's every word passes here twice while its index is built).
#[inline]
fn next_boundary(text: &str, from: usize, word: bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let wanted = if word { ASCII_WORD } else { ASCII_OTHER };
    let mut at = from;
    loop {
        let &byte = bytes.get(at)?;
        let class = BYTE_CLASS[usize::from(byte)];
        if class == wanted {
            return Some(at);
        }
        if class == NOT_ASCII {
            let c = text.get(at..)?.chars().next()?;
            if c.is_alphanumeric() == word {
                return Some(at);
            }
            at += c.len_utf8();
        } else {
            at += 1;
        }
    }
}

const ASCII_OTHER: u8 = 0;
const ASCII_WORD: u8 = 1;
const NOT_ASCII: u8 = 2;

/// Each byte's class for [`next_boundary`]: an ASCII letter or digit, other ASCII, or part of
/// a longer character.
static BYTE_CLASS: [u8; 256] = {
    let mut classes = [NOT_ASCII; 256];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = if (byte as u8).is_ascii_alphanumeric() {
            ASCII_WORD
        } else {
            ASCII_OTHER
        };
        byte += 1;
    }
    classes
};

/// Where each whole word of the folded text starts, keyed by a hash of the word (a collision
/// only adds candidates, which are checked against the text anyway). One flat list of starts,
/// grouped by word and in text order within a word, and for each word its stretch of the
/// list: a source of 3,000 words has a few hundred distinct ones, and a `Vec` for each would
/// cost more than the starts themselves.
#[derive(Clone, Default)]
struct WordIndex {
    /// For each word's key: where its starts begin in `starts`, and how many there are.
    words: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>>,
    starts: Vec<u32>,
}

impl WordIndex {
    fn new(text: &str) -> WordIndex {
        let words = word_keys(text);
        // Each distinct word gets an ordinal on first sight, so the map is asked once per word
        // and the counting and filling below index plain vectors.
        let mut words_by_key: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>> =
            HashMap::default();
        let mut counts: Vec<u32> = Vec::new();
        let ordinals: Vec<u32> = words
            .iter()
            .map(|&(key, _)| {
                let next = counts.len() as u32;
                let ordinal = words_by_key.entry(key).or_insert((next, 0)).0;
                match counts.get_mut(ordinal as usize) {
                    Some(count) => *count += 1,
                    None => counts.push(1),
                }
                ordinal
            })
            .collect();
        // Each word's stretch begins where the previous one's ends (in order of first sight);
        // `counts` then holds where each word's next start goes.
        let mut begins = Vec::with_capacity(counts.len());
        let mut next = 0u32;
        for count in &mut counts {
            begins.push(next);
            next += *count;
            *count = next - *count;
        }
        let mut starts = vec![0; words.len()];
        for (&(_, at), &ordinal) in words.iter().zip(&ordinals) {
            let slot = &mut counts[ordinal as usize];
            starts[*slot as usize] = at;
            *slot += 1;
        }
        for (begin, count) in words_by_key.values_mut() {
            let ordinal = *begin as usize;
            *begin = begins[ordinal];
            *count = counts[ordinal] - begins[ordinal];
        }
        words_by_key.shrink_to_fit();
        WordIndex {
            words: words_by_key,
            starts,
        }
    }

    /// The starts of the word with this key, in text order.
    fn starts(&self, key: u64) -> &[u32] {
        self.words.get(&key).map_or(&[], |&(begin, count)| {
            &self.starts[begin as usize..(begin + count) as usize]
        })
    }
}

/// Each whole word of `text` as its key ([`word_key`]) and where it starts: [`keyed_words`]
/// collected. Stops at a word starting beyond `u32::MAX`.
fn word_keys(text: &str) -> Vec<(u64, u32)> {
    let mut words = Vec::with_capacity(text.len() / 6);
    words.extend(
        keyed_words(text).map_while(|(start, _, key)| Some((key, u32::try_from(start).ok()?))),
    );
    words
}

/// Each whole word of `text` as (start, end, key): [`word_spans`] and [`word_key`] in one
/// pass, hashing ASCII letters and digits as the word's end is sought.
fn keyed_words(text: &str) -> impl Iterator<Item = (usize, usize, u64)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        // Between words there is mostly one ASCII space or punctuation mark: skipped here,
        // without a call.
        let start = loop {
            let &byte = bytes.get(at)?;
            match BYTE_CLASS[usize::from(byte)] {
                ASCII_OTHER => at += 1,
                ASCII_WORD => break at,
                _ => break next_boundary(text, at, true)?,
            }
        };
        let mut key = FNV_OFFSET;
        let mut end = start;
        while let Some(&byte) = bytes.get(end) {
            match BYTE_CLASS[usize::from(byte)] {
                ASCII_WORD => {
                    key = fnv_step(key, byte);
                    end += 1;
                }
                NOT_ASCII => {
                    let word_end = next_boundary(text, end, false).unwrap_or(text.len());
                    key = bytes[end..word_end]
                        .iter()
                        .fold(key, |k, &b| fnv_step(k, b));
                    end = word_end;
                    break;
                }
                _ => break,
            }
        }
        at = end;
        Some((start, end, key))
    })
}

/// The keys are FNV-1a hashes already: hashing them again would only cost time.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// FNV-1a of the word's bytes, as [`keyed_words`] computes it.
#[cfg(test)]
fn word_key(word: &str) -> u64 {
    word.bytes().fold(FNV_OFFSET, fnv_step)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Word spans the plain way, a character at a time.
    fn spans_by_chars(text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut open: Option<usize> = None;
        for (at, c) in text.char_indices() {
            match (c.is_alphanumeric(), open) {
                (true, None) => open = Some(at),
                (false, Some(start)) => {
                    spans.push((start, at));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(start) = open {
            spans.push((start, text.len()));
        }
        spans
    }

    #[test]
    fn word_spans_agree_with_a_character_at_a_time() {
        for text in [
            "",
            " ",
            "word",
            " two words ",
            "it's a model—test 大模型人才 ok",
            "Müller, Ærø & São Paulo; ΟΔΥΣΣΕΥΣ…",
            "é",
            "a\u{301}b c",
            "—",
        ] {
            assert_eq!(
                word_spans(text).collect::<Vec<_>>(),
                spans_by_chars(text),
                "{text:?}"
            );
        }
        proptest::proptest!(|(text in "[aZ9 ,.'é\u{301}大—\u{a0}]{0,24}")| {
            proptest::prop_assert_eq!(word_spans(&text).collect::<Vec<_>>(), spans_by_chars(&text));
        });
    }

    #[test]
    fn word_keys_agree_with_spans_and_keys() {
        let by_spans = |text: &str| -> Vec<(u64, u32)> {
            word_spans(text)
                .map(|(start, end)| (word_key(&text[start..end]), start as u32))
                .collect()
        };
        let keyed_by_spans = |text: &str| -> Vec<(usize, usize, u64)> {
            word_spans(text)
                .map(|(start, end)| (start, end, word_key(&text[start..end])))
                .collect()
        };
        for text in ["", "a", " ab  cd ", "café2x, é! 大模型 a\u{301}b", "x—y"] {
            assert_eq!(word_keys(text), by_spans(text), "{text:?}");
            assert_eq!(
                keyed_words(text).collect::<Vec<_>>(),
                keyed_by_spans(text),
                "{text:?}"
            );
        }
        proptest::proptest!(|(text in "[aZ9 ,.'é\u{301}大—\u{a0}]{0,24}")| {
            proptest::prop_assert_eq!(word_keys(&text), by_spans(&text));
            proptest::prop_assert_eq!(keyed_words(&text).collect::<Vec<_>>(), keyed_by_spans(&text));
        });
    }

    #[test]
    fn the_word_index_finds_every_start_in_order() {
        let text = "a b a c a b";
        let index = WordIndex::new(text);
        assert_eq!(index.starts(word_key("a")), [0, 4, 8]);
        assert_eq!(index.starts(word_key("b")), [2, 10]);
        assert_eq!(index.starts(word_key("c")), [6]);
        assert!(index.starts(word_key("d")).is_empty());
    }
}
