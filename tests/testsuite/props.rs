//! Property: no note, however malformed, makes casefile panic. Arbitrary front matter (known
//! and unknown keys, values of every shape) and body text built from the syntax casefile
//! parses (wikilinks, citations, quotes of both kinds, footnotes, fences, headings, HTML) are
//! written as one note beside a valid source, and the whole pipeline runs through the library
//! (load, resolve, verify, render) for speed. A panic anywhere fails the property; errors are
//! the expected outcome for most inputs.

use std::path::Path;

use casefile::build::{BuildOptions, build};
use proptest::prelude::*;

const SOURCE: &str = "---\ntitle: The paper\npublisher: Gazette\ndate: \"2025-01-02\"\n---\nAnn Lee founded Widget Works in 2019.\n\nThe company made brass widgets \u{201c}for clocks\u{201d}.\n";

fn body_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "[[",
            "]]",
            "[[Ann Lee]]",
            "[[paper#",
            "|",
            "#",
            "[@",
            "[@paper",
            "[@paper]",
            ", \"",
            "\"",
            "\u{201c}",
            "\u{201d}",
            "; @",
            "]",
            "[",
            "...",
            "\u{2026}",
            "\n",
            "\n\n",
            "---\n",
            "```rust\n",
            "```\n",
            "`",
            "[^1]",
            "\n[^1]: ",
            "[^x]",
            "<script>",
            "</p>",
            "<!--",
            "](../people/x.md)",
            "](javascript:alert(1))",
            "(data:text/html,x)",
            "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
            "\n## Heading {#id}\n",
            "\n# ",
            "* ",
            "1. ",
            "> ",
            "- [ ] ",
            "~~",
            "**",
            "_",
            "\\",
            "&amp;",
            "&#0;",
            "\r\n",
            "\t",
            "\u{feff}",
            "Ann Lee founded Widget Works in 2019",
            "founded",
            " ",
            "\u{0301}",
            "\u{200b}",
            "\u{1f600}",
            "\u{10ffff}",
            "\u{0}",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9 ,.'é漢]{0,16}",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

fn yaml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Ann Lee", "\"2025\"", "\"2025-07\"", "\"2025-07-07\"", "\"2025-13\"", "2025",
            "\"\"", "[]", "[a, b]", "[paper]", "{}", "null", "~", "true", "yes", "-1", "1e999",
            "{source: paper, quote: \"founded Widget Works\"}",
            "[{source: paper}, paper]",
            "\n  - org: Widget Works\n    title: Founder\n    from: \"2019\"\n    until: \"2018\"\n    cite: paper",
            "\n  - label: L\n    value: V\n    cite: paper\n  - label: L\n    value: W",
            "\n  - org: [[x]]", "'unclosed", "\"unclosed", "&anchor x", "*alias", "!!binary x",
            "|\n  block", ">\n  folded", "{a: {b: {c: {d: [1, [2, [3]]]}}}}", ": :", "- - -",
            "paper", "ann-lee", "https://example.org/x", "javascript:alert(1)",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9 :#'\"\\[\\]{},-]{0,20}",
    ]
}

fn front_matter() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "title",
        "kind",
        "summary",
        "aliases",
        "tags",
        "draft",
        "updated",
        "facts",
        "roles",
        "parent",
        "founded",
        "website",
        "date",
        "until",
        "participants",
        "location",
        "cite",
        "publisher",
        "author",
        "url",
        "via",
        "relies_on",
        "language",
        "original",
        "titel",
        "",
        "title",
    ]);
    prop::collection::vec((key, yaml_value()), 0..7).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    })
}

