//! The repository's own brief (`content/`), the honest end-to-end check: it must pass `check`
//! with no error and no warning, and every source note's body must be its original file from
//! `../shared/sources/`, byte for byte.

use std::path::Path;

use crate::soundness;
use crate::support::casefile;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_repository_brief_passes_check_with_no_error_and_no_warning() {
    let run = casefile(&[
        "check",
        "--root",
        &repository().display().to_string(),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("check --format json: {e}\n{}", run.stderr));
    let problems: Vec<String> = report["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| {
                    format!(
                        "{} {}:{}:{} {}",
                        d["severity"].as_str().unwrap_or("?"),
                        d["location"]["file"].as_str().unwrap_or("?"),
                        d["location"]["line"],
                        d["location"]["column"],
                        d["message"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(report["errors"], 0, "{}", problems.join("\n"));
    assert_eq!(report["warnings"], 0, "{}", problems.join("\n"));
    assert_eq!(run.code, 0);
}

/// The value of `original:` in a note's front matter, by a line scan.
fn original_of(text: &str) -> Option<String> {
    let front = text.strip_prefix("---\n")?;
    let end = front.find("\n---\n")?;
    front[..end].lines().find_map(|line| {
        line.strip_prefix("original:")
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
    })
}

/// The body: everything after the line that closes the front matter.
fn body_of(text: &str) -> Option<&str> {
    let front = text.strip_prefix("---\n")?;
    let end = front.find("\n---\n")?;
    Some(&front[end + "\n---\n".len()..])
}

#[test]
fn every_source_note_is_its_original_byte_for_byte() {
    let sources = repository().join("content/sources");
    let originals = repository().join("../shared/sources");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&sources)
        .expect("content/sources")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("a source note");
        let original =
            original_of(&text).unwrap_or_else(|| panic!("{} has no `original:`", path.display()));
        let name = Path::new(&original)
            .file_name()
            .expect("a file name")
            .to_owned();
        let original_path = originals.join(&name);
        let expected = std::fs::read(&original_path)
            .unwrap_or_else(|e| panic!("{}: {e}", original_path.display()));
        let body = body_of(&text).expect("a body");
        assert!(
            body.as_bytes() == expected.as_slice(),
            "{} differs from {} (body {} bytes, original {} bytes)",
            path.display(),
            original_path.display(),
            body.len(),
            expected.len()
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} sources");
}

#[test]
fn the_repository_brief_builds_into_a_sound_site() {
    // The site that is actually published: every citation reaches its highlighted passage and
    // back, every internal link and fragment exists, ids are unique, data parses.
    let place = crate::support::Brief::empty();
    let out = place.scratch("real-site");
    let run = casefile(&[
        "build",
        "--root",
        &repository().display().to_string(),
        "-o",
        &out.display().to_string(),
    ]);
    run.expect_code(0);
    let run = run.with_output(&out);
    let citations = soundness::citations_lead_to_marks_holding_their_quotes(&run);
    assert!(citations > 100, "only {citations} citations");
    soundness::marks_link_back_to_citations_that_exist(&run, "/");
    soundness::internal_links_lead_to_files_and_ids(&run, "/");
    soundness::ids_are_unique(&run);
    soundness::json_ld_parses(&run);
    soundness::xml_is_well_formed(&run);
    soundness::links_do_not_nest(&run);
    soundness::pages_have_their_landmarks(&run);
}

#[test]
fn the_repository_brief_builds_to_the_same_bytes_twice() {
    let place = crate::support::Brief::empty();
    let (first, second) = (place.scratch("first"), place.scratch("second"));
    for out in [&first, &second] {
        casefile(&[
            "build",
            "--root",
            &repository().display().to_string(),
            "-o",
            &out.display().to_string(),
        ])
        .expect_code(0);
    }
    let (a, b) = (
        crate::support::snapshot(&first),
        crate::support::snapshot(&second),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
}
