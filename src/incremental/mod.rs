//! Incremental rebuilds for `serve`: after an edit, only what the edited notes touch is read,
//! checked and rendered again, on top of what the previous build kept in a [`BuildMemory`].
//!
//! A good build leaves everything its stages made in memory: the loaded documents, the
//! resolved brief, each quote's lookup and the evidence, every note's rendered body, the
//! mentions, the graph's input, the diagnostics and the site's files. The watcher names the
//! files that changed; [`rebuild`] then handles the common case — the body or front matter of
//! existing notes edited — in five steps:
//!
//! 1. **Read** (`changes.rs`): each changed note is read and parsed again, and resolved against
//!    the rest of the brief as it was. Any other change (a note added, removed or renamed, a
//!    source, settings, templates, static files) makes a full build.
//! 2. **Check what others see** (`patch.rs`): what other pages show of a note must not have
//!    changed — kind, title, aliases, summary, tags, dates, headings (link fragments), and
//!    the edges of the relationship graph (roles' organisations, parent, participants, whose
//!    layout reaches every neighbourhood). If it did, a full build.
//! 3. **Verify and patch** (`patch.rs`): only the edited notes' quotes are located again. When
//!    their citations changed, the citations after them are renumbered everywhere they are
//!    held, and the marks of every source they cite or cited are recomputed; notes whose
//!    footnotes point at a mark whose id moved are noted. Their own problems replace their old
//!    diagnostics; an error is reported as a full build would report it, and the memory stays
//!    that of the last good site. Body links changed: the relations are derived again.
//! 4. **Bodies** (`affected.rs`): the bodies rendered again are the edited notes', the
//!    companies their roles are at (their People list carries the roles' footnotes), and the
//!    notes whose footnotes pointed at a moved mark. Each is compared with the old one.
//! 5. **Pages** (`affected.rs`): the edited notes' pages, and the pages of notes whose body
//!    changed; then, from what changed, the pages that show it: the link targets of a body
//!    whose link sentences changed ("Mentioned in"), the sources whose citing places or marks
//!    changed, the companies of edited roles, the participants of an event whose first source
//!    changed (their timelines), and every note whose incoming links or related notes differ.
//!
//! Rendering those pages touches nothing in proportion to the brief: a page's neighbourhood
//! graph is drawn from the part of the graph it can reach (`neighbourhoods.rs`), and the new
//! site shares every unchanged file with the old one ([`Pages`]).
//!
//! The site-wide files that could change are left stale and marked: `casefile.json` (it holds
//! every citation's line) always, the site-wide pages (timeline, indexes, graph) when an
//! event's first source changed; [`BuildMemory::catch_up`] renders them afterwards, which
//! `serve` does once no other change is waiting. The search index is refreshed by full builds
//! only. Tests check that an incremental build followed by its catch-up gives the same files
//! as a full build, for edits of every kind this handles, and that the rest falls back to one.

mod affected;
mod changes;
mod neighbourhoods;
mod pages;
mod patch;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build::{BuildOptions, BuildResult, Pipeline, Timings};
use crate::diagnostic::Diagnostics;
use crate::graph::{GraphEdge, GraphNode};
use crate::load::Loaded;
use crate::markdown::render::LinkHtml;
use crate::output::Output;
use crate::render::partial::{self, PageInputs, Rendered};
use crate::render::templates::Engine;
use crate::resolve::{Brief, NoteId};
use crate::verify::{Evidence, QuoteChecks};

pub use changes::settings_stamp;
pub use pages::Pages;

/// What changed since the last build, as the watcher saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// These files or folders (absolute, or relative to the brief's root).
    Files(BTreeSet<PathBuf>),
    /// Anything may have changed (the watcher lost track, or this is a first build).
    Unknown,
}

/// What [`rebuild`] made of the changes.
// Made once per rebuild and taken apart at once: boxing the memory would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Attempt {
    /// Done without a full build: the result (with the errors when the edit has some) and the
    /// memory (this build's, or the last good one's when there were errors).
    Done(BuildResult, BuildMemory),
    /// The changes need a full build; the memory is still that of the last good site (worth
    /// keeping if the full build fails), or `None` when it is no longer usable.
    NeedsFull(Option<BuildMemory>),
}

/// Everything a good build leaves for the next one.
pub struct BuildMemory {
    drafts: bool,
    base_url: Option<String>,
    /// The brief's root, canonical, to read the watcher's paths against.
    root: PathBuf,
    /// Settings, templates and static files when the build started.
    stamp: u64,
    loaded: Loaded,
    brief: Brief,
    evidence: Evidence,
    checks: QuoteChecks,
    rendered: Rendered,
    engine: Engine,
    links: Vec<LinkHtml<'static>>,
    graph: (Vec<GraphNode>, Vec<GraphEdge>),
    neighbourhoods: neighbourhoods::GraphIndex,
    places: Vec<Option<(NoteId, crate::render::footnotes::RefId)>>,
    /// The warnings of the last good site (it had no errors).
    diagnostics: Diagnostics,
    by_path: HashMap<PathBuf, NoteId>,
    pages: Pages,
    /// Files changed since this memory's site was built (relative to the root).
    pending: BTreeSet<PathBuf>,
    stale: Stale,
}

/// Site-wide files an incremental build left for [`BuildMemory::catch_up`].
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
struct Stale {
    json: bool,
    site_pages: bool,
}

