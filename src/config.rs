//! `casefile.yaml`: the site settings, read once per build.
//!
//! Owns the shape of the file and its defaults; problems in it are diagnostics with a position
//! like any other content problem. It does not know about notes.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Location};
use crate::load::yaml;

/// Site-wide settings.
#[derive(Clone, Debug)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub raw_html: bool,
    /// Whether to build the search index (true unless `search: false`; needs the `search`
    /// cargo feature). A very large brief may prefer a faster build without it.
    pub search: bool,
    /// The syntect theme for light mode and for dark mode.
    pub highlight_light: String,
    pub highlight_dark: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    search: Option<bool>,
    markdown: Option<MarkdownSettings>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MarkdownSettings {
    raw_html: Option<bool>,
    highlight_theme: Option<String>,
    highlight_theme_dark: Option<String>,
}

const CONFIG_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "search",
    "markdown",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Untitled brief".into(),
            description: String::new(),
            base_url: "/".into(),
            language: "en".into(),
            theme: "default".into(),
            raw_html: false,
            search: true,
            highlight_light: "InspiredGitHub".into(),
            highlight_dark: "base16-ocean.dark".into(),
        }
    }
}

impl Config {
    /// Reads `casefile.yaml` under `root`. A missing file gives the defaults and no error, so a
    /// folder with only `content/` still builds.
    pub fn load(root: &Path, text: Option<&str>) -> Result<Config, Diagnostic> {
        let path = Path::new("casefile.yaml");
        let Some(text) = text else {
            return Ok(Config::default());
        };
        let _ = root;
        let file: ConfigFile = yaml::parse(text, path, 0, 0, CONFIG_KEYS)?;
        let defaults = Config::default();
        let markdown = file.markdown.unwrap_or_default();
        let mut base_url = file.base_url.unwrap_or(defaults.base_url);
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        if let Err(problem) = check_base_url_characters(&base_url) {
            let offset = text.find("base_url").unwrap_or(0);
            return Err(Diagnostic::error(
                "bad-config",
                Location::at_offset(path, text, offset, 8),
                format!("base_url \"{base_url}\" {problem}"),
            )
            .with_help("write it like https://example.org/brief/ or /brief/, percent-encoding other characters"));
        }
        if !(base_url.starts_with('/')
            || base_url.starts_with("http://")
            || base_url.starts_with("https://"))
        {
            let offset = text.find("base_url").unwrap_or(0);
            return Err(Diagnostic::error(
                "bad-config",
                Location::at_offset(path, text, offset, 8),
                format!("base_url \"{base_url}\" is neither an absolute URL nor a path"),
            )
            .with_help("write it like https://example.org/brief/ or /brief/"));
        }
        Ok(Config {
            title: file.title.unwrap_or(defaults.title),
            description: file.description.unwrap_or_default(),
            base_url,
            language: file.language.unwrap_or(defaults.language),
            theme: file.theme.unwrap_or(defaults.theme),
            raw_html: markdown.raw_html.unwrap_or(false),
            search: file.search.unwrap_or(true),
            highlight_light: markdown.highlight_theme.unwrap_or(defaults.highlight_light),
            highlight_dark: markdown
                .highlight_theme_dark
                .unwrap_or(defaults.highlight_dark),
        })
    }

    /// The path part of `base_url` (`/` or `/brief/`): every internal link starts with it, so
    /// the site works when hosted under a sub-path.
    pub fn base_path(&self) -> String {
        match self.base_url.find("://") {
            Some(i) => {
                let after = &self.base_url[i + 3..];
                match after.find('/') {
                    Some(j) => after[j..].to_string(),
                    None => "/".to_string(),
                }
            }
            None => self.base_url.clone(),
        }
    }

    /// `base_url` as an absolute URL for feeds and sitemaps; a bare path is kept as it is.
    pub fn absolute(&self, site_path: &str) -> String {
        let base = self.base_url.trim_end_matches('/');
        let path = site_path.trim_start_matches('/');
        format!("{base}/{path}")
    }
}

/// `base_url` is written into every `href` as it is: characters that would end an attribute,
/// open a tag or break a URL are refused (for `--base-url` too) rather than escaped in each
/// template.
pub fn check_base_url_characters(url: &str) -> Result<(), String> {
    match url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\".contains(*c))
    {
        Some(c) => Err(format!("contains {c:?}, which a URL cannot hold as it is")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_is_taken_from_the_url() {
        let text = "title: T\nbase_url: https://x.org/brief\n";
        let c = Config::load(Path::new("."), Some(text)).unwrap();
        assert_eq!(c.base_url, "https://x.org/brief/");
        assert_eq!(c.base_path(), "/brief/");
        assert_eq!(c.absolute("/people/a/"), "https://x.org/brief/people/a/");
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let err = Config::load(Path::new("."), Some("titel: T\n")).unwrap_err();
        assert!(err.message.contains("titel"), "{}", err.message);
        assert_eq!(err.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(err.location.line, 1);
    }
}
