//! After a patch: which bodies to render again, and from how they changed, which pages.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::patch::Applied;
use super::{BuildMemory, with_outputs};
use crate::render::partial::{self, PageInputs};
use crate::resolve::NoteId;
use crate::resolve::relations::Edge;

/// Renders the bodies and pages `applied` calls for into the memory's site; returns how many
/// note pages were rendered.
pub fn render(memory: &mut BuildMemory, applied: &Applied) -> Result<usize, String> {
    let brief = &memory.brief;
    let mut bodies: BTreeSet<NoteId> = applied.edited.iter().copied().collect();
    bodies.extend(applied.moved_anchors.iter().copied());
    for &id in &applied.edited {
        // A company's People list carries the footnotes of its people's roles.
        bodies.extend(brief.notes[id].roles.iter().map(|r| r.org));
    }
    let ids: Vec<NoteId> = bodies.into_iter().collect();
    let fresh = partial::render_bodies(brief, &memory.evidence, &memory.links, &ids);

    let mut pages: BTreeSet<NoteId> = applied.edited.iter().copied().collect();
    let mut timeline = false;
    for (&id, new) in ids.iter().zip(fresh) {
        let old = std::mem::replace(&mut memory.rendered.bodies[id], new);
        let new = &memory.rendered.bodies[id];
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
    let places = partial::places(brief, &memory.rendered.bodies);
    for (c, (old, new)) in applied.old_places.iter().zip(&places).enumerate() {
        if old != new {
            pages.insert(brief.citations[c].source);
        }
    }
    memory.places = places;
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
    let inputs = PageInputs {
        brief,
        evidence: &memory.evidence,
        rendered: &memory.rendered,
        places: &memory.places,
        graph: (&memory.graph.0, &memory.graph.1),
    };
    let outputs = inputs.note_pages(&memory.engine, &pages)?;
    memory.pages = Arc::new(with_outputs(&memory.pages, outputs));
    memory.stale.json = true;
    memory.stale.site_pages |= timeline;
    Ok(pages.len())
}
