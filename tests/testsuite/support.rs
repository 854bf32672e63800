//! The fixture builder shared by every test module, in the spirit of mdBook's `BookTest`: a
//! brief copied from `tests/fixtures/` (or written inline) into a temporary folder, the real
//! `casefile` binary run on it with a scrubbed environment, and small helpers to read what it
//! wrote. It knows the command line and the HTML hooks of `docs/conventions.md`, nothing of
//! casefile's internals.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use tempfile::TempDir;

/// Asserts that `haystack` contains `needle`, printing both (the haystack shortened) if not.
#[macro_export]
macro_rules! assert_contains {
    ($haystack:expr, $needle:expr $(,)?) => {{
        let haystack: &str = &$haystack;
        let needle: &str = &$needle;
        assert!(
            haystack.contains(needle),
            "expected to find\n  {needle:?}\nin\n{}",
            $crate::support::shorten(haystack)
        );
    }};
    ($haystack:expr, $needle:expr, $($context:tt)+) => {{
        let haystack: &str = &$haystack;
        let needle: &str = &$needle;
        assert!(
            haystack.contains(needle),
            "{}: expected to find\n  {needle:?}\nin\n{}",
            format!($($context)+),
            $crate::support::shorten(haystack)
        );
    }};
}

/// Asserts that `haystack` does not contain `needle`.
#[macro_export]
macro_rules! assert_not_contains {
    ($haystack:expr, $needle:expr $(,)?) => {{
        let haystack: &str = &$haystack;
        let needle: &str = &$needle;
        assert!(
            !haystack.contains(needle),
            "did not expect\n  {needle:?}\nin\n{}",
            $crate::support::shorten(haystack)
        );
    }};
}

/// The first few thousand characters of a long text, for assertion messages.
pub fn shorten(text: &str) -> String {
    const LIMIT: usize = 4000;
    if text.len() <= LIMIT {
        return text.to_string();
    }
    let mut end = LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// The folder holding the committed fixture briefs.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A brief in a temporary folder, with a separate temporary folder for its output.
pub struct Brief {
    /// Shared with every [`Run`] of this brief, so the folder outlives whichever goes last.
    temp: Option<Arc<TempDir>>,
    root: PathBuf,
    out: PathBuf,
}

impl Brief {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Brief {
        let brief = Brief::empty();
        let from = fixtures_dir().join(name);
        assert!(from.is_dir(), "no fixture {}", from.display());
        copy_dir(&from, &brief.root);
        brief
    }

    /// An empty brief (just a `content/` folder and a `casefile.yaml`); add notes with
    /// [`Brief::file`].
    pub fn new() -> Brief {
        Brief::empty()
            .file("casefile.yaml", "title: Inline brief\n")
            .dir("content")
    }

    /// A temporary folder with nothing in it.
    pub fn empty() -> Brief {
        let temp = tempfile::Builder::new()
            .prefix("casefile-test-")
            .tempdir()
            .expect("a temporary folder");
        let root = temp.path().join("brief");
        std::fs::create_dir_all(&root).expect("create the brief folder");
        let out = temp.path().join("out");
        Brief {
            temp: Some(Arc::new(temp)),
            root,
            out,
        }
    }

    /// A copy of `tests/fixtures/<name>` in `dir` (emptied first), for a build that several
    /// tests share and that must outlive them (a `static`, whose temporary folder would never
    /// be removed).
    pub fn fixture_at(name: &str, dir: &Path) -> Brief {
        let _ = std::fs::remove_dir_all(dir);
        let brief = Brief {
            temp: None,
            root: dir.join("brief"),
            out: dir.join("out"),
        };
        copy_dir(&fixtures_dir().join(name), &brief.root);
        brief
    }

    /// Writes `text` to `rel` under the brief's root, creating folders.
    pub fn file(self, rel: &str, text: &str) -> Brief {
        self.write(rel, text.as_bytes());
        self
    }

    /// Creates an empty folder under the brief's root.
    pub fn dir(self, rel: &str) -> Brief {
        std::fs::create_dir_all(self.root.join(rel)).expect("create a folder");
        self
    }

    /// Writes raw bytes to `rel` under the brief's root.
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create a folder");
        }
        std::fs::write(&path, bytes).expect("write a fixture file");
    }

    /// The text of a file of the brief.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).expect("read a brief file")
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `build` writes (outside the brief, so copies of the brief stay clean).
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// A path next to the brief and its output, in the same temporary folder.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.out.with_file_name(name)
    }

    /// `casefile build --root ROOT -o OUT`.
    pub fn build(&self) -> Run {
        self.build_with(&[])
    }

    /// `casefile build --root ROOT -o OUT` followed by `extra`.
    pub fn build_with(&self, extra: &[&str]) -> Run {
        self.build_with_env(extra, &[])
    }

    /// [`Brief::build_with`] with `env` set.
    pub fn build_with_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Run {
        let mut args: Vec<String> = vec![
            "build".into(),
            "--root".into(),
            self.root.display().to_string(),
            "-o".into(),
            self.out.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut run = casefile_with_env(&args, env);
        run.out = self.out.clone();
        run.keep = self.temp.clone();
        run
    }

    /// `casefile build --root ROOT -o DIR`.
    pub fn build_into(&self, dir: &Path, extra: &[&str]) -> Run {
        let mut args: Vec<String> = vec![
            "build".into(),
            "--root".into(),
            self.root.display().to_string(),
            "-o".into(),
            dir.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut run = casefile(&args);
        run.out = dir.to_path_buf();
        run.keep = self.temp.clone();
        run
    }

    /// `casefile check --root ROOT` followed by `extra`.
    pub fn check(&self, extra: &[&str]) -> Run {
        let mut args: Vec<String> = vec![
            "check".into(),
            "--root".into(),
            self.root.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut run = casefile(&args);
        run.keep = self.temp.clone();
        run
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The output folder of a build (empty for other commands).
    pub out: PathBuf,
    /// The brief's temporary folder, kept while this run is read.
    keep: Option<Arc<TempDir>>,
}

impl Run {
    /// Panics with the run's output unless it exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            shorten(&self.stdout),
            shorten(&self.stderr)
        );
        assert_no_panic(&self.stderr);
        self
    }

    /// A clean build: exit 0, and nothing but the summary line on stderr (no warning).
    #[track_caller]
    pub fn expect_clean(&self) -> &Run {
        self.expect_code(0);
        assert!(
            !self.stderr.contains("warning"),
            "expected no warning, got\n{}",
            self.stderr
        );
        self
    }

    /// A successful run whose site is the folder `dir` (a site written by the library).
    pub fn of_site(dir: &Path) -> Run {
        Run {
            code: 0,
            stdout: String::new(),
            stderr: String::new(),
            out: dir.to_path_buf(),
            keep: None,
        }
    }

    /// This run, reading its output from `dir` (for a build run with a hand-made `-o`).
    pub fn with_output(self, dir: &Path) -> Run {
        Run {
            out: dir.to_path_buf(),
            ..self
        }
    }

    /// The HTML of a page by its URL path (`people/ann-smith/` or `` for the front page).
    #[track_caller]
    pub fn page(&self, url: &str) -> String {
        let path = self
            .out
            .join(url.trim_start_matches('/'))
            .join("index.html");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// A written file by its path in the output.
    #[track_caller]
    pub fn file(&self, rel: &str) -> String {
        let path = self.out.join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }
}

/// Runs the binary with `args` in a scrubbed environment.
pub fn casefile<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    casefile_with_env(args, &[])
}

/// [`casefile`] with `env` set too.
pub fn casefile_with_env<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_casefile"))
        .args(args)
        .env_clear()
        .env("NO_COLOR", "1")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("run the casefile binary");
    Run {
        // A signal (a crash) has no code: make it fail every expectation.
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out: PathBuf::new(),
        keep: None,
    }
}

