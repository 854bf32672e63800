//! Which notes a set of changed paths names, and whether anything else changed that only a
//! full build handles: a note added or removed, a folder moved, the settings, templates,
//! themes or static files.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Component, Path, PathBuf};

use crate::resolve::NoteId;

/// The notes whose files are among `changed` (paths relative to `root`), sorted; `None` when
/// a change needs a full build.
pub fn notes_named(
    changed: &BTreeSet<PathBuf>,
    by_path: &HashMap<PathBuf, NoteId>,
    root: &Path,
) -> Option<Vec<NoteId>> {
    let mut ids = Vec::new();
    for path in changed {
        let mut parts = path.components();
        if parts.next() != Some(Component::Normal("content".as_ref())) {
            // casefile.yaml, templates, themes, static: their stamp decides; anything else
            // under the root is not part of the brief (the watcher only reports what is).
            if is_settings(path) {
                return None;
            }
            continue;
        }
        if let Some(&id) = by_path.get(path) {
            // A note that is gone, or replaced by something that is not a file, is a removal.
            let meta = std::fs::symlink_metadata(root.join(path)).ok()?;
            if !meta.is_file() {
                return None;
            }
            ids.push(id);
            continue;
        }
        if ignored_by_load(path, root) {
            continue;
        }
        return None;
    }
    ids.sort_unstable();
    ids.dedup();
    Some(ids)
}

fn is_settings(path: &Path) -> bool {
    path == Path::new("casefile.yaml")
        || ["templates", "themes", "static"]
            .iter()
            .any(|dir| path.starts_with(dir))
}

/// A file under `content/` that the load stage never reads: hidden, or not Markdown, and a
/// plain file (a folder may hold notes). A path that is gone counts when its name has an
/// extension other than `.md`: an editor's temporary file renamed over the note it saves (the
/// kind folders have no dot; a folder moved away is reported by its own name only, and must
/// make a full build).
fn ignored_by_load(path: &Path, root: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hidden = name.starts_with('.');
    let markdown = name.ends_with(".md");
    match std::fs::symlink_metadata(root.join(path)) {
        Ok(meta) => meta.is_file() && (hidden || !markdown),
        Err(_) => !markdown && name.contains('.'),
    }
}

/// Settings, templates, themes and static files, by name, size and modification time.
pub fn settings_stamp(root: &Path) -> u64 {
    let mut entries: Vec<(String, u64, Option<std::time::SystemTime>)> = Vec::new();
    let mut add = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            entries.push((path.display().to_string(), meta.len(), meta.modified().ok()));
        }
    };
    add(&root.join("casefile.yaml"));
    for dir in ["templates", "themes", "static"] {
        for entry in walkdir::WalkDir::new(root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            add(entry.path());
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_named_other_files_ignored_and_the_rest_makes_a_full_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/people")).unwrap();
        std::fs::write(root.join("content/people/a.md"), "x").unwrap();
        std::fs::write(root.join("content/people/notes.txt"), "x").unwrap();
        let by_path: HashMap<PathBuf, NoteId> = [(PathBuf::from("content/people/a.md"), 4)]
            .into_iter()
            .collect();
        let named = |paths: &[&str]| {
            let set: BTreeSet<PathBuf> = paths.iter().map(PathBuf::from).collect();
            notes_named(&set, &by_path, root)
        };
        assert_eq!(named(&["content/people/a.md"]), Some(vec![4]));
        assert_eq!(
            named(&[
                "content/people/a.md",
                "content/people/notes.txt",
                "content/people/a.md.tmp1234",
                "README.md",
            ]),
            Some(vec![4]),
            "a text file, an editor's vanished temporary file, a file outside the brief"
        );
        assert_eq!(named(&["content/people/b.md"]), None, "a new note");
        assert_eq!(named(&["content/people"]), None, "a folder");
        assert_eq!(named(&["content/companies"]), None, "a folder gone");
        assert_eq!(named(&["casefile.yaml"]), None);
        assert_eq!(named(&["templates/base.html"]), None);
        std::fs::remove_file(root.join("content/people/a.md")).unwrap();
        assert_eq!(named(&["content/people/a.md"]), None, "a note removed");
    }
}
