//! The output folder's safety rules (SPEC §4): a failed build leaves the previous site as it
//! was, a folder casefile did not make is never replaced without `--force`.

use crate::assert_contains;
use crate::support::{Brief, snapshot};

#[test]
fn a_failed_build_leaves_the_previous_site_byte_for_byte() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let before = snapshot(brief.out());
    assert!(before.contains_key("people/ann-lee/index.html"));
    // Break the brief, build again into the same folder.
    let person = brief.read("content/people/ann-lee.md");
    let brief = brief.file(
        "content/people/ann-lee.md",
        &person.replace("[[Widget Works]]", "[[Widget Workz]]"),
    );
    let run = brief.build();
    run.expect_code(1);
    assert_eq!(snapshot(brief.out()), before, "the previous site changed");
}

#[test]
fn a_successful_rebuild_replaces_the_previous_site() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    std::fs::write(brief.out().join("stale.html"), "old").expect("write a stale file");
    let brief = with_edited_body(brief);
    brief.build().expect_clean();
    assert!(
        !brief.out().join("stale.html").exists(),
        "a stale file survived"
    );
    assert_contains!(
        std::fs::read_to_string(brief.out().join("people/ann-lee/index.html")).unwrap_or_default(),
        "an engineer"
    );
}

#[test]
fn a_rebuild_keeps_unchanged_files_as_they_were_and_rewrites_changed_ones() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    let modified = |rel: &str| modified(&out.join(rel));
    let unchanged_page = "404.html";
    let person_page = "people/ann-lee/index.html";
    let (unchanged_before, person_before) = (modified(unchanged_page), modified(person_page));
    std::thread::sleep(std::time::Duration::from_millis(50));
    // The person's body changes; the "not found" page does not show it.
    let brief = with_edited_body(brief);
    brief.build().expect_clean();
    assert_eq!(
        modified(unchanged_page),
        unchanged_before,
        "an unchanged page was written again"
    );
    assert_ne!(
        modified(person_page),
        person_before,
        "the changed page kept its old time"
    );
    assert_contains!(
        std::fs::read_to_string(out.join(person_page)).unwrap_or_default(),
        "an engineer"
    );
    // A brief's static file replacing a theme file of the same name, twice in a row: the
    // second build links the theme's unchanged bytes, then must replace them, not write
    // through the link into the previous site.
    let brief = brief.file("static/style.css", "body { color: red }\n");
    brief.build().expect_clean();
    brief.build().expect_clean();
    assert_eq!(
        std::fs::read_to_string(out.join("style.css")).unwrap_or_default(),
        "body { color: red }\n"
    );
}

#[test]
fn a_foreign_folder_is_refused_and_left_untouched() {
    let brief = Brief::fixture("broken/clean");
    let out = brief.out();
    std::fs::create_dir_all(out.join("photos")).expect("create a folder");
    std::fs::write(
        out.join("photos/holiday.jpg"),
        b"\xff\xd8 not really a jpeg",
    )
    .expect("write");
    std::fs::write(out.join("notes.txt"), "my own notes\n").expect("write");
    let before = snapshot(out);
    let run = brief.build();
    run.expect_code(2);
    assert_contains!(run.stderr, "refusing to replace");
    assert_contains!(run.stderr, "--force");
    assert_eq!(snapshot(out), before, "a foreign folder was changed");
}

#[test]
fn force_replaces_a_foreign_folder() {
    let brief = Brief::fixture("broken/clean");
    let out = brief.out();
    std::fs::create_dir_all(out).expect("create a folder");
    std::fs::write(out.join("notes.txt"), "my own notes\n").expect("write");
    brief.build_with(&["--force"]).expect_clean();
    assert!(!out.join("notes.txt").exists());
    assert!(out.join("people/ann-lee/index.html").is_file());
    assert!(out.join(".casefile-output").is_file());
}

#[test]
fn an_empty_folder_is_used_without_force() {
    let brief = Brief::fixture("broken/clean");
    std::fs::create_dir_all(brief.out()).expect("create a folder");
    brief.build().expect_clean();
    assert!(brief.out().join("index.html").is_file());
}

#[test]
fn the_default_output_is_public_inside_the_brief() {
    let brief = Brief::fixture("broken/clean");
    let root = brief.root().display().to_string();
    crate::support::casefile(&["build", "--root", &root]).expect_clean();
    assert!(
        brief
            .root()
            .join("public/people/ann-lee/index.html")
            .is_file()
    );
    // And the next build replaces it (it carries the marker).
    crate::support::casefile(&["build", "--root", &root]).expect_clean();
}

