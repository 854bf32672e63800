//! Stage 4, render: the brief and its evidence become the site's files.
//!
//! Bodies are rendered first, in parallel, each with its own footnote numbering; then every
//! page is assembled from view structs made for the templates (templates never see the
//! internal model) and rendered through Tera, in parallel again. Site-wide files (indexes,
//! timeline, tags, graph, feed, sitemap, `casefile.json`) are made here too. Each file goes to
//! an [`crate::output::Sink`] the moment it is made: `build` writes it straight into the
//! staging folder, so the site never has to sit in memory whole; `serve` keeps it.

pub mod data;
pub mod footnotes;
pub mod json_ld;
pub mod mentions;
pub mod native;
pub mod partial;
pub mod templates;
pub mod views;

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::markdown::highlight_memo::{self, HighlightMemo};
use crate::markdown::render::{BodyContext, LinkHtml, RenderedBody, render_body};
use crate::model::Kind;
use crate::output::Output;
use crate::resolve::{Brief, NoteId};
use crate::verify::Evidence;
use footnotes::{FootnoteSource, PageFootnotes, SourceEntry};
use views::*;

/// A note's body and citations, rendered before pages are assembled.
#[derive(PartialEq)]
pub struct RenderedNote {
    pub body: RenderedBody,
    pub sources: Vec<FootnoteSource>,
    /// (citation, ref id on this page).
    pub places: Vec<(usize, crate::render::footnotes::RefId)>,
    /// A digest of the infobox's superscripts ([`ClaimCites`]): every body is kept until all
    /// pages are made, so the superscripts themselves are made again with the page (the same
    /// numbering, since claims are numbered first), and serve compares this to see that they
    /// changed.
    pub claims_digest: u64,
}

/// The superscripts of a note's front matter claims, numbered before its body's.
pub struct ClaimCites {
    pub roles: Vec<String>,
    pub facts: Vec<String>,
    pub event: String,
    /// For a company, the citations of each person's role there, as `relations.people` lists them.
    pub people: Vec<String>,
}

impl ClaimCites {
    /// Numbers the note's claims on `footnotes` (which must be fresh: claims come first).
    fn number(footnotes: &mut PageFootnotes, brief: &Brief, id: NoteId) -> ClaimCites {
        let note = &brief.notes[id];
        ClaimCites {
            roles: note
                .roles
                .iter()
                .map(|r| footnotes.claim_html(&r.cites))
                .collect(),
            facts: note
                .facts
                .iter()
                .map(|f| footnotes.claim_html(&f.cites))
                .collect(),
            event: footnotes.claim_html(&note.cites),
            people: brief.relations.people[id]
                .iter()
                .map(|&(person, i)| footnotes.claim_html(&brief.notes[person].roles[i].cites))
                .collect(),
        }
    }

    /// Numbers the claims on `footnotes` as [`ClaimCites::number`] does and returns a digest
    /// of what their superscripts are made of, without writing them: the body's rendering
    /// needs only the numbering and this digest, and writing every superscript twice (here
    /// and with the page) was a quarter of numbering them.
    fn digest(footnotes: &mut PageFootnotes, brief: &Brief, id: NoteId) -> u64 {
        use std::hash::{Hash, Hasher};
        let note = &brief.notes[id];
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let people = &brief.relations.people[id];
        (note.roles.len(), note.facts.len(), people.len()).hash(&mut hasher);
        for role in &note.roles {
            footnotes.digest_claim(&role.cites, &mut hasher);
        }
        for fact in &note.facts {
            footnotes.digest_claim(&fact.cites, &mut hasher);
        }
        footnotes.digest_claim(&note.cites, &mut hasher);
        for &(person, i) in people {
            footnotes.digest_claim(&brief.notes[person].roles[i].cites, &mut hasher);
        }
        hasher.finish()
    }
}

/// Which pages to render: all of them, or (for an incremental rebuild) the site-wide pages
/// and only the listed notes' pages, with or without the search index.
#[derive(Clone, Copy, Default)]
pub struct Selection<'a> {
    pub only_notes: Option<&'a std::collections::HashSet<NoteId>>,
    pub skip_search: bool,
}

/// Renders every page of the site.
pub fn render_site(
    brief: &Brief,
    evidence: &Evidence,
    engine: &templates::Engine,
) -> Result<Vec<Output>, String> {
    render_selected(brief, evidence, engine, Selection::default())
}

/// Renders the site-wide pages and the selected notes' pages into memory, sorted by path.
pub fn render_selected(
    brief: &Brief,
    evidence: &Evidence,
    engine: &templates::Engine,
    selection: Selection,
) -> Result<Vec<Output>, String> {
    let collect = crate::output::Collect::default();
    render_into(brief, evidence, engine, selection, &collect)?;
    let mut outputs = collect.into_outputs();
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(outputs)
}

/// Renders the site-wide pages and the selected notes' pages, handing each file to `sink` as
/// soon as it is made (from several threads). Every body is still rendered: pages show
/// sentences and footnote places of other notes.
pub fn render_into(
    brief: &Brief,
    evidence: &Evidence,
    engine: &templates::Engine,
    selection: Selection,
    sink: &dyn crate::output::Sink,
) -> Result<(), String> {
    render_into_keeping(brief, evidence, engine, selection, sink).map(|_| ())
}

