//! The other commands: `init`, `new`, `check` (text, JSON, strict) and usage errors.

use crate::support::{Brief, casefile};
use crate::{assert_contains, assert_not_contains};

#[test]
fn init_makes_a_brief_that_builds_without_warnings() {
    let place = Brief::empty();
    let dir = place.root().join("fresh");
    let run = casefile(&["init", &dir.display().to_string()]);
    run.expect_code(0);
    for file in [
        "casefile.yaml",
        "content/_index.md",
        "content/people",
        "content/companies",
        "content/events",
        "content/sources",
        "content/pages",
    ] {
        assert!(dir.join(file).exists(), "init made no {file}");
    }
    let out = place.scratch("fresh-out");
    let build = casefile(&[
        "build",
        "--root",
        &dir.display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    build.expect_clean();
    assert!(out.join("index.html").is_file());
    // A second init into the same folder refuses.
    let again = casefile(&["init", &dir.display().to_string()]);
    again.expect_code(2);
    assert_contains!(again.stderr, "already holds a brief");
}

#[test]
fn new_person_slugifies_the_title_and_never_overwrites() {
    let brief = Brief::fixture("broken/clean");
    let root = brief.root().display().to_string();
    let run = casefile(&["new", "person", "Inès Müller", "--root", &root]);
    run.expect_code(0);
    let path = brief.root().join("content/people/ines-muller.md");
    let text = std::fs::read_to_string(&path).expect("the new note");
    assert_contains!(text, "title: \"Inès Müller\"");
    std::fs::write(&path, "---\ntitle: Inès Müller\n---\nMy own words.\n").expect("edit");
    let again = casefile(&["new", "person", "Inès Müller", "--root", &root]);
    again.expect_code(2);
    assert_contains!(again.stderr, "already exists");
    assert_contains!(
        std::fs::read_to_string(&path).expect("the note"),
        "My own words."
    );
}

#[test]
fn a_new_note_of_any_kind_keeps_the_brief_building() {
    // A fresh note is a placeholder: it may draw warnings (citation needed, uncited source),
    // never an error, so `new` followed by `build` still works.
    let brief = Brief::fixture("broken/clean");
    let root = brief.root().display().to_string();
    for (kind, folder) in [
        ("person", "people"),
        ("company", "companies"),
        ("event", "events"),
        ("source", "sources"),
        ("page", "pages"),
    ] {
        casefile(&["new", kind, "Fresh Example", "--root", &root]).expect_code(0);
        let path = brief
            .root()
            .join(format!("content/{folder}/fresh-example.md"));
        assert!(path.is_file());
        let check = brief.check(&[]);
        assert_eq!(check.code, 0, "after `new {kind}`:\n{}", check.stderr);
        assert_not_contains!(check.stderr, "error:");
        // The next kind reuses the slug, which would be a duplicate: remove this one.
        std::fs::remove_file(path).expect("remove");
    }
}

#[test]
fn check_json_reports_errors_warnings_and_coverage() {
    let brief = Brief::fixture("good/basic");
    let run = brief.check(&["--format", "json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 0);
    let coverage = &report["coverage"];
    assert!(coverage["blocks"].as_u64().unwrap_or(0) > 0, "{coverage}");
    assert_eq!(coverage["blocks"], coverage["cited_blocks"]);
    // And with an error, the same shape with the diagnostic's position.
    let broken = Brief::fixture("broken/unknown-link");
    let run = broken.check(&["--format", "json"]);
    run.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 1);
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "unknown-link");
    assert_eq!(first["location"]["line"], 5);
    assert_eq!(first["location"]["column"], 17);
}

#[test]
fn check_writes_nothing() {
    let brief = Brief::fixture("broken/clean");
    brief.check(&[]).expect_code(0);
    assert!(!brief.root().join("public").exists());
}

#[test]
fn strict_check_turns_a_warning_into_a_failure() {
    let brief = Brief::fixture("broken/clean");
    let person = brief.read("content/people/ann-lee.md");
    let brief = brief.file(
        "content/people/ann-lee.md",
        &format!("{person}\nShe also collected old clocks and repaired them for friends.\n"),
    );
    let relaxed = brief.check(&[]);
    relaxed.expect_code(0);
    assert_contains!(relaxed.stderr, "warning: citation needed");
    assert_contains!(relaxed.stderr, "content/people/ann-lee.md:7:1");
    let strict = brief.check(&["--strict"]);
    strict.expect_code(1);
    assert_contains!(strict.stderr, "error: citation needed");
    let json = brief.check(&["--strict", "--format", "json"]);
    json.expect_code(1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    let run = casefile(&["build", "--no-such-flag"]);
    run.expect_code(2);
    assert_contains!(run.stderr, "--no-such-flag");
    casefile(&["frobnicate"]).expect_code(2);
    casefile::<&str>(&[]).expect_code(2);
}

#[test]
fn a_folder_that_is_not_a_brief_is_an_error_not_a_panic() {
    let place = Brief::empty();
    let run = casefile(&["check", "--root", &place.root().display().to_string()]);
    assert!(run.code == 1 || run.code == 2, "exit {}", run.code);
    assert_contains!(run.stderr, "no content/ folder");
}

#[test]
fn new_keeps_the_title_exactly_as_typed() {
    let brief = Brief::fixture("broken/clean");
    let root = brief.root().display().to_string();
    let titles = [
        "Ann \"The Hammer\" Lee",
        "Path C:\\new\\tab",
        "Colon: yes # hash",
        "O'Neil & Sons",
    ];
    for title in titles {
        casefile(&["new", "company", title, "--root", &root]).expect_code(0);
    }
    let run = brief.build();
    run.expect_code(0);
    let data: serde_json::Value =
        serde_json::from_str(&run.file("casefile.json")).expect("casefile.json");
    let written: Vec<&str> = data["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    for title in titles {
        assert!(written.contains(&title), "{title:?} not in {written:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_deleted_current_folder_is_an_error_not_a_panic() {
    // A shell whose folder was deleted under it (a branch switch, a cleanup) still runs
    // casefile with --root; whatever fails must fail with a message.
    let brief = Brief::fixture("broken/clean");
    let gone = brief.scratch("gone");
    std::fs::create_dir_all(&gone).expect("create a folder");
    let script = format!(
        "cd '{}' && rm -rf '{}' && exec '{}' build --root '{}' -o '{}'",
        gone.display(),
        gone.display(),
        env!("CARGO_BIN_EXE_casefile"),
        brief.root().display(),
        brief.out().display()
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .env("NO_COLOR", "1")
        .output()
        .expect("run sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    crate::support::assert_no_panic(&stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 2, "exit {code}: {stderr}");
}

#[test]
fn a_quiet_build_of_a_clean_brief_prints_nothing() {
    let brief = Brief::fixture("broken/clean");
    let run = brief.build_with(&["-q"]);
    run.expect_code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "", "a quiet, clean build printed something");
    // Without -q: one summary line, on stderr, nothing on stdout (which stays for data).
    let run = brief.build();
    run.expect_clean();
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_contains!(run.stderr, "built 4 notes");
}

#[test]
fn new_refuses_a_slug_another_kind_already_uses() {
    // people/ann-lee.md exists: a company "Ann Lee" would be a duplicate slug and break the
    // next build.
    let brief = Brief::fixture("broken/clean");
    let root = brief.root().display().to_string();
    let run = casefile(&["new", "company", "Ann Lee", "--root", &root]);
    run.expect_code(2);
    assert_contains!(run.stderr, "already uses the slug \"ann-lee\"");
    assert!(!brief.root().join("content/companies/ann-lee.md").exists());
    brief.check(&[]).expect_code(0);
}

#[test]
fn check_json_counts_uncited_sources_and_uncited_paragraphs() {
    let brief = Brief::fixture("broken/clean")
        .file(
            "content/sources/unused.md",
            "---\ntitle: Unused\n---\nNobody cites this text at all.\n",
        )
        .file(
            "content/pages/essay.md",
            "---\ntitle: Essay\n---\nThis paragraph makes a claim with no source at all.\n\nThis one cites the gazette properly [@gazette, \"small brass widgets\"].\n",
        );
    let run = brief.check(&["--format", "json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["warnings"], 2);
    let coverage = &report["coverage"];
    assert_eq!(coverage["uncited_sources"], serde_json::json!(["unused"]));
    let essay = coverage["notes"]
        .as_array()
        .expect("per-note coverage")
        .iter()
        .find(|n| n["slug"] == "essay")
        .expect("the essay's coverage");
    assert_eq!(essay["blocks"], 2);
    assert_eq!(essay["cited_blocks"], 1);
    assert_eq!(essay["percent"], 50.0);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"citation-needed") && codes.contains(&"uncited-source"),
        "{codes:?}"
    );
}

/// A page whose first claim rests on one origin told twice (a wire story and a relay of it),
/// and whose second claim rests on two independent origins.
fn origins_brief() -> Brief {
    Brief::new()
        .file(
            "content/sources/wire.md",
            "---\ntitle: Wire story\npublisher: Wire\n---\nThe deal was worth ten million dollars.\n",
        )
        .file(
            "content/sources/relay-a.md",
            "---\ntitle: Relay A\npublisher: A\nrelies_on: [wire]\n---\nThe deal was worth ten million dollars, Wire reported.\n",
        )
        .file(
            "content/sources/own.md",
            "---\ntitle: Own\npublisher: C\n---\nOur reporters confirmed the deal, worth ten million dollars.\n",
        )
        .file(
            "content/pages/deal.md",
            "---\ntitle: Deal\n---\nThe deal was worth ten million dollars [@wire, \"ten million dollars\"; @relay-a, \"ten million dollars\"].\n\nIt was confirmed independently as well [@relay-a, \"ten million dollars\"; @own, \"ten million dollars\"].\n",
        )
}

#[test]
fn check_reports_independent_origins_per_claim() {
    let brief = origins_brief();
    let run = brief.check(&["-v"]);
    run.expect_code(0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_contains!(all, "2 claims cite several sources; 1 of them rest");
    assert_contains!(all, "content/pages/deal.md:4:49");
    assert_contains!(all, "2 sources, 1 origin");
    assert_contains!(all, "content/pages/deal.md:6:52");
    assert_contains!(all, "2 sources, 2 origins");
}

#[test]
fn check_json_reports_independent_origins_too() {
    // The JSON report is the machine-readable `check`: it should carry what -v prints.
    let run = origins_brief().check(&["--format", "json"]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let claims = report["coverage"]["claims"]
        .as_array()
        .expect("coverage.claims");
    assert_eq!(claims.len(), 2, "{claims:?}");
    assert_eq!(claims[0]["location"], "content/pages/deal.md:4:49");
    assert_eq!(claims[0]["sources"].as_array().map(Vec::len), Some(2));
    assert_eq!(claims[0]["origins"].as_array().map(Vec::len), Some(1));
    assert_eq!(claims[1]["origins"].as_array().map(Vec::len), Some(2));
}
