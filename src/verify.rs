//! Stage 3, verify: every quote located in its source, and the highlighted passages ("marks")
//! of each source page worked out.
//!
//! Each source is prepared once (normalised and split into paragraphs by [`crate::evidence`]),
//! then all quotes are located in parallel against the source they cite — never against every
//! source. Overlapping quoted ranges merge into one mark, whose id (`m-p4-1`) is what a footnote
//! links to. Also owns the count of independent origins behind a set of citations.

use std::collections::BTreeSet;
use std::ops::Range;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::evidence::{PreparedSource, QuoteLookup, QuoteMatch, SourceParagraph};
use crate::resolve::{Brief, Citation, CitationId, NoteId, fold};

/// What the sources say about the brief's quotes.
pub struct Evidence {
    /// Indexed by note id; `Some` for sources.
    pub sources: Vec<Option<SourceEvidence>>,
    /// Indexed by citation id.
    pub citations: Vec<CitationEvidence>,
}

pub struct SourceEvidence {
    pub paragraphs: Vec<SourceParagraph>,
    /// Sorted by position; never overlapping.
    pub marks: Vec<Mark>,
}

/// One highlighted passage on a source page.
pub struct Mark {
    pub id: String,
    pub paragraph: usize,
    pub range: Range<usize>,
    /// The citations whose quotes fall in this passage, in id order.
    pub citations: Vec<CitationId>,
}

#[derive(Clone, Default)]
pub struct CitationEvidence {
    /// Index into the cited source's `marks` of the passage this citation's quote starts in.
    pub mark: Option<usize>,
    /// Where in the cited source's body each piece the quote matched lies (one, or more with
    /// elisions): its own text, for links into the original, which must quote the page as it
    /// is written. Ranges, not copies: 76,000 quotes at 10,000 notes.
    pub passages: Vec<Range<usize>>,
}

pub fn verify(brief: &Brief, diagnostics: &mut Diagnostics) -> Evidence {
    verify_keeping(brief, diagnostics).0
}

/// What verifying found besides the evidence, kept by `serve` so that an edit re-verifies only
/// the quotes it touched ([`crate::incremental`]).
pub struct QuoteChecks {
    /// Indexed by note id; `Some` for sources.
    pub prepared: Vec<Option<PreparedSource>>,
    /// Indexed by citation id; `None` for a citation without a quote.
    pub lookups: Vec<Option<QuoteLookup>>,
}

/// [`verify`], also returning each source prepared and each quote's lookup.
pub fn verify_keeping(brief: &Brief, diagnostics: &mut Diagnostics) -> (Evidence, QuoteChecks) {
    let started = std::time::Instant::now();
    let tr = |step: &str| crate::trace::step("verify", started, step);
    // Each source is prepared and its quotes located on one thread, one source after
    // another, so that its folded text, word index and offset map are still in cache while its
    // ~150 quotes (at 10,000 notes) are looked up: in citation order every quote went to a
    // random one of 500 sources, and the lookups waited on memory. Each source's marks are
    // worked out on the same thread. Only the sources are handed out (not every note): the
    // thread pool split the notes by count, and with the sources in one stretch of them one
    // core did nearly all the work.
    debug_assert!(brief.citations.iter().enumerate().all(|(i, c)| c.id == i));
    let mut quoted: Vec<Vec<CitationId>> = vec![Vec::new(); brief.notes.len()];
    for c in &brief.citations {
        if c.quote.is_some() && brief.notes[c.source].source.is_some() {
            quoted[c.source].push(c.id);
        }
    }
    let sources: Vec<(&crate::resolve::Note, Vec<CitationId>)> = brief
        .notes
        .iter()
        .zip(quoted)
        .filter(|(note, _)| note.source.is_some())
        .collect();
    let done: Vec<(NoteId, PreparedSource, CheckedSource)> = sources
        .into_par_iter()
        .with_max_len(1)
        .map(|(note, quoted)| {
            let prep = PreparedSource::shared(note.text.clone(), note.body_start);
            let checked = check_source(brief, &prep, &quoted);
            (note.id, prep, checked)
        })
        .collect();
    let mut prepared: Vec<Option<PreparedSource>> = Vec::with_capacity(brief.notes.len());
    prepared.resize_with(brief.notes.len(), || None);
    let mut checked: Vec<Option<CheckedSource>> = Vec::with_capacity(brief.notes.len());
    checked.resize_with(brief.notes.len(), || None);
    for (id, prep, source) in done {
        prepared[id] = Some(prep);
        checked[id] = Some(source);
    }
    tr("checked");

    // Back into citation order (the diagnostics follow it): the lookups and the evidence on
    // one core each, so this serial stretch takes half as long.
    let mut sources = Vec::with_capacity(checked.len());
    let mut source_lookups = Vec::new();
    let mut source_citations = Vec::new();
    for checked in checked {
        sources.push(checked.map(|checked| {
            source_lookups.push(checked.lookups);
            source_citations.push(checked.citations);
            checked.evidence
        }));
    }
    let count = brief.citations.len();
    let (lookups, citations) = rayon::join(
        || {
            let mut lookups: Vec<Option<QuoteLookup>> = Vec::with_capacity(count);
            lookups.resize_with(count, || None);
            for (id, lookup) in source_lookups.into_iter().flatten() {
                lookups[id] = Some(lookup);
            }
            for (citation, lookup) in brief.citations.iter().zip(&lookups) {
                report_lookup(brief, citation, lookup.as_ref(), diagnostics);
            }
            lookups
        },
        || {
            let mut citations = vec![CitationEvidence::default(); count];
            for (id, evidence) in source_citations.into_iter().flatten() {
                citations[id] = evidence;
            }
            citations
        },
    );
    tr("in citation order");
    (
        Evidence { sources, citations },
        QuoteChecks { prepared, lookups },
    )
}

