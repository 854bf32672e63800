//! Stage 2, resolve: documents become a [`Brief`] — notes with typed fields, every name,
//! link and citation resolved to a note, relations in both directions.
//!
//! Every reference a user wrote (a `[[link]]`, a `[@cite]`, a role's `org`, an event's
//! `participants`, a company's `parent`) is checked here and reported with its position and a
//! "did you mean". Nothing here renders HTML or reads source texts for quotes (that is
//! [`crate::verify`]).

pub mod names;
pub mod relations;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::load::frontmatter::CiteYaml;
use crate::load::{Document, Loaded, Spanned};
use crate::markdown::scan::{BodyScan, LinkStyle, scan};
use crate::model::{Date, Kind};
pub use names::{NameIndex, NoteId, fold, fold_chars};

/// Index into `Brief::citations`.
pub type CitationId = usize;

/// The whole brief, resolved.
pub struct Brief {
    pub config: Config,
    pub notes: Vec<Note>,
    pub names: NameIndex,
    pub citations: Vec<Citation>,
    /// For each note, the citations it makes, in id order.
    pub citations_by_note: Vec<Vec<CitationId>>,
    /// For each source, the citations of it, in id order.
    pub citations_by_source: Vec<Vec<CitationId>>,
    pub relations: relations::Relations,
}

/// One note with its front matter typed and its references resolved.
pub struct Note {
    pub id: NoteId,
    pub kind: Kind,
    pub slug: String,
    pub path: PathBuf,
    pub title: String,
    pub summary: String,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub updated: Option<Date>,
    pub roles: Vec<Role>,
    pub parent: Option<NoteId>,
    pub founded: Option<Date>,
    pub website: Option<String>,
    pub date: Option<Date>,
    pub until: Option<Date>,
    pub participants: Vec<NoteId>,
    pub location: Option<String>,
    /// An event's own `cite:`.
    pub cites: Vec<CitationId>,
    pub facts: Vec<Fact>,
    pub source: Option<SourceMeta>,
    /// The Markdown (or a source's verbatim text) after the front matter: a view of `text`.
    pub body: Body,
    /// The whole file and where the body starts in it, for positions.
    pub text: std::sync::Arc<str>,
    pub body_start: usize,
    pub scan: BodyScan,
    /// For each link of `scan.links`, in order, the note it resolved to.
    pub body_links: Vec<Option<ResolvedLink>>,
    /// For each citation group of `scan.citations`, in order, its citations.
    pub body_cites: Vec<Vec<CitationId>>,
}

/// A note's body as a view of its file's text, shared with the document it was read from
/// instead of copied: the bodies are most of a brief's bytes. Derefs to `str`.
#[derive(Clone)]
pub struct Body {
    text: std::sync::Arc<str>,
    start: usize,
}

impl Body {
    /// The text of `text` from byte `start` on (which must be a char boundary).
    pub fn new(text: std::sync::Arc<str>, start: usize) -> Body {
        assert!(
            text.is_char_boundary(start),
            "a body starts on a char boundary"
        );
        Body { text, start }
    }

    pub fn as_str(&self) -> &str {
        &self.text[self.start..]
    }
}

impl std::ops::Deref for Body {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.as_str() == other.as_str()
    }
}

#[derive(Clone, Debug)]
pub struct ResolvedLink {
    pub note: NoteId,
    pub fragment: Option<String>,
}

pub struct Role {
    pub org: NoteId,
    pub title: String,
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub cites: Vec<CitationId>,
}

pub struct Fact {
    pub label: String,
    pub value: String,
    pub as_of: Option<Date>,
    pub cites: Vec<CitationId>,
}

pub struct SourceMeta {
    pub publisher: Option<NamedRef>,
    pub author: Option<String>,
    pub date: Option<Date>,
    pub url: Option<String>,
    pub via: Option<NamedRef>,
    pub relies_on: Vec<NamedRef>,
    pub language: Option<String>,
    pub original: Option<String>,
}

/// A name in front matter that may or may not be a note of the brief (`publisher: Benzinga`).
#[derive(Clone, Debug)]
pub struct NamedRef {
    pub name: String,
    pub note: Option<NoteId>,
}

/// Where a citation was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiteContext {
    Body { group: usize },
    Role { index: usize },
    Fact { index: usize },
    Event,
}

