//! Briefs with one fault each (`tests/fixtures/broken/<case>/`, plus a few made at test time:
//! a symbolic link out of the brief, binary bytes, a huge note, invalid UTF-8). Each must fail
//! with exit 1, a compiler-like message at the exact `file:line:col`, a `help:` where one
//! applies, no panic, and an existing output folder left as it was. Also: script in titles and
//! bodies never reaches the output as markup.

use crate::support::{Brief, Run, assert_no_panic, snapshot};
use crate::{assert_contains, assert_not_contains};

/// Builds `brief` into an output folder that already holds a previous site (casefile's marker
/// and a sentinel), and checks what every failed build must do: exit 1, no panic, and that
/// folder untouched.
fn build_fails(brief: &Brief) -> Run {
    let out = brief.out();
    std::fs::create_dir_all(out).expect("create the old output");
    std::fs::write(out.join(".casefile-output"), "").expect("write the marker");
    std::fs::write(out.join("sentinel.txt"), "the previous site\n").expect("write a sentinel");
    let before = snapshot(out);
    let run = brief.build();
    run.expect_code(1);
    assert_no_panic(&run.stderr);
    assert_contains!(run.stderr, "nothing was written");
    assert_eq!(
        snapshot(out),
        before,
        "a failed build changed the existing output"
    );
    run
}

/// Builds the fixture `broken/<case>` and checks the failure as [`build_fails`] does.
fn broken(case: &str) -> Run {
    build_fails(&Brief::fixture(&format!("broken/{case}")))
}

/// Asserts a diagnostic: its message, then its `--> file:line:col` on the next line.
#[track_caller]
fn assert_diagnostic(run: &Run, message: &str, position: &str) {
    let expected = format!("{message}\n --> {position}\n");
    let expected_wide = format!("{message}\n  --> {position}\n");
    assert!(
        run.stderr.contains(&expected) || run.stderr.contains(&expected_wide),
        "expected\n{expected}in\n{}",
        run.stderr
    );
}

#[test]
fn the_clean_base_of_the_broken_cases_builds() {
    // Every broken case is this brief with one fault: it must itself be clean, so each case's
    // error is the fault's and nothing else's.
    Brief::fixture("broken/clean").build().expect_clean();
}

#[test]
fn malformed_yaml_points_at_the_offending_character() {
    let run = broken("malformed-yaml");
    assert_diagnostic(
        &run,
        "error: mapping values are not allowed in this context",
        "content/people/ann-lee.md:3:21",
    );
    assert_contains!(run.stderr, "help: check the YAML syntax");
}

#[test]
fn unclosed_front_matter_points_at_its_opening_line() {
    let run = broken("unclosed-front-matter");
    assert_diagnostic(
        &run,
        "error: the front matter opened here is never closed",
        "content/people/ann-lee.md:1:1",
    );
    assert_contains!(run.stderr, "help: add a line with only `---`");
}

#[test]
fn unknown_key_suggests_the_key_meant() {
    let run = broken("unknown-key");
    assert_diagnostic(
        &run,
        "error: unknown key `sumary` in front matter",
        "content/people/ann-lee.md:3:1",
    );
    assert_contains!(run.stderr, "help: did you mean `summary`?");
}

#[test]
fn a_note_that_fails_to_load_causes_no_second_error() {
    // ann-lee.md has one fault (a misspelt key); the event that lists ann-lee as participant
    // should not also be reported as naming an unknown note: the note exists.
    let run = broken("unknown-key");
    assert_contains!(run.stderr, "1 error, 0 warnings");
}

#[test]
fn bad_date_is_reported_at_the_value() {
    let run = broken("bad-date");
    assert_diagnostic(
        &run,
        "error: invalid date \"2024-13\": there is no month 13; dates are written YYYY, YYYY-MM or YYYY-MM-DD",
        "content/events/widget-works-sold.md:3:7",
    );
    assert_contains!(run.stderr, "help: write the date as");
}

#[test]
fn unknown_link_suggests_the_closest_title() {
    let run = broken("unknown-link");
    assert_diagnostic(
        &run,
        "error: unknown link target \"Widget Workz\"",
        "content/people/ann-lee.md:5:17",
    );
    assert_contains!(run.stderr, "help: did you mean \"Widget Works\"?");
    assert_contains!(run.stderr, "1 error, 0 warnings");
}

