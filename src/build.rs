//! The whole pipeline in one call, for `build`, `check` and `serve`: load → resolve → verify →
//! render, with every diagnostic. [`build_into_folder`] (the `build` command) writes each page
//! into a staging folder as it is rendered and swaps it in at the end; [`build_incremental`]
//! (`serve`, tests) returns the site in memory.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::coverage::{Coverage, coverage};
use crate::diagnostic::{Diagnostic, Diagnostics, Location, SourceFiles};
use crate::incremental::{BuildMemory, Changes};
use crate::load::Loaded;
use crate::output::{Collect, Output, PreviousSite, StagedSite, WriteError};
use crate::render::Selection;
use crate::render::partial::Rendered;
use crate::render::templates::{Engine, theme_static};
use crate::resolve::Brief;
use crate::verify::{Evidence, QuoteChecks};

/// What the user asked for.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    /// Render pages (false for `check`, which only validates).
    pub render: bool,
}

/// The result of a build: the files (when there was no error and rendering was asked for),
/// every diagnostic, the files' texts to show them, and the coverage report.
pub struct BuildResult {
    pub outputs: Option<Vec<Output>>,
    pub diagnostics: Diagnostics,
    pub files: SourceFiles,
    pub coverage: Coverage,
    pub notes: usize,
    pub citations: usize,
    pub timings: Timings,
    /// For an incremental build, how many note pages were rendered again.
    pub pages_rendered: Option<usize>,
    /// For [`build_into_folder`]: how many files were written, or why the folder could not be
    /// written (nothing then replaced the old site). `None` when the build stopped before
    /// writing (errors in the brief, or `check`).
    pub written: Option<Result<usize, WriteError>>,
}

/// An error that is not about content: a template that does not render, an unreadable theme.
#[derive(Debug)]
pub struct FatalError(pub String);

pub fn build(options: &BuildOptions) -> Result<BuildResult, FatalError> {
    build_with_progress(options, &|_| {})
}

/// [`build`], telling `progress` the name of each stage as it starts (the command line shows
/// it on a terminal, so a long build is never silent).
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &dyn Fn(&str),
) -> Result<BuildResult, FatalError> {
    run(options, progress, None).map(|(result, _)| result)
}

/// A build for `serve` that reuses what the previous one left in `memory` (see
/// [`crate::incremental`]): when `changes` allow it, only what they touch is loaded, checked and
/// rendered again; otherwise the whole pipeline runs. Returns the memory for the next build:
/// this one's when it succeeded, the previous one (which still describes the last good site)
/// when it failed, `None` when neither is usable. The site itself is in the memory
/// ([`BuildMemory::pages`]); `outputs` stays `None`.
pub fn build_incremental(
    options: &BuildOptions,
    progress: &dyn Fn(&str),
    memory: Option<BuildMemory>,
    changes: Changes,
) -> (Result<BuildResult, FatalError>, Option<BuildMemory>) {
    let kept = match memory {
        Some(memory) => match crate::incremental::rebuild(options, memory, changes) {
            crate::incremental::Attempt::Done(result, memory) => return (Ok(result), Some(memory)),
            crate::incremental::Attempt::NeedsFull(kept) => kept,
        },
        None => None,
    };
    let stamp = crate::incremental::settings_stamp(&options.root);
    match run(options, progress, None) {
        Ok((mut result, Some(pipeline))) => {
            let outputs = result.outputs.take().unwrap_or_default();
            let memory = BuildMemory::new(options, stamp, pipeline, outputs, &result);
            (Ok(result), Some(memory))
        }
        Ok((result, None)) => (Ok(result), kept),
        Err(e) => (Err(e), kept),
    }
}

/// What a build's stages produced, kept by `serve` for the next build ([`BuildMemory`]).
pub struct Pipeline {
    pub loaded: Loaded,
    pub brief: Brief,
    pub evidence: Evidence,
    pub checks: QuoteChecks,
    pub rendered: Rendered,
    pub engine: Engine,
}

/// [`build_with_progress`], writing the site for `dir` as its pages are rendered (the folder
/// is replaced or updated once the whole site is made; see [`crate::output::StagedSite`]), so
/// the whole site is never held in memory. [`BuildResult::written`] says how the writing went.
pub fn build_into_folder(
    options: &BuildOptions,
    progress: &dyn Fn(&str),
    dir: &Path,
    force: bool,
) -> Result<BuildResult, FatalError> {
    build_into_folder_leaving(options, progress, dir, force).map(|(result, _)| result)
}

