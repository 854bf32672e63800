//! Stage 1, load: walks `content/`, reads every note, splits front matter from body and parses
//! the front matter into typed structs, keeping positions.
//!
//! Owns the on-disk rules of SPEC §1: folder → kind, slug characters, uniqueness of slugs,
//! keys allowed per kind, symbolic links that leave the brief, file sizes and encodings. It
//! resolves nothing: names of other notes stay strings for the resolve stage.

pub mod event_reader;
pub mod frontmatter;
mod line_scanner;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{
    Diagnostic, Diagnostics, Location, SourceFiles, did_you_mean, floor_char_boundary,
};
use crate::model::{Kind, is_valid_slug, slugify};
pub use frontmatter::{FrontMatter, Spanned};

/// Notes larger than this are refused: a note is a page of prose, and a runaway file (a pasted
/// dump, a binary) should fail loudly rather than slow every build.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// One note as read from disk.
#[derive(Debug)]
pub struct Document {
    /// Relative to the brief's root, as shown in diagnostics: `content/people/x.md`.
    pub path: PathBuf,
    pub kind: Kind,
    pub slug: String,
    pub text: Arc<str>,
    pub front: FrontMatter,
    /// Line number (0-based) at which the YAML starts: 1 when `---` is on the first line.
    pub yaml_line_offset: usize,
    /// Byte offset of the body in `text`.
    pub body_start: usize,
    /// Byte offset at which each line of `text` starts, so that a position costs a binary
    /// search instead of a count from the top (every link and citation gets one). `u32` is
    /// enough: a note has at most [`MAX_FILE_BYTES`].
    line_starts: Vec<u32>,
}

impl Document {
    /// The Markdown (or, for a source, the verbatim text) after the front matter.
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The location of a byte range of the body (as [`Location::at_offset`] computes it).
    pub fn body_location(&self, offset: usize, length: usize) -> Location {
        let text = &*self.text;
        let offset = floor_char_boundary(text, (self.body_start + offset).min(text.len()));
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= offset);
        let line_start = self.line_starts[line.saturating_sub(1)] as usize;
        Location {
            file: self.path.clone(),
            line,
            column: text[line_start..offset].chars().count() + 1,
            length,
        }
    }

    /// The location of a front matter value.
    pub fn yaml_location<T>(&self, value: &Spanned<T>) -> Location {
        let at = value.at;
        Location {
            file: self.path.clone(),
            line: at.line as usize + self.yaml_line_offset,
            column: (at.column as usize).max(1),
            length: at.length as usize,
        }
    }

    pub fn file_location(&self) -> Location {
        Location {
            file: self.path.clone(),
            line: 1,
            column: 1,
            length: 3,
        }
    }

    pub fn title(&self) -> &str {
        self.front
            .title
            .as_ref()
            .map_or(self.slug.as_str(), |t| t.value.as_str())
    }
}

/// What loading produced: the notes, the drafts left out, and every file's text for snippets.
pub struct Loaded {
    pub documents: Vec<Document>,
    /// Slugs and titles of drafts left out, so a link to one can say why it does not resolve.
    pub drafts: Vec<(String, String)>,
    /// File stems of notes that could not be read: their own error explains, so links to them
    /// are not reported a second time.
    pub failed: Vec<String>,
    pub files: SourceFiles,
}

