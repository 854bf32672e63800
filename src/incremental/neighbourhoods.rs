//! The part of the relationship graph a few pages need. A note page draws the neighbourhood of
//! its note: its neighbours, their neighbours when it has few, chosen by how connected each is.
//! All of that is decided by the nodes within two steps of the note and every edge touching
//! them (the degree of a node within two steps counts all its edges). Preparing that subgraph
//! costs microseconds; preparing the whole graph of 10,000 notes costs milliseconds on every
//! rebuild. The graph page still draws the whole graph ([`super::BuildMemory::catch_up`]).

use std::collections::{BTreeSet, HashMap};

use crate::graph::{GraphEdge, GraphNode};

/// Which edges touch each node, by slug, and where each node is.
#[derive(Default)]
pub struct GraphIndex {
    edges_of: HashMap<String, Vec<usize>>,
    node_at: HashMap<String, usize>,
}

impl GraphIndex {
    pub fn new(nodes: &[GraphNode], edges: &[GraphEdge]) -> GraphIndex {
        let mut edges_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in edges.iter().enumerate() {
            edges_of.entry(e.from.clone()).or_default().push(i);
            edges_of.entry(e.to.clone()).or_default().push(i);
        }
        let mut node_at = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            node_at.entry(n.id.clone()).or_insert(i);
        }
        GraphIndex { edges_of, node_at }
    }

    /// The nodes within two steps of `centers`, every edge touching one of them, and the
    /// nodes at the other ends; in the input's order.
    pub fn around<'a>(
        &self,
        nodes: &[GraphNode],
        edges: &[GraphEdge],
        centers: impl Iterator<Item = &'a str>,
    ) -> (Vec<GraphNode>, Vec<GraphEdge>) {
        let mut near: BTreeSet<&str> = centers.collect();
        let mut frontier: Vec<&str> = near.iter().copied().collect();
        for _ in 0..2 {
            let mut next = Vec::new();
            for slug in frontier {
                for &e in self.edges_of.get(slug).into_iter().flatten() {
                    for end in [edges[e].from.as_str(), edges[e].to.as_str()] {
                        if near.insert(end) {
                            next.push(end);
                        }
                    }
                }
            }
            frontier = next;
        }
        let touching: BTreeSet<usize> = near
            .iter()
            .flat_map(|slug| self.edges_of.get(*slug).into_iter().flatten().copied())
            .collect();
        let mut shown: BTreeSet<usize> = near
            .iter()
            .filter_map(|slug| self.node_at.get(*slug).copied())
            .collect();
        for &e in &touching {
            for end in [&edges[e].from, &edges[e].to] {
                shown.extend(self.node_at.get(end).copied());
            }
        }
        (
            shown.into_iter().map(|i| nodes[i].clone()).collect(),
            touching.into_iter().map(|e| edges[e].clone()).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{GraphOptions, NodeKind, PreparedGraph};

    /// A chain with a hub: every neighbourhood drawn from the subgraph around its centre is
    /// the one drawn from the whole graph.
    #[test]
    fn neighbourhoods_from_the_subgraph_are_those_of_the_whole_graph() {
        let node = |id: &str| GraphNode {
            id: id.to_string(),
            label: id.to_uppercase(),
            kind: NodeKind::Person,
            href: format!("/{id}/"),
        };
        let edge = |a: &str, b: &str| GraphEdge {
            from: a.to_string(),
            to: b.to_string(),
            label: "role".into(),
        };
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "hub"];
        let nodes: Vec<GraphNode> = names.iter().map(|n| node(n)).collect();
        let mut edges: Vec<GraphEdge> = names.windows(2).map(|w| edge(w[0], w[1])).collect();
        for n in ["a", "c", "e", "g", "i"] {
            edges.push(edge(n, "hub"));
        }
        edges.push(edge("d", "ghost"));
        let whole = PreparedGraph::new(&nodes, &edges);
        let index = GraphIndex::new(&nodes, &edges);
        let options = GraphOptions {
            max_nodes: 4,
            ..GraphOptions::default()
        };
        for center in names {
            let (sub_nodes, sub_edges) = index.around(&nodes, &edges, [center].into_iter());
            assert!(sub_nodes.len() <= nodes.len());
            let sub = PreparedGraph::new(&sub_nodes, &sub_edges);
            assert_eq!(
                sub.neighbourhood_svg(center, &options),
                whole.neighbourhood_svg(center, &options),
                "{center}"
            );
        }
    }
}