#[test]
fn unknown_source_suggests_the_closest_slug() {
    let run = broken("unknown-source");
    assert_diagnostic(
        &run,
        "error: unknown source \"gazete\"",
        "content/people/ann-lee.md:5:43",
    );
    assert_contains!(run.stderr, "help: did you mean \"gazette\"?");
}

#[test]
fn quote_not_in_source_names_the_source_and_the_closest_passage() {
    let run = broken("quote-not-found");
    assert_diagnostic(
        &run,
        "error: quote not found in source \"The Gazette on Widget Works\" (gazette)",
        "content/people/ann-lee.md:5:54",
    );
    assert_contains!(
        run.stderr,
        "help: the closest passage of the source (paragraph p1)"
    );
    assert_contains!(run.stderr, "founded Widget Works in");
}

#[test]
fn the_closest_passage_hint_includes_the_word_that_differs() {
    // The quote says 2018, the source 2019: the hint is only useful if it shows "2019".
    let run = broken("quote-not-found");
    assert_contains!(run.stderr, "founded Widget Works in 2019");
}

#[test]
fn duplicate_slug_names_both_files() {
    let run = broken("duplicate-slug");
    assert_contains!(
        run.stderr,
        "error: the slug \"gazette\" is already used by content/people/gazette.md\n  --> content/sources/gazette.md\n"
    );
    assert_contains!(run.stderr, "help: slugs are unique across the whole brief");
}

#[test]
fn bad_slug_proposes_the_slugified_name() {
    let run = broken("bad-slug");
    assert_contains!(
        run.stderr,
        "error: \"Ann_Lee\" is not a valid slug: use lower-case a-z, 0-9 and `-`\n  --> content/people/Ann_Lee.md\n"
    );
    assert_contains!(run.stderr, "help: rename the file to ann-lee.md");
}

#[test]
fn kind_contradicting_the_folder_is_an_error() {
    let run = broken("kind-mismatch");
    assert_diagnostic(
        &run,
        "error: `kind: company` contradicts the folder, which makes this note a person",
        "content/people/ann-lee.md:3:7",
    );
    assert_contains!(run.stderr, "(content/companies/)");
}

#[test]
fn script_links_are_errors() {
    let run = broken("script-link");
    assert_diagnostic(
        &run,
        "error: links with a script scheme are not allowed: \"javascript:alert(1)\"",
        "content/people/ann-lee.md:7:16",
    );
    assert_contains!(run.stderr, "help: link to an http(s) page");
}

#[test]
fn unknown_heading_lists_the_headings_there_are() {
    let run = broken("unknown-heading");
    assert_diagnostic(
        &run,
        "error: \"Widget Works\" has no heading \"History\"",
        "content/people/ann-lee.md:5:17",
    );
    assert_contains!(run.stderr, "help: its headings are: Products");
}

#[test]
fn role_at_an_unknown_organisation_is_an_error() {
    let run = broken("unknown-role-org");
    assert_diagnostic(
        &run,
        "error: unknown organisation \"Widget Workz\"",
        "content/people/ann-lee.md:5:10",
    );
    assert_contains!(run.stderr, "help: did you mean \"Widget Works\"?");
}

#[test]
fn every_error_of_a_build_is_reported() {
    let run = broken("two-faults");
    assert_diagnostic(
        &run,
        "error: unknown link target \"Widget Workz\"",
        "content/people/ann-lee.md:5:17",
    );
    assert_diagnostic(
        &run,
        "error: quote not found in source \"The Gazette on Widget Works\" (gazette)",
        "content/events/widget-works-sold.md:6:51",
    );
    assert_contains!(run.stderr, "2 errors, 0 warnings");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_brief_is_refused_not_followed() {
    let brief = Brief::fixture("broken/clean");
    let outside = brief.scratch("outside.md");
    std::fs::write(
        &outside,
        "---\ntitle: Secret\n---\nA secret note outside the brief, never to be published.\n",
    )
    .expect("write the outside file");
    std::os::unix::fs::symlink(&outside, brief.root().join("content/people/secret.md"))
        .expect("make a symbolic link");
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "error: symbolic link leads out of the brief");
    assert_contains!(run.stderr, "--> content/people/secret.md");
    assert_contains!(
        run.stderr,
        "help: casefile reads only files inside the brief"
    );
}

