//! `casefile serve`: the site built into memory and served on 127.0.0.1, rebuilt on every save,
//! with the browser reloaded over a websocket and build errors shown in the page.
//!
//! This module wires the parts together on one current-thread tokio runtime: [`site`] holds
//! the in-memory site and swaps it atomically, [`server`] answers HTTP requests from that map
//! only (never from the file system), [`reload`] owns the markup injected into HTML responses,
//! and [`watch`] turns file-system events into the set of paths that changed. Each change
//! triggers a rebuild in a blocking task, incremental when it can be
//! ([`crate::build::build_incremental`], [`crate::incremental`]); the site-wide files an
//! incremental rebuild leaves stale (`casefile.json`, the timeline) are caught up right after,
//! when no other change waits. A failed rebuild keeps the last good site and lays an error
//! overlay over every page until the next good build. This module must not grow into the
//! build: it calls [`crate::build`] and the memory's catch-up, nothing deeper.

mod reload;
mod server;
mod site;
mod watch;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{broadcast, mpsc};

use crate::build::{BuildOptions, BuildResult, FatalError, build_incremental};
use crate::diagnostic::{Severity, render};
use crate::incremental::{BuildMemory, Changes};
use site::{BuildErrors, Site, SiteCell};

/// What the user asked `casefile serve` for.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The brief's folder.
    pub root: PathBuf,
    /// The port on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Watch by polling instead of native file-system events.
    pub poll: bool,
    /// Include notes with `draft: true`.
    pub drafts: bool,
}

/// Serves the brief until the process is stopped; returns the exit code (2 when the server
/// cannot start: a bad folder, a port in use, no file watcher).
pub fn run(options: ServeOptions) -> i32 {
    if !options.root.is_dir() {
        eprintln!("error: {} is not a folder", options.root.display());
        return 2;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server's runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(serve(options))
}

async fn serve(options: ServeOptions) -> i32 {
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", options.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot listen on 127.0.0.1:{}: {e}; choose another port with --port (0 picks a free one)",
                options.port
            );
            return 2;
        }
    };
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(e) => {
            eprintln!("error: cannot read the server's address: {e}");
            return 2;
        }
    };
    let url = format!("http://127.0.0.1:{port}/");
    // Links in the pages carry base_url's path; serve the site as if it lived at the root here.
    let build_options = BuildOptions {
        root: options.root.clone(),
        drafts: options.drafts,
        base_url: Some(url.clone()),
        render: true,
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let (first, memory) = rebuild(
        &build_options,
        &Site::empty(),
        None,
        Changes::Unknown,
        color,
        "built",
    )
    .await;
    let site = Arc::new(SiteCell::new(first));

    let (change_sender, changes) = mpsc::unbounded_channel();
    let watcher = match watch::start(&options.root, options.poll, change_sender) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch {}: {e}", options.root.display());
            return 2;
        }
    };
    let (reload_sender, _) = broadcast::channel(16);
    tokio::spawn(rebuild_on_change(
        changes,
        watcher,
        build_options,
        Arc::clone(&site),
        reload_sender.clone(),
        color,
        memory,
    ));

    // Tests and scripts read this exact line to learn the port.
    println!("serving {url}");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }
    let app = server::router(server::AppState {
        site,
        reload: reload_sender,
        port,
    });
    match axum::serve(listener, app).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: the server stopped: {e}");
            2
        }
    }
}

/// Rebuilds once per burst of changes, swaps the site in, and tells every open page to reload;
/// then, when no change waits, catches up the site-wide files the rebuild left stale.
async fn rebuild_on_change(
    mut changes: mpsc::UnboundedReceiver<Changes>,
    mut watcher: watch::Watcher,
    options: BuildOptions,
    site: Arc<SiteCell>,
    reload: broadcast::Sender<()>,
    color: bool,
    mut memory: Option<BuildMemory>,
) {
    let mut waiting: Option<Changes> = None;
    loop {
        let first = match waiting.take() {
            Some(first) => first,
            None => match changes.recv().await {
                Some(first) => first,
                None => break,
            },
        };
        // Changes that arrived while the last build ran are all covered by this one.
        let mut pending = first;
        while let Ok(more) = changes.try_recv() {
            pending = merge(pending, more);
        }
        if let Err(e) = watcher.watch_new_folders() {
            eprintln!("warning: cannot watch {e}");
            pending = Changes::Unknown;
        }
        trace_clock("rebuild starts");
        let previous = site.current();
        let (next, next_memory) = rebuild(
            &options,
            &previous,
            memory.take(),
            pending,
            color,
            "rebuilt",
        )
        .await;
        memory = next_memory;
        let good = next.errors().is_none();
        site.replace(next);
        trace_clock("site replaced");
        // No open page is not an error.
        let _ = reload.send(());
        if good && memory.as_ref().is_some_and(BuildMemory::has_stale_files) {
            // The browser is fetching the page it was told to reload: leave it the cores, and
            // let an edit that follows closely go first.
            match tokio::time::timeout(CATCH_UP_AFTER, changes.recv()).await {
                Ok(Some(next)) => waiting = Some(next),
                Ok(None) => break,
                Err(_) => memory = catch_up(memory, &site, &reload).await,
            }
        }
    }
}