/// One source's quotes checked: its marks, and each quote's lookup and evidence (in citation
/// order, `mark` set).
struct CheckedSource {
    evidence: SourceEvidence,
    lookups: Vec<(CitationId, QuoteLookup)>,
    citations: Vec<(CitationId, CitationEvidence)>,
}

/// Locates the quotes of the citations `quoted` (which cite `prep` and have a quote, in id
/// order) and works out the source's marks.
fn check_source(brief: &Brief, prep: &PreparedSource, quoted: &[CitationId]) -> CheckedSource {
    let mut found = Vec::new();
    let mut lookups = Vec::with_capacity(quoted.len());
    let mut citations = Vec::with_capacity(quoted.len());
    for &id in quoted {
        let c = &brief.citations[id];
        let lookup = prep.locate(c.quote.as_deref().unwrap_or_default());
        let evidence = match &lookup {
            QuoteLookup::Found(m) => {
                found.extend(m.ranges.iter().map(|r| (r.clone(), m.paragraph, id)));
                CitationEvidence {
                    passages: passages(brief, c, m),
                    ..CitationEvidence::default()
                }
            }
            _ => CitationEvidence::default(),
        };
        lookups.push((id, lookup));
        citations.push((id, evidence));
    }
    let (evidence, first_marks) = source_marks(prep, found);
    // `quoted` is in id order, so `citations` is too; every citation with a mark is in it.
    for (citation, mark) in first_marks {
        if let Ok(at) = citations.binary_search_by_key(&citation, |&(id, _)| id) {
            citations[at].1.mark.get_or_insert(mark);
        }
    }
    CheckedSource {
        evidence,
        lookups,
        citations,
    }
}

/// Where a citation's quote stands in its source (`None` without a quote).
pub fn locate(prepared: &[Option<PreparedSource>], citation: &Citation) -> Option<QuoteLookup> {
    let quote = citation.quote.as_deref()?;
    Some(prepared[citation.source].as_ref()?.locate(quote))
}

/// Where each piece a quote matched lies in its source's body (pieces that do not fall on
/// character boundaries of the body are left out).
pub fn passages(brief: &Brief, citation: &Citation, found: &QuoteMatch) -> Vec<Range<usize>> {
    let source = &brief.notes[citation.source];
    found
        .ranges
        .iter()
        .filter(|r| source.body.get((*r).clone()).is_some())
        .cloned()
        .collect()
}

/// The source's own text of each piece a citation's quote matched.
pub fn passage_texts<'a>(
    brief: &'a Brief,
    evidence: &Evidence,
    citation: CitationId,
) -> Vec<&'a str> {
    let source = &brief.notes[brief.citations[citation].source];
    evidence.citations[citation]
        .passages
        .iter()
        .filter_map(|r| source.body.get(r.clone()))
        .collect()
}

/// The diagnostic a quote's lookup calls for, if any: a quote found in several places, not
/// found, or empty.
pub fn report_lookup(
    brief: &Brief,
    citation: &Citation,
    lookup: Option<&QuoteLookup>,
    diagnostics: &mut Diagnostics,
) {
    let source = &brief.notes[citation.source];
    match lookup {
        Some(QuoteLookup::Found(m)) if m.occurrences > 1 => {
            diagnostics.push(
                Diagnostic::warning(
                    "ambiguous-quote",
                    citation.location.clone(),
                    format!(
                        "this quote appears {} times in \"{}\"; the first place is highlighted",
                        m.occurrences, source.title
                    ),
                )
                .with_help("lengthen the quote so that it names one passage"),
            );
        }
        None | Some(QuoteLookup::Found(_)) => {}
        Some(QuoteLookup::NotFound { closest }) => {
            let help = match closest {
                Some(c) => format!(
                    "the closest passage of the source (paragraph p{}) reads: \"{}\"",
                    c.paragraph + 1,
                    c.text.trim()
                ),
                None => "check the quote against the source text".to_string(),
            };
            diagnostics.push(
                Diagnostic::error(
                    "quote-not-found",
                    citation.location.clone(),
                    format!(
                        "quote not found in source \"{}\" ({})",
                        source.title, source.slug
                    ),
                )
                .with_help(help),
            );
        }
        Some(QuoteLookup::Empty) => diagnostics.push(
            Diagnostic::error(
                "empty-quote",
                citation.location.clone(),
                "this quote has no words",
            )
            .with_help("quote the exact words of the source, or cite it without a quote: [@slug]"),
        ),
    }
}

