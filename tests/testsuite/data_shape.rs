//! `/casefile.json` and `check --format json` against their documentation. The field tables of
//! `docs/casefile-json.md` are read from the page itself, and every object of real output must
//! have exactly the documented fields, each of the documented JSON type: a field added to the
//! code but not to the page, or documented but no longer written, fails here, so the two cannot
//! drift apart. Checked on the good fixture and on the repository's own brief, which between
//! them give every nullable field a value at least once (asserted), so no type goes untested.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::support::{Brief, casefile};

/// One documented object: field name → documented type (`string?`, `[slug]`, `number`, …).
type Shape = BTreeMap<String, String>;

/// The names of documented types that stand for an object described by a table of its own.
const OBJECT_TYPES: &[&str] = &[
    "note",
    "role",
    "fact",
    "source",
    "citation",
    "disagreement",
    "value",
    "diagnostic",
    "coverage",
    "object",
];

/// The note kinds the page lists for `kind`.
const KINDS: &[&str] = &["person", "company", "event", "source", "page", "home"];

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The field table that follows the first line of the page starting with `anchor`.
fn table_after(page: &str, anchor: &str) -> Shape {
    let mut lines = page.lines().skip_while(|line| !line.starts_with(anchor));
    assert!(
        lines.next().is_some(),
        "docs/casefile-json.md has no line starting with {anchor:?}"
    );
    let mut shape = Shape::new();
    for row in lines
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
    {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (Some(name), Some(kind)) = (cells.get(1), cells.get(2)) else {
            continue;
        };
        // The header row and the separator have no backticked field name.
        if let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
            shape.insert(name.to_string(), kind.to_string());
        }
    }
    assert!(
        !shape.is_empty(),
        "docs/casefile-json.md has no field table after {anchor:?}"
    );
    shape
}

/// Every table of the page, by the object it describes.
struct Documented {
    top: Shape,
    note: Shape,
    role: Shape,
    fact: Shape,
    source: Shape,
    citation: Shape,
    disagreement: Shape,
    value: Shape,
    check: Shape,
    diagnostic: Shape,
    coverage: Shape,
}

impl Documented {
    fn read() -> Documented {
        let path = repository().join("docs/casefile-json.md");
        let page = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let documented = Documented {
            top: table_after(&page, "### Top level"),
            note: table_after(&page, "### Note"),
            role: table_after(&page, "**Role**"),
            fact: table_after(&page, "**Fact**"),
            source: table_after(&page, "**Source**"),
            citation: table_after(&page, "### Citation"),
            disagreement: table_after(&page, "### Disagreement"),
            value: table_after(&page, "**Value**"),
            check: table_after(&page, "## `check --format json`"),
            diagnostic: table_after(&page, "**Diagnostic:**"),
            coverage: table_after(&page, "**Coverage:**"),
        };
        // A table read from the wrong place would make every check below vacuous.
        for (shape, field) in [
            (&documented.top, "notes"),
            (&documented.note, "backlinks"),
            (&documented.role, "org"),
            (&documented.fact, "as_of"),
            (&documented.source, "origins"),
            (&documented.citation, "mark"),
            (&documented.disagreement, "values"),
            (&documented.value, "sources"),
            (&documented.check, "diagnostics"),
            (&documented.diagnostic, "severity"),
            (&documented.coverage, "uncited_sources"),
        ] {
            assert!(
                shape.contains_key(field),
                "the table meant to hold `{field}` was not found: {shape:?}"
            );
        }
        documented
    }
}

fn fixed_shape(fields: &[(&str, &str)]) -> Shape {
    fields
        .iter()
        .map(|(field, kind)| (field.to_string(), kind.to_string()))
        .collect()
}