/// Reads the brief under `root`. Problems are pushed to `diagnostics`; a document with an
/// unreadable front matter is left out (its error explains why), everything else is kept so
/// that later stages can report their own problems too.
pub fn load(root: &Path, include_drafts: bool, diagnostics: &mut Diagnostics) -> Loaded {
    let content = root.join("content");
    let mut files = SourceFiles::default();
    let mut candidates = Vec::new();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                "no-content",
                Location::file_only(Path::new("content/")),
                "this folder has no content/ folder, so it is not a brief",
            )
            .with_help(
                "run `casefile init DIR` to start a brief, or pass --root to the brief's folder",
            ),
        );
        return Loaded {
            documents: Vec::new(),
            drafts: Vec::new(),
            failed: Vec::new(),
            files,
        };
    }
    let walker = walkdir::WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| PathBuf::from("content"));
                diagnostics.push(Diagnostic::error(
                    "io",
                    Location::file_only(&path),
                    format!("cannot read: {err}"),
                ));
                continue;
            }
        };
        let rel = relative(root, entry.path());
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') && entry.depth() > 0 {
            continue;
        }
        let mut real_path = entry.path().to_path_buf();
        if entry.path_is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => real_path = target,
                Ok(target) => {
                    diagnostics.push(
                        Diagnostic::error(
                            "symlink-outside",
                            Location::file_only(&rel),
                            format!(
                                "symbolic link leads out of the brief, to {}",
                                target.display()
                            ),
                        )
                        .with_help(
                            "casefile reads only files inside the brief; copy the file in instead",
                        ),
                    );
                    continue;
                }
                Err(err) => {
                    diagnostics.push(Diagnostic::error(
                        "broken-symlink",
                        Location::file_only(&rel),
                        format!("symbolic link cannot be followed: {err}"),
                    ));
                    continue;
                }
            }
            if real_path.is_dir() {
                diagnostics.push(
                    Diagnostic::error(
                        "symlink-dir",
                        Location::file_only(&rel),
                        "symbolic links to folders are not followed",
                    )
                    .with_help("move the notes into the brief's own folders"),
                );
                continue;
            }
        } else if entry.file_type().is_dir() {
            continue;
        }
        if !name.ends_with(".md") {
            continue;
        }
        match classify(&rel) {
            Ok((kind, stem)) => candidates.push((rel, real_path, kind, stem)),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }

    let results: Vec<(String, ReadResult)> = candidates
        .into_par_iter()
        .map(|(rel, real, kind, stem)| (stem.clone(), read_document(rel, &real, kind, stem)))
        .collect();

    let mut documents = Vec::with_capacity(results.len());
    let mut drafts = Vec::new();
    let mut failed = Vec::new();
    for (stem, (document, problems, text)) in results {
        if document.is_none() {
            failed.push(stem);
        }
        diagnostics.extend(problems);
        if let Some((path, text)) = text {
            files.insert(path, text);
        }
        if let Some(document) = document {
            if document.front.draft == Some(true) && !include_drafts {
                drafts.push((document.slug.clone(), document.title().to_string()));
            } else {
                documents.push(document);
            }
        }
    }
    check_unique_slugs(&documents, diagnostics);
    Loaded {
        documents,
        drafts,
        failed,
        files,
    }
}

/// Reads one note again, for `serve`'s incremental rebuilds ([`crate::incremental`]): `rel` is
/// the note's path below `root` (`content/people/x.md`), as [`Document::path`] has it. Gives
/// the document (`None` when it cannot be read or parsed; the problems say why), the problems
/// the file has on its own, and its text for snippets. A symbolic link gives `None` and no
/// problem: whether it may be followed is the whole walk's business ([`load`]).
pub fn load_one(root: &Path, rel: &Path) -> (Option<Document>, Vec<Diagnostic>, Option<Arc<str>>) {
    let full = root.join(rel);
    if full
        .symlink_metadata()
        .map_or(true, |m| m.file_type().is_symlink())
    {
        return (None, Vec::new(), None);
    }
    let (kind, stem) = match classify(rel) {
        Ok(found) => found,
        Err(problem) => return (None, vec![problem], None),
    };
    let (document, problems, text) = read_document(rel.to_path_buf(), &full, kind, stem);
    (document, problems, text.map(|(_, text)| text))
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Which kind a file is, from its folder, and its slug, from its stem.
fn classify(rel: &Path) -> Result<(Kind, String), Diagnostic> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parts.as_slice() {
        [_, file] if file == "_index.md" => Ok((Kind::Home, "index".to_string())),
        [_, folder, _] => {
            let kind = Kind::from_folder(folder).ok_or_else(|| {
                let folders = Kind::FOLDERS.map(Kind::folder);
                Diagnostic::error(
                    "unknown-folder",
                    Location::file_only(rel),
                    format!("`{folder}` is not a folder casefile knows, so this note has no kind"),
                )
                .with_help(match did_you_mean(folder, folders) {
                    Some(f) => format!("did you mean content/{f}/?"),
                    None => format!("notes live in content/{{{}}}/", folders.join(",")),
                })
            })?;
            Ok((kind, stem))
        }
        _ => Err(Diagnostic::error(
            "misplaced-note",
            Location::file_only(rel),
            "notes live one level down, in content/people/, companies/, events/, sources/ or pages/",
        )
        .with_help("move the file into the folder of its kind")),
    }
}

type ReadResult = (
    Option<Document>,
    Vec<Diagnostic>,
    Option<(PathBuf, Arc<str>)>,
);