#[test]
fn the_brief_itself_is_never_an_output_folder_even_with_force() {
    let brief = Brief::fixture("broken/clean");
    let before = snapshot(brief.root());
    let parent = brief.root().parent().expect("a parent").to_path_buf();
    for dir in [
        brief.root().to_path_buf(),
        brief.root().join("content"),
        brief.root().join("content/people"),
        brief.root().join("static/site"),
        parent,
    ] {
        let run = brief.build_into(&dir, &["--force"]);
        run.expect_code(2);
        assert_contains!(run.stderr, "refusing to write the site into");
        assert_eq!(
            snapshot(brief.root()),
            before,
            "building into {} changed the brief",
            dir.display()
        );
    }
}

#[test]
fn a_broken_template_override_is_an_error_that_names_it_and_writes_nothing() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let before = snapshot(brief.out());
    for template in ["{% if %}broken\n", "{{ no_such_variable.field }}\n"] {
        let brief = Brief::fixture("broken/clean").file("templates/404.html", template);
        std::fs::create_dir_all(brief.out()).expect("create");
        crate::support::copy_dir(
            &before_dir(&before, &brief.scratch("previous")),
            brief.out(),
        );
        let run = brief.build();
        run.expect_code(2);
        assert_contains!(run.stderr, "404.html");
        assert_eq!(snapshot(brief.out()), before, "the previous site changed");
        // Pages are written into a staging folder as they render; a failure removes it.
        assert_no_staging_left(brief.out());
    }
}

/// Asserts that no staging (or moved-aside) folder of casefile's is left beside `out`.
#[track_caller]
fn assert_no_staging_left(out: &std::path::Path) {
    let parent = out.parent().expect("a parent");
    let leftovers: Vec<String> = std::fs::read_dir(parent)
        .expect("list the output's parent")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".casefile-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

/// Writes a snapshot back to a folder, to start a test from a previous site.
fn before_dir(
    files: &std::collections::BTreeMap<String, Vec<u8>>,
    dir: &std::path::Path,
) -> std::path::PathBuf {
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create");
        std::fs::write(target, bytes).expect("write");
    }
    dir.to_path_buf()
}

#[test]
fn casefile_json_is_streamed_kept_when_unchanged_and_rewritten_when_changed() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    let json = || std::fs::read_to_string(out.join("casefile.json")).expect("casefile.json");
    let modified = || modified(&out.join("casefile.json"));
    let (first, first_time) = (json(), modified());
    let parsed: serde_json::Value = serde_json::from_str(&first).expect("valid JSON");
    let slugs: Vec<&str> = parsed["notes"]
        .as_array()
        .expect("a list of notes")
        .iter()
        .filter_map(|n| n["slug"].as_str())
        .collect();
    assert!(slugs.contains(&"ann-lee"), "{slugs:?}");
    std::thread::sleep(std::time::Duration::from_millis(50));
    // A body edit does not change casefile.json: the previous file stays, time and all.
    let brief = with_edited_body(brief);
    brief.build().expect_clean();
    assert_eq!(json(), first);
    assert_eq!(
        modified(),
        first_time,
        "an unchanged casefile.json was written again"
    );
    // A new alias does: the streamed file holds it, with a new time.
    let person = brief.read("content/people/ann-lee.md");
    let brief = brief.file(
        "content/people/ann-lee.md",
        &person.replacen("title: Ann Lee", "title: Ann Lee\naliases: [A. Lee]", 1),
    );
    brief.build().expect_clean();
    assert_contains!(json(), "\"A. Lee\"");
    assert_ne!(
        modified(),
        first_time,
        "the changed casefile.json kept its old time"
    );
}

/// When the file at `path` was last written.
fn modified(path: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("a modification time")
}

/// The brief with one phrase of Ann Lee's body changed (her front matter stays as it was).
fn with_edited_body(brief: Brief) -> Brief {
    let person = brief.read("content/people/ann-lee.md");
    brief.file(
        "content/people/ann-lee.md",
        &person.replace("Ann Lee founded", "Ann Lee, an engineer, founded"),
    )
}

/// Writes `bytes` over the file at `path` in place (same inode) and sets its modification time
/// back to what it was.
fn overwrite_keeping_time(path: &std::path::Path, bytes: &[u8]) {
    use std::io::Write;
    let before = modified(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .expect("open a file to overwrite");
    file.write_all(bytes).expect("overwrite a file");
    file.set_modified(before).expect("set its time back");
}

/// The fragment files (search results' text) of a built site, by path.
fn fragments(out: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    snapshot(out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".pf_fragment"))
        .collect()
}

