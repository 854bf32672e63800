//! The relationship graph, drawn as a standalone SVG at build time: the whole brief for
//! `/graph/` and the local neighbourhood of one note for its page. This module owns choosing
//! which nodes are shown (a cap keeps the most connected, so a brief of 10,000 notes still
//! draws in milliseconds) and turning the caller's nodes and edges into one canonical graph,
//! so that the same input in any order gives the same bytes. Placing the nodes lives in
//! `layout`, writing the markup in `svg`. It knows nothing about notes, Markdown or templates:
//! the caller hands in plain nodes and edges with their labels and page URLs.
//!
//! Embedding: the SVG carries `width`/`height` at its natural size and a `viewBox`, so
//! `svg { max-width: 100%; height: auto }` scales it down; for the whole-brief graph on a
//! phone, a wrapper with `overflow-x: auto` and `max-width: none` keeps labels legible. The
//! theme recolours it through `--graph-person`, `--graph-company`, `--graph-event`,
//! `--graph-edge`, `--graph-text`, `--graph-background` and `--graph-focus`.

mod layout;
pub mod memo;
mod svg;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::markdown::render::push_decimal;

/// What a node stands for; decides its colour (through the CSS classes `node-person`,
/// `node-company`, `node-event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Person,
    Company,
    Event,
}

impl NodeKind {
    /// The CSS class on the node's `<a>`.
    fn class_name(self) -> &'static str {
        match self {
            NodeKind::Person => "node-person",
            NodeKind::Company => "node-company",
            NodeKind::Event => "node-event",
        }
    }

    /// The word used in tooltips and the graph's description.
    fn word(self) -> &'static str {
        match self {
            NodeKind::Person => "person",
            NodeKind::Company => "company",
            NodeKind::Event => "event",
        }
    }
}

/// One note drawn as a circle with its label; the whole node links to the note's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// The note's slug; unique. When two nodes share an id, the one that sorts first (by
    /// kind, label, href) is kept, so the choice does not depend on input order.
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
    /// URL of the note's page, already prefixed with the site's base path.
    pub href: String,
}

/// A relation between two notes, by slug. Edges naming an unknown node, and edges from a
/// node to itself, are ignored; several relations between the same two notes are drawn as
/// one line whose tooltip lists them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// e.g. "works at", "participant", "parent of".
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphOptions {
    /// At most this many nodes are drawn; above it the most connected are kept.
    pub max_nodes: usize,
    /// Only their ratio is used: the drawing takes this aspect ratio (clamped to 1:4…4:1)
    /// at whatever size its labels need; the SVG's `width`/`height` are that natural size.
    pub width: u32,
    pub height: u32,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions {
            max_nodes: 150,
            width: 960,
            height: 640,
        }
    }
}

/// The drawing plus the counts a page needs to say "showing the 150 most connected of
/// 10,000".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphSvg {
    pub svg: String,
    pub shown_nodes: usize,
    pub total_nodes: usize,
}

/// A neighbourhood with fewer direct neighbours than this also shows their neighbours.
const FEW_NEIGHBOURS: usize = 6;

/// A ceiling on `max_nodes`: nobody reads a drawing of more, and the layout's cost grows
/// with the density of what is drawn (1,000 nodes of a dense graph take ~0.2 s; 10,000
/// take seconds).
pub const MAX_DRAWN_NODES: usize = 1000;

/// The whole-brief graph. Deterministic: the same input (in any order) gives byte-identical
/// SVG. Above `options.max_nodes` (itself at most `MAX_DRAWN_NODES`) the most connected
/// nodes are kept (degree = number of distinct notes a node is related to, counted over the
/// whole graph; ties broken by id) and the rest dropped.
#[must_use]
pub fn render_graph_svg(
    nodes: &[GraphNode],
    edges: &[GraphEdge],
    options: &GraphOptions,
) -> GraphSvg {
    PreparedGraph::new(nodes, edges).whole_svg(options)
}

