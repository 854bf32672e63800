//! Site-wide behaviour on briefs written inline: drafts, the timeline's order for partial
//! dates, raw HTML, the brief's own static files and template overrides, and origins.

use crate::support::{Brief, element_by_id, main_of};
use crate::{assert_contains, assert_not_contains};

const SOURCE: &str = "---
title: The source
publisher: Pub
date: \"2025\"
---
In 2025 things happened. In January 2025 a thing. In July 2025 another.
";

fn event(title: &str, date: &str, quote: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: \"{date}\"\ncite: {{source: s, quote: \"{quote}\"}}\n---\nIt happened then [@s, \"{quote}\"].\n"
    )
}

fn brief() -> Brief {
    Brief::new()
        .file("content/sources/s.md", SOURCE)
        // Written in an order that is neither by date nor by name.
        .file(
            "content/events/b-july.md",
            &event("Event in July", "2025-07", "In July 2025 another"),
        )
        .file(
            "content/events/c-year.md",
            &event("Event in the year", "2025", "In 2025 things happened"),
        )
        .file(
            "content/events/a-mid-january.md",
            &event("Event mid January", "2025-01-15", "In January 2025 a thing"),
        )
}

#[test]
fn timeline_puts_partial_dates_at_the_start_of_their_period() {
    let brief = brief();
    let run = brief.build();
    run.expect_clean();
    let timeline = run.page("timeline/");
    let main = main_of(&timeline);
    let year = main.find("Event in the year").expect("the year event");
    let january = main.find("Event mid January").expect("the January event");
    let july = main.find("Event in July").expect("the July event");
    assert!(
        year < january && january < july,
        "order: {year} {january} {july}"
    );
    assert_contains!(main, "<time datetime=\"2025-01-15\">15 January 2025</time>");
    assert_contains!(main, "<time datetime=\"2025-07\">July 2025</time>");
}

#[test]
fn drafts_are_left_out_unless_asked_and_a_link_to_one_says_why() {
    let brief = brief()
        .file(
            "content/people/ann.md",
            "---\ntitle: Ann\ndraft: true\n---\nAnn saw it [@s, \"a thing\"].\n",
        )
        .file(
            "content/people/bob.md",
            "---\ntitle: Bob\n---\nBob knows [[Ann]] well [@s, \"another\"].\n",
        );
    let run = brief.build();
    run.expect_code(1);
    assert_contains!(run.stderr, "error: unknown link target \"Ann\"");
    assert_contains!(run.stderr, "--> content/people/bob.md:4:11");
    assert_contains!(run.stderr, "help: \"ann\" is a draft; build with --drafts");
    let with_drafts = brief.build_with(&["--drafts"]);
    with_drafts.expect_clean();
    assert!(with_drafts.out.join("people/ann/index.html").is_file());
    // Without the link, the draft is simply not published.
    let brief = brief.file(
        "content/people/bob.md",
        "---\ntitle: Bob\n---\nBob knows Ann well [@s, \"another\"].\n",
    );
    let run = brief.build();
    run.expect_clean();
    assert!(!run.out.join("people/ann/index.html").exists());
    assert_not_contains!(run.file("casefile.json"), "\"ann\"");
    assert_not_contains!(run.file("sitemap.xml"), "/people/ann/");
}

#[test]
fn raw_html_is_escaped_unless_the_brief_allows_it() {
    let note = "---\ntitle: Bob\n---\nBob writes <b>bold</b> words [@s, \"another\"].\n";
    let first = brief().file("content/people/bob.md", note);
    let escaped = first.build();
    escaped.expect_clean();
    let bob = escaped.page("people/bob/");
    assert_contains!(main_of(&bob), "&lt;b&gt;bold&lt;/b&gt;");
    let second = brief()
        .file("content/people/bob.md", note)
        .file(
            "casefile.yaml",
            "title: Inline brief\nmarkdown:\n  raw_html: true\n",
        )
        .file(
            "content/sources/t.md",
            "---\ntitle: T\n---\nA source with <b>tags</b> and <script>alert(1)</script> in it.\n",
        )
        .file(
            "content/pages/q.md",
            "---\ntitle: Q\n---\nIt has tags in it, the source says [@t, \"A source with\"].\n",
        );
    let allowed = second.build();
    allowed.expect_clean();
    let bob = allowed.page("people/bob/");
    assert_contains!(main_of(&bob), "<b>bold</b>");
    // Source text is always escaped, raw_html or not (SPEC §1).
    let t = allowed.page("sources/t/");
    assert_contains!(main_of(&t), "&lt;b&gt;tags&lt;/b&gt;");
    assert_not_contains!(t, "<script>alert");
}