/// One source's marks, from the quoted ranges found in it as (range, paragraph, citation);
/// sets `mark` of the citations the marks hold (which must be unset).
pub fn source_evidence(
    prep: &PreparedSource,
    found: Vec<(Range<usize>, usize, CitationId)>,
    citations: &mut [CitationEvidence],
) -> SourceEvidence {
    let (evidence, first_marks) = source_marks(prep, found);
    for (citation, mark) in first_marks {
        citations[citation].mark.get_or_insert(mark);
    }
    evidence
}

/// For each citation a source's marks hold, the index of the first mark it is in.
type FirstMarks = Vec<(CitationId, usize)>;

/// [`source_evidence`] without touching the citations: the marks, and for each citation
/// they hold the index of the first mark it is in (each citation once).
fn source_marks(
    prep: &PreparedSource,
    mut found: Vec<(Range<usize>, usize, CitationId)>,
) -> (SourceEvidence, FirstMarks) {
    let paragraphs = prep.paragraphs().to_vec();
    found.sort_by_key(|a| (a.0.start, a.0.end, a.2));
    let mut marks: Vec<Mark> = Vec::new();
    for (range, paragraph, citation) in found {
        match marks.last_mut() {
            Some(last) if last.paragraph == paragraph && range.start < last.range.end => {
                last.range.end = last.range.end.max(range.end);
                if !last.citations.contains(&citation) {
                    last.citations.push(citation);
                }
            }
            _ => marks.push(Mark {
                id: String::new(),
                paragraph,
                range,
                citations: vec![citation],
            }),
        }
    }
    let mut per_paragraph = vec![0usize; paragraphs.len()];
    let mut first_marks: Vec<(CitationId, usize)> = Vec::new();
    for (index, mark) in marks.iter_mut().enumerate() {
        per_paragraph[mark.paragraph] += 1;
        mark.id = mark_id(
            &paragraphs[mark.paragraph].id,
            per_paragraph[mark.paragraph],
        );
        mark.citations.sort_unstable();
        first_marks.extend(mark.citations.iter().map(|&c| (c, index)));
    }
    // A citation with several pieces may be in several marks: the first (lowest index) wins.
    first_marks.sort_by_key(|&(citation, mark)| (citation, mark));
    first_marks.dedup_by_key(|&mut (citation, _)| citation);
    (SourceEvidence { paragraphs, marks }, first_marks)
}

/// `m-p4-1`: the `number`th mark of the paragraph `paragraph_id`, without `format!`.
fn mark_id(paragraph_id: &str, number: usize) -> String {
    let mut id = String::with_capacity(paragraph_id.len() + 6);
    id.push_str("m-");
    id.push_str(paragraph_id);
    id.push('-');
    crate::markdown::render::push_decimal(&mut id, number);
    id
}

impl Evidence {
    /// The fragment a citation links to on its source page (`m-p4-1`), if its quote was found.
    pub fn anchor(&self, brief: &Brief, citation: CitationId) -> Option<&str> {
        let c = &brief.citations[citation];
        let mark = self.citations[citation].mark?;
        Some(self.sources[c.source].as_ref()?.marks[mark].id.as_str())
    }

    /// The id of the source paragraph a citation's quote starts in (`p4`), if it was found:
    /// the paragraph of its mark.
    pub fn paragraph_id(&self, brief: &Brief, citation: CitationId) -> Option<&str> {
        let c = &brief.citations[citation];
        let mark = self.citations[citation].mark?;
        let source = self.sources[c.source].as_ref()?;
        Some(source.paragraphs[source.marks[mark].paragraph].id.as_str())
    }
}

/// The independent origins behind a set of cited sources: a source that relies on outlets
/// counts as those outlets (followed through sources it relies on); one that relies on nothing
/// is its own origin. Three articles that all rely on Bloomberg are one origin.
pub fn origins(brief: &Brief, sources: impl IntoIterator<Item = NoteId>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for source in sources {
        collect_origins(brief, source, &mut out, 0);
    }
    out
}

fn collect_origins(brief: &Brief, source: NoteId, out: &mut BTreeSet<String>, depth: usize) {
    let note = &brief.notes[source];
    let Some(meta) = &note.source else {
        out.insert(fold(&note.title));
        return;
    };
    if meta.relies_on.is_empty() || depth > 8 {
        let own = meta.publisher.as_ref().map(|p| {
            p.note
                .map_or_else(|| fold(&p.name), |n| fold(&brief.notes[n].title))
        });
        out.insert(own.unwrap_or_else(|| fold(&note.title)));
        return;
    }
    for r in &meta.relies_on {
        match r.note {
            Some(n) if brief.notes[n].source.is_some() => collect_origins(brief, n, out, depth + 1),
            Some(n) => {
                out.insert(fold(&brief.notes[n].title));
            }
            None => {
                out.insert(fold(&r.name));
            }
        }
    }
}