pub struct Citation {
    pub id: CitationId,
    pub note: NoteId,
    pub source: NoteId,
    pub quote: Option<String>,
    pub location: Location,
    pub context: CiteContext,
}

/// Runs the resolve stage over loaded documents.
pub fn resolve(config: Config, loaded: &Loaded, diagnostics: &mut Diagnostics) -> Brief {
    let documents = &loaded.documents;
    let mut names = NameIndex::default();
    // Slugs first, so a title or alias that collides with a slug is the one reported.
    for (id, doc) in documents.iter().enumerate() {
        if doc.kind != Kind::Home {
            let _ = names.insert(&doc.slug, id);
        }
    }
    for (id, doc) in documents.iter().enumerate() {
        if doc.kind == Kind::Home {
            continue;
        }
        let mut claimed: Vec<(&str, Location)> = Vec::new();
        if let Some(t) = &doc.front.title {
            claimed.push((t.value.as_str(), doc.yaml_location(t)));
        }
        for alias in doc.front.aliases.iter().flatten() {
            claimed.push((alias.value.as_str(), doc.yaml_location(alias)));
        }
        for (name, location) in claimed {
            if let Err(owner) = names.insert(name, id) {
                let other = &documents[owner];
                diagnostics.push(
                    Diagnostic::error(
                        "ambiguous-name",
                        location,
                        format!(
                            "the name \"{name}\" already belongs to {} ({})",
                            other.title(),
                            other.path.display()
                        ),
                    )
                    .with_help(
                        "a name must lead to one note; remove this alias or make it more specific",
                    ),
                );
            }
        }
    }

    // Each note is scanned and resolved on its own, in parallel, its citations numbered from 0
    // and its problems kept apart; then they are put in note order, which gives the same ids
    // and the same order of problems as resolving one note after the other.
    let (mut notes, found): (Vec<Note>, Vec<(Vec<Citation>, Diagnostics)>) = documents
        .par_iter()
        .enumerate()
        .map(|(id, doc)| {
            let mut problems = Diagnostics::new();
            let mut resolver = Resolver::new(loaded, &names, &mut problems);
            let note = resolver.note(id, doc, body_scan(doc));
            (note, (resolver.citations, problems))
        })
        .unzip();
    let mut citations = Vec::with_capacity(found.iter().map(|(c, _)| c.len()).sum());
    for (note, (note_citations, problems)) in notes.iter_mut().zip(found) {
        renumber_citations(note, citations.len());
        for mut citation in note_citations {
            citation.id = citations.len();
            citations.push(citation);
        }
        diagnostics.extend(problems);
    }
    // The checks, the relations and the citations' lists each read the notes alone: made
    // side by side, so that no core waits at the end of the stage (each was a serial pause).
    let mut resolver = Resolver::new(loaded, &names, diagnostics);
    let (relations, (citations_by_note, citations_by_source)) = rayon::join(
        || relations::Relations::build(&notes),
        || {
            resolver.check_fragments(&notes);
            resolver.check_parent_cycles(&notes);
            let mut by_note = vec![Vec::new(); notes.len()];
            let mut by_source = vec![Vec::new(); notes.len()];
            for c in &citations {
                by_note[c.note].push(c.id);
                by_source[c.source].push(c.id);
            }
            (by_note, by_source)
        },
    );
    Brief {
        config,
        notes,
        names,
        citations,
        citations_by_note,
        citations_by_source,
        relations,
    }
}

/// What the resolve stage needs of a body: sources have none to scan (their text is quoted,
/// not written in Markdown).
fn body_scan(doc: &Document) -> BodyScan {
    if doc.kind == Kind::Source {
        BodyScan::default()
    } else {
        scan(doc.body())
    }
}

/// Moves the ids of a note's citations, numbered from 0, to start at `first`.
fn renumber_citations(note: &mut Note, first: CitationId) {
    let role_cites = note.roles.iter_mut().map(|r| &mut r.cites);
    let fact_cites = note.facts.iter_mut().map(|f| &mut f.cites);
    for ids in std::iter::once(&mut note.cites)
        .chain(role_cites)
        .chain(fact_cites)
        .chain(note.body_cites.iter_mut())
    {
        for id in ids {
            *id += first;
        }
    }
}