fn is_date(text: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

/// Checks objects against shapes and collects every difference, so one run lists them all.
struct Checker {
    /// The notes' slugs, for `slug` fields; `None` accepts any string.
    slugs: Option<BTreeSet<String>>,
    problems: Vec<String>,
    /// (object, field) pairs seen holding something (not `null`, not `[]`).
    filled: BTreeSet<(String, String)>,
}

impl Checker {
    fn new(slugs: Option<BTreeSet<String>>) -> Checker {
        Checker {
            slugs,
            problems: Vec::new(),
            filled: BTreeSet::new(),
        }
    }

    /// `value` must be an object with exactly the fields of `shape`, each of its type.
    fn object<'v>(
        &mut self,
        what: &str,
        path: &str,
        value: &'v Value,
        shape: &Shape,
    ) -> Option<&'v Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.problems
                .push(format!("{path}: expected a {what} object, found {value}"));
            return None;
        };
        for (field, kind) in shape {
            match map.get(field) {
                None => self
                    .problems
                    .push(format!("{path}: documented field `{field}` is missing")),
                Some(v) => self.typed(what, field, &format!("{path}.{field}"), v, kind),
            }
        }
        for field in map.keys() {
            if !shape.contains_key(field) {
                self.problems.push(format!(
                    "{path}: field `{field}` is not documented in docs/casefile-json.md"
                ));
            }
        }
        Some(map)
    }

    fn typed(&mut self, what: &str, field: &str, path: &str, value: &Value, kind: &str) {
        let (kind, nullable) = match kind.strip_suffix('?') {
            Some(k) => (k, true),
            None => (kind, false),
        };
        if value.is_null() {
            if !nullable {
                self.problems
                    .push(format!("{path}: null, but documented as `{kind}`"));
            }
            return;
        }
        if let Some(item_kind) = kind.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
            let Some(items) = value.as_array() else {
                self.problems
                    .push(format!("{path}: {value} is not an array of {item_kind}"));
                return;
            };
            if !items.is_empty() {
                self.filled.insert((what.to_string(), field.to_string()));
            }
            for (i, item) in items.iter().enumerate() {
                self.scalar(&format!("{path}[{i}]"), item, item_kind);
            }
            return;
        }
        self.filled.insert((what.to_string(), field.to_string()));
        self.scalar(path, value, kind);
    }

    fn scalar(&mut self, path: &str, value: &Value, kind: &str) {
        let ok = match kind {
            "string" => value.is_string(),
            "number" => value.is_number(),
            "date" => value.as_str().is_some_and(is_date),
            "slug" => value
                .as_str()
                .is_some_and(|s| self.slugs.as_ref().is_none_or(|slugs| slugs.contains(s))),
            // Checked field by field by the caller, against the object's own table.
            k if OBJECT_TYPES.contains(&k) => value.is_object(),
            other => {
                self.problems.push(format!(
                    "{path}: docs/casefile-json.md uses a type `{other}` this test does not know"
                ));
                return;
            }
        };
        if !ok {
            self.problems
                .push(format!("{path}: {value} is not a `{kind}`"));
        }
    }

    /// Ids in a `citations` list must name entries of the top-level `citations`.
    fn citation_ids(&mut self, path: &str, ids: &Value, count: usize) {
        for id in ids.as_array().into_iter().flatten() {
            if id.as_u64().is_none_or(|id| id as usize >= count) {
                self.problems
                    .push(format!("{path}: {id} is not a citation id (0..{count})"));
            }
        }
    }
}

