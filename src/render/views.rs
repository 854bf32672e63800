//! View structs: exactly what the templates see, made for them from the model.
//!
//! Also the two pieces of page HTML built in Rust because they interleave user text with
//! computed ranges: a source's paragraphs (escaped text, `<mark>`s, mention links) and the
//! graph SVGs (from [`crate::graph`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use super::PageContext;
use super::footnotes::SourceEntry;
use crate::graph::{GraphEdge, GraphNode, GraphOptions, NodeKind};
use crate::markdown::highlight::push_escaped_html;
use crate::model::Kind;
use crate::resolve::{Brief, NoteId};

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub base: String,
    pub language: String,
    pub nav: Vec<NavItem>,
    /// Whether the Pagefind index and UI are in the site.
    pub search: bool,
}

#[derive(Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    pub section: String,
}

impl SiteView {
    pub fn new(brief: &Brief) -> SiteView {
        let base = brief.config.base_path();
        let mut nav = Vec::new();
        for kind in [Kind::Person, Kind::Company, Kind::Event, Kind::Source] {
            nav.push(NavItem {
                title: kind.plural_title().into(),
                url: format!("{base}{}/", kind.folder()),
                section: kind.name().into(),
            });
        }
        for (title, path, section) in [
            ("Timeline", "timeline/", "timeline"),
            ("Graph", "graph/", "graph"),
            ("Search", "search/", "search"),
        ] {
            nav.push(NavItem {
                title: title.into(),
                url: format!("{base}{path}"),
                section: section.into(),
            });
        }
        if brief
            .notes
            .iter()
            .any(|n| n.kind == Kind::Page && n.slug == "method")
        {
            nav.push(NavItem {
                title: "Method".into(),
                url: format!("{base}pages/method/"),
                section: "page".into(),
            });
        }
        SiteView {
            title: brief.config.title.clone(),
            description: brief.config.description.clone(),
            base,
            language: brief.config.language.clone(),
            nav,
            search: crate::search::ENABLED && brief.config.search,
        }
    }
}

#[derive(Serialize)]
pub struct PageView {
    pub title: String,
    pub kind: String,
    pub url: String,
    pub canonical: String,
    pub description: String,
    pub json_ld: String,
}

/// A note (or tag) as the target of a link. A note's link is the same on every page that
/// links to it, so it is made into Tera's value once per build ([`NoteLink`]) and every page
/// shares that value: a page links to dozens of notes, and 10,000 pages serializing every
/// title, summary and link HTML into Tera's values again was a large share of page rendering.
#[derive(Clone)]
pub enum LinkView<'a> {
    /// A link to a note: the note, and what every link to it shares.
    Note {
        note: &'a crate::resolve::Note,
        link: &'a NoteLink,
    },
    /// Any other target (a tag), with fields of its own.
    Own(LinkFields<'a>),
}

impl Serialize for LinkView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Inside `tera::Value::from_serializable` this is a clone of the shared value
            // (an `Arc` for a map), not a second serialization.
            LinkView::Note { link, .. } => link.value.serialize(serializer),
            LinkView::Own(fields) => fields.serialize(serializer),
        }
    }
}

/// The fields templates see, for code that writes a link without Tera.
impl LinkView<'_> {
    pub fn title(&self) -> &str {
        match self {
            LinkView::Note { note, .. } => &note.title,
            LinkView::Own(fields) => &fields.title,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            LinkView::Note { link, .. } => &link.url,
            LinkView::Own(fields) => &fields.url,
        }
    }

    pub fn kind(&self) -> &str {
        match self {
            LinkView::Note { note, .. } => note.kind.name(),
            LinkView::Own(fields) => fields.kind,
        }
    }

    pub fn summary(&self) -> &str {
        match self {
            LinkView::Note { note, .. } => &note.summary,
            LinkView::Own(fields) => &fields.summary,
        }
    }

    /// The whole `<a class="wikilink" …>` of a link to a note (empty for a tag).
    pub fn html(&self) -> &str {
        match self {
            LinkView::Note { link, .. } => link.html(),
            LinkView::Own(fields) => &fields.html,
        }
    }
}

