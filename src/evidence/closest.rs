//! The "closest passage" hint for a quote that was not found.
//!
//! Only computed on failure, so it may cost a pass over the whole source: the folded source
//! is cut into words, and a window as long as the quote (in words) slides over each paragraph.
//! A window's score is the mean of two Dice coefficients against the quote — shared words and
//! shared word pairs — kept up to date in O(1) per step, so word order counts but a
//! misspelled word costs only a little. The best window is returned as original text, from
//! its first word to its last; ties go to the earlier window.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use super::matcher::PreparedSource;
use super::normalize::{is_unspaced_script, is_word_char};

/// The passage of a source that looks most like a quote that was not found.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosestPassage {
    /// Index into `PreparedSource::paragraphs()`.
    pub paragraph: usize,
    /// Original text of the source, about the quote's length, trimmed to word boundaries.
    pub text: String,
    /// 0 (nothing in common) to 1 (the same words in the same order).
    pub similarity: f32,
}

/// Words of a folded text as byte ranges of it: runs of word characters, except that each
/// Han or kana character is a word of its own (those scripts put no spaces between words).
pub(super) fn words(text: &str, offset: usize) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut open: Option<usize> = None;
    for (at, c) in text.char_indices() {
        if is_unspaced_script(c) {
            if let Some(start) = open.take() {
                words.push(offset + start..offset + at);
            }
            words.push(offset + at..offset + at + c.len_utf8());
        } else if is_word_char(c) {
            open.get_or_insert(at);
        } else if let Some(start) = open.take() {
            words.push(offset + start..offset + at);
        }
    }
    if let Some(start) = open {
        words.push(offset + start..offset + text.len());
    }
    words
}

/// `FNV-1a`. Every source word is hashed once per hint, and SipHash was most of the hint's cost;
/// the keys are words of the brief itself, so flooding resistance buys nothing here.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A word of the source that does not occur in the quote.
const NOT_IN_QUOTE: u32 = u32::MAX;

/// The quote's words as ids, with how often each word and each adjacent pair occurs.
struct QuoteProfile<'q> {
    ids: FnvMap<&'q str, u32>,
    word_counts: Vec<u32>,
    pair_counts: FnvMap<(u32, u32), u32>,
    len: usize,
}

impl<'q> QuoteProfile<'q> {
    fn new(pieces: &'q [String]) -> QuoteProfile<'q> {
        let mut profile = QuoteProfile {
            ids: FnvMap::default(),
            word_counts: Vec::new(),
            pair_counts: FnvMap::default(),
            len: 0,
        };
        let mut previous = None;
        for piece in pieces {
            for range in words(piece, 0) {
                let word = &piece[range];
                let Ok(next_id) = u32::try_from(profile.word_counts.len()) else {
                    return profile;
                };
                let id = *profile.ids.entry(word).or_insert(next_id);
                if id == next_id {
                    profile.word_counts.push(0);
                }
                profile.word_counts[id as usize] += 1;
                if let Some(previous) = previous {
                    *profile.pair_counts.entry((previous, id)).or_insert(0) += 1;
                }
                previous = Some(id);
                profile.len += 1;
            }
        }
        profile
    }
}

/// A sliding window's counts of quote words and pairs, and how many of them it shares with
/// the quote (counting each at most as often as the quote has it).
struct Window {
    word_counts: Vec<u32>,
    pair_counts: FnvMap<(u32, u32), u32>,
    shared_words: usize,
    shared_pairs: usize,
}

impl Window {
    fn new(vocabulary: usize) -> Window {
        Window {
            word_counts: vec![0; vocabulary],
            pair_counts: FnvMap::default(),
            shared_words: 0,
            shared_pairs: 0,
        }
    }

    fn clear(&mut self) {
        self.word_counts.iter_mut().for_each(|count| *count = 0);
        self.pair_counts.clear();
        self.shared_words = 0;
        self.shared_pairs = 0;
    }

    fn add_word(&mut self, id: u32, quote: &QuoteProfile) {
        if let (Some(count), Some(&limit)) = (
            self.word_counts.get_mut(id as usize),
            quote.word_counts.get(id as usize),
        ) {
            if *count < limit {
                self.shared_words += 1;
            }
            *count += 1;
        }
    }

    fn remove_word(&mut self, id: u32, quote: &QuoteProfile) {
        if let (Some(count), Some(&limit)) = (
            self.word_counts.get_mut(id as usize),
            quote.word_counts.get(id as usize),
        ) {
            *count = count.saturating_sub(1);
            if *count < limit {
                self.shared_words = self.shared_words.saturating_sub(1);
            }
        }
    }

    fn add_pair(&mut self, pair: (u32, u32), quote: &QuoteProfile) {
        // Most source words are not in the quote: skip the lookup for their pairs.
        if pair.0 == NOT_IN_QUOTE || pair.1 == NOT_IN_QUOTE {
            return;
        }
        if let Some(&limit) = quote.pair_counts.get(&pair) {
            let count = self.pair_counts.entry(pair).or_insert(0);
            if *count < limit {
                self.shared_pairs += 1;
            }
            *count += 1;
        }
    }