#[test]
fn the_briefs_static_files_are_copied_and_its_templates_override_the_theme() {
    let run = brief()
        .file("static/robots.txt", "User-agent: *\n")
        .file(
            "static/img/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )
        .file("templates/404.html", "Custom 404 of {{ site.title }}\n")
        .build();
    run.expect_clean();
    assert_eq!(run.file("robots.txt"), "User-agent: *\n");
    assert!(run.out.join("img/logo.svg").is_file());
    assert_eq!(run.file("404.html"), "Custom 404 of Inline brief\n");
}

#[test]
fn sources_that_rely_on_one_outlet_count_as_one_origin() {
    let brief = Brief::new()
        .file(
            "content/sources/wire.md",
            "---\ntitle: Wire story\npublisher: Wire\ndate: \"2025\"\n---\nThe deal was worth ten million dollars.\n",
        )
        .file(
            "content/sources/relay-a.md",
            "---\ntitle: Relay A\npublisher: A\ndate: \"2025\"\nrelies_on: [wire]\n---\nThe deal was worth ten million dollars, Wire reported.\n",
        )
        .file(
            "content/sources/relay-b.md",
            "---\ntitle: Relay B\npublisher: B\ndate: \"2025\"\nrelies_on: [Wire]\n---\nWire said the deal was worth ten million dollars.\n",
        )
        .file(
            "content/sources/own.md",
            "---\ntitle: Own reporting\npublisher: C\ndate: \"2025\"\n---\nOur reporters confirmed the deal, worth ten million dollars.\n",
        )
        .file(
            "content/pages/deal.md",
            "---\ntitle: Deal\n---\nThe deal was worth ten million dollars [@wire, \"ten million dollars\"; @relay-a, \"ten million dollars\"; @relay-b, \"ten million dollars\"].\n\nIt was confirmed independently as well [@relay-a, \"ten million dollars\"; @own, \"ten million dollars\"].\n",
        );
    let run = brief.build();
    run.expect_clean();
    let deal = run.page("pages/deal/");
    let main = main_of(&deal);
    assert_contains!(main, ">1 origin</span>");
    assert_contains!(main, ">2 origins</span>");
}

#[test]
fn a_heading_with_an_explicit_id_is_reached_by_its_text_and_by_its_id() {
    // `## Products and parts {#parts}`: the reader sees "Products and parts", the page has
    // id="parts". A link may name either; before, linking by the text failed with
    // `help: did you mean "Products and parts"?`, which is what it said.
    let brief = brief()
        .file(
            "content/companies/widget-works.md",
            "---\ntitle: Widget Works\n---\nIt made widgets [@s, \"a thing\"].\n\n## Products and parts {#parts}\n\nBrass parts for clocks, all of them [@s, \"another\"].\n\n## Über die Produkte\n\nMore parts for clocks and watches [@s, \"another\"].\n",
        )
        .file(
            "content/pages/links.md",
            "---\ntitle: Links\n---\nSee [[widget-works#parts]], [[Widget Works#Products and parts]], [[widget works#über die produkte]] [@s, \"a thing\"].\n",
        );
    let run = brief.build();
    run.expect_clean();
    let links = run.page("pages/links/");
    let main = main_of(&links);
    assert_eq!(
        main.matches("href=\"/companies/widget-works/#parts\"")
            .count(),
        2,
        "{main}"
    );
    assert_contains!(main, "href=\"/companies/widget-works/#über-die-produkte\"");
}

#[test]
fn a_base_url_with_markup_is_refused_or_escaped_everywhere() {
    // base_url goes into every href. One holding `">` must either be refused, or be escaped in
    // every attribute it lands in; it must never close an attribute and open a tag.
    let hostile = "/x\"><script>alert(1)</script>/";
    let by_flag = brief();
    let by_config = brief().file(
        "casefile.yaml",
        "title: Inline brief\nbase_url: '/x\"><script>alert(1)</script>/'\n",
    );
    for (how, run) in [
        ("casefile.yaml", by_config.build()),
        ("--base-url", by_flag.build_with(&["--base-url", hostile])),
    ] {
        crate::support::assert_no_panic(&run.stderr);
        if run.code != 0 {
            assert!(run.code == 1 || run.code == 2, "{how}: exit {}", run.code);
            assert_contains!(run.stderr, "base_url");
            continue;
        }
        for (path, bytes) in crate::support::snapshot(&run.out) {
            if path.ends_with(".html") || path.ends_with(".xml") {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    !text.contains("<script>alert"),
                    "{how}: {path} carries the base_url's markup unescaped"
                );
            }
        }
    }
}