/// What templates see of a link: the same fields for a note's shared value and for a tag.
#[derive(Serialize, Clone)]
pub struct LinkFields<'a> {
    pub title: Cow<'a, str>,
    pub url: Cow<'a, str>,
    pub kind: &'a str,
    pub summary: Cow<'a, str>,
    /// The whole link as the default theme writes a wikilink to a note —
    /// `<a class="wikilink" href data-kind data-title data-summary>title</a>`, escaped as
    /// templates escape — so the theme writes one value instead of five (empty for tags).
    pub html: Cow<'a, str>,
}

/// What every link to one note shares, made the first time a page links to the note: its
/// address, and its [`LinkFields`] as Tera's value.
pub struct NoteLink {
    pub url: String,
    pub value: tera::Value,
}

impl NoteLink {
    pub fn new(base: &str, note: &crate::resolve::Note) -> NoteLink {
        let url = format!("{base}{}", note.path_in_site());
        let html = wikilink_html(&url, note);
        let value = tera::Value::from_serializable(&LinkFields {
            title: Cow::Borrowed(&note.title),
            url: Cow::Borrowed(&url),
            kind: note.kind.name(),
            summary: Cow::Borrowed(&note.summary),
            html: Cow::Owned(html),
        });
        NoteLink { url, value }
    }

    /// The link's HTML, read from the shared value, which holds its only copy. Looked up in
    /// the map directly: `get_from_path` first splits its path and tries each part as a number,
    /// and native pages ask this for every link they show (~1 million at 10,000 notes).
    pub fn html(&self) -> &str {
        self.value
            .as_map()
            .and_then(|fields| fields.get(&tera::value::Key::Str("html")))
            .and_then(tera::Value::as_str)
            .unwrap_or("")
    }
}

/// `<a class="wikilink" href data-kind data-title data-summary>title</a>` for a note at `url`.
fn wikilink_html(url: &str, note: &crate::resolve::Note) -> String {
    let mut html = Vec::with_capacity(
        80 + url.len() + 2 * note.title.len() + note.summary.len() + note.kind.name().len(),
    );
    let mut piece = |text: &str, escaped: bool| {
        if escaped {
            // Tera's own escaping, so the bytes are those the template wrote.
            let _ = tera::escape_html(text, &mut html);
        } else {
            html.extend_from_slice(text.as_bytes());
        }
    };
    piece("<a class=\"wikilink\" href=\"", false);
    piece(url, true);
    piece("\" data-kind=\"", false);
    piece(note.kind.name(), true);
    piece("\" data-title=\"", false);
    piece(&note.title, true);
    piece("\" data-summary=\"", false);
    piece(&note.summary, true);
    piece("\">", false);
    piece(&note.title, true);
    piece("</a>", false);
    String::from_utf8(html).unwrap_or_default()
}

#[derive(Serialize)]
pub struct TagView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct RoleView<'a> {
    pub org: LinkView<'a>,
    pub person: LinkView<'a>,
    pub title: String,
    pub dates: String,
    pub current: bool,
    pub cites_html: String,
    #[serde(skip)]
    pub sort: String,
}

#[derive(Serialize, Clone)]
pub struct FactValueView {
    pub value: String,
    pub as_of: String,
    pub cites_html: String,
}

#[derive(Serialize)]
pub struct FactView {
    pub label: String,
    pub values: Vec<FactValueView>,
}

#[derive(Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct CiteLinkView {
    pub title: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct TimelineEntry<'a> {
    pub event: LinkView<'a>,
    pub date: String,
    pub date_iso: String,
    pub dates: String,
    pub participants: Vec<LinkView<'a>>,
    pub first_cite: Option<CiteLinkView>,
}

#[derive(Serialize)]
pub struct BacklinkView<'a> {
    pub note: LinkView<'a>,
    pub contexts_html: Vec<String>,
}

#[derive(Serialize)]
pub struct CountedLinkView<'a> {
    pub link: LinkView<'a>,
    pub count: usize,
}