#[test]
fn binary_bytes_are_refused() {
    let brief = Brief::fixture("broken/clean");
    brief.write(
        "content/pages/blob.md",
        b"---\ntitle: Blob\n---\nsome text\n\x00\x01\x02\x03 binary\n",
    );
    let run = build_fails(&brief);
    // The NUL byte is on line 5, column 1.
    assert_diagnostic(
        &run,
        "error: this file contains a NUL byte: it looks binary, not text",
        "content/pages/blob.md:5:1",
    );
}

#[test]
fn a_huge_note_is_refused_with_a_clear_message() {
    let brief = Brief::fixture("broken/clean");
    let mut text = String::from("---\ntitle: Huge\n---\n");
    let line = "A sentence that repeats until the note weighs ten megabytes.\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(line);
    }
    brief.write("content/pages/huge.md", text.as_bytes());
    let run = build_fails(&brief);
    assert_contains!(
        run.stderr,
        "error: this file is 10.5 MB; a note or source may be at most"
    );
    assert_contains!(run.stderr, "content/pages/huge.md");
}

#[test]
fn invalid_utf8_is_refused_at_the_first_bad_byte() {
    let brief = Brief::fixture("broken/clean");
    // Line 4: "caf" then a lone Latin-1 é (0xE9): column 4.
    brief.write(
        "content/pages/latin1.md",
        b"---\ntitle: Latin-1\n---\ncaf\xe9 au lait\n",
    );
    let run = build_fails(&brief);
    assert_diagnostic(
        &run,
        "error: this file is not valid UTF-8 text",
        "content/pages/latin1.md:4:4",
    );
    assert_contains!(run.stderr, "help: save it as UTF-8");
}

/// No script element carries anything the brief wrote (every injection in the fixture says
/// `alert(1)`), and JSON-LD data holds no `<` at all, so no title can end or bend its element.
fn assert_no_injected_script(path: &str, text: &str) {
    assert_not_contains!(text, "<script>alert");
    assert!(
        !text.contains("<img src=x onerror"),
        "{path}: raw <img> with onerror"
    );
    for (i, _) in text.match_indices("<script") {
        let tag_end = text[i..].find('>').map_or(text.len(), |e| i + e + 1);
        let tag = &text[i..tag_end];
        let body_end = text[tag_end..]
            .find("</script>")
            .map_or(text.len(), |e| tag_end + e);
        let body = &text[tag_end..body_end];
        assert!(
            !tag.contains("alert(1)") && !body.contains("alert(1)") || tag.contains("ld+json"),
            "{path}: script from the brief in {tag}{}",
            crate::support::shorten(body)
        );
        if tag == "<script type=\"application/ld+json\">" {
            assert_not_contains!(body, "<");
        }
    }
}

#[test]
fn script_in_titles_and_bodies_is_escaped_everywhere() {
    let brief = Brief::fixture("good/script");
    let run = brief.build();
    run.expect_code(0);
    let files = snapshot(brief.out());
    assert!(files.len() > 10, "the site was built");
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        // Scripts are the theme's; casefile.json is data that the theme's script reads with
        // `textContent`, so it keeps the title as written.
        if path.ends_with(".js") || path == "casefile.json" {
            continue;
        }
        assert_no_injected_script(path, &text);
    }
    // The escaped text is there, so the test is not passing on an empty page.
    let person = run.page("people/eve-hacker/");
    assert_contains!(person, "&lt;script&gt;alert(1)&lt;/script&gt;");
    // Hostile text leaves the site whole: XML well-formed, JSON-LD parses, links resolve.
    crate::soundness::xml_is_well_formed(&run);
    crate::soundness::json_ld_parses(&run);
    crate::soundness::internal_links_lead_to_files_and_ids(&run, "/");
    crate::soundness::ids_are_unique(&run);
    crate::soundness::links_do_not_nest(&run);
    assert_contains!(
        run.file("casefile.json"),
        "Eve <script>alert(1)</script> Hacker"
    );
}

