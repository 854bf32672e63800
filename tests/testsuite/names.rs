//! One name index: slugs, titles and aliases in any script, compared without case, each name
//! leading to one note; a name claimed twice is an error at the second claim.

use crate::assert_contains;
use crate::support::*;

const SOURCE: &str = "---\ntitle: A source\n---\nInès Müller met Li Wei in Paris in 2024.\n";

#[test]
fn names_in_any_script_resolve_without_case() {
    let run = Brief::new()
        .file("content/sources/s.md", SOURCE)
        .file(
            "content/people/ines-muller.md",
            "---\ntitle: Inès Müller\naliases: [ines muller]\n---\nShe met [[李伟]] [@s, \"Inès Müller met Li Wei\"].\n",
        )
        .file(
            "content/people/li-wei.md",
            "---\ntitle: 李伟\naliases: [Li Wei]\n---\nHe met [[INÈS MÜLLER]] and, in other words, [[ines muller|her]] [@s, \"met Li Wei in Paris\"].\n",
        )
        .build();
    run.expect_clean();
    let li = run.page("people/li-wei/");
    let main = main_of(&li);
    // Both spellings lead to her page; her page lists him under Mentioned in.
    assert!(
        main.matches("href=\"/people/ines-muller/\"").count() >= 2,
        "{main}"
    );
    let ines = run.page("people/ines-muller/");
    assert_contains!(main_of(&ines), "href=\"/people/li-wei/\"");
    let (_, mentioned) = element_by_id(main_of(&ines), "mentioned-in").expect("Mentioned in");
    assert_contains!(mentioned, "李伟");
}

#[test]
fn an_alias_claimed_by_two_notes_is_an_error_at_the_second() {
    let run = Brief::new()
        .file("content/sources/s.md", SOURCE)
        .file(
            "content/people/ines-muller.md",
            "---\ntitle: Inès Müller\naliases: [Dr Müller]\n---\nShe met Li Wei [@s, \"Inès Müller met Li Wei\"].\n",
        )
        .file(
            "content/people/li-wei.md",
            "---\ntitle: Li Wei\naliases: [dr müller]\n---\nHe met her [@s, \"met Li Wei in Paris\"].\n",
        )
        .build();
    run.expect_code(1);
    assert_no_panic(&run.stderr);
    assert_contains!(
        run.stderr,
        "error: the name \"dr müller\" already belongs to Inès Müller"
    );
    assert_contains!(run.stderr, "content/people/li-wei.md:3:11");
}

#[test]
fn an_unknown_name_suggests_the_closest_one() {
    let run = Brief::new()
        .file("content/sources/s.md", SOURCE)
        .file(
            "content/people/ines-muller.md",
            "---\ntitle: Inès Müller\n---\nShe met [[Li Wie]] [@s, \"Inès Müller met Li Wei\"].\n",
        )
        .file(
            "content/people/li-wei.md",
            "---\ntitle: Li Wei\n---\nHe met [[Inès Müller]] [@s, \"met Li Wei in Paris\"].\n",
        )
        .build();
    run.expect_code(1);
    assert_contains!(run.stderr, "error: unknown link target \"Li Wie\"");
    assert_contains!(run.stderr, "content/people/ines-muller.md:4:9");
    assert_contains!(run.stderr, "help: did you mean \"Li Wei\"?");
}