/// The bytes of fragments and of words files the build in `run` compressed, from the trace
/// `CASEFILE_TRACE_SEARCH` prints.
#[track_caller]
fn compressed(run: &crate::support::Run) -> (u64, u64) {
    let line = run
        .stderr
        .lines()
        .find_map(|line| line.split_once("compressed: ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no search trace in {}", run.stderr));
    let number = |after: &str| -> u64 {
        let rest = &line[line.find(after).expect("a count") + after.len()..];
        rest.split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number")
    };
    (number("fragments "), number("words files "))
}

#[test]
fn a_rebuild_reuses_the_index_files_of_unchanged_pages_and_makes_the_others() {
    let trace = [("CASEFILE_TRACE_SEARCH", "1")];
    let brief = Brief::fixture("broken/clean");
    let first = brief.build_with_env(&[], &trace);
    first.expect_clean();
    let (fragments_made, words_made) = compressed(&first);
    assert!(fragments_made > 0 && words_made > 0, "{}", first.stderr);
    let out = brief.out().to_path_buf();
    let before = fragments(&out);
    assert!(before.len() > 2, "{:?}", before.keys());
    assert_contains!(
        std::fs::read_to_string(out.join(".casefile-fragments")).unwrap_or_default(),
        "casefile fragments 2"
    );
    // Nothing changed: every fragment and words file is the previous build's, none is
    // compressed again.
    let again = brief.build_with_env(&[], &trace);
    again.expect_clean();
    assert_eq!(compressed(&again), (0, 0), "{}", again.stderr);
    // The edited page's fragment is new (and compressed); every other one is as before.
    let brief = with_edited_body(brief);
    let edited = brief.build_with_env(&[], &trace);
    edited.expect_clean();
    let after = fragments(&out);
    let new: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(after.len(), before.len());
    let (fragments_now, _) = compressed(&edited);
    assert!(
        fragments_now > 0 && fragments_now < fragments_made,
        "{}",
        edited.stderr
    );
}

#[test]
fn a_rebuild_over_a_previous_site_is_byte_for_byte_a_fresh_build() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    // A fragment the list names has gone (a user tidied the folder): it is made again.
    let out = brief.out().to_path_buf();
    let (gone, _) = fragments(&out).into_iter().next().expect("a fragment");
    std::fs::remove_file(out.join(&gone)).expect("remove a fragment");
    let brief = with_edited_body(brief);
    brief.build().expect_clean();
    assert!(out.join(&gone).is_file(), "{gone} was not made again");
    assert_same_as_fresh_build(&brief, &out, "fresh");
}

#[test]
fn fragments_are_not_reused_from_a_folder_casefile_did_not_make() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    let (marked, _) = fragments(&out).into_iter().next().expect("a fragment");
    std::fs::write(out.join(&marked), b"marked").expect("mark a fragment");
    // Without its marker, the folder is a stranger's, replaced only with --force, and
    // nothing of it is taken by name.
    std::fs::remove_file(out.join(".casefile-output")).expect("remove the marker");
    brief.build_with(&["--force"]).expect_clean();
    assert_ne!(
        std::fs::read(out.join(&marked)).ok().as_deref(),
        Some(&b"marked"[..])
    );
}

/// The brief with a second person, Bob Ray, who links to Ann Lee.
fn with_bob(brief: Brief) -> Brief {
    brief.file(
        "content/people/bob-ray.md",
        "---\ntitle: Bob Ray\nsummary: A colleague.\n---\nBob Ray read that [[Ann Lee]] started her firm in 2019 [@gazette, \"founded Widget Works in 2019\"].\n",
    )
}

/// Asserts that the site in `out` is, file for file and byte for byte, a fresh build of `brief`.
#[track_caller]
fn assert_same_as_fresh_build(brief: &Brief, out: &std::path::Path, name: &str) {
    let fresh = brief.scratch(name);
    brief.build_into(&fresh, &[]).expect_clean();
    let (rebuilt, fresh) = (snapshot(out), snapshot(&fresh));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &fresh {
        assert!(
            rebuilt[path] == *bytes,
            "{path} differs from a fresh build's"
        );
    }
}

#[cfg(unix)]
fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).expect("metadata").ino()
}