impl BuildMemory {
    /// Remembers a good full build: its stages' products and its files.
    pub fn new(
        options: &BuildOptions,
        stamp: u64,
        pipeline: Pipeline,
        outputs: Vec<Output>,
        result: &BuildResult,
    ) -> BuildMemory {
        let Pipeline {
            loaded,
            brief,
            evidence,
            checks,
            rendered,
            engine,
        } = pipeline;
        let by_path = loaded
            .documents
            .iter()
            .enumerate()
            .map(|(id, d)| (d.path.clone(), id))
            .collect();
        let mut memory = BuildMemory {
            drafts: options.drafts,
            base_url: options.base_url.clone(),
            root: canonical(&options.root),
            stamp,
            links: partial::link_views(&brief),
            graph: partial::graph_input(&brief),
            neighbourhoods: Default::default(),
            places: partial::places(&brief, &rendered.bodies),
            loaded,
            brief,
            evidence,
            checks,
            rendered,
            engine,
            diagnostics: result.diagnostics.clone(),
            by_path,
            pages: Pages::new(outputs),
            pending: BTreeSet::new(),
            stale: Stale::default(),
        };
        memory.neighbourhoods = neighbourhoods::GraphIndex::new(&memory.graph.0, &memory.graph.1);
        memory
    }

    /// The site as of the last good build (site-wide files possibly stale; see
    /// [`Self::has_stale_files`]).
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// Whether [`Self::catch_up`] has site-wide files to render.
    pub fn has_stale_files(&self) -> bool {
        self.stale != Stale::default()
    }

    /// Renders the site-wide files the last incremental builds left stale. Returns whether
    /// pages a browser shows (not only data files) changed.
    pub fn catch_up(&mut self) -> Result<bool, String> {
        let stale = std::mem::take(&mut self.stale);
        if stale == Stale::default() {
            return Ok(false);
        }
        let inputs = PageInputs {
            brief: &self.brief,
            evidence: &self.evidence,
            rendered: &self.rendered,
            places: &self.places,
            graph: (&self.graph.0, &self.graph.1),
        };
        let started = Instant::now();
        let mut outputs = Vec::new();
        if stale.site_pages {
            outputs.extend(inputs.site_pages(&self.engine)?);
            trace(started, "catch-up: site pages");
        }
        if stale.json {
            let previous = self
                .pages
                .get("casefile.json")
                .map_or(0, |bytes| bytes.len());
            outputs.push(inputs.brief_json(previous));
            trace(started, "catch-up: casefile.json");
        }
        self.pages = self.pages.with(outputs);
        trace(started, "catch-up: swapped in");
        Ok(stale.site_pages)
    }
}

/// With `CASEFILE_TRACE=1`, prints when each step of an incremental rebuild ended.
fn trace(started: Instant, step: &str) {
    crate::trace::step("incremental", started, step);
}

fn canonical(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// Tries to bring `memory` up to date with `changes` without a full build.
pub fn rebuild(options: &BuildOptions, mut memory: BuildMemory, changes: Changes) -> Attempt {
    let started = Instant::now();
    let Changes::Files(paths) = changes else {
        return Attempt::NeedsFull(None);
    };
    if options.drafts != memory.drafts
        || options.base_url != memory.base_url
        || canonical(&options.root) != memory.root
    {
        return Attempt::NeedsFull(None);
    }
    for path in paths {
        let relative = path
            .strip_prefix(&memory.root)
            .or_else(|_| path.strip_prefix(&options.root))
            .map(Path::to_path_buf)
            .unwrap_or(path);
        memory.pending.insert(relative);
    }
    trace(started, "changes");
    if settings_stamp(&options.root) != memory.stamp {
        return Attempt::NeedsFull(Some(memory));
    }
    trace(started, "settings");
    let Some(ids) = changes::notes_named(&memory.pending, &memory.by_path, &options.root) else {
        return Attempt::NeedsFull(Some(memory));
    };
    let edits = match patch::reread(&memory, &options.root, &ids) {
        patch::Reread::Full => return Attempt::NeedsFull(Some(memory)),
        patch::Reread::Failed(diagnostics, files) => {
            let result = result_of(&memory, diagnostics, files, started, None);
            return Attempt::Done(result, memory);
        }
        patch::Reread::Edits(edits) => edits,
    };
    let read = started.elapsed();
    trace(started, "read");
    let diagnostics = patch::diagnostics_after(&memory, &edits);
    let applied = patch::apply(&mut memory, edits);
    let patched = started.elapsed();
    trace(started, "patch");
    let rendered = match affected::render(&mut memory, &applied, started) {
        Ok(count) => count,
        // A template that fails on a page it rendered before is not expected; a full build
        // reports it properly.
        Err(_) => return Attempt::NeedsFull(None),
    };
    memory.diagnostics = diagnostics.clone();
    memory.pending.clear();
    let mut result = result_of(
        &memory,
        diagnostics,
        Default::default(),
        started,
        Some(rendered),
    );
    result.timings.stages = vec![
        ("read", read),
        ("patch", patched - read),
        ("render", started.elapsed() - patched),
    ];
    Attempt::Done(result, memory)
}

fn result_of(
    memory: &BuildMemory,
    diagnostics: Diagnostics,
    files: crate::diagnostic::SourceFiles,
    started: Instant,
    pages_rendered: Option<usize>,
) -> BuildResult {
    let mut timings = Timings::default();
    timings.stages.push(("incremental", started.elapsed()));
    BuildResult {
        outputs: None,
        diagnostics,
        files,
        // Coverage is reported by `check`; serve does not show it.
        coverage: Default::default(),
        notes: memory.brief.notes.len(),
        citations: memory.brief.citations.len(),
        timings,
        pages_rendered: Some(pages_rendered.unwrap_or(0)),
        written: None,
    }
}
