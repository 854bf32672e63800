//! Rendering part of the site, for `serve`'s incremental rebuilds ([`crate::incremental`]):
//! the bodies of some notes, the pages of some notes, and the site-wide files, each from the
//! same code a full render uses, given what the previous render kept ([`Rendered`]).
//!
//! Which parts to render is not decided here: the caller knows what an edit changed.

use rayon::prelude::*;

use super::{PageContext, RenderedNote, data, mentions, render_note_body, templates, views};
use crate::graph::{GraphEdge, GraphNode, PreparedGraph};
use crate::markdown::render::LinkHtml;
use crate::output::Output;
use crate::resolve::{Brief, NoteId};
use crate::verify::Evidence;

/// What a render keeps for the next one: every note's rendered body (indexed by note id) and
/// where source texts name notes.
pub struct Rendered {
    pub bodies: Vec<RenderedNote>,
    pub mentions: mentions::Mentions,
}

/// How each note looks as the target of a link in a body (indexed by note id).
pub fn link_views(brief: &Brief) -> Vec<LinkHtml<'static>> {
    let base = brief.config.base_path();
    brief
        .notes
        .iter()
        .map(|n| LinkHtml {
            label: None,
            href: format!("{base}{}", n.path_in_site()).into(),
            kind: n.kind.name(),
            title: n.title.clone().into(),
            summary: n.summary.clone().into(),
        })
        .collect()
}

/// For each citation, the page that cites it first (by note id) and the id of its superscript
/// there.
pub fn places(
    brief: &Brief,
    bodies: &[RenderedNote],
) -> Vec<Option<(NoteId, crate::render::footnotes::RefId)>> {
    let mut places: Vec<Option<(NoteId, crate::render::footnotes::RefId)>> =
        vec![None; brief.citations.len()];
    for (citing, r) in bodies.iter().enumerate() {
        for (c, ref_id) in &r.places {
            if places[*c].is_none() {
                places[*c] = Some((citing, *ref_id));
            }
        }
    }
    places
}

/// The bodies of the notes `ids`, in that order.
pub fn render_bodies(
    brief: &Brief,
    evidence: &Evidence,
    links: &[LinkHtml],
    ids: &[NoteId],
) -> Vec<RenderedNote> {
    let base = brief.config.base_path();
    ids.par_iter()
        .map(|&id| render_note_body(brief, evidence, &base, links, None, id))
        .collect()
}

/// The graph's input, as [`views::graph_input`] makes it for a full render.
pub fn graph_input(brief: &Brief) -> (Vec<GraphNode>, Vec<GraphEdge>) {
    views::graph_input(brief, &brief.config.base_path())
}

/// Everything a page needs besides the brief, prepared once for many pages.
pub struct PageInputs<'a> {
    pub brief: &'a Brief,
    pub evidence: &'a Evidence,
    pub rendered: &'a Rendered,
    pub places: &'a [Option<(NoteId, crate::render::footnotes::RefId)>],
    pub graph: (&'a [GraphNode], &'a [GraphEdge]),
}

impl PageInputs<'_> {
    fn with_context<T>(&self, work: impl FnOnce(&PageContext) -> T) -> T {
        let base = self.brief.config.base_path();
        let site = views::SiteView::new(self.brief);
        let graph = PreparedGraph::new(self.graph.0, self.graph.1);
        let links = super::note_links(self.brief);
        let ctx = PageContext {
            brief: self.brief,
            evidence: self.evidence,
            rendered: &self.rendered.bodies,
            mentions: &self.rendered.mentions,
            base: &base,
            site: &site,
            site_value: tera::Value::from_serializable(&site),
            graph: &graph,
            places: self.places,
            links: &links,
        };
        work(&ctx)
    }

    /// The pages of the notes `ids`.
    pub fn note_pages(
        &self,
        engine: &templates::Engine,
        ids: &[NoteId],
    ) -> Result<Vec<Output>, String> {
        self.with_context(|ctx| {
            ids.par_iter()
                .map(|&id| ctx.note_page(engine, id))
                .collect()
        })
    }

    /// The site-wide pages (indexes, tags, timeline, graph, search, 404, the home page when no
    /// note is one), as a full render makes them.
    pub fn site_pages(&self, engine: &templates::Engine) -> Result<Vec<Output>, String> {
        self.with_context(|ctx| ctx.site_pages(engine))
    }

    /// `casefile.json`, about `size_hint` bytes long (the previous one's size, or 0).
    pub fn brief_json(&self, size_hint: usize) -> Output {
        // A little room over the previous size: an edit that adds a sentence fits.
        let capacity = size_hint + size_hint / 16;
        Output::new(
            "casefile.json",
            data::brief_json(
                self.brief,
                self.evidence,
                &self.brief.config.base_path(),
                capacity,
            ),
        )
    }
}
