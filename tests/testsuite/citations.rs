//! The citation rules of SPEC §2, each on a brief written inline: how quotes match (case,
//! white space, curly and straight quotes, dashes, elisions), what fails and what warns, and
//! that the Markdown around a quote (line wrapping, emphasis characters) does not change it.

use crate::support::{Brief, main_of};
use crate::{assert_contains, assert_not_contains};

const SOURCE: &str = "---
title: The source
publisher: Pub
date: \"2025\"
---
He said: \u{201c}It\u{2019}s a deal \u{2014} the *best* one,\u{201d} and smiled. Revenue rose 5\u{2013}10 percent in 2024.

A second paragraph about the \u{201c}quoted words\u{201d} here.
";

/// A brief with the source above and one person whose body is `body`.
fn brief_with(body: &str) -> Brief {
    Brief::new().file("content/sources/s.md", SOURCE).file(
        "content/people/ann.md",
        &format!("---\ntitle: Ann\n---\n{body}"),
    )
}

#[test]
fn quotes_match_ignoring_case_spacing_quote_marks_and_dashes() {
    let brief = brief_with(
        "Curly inside straight [@s, \"the \u{201c}quoted words\u{201d} here\"]. \
         Straight inside curly [@s, \u{201c}It's a deal - the\u{201d}]. \
         Dashes [@s, \"rose 5-10 percent\"]. Case [@s, \"REVENUE ROSE\"]. \
         Spaces [@s, \"Revenue    rose\"]. Elision [@s, \"He said \u{2026} smiled\"], \
         [@s, \"He said ... and smiled\"].\n",
    );
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann/");
    // Seven quotes, six numbers: "REVENUE ROSE" and "Revenue    rose" are the same quote once
    // folded, so the second reuses the first's number.
    assert_contains!(main_of(&ann), "<li id=\"source-6\">");
    assert_not_contains!(main_of(&ann), "<li id=\"source-7\">");
    assert_contains!(main_of(&ann), "<a id=\"ref-4-2\"");
}

#[test]
fn elided_pieces_must_stand_in_one_paragraph() {
    let brief = brief_with("Across paragraphs [@s, \"and smiled ... second paragraph\"].\n");
    let run = brief.build();
    run.expect_code(1);
    assert_contains!(
        run.stderr,
        "error: quote not found in source \"The source\" (s)"
    );
    assert_contains!(run.stderr, "--> content/people/ann.md:4:25");
}

#[test]
fn a_quote_found_twice_is_a_warning_and_the_first_place_is_used() {
    let brief = brief_with("The word appears twice [@s, \"the\"].\n");
    let run = brief.build();
    run.expect_code(0);
    assert_contains!(
        run.stderr,
        "warning: this quote appears 2 times in \"The source\""
    );
    assert_contains!(run.stderr, "help: lengthen the quote");
    let ann = run.page("people/ann/");
    assert_contains!(main_of(&ann), "href=\"/sources/s/#m-p1-1\"");
}

#[test]
fn a_citation_in_a_code_span_is_not_a_citation() {
    let brief = brief_with(
        "Write citations like `[@nowhere, \"x\"]` in your notes [@s, \"Revenue rose\"].\n",
    );
    brief.build().expect_clean();
}

#[test]
fn a_quote_may_wrap_across_lines() {
    // Notes are often hard-wrapped: a quote that continues on the next line is one quote.
    let brief = brief_with("Revenue grew [@s, \"Revenue rose\n5-10 percent in 2024\"].\n");
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann/");
    assert_contains!(main_of(&ann), "<li id=\"source-1\">");
}

#[test]
fn a_passage_with_literal_asterisks_can_be_quoted_one_way_or_another() {
    // The source's text has literal asterisks ("the *best* one"). A quote cannot hold Markdown
    // formatting, and the help says to quote the plain words: one of the two spellings must
    // then be accepted, or that passage can never be cited.
    let with_marks = brief_with("He liked it [@s, \"the *best* one\"].\n").build();
    let plain = brief_with("He liked it [@s, \"the best one\"].\n").build();
    assert!(
        with_marks.code == 0 || plain.code == 0,
        "neither spelling is accepted:\n{}\n{}",
        with_marks.stderr,
        plain.stderr
    );
}

#[test]
fn the_link_to_the_original_uses_the_sources_own_characters() {
    // A text fragment (#:~:text=) is matched by the browser against the original page, which
    // does not fold dashes or apostrophes: it must quote the source as it is written, not the
    // quote as typed in the note.
    let brief = Brief::new()
        .file(
            "content/sources/s.md",
            "---\ntitle: The source\nurl: https://news.example/story\n---\nRevenue rose 5\u{2013}10 percent, and it\u{2019}s growing.\n",
        )
        .file(
            "content/people/ann.md",
            "---\ntitle: Ann\n---\nRevenue grew [@s, \"rose 5-10 percent\"] and grows [@s, \"it's growing\"].\n",
        );
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann/");
    let main = main_of(&ann);
    assert_contains!(
        main,
        "href=\"https://news.example/story#:~:text=rose%205%E2%80%9310%20percent\""
    );
    assert_contains!(
        main,
        "href=\"https://news.example/story#:~:text=it%E2%80%99s%20growing\""
    );
}

#[test]
fn a_citation_whose_quote_holds_markup_is_never_silently_dropped() {
    // The source's text has a literal `<b>` or backticks; the quote repeats them. The citation
    // must either be verified and numbered, or be an error. Shown as plain text, unchecked,
    // under a footer that says every quote was checked, it misleads the reader (and when the
    // paragraph cites something else too, nothing at all is reported).
    for (source, quote) in [
        (
            "A source with <b>tags</b> and more.",
            "with <b>tags</b> and",
        ),
        ("A source with `code` and more.", "with `code` and"),
    ] {
        let brief = Brief::new()
            .file("content/sources/t.md", &format!("---\ntitle: T\n---\n{source}\n"))
            .file(
                "content/pages/q.md",
                &format!("---\ntitle: Q\n---\nIt says so [@t, \"{quote}\"], and more [@t, \"A source\"].\n"),
            );
        let run = brief.build();
        if run.code == 0 {
            let page = run.page("pages/q/");
            assert_not_contains!(main_of(&page), "[@t");
            assert_eq!(
                main_of(&page).matches("<sup class=\"citation\">").count(),
                2,
                "{quote}"
            );
        } else {
            run.expect_code(1);
            assert_contains!(run.stderr, "content/pages/q.md:4:");
        }
    }
}

#[test]
fn composed_and_decomposed_accents_match_in_quotes_and_links() {
    // "è" is one character (U+00E8) or two (e + U+0300) depending on where the text was typed
    // or copied from; they look the same, so they must match the same.
    let composed = "In\u{e8}s M\u{fc}ller";
    let decomposed = "Ine\u{300}s Mu\u{308}ller";
    let brief = Brief::new()
        .file(
            "content/sources/s.md",
            &format!("---\ntitle: S\n---\nThe clocks were made by {composed} in Basel.\n"),
        )
        .file(
            "content/people/ines-muller.md",
            &format!("---\ntitle: {composed}\n---\nShe made clocks in Basel [@s, \"made by {decomposed}\"].\n"),
        )
        .file(
            "content/pages/p.md",
            &format!("---\ntitle: P\n---\nThe maker was [[{decomposed}]], the source says [@s, \"made by {composed}\"].\n"),
        );
    let run = brief.build();
    run.expect_clean();
    let page = run.page("pages/p/");
    assert_contains!(main_of(&page), "href=\"/people/ines-muller/\"");
}
