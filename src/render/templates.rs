//! The Tera engine with the default theme compiled into the binary, and per-file overrides.
//!
//! The theme's files under `themes/default/` are the one source of truth: they are embedded
//! with `include_str!`, so `cargo install` and `casefile init` briefs build without the
//! repository. A file in the brief's `templates/` (or in `themes/<name>/templates/` when
//! `theme:` names another theme) replaces the embedded file of the same name.

use std::path::Path;

/// The default theme's templates, embedded.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "note.html",
        include_str!("../../themes/default/templates/note.html"),
    ),
    (
        "source.html",
        include_str!("../../themes/default/templates/source.html"),
    ),
    (
        "home.html",
        include_str!("../../themes/default/templates/home.html"),
    ),
    (
        "list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "timeline.html",
        include_str!("../../themes/default/templates/timeline.html"),
    ),
    (
        "graph.html",
        include_str!("../../themes/default/templates/graph.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
];

/// The default theme's static files, embedded.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "casefile.js",
        include_bytes!("../../themes/default/static/casefile.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
];

pub struct Engine {
    tera: tera::Tera,
    /// Whether entity pages may be written by [`super::native`] instead of Tera: true while
    /// `note.html` and `base.html` are both the embedded default theme's.
    native_note_pages: bool,
    /// The same for source pages: `source.html` and `base.html` are the default theme's.
    native_source_pages: bool,
}

impl Engine {
    /// Loads the embedded theme, then the overrides found under `root`.
    pub fn load(root: &Path, theme: &str) -> Result<Engine, String> {
        let mut templates: Vec<(String, String)> = DEFAULT_TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut dirs = Vec::new();
        let mut overridden: Vec<String> = Vec::new();
        if theme != "default" {
            dirs.push(root.join("themes").join(theme).join("templates"));
        }
        dirs.push(root.join("templates"));
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "html"))
                .collect();
            files.sort();
            for file in files {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read template {}: {e}", file.display()))?;
                templates.retain(|(n, _)| *n != name);
                overridden.push(name.clone());
                templates.push((name, text));
            }
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| format!("template error: {e}"))?;
        let default_theme_of = |page: &str| {
            !overridden
                .iter()
                .any(|name| name == page || name == "base.html")
        };
        Ok(Engine {
            tera,
            native_note_pages: default_theme_of("note.html"),
            native_source_pages: default_theme_of("source.html"),
        })
    }

    /// Whether entity pages are written by [`super::native`]: the default theme's
    /// `note.html` and `base.html` are in use, neither overridden.
    pub fn native_note_pages(&self) -> bool {
        self.native_note_pages
    }

    /// Whether source pages are written by [`super::native`]: the default theme's
    /// `source.html` and `base.html` are in use, neither overridden.
    pub fn native_source_pages(&self) -> bool {
        self.native_source_pages
    }

    /// The same engine with native entity pages turned off, so every page goes through Tera
    /// (the tests compare the two).
    #[cfg(test)]
    pub fn tera_only(mut self) -> Engine {
        self.native_note_pages = false;
        self.native_source_pages = false;
        self
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, String> {
        self.tera
            .render(name, context)
            .map_err(|e| render_error(name, &e))
    }

    /// [`Engine::render`] into bytes, in a buffer of `capacity` to start with: a page is
    /// written once, with no regrowing copies and no second pass to check it is UTF-8 (Tera
    /// writes only strings).
    pub fn render_bytes(
        &self,
        name: &str,
        context: &tera::Context,
        capacity: usize,
    ) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::with_capacity(capacity);
        self.tera
            .render_to(name, context, &mut bytes)
            .map_err(|e| render_error(name, &e))?;
        Ok(bytes)
    }
}

/// A template error with its causes, on one line.
fn render_error(name: &str, e: &tera::Error) -> String {
    let mut msg = format!("cannot render template {name}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    msg
}

/// Static files of the theme (embedded, overridable from `themes/<name>/static/`).
pub fn theme_static(root: &Path, theme: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = DEFAULT_STATIC
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    if theme != "default" {
        let dir = root.join("themes").join(theme).join("static");
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file()
                && let (Ok(rel), Ok(bytes)) =
                    (entry.path().strip_prefix(&dir), std::fs::read(entry.path()))
            {
                let name = rel.to_string_lossy().replace('\\', "/");
                files.retain(|(n, _)| *n != name);
                files.push((name, bytes));
            }
        }
    }
    files
}
