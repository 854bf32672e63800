//! Coverage: which paragraphs of the notes state something without a citation ("citation
//! needed"), which sources nothing cites, and the share of cited paragraphs per note and for
//! the whole brief. Reported by `check`; warnings, so `--strict` can make them fail a build.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Kind;
use crate::resolve::{Brief, Note};

/// A paragraph shorter than this many words is a heading-like line, not a claim.
const MIN_CLAIM_WORDS: usize = 6;

#[derive(Serialize, Default)]
pub struct Coverage {
    pub notes: Vec<NoteCoverage>,
    pub cited_blocks: usize,
    pub blocks: usize,
    pub percent: f64,
    pub uncited_sources: Vec<String>,
    /// Claims backed by more than one citation, with their independent origins.
    pub claims: Vec<ClaimOrigins>,
}

/// A claim (a sentence's citation group, a role, a fact, an event's `cite`) cited to several
/// sources, and how many independent origins those sources come down to.
#[derive(Serialize)]
pub struct ClaimOrigins {
    pub note: String,
    pub location: String,
    pub what: String,
    pub sources: Vec<String>,
    pub origins: Vec<String>,
}

#[derive(Serialize)]
pub struct NoteCoverage {
    pub slug: String,
    pub path: String,
    pub cited_blocks: usize,
    pub blocks: usize,
    pub percent: f64,
}

pub fn coverage(brief: &Brief, diagnostics: &mut Diagnostics) -> Coverage {
    use rayon::prelude::*;
    let mut report = Coverage::default();
    // Each note on its own, on every core; its warnings are then put in note order, as if
    // the notes had been gone through one after the other.
    let per_note: Vec<(NoteCoverage, Diagnostics)> = brief
        .notes
        .par_iter()
        .filter(|note| note.kind != Kind::Source)
        .map(|note| {
            let mut problems = Diagnostics::new();
            let (blocks, cited) = citation_needed(note, &mut problems);
            let coverage = NoteCoverage {
                slug: note.slug.clone(),
                path: note.path.display().to_string(),
                cited_blocks: cited,
                blocks,
                percent: percent(cited, blocks),
            };
            (coverage, problems)
        })
        .collect();
    for (note, problems) in per_note {
        report.blocks += note.blocks;
        report.cited_blocks += note.cited_blocks;
        report.notes.push(note);
        diagnostics.extend(problems);
    }
    for note in brief.notes.iter().filter(|n| n.kind == Kind::Source) {
        if uncited_source(brief, note, diagnostics) {
            report.uncited_sources.push(note.slug.clone());
        }
    }
    report.percent = percent(report.cited_blocks, report.blocks);
    report.claims = claims(brief);
    report
}

/// Warns of each paragraph of `note` that states something without a citation; returns how
/// many paragraphs count as claims and how many of them are cited.
pub fn citation_needed(note: &Note, diagnostics: &mut Diagnostics) -> (usize, usize) {
    let mut blocks = 0;
    let mut cited = 0;
    for block in &note.scan.blocks {
        if block.words < MIN_CLAIM_WORDS {
            continue;
        }
        blocks += 1;
        if block.cited {
            cited += 1;
        } else {
            let location = crate::diagnostic::Location::at_offset(
                &note.path,
                &note.text,
                note.body_start + block.range.start,
                1,
            );
            diagnostics.push(
                Diagnostic::warning(
                    "citation-needed",
                    location,
                    "citation needed: this paragraph states something without a source",
                )
                .with_help("add a citation such as [@source-slug, \"exact words\"]"),
            );
        }
    }
    (blocks, cited)
}

/// Warns when nothing cites the source `note`; returns whether that is so.
pub fn uncited_source(brief: &Brief, note: &Note, diagnostics: &mut Diagnostics) -> bool {
    let uncited = brief.citations_by_source[note.id].is_empty();
    if uncited {
        diagnostics.push(
            Diagnostic::warning(
                "uncited-source",
                crate::diagnostic::Location::file_only(&note.path),
                format!("nothing cites the source \"{}\"", note.title),
            )
            .with_help("cite it where the brief relies on it, or remove it"),
        );
    }
    uncited
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Every claim cited to two or more different sources, in file order.
fn claims(brief: &Brief) -> Vec<ClaimOrigins> {
    use rayon::prelude::*;
    let per_note: Vec<Vec<ClaimOrigins>> = brief
        .citations_by_note
        .par_iter()
        .enumerate()
        .filter(|(_, ids)| ids.len() >= 2)
        .map(|(note, ids)| note_claims(brief, note, ids))
        .collect();
    per_note.into_iter().flatten().collect()
}

/// [`claims`] of one note, whose citations are `ids` (in id order): grouped by what they
/// back, groups in the order of their context (body, roles, facts, event).
fn note_claims(brief: &Brief, note: usize, ids: &[usize]) -> Vec<ClaimOrigins> {
    use crate::resolve::CiteContext;
    let key = |c: usize| match brief.citations[c].context {
        CiteContext::Body { group } => CiteContextKey(0, group),
        CiteContext::Role { index } => CiteContextKey(1, index),
        CiteContext::Fact { index } => CiteContextKey(2, index),
        CiteContext::Event => CiteContextKey(3, 0),
    };
    let mut keyed: Vec<(CiteContextKey, usize)> = ids.iter().map(|&c| (key(c), c)).collect();
    // Stable: a group's citations stay in id order.
    keyed.sort_by_key(|&(key, _)| key);
    let mut out = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        if group.len() < 2 {
            continue;
        }
        let key = group[0].0;
        let ids: Vec<usize> = group.iter().map(|&(_, c)| c).collect();
        let n = &brief.notes[note];
        let first = &brief.citations[ids[0]];
        let what = match key.0 {
            0 => "sentence".to_string(),
            1 => format!(
                "role at {}",
                n.roles
                    .get(key.1)
                    .map_or("?", |r| brief.notes[r.org].title.as_str())
            ),
            2 => format!(
                "fact \"{}\"",
                n.facts.get(key.1).map_or("?", |f| f.label.as_str())
            ),
            _ => "event".to_string(),
        };
        let mut sources: Vec<String> = ids
            .iter()
            .map(|&c| brief.notes[brief.citations[c].source].slug.clone())
            .collect();
        sources.sort();
        sources.dedup();
        if sources.len() < 2 {
            continue;
        }
        let origins = crate::verify::origins(brief, ids.iter().map(|&c| brief.citations[c].source))
            .into_iter()
            .collect();
        out.push(ClaimOrigins {
            note: n.slug.clone(),
            location: first.location.to_string(),
            what,
            sources,
            origins,
        });
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct CiteContextKey(u8, usize);