#[cfg(unix)]
#[test]
fn a_rebuild_updates_the_folder_in_place_and_deletes_the_pages_of_removed_notes() {
    let brief = with_bob(Brief::fixture("broken/clean"));
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    assert!(out.join("people/bob-ray/index.html").is_file());
    let list = std::fs::read_to_string(out.join(casefile::output::manifest::MANIFEST))
        .expect("the list of what the build left");
    assert_contains!(list, " people/bob-ray/index.html\n");
    let (folder, unchanged) = (inode(&out), inode(&out.join("404.html")));
    std::fs::remove_file(brief.root().join("content/people/bob-ray.md")).expect("remove Bob");
    brief.build().expect_clean();
    // The same folder, updated: not a new one swapped in.
    assert_eq!(inode(&out), folder, "the folder was replaced, not updated");
    assert_eq!(inode(&out.join("404.html")), unchanged);
    assert!(
        !out.join("people/bob-ray").exists(),
        "a removed note's page folder stayed"
    );
    assert_no_staging_left(&out);
    assert_same_as_fresh_build(&brief, &out, "fresh");
}

#[test]
fn what_someone_changed_in_the_output_is_undone_by_the_next_build() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    // Edited in place, replaced, added beside a page, added as a folder, deleted.
    let page = out.join("people/ann-lee/index.html");
    let mut edited = std::fs::read(&page).expect("a page");
    edited.extend_from_slice(b"<!-- edited -->");
    std::fs::write(&page, edited).expect("edit a page");
    std::fs::write(out.join("404.html.new"), "x").expect("write");
    std::fs::rename(out.join("404.html.new"), out.join("404.html")).expect("replace a page");
    std::fs::write(out.join("people/ann-lee/notes.txt"), "mine").expect("add a file");
    std::fs::create_dir_all(out.join("people/someone/deeper")).expect("add a folder");
    std::fs::write(out.join("people/someone/deeper/x.html"), "x").expect("add a file");
    std::fs::remove_file(out.join("feed.xml")).expect("delete a file");
    brief.build().expect_clean();
    assert!(!out.join("people/ann-lee/notes.txt").exists());
    assert!(!out.join("people/someone").exists());
    assert_same_as_fresh_build(&brief, &out, "fresh");
}

#[test]
fn an_update_stopped_half_way_makes_the_next_build_replace_the_folder_whole() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    // As if a build had been killed while moving files in: a page is half-written, and its
    // size, time and inode were kept (the list cannot see it); the flag file is still there.
    let page = out.join("people/ann-lee/index.html");
    let bytes = std::fs::read(&page).expect("a page");
    overwrite_keeping_time(&page, &vec![b'?'; bytes.len()]);
    std::fs::write(out.join(casefile::output::manifest::COMMITTING), "").expect("flag");
    brief.build().expect_clean();
    assert!(!out.join(casefile::output::manifest::COMMITTING).exists());
    assert_eq!(std::fs::read(&page).expect("the page"), bytes);
    assert_same_as_fresh_build(&brief, &out, "fresh");
}

#[test]
fn a_damaged_list_makes_the_next_build_replace_the_folder_whole() {
    let brief = Brief::fixture("broken/clean");
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    std::fs::write(
        out.join(casefile::output::manifest::MANIFEST),
        "casefile manifest 1\nf x\n",
    )
    .expect("damage the list");
    std::fs::write(out.join("people/ann-lee/notes.txt"), "mine").expect("add a file");
    brief.build().expect_clean();
    assert!(!out.join("people/ann-lee/notes.txt").exists());
    assert!(
        out.join(casefile::output::manifest::MANIFEST).is_file(),
        "no new list"
    );
    assert_same_as_fresh_build(&brief, &out, "fresh");
}

/// How many drawings the build in `run` took from the previous build's layouts and how many
/// it laid out, from the trace `CASEFILE_TRACE` prints.
#[track_caller]
fn layouts(run: &crate::support::Run) -> (u64, u64) {
    traced_pair(run, "render: layouts ")
}