#[test]
fn roles_are_current_or_former_and_an_open_role_reads_as_ongoing() {
    let brief = Brief::new()
        .file(
            "content/sources/s.md",
            "---\ntitle: Src\ndate: \"2025\"\n---\nAnn worked at Globex from 2020 until June 2025, then joined Acme.\n",
        )
        .file(
            "content/companies/globex.md",
            "---\ntitle: Globex\n---\nGlobex employed Ann for five years [@s, \"worked at Globex\"].\n",
        )
        .file(
            "content/companies/acme.md",
            "---\ntitle: Acme\n---\nAcme hired Ann in the summer of 2025 [@s, \"then joined Acme\"].\n",
        )
        .file(
            "content/people/ann.md",
            "---\ntitle: Ann\nroles:\n  - org: globex\n    title: Engineer\n    from: \"2020\"\n    until: \"2025-06\"\n    cite: {source: s, quote: \"from 2020 until June 2025\"}\n  - org: acme\n    title: Lead\n    from: \"2025-07\"\n    cite: {source: s, quote: \"then joined Acme\"}\n---\nAnn moved from one firm to the other in 2025 [@s, \"then joined Acme\"].\n",
        );
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann/");
    let main = main_of(&ann);
    let current = main
        .find("<tr class=\"role role-current\">")
        .expect("a current role");
    let former = main
        .find("<tr class=\"role role-former\">")
        .expect("a former role");
    assert!(current < former, "the current role comes first");
    assert_contains!(main, "<span class=\"dates\">2020 – June 2025</span>");
    // A role with no end date is ongoing: "July 2025" alone would read as one month.
    let row = &main[current..current + main[current..].find("</tr>").expect("row end")];
    let (_, dates) = row.split_once("<span class=\"dates\">").expect("dates");
    let dates = &dates[..dates.find("</span>").expect("end")];
    assert!(
        dates.contains('–') || dates.contains("since") || dates.contains("present"),
        "an ongoing role shows as {dates:?}"
    );
    let globex = run.page("companies/globex/");
    let (_, people) = element_by_id(main_of(&globex), "people").expect("People");
    assert_contains!(people, "<h3>Former</h3>");
    assert_not_contains!(people, "<h3>Current</h3>");
    let acme = run.page("companies/acme/");
    let (_, people) = element_by_id(main_of(&acme), "people").expect("People");
    assert_contains!(people, "<h3>Current</h3>");
}

#[test]
fn a_citation_inside_link_text_does_not_nest_links() {
    let brief = brief().file(
        "content/pages/p.md",
        "---\ntitle: P\n---\nSee [the report on it [@s, \"a thing\"]](https://example.org) for more of the story [@s, \"another\"].\n",
    );
    let run = brief.build();
    run.expect_clean();
    crate::soundness::links_do_not_nest(&run);
    // The citation is still there, numbered.
    let page = run.page("pages/p/");
    assert_contains!(main_of(&page), "<a id=\"ref-1-1\"");
}

#[test]
fn tags_in_any_script_get_a_page_of_their_own() {
    // A brief about Chinese sources may tag in Chinese; a tag made only of signs still needs
    // an address. Every tag link must lead to a page that lists the note.
    let brief = Brief::fixture("broken/clean");
    let person = brief.read("content/people/ann-lee.md").replace(
        "title: Ann Lee\n",
        "title: Ann Lee\ntags: [\"人工智能\", \"AI talent\", \"Ünïcode\"]\n",
    );
    let brief = brief.file("content/people/ann-lee.md", &person);
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann-lee/");
    let tags = crate::support::tags_with(main_of(&ann), "a", "class=\"tag\"");
    assert_eq!(tags.len(), 3, "{tags:?}");
    for tag in tags {
        let href = crate::support::attr(tag, "href").expect("a tag href");
        assert_ne!(href, "/tags//", "a tag without an address: {tag}");
        let page = run.page(href.trim_start_matches('/'));
        assert_contains!(main_of(&page), "href=\"/people/ann-lee/\"");
    }
}