#[derive(Serialize)]
pub struct NoteView<'a> {
    pub kind: String,
    pub kind_label: String,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub aliases: Vec<String>,
    pub tags: Vec<TagView>,
    pub dates: String,
    pub date_iso: String,
    pub location: String,
    pub founded: String,
    pub website: String,
    pub parent: Option<LinkView<'a>>,
    pub children: Vec<LinkView<'a>>,
    pub participants: Vec<LinkView<'a>>,
    pub event_cites_html: String,
    pub roles: Vec<RoleView<'a>>,
    pub facts: Vec<FactView>,
    pub differ: Vec<FactView>,
    pub current_people: Vec<RoleView<'a>>,
    pub former_people: Vec<RoleView<'a>>,
    pub body_html: &'a str,
    pub toc: Vec<TocEntry>,
    pub show_toc: bool,
    pub timeline: Vec<TimelineEntry<'a>>,
    pub related: Vec<LinkView<'a>>,
    pub mentioned_in: Vec<BacklinkView<'a>>,
    pub appears_in: Vec<CountedLinkView<'a>>,
    pub neighbourhood_svg: String,
    pub sources: Vec<SourceEntry<'a>>,
    pub footnotes_html: &'a str,
}

#[derive(Serialize)]
pub struct NamedView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct ParagraphView {
    pub id: String,
    pub html: String,
}

#[derive(Serialize)]
pub struct SourceView<'a> {
    pub title: String,
    pub summary: String,
    pub publisher: Option<NamedView>,
    pub author: String,
    pub date: String,
    pub date_iso: String,
    pub url: String,
    pub via: Option<NamedView>,
    pub relies_on: Vec<NamedView>,
    pub language: String,
    pub original: String,
    pub paragraphs: Vec<ParagraphView>,
    pub cited_by: Vec<CountedLinkView<'a>>,
    pub mark_count: usize,
    pub tags: Vec<TagView>,
}

#[derive(Serialize)]
pub struct KindCount {
    pub title: String,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct HomeView<'a> {
    pub title: String,
    pub summary: String,
    pub body_html: &'a str,
    pub sources: Vec<SourceEntry<'a>>,
    pub footnotes_html: &'a str,
    pub counts: Vec<KindCount>,
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    pub heading: String,
    pub items: Vec<LinkView<'a>>,
}

#[derive(Serialize)]
pub struct ListView<'a> {
    pub title: String,
    pub intro: String,
    pub items: Vec<LinkView<'a>>,
    pub groups: Vec<GroupView<'a>>,
}

#[derive(Serialize)]
pub struct MonthView<'a> {
    pub heading: String,
    pub id: String,
    pub events: Vec<TimelineEntry<'a>>,
}

#[derive(Serialize)]
pub struct YearView<'a> {
    pub year: String,
    pub months: Vec<MonthView<'a>>,
}

#[derive(Serialize)]
pub struct GraphView {
    pub svg: String,
    pub shown: usize,
    pub total: usize,
}