/// [`build_into_folder`], handing back what the stages made instead of dropping it: a
/// process that ends right after (the `build` command) can leave that memory to the OS,
/// which takes it back at once, instead of freeing every note's strings one by one on one
/// core (about 1 % of a 10,000-note build's CPU, with the other core idle).
pub fn build_into_folder_leaving(
    options: &BuildOptions,
    progress: &dyn Fn(&str),
    dir: &Path,
    force: bool,
) -> Result<(BuildResult, Leftovers), FatalError> {
    let mut leftovers = Leftovers::default();
    let result = run(options, progress, Some((dir, force, &mut leftovers)))?.0;
    Ok((result, leftovers))
}

/// What a build into a folder made on its way (see [`build_into_folder_leaving`]): nothing
/// to use, only memory to give back, by dropping it or by ending the process.
#[derive(Default)]
pub struct Leftovers {
    stages: Option<Box<dyn std::any::Any>>,
}

/// The pipeline. Without `folder` the site is returned in [`BuildResult::outputs`], with what
/// the stages produced when it succeeded.
fn run(
    options: &BuildOptions,
    progress: &dyn Fn(&str),
    folder: Option<(&Path, bool, &mut Leftovers)>,
) -> Result<(BuildResult, Option<Pipeline>), FatalError> {
    let root = options.root.as_path();
    // The previous site's survey only reads the folder: it runs beside loading and checking
    // (see `PreviousSite`). A build that stops before writing leaves it to finish unheard.
    let previous_site = folder.as_ref().map(|(dir, _, _)| {
        let dir = dir.to_path_buf();
        std::thread::spawn(move || PreviousSite::survey(&dir))
    });
    let mut diagnostics = Diagnostics::new();
    let config_text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
    let mut files = SourceFiles::default();
    let mut config = match Config::load(root, config_text.as_deref()) {
        Ok(c) => c,
        Err(d) => {
            diagnostics.push(d);
            Config::default()
        }
    };
    if let Some(text) = &config_text {
        files.insert(PathBuf::from("casefile.yaml"), text.as_str().into());
    }
    if let Some(url) = &options.base_url {
        let url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
        crate::config::check_base_url_characters(&url).map_err(|problem| {
            FatalError(format!(
                "base_url \"{url}\" given with --base-url {problem}"
            ))
        })?;
        config.base_url = url;
    }
    if options.render && config.search && crate::search::ENABLED {
        crate::search::prefetch_runtime(&config.language);
    }
    let mut timings = Timings::default();
    let mut loaded = timings.time(progress, "load", || {
        crate::load::load(root, options.drafts, &mut diagnostics)
    });
    // A site written to a folder is built once: what only serve's next build reads again (the
    // documents after resolve, the prepared sources after verify) is dropped as soon as it is
    // used, so that rendering has that memory.
    let brief = timings.time(progress, "resolve", || {
        let brief = crate::resolve::resolve(config, &loaded, &mut diagnostics);
        if folder.is_some() {
            // Freed on a thread of their own: one by one on this thread, the documents'
            // strings were a pause with the other core idle before verifying.
            let documents = std::mem::take(&mut loaded.documents);
            std::thread::spawn(move || drop(documents));
        }
        brief
    });
    let (evidence, checks) = timings.time(progress, "verify", || {
        if folder.is_some() {
            (crate::verify::verify(&brief, &mut diagnostics), None)
        } else {
            let (evidence, checks) = crate::verify::verify_keeping(&brief, &mut diagnostics);
            (evidence, Some(checks))
        }
    });
    let coverage = timings.time(progress, "coverage", || coverage(&brief, &mut diagnostics));
    files.absorb(std::mem::take(&mut loaded.files));
    let mut result = BuildResult {
        outputs: None,
        diagnostics,
        files,
        coverage,
        notes: brief.notes.len(),
        citations: brief.citations.len(),
        timings: Timings::default(),
        pages_rendered: None,
        written: None,
    };
    if !options.render || result.diagnostics.has_errors() {
        return Ok((result, None));
    }
    let selection = Selection::default();
    let engine = timings
        .time(progress, "templates", || {
            Engine::load(root, &brief.config.theme)
        })
        .map_err(FatalError)?;
    if let Some((dir, force, leftovers)) = folder {
        // Theme files, then the brief's own static files: a later write of the same path
        // replaces the earlier one, so the brief's file wins. Read before anything is written,
        // so a bad static file stops the build with the old site untouched.
        let extra = static_files(root, &brief.config.theme, &mut result.diagnostics);
        if result.diagnostics.has_errors() {
            result.timings = timings;
            return Ok((result, None));
        }
        let previous = previous_site
            .and_then(|survey| survey.join().ok())
            .unwrap_or_else(|| PreviousSite::survey(dir));
        let site = match StagedSite::begin(dir, force, previous) {
            Ok(site) => site,
            Err(e) => {
                result.written = Some(Err(e));
                result.timings = timings;
                return Ok((result, None));
            }
        };
        let rendered = timings
            .time(progress, "render", || {
                crate::render::render_into_keeping(&brief, &evidence, &engine, selection, &site)
            })
            .map_err(FatalError)?;
        let written = timings.time(progress, "write", || {
            for file in &extra {
                site.write(file)?;
            }
            let count = site.files_written();
            site.finish().map(|()| count)
        });
        result.written = Some(written);
        result.timings = timings;
        leftovers.stages = Some(Box::new((loaded, brief, evidence, engine, rendered)));
        return Ok((result, None));
    }
    let collect = Collect::default();
    let rendered = timings
        .time(progress, "render", || {
            crate::render::render_into_keeping(&brief, &evidence, &engine, selection, &collect)
        })
        .map_err(FatalError)?;
    let mut outputs = collect.into_outputs();
    outputs.extend(static_files(
        root,
        &brief.config.theme,
        &mut result.diagnostics,
    ));
    // Stable: for one path, generated pages come first, then theme files, then the brief's.
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    outputs.dedup_by(|later, earlier| {
        // The brief's own static file wins over a generated or theme file of the same name.
        if later.path == earlier.path {
            std::mem::swap(later, earlier);
            true
        } else {
            false
        }
    });
    result.outputs = Some(outputs);
    result.timings = timings;
    let pipeline = Pipeline {
        loaded,
        brief,
        evidence,
        checks: checks.expect("verify keeps its checks when the site is built in memory"),
        rendered,
        engine,
    };
    Ok((result, Some(pipeline)))
}