/// The local neighbourhood of one note: the note, its direct neighbours and, when it has
/// fewer than six, their neighbours too; capped at `options.max_nodes` (at least the centre
/// is always shown), preferring direct neighbours, then the nodes tied to more of the shown
/// ones, then the most connected. `total_nodes` counts the neighbourhood before the cap; an
/// unknown centre gives an empty drawing with both counts zero.
///
/// Each call sorts and indexes the whole graph first; to draw one neighbourhood per page,
/// prepare the graph once with [`PreparedGraph`] and ask it for each page.
#[must_use]
pub fn render_neighbourhood_svg(
    center: &str,
    nodes: &[GraphNode],
    edges: &[GraphEdge],
    options: &GraphOptions,
) -> GraphSvg {
    PreparedGraph::new(nodes, edges).neighbourhood_svg(center, options)
}

/// The graph sorted and indexed once (O(edges · log edges)), then drawn many times: the
/// whole graph, and one neighbourhood per note at a cost that depends only on the size of
/// that neighbourhood, never on the size of the brief. `Sync`, so pages rendered in parallel
/// can share it.
pub struct PreparedGraph<'a> {
    graph: CanonicalGraph<'a>,
    /// Layouts of the previous build, reused for drawings of the same input.
    layouts: Option<memo::LayoutMemo>,
}

impl<'a> PreparedGraph<'a> {
    #[must_use]
    pub fn new(nodes: &'a [GraphNode], edges: &'a [GraphEdge]) -> Self {
        PreparedGraph {
            graph: CanonicalGraph::new(nodes, edges),
            layouts: None,
        }
    }

    /// Draws with the layouts of the previous build's memo file (`previous`, empty when there
    /// is none), and keeps this build's for [`PreparedGraph::into_layout_memo`].
    #[must_use]
    pub fn remembering_layouts(mut self, previous: Vec<u8>) -> Self {
        self.layouts = Some(memo::LayoutMemo::from_previous(previous));
        self
    }

    /// This build's layouts, as the file for the next build's
    /// [`PreparedGraph::remembering_layouts`], and how many were (reused, made).
    pub fn into_layout_memo(self) -> Option<(Vec<u8>, (usize, usize))> {
        let memo = self.layouts?;
        let counts = memo.counts();
        Some((memo.into_bytes(), counts))
    }

    /// Number of distinct nodes (by id).
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.graph.nodes.len()
    }

    /// See [`render_graph_svg`].
    #[must_use]
    pub fn whole_svg(&self, options: &GraphOptions) -> GraphSvg {
        let graph = &self.graph;
        let total_nodes = graph.nodes.len();
        let kept = graph.most_connected(options.max_nodes);
        let shown = graph.induced(&kept, None);
        let title = "Relationship graph of the brief";
        let description = describe(&shown, total_nodes, "most connected notes");
        let svg = draw(
            &shown,
            "all",
            title,
            &description,
            options,
            self.layouts.as_ref(),
        );
        GraphSvg {
            svg,
            shown_nodes: shown.nodes.len(),
            total_nodes,
        }
    }

    /// See [`render_neighbourhood_svg`].
    #[must_use]
    pub fn neighbourhood_svg(&self, center: &str, options: &GraphOptions) -> GraphSvg {
        let graph = &self.graph;
        let Some(center_index) = graph.index_of(center) else {
            let empty = graph.induced(&[], None);
            let svg = draw(
                &empty,
                center,
                "No connections to show",
                "This note is not in the relationship graph.",
                options,
                self.layouts.as_ref(),
            );
            return GraphSvg {
                svg,
                shown_nodes: 0,
                total_nodes: 0,
            };
        };
        let cap = options.max_nodes.clamp(1, MAX_DRAWN_NODES);
        let (kept, total_nodes) = graph.neighbourhood(center_index, cap);
        let shown = graph.induced(&kept, Some(center_index));
        let title = format!("Connections of {}", graph.nodes[center_index].label);
        let description = describe(&shown, total_nodes, "closest notes");
        let svg = draw(
            &shown,
            center,
            &title,
            &description,
            options,
            self.layouts.as_ref(),
        );
        GraphSvg {
            svg,
            shown_nodes: shown.nodes.len(),
            total_nodes,
        }
    }
}