/// [`render_into`], returning the rendered bodies and the mentions, which `serve` keeps to
/// render only what an edit changes next time ([`partial`]).
pub fn render_into_keeping(
    brief: &Brief,
    evidence: &Evidence,
    engine: &templates::Engine,
    selection: Selection,
    sink: &dyn crate::output::Sink,
) -> Result<partial::Rendered, String> {
    let base = brief.config.base_path();
    let link_html = partial::link_views(brief);

    let started = std::time::Instant::now();
    let tr = |step: &str| crate::trace::step("render", started, step);
    // Only a build into a folder keeps the highlighted blocks for the next one.
    let highlights = sink.keeps_files().then(|| {
        HighlightMemo::from_previous(sink.previous(highlight_memo::FILE).unwrap_or_default())
    });
    // Mentions and the graph's nodes and links need only the brief: made beside the bodies,
    // their serial parts (indexing the names, listing the nodes) overlap with body rendering
    // on the other core instead of leaving it idle after.
    let (rendered, (mentions, (graph_nodes, graph_edges))) = rayon::join(
        || -> Vec<RenderedNote> {
            brief
                .notes
                .par_iter()
                .map(|note| {
                    render_note_body(
                        brief,
                        evidence,
                        &base,
                        &link_html,
                        highlights.as_ref(),
                        note.id,
                    )
                })
                .collect()
        },
        || {
            (
                mentions::find_mentions(brief),
                views::graph_input(brief, &base),
            )
        },
    );
    // Only bodies link with these.
    drop(link_html);
    tr("bodies and mentions");
    if let Some(memo) = highlights {
        if crate::trace::enabled() {
            let (reused, made) = memo.counts();
            eprintln!("    render: code blocks {reused} reused, {made} highlighted");
        }
        if let Some(bytes) = memo.into_bytes() {
            sink.put(Output::new(highlight_memo::FILE, bytes))?;
        }
    }
    // The notes' search records, each made when the index comes to it (see `NoteRecord`).
    let records: Vec<NoteRecord> =
        if !selection.skip_search && crate::search::ENABLED && brief.config.search {
            (0..brief.notes.len())
                .map(|id| NoteRecord {
                    brief,
                    rendered: &rendered,
                    id,
                })
                .collect()
        } else {
            Vec::new()
        };
    tr("records");
    {
        let site = SiteView::new(brief);
        let places = partial::places(brief, &rendered);
        let mut graph = crate::graph::PreparedGraph::new(&graph_nodes, &graph_edges);
        if sink.keeps_files() {
            let previous = sink.previous(crate::graph::memo::FILE);
            graph = graph.remembering_layouts(previous.unwrap_or_default());
        }
        let links = note_links(brief);
        tr("graph");
        let ctx = PageContext {
            brief,
            evidence,
            rendered: &rendered,
            mentions: &mentions,
            base: &base,
            site: &site,
            site_value: tera::Value::from_serializable(&site),
            graph: &graph,
            places: &places,
            links: &links,
        };

        // The site-wide files are each made on one thread: they are made beside the note pages
        // (which keep every other core busy), not after them.
        let site_wide = || -> Result<(), String> {
            for page in ctx.site_pages(engine)? {
                sink.put(page)?;
            }
            tr("site pages");
            sink.put_streamed("casefile.json", &mut |out| {
                data::write_brief_json(brief, evidence, &base, out)
            })?;
            sink.put(Output::new("feed.xml", data::atom_feed(brief)))?;
            sink.put(Output::new("sitemap.xml", data::sitemap(brief)))?;
            sink.put(Output::new(
                "highlight.css",
                crate::markdown::highlight::stylesheet(
                    &brief.config.highlight_light,
                    &brief.config.highlight_dark,
                )?
                .into_bytes(),
            ))?;
            tr("data files");
            Ok(())
        };
        let note_pages = || {
            let done = brief
                .notes
                .par_iter()
                .filter(|note| {
                    selection
                        .only_notes
                        .is_none_or(|only| only.contains(&note.id))
                })
                .try_for_each(|note| sink.put(ctx.note_page(engine, note.id)?));
            tr("note pages");
            done
        };
        let (site_wide, note_pages) = rayon::join(site_wide, note_pages);
        site_wide?;
        note_pages?;
        drop(ctx);
        if let Some((memo, (reused, made))) = graph.into_layout_memo() {
            if crate::trace::enabled() {
                eprintln!("    render: layouts {reused} reused, {made} made");
            }
            sink.put(Output::new(crate::graph::memo::FILE, memo))?;
        }
    }
    // The search index after the pages, on every core (its steps are parallel): beside them,
    // its postings were held while pages were made, and when it started first (which of the
    // two did came down to a race for the thread pool) the peak memory of a 10,000-note build
    // rose by ~20 MB, past 400 MB, for no gain in time: the cores were busy either way.
    if !selection.skip_search && crate::search::ENABLED && brief.config.search {
        crate::search::index_site(records, &brief.config.language, sink)?;
    }
    // The search records borrowed the bodies until the indexer was done with them.
    Ok(partial::Rendered {
        bodies: rendered,
        mentions,
    })
}