/// With `CASEFILE_TRACE=1`, prints the wall-clock time of a moment of a rebuild, to set beside
/// the time a file was saved (`scripts/serve_latency.py` and by hand).
fn trace_clock(moment: &str) {
    if crate::trace::enabled() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        eprintln!(
            "    serve: {moment} at {} ms since the epoch",
            now.as_millis()
        );
    }
}

/// How long the server stays quiet after a rebuild before it catches up the site-wide files.
const CATCH_UP_AFTER: std::time::Duration = std::time::Duration::from_millis(250);

fn merge(a: Changes, b: Changes) -> Changes {
    match (a, b) {
        (Changes::Files(mut a), Changes::Files(b)) => {
            a.extend(b);
            Changes::Files(a)
        }
        _ => Changes::Unknown,
    }
}

/// Renders the site-wide files the last rebuild left stale and swaps them in; reloads open
/// pages only when pages (not just data files) changed.
async fn catch_up(
    memory: Option<BuildMemory>,
    site: &SiteCell,
    reload: &broadcast::Sender<()>,
) -> Option<BuildMemory> {
    let mut memory = memory?;
    if !memory.has_stale_files() {
        return Some(memory);
    }
    let started = Instant::now();
    let (memory, outcome) = tokio::task::spawn_blocking(move || {
        let outcome = memory.catch_up();
        (memory, outcome)
    })
    .await
    .ok()?;
    match outcome {
        Ok(pages_changed) => {
            site.replace(Site::from_pages(memory.pages().clone()));
            eprintln!(
                "caught up site-wide files in {} ms",
                started.elapsed().as_millis()
            );
            if pages_changed {
                let _ = reload.send(());
            }
            Some(memory)
        }
        Err(message) => {
            // The next change makes a full build, which reports it.
            eprintln!("error: {message}");
            None
        }
    }
}

/// Runs a build off the async thread — incremental when the previous build's memory is given
/// (see [`crate::incremental`]) — and turns it into the next site to serve, printing one
/// summary line (and the errors, if any) to stderr. Returns the memory for the next build.
async fn rebuild(
    options: &BuildOptions,
    previous: &Site,
    memory: Option<BuildMemory>,
    changes: Changes,
    color: bool,
    verb: &str,
) -> (Site, Option<BuildMemory>) {
    let started = Instant::now();
    let task_options = options.clone();
    let (outcome, next_memory) = tokio::task::spawn_blocking(move || {
        build_incremental(&task_options, &|_| {}, memory, changes)
    })
    .await
    .unwrap_or_else(|e| {
        (
            Err(FatalError(format!("the build stopped unexpectedly: {e}"))),
            None,
        )
    });
    let millis = started.elapsed().as_millis();
    let site = match (outcome, &next_memory) {
        (
            Ok(BuildResult {
                diagnostics,
                pages_rendered,
                ..
            }),
            Some(memory),
        ) if !diagnostics.has_errors() => {
            let warnings = diagnostics.warning_count();
            let site = Site::from_pages(memory.pages().clone());
            let warning_note = match warnings {
                0 => String::new(),
                1 => ", 1 warning".to_string(),
                n => format!(", {n} warnings"),
            };
            let incremental_note = match pages_rendered {
                Some(n) => format!(
                    ", {n} note page{} re-rendered",
                    if n == 1 { "" } else { "s" }
                ),
                None => String::new(),
            };
            eprintln!(
                "{verb} in {millis} ms ({} files{warning_note}{incremental_note})",
                site.file_count()
            );
            site
        }
        (Ok(result), _) => {
            let errors: Vec<_> = result
                .diagnostics
                .clone()
                .sorted()
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            let mut rendered = Vec::with_capacity(errors.len());
            for error in &errors {
                eprintln!("{}", render(error, &result.files, color));
                rendered.push(render(error, &result.files, false));
            }
            if rendered.is_empty() {
                // Not expected from build(), but the overlay must never claim zero errors.
                rendered.push("error: the build produced no site".to_string());
            }
            failed(previous, BuildErrors::new(rendered), millis)
        }
        (Err(FatalError(message)), _) => {
            eprintln!("error: {message}");
            failed(
                previous,
                BuildErrors::new(vec![format!("error: {message}")]),
                millis,
            )
        }
    };
    (site, next_memory)
}

fn failed(previous: &Site, errors: BuildErrors, millis: u128) -> Site {
    let count = errors.count();
    let serving = if previous.has_pages() {
        "serving the last good site"
    } else {
        "no site to serve until they are fixed"
    };
    eprintln!(
        "build failed with {count} error{} in {millis} ms; {serving}",
        if count == 1 { "" } else { "s" }
    );
    previous.with_errors(errors)
}

/// Best effort: a missing opener is reported, never fatal.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    if let Err(e) = command
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}
