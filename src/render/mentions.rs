//! Where source texts name a note by its title or an alias, cited or not ("Appears in
//! sources", and the links on source pages).
//!
//! Names are indexed by their first bytes ([`leftmost_longest`]), so each source is scanned
//! once and the cost grows with the total text, not with notes × sources. Names of three
//! letters or fewer match case-sensitively (`NO`, `HW` must not match every "no"); longer ones
//! ignore ASCII case. Matches must stand as whole words.

mod leftmost_longest;

use std::ops::Range;

use rayon::prelude::*;

use crate::model::Kind;
use crate::resolve::{Brief, NoteId};
use leftmost_longest::NameMatcher;

/// For each note, the mentions of other notes in its text (non-empty only for sources).
pub struct Mentions {
    pub in_source: Vec<Vec<(Range<usize>, NoteId)>>,
    /// For each note, (source, count) of the sources that name it.
    pub appears_in: Vec<Vec<(NoteId, usize)>>,
}

pub fn find_mentions(brief: &Brief) -> Mentions {
    let names = brief
        .notes
        .iter()
        .filter(|note| !matches!(note.kind, Kind::Source | Kind::Home | Kind::Page))
        .flat_map(|note| {
            std::iter::once(note.title.as_str())
                .chain(note.aliases.iter().map(String::as_str))
                .map(move |name| (name, note.id))
        });
    let finder = MentionFinder::new(names);
    let in_source: Vec<Vec<(Range<usize>, NoteId)>> = brief
        .notes
        .par_iter()
        .map(|note| {
            if note.kind != Kind::Source {
                return Vec::new();
            }
            finder.find(note.body.as_str())
        })
        .collect();
    let mut appears_in: Vec<Vec<(NoteId, usize)>> = vec![Vec::new(); brief.notes.len()];
    for (source, mentions) in in_source.iter().enumerate() {
        let mut counts: std::collections::BTreeMap<NoteId, usize> =
            std::collections::BTreeMap::new();
        for (_, id) in mentions {
            *counts.entry(*id).or_default() += 1;
        }
        for (id, count) in counts {
            appears_in[id].push((source, count));
        }
    }
    Mentions {
        in_source,
        appears_in,
    }
}

/// The names to look for, split by how they match.
struct MentionFinder {
    /// Four letters or more, ignoring ASCII case.
    long: NameMatcher,
    long_notes: Vec<NoteId>,
    /// Two or three letters, exact.
    short: NameMatcher,
    short_notes: Vec<NoteId>,
}

impl MentionFinder {
    fn new<'a>(names: impl IntoIterator<Item = (&'a str, NoteId)>) -> MentionFinder {
        let mut short = Vec::new();
        let mut long = Vec::new();
        for (name, id) in names {
            let name = name.trim();
            let letters = name.chars().count();
            if letters < 2 {
                continue;
            }
            if letters <= 3 {
                short.push((name, id));
            } else {
                long.push((name, id));
            }
        }
        // Keys as long as the shortest name of each kind allows: 4 letters take at least 4
        // bytes, 2 letters at least 2.
        MentionFinder {
            long: NameMatcher::new(long.iter().map(|(name, _)| *name), true, 4),
            long_notes: long.iter().map(|(_, id)| *id).collect(),
            short: NameMatcher::new(short.iter().map(|(name, _)| *name), false, 2),
            short_notes: short.iter().map(|(_, id)| *id).collect(),
        }
    }

    /// The whole-word mentions in `text`, in order, without overlaps: where a long and a
    /// short name both match, the one that starts first, or at the same start the longer.
    fn find(&self, text: &str) -> Vec<(Range<usize>, NoteId)> {
        let mut found: Vec<(Range<usize>, NoteId)> = Vec::new();
        for (matcher, notes) in [
            (&self.long, &self.long_notes),
            (&self.short, &self.short_notes),
        ] {
            matcher.for_each_match(text, |range, name| {
                if is_whole_word(text, range.start, range.end) {
                    found.push((range, notes[name]));
                }
            });
        }
        without_overlaps(found)
    }
}