/// A note's search record, made only when the index splits its page: the title, the aliases,
/// the summary and the text (a source's Markdown, a note's rendered body as plain text), each
/// ending a sentence in the excerpt.
#[derive(Clone, Copy)]
struct NoteRecord<'a> {
    brief: &'a Brief,
    rendered: &'a [RenderedNote],
    id: NoteId,
}

impl NoteRecord<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        let note = &self.brief.notes[self.id];
        if note.kind == Kind::Source {
            std::borrow::Cow::Borrowed(&note.body)
        } else {
            std::borrow::Cow::Owned(crate::search::html_to_text(
                &self.rendered[self.id].body.html,
            ))
        }
    }
}

impl crate::search::Indexable for NoteRecord<'_> {
    fn has_words(&self, include_characters: &[char]) -> bool {
        // The record's joints (", " between aliases, ".\n" after each part) are no words,
        // unless the language counts one of their characters as a word character.
        if include_characters
            .iter()
            .any(|c| matches!(c, '.' | ',' | ' ' | '\n'))
        {
            let content = self.into_record().content;
            return crate::search::text_has_words(&content, include_characters);
        }
        let note = &self.brief.notes[self.id];
        let words = |text: &str| crate::search::text_has_words(text, include_characters);
        // The text last: it is the dear part, and a title nearly always has a word.
        words(&note.title)
            || note.aliases.iter().any(|alias| words(alias))
            || words(&note.summary)
            || words(&self.text())
    }

    fn into_record(self) -> crate::search::SearchRecord {
        let note = &self.brief.notes[self.id];
        let text = self.text();
        let mut content = String::with_capacity(text.len() + 200);
        for part in [&note.title, &note.aliases.join(", "), &note.summary, &*text] {
            // A source's text is its Markdown, which ends with a line break: trimmed, so that
            // its last full stop is seen and not doubled (excerpts read "product. .").
            let part = part.trim_end();
            if !part.is_empty() {
                content.push_str(part);
                // Each part ends a sentence in the excerpt, without doubling a summary's own.
                if !part.ends_with(['.', '!', '?', '…']) {
                    content.push('.');
                }
                content.push('\n');
            }
        }
        crate::search::SearchRecord {
            url: format!("/{}", note.path_in_site()),
            title: note.title.clone(),
            kind: note.kind.name(),
            content,
        }
    }
}

/// A place for each note's [`NoteLink`], filled the first time a page links to the note.
pub fn note_links(brief: &Brief) -> Vec<std::sync::OnceLock<NoteLink>> {
    (0..brief.notes.len())
        .map(|_| std::sync::OnceLock::new())
        .collect()
}

fn render_note_body(
    brief: &Brief,
    evidence: &Evidence,
    base: &str,
    links: &[LinkHtml],
    highlights: Option<&HighlightMemo>,
    id: NoteId,
) -> RenderedNote {
    let note = &brief.notes[id];
    let mut footnotes = PageFootnotes::new(brief, evidence, base);
    let claims_digest = ClaimCites::digest(&mut footnotes, brief, id);
    let body = if note.kind == Kind::Source {
        RenderedBody {
            html: String::new(),
            link_sentences: Vec::new(),
            footnotes_html: String::new(),
        }
    } else {
        let link_views: Vec<Option<LinkHtml>> = note
            .body_links
            .iter()
            .zip(&note.scan.links)
            .map(|(l, written)| {
                l.as_ref().map(|l| {
                    let shared = &links[l.note];
                    let mut view = LinkHtml {
                        label: shared.label.clone(),
                        href: Cow::Borrowed(&*shared.href),
                        kind: shared.kind,
                        title: Cow::Borrowed(&*shared.title),
                        summary: Cow::Borrowed(&*shared.summary),
                    };
                    let target = &brief.notes[l.note];
                    if let Some(fragment) = &l.fragment {
                        let id = target
                            .heading_for(fragment)
                            .map(str::to_string)
                            .unwrap_or_else(|| crate::markdown::heading_id(fragment));
                        view.href = Cow::Owned(format!("{}#{id}", view.href));
                    }
                    if !written.labelled {
                        // A slug is an address, not a name: show the title. A title or alias
                        // typed out is shown as written.
                        let name = if crate::resolve::fold_chars(&written.target)
                            .eq(target.slug.chars())
                        {
                            target.title.clone()
                        } else {
                            written.target.clone()
                        };
                        view.label = Some(match &l.fragment {
                            Some(f) => format!("{name} § {f}"),
                            None => name,
                        });
                    }
                    view
                })
            })
            .collect();
        let cite_views: Vec<Vec<_>> = note
            .body_cites
            .iter()
            .map(|group| group.iter().map(|&c| footnotes.cite(c)).collect())
            .collect();
        let mut body = render_body(
            &note.body,
            &BodyContext {
                links: &link_views,
                citations: &cite_views,
                headings: &note.scan.headings,
                raw_html: brief.config.raw_html,
                highlights,
            },
        );
        // A group of several sources gets its origins badge after the superscripts.
        for (group, ids) in note.body_cites.iter().enumerate() {
            if footnotes::cites_several_sources(brief, ids) {
                let last = &cite_views[group][ids.len() - 1];
                let needle = format!("{}</sup>", last.to_html().trim_end_matches("</sup>"));
                if let Some(at) = body.html.find(&needle) {
                    let badge = footnotes::origins_badge(brief, ids);
                    body.html.insert_str(at + needle.len(), &badge);
                }
            }
        }
        body
    };
    RenderedNote {
        body,
        sources: footnotes.entries,
        places: footnotes.places,
        claims_digest,
    }
}