/// Walks a whole `casefile.json`.
fn check_brief_json(json: &Value, doc: &Documented, checker: &mut Checker) {
    checker.object("top", "casefile.json", json, &doc.top);
    if json["version"] != 1 {
        checker
            .problems
            .push(format!("version is {}, documented as 1", json["version"]));
    }
    let empty = Vec::new();
    let notes = json["notes"].as_array().unwrap_or(&empty);
    let citations = json["citations"].as_array().unwrap_or(&empty);
    for note in notes {
        let slug = note["slug"].as_str().unwrap_or("?");
        let path = format!("notes[{slug}]");
        checker.object("note", &path, note, &doc.note);
        let kind = note["kind"].as_str().unwrap_or("?");
        if !KINDS.contains(&kind) {
            checker
                .problems
                .push(format!("{path}.kind: \"{kind}\" is not a documented kind"));
        }
        for (i, role) in note["roles"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let at = format!("{path}.roles[{i}]");
            checker.object("role", &at, role, &doc.role);
            checker.citation_ids(&at, &role["citations"], citations.len());
        }
        for (i, fact) in note["facts"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let at = format!("{path}.facts[{i}]");
            checker.object("fact", &at, fact, &doc.fact);
            checker.citation_ids(&at, &fact["citations"], citations.len());
        }
        match (kind == "source", note["source"].is_null()) {
            (true, false) => {
                checker.object(
                    "source",
                    &format!("{path}.source"),
                    &note["source"],
                    &doc.source,
                );
                if note["source"]["origins"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                {
                    checker
                        .problems
                        .push(format!("{path}.source.origins: documented as never empty"));
                }
            }
            (false, true) => {}
            _ => checker.problems.push(format!(
                "{path}.source: documented as an object for sources and null otherwise"
            )),
        }
        for list in ["links", "backlinks"] {
            let slugs: Vec<&str> = note[list]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if !slugs.windows(2).all(|w| w[0] < w[1]) {
                checker
                    .problems
                    .push(format!("{path}.{list}: not sorted, each once: {slugs:?}"));
            }
        }
        if note["backlinks"]
            .as_array()
            .is_some_and(|b| b.iter().any(|s| s.as_str() == Some(slug)))
        {
            checker
                .problems
                .push(format!("{path}.backlinks: lists the note itself"));
        }
    }
    for (index, citation) in citations.iter().enumerate() {
        let path = format!("citations[{index}]");
        checker.object("citation", &path, citation, &doc.citation);
        if citation["id"].as_u64() != Some(index as u64) {
            checker.problems.push(format!(
                "{path}.id: {} is not its index in the list",
                citation["id"]
            ));
        }
        let quoted = !citation["quote"].is_null();
        for located in ["paragraph", "mark"] {
            if citation[located].is_null() == quoted {
                checker.problems.push(format!(
                    "{path}.{located}: documented as null exactly when the quote is"
                ));
            }
        }
    }
    for (index, disagreement) in json["disagreements"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        let path = format!("disagreements[{index}]");
        checker.object("disagreement", &path, disagreement, &doc.disagreement);
        for (i, value) in disagreement["values"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let at = format!("{path}.values[{i}]");
            checker.object("value", &at, value, &doc.value);
            checker.citation_ids(&at, &value["citations"], citations.len());
        }
    }
}

/// The problems as a list short enough to read (one missing field repeats on every note).
fn listed(problems: &[String]) -> String {
    const SHOWN: usize = 40;
    let mut text = problems
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > SHOWN {
        text.push_str(&format!("\n… and {} more", problems.len() - SHOWN));
    }
    text
}

fn slugs_of(json: &Value) -> BTreeSet<String> {
    json["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["slug"].as_str().map(str::to_string))
        .collect()
}

fn parse(what: &str, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}"))
}

#[test]
fn casefile_json_has_exactly_the_documented_fields_and_types() {
    let doc = Documented::read();

    let fixture = Brief::fixture("good/basic");
    let fixture_run = fixture.build();
    fixture_run.expect_clean();
    let fixture_json = parse(
        "the fixture's casefile.json",
        &fixture_run.file("casefile.json"),
    );

    let scratch = Brief::empty();
    let out = scratch.scratch("repository-site");
    let repository_run = casefile(&[
        "build".to_string(),
        "--root".to_string(),
        repository().display().to_string(),
        "-o".to_string(),
        out.display().to_string(),
    ]);
    repository_run.expect_code(0);
    let repository_json = parse(
        "the repository's casefile.json",
        &repository_run.with_output(&out).file("casefile.json"),
    );

    let mut filled = BTreeSet::new();
    for (name, json) in [
        ("tests/fixtures/good/basic", &fixture_json),
        ("the repository's brief", &repository_json),
    ] {
        let mut checker = Checker::new(Some(slugs_of(json)));
        check_brief_json(json, &doc, &mut checker);
        assert!(
            checker.problems.is_empty(),
            "{name}: casefile.json differs from docs/casefile-json.md:\n{}",
            listed(&checker.problems)
        );
        filled.extend(checker.filled);
    }

    // Every documented field held a value somewhere, so its documented type was really tested
    // (a field that is always null would pass whatever its type).
    let mut never: Vec<String> = Vec::new();
    for (what, shape) in [
        ("top", &doc.top),
        ("note", &doc.note),
        ("role", &doc.role),
        ("fact", &doc.fact),
        ("source", &doc.source),
        ("citation", &doc.citation),
        ("disagreement", &doc.disagreement),
        ("value", &doc.value),
    ] {
        for field in shape.keys() {
            if !filled.contains(&(what.to_string(), field.clone())) {
                never.push(format!("{what}.{field}"));
            }
        }
    }
    assert!(
        never.is_empty(),
        "these fields were null or empty in both briefs, so their types went untested: {never:?}"
    );
}

#[test]
fn check_json_has_exactly_the_documented_fields_and_types() {
    let doc = Documented::read();
    let brief = Brief::new()
        .file(
            "content/sources/cited.md",
            "---\ntitle: Cited\npublisher: The Daily\n---\nThe board met on Monday.\n",
        )
        .file(
            "content/sources/other.md",
            "---\ntitle: Other\npublisher: The Weekly\n---\nThe board met.\n",
        )
        .file(
            "content/sources/uncited.md",
            "---\ntitle: Uncited\n---\nNobody cites this text.\n",
        )
        // An error without help (empty title) and a warning with help (citation needed).
        .file(
            "content/people/nobody.md",
            "---\ntitle: \"\"\n---\nThis paragraph states a fact with no source at all.\n",
        )
        // An error with help (the closest passage).
        .file(
            "content/pages/notes.md",
            "---\ntitle: Notes\n---\nThe board met on Tuesday, it says [@cited, \"met on Tuesday\"].\n\nTwo outlets say the board met this week [@cited; @other].\n",
        );
    let run = brief.check(&["--format", "json"]);
    run.expect_code(1);
    assert!(
        run.stderr.is_empty(),
        "check --format json is documented to print nothing on standard error:\n{}",
        run.stderr
    );
    let report = parse("check --format json", &run.stdout);

    let mut checker = Checker::new(None);
    checker.object("check", "report", &report, &doc.check);
    let empty = Vec::new();
    let diagnostics = report["diagnostics"].as_array().unwrap_or(&empty);
    // Described in the prose of the page rather than in tables of their own.
    let location = fixed_shape(&[
        ("file", "string"),
        ("line", "number"),
        ("column", "number"),
        ("length", "number"),
    ]);
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        let path = format!("diagnostics[{i}]");
        checker.object("diagnostic", &path, diagnostic, &doc.diagnostic);
        checker.object(
            "location",
            &format!("{path}.location"),
            &diagnostic["location"],
            &location,
        );
    }
    let coverage_note = fixed_shape(&[
        ("slug", "string"),
        ("path", "string"),
        ("blocks", "number"),
        ("cited_blocks", "number"),
        ("percent", "number"),
    ]);
    checker.object(
        "coverage",
        "report.coverage",
        &report["coverage"],
        &doc.coverage,
    );
    for (i, note) in report["coverage"]["notes"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        checker.object(
            "coverage note",
            &format!("report.coverage.notes[{i}]"),
            note,
            &coverage_note,
        );
    }
    let claim = fixed_shape(&[
        ("note", "string"),
        ("location", "string"),
        ("what", "string"),
        ("sources", "[string]"),
        ("origins", "[string]"),
    ]);
    for (i, entry) in report["coverage"]["claims"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .enumerate()
    {
        checker.object(
            "claim",
            &format!("report.coverage.claims[{i}]"),
            entry,
            &claim,
        );
    }
    assert!(
        checker.problems.is_empty(),
        "check --format json differs from docs/casefile-json.md:\n{}",
        listed(&checker.problems)
    );

    // The cases this brief was written to produce, so the types above were exercised.
    let count = |severity: &str| {
        diagnostics
            .iter()
            .filter(|d| d["severity"] == severity)
            .count()
    };
    assert_eq!(report["errors"], count("error"), "{report:#}");
    assert_eq!(report["warnings"], count("warning"), "{report:#}");
    assert!(count("error") >= 2 && count("warning") >= 2, "{report:#}");
    assert!(
        diagnostics.iter().any(|d| d["help"].is_null())
            && diagnostics.iter().any(|d| d["help"].is_string()),
        "expected diagnostics with and without help: {report:#}"
    );
    assert!(
        diagnostics.iter().any(|d| d["location"]["line"] == 0),
        "expected a whole-file diagnostic (line 0): {report:#}"
    );
    assert_eq!(
        report["coverage"]["uncited_sources"],
        serde_json::json!(["uncited"]),
        "{report:#}"
    );
    // The one claim with two different sources, whose publishers are two origins.
    let claims = report["coverage"]["claims"].as_array().unwrap_or(&empty);
    assert_eq!(claims.len(), 1, "{report:#}");
    assert_eq!(claims[0]["what"], "sentence", "{report:#}");
    assert_eq!(
        claims[0]["sources"],
        serde_json::json!(["cited", "other"]),
        "{report:#}"
    );
    assert_eq!(
        claims[0]["origins"],
        serde_json::json!(["the daily", "the weekly"]),
        "{report:#}"
    );
}
