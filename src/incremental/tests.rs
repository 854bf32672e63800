//! Incremental builds against full ones: after each edit, the site an incremental build (and
//! its catch-up) serves must be byte for byte the site a full build makes of the same files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{BuildMemory, Changes};
use crate::build::{BuildOptions, BuildResult, build_incremental};

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn options(root: &Path) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        drafts: false,
        base_url: None,
        render: true,
    }
}

/// The basic fixture, plus notes no edit below reaches: an incremental build must leave
/// their pages alone.
fn brief() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/basic"),
        root,
    );
    std::fs::write(
        root.join("content/sources/gazette.md"),
        "---\ntitle: The gazette\n---\nNothing to do with Acme.\n",
    )
    .unwrap();
    for i in 0..6 {
        std::fs::write(
            root.join(format!("content/companies/bystander-{i}.md")),
            format!("---\ntitle: Bystander {i}\nsummary: Unrelated.\n---\nUnrelated [@gazette, \"Nothing to do\"].\n"),
        )
        .unwrap();
    }
    dir
}

/// The site without the search index (and the list of its fragments kept for the next
/// build), which only full builds refresh.
fn site(memory: &BuildMemory) -> BTreeMap<String, Vec<u8>> {
    memory
        .pages()
        .iter()
        .filter(|(path, _)| !path.starts_with("pagefind/") && *path != crate::search::FRAGMENT_LIST)
        .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
        .collect()
}

fn full_build(root: &Path) -> BuildMemory {
    let (result, memory) = build_incremental(&options(root), &|_| {}, None, Changes::Unknown);
    let result = result.expect("the build runs");
    assert!(
        !result.diagnostics.has_errors(),
        "{:?}",
        result.diagnostics.iter().collect::<Vec<_>>()
    );
    assert_eq!(result.pages_rendered, None, "a full build");
    memory.expect("a memory")
}

/// Rebuilds after `changed` (paths relative to the root) and catches up the site-wide files.
fn rebuild(root: &Path, memory: BuildMemory, changed: &[&str]) -> (BuildResult, BuildMemory) {
    let paths: BTreeSet<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
    let (result, memory) =
        build_incremental(&options(root), &|_| {}, Some(memory), Changes::Files(paths));
    let mut memory = memory.expect("a memory");
    memory.catch_up().expect("the catch-up renders");
    (result.expect("the build runs"), memory)
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn assert_same_site(incremental: &BuildMemory, root: &Path, what: &str) {
    let full = site(&full_build(root));
    let incremental = site(incremental);
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "{what}"
    );
    for (path, bytes) in &full {
        assert!(
            incremental[path] == *bytes,
            "after {what}, {path} differs from a full build:\n--- incremental\n{}\n--- full\n{}",
            String::from_utf8_lossy(&incremental[path]),
            String::from_utf8_lossy(bytes)
        );
    }
}

const ANN: &str = "content/people/ann-smith.md";
const BOB: &str = "content/people/bob-jones.md";
const EVENT: &str = "content/events/ann-joins-acme.md";

