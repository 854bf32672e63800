//! Reading edited notes again and patching them into the remembered brief and evidence:
//! re-parse, resolve against the rest, check that nothing other pages show of them changed,
//! re-verify their quotes, renumber the citations after theirs, recompute the marks of the
//! sources they cite. Never renders.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use super::BuildMemory;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, SourceFiles};
use crate::evidence::QuoteLookup;
use crate::load::Document;
use crate::resolve::relations::Relations;
use crate::resolve::{Citation, CitationId, Note, NoteId};
use crate::verify::CitationEvidence;

/// One note read again.
pub struct Edit {
    id: NoteId,
    doc: Document,
    note: Note,
    /// Numbered from 0; placed by [`apply`].
    citations: Vec<Citation>,
    lookups: Vec<Option<QuoteLookup>>,
    problems: Vec<Diagnostic>,
}

pub enum Reread {
    /// Something changed that only a full build handles.
    Full,
    /// The edits have errors: every diagnostic of the brief with them, and their texts.
    Failed(Diagnostics, SourceFiles),
    /// The notes whose text really changed (none when only modification times did).
    Edits(Vec<Edit>),
}

/// Reads, resolves and verifies the notes `ids` again, against the rest of the brief.
pub fn reread(memory: &BuildMemory, root: &std::path::Path, ids: &[NoteId]) -> Reread {
    let mut edits = Vec::new();
    let mut files = SourceFiles::default();
    let mut problems_of_failed = Vec::new();
    for &id in ids {
        let old = &memory.loaded.documents[id];
        let (doc, mut problems, text) = crate::load::load_one(root, &old.path);
        if let Some(text) = text {
            files.insert(old.path.clone(), text);
        }
        let Some(doc) = doc else {
            if !problems.iter().any(|p| p.severity == Severity::Error) {
                return Reread::Full;
            }
            // A note that does not load has only its own errors: links to it are not
            // reported, as a full build would not report them.
            problems_of_failed.extend(problems);
            continue;
        };
        if doc.text == old.text {
            continue;
        }
        if (doc.front.draft == Some(true) && !memory.drafts)
            || doc.kind != old.kind
            || doc.slug != old.slug
        {
            return Reread::Full;
        }
        let mut found = Diagnostics::new();
        let (note, citations) =
            crate::resolve::resolve_note(&memory.loaded, &memory.brief, id, &doc, &mut found);
        if !shows_the_same(&memory.brief.notes[id], &note) {
            return Reread::Full;
        }
        let lookups: Vec<Option<QuoteLookup>> = citations
            .iter()
            .map(|c| crate::verify::locate(&memory.checks.prepared, c))
            .collect();
        for (citation, lookup) in citations.iter().zip(&lookups) {
            crate::verify::report_lookup(&memory.brief, citation, lookup.as_ref(), &mut found);
        }
        crate::coverage::citation_needed(&note, &mut found);
        problems.extend(found.iter().cloned());
        edits.push(Edit {
            id,
            doc,
            note,
            citations,
            lookups,
            problems,
        });
    }
    let has_errors = !problems_of_failed.is_empty()
        || edits
            .iter()
            .flat_map(|e| &e.problems)
            .any(|p| p.severity == Severity::Error);
    if has_errors {
        let changed: BTreeSet<&PathBuf> = ids
            .iter()
            .map(|&id| &memory.loaded.documents[id].path)
            .collect();
        let mut all = without_files(&memory.diagnostics, &changed);
        all.extend(problems_of_failed);
        all.extend(edits.into_iter().flat_map(|e| e.problems));
        return Reread::Failed(all, files);
    }
    Reread::Edits(edits)
}

fn without_files(diagnostics: &Diagnostics, files: &BTreeSet<&PathBuf>) -> Diagnostics {
    let mut kept = Diagnostics::new();
    kept.extend(
        diagnostics
            .iter()
            .filter(|d| !files.contains(&d.location.file))
            .cloned(),
    );
    kept
}

/// Whether every other page, and every site-wide page, shows `new` as it showed `old`: its
/// name, kind, summary, tags, dates and headings (link fragments) and the relationship graph's
/// edges. A source's text feeds mentions and marks everywhere: sources always differ.
fn shows_the_same(old: &Note, new: &Note) -> bool {
    let headings = |n: &Note| -> Vec<(u8, String, String)> {
        n.scan
            .headings
            .iter()
            .map(|h| (h.level, h.id.clone(), h.text.clone()))
            .collect()
    };
    let orgs = |n: &Note| -> Vec<NoteId> { n.roles.iter().map(|r| r.org).collect() };
    old.source.is_none()
        && new.source.is_none()
        && old.kind == new.kind
        && old.slug == new.slug
        && old.title == new.title
        && old.aliases == new.aliases
        && old.summary == new.summary
        && old.tags == new.tags
        && old.date == new.date
        && old.until == new.until
        && old.updated == new.updated
        && old.parent == new.parent
        && old.participants == new.participants
        && orgs(old) == orgs(new)
        && headings(old) == headings(new)
}