/// Runs `casefile check` on `brief`, killing it after `limit`; returns whether it finished.
fn check_finishes_within(brief: &Brief, limit: std::time::Duration) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casefile"))
        .args(["check", "--root", &brief.root().display().to_string()])
        .env_clear()
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run the casefile binary");
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if child.try_wait().expect("wait").is_some() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

#[test]
fn a_note_full_of_malformed_citations_is_checked_quickly() {
    // 20 KB of "[@" (far under the size limit) is 10,000 malformed citations on one line. Each
    // is an error, but reporting them must not take longer than a build: the time grew with
    // the square of their number (10 KB took about 20 s in a debug build).
    let brief = Brief::fixture("broken/clean");
    let mut text = String::from("---\ntitle: Many\n---\n");
    text.push_str(&"[@".repeat(10_000));
    text.push('\n');
    brief.write("content/pages/many.md", text.as_bytes());
    assert!(
        check_finishes_within(&brief, std::time::Duration::from_secs(10)),
        "check took more than 10 s"
    );
}

#[test]
fn windows_line_endings_and_a_byte_order_mark_keep_positions_exact() {
    let brief = Brief::fixture("broken/unknown-link");
    for rel in [
        "content/people/ann-lee.md",
        "content/companies/widget-works.md",
    ] {
        let text = brief.read(rel).replace('\n', "\r\n");
        brief.write(rel, format!("\u{feff}{text}").as_bytes());
    }
    let run = build_fails(&brief);
    assert_diagnostic(
        &run,
        "error: unknown link target \"Widget Workz\"",
        "content/people/ann-lee.md:5:17",
    );
    assert_contains!(run.stderr, "1 error, 0 warnings");
}

#[test]
fn front_matter_values_are_checked_where_they_stand() {
    // Four faults in roles and facts, each reported at its own line: a month 13, a quote the
    // source does not hold, a misspelt source slug, a malformed as_of date.
    let run = broken("front-matter-values");
    assert_diagnostic(
        &run,
        "error: invalid date \"2019-13\": there is no month 13; dates are written YYYY, YYYY-MM or YYYY-MM-DD",
        "content/people/ann-lee.md:7:11",
    );
    assert_contains!(
        run.stderr,
        "error: quote not found in source \"The Gazette on Widget Works\" (gazette)\n --> content/people/ann-lee.md:8:"
    );
    assert_contains!(
        run.stderr,
        "founded Widget Works in 2019",
        "the hint shows the passage meant"
    );
    assert_contains!(
        run.stderr,
        "error: unknown source \"gazett\"\n  --> content/people/ann-lee.md:13:"
    );
    assert_contains!(run.stderr, "help: did you mean \"gazette\"?");
    assert_diagnostic(
        &run,
        "error: invalid date \"20x\": the year must have 4 digits; dates are written YYYY, YYYY-MM or YYYY-MM-DD",
        "content/people/ann-lee.md:19:12",
    );
    assert_contains!(run.stderr, "4 errors, 0 warnings");
}