#[test]
fn a_rebuild_reuses_the_layouts_of_unchanged_drawings_and_lays_out_the_others() {
    let trace = [("CASEFILE_TRACE", "1")];
    let brief = Brief::fixture("broken/clean");
    let first = brief.build_with_env(&[], &trace);
    first.expect_clean();
    let (reused, made) = layouts(&first);
    assert!(reused == 0 && made > 2, "{reused} reused, {made} made");
    let again = brief.build_with_env(&[], &trace);
    again.expect_clean();
    assert_eq!(layouts(&again), (made, 0));
    // Bob links to Ann: the drawings that show Ann change, the others do not.
    let brief = with_bob(brief);
    let third = brief.build_with_env(&[], &trace);
    third.expect_clean();
    let (reused, made) = layouts(&third);
    assert!(reused > 0 && made > 0, "{reused} reused, {made} made");
    // A drawing from the memo is the drawing a build without it makes.
    assert_same_as_fresh_build(&brief, brief.out(), "fresh");
}

/// Two numbers that follow `label` in the trace `CASEFILE_TRACE` prints for the build in
/// `run`.
#[track_caller]
fn traced_pair(run: &crate::support::Run, label: &str) -> (u64, u64) {
    let line = run
        .stderr
        .lines()
        .find_map(|line| line.split_once(label).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no {label:?} in the trace: {}", run.stderr));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// `brief` with a note of two code blocks, the second's code being `second`.
fn with_code(brief: Brief, second: &str) -> Brief {
    brief.file(
        "content/people/cody-fenn.md",
        &format!(
            "---\ntitle: Cody Fenn\nsummary: A programmer.\n---\nCody writes:\n\n\
             ```rust\nfn main() {{\n    println!(\"hi\");\n}}\n```\n\n\
             ```python\n{second}\n```\n"
        ),
    )
}

#[test]
fn a_rebuild_reuses_highlighted_code_blocks_and_highlights_only_changed_ones() {
    let trace = [("CASEFILE_TRACE", "1")];
    let blocks = "render: code blocks ";
    let brief = with_code(Brief::fixture("broken/clean"), "print('one')");
    let first = brief.build_with_env(&[], &trace);
    first.expect_clean();
    assert_eq!(traced_pair(&first, blocks), (0, 2));
    let page = std::fs::read_to_string(brief.out().join("people/cody-fenn/index.html"))
        .expect("Cody's page");
    assert!(
        page.contains("<span class=\"hl-"),
        "not highlighted: {page}"
    );
    let again = brief.build_with_env(&[], &trace);
    again.expect_clean();
    assert_eq!(traced_pair(&again, blocks), (2, 0));
    // One block edited: only it is highlighted again, and the page shows the edit.
    let brief = with_code(brief, "print('two')");
    let third = brief.build_with_env(&[], &trace);
    third.expect_clean();
    assert_eq!(traced_pair(&third, blocks), (1, 1));
    let page = std::fs::read_to_string(brief.out().join("people/cody-fenn/index.html"))
        .expect("Cody's page");
    assert!(page.contains("two"), "the edit is missing: {page}");
    // A block from the memo is the block a build without it makes, and the memo keeps only
    // the blocks this build used (as a fresh build's does).
    assert_same_as_fresh_build(&brief, brief.out(), "fresh");
    // A damaged memo is ignored, not trusted.
    std::fs::write(
        brief.out().join(casefile::markdown::highlight_memo::FILE),
        "casefile highlights 1 0\n",
    )
    .expect("damage the memo");
    let fourth = brief.build_with_env(&[], &trace);
    fourth.expect_clean();
    assert_eq!(traced_pair(&fourth, blocks), (0, 2));
    assert_same_as_fresh_build(&brief, brief.out(), "fresh-again");
}

#[test]
fn a_file_added_by_hand_is_found_after_any_number_of_rebuilds() {
    let brief = with_bob(Brief::fixture("broken/clean"));
    brief.build().expect_clean();
    let out = brief.out().to_path_buf();
    // A rebuild with nothing to do keeps the folders' stamps it found; one that deletes a
    // page folder changes its parent's. Either way, what is added afterwards is seen.
    brief.build().expect_clean();
    std::fs::write(out.join("people/ann-lee/notes.txt"), "mine").expect("add a file");
    brief.build().expect_clean();
    assert!(!out.join("people/ann-lee/notes.txt").exists());
    std::fs::remove_file(brief.root().join("content/people/bob-ray.md")).expect("remove Bob");
    brief.build().expect_clean();
    std::fs::write(out.join("people/notes.txt"), "mine").expect("add a file");
    std::fs::write(out.join("people/ann-lee/notes.txt"), "mine").expect("add a file");
    brief.build().expect_clean();
    assert!(!out.join("people/notes.txt").exists());
    assert!(!out.join("people/ann-lee/notes.txt").exists());
    assert_same_as_fresh_build(&brief, &out, "fresh");
}