fn read_document(rel: PathBuf, real: &Path, kind: Kind, stem: String) -> ReadResult {
    let mut problems = Vec::new();
    let bytes = match std::fs::read(real) {
        Ok(b) => b,
        Err(err) => {
            problems.push(Diagnostic::error(
                "io",
                Location::file_only(&rel),
                format!("cannot read the file: {err}"),
            ));
            return (None, problems, None);
        }
    };
    if bytes.len() > MAX_FILE_BYTES {
        problems.push(
            Diagnostic::error(
                "file-too-large",
                Location {
                    file: rel.clone(),
                    line: 1,
                    column: 1,
                    length: 0,
                },
                format!(
                    "this file is {:.1} MB; a note or source may be at most {} MB",
                    bytes.len() as f64 / 1e6,
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_help("split it into several notes, or keep only the passages the brief cites"),
        );
        return (None, problems, None);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) if !t.contains('\0') => t,
        Ok(t) => {
            let at = t.find('\0').unwrap_or(0);
            problems.push(
                Diagnostic::error(
                    "binary-file",
                    Location::at_offset(&rel, &t, at, 1),
                    "this file contains a NUL byte: it looks binary, not text",
                )
                .with_help("notes and sources are UTF-8 text files"),
            );
            return (None, problems, None);
        }
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&err.as_bytes()[..valid]).into_owned();
            problems.push(
                Diagnostic::error(
                    "not-utf8",
                    Location::at_offset(&rel, &prefix, valid, 1),
                    "this file is not valid UTF-8 text",
                )
                .with_help("save it as UTF-8; if it is binary, it does not belong in content/"),
            );
            return (None, problems, None);
        }
    };
    let text: Arc<str> = Arc::from(text);
    let shown = Some((rel.clone(), text.clone()));
    let Some(split) = split_front_matter(&text) else {
        problems.push(
            Diagnostic::error(
                "no-front-matter",
                Location {
                    file: rel.clone(),
                    line: 1,
                    column: 1,
                    length: 1,
                },
                "this note has no front matter",
            )
            .with_help("start the file with a line `---`, then `title: …`, then a closing `---`"),
        );
        return (None, problems, shown);
    };
    let (yaml_start, yaml_end, body_start) = match split {
        Split::Closed {
            yaml_start,
            yaml_end,
            body_start,
        } => (yaml_start, yaml_end, body_start),
        Split::Unclosed => {
            problems.push(
                Diagnostic::error(
                    "unclosed-front-matter",
                    Location {
                        file: rel.clone(),
                        line: 1,
                        column: 1,
                        length: 3,
                    },
                    "the front matter opened here is never closed",
                )
                .with_help("add a line with only `---` after the last front matter key"),
            );
            return (None, problems, shown);
        }
    };
    let yaml_text = &text[yaml_start..yaml_end];
    let yaml_line_offset = text[..yaml_start].matches('\n').count();
    let front: FrontMatter = if yaml_text.trim().is_empty() {
        FrontMatter::default()
    } else if let Some(front) = event_reader::read_front_matter(yaml_text) {
        front
    } else {
        match yaml::parse(
            yaml_text,
            &rel,
            yaml_line_offset,
            yaml_start,
            frontmatter::ALL_KEYS,
        ) {
            Ok(f) => f,
            Err(diagnostic) => {
                problems.push(diagnostic);
                return (None, problems, shown);
            }
        }
    };
    let slug = if kind == Kind::Home {
        "index".to_string()
    } else {
        stem
    };
    let document = Document {
        path: rel.clone(),
        kind,
        slug,
        text: text.clone(),
        front,
        yaml_line_offset,
        body_start,
        line_starts: line_starts(&text),
    };
    check_document(&document, &mut problems);
    (Some(document), problems, shown)
}

/// Where each line of `text` starts, for [`Document::body_location`]; counted first so the
/// list is allocated once, at its size.
fn line_starts(text: &str) -> Vec<u32> {
    let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut starts = Vec::with_capacity(newlines.count() + 1);
    starts.push(0);
    // A note is at most MAX_FILE_BYTES long, so every offset fits.
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| (i + 1) as u32));
    starts
}

enum Split {
    Closed {
        yaml_start: usize,
        yaml_end: usize,
        body_start: usize,
    },
    Unclosed,
}

/// Finds the `---` lines. The body starts right after the newline that ends the closing line,
/// so a source's text is kept byte for byte.
fn split_front_matter(text: &str) -> Option<Split> {
    let after_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - after_bom.len();
    let first_line_end = after_bom.find('\n').map_or(after_bom.len(), |i| i + 1);
    if after_bom[..first_line_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = bom + first_line_end;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(Split::Closed {
                yaml_start,
                yaml_end: offset,
                body_start: offset + line.len(),
            });
        }
        offset += line.len();
    }
    Some(Split::Unclosed)
}