/// The caller's graph with duplicates removed and everything sorted: nodes by id, links by
/// the pair of node indices. Every later step works on indices into `nodes`, so iteration
/// order, and therefore the output, never depends on the input order.
struct CanonicalGraph<'a> {
    nodes: Vec<&'a GraphNode>,
    index: HashMap<&'a str, usize, BuildHasherDefault<Fnv1a>>,
    links: Vec<Link>,
    /// Number of distinct nodes each node is linked to.
    degrees: Vec<usize>,
    /// For each node, the indices (ascending) of the links that touch it.
    incident: Vec<Vec<usize>>,
    /// The link of each pair `(a, b)`, `a < b`: a neighbourhood that holds a hub (an outlet
    /// cited by thousands of notes) asks for the hub's few links to the other shown nodes
    /// instead of reading all of the hub's links on every page.
    link_of_pair: HashMap<(usize, usize), usize, BuildHasherDefault<Fnv1a>>,
    /// (index of the `from` node, label) of every relation, grouped by link; each link
    /// owns a range of it. One flat vector instead of one per link: 50,000 edges, one
    /// allocation.
    relations: Vec<(usize, &'a str)>,
}

/// All relations between one pair of nodes, `a < b`.
struct Link {
    a: usize,
    b: usize,
    /// Where this pair's relations sit in `CanonicalGraph::relations`, sorted, no duplicates.
    relations: std::ops::Range<usize>,
}

/// FNV-1a: a fast hash for the slug index (SipHash's protection against crafted keys is not
/// needed for a build's own notes). Only looked up, so its order never reaches the output.
#[derive(Default)]
struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// The nodes chosen for one drawing, re-indexed from 0, with the links among them.
struct ShownGraph<'a> {
    nodes: Vec<&'a GraphNode>,
    links: Vec<ShownLink>,
    center: Option<usize>,
}

struct ShownLink {
    a: usize,
    b: usize,
    /// The edge's tooltip: sentences like "Ruoming Pang works at Apple", sorted, without
    /// duplicates, joined by "; ".
    title: String,
}

impl<'a> CanonicalGraph<'a> {
    fn new(nodes: &'a [GraphNode], edges: &'a [GraphEdge]) -> Self {
        let mut sorted: Vec<&GraphNode> = nodes.iter().collect();
        sorted.sort_by(|x, y| {
            (&x.id, x.kind, &x.label, &x.href).cmp(&(&y.id, y.kind, &y.label, &y.href))
        });
        sorted.dedup_by(|later, first| later.id == first.id);
        let index: HashMap<&str, usize, BuildHasherDefault<Fnv1a>> = sorted
            .iter()
            .enumerate()
            .map(|(i, node)| (node.id.as_str(), i))
            .collect();

        let mut all: Vec<(usize, usize, usize, &str)> = edges
            .iter()
            .filter_map(|edge| {
                let from = *index.get(edge.from.as_str())?;
                let to = *index.get(edge.to.as_str())?;
                (from != to).then(|| (from.min(to), from.max(to), from, edge.label.as_str()))
            })
            .collect();
        all.sort_unstable();
        all.dedup();

        let mut links: Vec<Link> = Vec::new();
        let mut relations = Vec::with_capacity(all.len());
        for (position, &(a, b, from, label)) in all.iter().enumerate() {
            match links.last_mut() {
                Some(link) if link.a == a && link.b == b => link.relations.end = position + 1,
                _ => links.push(Link {
                    a,
                    b,
                    relations: position..position + 1,
                }),
            }
            relations.push((from, label));
        }
        let mut incident = vec![Vec::new(); sorted.len()];
        for (link_index, link) in links.iter().enumerate() {
            incident[link.a].push(link_index);
            incident[link.b].push(link_index);
        }
        let degrees = incident.iter().map(Vec::len).collect();
        let link_of_pair = links
            .iter()
            .enumerate()
            .map(|(link_index, link)| ((link.a, link.b), link_index))
            .collect();
        CanonicalGraph {
            nodes: sorted,
            index,
            links,
            degrees,
            incident,
            link_of_pair,
            relations,
        }
    }

    /// The node at the other end of `link` from `node`.
    fn other_end(&self, link: usize, node: usize) -> usize {
        let link = &self.links[link];
        if link.a == node { link.b } else { link.a }
    }

    fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Indices (sorted) of the `cap` most connected nodes, ties by id; `cap` is at most
    /// `MAX_DRAWN_NODES`.
    fn most_connected(&self, cap: usize) -> Vec<usize> {
        let cap = cap.min(MAX_DRAWN_NODES);
        let mut kept: Vec<usize> = (0..self.nodes.len()).collect();
        if kept.len() > cap {
            let degrees = &self.degrees;
            kept.sort_by(|&a, &b| degrees[b].cmp(&degrees[a]).then(a.cmp(&b)));
            kept.truncate(cap);
            kept.sort_unstable();
        }
        kept
    }

    /// The centre, its neighbours and (if they are few) theirs, capped at `cap`; returns the
    /// kept indices (sorted) and the size of the neighbourhood before the cap. Touches only
    /// the neighbourhood: sets are hash sets that are looked up, never iterated.
    fn neighbourhood(&self, center: usize, cap: usize) -> (Vec<usize>, usize) {
        let degrees = &self.degrees;
        let by_importance = |x: &usize, y: &usize| degrees[*y].cmp(&degrees[*x]).then(x.cmp(y));

        let mut direct: Vec<usize> = self.incident[center]
            .iter()
            .map(|&link| self.other_end(link, center))
            .collect();
        direct.sort_by(by_importance);
        let mut in_neighbourhood: HashSet<usize> = direct.iter().copied().collect();
        in_neighbourhood.insert(center);

        let mut second: Vec<usize> = Vec::new();
        if direct.len() < FEW_NEIGHBOURS {
            for &n in &direct {
                for &link in &self.incident[n] {
                    let m = self.other_end(link, n);
                    if in_neighbourhood.insert(m) {
                        second.push(m);
                    }
                }
            }
        }
        let total = 1 + direct.len() + second.len();

        let mut kept = vec![center];
        kept.extend(direct.iter().copied().take(cap.saturating_sub(1)));
        if kept.len() < cap && !second.is_empty() {
            // Prefer the second-hop nodes that tie together more of what is already shown.
            let shown: HashSet<usize> = kept.iter().copied().collect();
            let ties = |m: usize| {
                self.incident[m]
                    .iter()
                    .filter(|&&link| shown.contains(&self.other_end(link, m)))
                    .count()
            };
            let mut ranked: Vec<(usize, usize, usize)> =
                second.iter().map(|&m| (ties(m), degrees[m], m)).collect();
            ranked.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2)));
            let room = cap - kept.len();
            kept.extend(ranked.into_iter().take(room).map(|(_, _, m)| m));
        }
        kept.sort_unstable();
        (kept, total)
    }

    /// The subgraph on `kept` (sorted indices), re-indexed; costs the sum of the kept nodes'
    /// degrees, not the size of the whole graph.
    fn induced(&self, kept: &[usize], center: Option<usize>) -> ShownGraph<'a> {
        let new_index = |old: usize| kept.binary_search(&old).ok();
        let mut link_indices: Vec<usize> = Vec::new();
        for &node in kept {
            if self.incident[node].len() <= kept.len() {
                link_indices.extend(self.incident[node].iter().copied().filter(|&link| {
                    let link = &self.links[link];
                    new_index(link.a).is_some() && new_index(link.b).is_some()
                }));
            } else {
                // A hub: its links to the other kept nodes, by pair, whatever its degree.
                link_indices.extend(kept.iter().filter_map(|&other| {
                    self.link_of_pair
                        .get(&(node.min(other), node.max(other)))
                        .copied()
                }));
            }
        }
        link_indices.sort_unstable();
        link_indices.dedup();
        let links = link_indices
            .into_iter()
            .filter_map(|link_index| {
                let link = &self.links[link_index];
                let mut relations: Vec<String> = self.relations[link.relations.clone()]
                    .iter()
                    .map(|&(from, label)| {
                        let to = if from == link.a { link.b } else { link.a };
                        let from_label = &self.nodes[from].label;
                        let to_label = &self.nodes[to].label;
                        // Pushed rather than `format!`ed: a dozen of these per entity
                        // page, and the formatting machinery cost more than the copying.
                        let middle = if label.trim().is_empty() {
                            "–"
                        } else {
                            label
                        };
                        let mut sentence = String::with_capacity(
                            from_label.len() + middle.len() + to_label.len() + 2,
                        );
                        for piece in [from_label.as_str(), " ", middle, " ", to_label] {
                            sentence.push_str(piece);
                        }
                        sentence
                    })
                    .collect();
                relations.sort();
                relations.dedup();
                // Most pairs have one relation: its sentence is the title, no join needed.
                let title = if relations.len() == 1 {
                    relations.pop().unwrap_or_default()
                } else {
                    relations.join("; ")
                };
                Some(ShownLink {
                    a: new_index(link.a)?,
                    b: new_index(link.b)?,
                    title,
                })
            })
            .collect();
        ShownGraph {
            nodes: kept.iter().map(|&i| self.nodes[i]).collect(),
            links,
            center: center.and_then(new_index),
        }
    }
}