#[test]
fn incremental_builds_give_the_pages_of_a_full_build_and_render_fewer() {
    let dir = brief();
    let root = dir.path();
    let mut memory = full_build(root);
    // (file, from, to, what it shows)
    let edits: &[(&str, &str, &str, &str)] = &[
        (
            ANN,
            "[^1]: The sources",
            "She settled in quickly.\n\n[^1]: The sources",
            "one more sentence, nothing else",
        ),
        (
            BOB,
            "in July 2025 [@daily",
            "in July 2025, as [[ann-joins-acme]] tells, unlike [[bystander-3]], with stock that vests over four years [@weekly-2025-07, \"stock that vests over four years\"; @daily",
            "a new link and a new quote of a source others cite (citations renumbered)",
        ),
        (
            BOB,
            "title: Chief executive",
            "title: Chief executive officer",
            "a role's title, shown on the company's People list",
        ),
        (
            BOB,
            ", as [[ann-joins-acme]] tells, unlike [[bystander-3]],",
            ",",
            "links removed",
        ),
        (
            ANN,
            "value: about 100 million dollars",
            "value: about $100 million",
            "a fact's value",
        ),
        (
            ANN,
            "[@daily-2025-07-07, \"tens of millions of dollars annually\"; @weekly",
            "[@daily-2025-07-07, \"offered her a package worth tens of millions\"; @weekly",
            "a quote, which moves a mark others point at",
        ),
        (
            BOB,
            "@daily-2025-07-07, \"Bob Jones, who leads Acme Corp\"]",
            "@weekly-2025-07, \"Acme Corp hired Ann Smith\"]",
            "a citation's source",
        ),
        (
            ANN,
            "cite: {source: daily-2025-07-07, quote: \"joined Acme Corp in July 2025\"}\nfacts",
            "cite: {source: daily-2025-07-07, quote: \"a researcher, joined Acme Corp\"}\nfacts",
            "a role's citation, footnoted on the company's People list",
        ),
        (
            EVENT,
            "cite: {source: daily-2025-07-07, quote: \"joined Acme Corp in July 2025\"}",
            "cite: {source: weekly-2025-07, quote: \"hired Ann Smith this summer\"}",
            "an event's first source, shown on timelines",
        ),
        (
            ANN,
            " Both outlets covered the hire [@weekly-2025-07].",
            "",
            "a citation removed (citations renumbered down)",
        ),
    ];
    for &(file, from, to, what) in edits {
        edit(root, file, from, to);
        let (result, next) = rebuild(root, memory, &[file]);
        assert!(!result.diagnostics.has_errors(), "{what}");
        let rendered = result.pages_rendered.expect("an incremental build");
        assert!(rendered < 10, "{rendered} pages rendered for {what}");
        assert_same_site(&next, root, what);
        memory = next;
    }
    // The front page's body, and a page's, with a new citation and a new link.
    edit(
        root,
        "content/_index.md",
        "in July 2025 [@daily",
        "in July 2025, hired this summer [@weekly-2025-07, \"hired Ann Smith this summer\"; @daily",
    );
    edit(
        root,
        "content/pages/method.md",
        "exact words of a source",
        "exact words of a source, as [[Bob Jones]] would say,",
    );
    let (result, next) = rebuild(
        root,
        memory,
        &["content/_index.md", "content/pages/method.md"],
    );
    assert!(result.pages_rendered.is_some());
    assert_same_site(&next, root, "the front page and a page");
    memory = next;
    // Two notes at once, both changing their number of citations.
    edit(
        root,
        ANN,
        "She settled in quickly.",
        "She settled in quickly [@weekly-2025-07, \"The offer included stock\"].",
    );
    edit(
        root,
        BOB,
        " [@weekly-2025-07, \"stock that vests over four years\";",
        " [",
    );
    let (result, next) = rebuild(root, memory, &[ANN, BOB]);
    assert!(result.pages_rendered.is_some());
    assert_same_site(&next, root, "two notes edited at once");
}

#[test]
fn an_edit_that_only_appends_a_sentence_renders_its_own_page() {
    let dir = brief();
    let root = dir.path();
    let memory = full_build(root);
    edit(root, ANN, "Again, she joined", "Again, she really joined");
    let (result, memory) = rebuild(root, memory, &[ANN]);
    assert_eq!(result.pages_rendered, Some(1));
    assert_same_site(&memory, root, "a word added");
}

#[test]
fn an_unchanged_file_renders_nothing() {
    let dir = brief();
    let root = dir.path();
    let memory = full_build(root);
    let before = site(&memory);
    let (result, memory) = rebuild(root, memory, &[BOB]);
    assert_eq!(result.pages_rendered, Some(0));
    assert_eq!(site(&memory), before);
}

