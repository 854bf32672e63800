//! Content problems, collected across the whole brief and printed like a compiler's.
//!
//! Every stage of the pipeline pushes [`Diagnostic`]s into a [`Diagnostics`] list instead of
//! stopping at the first problem, so one build reports every mistake. A diagnostic carries the
//! real file, line and column (front matter offsets already added by whoever made it); this
//! module only renders them, with the offending line and a caret, through annotate-snippets.
//! It knows nothing about notes or Markdown.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// How bad a problem is: errors fail the build, warnings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file: 1-based line and column (columns count characters), plus the length of
/// the offending text in bytes so the caret can underline it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub length: usize,
}

impl Location {
    /// The location of byte `offset` in `text`, the contents of `file`.
    pub fn at_offset(file: &Path, text: &str, offset: usize, length: usize) -> Location {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Location {
            file: file.to_path_buf(),
            line,
            column,
            length,
        }
    }

    /// A location with no better position than the file itself.
    pub fn file_only(file: &Path) -> Location {
        Location {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            length: 0,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}

/// One problem found in the brief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short machine-readable name of the kind of problem, e.g. `unknown-link`.
    pub code: &'static str,
    pub message: String,
    pub location: Location,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location,
            help: None,
        }
    }

    pub fn warning(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, location, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// Every diagnostic of one build, in the order found; sorted before printing.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Turns every warning into an error (`check --strict`).
    pub fn promote_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Sorted by file, line, column, then message, so output is stable across runs.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.location, a.severity, &a.message).cmp(&(&b.location, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }
}

/// The diagnostics themselves, in the order they were pushed (for gathering what parallel
/// work found into one list without copying it).
impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The texts of the brief's files, so that a diagnostic can show its line.
#[derive(Default)]
pub struct SourceFiles {
    texts: HashMap<PathBuf, std::sync::Arc<str>>,
}

impl SourceFiles {
    pub fn insert(&mut self, path: PathBuf, text: std::sync::Arc<str>) {
        self.texts.insert(path, text);
    }

    /// Takes every text of `other`.
    pub fn absorb(&mut self, other: SourceFiles) {
        self.texts.extend(other.texts);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).map(|t| &**t)
    }
}

/// Renders one diagnostic like rustc does: the message, `--> file:line:col`, the line with a
/// caret under the problem, and a `help:` line.
pub fn render(diagnostic: &Diagnostic, files: &SourceFiles, color: bool) -> String {
    let level = match diagnostic.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let loc = &diagnostic.location;
    let path = loc.file.display().to_string();
    let title = level.primary_title(diagnostic.message.as_str());
    // A very long line (minified text, a pasted dump) is shown as an excerpt around the
    // column: rendering it whole for every diagnostic on it would be slow and unreadable.
    let long_line = files
        .get(&loc.file)
        .filter(|_| loc.line > 0)
        .is_some_and(|text| line_of(text, loc.line).0.len() > MAX_SNIPPET_LINE);
    if long_line {
        return render_excerpt(diagnostic, files.get(&loc.file).unwrap_or_default());
    }
    let mut group = match files.get(&loc.file).filter(|_| loc.line > 0) {
        Some(text) => {
            let (line_text, line_start) = line_of(text, loc.line);
            let col_byte = byte_of_column(line_text, loc.column);
            let end = (col_byte + loc.length.max(1)).min(line_text.len());
            let span = if col_byte >= line_text.len() {
                line_text.len()..line_text.len()
            } else {
                col_byte..floor_char_boundary(line_text, end).max(col_byte + 1)
            };
            let span = span.start..ceil_char_boundary(line_text, span.end);
            let _ = line_start;
            title.element(
                Snippet::source(line_text)
                    .line_start(loc.line)
                    .path(path.as_str())
                    .annotation(AnnotationKind::Primary.span(span)),
            )
        }
        None => {
            title.element(Snippet::<annotate_snippets::Annotation>::source("").path(path.as_str()))
        }
    };
    if let Some(help) = &diagnostic.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let report: Vec<Group> = vec![group];
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(&report).to_string();
    // annotate-snippets prints `path` without a position when the snippet is empty; give the
    // user the position anyway, in the same shape as the compiler's arrow line.
    if files.get(&loc.file).is_none() || loc.line == 0 {
        let mut out = String::new();
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "{severity}: {}\n  --> {loc}\n",
            diagnostic.message
        ));
        if let Some(help) = &diagnostic.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        return out;
    }
    rendered
}

/// Lines longer than this are shown as an excerpt.
const MAX_SNIPPET_LINE: usize = 300;

fn render_excerpt(diagnostic: &Diagnostic, text: &str) -> String {
    let loc = &diagnostic.location;
    let (line_text, _) = line_of(text, loc.line);
    let at = byte_of_column(line_text, loc.column);
    let from = floor_char_boundary(line_text, at.saturating_sub(60));
    let to = ceil_char_boundary(line_text, (at + 120).min(line_text.len()));
    let excerpt = &line_text[from..to];
    let caret_column = line_text[from..at.min(line_text.len())].chars().count() + 4;
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (before, after) = (
        if from > 0 { "…" } else { "" },
        if to < line_text.len() { "…" } else { "" },
    );
    let caret_column = if from > 0 {
        caret_column
    } else {
        caret_column - 1
    };
    let mut out = format!(
        "{severity}: {}\n  --> {loc}\n   |\n   | {before}{excerpt}{after}\n   | {}^\n",
        diagnostic.message,
        " ".repeat(caret_column.saturating_sub(3))
    );
    if let Some(help) = &diagnostic.help {
        out.push_str(&format!("   = help: {help}\n"));
    }
    out
}

fn line_of(text: &str, line: usize) -> (&str, usize) {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (l.trim_end_matches(['\n', '\r']), start);
        }
        start += l.len();
    }
    ("", text.len())
}

fn byte_of_column(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// The largest char boundary at or below `i`.
pub fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary at or above `i`.
pub fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The closest of `candidates` to `wrong`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&wrong_lower, &candidate.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "ab\nçd ef\n";
        let loc = Location::at_offset(Path::new("x.md"), text, text.find("ef").unwrap(), 2);
        assert_eq!((loc.line, loc.column), (2, 4));
    }

    #[test]
    fn suggestion_picks_the_close_name() {
        let names = ["Meta", "Apple", "OpenAI"];
        assert_eq!(did_you_mean("Metta", names), Some("Meta"));
        assert_eq!(did_you_mean("Zebra crossing", names), None);
    }

    #[test]
    fn rendering_shows_position_caret_and_help() {
        let mut files = SourceFiles::default();
        let path = PathBuf::from("content/people/a.md");
        files.insert(path.clone(), "---\ntitle: A\n---\nSee [[Metta]].\n".into());
        let d = Diagnostic::error(
            "unknown-link",
            Location {
                file: path,
                line: 4,
                column: 5,
                length: 9,
            },
            "unknown link target \"Metta\"",
        )
        .with_help("did you mean \"Meta\"?");
        let out = render(&d, &files, false);
        assert!(
            out.contains("error: unknown link target \"Metta\""),
            "{out}"
        );
        assert!(out.contains("content/people/a.md:4:5"), "{out}");
        assert!(out.contains("^^^^^^^^^"), "{out}");
        assert!(out.contains("help: did you mean \"Meta\"?"), "{out}");
    }
}
