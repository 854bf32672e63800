//! The link graph, derived once from resolved notes: who links to whom, people of each
//! company, children of each company, events of each participant, related notes.
//!
//! Everything is computed in one pass over the notes' references (linear in links and
//! relations); lists are sorted so output is stable. Nothing here renders.

use std::collections::BTreeMap;

use rayon::prelude::*;

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

/// Each note's place in the order of `key` over all notes, notes with equal keys sharing
/// one: comparing two places is comparing the two keys.
fn dense_rank(notes: &[Note], key: impl Fn(&Note) -> &str) -> Vec<u32> {
    let mut order: Vec<(&str, NoteId)> = notes.iter().map(|n| (key(n), n.id)).collect();
    order.par_sort_unstable();
    let mut rank = vec![0u32; notes.len()];
    let mut current = 0u32;
    for (place, &(key, id)) in order.iter().enumerate() {
        if place > 0 && order[place - 1].0 != key {
            current += 1;
        }
        rank[id] = current;
    }
    rank
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
        // The lists are sorted and ranked on every core, comparing small integers held in
        // arrays of their own: reading a note's kind, date or slug from `notes` (large
        // structs) for every tie was a cache miss each time, and most of this stage's time
        // at 10,000 notes, on one core.
        let entity: Vec<bool> = notes.iter().map(|n| n.kind.is_entity()).collect();
        let slug_rank = dense_rank(notes, |n| &n.slug);
        let date: Vec<_> = notes.iter().map(|n| n.date).collect();
        rel.incoming
            .par_iter_mut()
            .for_each(|list| list.sort_by(|a, b| (a.from, &a.kind).cmp(&(b.from, &b.kind))));
        rel.events.par_iter_mut().for_each(|list| {
            list.sort_by_key(|&e| (date[e], slug_rank[e]));
            list.dedup();
        });
        rel.children
            .par_iter_mut()
            .for_each(|list| list.sort_by(|&a, &b| notes[a].title.cmp(&notes[b].title)));
        rel.related = ties
            .into_par_iter()
            .enumerate()
            .map(|(id, mut tie_list)| {
                if !entity[id] {
                    return Vec::new();
                }
                // Each neighbour's weights summed: sorted by neighbour, then one pass.
                tie_list.retain(|&(other, _)| other != id && entity[other]);
                tie_list.sort_unstable_by_key(|&(other, _)| other);
                let mut ranked: Vec<(u32, NoteId)> = Vec::with_capacity(tie_list.len());
                for (other, weight) in tie_list {
                    match ranked.last_mut() {
                        Some((score, last)) if *last == other => *score += weight,
                        _ => ranked.push((weight, other)),
                    }
                }
                // Best score first, then by slug (slugs are unique, so the order is total).
                ranked.sort_unstable_by_key(|&(score, other)| {
                    (std::cmp::Reverse(score), slug_rank[other])
                });
                ranked.into_iter().take(6).map(|(_, o)| o).collect()
            })
            .collect();
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