/// Resolves one note read again against the rest of a brief resolved before, for `serve`'s
/// incremental rebuilds ([`crate::incremental`]): `loaded` and `brief` are the previous build's,
/// `doc` the note's new document, which stands at `id`. Its citations are numbered from 0; the
/// caller places them. Only the problems of this note are reported: the caller makes sure that
/// nothing the other notes rely on (names, headings, kinds) changed.
pub fn resolve_note(
    loaded: &Loaded,
    brief: &Brief,
    id: NoteId,
    doc: &Document,
    diagnostics: &mut Diagnostics,
) -> (Note, Vec<Citation>) {
    let scan = body_scan(doc);
    let mut resolver = Resolver::new(loaded, &brief.names, diagnostics);
    let note = resolver.note(id, doc, scan);
    resolver.check_note_fragments(&brief.notes, &note, doc);
    (note, resolver.citations)
}

struct Resolver<'a> {
    documents: &'a [Document],
    names: &'a NameIndex,
    drafts: &'a [(String, String)],
    failed: &'a [String],
    citations: Vec<Citation>,
    diagnostics: &'a mut Diagnostics,
}

impl<'a> Resolver<'a> {
    /// A resolver of `loaded`'s documents against `names`, reporting to `diagnostics`.
    fn new(
        loaded: &'a Loaded,
        names: &'a NameIndex,
        diagnostics: &'a mut Diagnostics,
    ) -> Resolver<'a> {
        Resolver {
            documents: &loaded.documents,
            names,
            drafts: &loaded.drafts,
            failed: &loaded.failed,
            citations: Vec::new(),
            diagnostics,
        }
    }

    fn note(&mut self, id: NoteId, doc: &Document, scan: BodyScan) -> Note {
        let fm = &doc.front;
        let date = |r: &mut Self, v: &Option<Spanned<String>>| -> Option<Date> {
            let v = v.as_ref()?;
            match Date::parse(&v.value) {
                Ok(d) => Some(d),
                Err(message) => {
                    r.diagnostics.push(
                        Diagnostic::error("bad-date", doc.yaml_location(v), message)
                            .with_help("write the date as \"2025\", \"2025-07\" or \"2025-07-07\", at the precision the sources give"),
                    );
                    None
                }
            }
        };
        let mut roles = Vec::new();
        for (index, role) in fm.roles.iter().flatten().enumerate() {
            let org = self.reference(doc, &role.org, &[Kind::Company], "organisation");
            let from = date(self, &role.from);
            let until = date(self, &role.until);
            if let (Some(f), Some(u)) = (from, until)
                && u < f
            {
                self.diagnostics.push(Diagnostic::error(
                    "dates-reversed",
                    doc.yaml_location(role.until.as_ref().expect("until was parsed")),
                    format!(
                        "this role ends ({}) before it starts ({})",
                        u.human(),
                        f.human()
                    ),
                ));
            }
            let cites = self.cites(id, doc, role.cite.as_ref(), CiteContext::Role { index });
            if let Some(org) = org {
                roles.push(Role {
                    org,
                    title: role.title.clone().unwrap_or_default(),
                    from,
                    until,
                    cites,
                });
            }
        }
        let mut facts = Vec::new();
        for (index, fact) in fm.facts.iter().flatten().enumerate() {
            let as_of = date(self, &fact.as_of);
            let cites = self.cites(id, doc, fact.cite.as_ref(), CiteContext::Fact { index });
            facts.push(Fact {
                label: fact.label.value.trim().to_string(),
                value: fact.value.value.trim().to_string(),
                as_of,
                cites,
            });
        }
        let parent = fm
            .parent
            .as_ref()
            .and_then(|p| self.reference(doc, p, &[Kind::Company], "parent organisation"));
        if parent == Some(id) {
            self.diagnostics.push(Diagnostic::error(
                "self-parent",
                doc.yaml_location(fm.parent.as_ref().expect("parent")),
                "a company cannot be its own parent",
            ));
        }
        let participants = fm
            .participants
            .iter()
            .flatten()
            .filter_map(|p| self.reference(doc, p, &[Kind::Person, Kind::Company], "participant"))
            .collect();
        let cites = self.cites(id, doc, fm.cite.as_ref(), CiteContext::Event);
        let event_date = date(self, &fm.date);
        let until = date(self, &fm.until);
        if let (Some(start), Some(end), Some(written)) = (event_date, until, fm.until.as_ref())
            && end < start
        {
            self.diagnostics.push(
                Diagnostic::error(
                    "dates-reversed",
                    doc.yaml_location(written),
                    format!(
                        "this event ends ({}) before it starts ({})",
                        end.human(),
                        start.human()
                    ),
                )
                .with_help("swap `date` and `until`, or correct one of them"),
            );
        }
        let founded = date(self, &fm.founded);
        let updated = date(self, &fm.updated);
        if let Some(url) = &fm.website {
            self.check_url(doc, url);
        }
        let source = if doc.kind == Kind::Source {
            if let Some(url) = &fm.url {
                self.check_url(doc, url);
            }
            Some(SourceMeta {
                publisher: fm.publisher.as_ref().map(|n| self.named(n)),
                author: fm.author.clone(),
                date: event_date,
                url: fm.url.as_ref().map(|u| encode_url(u.value.trim())),
                via: fm.via.as_ref().map(|n| self.named(n)),
                relies_on: fm
                    .relies_on
                    .iter()
                    .flatten()
                    .map(|n| self.named(&n.value))
                    .collect(),
                language: fm.language.clone(),
                original: fm.original.clone(),
            })
        } else {
            None
        };

        for problem in &scan.problems {
            self.diagnostics.push(
                Diagnostic::error(
                    problem.code,
                    doc.body_location(problem.range.start, problem.range.len()),
                    problem.message.clone(),
                )
                .with_help(problem.help.clone()),
            );
        }
        let body_links = scan
            .links
            .iter()
            .map(|link| {
                let location = doc.body_location(link.range.start, link.range.len());
                self.link(&link.target, link.style, location)
                    .map(|note| ResolvedLink {
                        note,
                        fragment: link.fragment.clone(),
                    })
            })
            .collect();
        let mut body_cites = Vec::with_capacity(scan.citations.len());
        for (group_index, group) in scan.citations.iter().enumerate() {
            let mut ids = Vec::new();
            for item in &group.items {
                let location = doc.body_location(
                    item.source_range.start.saturating_sub(1),
                    item.source_range.len() + 1,
                );
                if let Some(source) = self.source(&item.source, location.clone()) {
                    let quote_location = item
                        .quote_range
                        .as_ref()
                        .map(|r| doc.body_location(r.start, r.len()))
                        .unwrap_or(location);
                    ids.push(self.push_citation(
                        id,
                        source,
                        item.quote(doc.body()).map(str::to_string),
                        quote_location,
                        CiteContext::Body { group: group_index },
                    ));
                }
            }
            body_cites.push(ids);
        }
        Note {
            id,
            kind: doc.kind,
            slug: doc.slug.clone(),
            path: doc.path.clone(),
            title: doc.title().trim().to_string(),
            summary: fm.summary.clone().unwrap_or_default().trim().to_string(),
            aliases: fm
                .aliases
                .iter()
                .flatten()
                .map(|a| a.value.trim().to_string())
                .collect(),
            tags: fm
                .tags
                .iter()
                .flatten()
                .map(|t| t.value.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            updated,
            roles,
            parent: parent.filter(|&p| p != id),
            founded,
            website: fm.website.as_ref().map(|w| encode_url(w.value.trim())),
            date: event_date,
            until,
            participants,
            location: fm.location.clone(),
            cites,
            facts,
            source,
            body: Body::new(doc.text.clone(), doc.body_start),
            text: doc.text.clone(),
            body_start: doc.body_start,
            scan,
            body_links,
            body_cites,
        }
    }

    fn named(&self, name: &str) -> NamedRef {
        NamedRef {
            name: name.trim().to_string(),
            note: self.names.get(name),
        }
    }

    fn check_url(&mut self, doc: &Document, url: &Spanned<String>) {
        let u = url.value.trim();
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            self.diagnostics.push(
                Diagnostic::error(
                    "bad-url",
                    doc.yaml_location(url),
                    format!("\"{u}\" is not an http(s) URL"),
                )
                .with_help("write the full address, starting with https://"),
            );
        }
    }

    /// A front matter reference to another note of one of `kinds`.
    fn reference(
        &mut self,
        doc: &Document,
        name: &Spanned<String>,
        kinds: &[Kind],
        what: &str,
    ) -> Option<NoteId> {
        let location = doc.yaml_location(name);
        let target = self.lookup(&name.value, location.clone(), what)?;
        let found = &self.documents[target];
        if !kinds.contains(&found.kind) {
            let wanted: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            self.diagnostics.push(
                Diagnostic::error(
                    "wrong-kind",
                    location,
                    format!(
                        "the {what} \"{}\" is a {}, not a {}",
                        name.value,
                        found.kind.name(),
                        wanted.join(" or ")
                    ),
                )
                .with_help(format!(
                    "name a note in {}",
                    kinds
                        .iter()
                        .map(|k| format!("content/{}/", k.folder()))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )),
            );
            return None;
        }
        Some(target)
    }

    fn lookup(&mut self, name: &str, location: Location, what: &str) -> Option<NoteId> {
        if let Some(id) = self.names.get(name) {
            return Some(id);
        }
        self.unresolved(
            name,
            location,
            "unknown-reference",
            format!("unknown {what} \"{name}\""),
        );
        None
    }

    fn link(&mut self, target: &str, style: LinkStyle, location: Location) -> Option<NoteId> {
        if target.is_empty() {
            self.diagnostics.push(Diagnostic::error(
                "empty-link",
                location,
                "this link has no target",
            ));
            return None;
        }
        if let Some(id) = self.names.get(target) {
            return Some(id);
        }
        let what = match style {
            LinkStyle::Wiki => "link target",
            LinkStyle::MarkdownFile => "linked note file",
        };
        self.unresolved(
            target,
            location,
            "unknown-link",
            format!("unknown {what} \"{target}\""),
        );
        None
    }

    /// Reports a name that leads nowhere, with the most useful hint: a draft of that name, a
    /// close name, or how names work. A note that failed to load has its own error already.
    fn unresolved(&mut self, name: &str, location: Location, code: &'static str, message: String) {
        let folded = fold(name);
        if self.failed.iter().any(|stem| fold(stem) == folded) {
            return;
        }
        let help = match self
            .drafts
            .iter()
            .find(|(s, t)| fold(s) == folded || fold(t) == folded)
        {
            Some((slug, _)) => format!("\"{slug}\" is a draft; build with --drafts, or publish it"),
            None => match self.names.suggest(name) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "link by a note's slug, title or one of its aliases".to_string(),
            },
        };
        self.diagnostics
            .push(Diagnostic::error(code, location, message).with_help(help));
    }

    fn source(&mut self, slug: &str, location: Location) -> Option<NoteId> {
        let id = self.lookup(slug, location.clone(), "source")?;
        if self.documents[id].kind != Kind::Source {
            self.diagnostics.push(
                Diagnostic::error(
                    "not-a-source",
                    location,
                    format!(
                        "\"{slug}\" is a {}, not a source; only sources can be cited",
                        self.documents[id].kind.name()
                    ),
                )
                .with_help("cite a note in content/sources/, or link to this one with [[…]]"),
            );
            return None;
        }
        Some(id)
    }

    fn cites(
        &mut self,
        note: NoteId,
        doc: &Document,
        cite: Option<&Spanned<CiteYaml>>,
        context: CiteContext,
    ) -> Vec<CitationId> {
        let Some(cite) = cite else { return Vec::new() };
        let location = doc.yaml_location(cite);
        let mut ids = Vec::new();
        for item in cite.value.items() {
            if let Some(source) = self.source(item.source(), location.clone()) {
                ids.push(self.push_citation(
                    note,
                    source,
                    item.quote().map(str::to_string),
                    location.clone(),
                    context,
                ));
            }
        }
        ids
    }

    fn push_citation(
        &mut self,
        note: NoteId,
        source: NoteId,
        quote: Option<String>,
        location: Location,
        context: CiteContext,
    ) -> CitationId {
        let id = self.citations.len();
        self.citations.push(Citation {
            id,
            note,
            source,
            quote,
            location,
            context,
        });
        id
    }

    /// A company cannot be its own ancestor: each cycle of `parent` is reported once, at the
    /// note of the cycle that comes first.
    fn check_parent_cycles(&mut self, notes: &[Note]) {
        let mut state = vec![0u8; notes.len()]; // 0 unseen, 1 on the current path, 2 done
        for start in 0..notes.len() {
            let mut path = Vec::new();
            let mut at = Some(start);
            while let Some(id) = at {
                match state[id] {
                    2 => break,
                    1 => {
                        let cycle = &path[path.iter().position(|&p| p == id).unwrap_or(0)..];
                        let first = *cycle.iter().min().unwrap_or(&id);
                        let names: Vec<&str> =
                            cycle.iter().map(|&c| notes[c].title.as_str()).collect();
                        let doc = &self.documents[first];
                        let location = doc
                            .front
                            .parent
                            .as_ref()
                            .map_or_else(|| doc.file_location(), |p| doc.yaml_location(p));
                        self.diagnostics.push(
                            Diagnostic::error(
                                "parent-cycle",
                                location,
                                format!(
                                    "these companies are each other's parent: {}",
                                    names.join(" → ")
                                ),
                            )
                            .with_help("remove the `parent` that closes the circle"),
                        );
                        break;
                    }
                    _ => {
                        state[id] = 1;
                        path.push(id);
                        at = notes[id].parent;
                    }
                }
            }
            for id in path {
                state[id] = 2;
            }
        }
    }

    /// `[[note#Heading]]` must name a heading that exists on that note.
    fn check_fragments(&mut self, notes: &[Note]) {
        let documents = self.documents;
        for note in notes {
            self.check_note_fragments(notes, note, &documents[note.id]);
        }
    }

    /// [`Self::check_fragments`] for one note, which need not be in `notes` (an incremental
    /// rebuild checks a note read again against the others).
    fn check_note_fragments(&mut self, notes: &[Note], note: &Note, doc: &Document) {
        for (link, resolved) in note.scan.links.iter().zip(&note.body_links) {
            let (Some(resolved), Some(fragment)) = (resolved, &link.fragment) else {
                continue;
            };
            let target = &notes[resolved.note];
            let wanted = crate::markdown::heading_id(fragment);
            let _ = wanted;
            let exists = target.heading_for(fragment).is_some();
            if !exists {
                let ids: Vec<&str> = target
                    .scan
                    .headings
                    .iter()
                    .map(|h| h.text.as_str())
                    .collect();
                let help = crate::diagnostic::did_you_mean(fragment, ids.iter().copied())
                    .map(|h| format!("did you mean \"{h}\"?"))
                    .unwrap_or_else(|| {
                        if ids.is_empty() {
                            format!("{} has no headings", target.title)
                        } else {
                            format!("its headings are: {}", ids.join(", "))
                        }
                    });
                self.diagnostics.push(
                    Diagnostic::error(
                        "unknown-heading",
                        doc.body_location(link.range.start, link.range.len()),
                        format!("\"{}\" has no heading \"{fragment}\"", target.title),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

impl Note {
    /// The note's URL path below the site root, without the base path: `people/x/`.
    pub fn path_in_site(&self) -> String {
        let mut path = String::new();
        self.push_path_in_site(&mut path);
        path
    }

    /// [`Note::path_in_site`] onto the end of `out` (footnotes make a URL for every citation).
    pub fn push_path_in_site(&self, out: &mut String) {
        if self.kind != Kind::Home {
            out.push_str(self.kind.folder());
            out.push('/');
            out.push_str(&self.slug);
            out.push('/');
        }
    }

    /// The id of the heading a link fragment names.
    /// A heading may be named by its id (`#parts`) or by its text (`#Products and parts`),
    /// whatever `{#id}` it was given.
    pub fn heading_for(&self, fragment: &str) -> Option<&str> {
        let wanted = crate::markdown::heading_id(fragment);
        let headings = &self.scan.headings;
        headings
            .iter()
            .find(|h| h.id == fragment || h.id == wanted)
            .or_else(|| {
                headings
                    .iter()
                    .find(|h| crate::markdown::heading_id(&h.text) == wanted)
            })
            .map(|h| h.id.as_str())
    }
}

/// A URL as written, with the ASCII characters a URL cannot hold as they are (space, quotes,
/// angle brackets, …) percent-encoded, so that an `href` made from it is a valid URL.
pub fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii() && (c.is_ascii_control() || " \"<>`{}|\\^".contains(c)) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_url;

    #[test]
    fn urls_keep_what_they_may_hold_and_encode_the_rest() {
        assert_eq!(
            encode_url("https://x.org/a?b=c&d=é#f"),
            "https://x.org/a?b=c&d=é#f"
        );
        assert_eq!(
            encode_url("https://x.org/<script>\"a b\""),
            "https://x.org/%3Cscript%3E%22a%20b%22"
        );
    }
}