#[track_caller]
pub fn assert_no_panic(stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "the binary panicked:\n{stderr}"
    );
}

/// Copies a folder recursively (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a fixture folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// Every file under `dir`, by path relative to it, with its bytes; but for casefile's list of
/// what it left there, which holds the files' times and inode numbers (a new one each build).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files.remove(casefile::output::manifest::MANIFEST);
    files
}

fn collect(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, files);
        } else {
            let rel = path
                .strip_prefix(base)
                .expect("inside the folder")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(&path).expect("read an output file"));
        }
    }
}

/// The inner HTML of the page's `<main>` element.
#[track_caller]
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let open_end = start + html[start..].find('>').expect("the end of <main>") + 1;
    let end = html[open_end..]
        .find("</main>")
        .map(|i| open_end + i)
        .expect("a </main>");
    &html[open_end..end]
}

/// The element carrying `id="<id>"`: its tag name and inner HTML (nested elements of the same
/// name are counted, so the matching close tag is found).
pub fn element_by_id<'a>(html: &'a str, id: &str) -> Option<(String, &'a str)> {
    let needle = format!(" id=\"{id}\"");
    let at = html.find(&needle)?;
    let open = html[..at].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let inner_start = open + html[open..].find('>')? + 1;
    let open_tag = format!("<{name}");
    let close_tag = format!("</{name}>");
    let mut depth = 1;
    let mut pos = inner_start;
    loop {
        let next_close = html[pos..].find(&close_tag)? + pos;
        let next_open = html[pos..]
            .match_indices(&open_tag)
            .map(|(i, _)| i + pos)
            .find(|&i| {
                html[i + open_tag.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == ' ' || c == '>')
            });
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                pos = o + open_tag.len();
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some((name, &html[inner_start..next_close]));
                }
                pos = next_close + close_tag.len();
            }
        }
    }
}