/// Wall time of each stage, for `-v` and for finding what to make faster.
#[derive(Default, Debug, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

impl Timings {
    fn time<T>(
        &mut self,
        progress: &dyn Fn(&str),
        stage: &'static str,
        work: impl FnOnce() -> T,
    ) -> T {
        progress(stage);
        let started = std::time::Instant::now();
        let out = work();
        self.stages.push((stage, started.elapsed()));
        if crate::trace::enabled() {
            eprintln!("  {stage} done; {}", crate::trace::resources());
        }
        out
    }
}

/// The theme's static files, then the brief's own (which may replace them).
fn static_files(root: &Path, theme: &str, diagnostics: &mut Diagnostics) -> Vec<Output> {
    let mut files: Vec<Output> = theme_static(root, theme)
        .into_iter()
        .map(|(name, bytes)| Output::new(name, bytes))
        .collect();
    copy_static(root, &mut files, diagnostics);
    files
}

/// The brief's `static/` folder, copied as it is (after the theme, so it may override).
fn copy_static(root: &Path, outputs: &mut Vec<Output>, diagnostics: &mut Diagnostics) {
    let dir = root.join("static");
    if !dir.is_dir() {
        return;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_path_buf();
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .map(|t| t.starts_with(&canonical_root))
                .unwrap_or(false);
            if !inside {
                diagnostics.push(
                    Diagnostic::error(
                        "symlink-outside",
                        Location::file_only(&rel),
                        "symbolic link leads out of the brief",
                    )
                    .with_help(
                        "casefile reads only files inside the brief; copy the file in instead",
                    ),
                );
                continue;
            }
        }
        if !entry.path().is_file() {
            continue;
        }
        let Ok(inner) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                // Later entries with the same path replace earlier ones (see dedup in build).
                outputs.retain(|o| o.path != inner.to_string_lossy().replace('\\', "/"));
                outputs.push(Output::new(
                    inner.to_string_lossy().replace('\\', "/"),
                    bytes,
                ));
            }
            Err(e) => diagnostics.push(Diagnostic::error(
                "io",
                Location::file_only(&rel),
                format!("cannot read: {e}"),
            )),
        }
    }
}