/// What [`apply`] changed, for working out what to render again.
pub struct Applied {
    /// The edited notes, sorted.
    pub edited: Vec<NoteId>,
    /// Sources whose marks were recomputed: the edited notes cite or cited them with other
    /// quotes than before.
    pub affected_sources: BTreeSet<NoteId>,
    /// Notes (and companies, for their people's roles) whose footnotes point at a mark whose
    /// id moved: their bodies must be rendered again.
    pub moved_anchors: BTreeSet<NoteId>,
    /// Each edited note's link targets before the edit.
    pub old_links: HashMap<NoteId, Vec<NoteId>>,
    /// Edited notes whose citations changed (sources, quotes or how many).
    pub citations_changed: Vec<NoteId>,
    /// Edited notes whose roles' titles or dates changed (their companies list them).
    pub roles_changed: Vec<NoteId>,
    /// The relations before, when body links changed and they were derived again.
    pub old_relations: Option<Relations>,
}

/// Where one edited note's citations were and will be.
struct Cut {
    old_start: CitationId,
    old_len: usize,
    new_len: usize,
    /// The same sources, quotes and places as before (only positions in the file moved).
    same: bool,
}

/// The diagnostics of the brief once `edits` are applied: the old ones of other files, the
/// edited notes' own, and whether each source they cite or cited is cited at all.
pub fn diagnostics_after(memory: &BuildMemory, edits: &[Edit]) -> Diagnostics {
    let changed: BTreeSet<&PathBuf> = edits.iter().map(|e| &e.doc.path).collect();
    let mut all = without_files(&memory.diagnostics, &changed);
    for e in edits {
        all.extend(e.problems.iter().cloned());
    }
    all
}