/// A source's text as paragraphs: escaped, cited passages in `<mark>` with back-links to the
/// places that cite them, and mentions of notes linked.
pub fn source_paragraphs(
    ctx: &PageContext,
    id: NoteId,
    place_of: &[Option<(NoteId, crate::render::footnotes::RefId)>],
) -> Vec<ParagraphView> {
    let brief = ctx.brief;
    let note = &brief.notes[id];
    let Some(evidence) = ctx.evidence.sources[id].as_ref() else {
        return Vec::new();
    };
    let text = note.body.as_str();
    let mentions = &ctx.mentions.in_source[id];
    let mut mention_at = 0usize;
    let mut mark_at = 0usize;
    let mut out = Vec::with_capacity(evidence.paragraphs.len());
    for (pi, paragraph) in evidence.paragraphs.iter().enumerate() {
        let mut html = String::new();
        let mut pos = paragraph.range.start;
        let end = paragraph.range.end;
        // Marks of this paragraph, in order; mentions that do not cross a mark's edge.
        let marks: Vec<&crate::verify::Mark> = {
            let mut v = Vec::new();
            while mark_at < evidence.marks.len() && evidence.marks[mark_at].paragraph == pi {
                v.push(&evidence.marks[mark_at]);
                mark_at += 1;
            }
            v
        };
        while mention_at < mentions.len() && mentions[mention_at].0.start < pos {
            mention_at += 1;
        }
        let mut para_mentions = Vec::new();
        while mention_at < mentions.len() && mentions[mention_at].0.end <= end {
            let (range, target) = &mentions[mention_at];
            let crosses = marks.iter().any(|m| {
                (range.start < m.range.start && range.end > m.range.start)
                    || (range.start < m.range.end && range.end > m.range.end)
            });
            if !crosses {
                para_mentions.push((range.clone(), *target));
            }
            mention_at += 1;
        }
        let mut mi = 0usize;
        let push_text = |html: &mut String, from: usize, to: usize, mi: &mut usize| {
            let mut p = from;
            while *mi < para_mentions.len() && para_mentions[*mi].0.start < to {
                let (range, target) = &para_mentions[*mi];
                if range.start < p {
                    *mi += 1;
                    continue;
                }
                push_escaped(html, &text[p..range.start]);
                // Pushed piece by piece (and the address the note's links share): a source
                // page can hold hundreds of mentions and marks.
                html.push_str("<a class=\"mention\" href=\"");
                push_escaped_html(html, &ctx.note_link(*target).url);
                html.push_str("\">");
                push_escaped(html, &text[range.clone()]);
                html.push_str("</a>");
                p = range.end;
                *mi += 1;
            }
            push_escaped(html, &text[p..to]);
        };
        for mark in marks {
            push_text(&mut html, pos, mark.range.start, &mut mi);
            html.push_str("<mark id=\"");
            html.push_str(&mark.id);
            html.push_str("\" class=\"cited\">");
            push_text(&mut html, mark.range.start, mark.range.end, &mut mi);
            html.push_str("</mark><span class=\"mark-refs\" data-pagefind-ignore>");
            let mut seen = Vec::new();
            for c in &mark.citations {
                if let Some((citing, ref_id)) = place_of.get(*c).and_then(|p| p.as_ref()) {
                    if seen.contains(citing) {
                        continue;
                    }
                    seen.push(*citing);
                    let citing_note = &brief.notes[*citing];
                    html.push_str("<a class=\"mark-ref\" href=\"");
                    html.push_str(&ctx.note_link(*citing).url);
                    let _ = write!(html, "#{ref_id}\">↩&#xFE0E;&nbsp;");
                    push_escaped_html(&mut html, &citing_note.title);
                    html.push_str("</a>");
                }
            }
            html.push_str("</span>");
            pos = mark.range.end;
        }
        push_text(&mut html, pos, end, &mut mi);
        out.push(ParagraphView {
            id: paragraph.id.clone(),
            html,
        });
    }
    out
}

/// Escapes text and keeps the source's line breaks inside a paragraph.
fn push_escaped(html: &mut String, text: &str) {
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            html.push_str("<br>\n");
        }
        first = false;
        crate::markdown::highlight::push_escaped_html(html, line.trim_end_matches('\r'));
    }
}

pub fn graph_input(brief: &Brief, base: &str) -> (Vec<GraphNode>, Vec<GraphEdge>) {
    let mut nodes = Vec::new();
    for n in &brief.notes {
        let kind = match n.kind {
            Kind::Person => NodeKind::Person,
            Kind::Company => NodeKind::Company,
            Kind::Event => NodeKind::Event,
            _ => continue,
        };
        nodes.push(GraphNode {
            id: n.slug.clone(),
            label: n.title.clone(),
            kind,
            href: format!("{}{}", base, n.path_in_site()),
        });
    }
    let mut edges = Vec::new();
    for n in &brief.notes {
        for r in &n.roles {
            edges.push(GraphEdge {
                from: n.slug.clone(),
                to: brief.notes[r.org].slug.clone(),
                label: "role".into(),
            });
        }
        if let Some(p) = n.parent {
            edges.push(GraphEdge {
                from: n.slug.clone(),
                to: brief.notes[p].slug.clone(),
                label: "part of".into(),
            });
        }
        for &p in &n.participants {
            edges.push(GraphEdge {
                from: n.slug.clone(),
                to: brief.notes[p].slug.clone(),
                label: "participant".into(),
            });
        }
    }
    (nodes, edges)
}

pub fn whole_graph(ctx: &PageContext) -> GraphView {
    let g = ctx.graph.whole_svg(&GraphOptions {
        max_nodes: 150,
        width: 1100,
        height: 800,
    });
    GraphView {
        svg: g.svg,
        shown: g.shown_nodes,
        total: g.total_nodes,
    }
}

/// The note's neighbourhood, or nothing when the note has no relations to draw.
pub fn neighbourhood_svg(ctx: &PageContext, id: NoteId) -> String {
    let g = ctx.graph.neighbourhood_svg(
        &ctx.brief.notes[id].slug,
        &GraphOptions {
            max_nodes: 30,
            width: 640,
            height: 420,
        },
    );
    if g.shown_nodes <= 1 {
        String::new()
    } else {
        g.svg
    }
}