/// Edits that change what other pages show, or the brief's shape, make a full build.
#[test]
fn wider_changes_fall_back_to_a_full_build() {
    let dir = brief();
    let root = dir.path();
    let mut memory = full_build(root);
    let new_note = "content/people/carol.md";
    type Case<'a> = (&'a str, &'a dyn Fn(&Path), &'a str);
    let cases: &[Case] = &[
        (
            BOB,
            &|r| {
                edit(
                    r,
                    BOB,
                    "summary: The head of Acme.",
                    "summary: Acme's chief.",
                )
            },
            "a summary (links carry it)",
        ),
        (
            EVENT,
            &|r| {
                edit(
                    r,
                    EVENT,
                    "title: Ann Smith joins Acme",
                    "title: Ann Smith moves to Acme",
                )
            },
            "a title",
        ),
        (
            ANN,
            &|r| edit(r, ANN, "tags: [researchers]", "tags: [researchers, hires]"),
            "tags",
        ),
        (
            ANN,
            &|r| edit(r, ANN, "## Offer", "## The offer"),
            "a heading (link fragments)",
        ),
        (
            EVENT,
            &|r| {
                edit(
                    r,
                    EVENT,
                    "participants: [ann-smith, acme]",
                    "participants: [ann-smith, acme, bob-jones]",
                )
            },
            "a graph edge",
        ),
        (
            "content/sources/weekly-2025-07.md",
            &|r| {
                edit(
                    r,
                    "content/sources/weekly-2025-07.md",
                    "four years.",
                    "four years, it said.",
                )
            },
            "a source's text",
        ),
        (
            new_note,
            &|r| std::fs::write(r.join(new_note), "---\ntitle: Carol\n---\nCarol.\n").unwrap(),
            "a note added",
        ),
        (
            new_note,
            &|r| std::fs::remove_file(r.join(new_note)).unwrap(),
            "a note removed",
        ),
        (
            "casefile.yaml",
            &|r| edit(r, "casefile.yaml", "title: Basic brief", "title: Basic"),
            "the settings",
        ),
        ("content/people", &|_| {}, "a folder"),
    ];
    for &(path, change, what) in cases {
        change(root);
        let (result, next) = rebuild(root, memory, &[path]);
        assert!(!result.diagnostics.has_errors(), "{what}");
        assert_eq!(result.pages_rendered, None, "{what} makes a full build");
        memory = next;
    }
    // The watcher lost track.
    let (result, _) = build_incremental(&options(root), &|_| {}, Some(memory), Changes::Unknown);
    assert_eq!(result.expect("the build runs").pages_rendered, None);
}

/// An edit with an error is reported as a full build reports it; the memory stays the last
/// good site's, so fixing the error is incremental again.
#[test]
fn errors_in_an_edit_are_reported_and_the_fix_is_incremental() {
    let dir = brief();
    let root = dir.path();
    let memory = full_build(root);
    edit(root, BOB, "hired [[Ann Smith]]", "hired [[Ann Smyth]]");
    let (result, memory) = rebuild(root, memory, &[BOB]);
    let errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "unknown-link");
    assert_eq!(errors[0].location.file, Path::new(BOB));
    assert_eq!(errors[0].location.line, 10);
    assert!(
        result.files.get(Path::new(BOB)).is_some(),
        "the text for the snippet"
    );
    // A front matter that no longer parses.
    edit(root, ANN, "roles:\n", "roles: [\n");
    let (result, memory) = rebuild(root, memory, &[ANN]);
    assert!(result.diagnostics.has_errors());
    assert!(
        result
            .diagnostics
            .iter()
            .any(|d| d.location.file == Path::new(ANN))
    );
    // Both fixed: the memory still holds the last good site and the pending edits.
    edit(
        root,
        BOB,
        "hired [[Ann Smyth]]",
        "hired [[Ann Smith]] at last",
    );
    edit(root, ANN, "roles: [\n", "roles:\n");
    let (result, memory) = rebuild(root, memory, &[ANN]);
    assert!(!result.diagnostics.has_errors());
    assert!(result.pages_rendered.is_some(), "the fix is incremental");
    assert_same_site(&memory, root, "errors fixed");
}

