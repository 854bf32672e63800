//! Where source texts name a note by its title or an alias, cited or not ("Appears in
//! sources", and the links on source pages).
//!
//! One Aho-Corasick automaton over every name scans each source once, so the cost grows with
//! the total text, not with notes × sources. Names of three letters or fewer match
//! case-sensitively (`NO`, `HW` must not match every "no"); longer ones ignore ASCII case.
//! Matches must stand as whole words.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;

use crate::model::Kind;
use crate::resolve::{Brief, NoteId};

/// For each note, the mentions of other notes in its text (non-empty only for sources).
pub struct Mentions {
    pub in_source: Vec<Vec<(Range<usize>, NoteId)>>,
    /// For each note, (source, count) of the sources that name it.
    pub appears_in: Vec<Vec<(NoteId, usize)>>,
}

pub fn find_mentions(brief: &Brief) -> Mentions {
    let mut short = Vec::new();
    let mut long = Vec::new();
    for note in &brief.notes {
        if matches!(note.kind, Kind::Source | Kind::Home | Kind::Page) {
            continue;
        }
        let mut names: Vec<&str> = vec![note.title.as_str()];
        names.extend(note.aliases.iter().map(String::as_str));
        for name in names {
            let name = name.trim();
            if name.chars().count() < 2 {
                continue;
            }
            if name.chars().count() <= 3 {
                short.push((name.to_string(), note.id));
            } else {
                long.push((name.to_string(), note.id));
            }
        }
    }
    let build = |names: &[(String, NoteId)], insensitive: bool| -> Option<AhoCorasick> {
        if names.is_empty() {
            return None;
        }
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(insensitive)
            .build(names.iter().map(|(n, _)| n.as_str()))
            .ok()
    };
    // The two automata are built on two cores: with 10,000 notes each takes tens of ms.
    let (long_ac, short_ac) = rayon::join(|| build(&long, true), || build(&short, false));
    let in_source: Vec<Vec<(Range<usize>, NoteId)>> = brief
        .notes
        .par_iter()
        .map(|note| {
            if note.kind != Kind::Source {
                return Vec::new();
            }
            let text = note.body.as_str();
            let mut found: Vec<(Range<usize>, NoteId)> = Vec::new();
            for (ac, names) in [(&long_ac, &long), (&short_ac, &short)] {
                let Some(ac) = ac else { continue };
                for m in ac.find_iter(text) {
                    if is_whole_word(text, m.start(), m.end()) {
                        found.push((m.start()..m.end(), names[m.pattern().as_usize()].1));
                    }
                }
            }
            found.sort_by(|a, b| {
                (a.0.start, std::cmp::Reverse(a.0.end))
                    .cmp(&(b.0.start, std::cmp::Reverse(b.0.end)))
            });
            let mut kept: Vec<(Range<usize>, NoteId)> = Vec::new();
            for (range, id) in found {
                if kept.last().is_none_or(|(last, _)| range.start >= last.end) {
                    kept.push((range, id));
                }
            }
            kept
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

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_only() {
        let t = "Metaverse and Meta, not Metal.";
        assert!(!is_whole_word(t, 0, 4));
        assert!(is_whole_word(t, 14, 18));
    }
}