pub struct PageContext<'a> {
    pub brief: &'a Brief,
    pub evidence: &'a Evidence,
    pub rendered: &'a [RenderedNote],
    pub mentions: &'a mentions::Mentions,
    pub base: &'a str,
    pub site: &'a SiteView,
    /// `site` as Tera holds it, made once: every page puts it in its context, and a clone
    /// shares it instead of serializing it again.
    pub site_value: tera::Value,
    pub graph: &'a crate::graph::PreparedGraph<'a>,
    /// For each citation, the page that cites it and the id of the superscript there.
    pub places: &'a [Option<(NoteId, crate::render::footnotes::RefId)>],
    /// Each note's address and link, as Tera holds it, made once (see [`NoteLink`]).
    pub links: &'a [std::sync::OnceLock<NoteLink>],
}

impl<'a> PageContext<'a> {
    fn url(&self, id: NoteId) -> String {
        self.note_link(id).url.clone()
    }

    /// A note's tags, each linking to its tag page.
    fn tags(&self, note: &crate::resolve::Note) -> Vec<TagView> {
        note.tags
            .iter()
            .map(|t| TagView {
                name: t.clone(),
                url: format!("{}tags/{}/", self.base, tag_slug(t)),
            })
            .collect()
    }

    /// The note's address and shared link value, made the first time a page links to it.
    fn note_link(&self, id: NoteId) -> &'a NoteLink {
        self.links[id].get_or_init(|| NoteLink::new(self.base, &self.brief.notes[id]))
    }

    fn link(&self, id: NoteId) -> LinkView<'a> {
        LinkView::Note {
            note: &self.brief.notes[id],
            link: self.note_link(id),
        }
    }

    fn page_view(
        &self,
        title: &str,
        kind: &str,
        path: &str,
        description: &str,
        json_ld: String,
    ) -> PageView {
        PageView {
            title: title.to_string(),
            kind: kind.to_string(),
            url: format!("{}{}", self.base, path),
            canonical: self.brief.config.absolute(path),
            description: description.to_string(),
            json_ld: if json_ld.is_empty() {
                data::site_page_json_ld(self.brief, title, kind, path, description)
            } else {
                json_ld
            },
        }
    }

    fn note_page(&self, engine: &templates::Engine, id: NoteId) -> Result<Output, String> {
        let note = &self.brief.notes[id];
        let rendered: &'a [RenderedNote] = self.rendered;
        let r = &rendered[id];
        let json_ld = json_ld::note_json_ld(self.brief, id);
        let path = note.path_in_site();
        let page = self.page_view(&note.title, note.kind.name(), &path, &note.summary, json_ld);
        // Room for a typical entity page (30–40 KB with its neighbourhood drawing).
        let capacity = 48 * 1024;
        if engine.native_note_pages() && !matches!(note.kind, Kind::Source | Kind::Home) {
            let view = self.note_view(id, r);
            let html = native::note_page(self.site, &page, &view, capacity);
            return Ok(Output::new(format!("{path}index.html"), html));
        }
        if engine.native_source_pages() && note.kind == Kind::Source {
            let view = self.source_view(id);
            // A source's page is its whole text, marks included, and a link to every note
            // that cites it: often larger than an entity's.
            let capacity = capacity + note.body.len() * 2 + view.cited_by.len() * 400;
            let html = native::source_page(self.site, &page, &view, capacity);
            return Ok(Output::new(format!("{path}index.html"), html));
        }
        let mut context = tera::Context::new();
        context.insert_value("site", self.site_value.clone());
        context.insert("page", &page);
        let template = match note.kind {
            Kind::Source => {
                context.insert("source", &self.source_view(id));
                "source.html"
            }
            Kind::Home => {
                context.insert("home", &self.home_view(id));
                "home.html"
            }
            _ => {
                context.insert("note", &self.note_view(id, r));
                "note.html"
            }
        };
        let html = engine.render_bytes(template, &context, capacity)?;
        let out_path = if note.kind == Kind::Home {
            "index.html".to_string()
        } else {
            format!("{path}index.html")
        };
        Ok(Output::new(out_path, html))
    }

    fn note_view(&self, id: NoteId, r: &'a RenderedNote) -> NoteView<'a> {
        let brief = self.brief;
        let note = &brief.notes[id];
        let rel = &brief.relations;
        // The infobox's superscripts, numbered again as the body's rendering numbered them.
        let claims = ClaimCites::number(
            &mut PageFootnotes::new(brief, self.evidence, self.base),
            brief,
            id,
        );
        let mut roles: Vec<RoleView> = note
            .roles
            .iter()
            .enumerate()
            .map(|(i, role)| RoleView {
                org: self.link(role.org),
                person: self.link(id),
                title: role.title.clone(),
                dates: role_span(role.from, role.until),
                current: role.until.is_none(),
                cites_html: claims.roles.get(i).cloned().unwrap_or_default(),
                sort: role.from.map(|d| d.iso()).unwrap_or_default(),
            })
            .collect();
        roles.sort_by(|a, b| b.sort.cmp(&a.sort));
        // Facts: one row per label; a label with different values from different sources is a disagreement.
        let mut by_label: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut label_order = Vec::new();
        for (i, fact) in note.facts.iter().enumerate() {
            let key = fact.label.to_lowercase();
            if !by_label.contains_key(&key) {
                label_order.push(key.clone());
            }
            by_label.entry(key).or_default().push(i);
        }
        let mut facts = Vec::new();
        let mut differ = Vec::new();
        for key in label_order {
            let indexes = &by_label[&key];
            // The same value from several citations is one value with all of them.
            let mut values: Vec<FactValueView> = Vec::new();
            let mut value_keys: Vec<String> = Vec::new();
            for &i in indexes {
                let fact = &note.facts[i];
                let cites = claims.facts.get(i).cloned().unwrap_or_default();
                let key = fact.value.to_lowercase();
                match value_keys.iter().position(|k| *k == key) {
                    Some(at) => values[at].cites_html.push_str(&cites),
                    None => {
                        value_keys.push(key);
                        values.push(FactValueView {
                            value: fact.value.clone(),
                            as_of: fact.as_of.map(|d| d.human()).unwrap_or_default(),
                            cites_html: cites,
                        });
                    }
                }
            }
            let distinct: std::collections::BTreeSet<String> = indexes
                .iter()
                .map(|&i| note.facts[i].value.to_lowercase())
                .collect();
            let label = note.facts[indexes[0]].label.clone();
            // Values that differ only count as a disagreement when different sources give them.
            let sources: std::collections::BTreeSet<NoteId> = indexes
                .iter()
                .flat_map(|&i| {
                    note.facts[i]
                        .cites
                        .iter()
                        .map(|&c| brief.citations[c].source)
                })
                .collect();
            if distinct.len() > 1 && sources.len() > 1 {
                // The same superscripts stand in the infobox; ids must stay unique, so the copy
                // here links without being a back-link target.
                let values = values
                    .iter()
                    .map(|v| FactValueView {
                        cites_html: without_ref_ids(&v.cites_html),
                        ..v.clone()
                    })
                    .collect();
                differ.push(FactView {
                    label: label.clone(),
                    values,
                });
            }
            facts.push(FactView { label, values });
        }
        let (current_people, former_people) = if note.kind == Kind::Company {
            let mut people: Vec<RoleView> = rel.people[id]
                .iter()
                .enumerate()
                .map(|(k, &(person, i))| {
                    let role = &brief.notes[person].roles[i];
                    RoleView {
                        org: self.link(id),
                        person: self.link(person),
                        title: role.title.clone(),
                        dates: role_span(role.from, role.until),
                        current: role.until.is_none(),
                        cites_html: claims.people.get(k).cloned().unwrap_or_default(),
                        sort: format!(
                            "{}{}",
                            role.from.map(|d| d.iso()).unwrap_or_default(),
                            brief.notes[person].title
                        ),
                    }
                })
                .collect();
            people.sort_by(|a, b| a.sort.cmp(&b.sort));
            people.into_iter().partition(|p| p.current)
        } else {
            (Vec::new(), Vec::new())
        };
        let timeline = rel.events[id]
            .iter()
            .map(|&e| self.timeline_entry(e))
            .collect();
        let mentioned_in = rel
            .mentioned_in(&brief.notes, id)
            .into_iter()
            .map(|(from, edges)| {
                let mut contexts = Vec::new();
                for edge in edges {
                    let text = match edge.kind {
                        crate::resolve::relations::EdgeKind::Body { link } => self.rendered[from]
                            .body
                            .link_sentences
                            .get(link)
                            .cloned()
                            .flatten()
                            .unwrap_or_default(),
                        crate::resolve::relations::EdgeKind::Role => {
                            "Holds or held a role here.".to_string()
                        }
                        crate::resolve::relations::EdgeKind::Participant => {
                            "Lists this note as a participant.".to_string()
                        }
                        crate::resolve::relations::EdgeKind::Parent => {
                            "Names this as its parent organisation.".to_string()
                        }
                    };
                    if !text.is_empty() && !contexts.contains(&text) {
                        contexts.push(text);
                    }
                }
                BacklinkView {
                    note: self.link(from),
                    contexts_html: contexts,
                }
            })
            .collect();
        let appears_in = self.mentions.appears_in[id]
            .iter()
            .map(|&(source, count)| CountedLinkView {
                link: self.link(source),
                count,
            })
            .collect();
        let neighbourhood = if note.kind.is_entity() {
            views::neighbourhood_svg(self, id)
        } else {
            String::new()
        };
        NoteView {
            kind: note.kind.name().to_string(),
            kind_label: kind_label(note.kind).to_string(),
            slug: note.slug.clone(),
            title: note.title.clone(),
            summary: note.summary.clone(),
            aliases: note.aliases.clone(),
            tags: self.tags(note),
            dates: if note.kind == Kind::Event {
                date_span(note.date, note.until)
            } else {
                String::new()
            },
            date_iso: note.date.map(|d| d.iso()).unwrap_or_default(),
            location: note.location.clone().unwrap_or_default(),
            founded: note.founded.map(|d| d.human()).unwrap_or_default(),
            website: note.website.clone().unwrap_or_default(),
            parent: note.parent.map(|p| self.link(p)),
            children: rel.children[id].iter().map(|&c| self.link(c)).collect(),
            participants: note.participants.iter().map(|&p| self.link(p)).collect(),
            event_cites_html: claims.event,
            roles,
            facts,
            differ,
            current_people,
            former_people,
            body_html: &r.body.html,
            toc: note
                .scan
                .headings
                .iter()
                .filter(|h| h.level <= 3)
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.id.clone(),
                    text: h.text.clone(),
                })
                .collect(),
            show_toc: note.scan.headings.len() >= 3,
            timeline,
            related: rel.related[id].iter().map(|&o| self.link(o)).collect(),
            mentioned_in,
            appears_in,
            neighbourhood_svg: neighbourhood,
            sources: self.source_entries(r),
            footnotes_html: &r.body.footnotes_html,
        }
    }

    /// The page's Sources list, from what its body kept.
    fn source_entries(&self, r: &'a RenderedNote) -> Vec<SourceEntry<'a>> {
        r.sources
            .iter()
            .map(|s| s.entry(self.brief, self.evidence))
            .collect()
    }

    fn timeline_entry(&self, event: NoteId) -> TimelineEntry<'a> {
        let e = &self.brief.notes[event];
        let first_cite = self.rendered[event].sources.first().map(|s| CiteLinkView {
            title: self.brief.notes[self.brief.citations[s.citation].source]
                .title
                .clone(),
            url: s.href.clone(),
        });
        TimelineEntry {
            event: self.link(event),
            date: e.date.map(|d| d.human()).unwrap_or_default(),
            date_iso: e.date.map(|d| d.iso()).unwrap_or_default(),
            dates: date_span(e.date, e.until),
            participants: e.participants.iter().map(|&p| self.link(p)).collect(),
            first_cite,
        }
    }

    fn source_view(&self, id: NoteId) -> SourceView<'a> {
        let brief = self.brief;
        let note = &brief.notes[id];
        let meta = note
            .source
            .as_ref()
            .expect("source notes have source metadata");
        let named = |r: &crate::resolve::NamedRef| NamedView {
            name: r.name.clone(),
            url: r.note.map(|n| self.url(n)).unwrap_or_default(),
        };
        let paragraphs = views::source_paragraphs(self, id, self.places);
        let mut cited_by: BTreeMap<(String, NoteId), usize> = BTreeMap::new();
        for &c in &brief.citations_by_source[id] {
            let n = &brief.notes[brief.citations[c].note];
            *cited_by.entry((n.title.to_lowercase(), n.id)).or_default() += 1;
        }
        SourceView {
            title: note.title.clone(),
            summary: note.summary.clone(),
            publisher: meta.publisher.as_ref().map(named),
            author: meta.author.clone().unwrap_or_default(),
            date: meta.date.map(|d| d.human()).unwrap_or_default(),
            date_iso: meta.date.map(|d| d.iso()).unwrap_or_default(),
            url: meta.url.clone().unwrap_or_default(),
            via: meta.via.as_ref().map(named),
            relies_on: meta.relies_on.iter().map(named).collect(),
            language: meta.language.clone().unwrap_or_default(),
            original: meta.original.clone().unwrap_or_default(),
            paragraphs,
            cited_by: cited_by
                .into_iter()
                .map(|((_, n), count)| CountedLinkView {
                    link: self.link(n),
                    count,
                })
                .collect(),
            mark_count: self.evidence.sources[id]
                .as_ref()
                .map_or(0, |s| s.marks.len()),
            tags: self.tags(note),
        }
    }

    fn home_view(&self, id: NoteId) -> HomeView<'a> {
        let rendered: &'a [RenderedNote] = self.rendered;
        let r = &rendered[id];
        let counts = Kind::FOLDERS
            .iter()
            .map(|&k| KindCount {
                title: k.plural_title().to_string(),
                url: format!("{}{}/", self.base, k.folder()),
                count: self.brief.notes.iter().filter(|n| n.kind == k).count(),
            })
            .filter(|k| k.count > 0)
            .collect();
        HomeView {
            title: self.brief.notes[id].title.clone(),
            summary: self.brief.notes[id].summary.clone(),
            body_html: &r.body.html,
            sources: self.source_entries(r),
            footnotes_html: &r.body.footnotes_html,
            counts,
        }
    }

    /// One site-wide page: `page` is (title, kind, path, description); `fill` adds the
    /// template's own data to the context.
    fn site_page(
        &self,
        engine: &templates::Engine,
        template: &str,
        file: &str,
        page: (&str, &str, &str, &str),
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<Output, String> {
        let (title, kind, path, description) = page;
        let mut context = tera::Context::new();
        context.insert_value("site", self.site_value.clone());
        context.insert(
            "page",
            &self.page_view(title, kind, path, description, String::new()),
        );
        fill(&mut context);
        Ok(Output::new(
            file,
            engine.render(template, &context)?.into_bytes(),
        ))
    }

    fn site_pages(&self, engine: &templates::Engine) -> Result<Vec<Output>, String> {
        let brief = self.brief;
        let mut outputs = Vec::new();
        let render_list = |title: &str,
                           kind: &str,
                           path: &str,
                           intro: &str,
                           items: Vec<LinkView>,
                           groups: Vec<GroupView>|
         -> Result<Output, String> {
            let mut context = tera::Context::new();
            context.insert_value("site", self.site_value.clone());
            context.insert(
                "page",
                &self.page_view(title, kind, path, intro, String::new()),
            );
            context.insert(
                "list",
                &ListView {
                    title: title.to_string(),
                    intro: intro.to_string(),
                    items,
                    groups,
                },
            );
            Ok(Output::new(
                format!("{path}index.html"),
                engine.render("list.html", &context)?.into_bytes(),
            ))
        };
        for kind in Kind::FOLDERS {
            let mut items: Vec<(String, LinkView)> = brief
                .notes
                .iter()
                .filter(|n| n.kind == kind)
                .map(|n| {
                    let key = match kind {
                        Kind::Event => n.date.map(|d| d.iso()).unwrap_or_default() + &n.title,
                        _ => n.title.to_lowercase(),
                    };
                    (key, self.link(n.id))
                })
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            let intro = match kind {
                Kind::Person => "Everyone the brief follows.",
                Kind::Company => "Companies, labs, units and the outlets that reported the story.",
                Kind::Event => "What happened, in date order. See also the timeline.",
                Kind::Source => {
                    "The documents every claim is cited to, with the cited passages highlighted."
                }
                _ => "",
            };
            outputs.push(render_list(
                kind.plural_title(),
                "index",
                &format!("{}/", kind.folder()),
                intro,
                items.into_iter().map(|(_, l)| l).collect(),
                Vec::new(),
            )?);
        }
        // Tags.
        let mut tags: BTreeMap<String, (String, Vec<NoteId>)> = BTreeMap::new();
        for n in &brief.notes {
            for t in &n.tags {
                tags.entry(tag_slug(t))
                    .or_insert_with(|| (t.clone(), Vec::new()))
                    .1
                    .push(n.id);
            }
        }
        let tag_items = tags
            .iter()
            .filter(|(slug, _)| !slug.is_empty())
            .map(|(slug, (name, ids))| {
                LinkView::Own(LinkFields {
                    title: format!("{name} ({})", ids.len()).into(),
                    url: format!("{}tags/{slug}/", self.base).into(),
                    kind: "tag",
                    summary: "".into(),
                    html: "".into(),
                })
            })
            .collect();
        outputs.push(render_list(
            "Tags",
            "tags",
            "tags/",
            "Every tag used in the brief.",
            tag_items,
            Vec::new(),
        )?);
        for (slug, (name, ids)) in &tags {
            if slug.is_empty() {
                continue;
            }
            let mut items: Vec<LinkView> = ids.iter().map(|&i| self.link(i)).collect();
            items.sort_by_cached_key(|link| link.title().to_lowercase());
            outputs.push(render_list(
                &format!("Tagged “{name}”"),
                "tags",
                &format!("tags/{slug}/"),
                "",
                items,
                Vec::new(),
            )?);
        }
        // Timeline.
        let mut events: Vec<&crate::resolve::Note> = brief
            .notes
            .iter()
            .filter(|n| n.kind == Kind::Event)
            .collect();
        events.sort_by(|a, b| (a.date, &a.slug).cmp(&(b.date, &b.slug)));
        let mut years: Vec<YearView> = Vec::new();
        for e in events {
            let year = e
                .date
                .map(|d| d.year.to_string())
                .unwrap_or_else(|| "Undated".into());
            let month = e
                .date
                .and_then(|d| d.month_heading())
                .unwrap_or_else(|| format!("{year}, month unknown"));
            if years.last().is_none_or(|y| y.year != year) {
                years.push(YearView {
                    year: year.clone(),
                    months: Vec::new(),
                });
            }
            let y = years.last_mut().expect("pushed above");
            if y.months.last().is_none_or(|m| m.heading != month) {
                y.months.push(MonthView {
                    heading: month.clone(),
                    id: crate::markdown::heading_id(&month),
                    events: Vec::new(),
                });
            }
            y.months
                .last_mut()
                .expect("pushed above")
                .events
                .push(self.timeline_entry(e.id));
        }
        outputs.push(self.site_page(
            engine,
            "timeline.html",
            "timeline/index.html",
            (
                "Timeline",
                "timeline",
                "timeline/",
                "Every event of the brief by date.",
            ),
            |c| c.insert("years", &years),
        )?);
        // Graph.
        let graph = views::whole_graph(self);
        outputs.push(self.site_page(
            engine,
            "graph.html",
            "graph/index.html",
            (
                "Graph",
                "graph",
                "graph/",
                "People, companies and events and how they connect.",
            ),
            |c| c.insert("graph", &graph),
        )?);
        // Search and 404.
        for (template, kind, path, title, file) in [
            (
                "search.html",
                "search",
                "search/",
                "Search",
                "search/index.html",
            ),
            (
                "404.html",
                "error",
                "404.html",
                "Page not found",
                "404.html",
            ),
        ] {
            outputs.push(self.site_page(
                engine,
                template,
                file,
                (title, kind, path, ""),
                |_| {},
            )?);
        }
        if !brief.notes.iter().any(|n| n.kind == Kind::Home) {
            let mut context = tera::Context::new();
            context.insert_value("site", self.site_value.clone());
            context.insert(
                "page",
                &self.page_view(
                    &brief.config.title,
                    "home",
                    "",
                    &brief.config.description,
                    String::new(),
                ),
            );
            context.insert(
                "home",
                &HomeView {
                    title: brief.config.title.clone(),
                    summary: brief.config.description.clone(),
                    body_html: "",
                    sources: Vec::new(),
                    footnotes_html: "",
                    counts: Vec::new(),
                },
            );
            outputs.push(Output::new(
                "index.html",
                engine.render("home.html", &context)?.into_bytes(),
            ));
        }
        Ok(outputs)
    }
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Person => "Person",
        Kind::Company => "Organisation",
        Kind::Event => "Event",
        Kind::Source => "Source",
        Kind::Page => "Page",
        Kind::Home => "Brief",
    }
}