#[test]
fn sources_differ_only_when_different_sources_give_different_values() {
    // SPEC §2: "Facts with the same label ... and different values from different sources".
    // Two values from one source are a list, not a disagreement; one value cited twice is one
    // value with two citations.
    let brief = Brief::fixture("broken/clean");
    let person = brief.read("content/people/ann-lee.md").replace(
        "summary: The founder of Widget Works.\n",
        "summary: The founder of Widget Works.\nfacts:\n  - label: Founded\n    value: \"2019\"\n    cite: {source: gazette, quote: \"founded Widget Works in 2019\"}\n  - label: Founded\n    value: \"2019\"\n    cite: {source: gazette, quote: \"Ann Lee founded Widget Works\"}\n  - label: Products\n    value: brass widgets\n    cite: {source: gazette, quote: \"small brass widgets\"}\n  - label: Products\n    value: clock parts\n    cite: {source: gazette, quote: \"for clocks and watches\"}\n",
    );
    let brief = brief.file("content/people/ann-lee.md", &person);
    let run = brief.build();
    run.expect_clean();
    let ann = run.page("people/ann-lee/");
    let main = main_of(&ann);
    assert!(
        element_by_id(main, "sources-differ").is_none(),
        "one source's two products shown as a disagreement"
    );
    let row_start = main
        .find("<th scope=\"row\">Founded</th>")
        .expect("the Founded row");
    let row = &main[row_start..row_start + main[row_start..].find("</tr>").expect("row end")];
    assert_eq!(
        row.matches("<span class=\"fact-value\">").count(),
        1,
        "the same value shown twice: {row}"
    );
    assert_eq!(row.matches("<sup class=\"citation\">").count(), 2, "{row}");
}

#[test]
fn an_empty_brief_builds_a_sound_site() {
    // `content/` with nothing in it (a brief just started) still gives a site whose links,
    // feed and sitemap are whole.
    let brief = Brief::new();
    let run = brief.build();
    run.expect_clean();
    assert!(run.out.join("index.html").is_file());
    crate::soundness::internal_links_lead_to_files_and_ids(&run, "/");
    crate::soundness::xml_is_well_formed(&run);
    crate::soundness::ids_are_unique(&run);
    crate::soundness::pages_have_their_landmarks(&run);
    crate::soundness::json_ld_parses(&run);
}

#[test]
fn a_footnote_referred_to_twice_gets_two_back_links_and_unique_ids() {
    let brief = brief().file(
        "content/pages/p.md",
        "---\ntitle: P\n---\nFirst use[^1] and a second use[^1] of one remark [@s, \"a thing\"].\n\n[^1]: The remark.\n",
    );
    let run = brief.build();
    run.expect_clean();
    crate::soundness::ids_are_unique(&run);
    let page = run.page("pages/p/");
    let (_, notes) = element_by_id(main_of(&page), "footnotes").expect("the notes");
    assert_eq!(notes.matches("class=\"backref\"").count(), 2, "{notes}");
}

#[test]
fn headings_never_take_the_ids_of_the_page_around_them() {
    // "## Sources" is a natural heading in a note, and `#sources` is the Sources list; the
    // skip link goes to `#main`. Headings get other ids, and links by their text still work.
    let brief = brief()
        .file(
            "content/pages/p.md",
            "---\ntitle: P\n---\nIntro text of the page [@s, \"a thing\"].\n\n## Main\n\nUnder main [@s, \"another\"].\n\n## Sources\n\nUnder sources [@s, \"another\"].\n\n## Timeline\n\n## Mentioned in\n\n## Footnotes\n\n## Ref 1 1\n\n## P1\n",
        )
        .file(
            "content/pages/q.md",
            "---\ntitle: Q\n---\nSee [[p#Sources]] and [[p#Main]] for more of the story [@s, \"a thing\"].\n",
        );
    let run = brief.build();
    run.expect_clean();
    crate::soundness::ids_are_unique(&run);
    crate::soundness::internal_links_lead_to_files_and_ids(&run, "/");
    let p = run.page("pages/p/");
    assert_contains!(p, "<h2 id=\"sources-1\">Sources</h2>");
    let q = run.page("pages/q/");
    assert_contains!(main_of(&q), "href=\"/pages/p/#sources-1\"");
    assert_contains!(main_of(&q), "href=\"/pages/p/#main-1\"");
}
