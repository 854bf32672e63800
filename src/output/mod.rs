//! Stage 5, write: the site's files go to disk, or stay in memory for `serve`.
//!
//! Owns the safety rules for the output folder: nothing in it changes before the whole new
//! site has been made ([`StagedSite`]), so a failed build never leaves a half-written site;
//! a folder is only replaced or updated if it carries casefile's marker file (or `--force`),
//! so casefile never deletes a folder it did not create.

use std::path::{Path, PathBuf};

pub mod manifest;
mod staged;

pub use staged::{PreviousSite, StagedSite};

/// One file of the site, relative to its root (`people/x/index.html`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl Output {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> Output {
        Output {
            path: path.into(),
            bytes,
        }
    }
}

/// The file that marks a folder as casefile's output.
pub const MARKER: &str = ".casefile-output";

#[derive(Debug)]
pub enum WriteError {
    /// The folder exists, is not empty and is not casefile's.
    Foreign(PathBuf),
    /// The folder is the brief, holds it, or lies inside its own files: never replaced, even
    /// with `--force`, since that would delete the notes.
    HoldsBrief(PathBuf),
    Io(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Foreign(p) => write!(
                f,
                "refusing to replace {}: it exists and was not made by casefile (no {MARKER} file); choose another folder with -o, or pass --force",
                p.display()
            ),
            WriteError::HoldsBrief(p) => write!(
                f,
                "refusing to write the site into {}: it is, contains or lies inside the brief's own files, which replacing it would delete (even with --force); choose another folder with -o",
                p.display()
            ),
            WriteError::Io(m) => f.write_str(m),
        }
    }
}

/// Refuses an output folder that would take the brief with it: the brief's root or a folder
/// above it, or anything inside `content/`, `templates/`, `static/` or `themes/`.
pub fn check_output_location(root: &Path, dir: &Path) -> Result<(), WriteError> {
    let (Some(root), Some(out)) = (resolved(root), resolved(dir)) else {
        return Ok(());
    };
    let inside_own_files = ["content", "templates", "static", "themes"]
        .iter()
        .any(|own| out.starts_with(root.join(own)));
    if root.starts_with(&out) || inside_own_files {
        return Err(WriteError::HoldsBrief(dir.to_path_buf()));
    }
    Ok(())
}

/// The absolute, symlink-free form of a path that may not exist yet: its nearest existing
/// ancestor canonicalized, the rest appended.
fn resolved(path: &Path) -> Option<PathBuf> {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return Some(
                rest.into_iter()
                    .rev()
                    .fold(real, |acc, part| acc.join(part)),
            );
        }
        let name = existing.file_name()?.to_owned();
        rest.push(name);
        existing = match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
    }
}

/// Where a build puts its files as it makes them: pages are handed over one by one from
/// every rendering thread, so a folder target can write them at once instead of the whole
/// site waiting in memory.
pub trait Sink: Sync {
    fn put(&self, output: Output) -> Result<(), String>;

    /// A large file (`casefile.json`) handed over as it is made: `write` writes its bytes to
    /// the writer it is given. A folder target streams them into the file, so the whole file
    /// never sits in memory; by default they are gathered and [`Sink::put`].
    fn put_streamed(
        &self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), String> {
        let mut bytes = Vec::new();
        write(&mut bytes).map_err(|e| format!("cannot make {path}: {e}"))?;
        self.put(Output::new(path, bytes))
    }

    /// The bytes of the file at `path` in the site this build replaces, when there is one
    /// and casefile made it: a build may reuse what the previous build made from the same
    /// input (the search index's compressed fragments) instead of making it again.
    fn previous(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }

    /// Whether the files put here stay for the next build to read with [`Sink::previous`]
    /// (a folder does; memory kept for `serve` does not), so that memos for it are worth
    /// writing.
    fn keeps_files(&self) -> bool {
        false
    }

    /// Puts the previous site's file at `previous_path` into the new site at `path`, as it is
    /// (for a folder target, hard-linked: neither read nor copied). False when there is no
    /// such file, and the caller makes it itself.
    fn put_previous(&self, _previous_path: &str, _path: &str) -> Result<bool, String> {
        Ok(false)
    }
}

/// A sink that keeps the files in memory (for `serve`, `check` and tests).
#[derive(Default)]
pub struct Collect(std::sync::Mutex<Vec<Output>>);

impl Collect {
    pub fn into_outputs(self) -> Vec<Output> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Collect {
    fn put(&self, output: Output) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(output);
        Ok(())
    }
}
