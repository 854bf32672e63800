//! After a patch: which bodies to render again, and from how they changed, which pages.

use std::collections::BTreeSet;

use super::BuildMemory;
use super::patch::Applied;
use crate::render::RenderedNote;
use crate::render::partial::{self, PageInputs};
use crate::resolve::relations::Edge;
use crate::resolve::{Brief, CitationId, NoteId};

/// Renders the bodies and pages `applied` calls for into the memory's site; returns how many
/// note pages were rendered.
pub fn render(
    memory: &mut BuildMemory,
    applied: &Applied,
    started: std::time::Instant,
) -> Result<usize, String> {
    let trace = |step: &str| super::trace(started, step);
    let brief = &memory.brief;
    let mut bodies: BTreeSet<NoteId> = applied.edited.iter().copied().collect();
    bodies.extend(applied.moved_anchors.iter().copied());
    for &id in &applied.citations_changed {
        // A company's People list carries the footnotes of its people's roles.
        bodies.extend(brief.notes[id].roles.iter().map(|r| r.org));
    }
    let ids: Vec<NoteId> = bodies.into_iter().collect();
    let fresh = partial::render_bodies(brief, &memory.evidence, &memory.links, &ids);

    trace("bodies");
    let mut pages: BTreeSet<NoteId> = applied.edited.iter().copied().collect();
    let mut timeline = false;
    // Citations whose place (the first page citing them) may have moved.
    let mut placed: BTreeSet<CitationId> = applied
        .edited
        .iter()
        .flat_map(|&id| brief.citations_by_note[id].iter().copied())
        .collect();
    for (&id, new) in ids.iter().zip(fresh) {
        let old = std::mem::replace(&mut memory.rendered.bodies[id], new);
        let new = &memory.rendered.bodies[id];
        placed.extend(new.places.iter().map(|(c, _)| *c));
        if !applied.edited.contains(&id) {
            placed.extend(old.places.iter().map(|(c, _)| *c));
        }
        if old == *new {
            continue;
        }
        pages.insert(id);
        let note = &brief.notes[id];
        if old.body.link_sentences != new.body.link_sentences {
            // "Mentioned in" on each page it links to, or linked to, quotes the sentence.
            pages.extend(note.body_links.iter().flatten().map(|l| l.note));
            pages.extend(applied.old_links.get(&id).into_iter().flatten().copied());
        }
        if old.sources.first() != new.sources.first() && note.kind == crate::model::Kind::Event {
            // Timelines show an event's first source.
            pages.extend(note.participants.iter().copied());
            timeline = true;
        }
    }
    for &id in &applied.roles_changed {
        // Companies list their people's roles (title, dates).
        pages.extend(brief.notes[id].roles.iter().map(|r| r.org));
    }
    pages.extend(applied.affected_sources.iter().copied());
    // Source pages link each mark to the first place that cites it.
    for c in placed {
        let place = place_of(brief, &memory.rendered.bodies, c);
        if memory.places[c] != place {
            pages.insert(brief.citations[c].source);
            memory.places[c] = place;
        }
    }
    trace("places");
    if let Some(old) = &applied.old_relations {
        let now = &brief.relations;
        let same_edges = |a: &[Edge], b: &[Edge]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.from == y.from && x.to == y.to && x.kind == y.kind)
        };
        for id in 0..brief.notes.len() {
            if !same_edges(&old.incoming[id], &now.incoming[id])
                || old.related[id] != now.related[id]
            {
                pages.insert(id);
            }
        }
    }
    let pages: Vec<NoteId> = pages.into_iter().collect();
    // The part of the graph these pages' neighbourhoods can reach, not the whole of it.
    let graph = memory.neighbourhoods.around(
        &memory.graph.0,
        &memory.graph.1,
        pages.iter().map(|&id| brief.notes[id].slug.as_str()),
    );
    let inputs = PageInputs {
        brief,
        evidence: &memory.evidence,
        rendered: &memory.rendered,
        places: &memory.places,
        graph: (&graph.0, &graph.1),
    };
    let outputs = inputs.note_pages(&memory.engine, &pages)?;
    trace("pages");
    memory.pages = memory.pages.with(outputs);
    trace("site");
    memory.stale.json = true;
    memory.stale.site_pages |= timeline;
    Ok(pages.len())
}

/// The first page, by note id, that shows citation `c`, with the id of its superscript there,
/// as [`partial::places`] finds it: its own note's, or the page of a company whose People list
/// shows the role it backs.
fn place_of(
    brief: &Brief,
    bodies: &[RenderedNote],
    c: CitationId,
) -> Option<(NoteId, crate::render::footnotes::RefId)> {
    let note = &brief.notes[brief.citations[c].note];
    let mut pages: Vec<NoteId> = note
        .roles
        .iter()
        .filter(|r| r.cites.contains(&c))
        .map(|r| r.org)
        .collect();
    pages.push(note.id);
    pages.sort_unstable();
    pages.into_iter().find_map(|page| {
        bodies[page]
            .places
            .iter()
            .find(|(placed, _)| *placed == c)
            .map(|(_, ref_id)| (page, *ref_id))
    })
}