#[test]
fn check_reports_exactly_what_build_reports() {
    let cases = std::fs::read_dir(crate::support::fixtures_dir().join("broken"))
        .expect("the broken fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "clean");
    let mut compared = 0;
    for case in cases {
        let brief = Brief::fixture(&format!("broken/{case}"));
        let built = brief.build();
        let checked = brief.check(&[]);
        assert_eq!(checked.code, built.code, "{case}: exit codes differ");
        let problems = |stderr: &str| -> Vec<String> {
            stderr
                .lines()
                .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
                .filter(|l| !l.starts_with("error: the build failed"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            problems(&checked.stderr),
            problems(&built.stderr),
            "{case}: check and build disagree"
        );
        compared += 1;
    }
    assert!(compared >= 14, "only {compared} cases");
}

#[test]
fn a_long_note_with_thousands_of_citations_is_checked_quickly() {
    // 2,000 cited paragraphs (800 KB, under the size limit). Each citation's position used
    // to be counted from the top of the file, so checking took time in the square of the
    // note's length (33 s in a debug build; a 3 MB note never finished).
    let brief = Brief::fixture("broken/clean");
    let paragraph = "The company said that its new model would ship next year, according to people familiar with the plans, who asked not to be named because the plans are private [@gazette, \"sold it in 2024\"].\n\n";
    let text = format!("---\ntitle: Long\n---\n{}", paragraph.repeat(2_000));
    brief.write("content/pages/long.md", text.as_bytes());
    assert!(
        check_finishes_within(&brief, std::time::Duration::from_secs(10)),
        "check took more than 10 s"
    );
}

#[test]
fn an_event_that_ends_before_it_starts_is_an_error() {
    // Roles are checked for this; events must be too: the timeline would read "2024 – May 2023".
    let brief = Brief::fixture("broken/clean");
    let event = brief
        .read("content/events/widget-works-sold.md")
        .replace("date: \"2024\"\n", "date: \"2024\"\nuntil: \"2023-05\"\n");
    let brief = brief.file("content/events/widget-works-sold.md", &event);
    let run = build_fails(&brief);
    // `until: "2023-05"` is line 4; its value starts at column 8.
    assert_contains!(run.stderr, "--> content/events/widget-works-sold.md:4:8");
    assert_contains!(run.stderr, "2023");
}

#[test]
fn a_cycle_of_parent_companies_is_an_error() {
    // `parent: alpha` on itself is refused already; a longer cycle is the same mistake.
    let brief = Brief::fixture("broken/clean")
        .file(
            "content/companies/alpha.md",
            "---\ntitle: Alpha\nparent: beta\n---\nAlpha is a unit of a larger group [@gazette, \"sold it\"].\n",
        )
        .file(
            "content/companies/beta.md",
            "---\ntitle: Beta\nparent: alpha\n---\nBeta is a unit of a larger group [@gazette, \"sold it\"].\n",
        );
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "content/companies/");
    assert_contains!(run.stderr, "parent");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_brief_in_static_is_refused_too() {
    let brief = Brief::fixture("broken/clean");
    let outside = brief.scratch("secret.txt");
    std::fs::write(&outside, "not for publication\n").expect("write the outside file");
    std::fs::create_dir_all(brief.root().join("static")).expect("create static/");
    std::os::unix::fs::symlink(&outside, brief.root().join("static/secret.txt"))
        .expect("make a symbolic link");
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "error: symbolic link leads out of the brief");
    assert_contains!(run.stderr, "static/secret.txt");
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_and_folders_out_of_the_brief_are_errors_not_hangs() {
    let brief = Brief::fixture("broken/clean");
    let people = brief.root().join("content/people");
    std::os::unix::fs::symlink("loop.md", people.join("loop.md")).expect("a link to itself");
    let elsewhere = brief.scratch("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("create a folder");
    std::fs::write(elsewhere.join("x.md"), "---\ntitle: X\n---\nOutside.\n").expect("write");
    std::os::unix::fs::symlink(&elsewhere, brief.root().join("content/pages"))
        .expect("a link to a folder outside");
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "content/people/loop.md");
    assert_contains!(run.stderr, "content/pages");
    assert_contains!(run.stderr, "2 errors");
}

#[cfg(unix)]
#[test]
fn file_names_that_are_not_slugs_are_errors_even_when_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let brief = Brief::fixture("broken/clean");
    let people = brief.root().join("content/people");
    let odd = people.join(std::ffi::OsStr::from_bytes(b"\xff\xfe.md"));
    std::fs::write(odd, "---\ntitle: Odd\n---\nText.\n").expect("write");
    std::fs::write(people.join("josé.md"), "---\ntitle: José\n---\nText.\n").expect("write");
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "help: rename the file to jose.md");
    assert_contains!(
        run.stderr,
        "help: rename the file with letters a-z and digits"
    );
    assert_contains!(run.stderr, "2 errors");
}

#[test]
fn a_reference_to_a_note_of_the_wrong_kind_is_an_error_at_its_value() {
    let brief = Brief::fixture("broken/clean");
    let event = brief.read("content/events/widget-works-sold.md").replace(
        "participants: [ann-lee, widget-works]",
        "participants: [ann-lee, gazette]",
    );
    let person = brief.read("content/people/ann-lee.md").replace(
        "title: Ann Lee\n",
        "title: Ann Lee\nroles:\n  - org: ann-lee\n    title: Self\n",
    );
    let brief = brief
        .file("content/events/widget-works-sold.md", &event)
        .file("content/people/ann-lee.md", &person);
    let run = build_fails(&brief);
    assert_diagnostic(
        &run,
        "error: the participant \"gazette\" is a source, not a person or company",
        "content/events/widget-works-sold.md:4:25",
    );
    assert_diagnostic(
        &run,
        "error: the organisation \"ann-lee\" is a person, not a company",
        "content/people/ann-lee.md:4:10",
    );
}

#[test]
fn a_value_of_the_wrong_shape_says_which_key_wants_what() {
    // `aliases: Ann` is a common slip for `aliases: [Ann]`. The position is right (3:10); the
    // message should name the key and the shape it wants, not only the parser's
    // "expected sequence start".
    let brief = Brief::fixture("broken/clean");
    let person = brief
        .read("content/people/ann-lee.md")
        .replace("title: Ann Lee\n", "title: Ann Lee\naliases: Ann\n");
    let brief = brief.file("content/people/ann-lee.md", &person);
    let run = build_fails(&brief);
    assert_contains!(run.stderr, "--> content/people/ann-lee.md:3:10");
    let problem = error_and_help_lines(&run);
    assert_contains!(problem, "aliases");
    assert_contains!(problem, "list");
}

/// Builds the clean brief with Ann Lee's front matter given one fact whose `cite:` is
/// `cite`, and returns the failed run's error and help lines.
fn fact_cite_fails(cite: &str) -> (Run, String) {
    let brief = Brief::fixture("broken/clean");
    let person = brief.read("content/people/ann-lee.md").replace(
        "title: Ann Lee\n",
        &format!(
            "title: Ann Lee\nfacts:\n  - label: Founded\n    value: \"2019\"\n    cite: {cite}\n"
        ),
    );
    let brief = brief.file("content/people/ann-lee.md", &person);
    let run = build_fails(&brief);
    let problem = error_and_help_lines(&run);
    (run, problem)
}

#[test]
fn a_citation_of_the_wrong_shape_is_reported_at_its_value_with_the_shapes_it_may_take() {
    // A number where a slug belongs: pointed at the number (line 6 of the file, after
    // `    cite: `), not at its key, and said in words rather than serde's "untagged enum".
    let (run, problem) = fact_cite_fails("2019");
    assert_diagnostic(
        &run,
        "error: not a citation (invalid type: integer `2019`)",
        "content/people/ann-lee.md:6:11",
    );
    assert_contains!(problem, "a citation is a source slug, a list of them");
    assert_not_contains!(problem, "untagged");
    // A wrong item inside a list is pointed at itself.
    let (run, _) = fact_cite_fails("[gazette, true]");
    assert_diagnostic(
        &run,
        "error: not a citation (invalid type: boolean `true`)",
        "content/people/ann-lee.md:6:21",
    );
    // A list inside the list is no citation either.
    let (run, _) = fact_cite_fails("[[gazette]]");
    assert_contains!(run.stderr, "not a citation (invalid type: sequence)");
}

#[test]
fn a_quoted_citation_names_its_own_missing_or_unknown_key() {
    let (run, problem) = fact_cite_fails("{source: gazette}");
    assert_contains!(run.stderr, "missing required key `quote`");
    assert_contains!(problem, "quote");
    // An unknown key in `{source, quote}` is suggested among those two, not among the
    // front matter's keys.
    let (run, problem) =
        fact_cite_fails("{source: gazette, qoute: \"founded Widget Works in 2019\"}");
    assert_diagnostic(
        &run,
        "error: unknown key `qoute` here",
        "content/people/ann-lee.md:6:29",
    );
    assert_contains!(problem, "did you mean `quote`?");
    assert_not_contains!(problem, "relies_on");
}

/// The `error:` and `help:` lines of a run's report, one per line.
fn error_and_help_lines(run: &Run) -> String {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.contains("help:"))
        .collect::<Vec<_>>()
        .join("\n")
}