/// Patches `edits` into the memory's documents, brief, evidence and quote checks.
pub fn apply(memory: &mut BuildMemory, mut edits: Vec<Edit>) -> Applied {
    edits.sort_by_key(|e| e.id);
    let brief = &memory.brief;
    let cuts: Vec<Cut> = edits
        .iter()
        .map(|e| {
            let old_start = brief.citations.partition_point(|c| c.note < e.id);
            let old = &brief.citations_by_note[e.id];
            let same = old.len() == e.citations.len()
                && old.iter().zip(&e.citations).all(|(&o, n)| {
                    let o = &brief.citations[o];
                    o.source == n.source && o.quote == n.quote && o.context == n.context
                });
            Cut {
                old_start,
                old_len: old.len(),
                new_len: e.citations.len(),
                same,
            }
        })
        .collect();
    let mut affected_sources = BTreeSet::new();
    for (e, cut) in edits.iter().zip(&cuts) {
        if !cut.same {
            affected_sources.extend(
                brief.citations_by_note[e.id]
                    .iter()
                    .map(|&c| brief.citations[c].source),
            );
            affected_sources.extend(e.citations.iter().map(|c| c.source));
        }
    }
    let link_targets = |n: &Note| -> Vec<Option<NoteId>> {
        n.body_links
            .iter()
            .map(|l| l.as_ref().map(|l| l.note))
            .collect()
    };
    let links_changed = edits
        .iter()
        .any(|e| link_targets(&brief.notes[e.id]) != link_targets(&e.note));
    let role_rows = |n: &Note| -> Vec<(
        String,
        Option<crate::model::Date>,
        Option<crate::model::Date>,
    )> {
        n.roles
            .iter()
            .map(|r| (r.title.clone(), r.from, r.until))
            .collect()
    };
    let roles_changed = edits
        .iter()
        .filter(|e| role_rows(&brief.notes[e.id]) != role_rows(&e.note))
        .map(|e| e.id)
        .collect();
    let old_links = edits
        .iter()
        .map(|e| {
            let targets = brief.notes[e.id]
                .body_links
                .iter()
                .flatten()
                .map(|l| l.note)
                .collect();
            (e.id, targets)
        })
        .collect();
    // The anchors footnotes point at now, by old citation id, for the sources whose marks
    // will be recomputed.
    let old_anchors: Vec<(CitationId, Option<String>)> = affected_sources
        .iter()
        .flat_map(|&s| brief.citations_by_source[s].iter())
        .map(|&c| (c, memory.evidence.anchor(brief, c).map(str::to_string)))
        .collect();

    let citations_changed = edits
        .iter()
        .zip(&cuts)
        .filter(|(_, cut)| !cut.same)
        .map(|(e, _)| e.id)
        .collect();
    let renumber = Renumbering::new(&cuts);
    // Each citation's place before, by the new numbering (`None` for the citations of an edited
    // note whose citations changed); places that may have moved are worked out after rendering.
    renumber.reindex(&mut memory.places);
    let counts_changed = cuts.iter().any(|c| c.old_len != c.new_len);
    let mut new_citations = Vec::with_capacity(edits.len());
    let mut new_evidence = Vec::with_capacity(edits.len());
    let mut new_lookups = Vec::with_capacity(edits.len());
    for (index, (e, cut)) in edits.iter_mut().zip(&cuts).enumerate() {
        let start = renumber.new_start(index);
        shift_note(&mut e.note, &|c| Some(c + start));
        let mut citations = std::mem::take(&mut e.citations);
        for (i, c) in citations.iter_mut().enumerate() {
            c.id = start + i;
        }
        let evidence: Vec<CitationEvidence> = if cut.same {
            (0..cut.old_len)
                .map(|i| memory.evidence.citations[cut.old_start + i].clone())
                .collect()
        } else {
            citations
                .iter()
                .zip(&e.lookups)
                .map(|(c, lookup)| CitationEvidence {
                    passages: match lookup {
                        Some(QuoteLookup::Found(m)) => crate::verify::passages(&memory.brief, c, m),
                        _ => Vec::new(),
                    },
                    ..CitationEvidence::default()
                })
                .collect()
        };
        new_citations.push(citations);
        new_evidence.push(evidence);
        new_lookups.push(std::mem::take(&mut e.lookups));
    }
    let brief = &mut memory.brief;
    splice(&mut brief.citations, &cuts, new_citations);
    splice(&mut memory.evidence.citations, &cuts, new_evidence);
    splice(&mut memory.checks.lookups, &cuts, new_lookups);
    let edited: Vec<NoteId> = edits.iter().map(|e| e.id).collect();
    if counts_changed {
        for (id, c) in brief.citations.iter_mut().enumerate() {
            c.id = id;
        }
        let map = |c: CitationId| renumber.kept(c);
        for note in &mut brief.notes {
            if edited.binary_search(&note.id).is_err() {
                shift_note(note, &map);
            }
        }
        for source in memory.evidence.sources.iter_mut().flatten() {
            for mark in &mut source.marks {
                for c in &mut mark.citations {
                    *c = map(*c).unwrap_or(*c);
                }
            }
        }
        for (id, body) in memory.rendered.bodies.iter_mut().enumerate() {
            if edited.binary_search(&id).is_err() {
                for (c, _) in &mut body.places {
                    *c = map(*c).unwrap_or(*c);
                }
                // Sources lists are made from their first citations when the page is.
                for source in &mut body.sources {
                    source.citation = map(source.citation).unwrap_or(source.citation);
                }
            }
        }
    }
    for e in edits {
        memory.by_path.insert(e.doc.path.clone(), e.id);
        memory.loaded.documents[e.id] = e.doc;
        brief.notes[e.id] = e.note;
    }
    if cuts.iter().any(|c| !c.same) {
        let mut by_note = vec![Vec::new(); brief.notes.len()];
        let mut by_source = vec![Vec::new(); brief.notes.len()];
        for c in &brief.citations {
            by_note[c.note].push(c.id);
            by_source[c.source].push(c.id);
        }
        brief.citations_by_note = by_note;
        brief.citations_by_source = by_source;
    }

    // Marks of the affected sources, from every quote of theirs.
    for &s in &affected_sources {
        let Some(prepared) = &memory.checks.prepared[s] else {
            continue;
        };
        let mut found = Vec::new();
        for &c in &brief.citations_by_source[s] {
            let evidence = &mut memory.evidence.citations[c];
            evidence.mark = None;
            if let Some(QuoteLookup::Found(m)) = &memory.checks.lookups[c] {
                for range in &m.ranges {
                    found.push((range.clone(), m.paragraph, c));
                }
            }
        }
        memory.evidence.sources[s] = Some(crate::verify::source_evidence(
            prepared,
            found,
            &mut memory.evidence.citations,
        ));
    }
    let mut moved_anchors = BTreeSet::new();
    for (old, anchor) in old_anchors {
        let Some(c) = renumber.kept(old) else {
            continue;
        };
        if memory.evidence.anchor(brief, c) != anchor.as_deref() {
            let note = &brief.notes[brief.citations[c].note];
            moved_anchors.insert(note.id);
            // A company's People list shows its people's role citations.
            moved_anchors.extend(
                note.roles
                    .iter()
                    .filter(|r| r.cites.contains(&c))
                    .map(|r| r.org),
            );
        }
    }
    let old_relations = links_changed
        .then(|| std::mem::replace(&mut brief.relations, Relations::build(&brief.notes)));
    Applied {
        edited,
        affected_sources,
        moved_anchors,
        old_links,
        citations_changed,
        roles_changed,
        old_relations,
    }
}