    fn remove_pair(&mut self, pair: (u32, u32), quote: &QuoteProfile) {
        if pair.0 == NOT_IN_QUOTE || pair.1 == NOT_IN_QUOTE {
            return;
        }
        if let (Some(&limit), Some(count)) = (
            quote.pair_counts.get(&pair),
            self.pair_counts.get_mut(&pair),
        ) {
            *count = count.saturating_sub(1);
            if *count < limit {
                self.shared_pairs = self.shared_pairs.saturating_sub(1);
            }
        }
    }

    fn score(&self, quote_len: usize, window_len: usize) -> f32 {
        let word_dice = dice(self.shared_words, quote_len, window_len);
        if quote_len < 2 || window_len < 2 {
            return word_dice;
        }
        let pair_dice = dice(self.shared_pairs, quote_len - 1, window_len - 1);
        (word_dice + pair_dice) / 2.0
    }
}

fn dice(shared: usize, a: usize, b: usize) -> f32 {
    if a + b == 0 {
        0.0
    } else {
        (2 * shared) as f32 / (a + b) as f32
    }
}

/// Words of context shown on each side of the best window.
const HINT_MARGIN_WORDS: usize = 2;

/// The best-scoring window of `source` for the quote `pieces`, or `None` when the source
/// shares no word with the quote.
pub(super) fn closest_passage(
    source: &PreparedSource,
    pieces: &[String],
) -> Option<ClosestPassage> {
    let quote = QuoteProfile::new(pieces);
    if quote.len == 0 {
        return None;
    }
    let folded = source.folded();
    let mut window = Window::new(quote.word_counts.len());
    // (score, paragraph, first word, last word) of the best window so far.
    let mut best: Option<(f32, usize, Range<usize>, Range<usize>)> = None;
    for paragraph in 0..source.paragraphs().len() {
        let span = source.folded_paragraph(paragraph);
        let Some(paragraph_text) = folded.text.get(span.clone()) else {
            continue;
        };
        let word_ranges = words(paragraph_text, span.start);
        let ids: Vec<u32> = word_ranges
            .iter()
            .map(|range| {
                folded
                    .text
                    .get(range.clone())
                    .and_then(|word| quote.ids.get(word).copied())
                    .unwrap_or(NOT_IN_QUOTE)
            })
            .collect();
        if !ids.iter().any(|&id| id != NOT_IN_QUOTE) {
            continue;
        }
        let window_len = quote.len.min(ids.len());
        window.clear();
        for at in 0..window_len {
            window.add_word(ids[at], &quote);
            if at > 0 {
                window.add_pair((ids[at - 1], ids[at]), &quote);
            }
        }
        let mut first = 0;
        loop {
            let score = window.score(quote.len, window_len);
            if window.shared_words > 0 && best.as_ref().is_none_or(|(top, ..)| score > *top) {
                let last = first + window_len - 1;
                best = Some((
                    score,
                    paragraph,
                    word_ranges[first].clone(),
                    word_ranges[last].clone(),
                ));
            }
            let next_last = first + window_len;
            if next_last >= ids.len() {
                break;
            }
            window.remove_word(ids[first], &quote);
            window.remove_pair((ids[first], ids[first + 1]), &quote);
            window.add_word(ids[next_last], &quote);
            window.add_pair((ids[next_last - 1], ids[next_last]), &quote);
            first += 1;
        }
    }
    let (similarity, paragraph, first_word, last_word) = best?;
    // Widen the window by a couple of words on each side: when the quote has one word wrong,
    // ties between windows are common, and the word that differs must be in the hint.
    let span = source.folded_paragraph(paragraph);
    let all_words = words(folded.text.get(span.clone())?, span.start);
    let first_index = all_words.iter().position(|w| *w == first_word)?;
    let last_index = all_words.iter().position(|w| *w == last_word)?;
    let first_word = all_words[first_index.saturating_sub(HINT_MARGIN_WORDS)].clone();
    let last_word = all_words[(last_index + HINT_MARGIN_WORDS).min(all_words.len() - 1)].clone();
    let original = folded.original_range(first_word.start..last_word.end)?;
    Some(ClosestPassage {
        paragraph,
        text: source.body().get(original)?.to_owned(),
        similarity: similarity.clamp(0.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_and_each_han_character() {
        let text = "it's a model—test 大模型人才 ok";
        let found: Vec<&str> = words(text, 0).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            found,
            [
                "it", "s", "a", "model", "test", "大", "模", "型", "人", "才", "ok"
            ]
        );
    }

    #[test]
    fn the_window_with_the_same_words_in_order_wins() {
        let source = PreparedSource::new(
            "Meta offered money to many people.\n\nMeta offered him a package worth millions.",
        );
        let pieces = ["meta offered him a package worth billions".to_owned()];
        let closest = closest_passage(&source, &pieces);
        let closest = closest.as_ref();
        assert_eq!(closest.map(|c| c.paragraph), Some(1));
        assert_eq!(
            closest.map(|c| c.text.as_str()),
            Some("Meta offered him a package worth millions")
        );
        let similarity = closest.map_or(0.0, |c| c.similarity);
        assert!(similarity > 0.7 && similarity < 1.0, "{similarity}");
    }

    #[test]
    fn no_shared_word_means_no_hint() {
        let source = PreparedSource::new("Completely unrelated text.");
        assert_eq!(
            closest_passage(&source, &["zebra quantum".to_owned()]),
            None
        );
    }
}