fn note() -> impl Strategy<Value = (String, String, bool, bool)> {
    (
        prop::sample::select(vec![
            "content/people/ann-lee.md",
            "content/companies/widget-works.md",
            "content/events/founding.md",
            "content/sources/other.md",
            "content/pages/about.md",
            "content/_index.md",
            "content/people/Bad Name.md",
            "content/misc/x.md",
            "content/people/paper.md",
        ]),
        front_matter(),
        prop::collection::vec(body_piece(), 0..40).prop_map(|v| v.concat()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(path, yaml, body, closed, drafts)| {
            let text = if closed {
                format!("---\n{yaml}---\n{body}")
            } else {
                format!("---\n{yaml}{body}")
            };
            (path.to_string(), text, drafts, true)
        })
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
    std::fs::write(path, text).expect("write");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_note_makes_the_pipeline_panic((path, text, drafts, _) in note()) {
        let temp = tempfile::tempdir().expect("a temporary folder");
        let root = temp.path();
        write(root, "casefile.yaml", "title: Props\n");
        write(root, "content/sources/paper.md", SOURCE);
        write(root, &path, &text);
        let options = BuildOptions {
            root: root.to_path_buf(),
            drafts,
            base_url: None,
            render: true,
        };
        // Errors are expected; a panic fails the property (proptest catches it).
        if let Ok(result) = build(&options) {
            if !result.diagnostics.has_errors() {
                prop_assert!(result.outputs.is_some());
            }
            // Rendering diagnostics must not panic either.
            for d in result.diagnostics.clone().sorted() {
                let _ = casefile::diagnostic::render(&d, &result.files, false);
            }
        }
    }
}

/// A word of a source: letters of several scripts, numbers, and the punctuation that
/// folding treats specially (curly quotes, apostrophes, dashes, ellipses, Markdown signs).
fn source_word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        1 => "[0-9]{1,4}",
        1 => prop::sample::select(vec![
            "Müller", "straße", "ﬁnance", "Ruoming", "庞若鸣", "Pang’s", "“quoted”", "‘single’",
            "it's", "—", "–", "-", "5–10", "...", "…", "(note)", "*bold*", "_under_", "`code`",
            "<b>", "&", "[1]", "#tag", "e.g.", "U.S.", "$100", "50%", "«guillemets»", "\"straight\"",
        ])
        .prop_map(str::to_string),
    ]
}