/// Old citation ids to new ones, around the edited notes' cuts (sorted, not overlapping).
struct Renumbering {
    /// For each cut: old start, old end, the shift of ids before it and after it, whether its
    /// citations are the same as before.
    cuts: Vec<(CitationId, CitationId, isize, isize, bool)>,
}

impl Renumbering {
    fn new(cuts: &[Cut]) -> Renumbering {
        let mut shift = 0isize;
        let cuts = cuts
            .iter()
            .map(|cut| {
                let before = shift;
                shift += cut.new_len as isize - cut.old_len as isize;
                (
                    cut.old_start,
                    cut.old_start + cut.old_len,
                    before,
                    shift,
                    cut.same,
                )
            })
            .collect();
        Renumbering { cuts }
    }

    /// Where the citations of the cut at `index` start after renumbering.
    fn new_start(&self, index: usize) -> CitationId {
        let (start, _, before, _, _) = self.cuts[index];
        start.saturating_add_signed(before)
    }

    /// The new id of an old citation that is kept: one of a note not edited, or of an
    /// edited note whose citations are the same as before. `None` for the others.
    fn kept(&self, old: CitationId) -> Option<CitationId> {
        let before = self.cuts.partition_point(|c| c.1 <= old);
        if let Some(&(start, end, shift, _, same)) = self.cuts.get(before)
            && start <= old
            && old < end
        {
            return same.then(|| old.saturating_add_signed(shift));
        }
        let shift = before.checked_sub(1).map_or(0, |i| self.cuts[i].3);
        Some(old.saturating_add_signed(shift))
    }

    /// Re-indexes a vector indexed by old citation id by new id (`None` where nothing maps);
    /// in place when no cut changes its length.
    fn reindex<T: Clone>(&self, vector: &mut Vec<Option<T>>) {
        if self.cuts.iter().all(|c| c.2 == c.3) {
            for &(start, end, _, _, same) in &self.cuts {
                if !same {
                    vector[start..end].fill(None);
                }
            }
            return;
        }
        let old = std::mem::take(vector);
        let len = old
            .len()
            .saturating_add_signed(self.cuts.last().map_or(0, |c| c.3));
        let mut out = vec![None; len];
        for (c, value) in old.into_iter().enumerate() {
            if let Some(n) = self.kept(c)
                && n < len
            {
                out[n] = value;
            }
        }
        *vector = out;
    }
}

/// Replaces each cut's entries of `vector` (indexed by citation) with its `new` ones; in place
/// when no cut changes its length (the common edit), else by rebuilding the vector.
fn splice<T>(vector: &mut Vec<T>, cuts: &[Cut], new: Vec<Vec<T>>) {
    if cuts.iter().all(|c| c.old_len == c.new_len) {
        for (cut, items) in cuts.iter().zip(new) {
            for (i, item) in items.into_iter().enumerate() {
                vector[cut.old_start + i] = item;
            }
        }
        return;
    }
    let old = std::mem::take(vector);
    let mut out = Vec::with_capacity(old.len());
    let mut rest = old.into_iter();
    let mut at = 0;
    for (cut, items) in cuts.iter().zip(new) {
        out.extend(rest.by_ref().take(cut.old_start - at));
        for _ in 0..cut.old_len {
            rest.next();
        }
        out.extend(items);
        at = cut.old_start + cut.old_len;
    }
    out.extend(rest);
    *vector = out;
}

/// Renumbers every citation id a note holds.
fn shift_note(note: &mut Note, map: &dyn Fn(CitationId) -> Option<CitationId>) {
    let fix = |ids: &mut Vec<CitationId>| {
        for c in ids {
            *c = map(*c).unwrap_or(*c);
        }
    };
    fix(&mut note.cites);
    for role in &mut note.roles {
        fix(&mut role.cites);
    }
    for fact in &mut note.facts {
        fix(&mut fact.cites);
    }
    for group in &mut note.body_cites {
        fix(group);
    }
}