/// Rules that need only the document itself: slug, title, kind, keys for the kind.
fn check_document(doc: &Document, problems: &mut Vec<Diagnostic>) {
    if doc.kind != Kind::Home && !is_valid_slug(&doc.slug) {
        let proposed = slugify(&doc.slug);
        problems.push(
            Diagnostic::error(
                "bad-slug",
                Location::file_only(&doc.path),
                format!(
                    "\"{}\" is not a valid slug: use lower-case a-z, 0-9 and `-`",
                    doc.slug
                ),
            )
            .with_help(if proposed.is_empty() {
                "rename the file with letters a-z and digits".to_string()
            } else {
                format!("rename the file to {proposed}.md")
            }),
        );
    }
    match &doc.front.title {
        None => problems.push(
            Diagnostic::error(
                "missing-title",
                doc.file_location(),
                "this note has no `title`",
            )
            .with_help("add `title: …` to the front matter"),
        ),
        Some(t) if t.value.trim().is_empty() => problems.push(Diagnostic::error(
            "empty-title",
            doc.yaml_location(t),
            "the title is empty",
        )),
        Some(_) => {}
    }
    if let Some(declared) = &doc.front.kind {
        match Kind::from_name(declared.value.trim()) {
            Some(k) if k == doc.kind => {}
            _ => problems.push(
                Diagnostic::error(
                    "kind-mismatch",
                    doc.yaml_location(declared),
                    format!(
                        "`kind: {}` contradicts the folder, which makes this note a {}",
                        declared.value,
                        doc.kind.name()
                    ),
                )
                .with_help(format!(
                    "remove the `kind:` line, or move the file to the folder of that kind{}",
                    Kind::from_name(declared.value.trim())
                        .map(|k| format!(" (content/{}/)", k.folder()))
                        .unwrap_or_default()
                )),
            ),
        }
    }
    for key in frontmatter::check_keys_for_kind(&doc.front, doc.kind) {
        let owner = frontmatter::owner_of_key(key)
            .map(|k| format!("`{key}` is for {} notes", k.name()))
            .unwrap_or_default();
        let line = find_key_line(doc, key);
        problems.push(
            Diagnostic::error(
                "key-not-for-kind",
                line,
                format!("a {} note cannot have `{key}`", doc.kind.name()),
            )
            .with_help(format!("{owner}; remove it or move the note")),
        );
    }
    if doc.kind == Kind::Event && doc.front.date.is_none() {
        problems.push(
            Diagnostic::error(
                "missing-date",
                doc.file_location(),
                "an event needs a `date`",
            )
            .with_help("add `date: \"2025-07\"` (YYYY, YYYY-MM or YYYY-MM-DD)"),
        );
    }
}

fn find_key_line(doc: &Document, key: &str) -> Location {
    let yaml = &doc.text[..doc.body_start];
    let needle = format!("\n{key}:");
    match yaml.find(&needle) {
        Some(i) => Location::at_offset(&doc.path, &doc.text, i + 1, key.len()),
        None => doc.file_location(),
    }
}

/// A slug names one note across the whole brief, so `[[slug]]` is never ambiguous.
fn check_unique_slugs(documents: &[Document], diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Document> = HashMap::new();
    for doc in documents {
        if doc.kind == Kind::Home {
            continue;
        }
        if let Some(first) = seen.get(doc.slug.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-slug",
                    Location::file_only(&doc.path),
                    format!(
                        "the slug \"{}\" is already used by {}",
                        doc.slug,
                        first.path.display()
                    ),
                )
                .with_help("slugs are unique across the whole brief; rename one of the files"),
            );
        } else {
            seen.insert(&doc.slug, doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_starts_right_after_the_closing_line() {
        let text = "---\ntitle: A\n---\n body\n";
        match split_front_matter(text) {
            Some(Split::Closed {
                yaml_start,
                yaml_end,
                body_start,
            }) => {
                assert_eq!(&text[yaml_start..yaml_end], "title: A\n");
                assert_eq!(&text[body_start..], " body\n");
            }
            _ => panic!("expected a closed front matter"),
        }
    }

    #[test]
    fn body_locations_agree_with_counting_from_the_top() {
        let text = "---\r\ntitle: Ü\r\n---\r\nLine één\r\n\r\n漢字 [[x]] and\nmore\n";
        let (rel, real) = (PathBuf::from("content/pages/p.md"), std::env::temp_dir());
        let dir = real.join(format!("casefile-load-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("p.md");
        std::fs::write(&file, text).unwrap();
        let (document, _, _) = read_document(rel.clone(), &file, Kind::Page, "p".into());
        let _ = std::fs::remove_dir_all(&dir);
        let document = document.unwrap();
        for offset in 0..=document.body().len() + 2 {
            assert_eq!(
                document.body_location(offset, 1),
                Location::at_offset(&rel, text, document.body_start + offset, 1),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn unclosed_and_missing_front_matter_are_told_apart() {
        assert!(matches!(
            split_front_matter("---\ntitle: A\n"),
            Some(Split::Unclosed)
        ));
        assert!(split_front_matter("title: A\n").is_none());
        assert!(split_front_matter("").is_none());
    }
}
