//! File watching for `serve`: turns saves under the brief's `content/`, `templates/`,
//! `static/`, `themes/` and its `casefile.yaml` into the set of paths that changed, debounced
//! by notify-debouncer-full (20 ms, short because the rebuild it starts is incremental and a
//! writer waits for it) so one save, or a burst of them, means one rebuild.
//!
//! Native events (inotify, FSEvents, ReadDirectoryChanges) by default; `--poll` uses notify's
//! `PollWatcher` instead, for file systems where native events do not arrive (network and
//! container mounts; mdBook polls by default for this reason). Editors' swap and backup files
//! are ignored, so typing in an editor does not rebuild the site. This module only signals; it
//! never builds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, FileIdMap, RecommendedCache, new_debouncer, new_debouncer_opt,
};
use tokio::sync::mpsc::UnboundedSender;

use crate::incremental::Changes;

/// The folders under the brief's root whose changes rebuild the site.
const WATCHED_FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];
const CONFIG_FILE: &str = "casefile.yaml";
/// An editor's save is a few writes within a millisecond or two (truncate, write, rename);
/// 20 ms groups them without making the writer wait. Polling is slow anyway: it keeps 100 ms.
const DEBOUNCE: Duration = Duration::from_millis(20);
const POLL_DEBOUNCE: Duration = Duration::from_millis(100);
/// How often `--poll` looks at every file's modification time.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Keeps watching while it lives; dropping it stops the watcher's threads.
pub struct Watcher {
    debouncer: Backend,
    root: PathBuf,
    /// The watched folders that existed when last looked at.
    watched: Vec<PathBuf>,
}

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, FileIdMap>),
}

/// Starts watching `root`; every relevant burst of changes sends the paths that changed on
/// `changes` ([`Changes::Unknown`] when the watcher lost track of some).
pub fn start(
    root: &Path,
    poll: bool,
    changes: UnboundedSender<Changes>,
) -> Result<Watcher, String> {
    // Events carry the paths as watched; canonical ones make the relevance test exact.
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let relevant = Relevance { root: root.clone() };
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) => {
            if events.iter().any(|event| event.need_rescan()) {
                // Events were dropped (a queue overflowed): anything may have changed.
                let _ = changes.send(Changes::Unknown);
                return;
            }
            let changed: std::collections::BTreeSet<PathBuf> = events
                .iter()
                .filter(|event| !matches!(event.kind, EventKind::Access(_)))
                .flat_map(|event| event.paths.iter())
                .filter(|p| relevant.matters(p))
                .cloned()
                .collect();
            if !changed.is_empty() {
                // The receiver is gone only when the server is shutting down.
                let _ = changes.send(Changes::Files(changed));
            }
        }
        Err(errors) => {
            for error in errors {
                eprintln!("warning: file watcher: {error}");
            }
            let _ = changes.send(Changes::Unknown);
        }
    };
    let debouncer = if poll {
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
        Backend::Poll(
            new_debouncer_opt(POLL_DEBOUNCE, None, handler, FileIdMap::new(), config)
                .map_err(|e| e.to_string())?,
        )
    } else {
        Backend::Native(new_debouncer(DEBOUNCE, None, handler).map_err(|e| e.to_string())?)
    };
    let mut watcher = Watcher {
        debouncer,
        root: root.clone(),
        watched: Vec::new(),
    };
    // The root itself, not recursively: catches casefile.yaml even when an editor replaces it
    // by renaming a new file over it (a watch on the file alone would be lost then), and a
    // watched folder being created.
    watcher.watch(&root, RecursiveMode::NonRecursive)?;
    watcher.watch_new_folders()?;
    Ok(watcher)
}

impl Watcher {
    /// Starts watching any of the folders that did not exist before (a `templates/` made to
    /// override the theme, say); called before each rebuild.
    pub fn watch_new_folders(&mut self) -> Result<(), String> {
        for folder in WATCHED_FOLDERS {
            let path = self.root.join(folder);
            if path.is_dir() && !self.watched.contains(&path) {
                self.watch(&path, RecursiveMode::Recursive)?;
                self.watched.push(path);
            }
        }
        // A folder that went away is forgotten, so it is watched again if it comes back.
        self.watched.retain(|p| p.is_dir());
        Ok(())
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> Result<(), String> {
        let result = match &mut self.debouncer {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        };
        result.map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Which changed paths warrant a rebuild.
struct Relevance {
    root: PathBuf,
}

impl Relevance {
    fn matters(&self, path: &Path) -> bool {
        let Ok(inside) = path.strip_prefix(&self.root) else {
            return false;
        };
        let mut components = inside.components();
        let Some(first) = components.next() else {
            return false;
        };
        let first = first.as_os_str();
        if components.next().is_none() {
            // Directly in the root: the config file, or a watched folder appearing or going.
            return first == CONFIG_FILE || WATCHED_FOLDERS.iter().any(|f| first == *f);
        }
        WATCHED_FOLDERS.iter().any(|f| first == *f) && !is_editor_scratch(path)
    }
}

/// Swap, backup and lock files editors write beside the file being edited (`.x.md.swp`,
/// `x.md~`, `.#x.md`, vim's `4913` probe).
fn is_editor_scratch(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.starts_with('.') || name.ends_with('~') || name == "4913"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_config_and_theme_files_matter_but_scratch_and_output_do_not() {
        let relevant = Relevance {
            root: PathBuf::from("/brief"),
        };
        assert!(relevant.matters(Path::new("/brief/content/people/x.md")));
        assert!(relevant.matters(Path::new("/brief/casefile.yaml")));
        assert!(relevant.matters(Path::new("/brief/themes/mine/templates/base.html")));
        assert!(relevant.matters(Path::new("/brief/static")));
        assert!(!relevant.matters(Path::new("/brief/content/people/.x.md.swp")));
        assert!(!relevant.matters(Path::new("/brief/content/people/x.md~")));
        assert!(!relevant.matters(Path::new("/brief/public/index.html")));
        assert!(!relevant.matters(Path::new("/brief/target/debug/casefile")));
        assert!(!relevant.matters(Path::new("/brief/README.md")));
        assert!(!relevant.matters(Path::new("/elsewhere/content/x.md")));
    }
}
