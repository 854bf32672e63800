//! The link graph, derived once from resolved notes: who links to whom, people of each
//! company, children of each company, events of each participant, related notes.
//!
//! Everything is computed in one pass over the notes' references (linear in links and
//! relations); lists are sorted so output is stable. Nothing here renders.

use std::collections::{BTreeMap, HashMap};

use super::{Note, NoteId};
use crate::model::Kind;

/// Why one note points at another.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// The n-th link of the source note's body.
    Body {
        link: usize,
    },
    Role,
    Participant,
    Parent,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: NoteId,
    pub to: NoteId,
    pub kind: EdgeKind,
}

#[derive(Default)]
pub struct Relations {
    /// For each note, the edges that point at it, sorted by (from, kind).
    pub incoming: Vec<Vec<Edge>>,
    /// For each company, (person, role index) pairs.
    pub people: Vec<Vec<(NoteId, usize)>>,
    /// For each company, its child companies.
    pub children: Vec<Vec<NoteId>>,
    /// For each person or company, the events it takes part in, sorted by date.
    pub events: Vec<Vec<NoteId>>,
    /// For each entity, up to six related notes, best first.
    pub related: Vec<Vec<NoteId>>,
}

impl Relations {
    pub fn build(notes: &[Note]) -> Relations {
        let n = notes.len();
        let mut rel = Relations {
            incoming: vec![Vec::new(); n],
            people: vec![Vec::new(); n],
            children: vec![Vec::new(); n],
            events: vec![Vec::new(); n],
            related: vec![Vec::new(); n],
        };
        // Neighbours by kind of tie, for the related score.
        let mut ties: Vec<Vec<(NoteId, u32)>> = vec![Vec::new(); n];
        for note in notes {
            for (i, link) in note.body_links.iter().enumerate() {
                if let Some(link) = link
                    && link.note != note.id
                {
                    rel.incoming[link.note].push(Edge {
                        from: note.id,
                        to: link.note,
                        kind: EdgeKind::Body { link: i },
                    });
                    ties[note.id].push((link.note, 1));
                    ties[link.note].push((note.id, 1));
                }
            }
            for (i, role) in note.roles.iter().enumerate() {
                rel.incoming[role.org].push(Edge {
                    from: note.id,
                    to: role.org,
                    kind: EdgeKind::Role,
                });
                rel.people[role.org].push((note.id, i));
                ties[note.id].push((role.org, 3));
                ties[role.org].push((note.id, 3));
            }
            if let Some(parent) = note.parent {
                rel.incoming[parent].push(Edge {
                    from: note.id,
                    to: parent,
                    kind: EdgeKind::Parent,
                });
                rel.children[parent].push(note.id);
                ties[note.id].push((parent, 3));
                ties[parent].push((note.id, 3));
            }
            for &p in &note.participants {
                rel.incoming[p].push(Edge {
                    from: note.id,
                    to: p,
                    kind: EdgeKind::Participant,
                });
                rel.events[p].push(note.id);
                ties[note.id].push((p, 3));
                ties[p].push((note.id, 3));
            }
        }
        // Two participants of the same event are tied through it.
        for note in notes.iter().filter(|n| n.kind == Kind::Event) {
            let ps = &note.participants;
            if ps.len() <= 12 {
                for (i, &a) in ps.iter().enumerate() {
                    for &b in &ps[i + 1..] {
                        ties[a].push((b, 2));
                        ties[b].push((a, 2));
                    }
                }
            }
        }
        for list in &mut rel.incoming {
            list.sort_by(|a, b| (a.from, &a.kind).cmp(&(b.from, &b.kind)));
        }
        for list in &mut rel.events {
            list.sort_by(|&a, &b| {
                (notes[a].date, &notes[a].slug).cmp(&(notes[b].date, &notes[b].slug))
            });
            list.dedup();
        }
        for list in &mut rel.children {
            list.sort_by(|&a, &b| notes[a].title.cmp(&notes[b].title));
        }
        for (id, tie_list) in ties.into_iter().enumerate() {
            if !notes[id].kind.is_entity() {
                continue;
            }
            let mut score: HashMap<NoteId, u32> = HashMap::new();
            for (other, weight) in tie_list {
                if other != id && notes[other].kind.is_entity() {
                    *score.entry(other).or_default() += weight;
                }
            }
            let mut ranked: Vec<(u32, NoteId)> = score.into_iter().map(|(o, s)| (s, o)).collect();
            ranked.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| notes[a.1].slug.cmp(&notes[b.1].slug))
            });
            rel.related[id] = ranked.into_iter().take(6).map(|(_, o)| o).collect();
        }
        rel
    }

    /// Notes that point at `id`, each once, in a stable order (by kind, then title).
    pub fn mentioned_in(&self, notes: &[Note], id: NoteId) -> Vec<(NoteId, Vec<&Edge>)> {
        let mut grouped: BTreeMap<(Kind, String, NoteId), Vec<&Edge>> = BTreeMap::new();
        for edge in &self.incoming[id] {
            let from = &notes[edge.from];
            grouped
                .entry((from.kind, from.title.to_lowercase(), from.id))
                .or_default()
                .push(edge);
        }
        grouped
            .into_iter()
            .map(|((_, _, from), edges)| (from, edges))
            .collect()
    }
}