#[test]
fn warnings_of_an_edited_note_replace_its_old_ones() {
    let dir = brief();
    let root = dir.path();
    let memory = full_build(root);
    let citation_needed = |result: &BuildResult| {
        result
            .diagnostics
            .iter()
            .filter(|d| d.code == "citation-needed")
            .count()
    };
    edit(
        root,
        BOB,
        "in July 2025 [@daily-2025-07-07, \"Bob Jones, who leads Acme Corp\"].",
        "in July 2025 [@daily-2025-07-07, \"Bob Jones, who leads Acme Corp\"].\n\nHe says nothing about where the money comes from, or when.",
    );
    let (result, memory) = rebuild(root, memory, &[BOB]);
    let (full, _) = build_incremental(&options(root), &|_| {}, None, Changes::Unknown);
    let full = full.expect("the build runs");
    assert_eq!(citation_needed(&result), citation_needed(&full));
    assert_eq!(
        result.diagnostics.warning_count(),
        full.diagnostics.warning_count()
    );
    assert!(citation_needed(&result) > 0);
    drop(memory);
}

/// The edits of the tests above on a generated corpus, many notes at a time, each compared
/// with a full build: `CASEFILE_INCREMENTAL_BRIEF=/dev/shm/corpus1k-ns cargo test --release
/// incremental_builds_of_a_generated_brief -- --ignored` (copies the brief; takes a minute).
#[test]
#[ignore]
fn incremental_builds_of_a_generated_brief_give_the_pages_of_full_builds() {
    let Some(brief) = std::env::var_os("CASEFILE_INCREMENTAL_BRIEF") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["casefile.yaml", "content"] {
        let from = Path::new(&brief).join(name);
        if from.is_dir() {
            copy_dir(&from, &root.join(name));
        } else {
            std::fs::copy(&from, root.join(name)).unwrap();
        }
    }
    let mut people: Vec<String> = std::fs::read_dir(root.join("content/people"))
        .unwrap()
        .map(|e| {
            format!(
                "content/people/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    people.sort();
    let companies: Vec<String> = std::fs::read_dir(root.join("content/companies"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut memory = full_build(root);
    // Each edit: what it does, and how it rewrites a note's text (None: not applicable).
    type Rewrite = fn(&str, &[String]) -> Option<String>;
    let rewrites: &[(&str, Rewrite)] = &[
        ("a sentence", |t, _| {
            Some(format!("{t}One more sentence.\n"))
        }),
        ("a quote shortened by its last word", |t, _| {
            let start = t.find("[@")?;
            let rest = &t[start..];
            let open = rest.find(", \"")? + 3;
            let close = rest[open..].find("\"]")? + open;
            let quote = &rest[open..close];
            let cut = quote.rfind(' ')?;
            (!quote.contains("...")).then(|| {
                format!(
                    "{}{}{}",
                    &t[..start + open],
                    &quote[..cut],
                    &t[start + close..]
                )
            })
        }),
        ("a new citation of a source it cites", |t, _| {
            let start = t.find("[@")? + 2;
            let end = t[start..].find(',')? + start;
            Some(format!("{t}It is cited once more [@{}].\n", &t[start..end]))
        }),
        ("the first citation removed", |t, _| {
            let start = t.rfind(" [@")?;
            let end = t[start..].find(']')? + start + 1;
            Some(format!("{}{}", &t[..start], &t[end..]))
        }),
        ("a new link", |t, companies| {
            Some(format!(
                "{t}See [[{}]].\n",
                companies[t.len() % companies.len()]
            ))
        }),
        ("a role's title", |t, _| {
            let at = t.find("\n    title: ")? + "\n    title: ".len();
            Some(format!("{}Acting {}", &t[..at], &t[at..]))
        }),
    ];
    for (round, &(what, rewrite)) in rewrites.iter().enumerate() {
        // Three notes edited at once, in different parts of the brief.
        let edited: Vec<&String> = [round * 7, 300 + round * 5, people.len() - 1 - round]
            .iter()
            .map(|&i| &people[i % people.len()])
            .collect();
        let mut changed = Vec::new();
        for file in &edited {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(new) = rewrite(&text, &companies) {
                std::fs::write(&path, new).unwrap();
                changed.push(file.as_str());
            }
        }
        assert!(!changed.is_empty(), "{what} applies to the brief's notes");
        let (result, next) = rebuild(root, memory, &changed);
        assert!(!result.diagnostics.has_errors(), "{what}");
        assert!(result.pages_rendered.is_some(), "{what} is incremental");
        assert_same_site(&next, root, what);
        memory = next;
    }
}