/// Superscripts without their `id="ref-…"`, for a second copy of the same citations.
fn without_ref_ids(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"ref-") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        match after.find('"') {
            Some(end) => rest = &after[end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The address of a tag's page: its words lower-cased and joined by `-`, letters of any
/// script kept ("人工智能" keeps its own page rather than none).
pub fn tag_slug(tag: &str) -> String {
    let ascii = crate::model::slugify(tag);
    if !ascii.is_empty() && tag.is_ascii() {
        return ascii;
    }
    let id = crate::markdown::heading_id(tag);
    if tag.chars().any(char::is_alphanumeric) {
        id
    } else {
        ascii
    }
}

/// A role's dates: like [`date_span`], but a role with no end is ongoing ("since July 2025").
pub fn role_span(from: Option<crate::model::Date>, until: Option<crate::model::Date>) -> String {
    match (from, until) {
        (Some(f), None) => format!("since {}", f.human()),
        _ => date_span(from, until),
    }
}

/// "2021 – July 2025", "since 2021", "7 July 2025".
pub fn date_span(from: Option<crate::model::Date>, until: Option<crate::model::Date>) -> String {
    match (from, until) {
        (Some(f), Some(u)) if f == u => f.human(),
        (Some(f), Some(u)) => format!("{} – {}", f.human(), u.human()),
        (Some(f), None) => f.human(),
        (None, Some(u)) => format!("until {}", u.human()),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Indexable, text_has_words};

    /// The brief in this repository, verified and with every body rendered.
    fn repository_brief() -> (Brief, Evidence) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diagnostics = crate::diagnostic::Diagnostics::new();
        let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
        let config = crate::config::Config::load(root, text.as_deref()).expect("config loads");
        let loaded = crate::load::load(root, false, &mut diagnostics);
        let brief = crate::resolve::resolve(config, &loaded, &mut diagnostics);
        let evidence = crate::verify::verify(&brief, &mut diagnostics);
        assert!(!diagnostics.has_errors());
        (brief, evidence)
    }

    fn rendered_bodies(brief: &Brief, evidence: &Evidence) -> Vec<RenderedNote> {
        let base = brief.config.base_path();
        let links = partial::link_views(brief);
        (0..brief.notes.len())
            .map(|id| render_note_body(brief, evidence, &base, &links, None, id))
            .collect()
    }

    /// Every note's search record, in note order.
    fn records<'a>(
        brief: &'a Brief,
        rendered: &'a [RenderedNote],
    ) -> impl Iterator<Item = NoteRecord<'a>> {
        (0..brief.notes.len()).map(move |id| NoteRecord {
            brief,
            rendered,
            id,
        })
    }

    /// Each part of a search record ends one sentence: a source's text, whose Markdown ends
    /// with a line break, does not get a second full stop after its own.
    #[test]
    fn a_search_record_never_puts_a_full_stop_after_a_sentence_ended_already() {
        let (mut brief, evidence) = repository_brief();
        // This brief's sources are verbatim and end without a line break; a source made by
        // `casefile init` (or most editors) ends with one.
        let source = brief
            .notes
            .iter()
            .position(|n| n.kind == Kind::Source && n.body.ends_with('.'))
            .expect("a source whose text ends a sentence");
        let text = format!("{}\n", brief.notes[source].body.as_str());
        brief.notes[source].body = crate::resolve::Body::new(text.into(), 0);
        let rendered = rendered_bodies(&brief, &evidence);
        for record in records(&brief, &rendered) {
            let content = record.into_record().content;
            assert!(
                !content.split_whitespace().any(|word| word == "."),
                "a lone full stop in {}'s record: {content:?}",
                brief.notes[record.id].slug
            );
        }
    }

    /// A note's record says it has words exactly when the record it makes does, whichever
    /// characters the language counts as word characters.
    #[test]
    fn a_note_record_has_words_exactly_when_its_text_does() {
        let (mut brief, evidence) = repository_brief();
        // One note with no word in its title, aliases or summary: only its text decides.
        let quiet = brief
            .notes
            .iter()
            .position(|n| n.kind != Kind::Home)
            .expect("a note");
        brief.notes[quiet].title = "—".to_string();
        brief.notes[quiet].aliases = vec!["…".to_string()];
        brief.notes[quiet].summary = String::new();
        let rendered = rendered_bodies(&brief, &evidence);
        for include in [&[][..], &['.'][..], &['_', '-'][..]] {
            for record in records(&brief, &rendered) {
                let content = record.into_record().content;
                assert_eq!(
                    record.has_words(include),
                    text_has_words(&content, include),
                    "{} with {include:?}",
                    brief.notes[record.id].slug
                );
            }
        }
    }
}