/// Paragraphs of (word, the separator after it).
type SourceText = Vec<Vec<(String, &'static str)>>;

/// A source text (paragraphs of words with varied spacing) and, from one paragraph, the index
/// range of the words to quote.
fn source_and_quote() -> impl Strategy<Value = (SourceText, usize, usize, usize)> {
    let separator = prop::sample::select(vec![" ", " ", " ", "  ", "\n", ", ", "\u{a0}"]);
    let paragraph = prop::collection::vec((source_word(), separator), 1..30);
    prop::collection::vec(paragraph, 1..4).prop_flat_map(|paragraphs| {
        let count = paragraphs.len();
        (
            Just(paragraphs),
            0..count,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(paragraphs, p, a, b)| {
                let len = paragraphs[p].len();
                let (x, y) = (a.index(len), b.index(len));
                (paragraphs, p, x.min(y), x.max(y))
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    /// SPEC §2: a quote copied from the source, word for word, is found.
    #[test]
    fn a_quote_copied_from_the_source_is_found((paragraphs, p, first, last) in source_and_quote()) {
        let text: String = paragraphs
            .iter()
            .map(|words| words.iter().map(|(w, s)| format!("{w}{s}")).collect::<String>().trim().to_string())
            .collect::<Vec<_>>()
            .join("\n\n");
        let words = &paragraphs[p][first..=last];
        let mut quote = String::new();
        for (i, (word, separator)) in words.iter().enumerate() {
            quote.push_str(word);
            if i + 1 < words.len() {
                quote.push_str(separator);
            }
        }
        let quote = quote.trim();
        // A quote needs a letter or digit to say anything; its delimiter must not occur in it.
        prop_assume!(quote.chars().any(char::is_alphanumeric));
        let (open, close) = if !quote.contains('"') {
            ("\"", "\"")
        } else if !quote.contains('\u{201d}') {
            ("\u{201c}", "\u{201d}")
        } else {
            return Ok(());
        };
        let temp = tempfile::tempdir().expect("a temporary folder");
        let root = temp.path();
        write(root, "content/sources/s.md", &format!("---\ntitle: S\n---\n{text}\n"));
        write(
            root,
            "content/pages/p.md",
            &format!("---\ntitle: P\n---\nA claim [@s, {open}{quote}{close}].\n"),
        );
        let options = BuildOptions { root: root.to_path_buf(), drafts: false, base_url: None, render: false };
        let result = build(&options).expect("no fatal error");
        let errors: Vec<String> = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == casefile::diagnostic::Severity::Error)
            .map(|d| format!("{}: {} ({:?})", d.code, d.message, d.help))
            .collect();
        prop_assert!(errors.is_empty(), "quote {:?} in\n{}\n{:#?}", quote, text, errors);
    }
}

fn config_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "title",
        "description",
        "base_url",
        "language",
        "theme",
        "markdown",
        "markdown:\n  raw_html",
        "markdown:\n  highlight_theme",
        "markdown:\n  highlight_theme_dark",
        "tittle",
        "",
    ]);
    let value = prop_oneof![
        prop::sample::select(vec![
            "/",
            "/brief/",
            "https://x.org/brief",
            "http://x.org",
            "x.org",
            "//x.org/",
            "",
            "\"\"",
            "true",
            "no",
            "~",
            "[a]",
            "{a: b}",
            "nonexistent-theme",
            "base16-ocean.dark",
            "No Such Theme",
            "'/a b/'",
            "\"/\\u0000/\"",
            "zh-Hans",
            "javascript:alert(1)",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9 :/._-]{0,16}",
    ];
    prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// No casefile.yaml and no --base-url value makes the pipeline panic.
    #[test]
    fn no_settings_make_the_pipeline_panic(
        config in config_text(),
        base_url in prop::option::of("[a-zA-Z0-9 :/._\"<>%#?-]{0,20}"),
    ) {
        let temp = tempfile::tempdir().expect("a temporary folder");
        let root = temp.path();
        write(root, "casefile.yaml", &config);
        write(root, "content/sources/paper.md", SOURCE);
        write(
            root,
            "content/people/ann-lee.md",
            "---\ntitle: Ann Lee\n---\nAnn Lee founded Widget Works [@paper, \"founded Widget Works in 2019\"].\n\n```rust\nfn main() {}\n```\n",
        );
        let options = BuildOptions { root: root.to_path_buf(), drafts: false, base_url, render: true };
        if let Ok(result) = build(&options) {
            for d in result.diagnostics.clone().sorted() {
                let _ = casefile::diagnostic::render(&d, &result.files, false);
            }
        }
    }
}

/// The notes of a generated brief: (folder, slug, title, alias).
const NOTES: &[(&str, &str, &str, &str)] = &[
    ("people", "ann-lee", "Ann Lee", "A. Lee"),
    ("people", "bob-ray", "Bob Ray", "Robert Ray"),
    ("companies", "widget-works", "Widget Works", "WW"),
    ("events", "the-sale", "The sale", "Sale of Widget Works"),
    ("pages", "method", "Method", "How we work"),
];

/// Quotes that are in [`SOURCE`] (verbatim, or folded, or elided).
const GOOD_QUOTES: &[&str] = &[
    "founded Widget Works in 2019",
    "Ann Lee founded",
    "brass widgets",
    "made brass widgets \u{201c}for clocks\u{201d}",
    "Ann Lee ... in 2019",
    "THE COMPANY MADE",
];

/// A piece of a note's body that a careful author could write: valid links, citations with
/// quotes the source holds, and Markdown around and inside them.
fn valid_piece() -> impl Strategy<Value = String> {
    let note = prop::sample::select(NOTES.to_vec());
    let quote = prop::sample::select(GOOD_QUOTES.to_vec());
    prop_oneof![
        note.clone()
            .prop_map(|(_, slug, _, _)| format!("[[{slug}]]")),
        note.clone()
            .prop_map(|(_, _, title, _)| format!("[[{title}]]")),
        note.clone()
            .prop_map(|(_, _, _, alias)| format!("[[{alias}|the note]]")),
        note.prop_map(|(folder, slug, title, _)| format!("[{title}](../{folder}/{slug}.md)")),
        quote.clone().prop_map(|q| format!(" [@paper, \"{q}\"]")),
        quote.prop_map(|q| format!(" [@paper, \"{q}\"; @paper]")),
        Just(" [@paper]".to_string()),
        Just("[^1]".to_string()),
        Just("\n\n[^1]: A remark of the author [@paper].\n\n".to_string()),
        Just("\n\n## A heading\n\n".to_string()),
        Just("\n\n## Sources\n\n".to_string()),
        Just("\n\n### Main {#main}\n\n".to_string()),
        Just("\n\n- an item with [[Ann Lee]]\n- another\n\n".to_string()),
        Just("\n\n> quoted [[WW]] words\n\n".to_string()),
        Just("\n\n| a | b |\n|---|---|\n| [[Bob Ray]] | 2 |\n\n".to_string()),
        Just("\n\n```rust\nlet x = \"[[not a link]]\";\n```\n\n".to_string()),
        Just("*emphasis with [[Ann Lee]]*".to_string()),
        Just("[outer link [[Bob Ray]] inside](https://example.org)".to_string()),
        Just("[a link with a cite [@paper, \"brass widgets\"]](https://example.org)".to_string()),
        Just("<b>raw</b> & <i>html</i>".to_string()),
        "[a-zA-Z ,.]{1,30}",
        Just("\n".to_string()),
        Just(". ".to_string()),
    ]
}

fn valid_brief() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::collection::vec(valid_piece(), 1..25).prop_map(|p| p.concat()),
        NOTES.len(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whenever a brief builds, its site is sound: every citation reaches a mark that holds its
    /// quote and back, links and fragments resolve, ids are unique, links do not nest, data
    /// parses. The bodies mix valid links and citations with Markdown of every kind.
    #[test]
    fn every_site_that_builds_is_sound(
        bodies in valid_brief(),
        sub_path in any::<bool>(),
        tags in prop::collection::vec(prop::sample::select(vec!["ai", "人工智能", "Talent race", "ai"]), 0..3),
        with_roles in any::<bool>(),
    ) {
        let temp = tempfile::tempdir().expect("a temporary folder");
        let root = temp.path().join("brief");
        write(&root, "casefile.yaml", "title: Props\n");
        write(&root, "content/sources/paper.md", SOURCE);
        write(
            &root,
            "content/sources/other.md",
            "---\ntitle: Other\nurl: https://other.example/a\nrelies_on: [paper]\n---\nIt made clocks \u{2013} and more.\n",
        );
        for ((folder, slug, title, alias), body) in NOTES.iter().zip(&bodies) {
            let mut extra = match *folder {
                "events" => "date: \"2024-05\"\nparticipants: [ann-lee, widget-works]\n".to_string(),
                "people" if with_roles => "roles:\n  - org: WW\n    title: Founder\n    from: \"2019\"\n    cite: {source: paper, quote: \"founded Widget Works in 2019\"}\nfacts:\n  - label: Made\n    value: brass widgets\n    cite: {source: paper, quote: \"brass widgets\"}\n  - label: Made\n    value: clocks\n    cite: {source: other, quote: \"clocks\"}\n".to_string(),
                _ => String::new(),
            };
            if !tags.is_empty() {
                extra.push_str(&format!("tags: [{}]\n", tags.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")));
            }
            write(
                &root,
                &format!("content/{folder}/{slug}.md"),
                &format!("---\ntitle: {title}\naliases: [\"{alias}\"]\n{extra}---\n{body}\n"),
            );
        }
        let (base_url, base) = if sub_path {
            (Some("https://x.org/sub/".to_string()), "/sub/")
        } else {
            (None, "/")
        };
        let options = BuildOptions { root: root.clone(), drafts: false, base_url, render: true };
        let result = build(&options).expect("no fatal error");
        let errors: Vec<String> = result
            .diagnostics
            .iter()
            .filter(|d| d.severity == casefile::diagnostic::Severity::Error)
            .map(|d| format!("{} {}: {}", d.location, d.code, d.message))
            .collect();
        prop_assert!(errors.is_empty(), "a valid brief failed: {:#?}", errors);
        let out = temp.path().join("out");
        for output in result.outputs.expect("the site") {
            let path = out.join(&output.path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("create");
            std::fs::write(path, output.bytes).expect("write");
        }
        let run = crate::support::Run::of_site(&out);
        crate::soundness::citations_lead_to_marks_holding_their_quotes(&run);
        crate::soundness::marks_link_back_to_citations_that_exist(&run, base);
        crate::soundness::internal_links_lead_to_files_and_ids(&run, base);
        crate::soundness::ids_are_unique(&run);
        crate::soundness::links_do_not_nest(&run);
        crate::soundness::json_ld_parses(&run);
        crate::soundness::xml_is_well_formed(&run);
    }
}