/// "13 people, 27 companies and 17 events, 150 relations." plus, when capped, which part is
/// shown.
fn describe(shown: &ShownGraph, total_nodes: usize, what_is_kept: &str) -> String {
    let count = |kind: NodeKind| shown.nodes.iter().filter(|n| n.kind == kind).count();
    let people = count(NodeKind::Person);
    let companies = count(NodeKind::Company);
    let events = count(NodeKind::Event);
    // Pushed rather than formatted: every entity page describes its drawing.
    let mut text = String::with_capacity(128);
    let mut count_of = |n: usize, one: &str, many: &str, after: &str| {
        push_decimal(&mut text, n);
        text.push(' ');
        text.push_str(if n == 1 { one } else { many });
        text.push_str(after);
    };
    count_of(people, "person", "people", ", ");
    count_of(companies, "company", "companies", " and ");
    count_of(events, "event", "events", ", ");
    count_of(shown.links.len(), "relation", "relations", ".");
    if shown.nodes.len() < total_nodes {
        text.push_str(" Showing the ");
        push_decimal(&mut text, shown.nodes.len());
        text.push(' ');
        text.push_str(what_is_kept);
        text.push_str(" of ");
        push_decimal(&mut text, total_nodes);
        text.push('.');
    }
    text
}

/// Lays out the shown graph (or takes its layout from `layouts`) and writes it as SVG.
fn draw(
    shown: &ShownGraph,
    id_seed: &str,
    title: &str,
    description: &str,
    options: &GraphOptions,
    layouts: Option<&memo::LayoutMemo>,
) -> String {
    let degrees = {
        let mut degrees = vec![0usize; shown.nodes.len()];
        for link in &shown.links {
            degrees[link.a] += 1;
            degrees[link.b] += 1;
        }
        degrees
    };
    let display_labels: Vec<String> = shown
        .nodes
        .iter()
        .map(|node| svg::display_label(&node.label))
        .collect();
    let sizes: Vec<layout::NodeSize> = display_labels
        .iter()
        .zip(&degrees)
        .enumerate()
        .map(|(i, (label, &degree))| layout::NodeSize {
            radius: svg::node_radius(degree, shown.center == Some(i)),
            label_width: svg::estimate_text_width(label),
            label_height: svg::LABEL_FONT_PX,
        })
        .collect();
    let pairs: Vec<(usize, usize)> = shown.links.iter().map(|l| (l.a, l.b)).collect();
    let aspect = if options.width > 0 && options.height > 0 {
        f64::from(options.width) / f64::from(options.height)
    } else {
        1.5
    };
    let input = layout::LayoutInput {
        sizes: &sizes,
        links: &pairs,
        degrees: &degrees,
        pinned: shown.center,
        aspect,
    };
    let placed = match layouts {
        Some(memo) => memo.place(&input),
        None => layout::place(&input),
    };

    let nodes: Vec<svg::SvgNode> = shown
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| svg::SvgNode {
            label: &node.label,
            display_label: &display_labels[i],
            kind: node.kind,
            href: &node.href,
            position: placed.positions[i],
            radius: sizes[i].radius,
            is_center: shown.center == Some(i),
        })
        .collect();
    let edges: Vec<svg::SvgEdge> = shown
        .links
        .iter()
        .map(|link| svg::SvgEdge {
            from: placed.positions[link.a],
            to: placed.positions[link.b],
            title: &link.title,
            touches_center: shown.center.is_some_and(|c| c == link.a || c == link.b),
        })
        .collect();
    svg::write_svg(&svg::SvgDocument {
        id_prefix: svg::id_prefix(id_seed),
        title,
        description,
        width: placed.width,
        height: placed.height,
        nodes: &nodes,
        edges: &edges,
    })
}

#[cfg(test)]
mod tests;