/// The text of some HTML: tags removed, common entities decoded, white space folded.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    fold_space(&decoded)
}

/// Runs of white space folded to one space, ends trimmed.
pub fn fold_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The values of every `attr="…"` in the HTML, in order.
pub fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let start = i + needle.len();
            html[start..].find('"').map(|end| &html[start..start + end])
        })
        .collect()
}

/// Every `<a …>` opening tag whose attributes contain `marker`, e.g. `class="wikilink"`.
pub fn tags_with<'a>(html: &'a str, tag: &str, marker: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    html.match_indices(&open)
        .filter_map(|(i, _)| html[i..].find('>').map(|end| &html[i..i + end + 1]))
        .filter(|t| t.contains(marker))
        .collect()
}

/// One attribute's value in one opening tag.
pub fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    attr_values(tag, name).into_iter().next()
}

/// The bodies of every `<script type="application/ld+json">` of a page.
pub fn json_ld_blocks(html: &str) -> Vec<&str> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .filter_map(|(i, _)| {
            let start = i + open.len();
            html[start..]
                .find("</script>")
                .map(|end| &html[start..start + end])
        })
        .collect()
}

/// A small well-formedness check for XML: tags balance and nest, attributes are quoted,
/// `&` starts an entity. Enough to catch a broken feed, sitemap or SVG without an XML crate.
pub fn check_xml(text: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut roots = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                let rest = &text[i..];
                let skip_to = |end: &str| {
                    rest.find(end)
                        .map(|e| i + e + end.len())
                        .ok_or_else(|| format!("unclosed {} at byte {i}", &rest[..2]))
                };
                if rest.starts_with("<?") {
                    i = skip_to("?>")?;
                } else if rest.starts_with("<!--") {
                    i = skip_to("-->")?;
                } else if rest.starts_with("<![CDATA[") {
                    i = skip_to("]]>")?;
                } else if rest.starts_with("<!") {
                    i = skip_to(">")?;
                } else {
                    let end = tag_end(rest).ok_or_else(|| format!("unclosed tag at byte {i}"))?;
                    let tag = &rest[1..end];
                    if let Some(name) = tag.strip_prefix('/') {
                        let name = name.trim();
                        match stack.pop() {
                            Some(open) if open == name => {}
                            Some(open) => {
                                return Err(format!("</{name}> closes <{open}> at byte {i}"));
                            }
                            None => return Err(format!("</{name}> closes nothing at byte {i}")),
                        }
                    } else {
                        let name: String = tag
                            .chars()
                            .take_while(|c| !c.is_whitespace() && *c != '/')
                            .collect();
                        if name.is_empty() {
                            return Err(format!("a tag without a name at byte {i}"));
                        }
                        check_attributes(&tag[name.len()..])
                            .map_err(|e| format!("<{name}> at byte {i}: {e}"))?;
                        if stack.is_empty() {
                            roots += 1;
                        }
                        if !tag.ends_with('/') {
                            stack.push(name);
                        }
                    }
                    i += end + 1;
                }
            }
            b'&' => {
                let rest = &text[i + 1..];
                let end = rest
                    .find(';')
                    .filter(|&e| e > 0 && e < 12)
                    .ok_or_else(|| format!("a bare & at byte {i}"))?;
                let entity = &rest[..end];
                let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                    || entity.starts_with('#');
                if !known {
                    return Err(format!("unknown entity &{entity}; at byte {i}"));
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// The index of the `>` that ends the tag starting `rest`, skipping quoted attribute values.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs only, each name once.
fn check_attributes(text: &str) -> Result<(), String> {
    let text = text.trim().trim_end_matches('/').trim();
    let mut rest = text;
    let mut seen = Vec::new();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("attribute without a value: {rest}"))?;
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("bad attribute name {name:?}"));
        }
        if seen.contains(&name) {
            return Err(format!("attribute {name} twice"));
        }
        seen.push(name);
        let after = rest[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| format!("unquoted value of {name}"))?;
        let close = after[1..]
            .find(quote)
            .ok_or_else(|| format!("unclosed value of {name}"))?;
        rest = after[close + 2..].trim_start();
    }
    Ok(())
}

#[test]
fn the_xml_check_catches_what_it_should() {
    assert!(check_xml("<?xml version=\"1.0\"?><a x=\"1\"><b/><c>t &amp; u</c></a>").is_ok());
    assert!(check_xml("<a><b></a></b>").is_err());
    assert!(check_xml("<a><b></a>").is_err());
    assert!(check_xml("<a>x & y</a>").is_err());
    assert!(check_xml("<a x=1></a>").is_err());
    assert!(check_xml("<a></a><b></b>").is_err());
}

#[test]
fn element_by_id_counts_nested_elements() {
    let html = r#"<div id="x"><div>a</div>b</div><div>c</div>"#;
    assert_eq!(
        element_by_id(html, "x"),
        Some(("div".to_string(), "<div>a</div>b"))
    );
}