/// `found` in text order, keeping of overlapping mentions the one that starts first, or at
/// the same start the longer.
fn without_overlaps(mut found: Vec<(Range<usize>, NoteId)>) -> Vec<(Range<usize>, NoteId)> {
    found.sort_by(|a, b| {
        (a.0.start, std::cmp::Reverse(a.0.end)).cmp(&(b.0.start, std::cmp::Reverse(b.0.end)))
    });
    let mut kept: Vec<(Range<usize>, NoteId)> = Vec::new();
    for (range, id) in found {
        if kept.last().is_none_or(|(last, _)| range.start >= last.end) {
            kept.push((range, id));
        }
    }
    kept
}

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    #[test]
    fn whole_words_only() {
        let t = "Metaverse and Meta, not Metal.";
        assert!(!is_whole_word(t, 0, 4));
        assert!(is_whole_word(t, 14, 18));
    }

    /// The search as it was with two Aho-Corasick automata, which [`MentionFinder`] must
    /// reproduce exactly.
    fn with_automata(names: &[(&str, NoteId)], text: &str) -> Vec<(Range<usize>, NoteId)> {
        let mut short = Vec::new();
        let mut long = Vec::new();
        for &(name, id) in names {
            let name = name.trim();
            if name.chars().count() < 2 {
                continue;
            }
            if name.chars().count() <= 3 {
                short.push((name, id));
            } else {
                long.push((name, id));
            }
        }
        let mut found = Vec::new();
        for (names, insensitive) in [(&long, true), (&short, false)] {
            if names.is_empty() {
                continue;
            }
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(insensitive)
                .build(names.iter().map(|(n, _)| n))
                .unwrap();
            for m in ac.find_iter(text) {
                if is_whole_word(text, m.start(), m.end()) {
                    found.push((m.start()..m.end(), names[m.pattern().as_usize()].1));
                }
            }
        }
        without_overlaps(found)
    }

    fn check(names: &[(&str, NoteId)], text: &str) {
        let finder = MentionFinder::new(names.iter().copied());
        assert_eq!(
            finder.find(text),
            with_automata(names, text),
            "{names:?} in {text:?}"
        );
    }

    #[test]
    fn a_match_that_is_not_a_whole_word_hides_what_starts_inside_it() {
        // "foo-bar" inside "xfoo-bar" is no mention, yet the automaton skipped past it, so
        // "bar baz" is none either.
        check(&[("foo-bar", 1), ("bar baz", 2)], "xfoo-bar baz");
        // The longest name at a position wins even when only a shorter one is a whole word.
        check(&[("abcd", 1), ("abcd e", 2)], "abcd ef abcd");
        check(
            &[("Meta", 1), ("META", 2), ("meta", 3), ("NO", 4), ("No", 5)],
            "meta NO no",
        );
    }

    #[test]
    fn same_mentions_as_the_automata() {
        // Few letters, so names overlap, repeat and prefix one another; non-ASCII letters
        // (one with an ASCII-looking lowercase), punctuation and spaces inside names.
        let letter = "[aAbBéÉK\u{212A}ß1 .’-]";
        let names = proptest::collection::vec(
            (
                proptest::string::string_regex(&format!("{letter}{{1,7}}")).unwrap(),
                0..6usize,
            ),
            0..12,
        );
        let text = proptest::string::string_regex(&format!("{letter}{{0,60}}")).unwrap();
        proptest::proptest!(proptest::test_runner::Config::with_cases(3000), |(names in names, text in text)| {
            let names: Vec<(&str, NoteId)> = names.iter().map(|(n, id)| (n.as_str(), *id)).collect();
            let finder = MentionFinder::new(names.iter().copied());
            proptest::prop_assert_eq!(finder.find(&text), with_automata(&names, &text));
        });
    }

    #[test]
    fn names_taken_from_the_text_are_found_as_the_automata_find_them() {
        // Random names rarely occur in random text; names cut from the text always do.
        let text = proptest::string::string_regex("[aAbBé ,.-]{0,60}").unwrap();
        let cuts = proptest::collection::vec((0..60usize, 1..9usize, 0..4usize), 0..10);
        proptest::proptest!(proptest::test_runner::Config::with_cases(3000), |(text in text, cuts in cuts)| {
            let chars: Vec<char> = text.chars().collect();
            let names: Vec<(String, NoteId)> = cuts
                .iter()
                .filter(|(at, _, _)| *at < chars.len())
                .map(|&(at, len, id)| {
                    let name: String = chars[at..(at + len).min(chars.len())].iter().collect();
                    (if id % 2 == 0 { name.to_uppercase() } else { name }, id)
                })
                .collect();
            let names: Vec<(&str, NoteId)> = names.iter().map(|(n, id)| (n.as_str(), *id)).collect();
            let finder = MentionFinder::new(names.iter().copied());
            proptest::prop_assert_eq!(finder.find(&text), with_automata(&names, &text));
        });
    }
}
