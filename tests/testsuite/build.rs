//! A good brief, `tests/fixtures/good/basic`, built end to end: the pages and hooks of
//! `docs/conventions.md`, citations that lead to the exact passage and back, the data files,
//! determinism and sub-path hosting. One build is shared by the read-only tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use crate::soundness::{self, citation_anchors, html_pages};
use crate::support::{
    Brief, Run, attr, attr_values, element_by_id, json_ld_blocks, main_of, snapshot, tags_with,
    text_of,
};
use crate::{assert_contains, assert_not_contains};

/// The basic fixture built once, into `target/tmp`, for the tests that only read it. The
/// folder is named by process, so two test runs at once do not share it; folders left by
/// earlier runs are removed once they are an hour old.
fn basic() -> &'static Run {
    static BUILT: OnceLock<Run> = OnceLock::new();
    BUILT.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("testsuite-basic")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tmp.join(format!("testsuite-basic-{}", std::process::id()));
        let brief = Brief::fixture_at("good/basic", &dir);
        let run = brief.build();
        run.expect_clean();
        run
    })
}

#[test]
fn basic_brief_builds_cleanly_with_pretty_urls() {
    let run = basic();
    assert_contains!(run.stderr, "built 8 notes");
    for page in [
        "index.html",
        "people/index.html",
        "people/ann-smith/index.html",
        "people/bob-jones/index.html",
        "companies/acme/index.html",
        "events/ann-joins-acme/index.html",
        "sources/daily-2025-07-07/index.html",
        "sources/weekly-2025-07/index.html",
        "pages/method/index.html",
        "timeline/index.html",
        "graph/index.html",
        "tags/researchers/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "casefile.json",
        ".casefile-output",
    ] {
        assert!(run.out.join(page).is_file(), "missing {page}");
    }
    assert!(!run.out.join("people/ann-smith.html").exists());
}

#[test]
fn infobox_shows_roles_with_dates_at_their_precision() {
    let ann = basic().page("people/ann-smith/");
    let main = main_of(&ann);
    let start = main.find("<aside class=\"infobox\"").expect("an infobox");
    let infobox = &main[start..start + main[start..].find("</aside>").expect("its end")];
    assert_contains!(infobox, "<tr class=\"role role-current\">");
    assert_contains!(infobox, ">Acme</a></th><td>Researcher");
    assert_contains!(infobox, "<span class=\"dates\">since July 2025</span>");
    assert_not_contains!(infobox, "2025-07-01");
    let bob = basic().page("people/bob-jones/");
    // Bob's role names the company by its alias, "Acme Corp": it still links to Acme.
    assert_contains!(main_of(&bob), "href=\"/companies/acme/\"");
    assert_contains!(
        main_of(&bob),
        "Chief executive <span class=\"dates\">since 2020"
    );
    let event = basic().page("events/ann-joins-acme/");
    assert_contains!(main_of(&event), "July 2025");
}

#[test]
fn cross_links_resolve_by_slug_title_alias_heading_and_markdown_path() {
    let ann = basic().page("people/ann-smith/");
    let body = main_of(&ann);
    let links = tags_with(body, "a", "class=\"wikilink\"");
    let hrefs: BTreeSet<&str> = links.iter().filter_map(|t| attr(t, "href")).collect();
    // [[Acme|the company]]: a label, resolved by slug.
    assert_contains!(body, "data-kind=\"company\" data-title=\"Acme\"");
    assert!(body.contains(">the company</a>"), "the label is shown");
    // [[ann-joins-acme#Background]]: a heading of another note.
    assert!(
        hrefs.contains("/events/ann-joins-acme/#background"),
        "{hrefs:?}"
    );
    // [Bob Jones](../people/bob-jones.md): an ordinary Markdown link to a note's file.
    assert!(hrefs.contains("/people/bob-jones/"), "{hrefs:?}");
    assert_not_contains!(body, "bob-jones.md");
    // The heading the link points to exists on the event page.
    let event = basic().page("events/ann-joins-acme/");
    assert_contains!(main_of(&event), "<h2 id=\"background\">Background</h2>");
    // Links by title ([[Ann Smith]]) and by slug in lower case ([[acme]]).
    let bob = basic().page("people/bob-jones/");
    assert_contains!(
        main_of(&bob),
        "href=\"/companies/acme/\" data-kind=\"company\""
    );
    assert_contains!(
        main_of(&bob),
        "href=\"/people/ann-smith/\" data-kind=\"person\""
    );
}

#[test]
fn citations_are_numbered_by_first_appearance_and_reuse_their_number() {
    let ann = basic().page("people/ann-smith/");
    let anchors = citation_anchors(main_of(&ann));
    let numbers: Vec<usize> = anchors
        .iter()
        .map(|a| {
            attr(a, "data-note")
                .and_then(|n| n.parse().ok())
                .expect("a data-note number")
        })
        .collect();
    let mut first_seen = Vec::new();
    for n in &numbers {
        if !first_seen.contains(n) {
            first_seen.push(*n);
        }
    }
    assert_eq!(
        first_seen,
        vec![1, 2, 3, 4, 5],
        "numbers in order: {numbers:?}"
    );
    // Source 1 with the quote "joined Acme Corp in July 2025" is cited three times (role,
    // first paragraph, last paragraph): one number, three places.
    let ones: Vec<&str> = anchors
        .iter()
        .filter(|a| attr(a, "data-note") == Some("1"))
        .filter_map(|a| attr(a, "id"))
        .collect();
    let distinct: BTreeSet<&str> = ones.iter().copied().collect();
    assert_eq!(
        distinct,
        BTreeSet::from(["ref-1-1", "ref-1-2", "ref-1-3"]),
        "{ones:?}"
    );
    // The same source with another quote (or none) gets a number of its own.
    let to_weekly: BTreeSet<&str> = anchors
        .iter()
        .filter(|a| attr(a, "href").is_some_and(|h| h.starts_with("/sources/weekly-2025-07/")))
        .filter_map(|a| attr(a, "data-note"))
        .collect();
    assert_eq!(to_weekly, BTreeSet::from(["3", "4"]));
    // A multi-source citation is one superscript per source, side by side.
    assert_contains!(
        main_of(&ann),
        "aria-label=\"Source 2\">2</a></sup><sup class=\"citation\"><a id=\"ref-3-2\""
    );
}

#[test]
fn sources_list_gives_each_number_with_back_links_to_every_place() {
    let ann = basic().page("people/ann-smith/");
    let main = main_of(&ann);
    let (tag, list) = element_by_id(main, "sources").expect("a Sources section");
    assert_eq!(tag, "section");
    for n in 1..=5 {
        let (tag, item) = element_by_id(list, &format!("source-{n}")).expect("a list item");
        assert_eq!(tag, "li");
        let backrefs: Vec<&str> = tags_with(item, "a", "class=\"backref\"")
            .iter()
            .filter_map(|t| attr(t, "href"))
            .collect();
        assert!(!backrefs.is_empty(), "source-{n} has no back-link");
        for href in backrefs {
            let id = href.strip_prefix('#').expect("a fragment");
            assert!(
                id.starts_with(&format!("ref-{n}-")),
                "source-{n} links back to {id}"
            );
            assert!(
                main.contains(&format!(" id=\"{id}\"")),
                "no {id} on the page"
            );
        }
    }
    let (_, first) = element_by_id(list, "source-1").expect("source-1");
    for k in 1..=3 {
        assert_contains!(first, format!("href=\"#ref-1-{k}\""));
    }
    assert_contains!(
        first,
        "<q class=\"quote\">joined Acme Corp in July 2025</q>"
    );
    assert_contains!(first, "<span class=\"publisher\">The Daily</span>");
    assert_contains!(first, "7 July 2025");
    assert_contains!(
        first,
        "href=\"https://daily.example/ann-smith#:~:text=joined%20Acme%20Corp%20in%20July%202025\""
    );
    // The weekly has no url: no original link.
    let (_, third) = element_by_id(list, "source-3").expect("source-3");
    assert_not_contains!(third, "class=\"original\"");
}

#[test]
fn every_citation_leads_to_a_mark_that_holds_its_quote() {
    let checked = soundness::citations_lead_to_marks_holding_their_quotes(basic());
    assert!(checked >= 15, "only {checked} citations checked");
}

#[test]
fn marks_on_source_pages_link_back_to_places_that_exist() {
    let checked = soundness::marks_link_back_to_citations_that_exist(basic(), "/");
    assert!(checked >= 8, "only {checked} back-links checked");
}

#[test]
fn sources_differ_shows_both_values_with_their_citations() {
    let ann = basic().page("people/ann-smith/");
    let (tag, differ) = element_by_id(main_of(&ann), "sources-differ").expect("Sources differ");
    assert_eq!(tag, "section");
    assert_contains!(differ, "<h3>Compensation offered by Acme</h3>");
    assert_contains!(
        differ,
        "<span class=\"differ-value\">tens of millions of dollars a year</span>"
    );
    assert_contains!(
        differ,
        "<span class=\"differ-value\">about 100 million dollars</span>"
    );
    assert_eq!(citation_anchors(differ).len(), 2);
    // A note whose facts agree has no such section.
    let bob = basic().page("people/bob-jones/");
    assert!(element_by_id(main_of(&bob), "sources-differ").is_none());
}

#[test]
fn company_page_lists_its_people_with_roles() {
    let acme = basic().page("companies/acme/");
    let (_, people) = element_by_id(main_of(&acme), "people").expect("a People section");
    let text = text_of(people);
    assert_contains!(text, "Ann Smith, Researcher (since July 2025)");
    assert_contains!(text, "Bob Jones, Chief executive (since 2020)");
    assert_contains!(people, "href=\"/people/ann-smith/\"");
}

#[test]
fn events_appear_on_their_participants_timelines() {
    for page in ["people/ann-smith/", "companies/acme/"] {
        let html = basic().page(page);
        let (_, timeline) = element_by_id(main_of(&html), "timeline").expect("a Timeline");
        assert_contains!(timeline, "<time datetime=\"2025-07\">July 2025</time>");
        assert_contains!(timeline, "href=\"/events/ann-joins-acme/\"");
    }
    // Bob takes part in no event.
    let bob = basic().page("people/bob-jones/");
    assert!(element_by_id(main_of(&bob), "timeline").is_none());
    let timeline = basic().page("timeline/");
    assert_contains!(main_of(&timeline), "Ann Smith joins Acme");
}

#[test]
fn mentioned_in_shows_the_sentence_around_the_link() {
    let bob = basic().page("people/bob-jones/");
    let (_, mentioned) = element_by_id(main_of(&bob), "mentioned-in").expect("Mentioned in");
    // Ann's note links to Bob with a Markdown link to his file.
    assert_contains!(mentioned, "href=\"/people/ann-smith/\"");
    let text = text_of(mentioned);
    assert_contains!(text, "She works for Bob Jones, who welcomed her");
    assert_contains!(
        mentioned,
        "<a class=\"wikilink\" href=\"/people/bob-jones/\""
    );
    // The citation marker is not part of the sentence.
    assert_not_contains!(text, "@daily");
}

#[test]
fn backlink_context_drops_citations_without_leaving_a_gap() {
    let bob = basic().page("people/bob-jones/");
    let (_, mentioned) = element_by_id(main_of(&bob), "mentioned-in").expect("Mentioned in");
    let text = text_of(mentioned);
    assert_not_contains!(text, " .");
    assert_not_contains!(text, " ,");
}

#[test]
fn code_is_highlighted_with_classes_and_no_inline_style() {
    let ann = basic().page("people/ann-smith/");
    let main = main_of(&ann);
    let start = main.find("<pre").expect("a code block");
    let block = &main[start..start + main[start..].find("</pre>").expect("its end")];
    assert_contains!(block, "data-lang=\"rust\"");
    assert_contains!(block, "<span class=\"hl-");
    assert_not_contains!(main, "style=\"");
    assert!(basic().out.join("highlight.css").is_file());
}

#[test]
fn author_footnotes_have_their_own_list() {
    let ann = basic().page("people/ann-smith/");
    let main = main_of(&ann);
    let (tag, notes) = element_by_id(main, "footnotes").expect("a footnotes section");
    assert_eq!(tag, "section");
    assert_contains!(notes, "type=\"a\"");
    assert_contains!(
        text_of(notes),
        "The sources do not say when the offer was first made."
    );
    let (_, item) = element_by_id(notes, "fn-1").expect("the note's item");
    assert_contains!(item, "href=\"#fnref-1\"");
    assert_contains!(main, "<a href=\"#fn-1\" id=\"fnref-1\"");
    // Lettered, so it is never confused with source number 1.
    assert_contains!(main, "aria-label=\"Note a\">a</a>");
    // Not a source: the Sources list has exactly the five cited sources.
    let (_, sources) = element_by_id(main, "sources").expect("Sources");
    assert_eq!(sources.matches("<li id=\"source-").count(), 5);
}

#[test]
fn tables_render_as_tables() {
    let ann = basic().page("people/ann-smith/");
    let main = main_of(&ann);
    assert_contains!(main, "<th>Year</th><th>Employer</th>");
    assert_contains!(main, "<td>2020</td><td>Globex</td>");
}

#[test]
fn casefile_json_holds_notes_and_citations() {
    let json: serde_json::Value =
        serde_json::from_str(&basic().file("casefile.json")).expect("casefile.json parses");
    let notes = json["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 8);
    let slugs: BTreeSet<&str> = notes.iter().filter_map(|n| n["slug"].as_str()).collect();
    for slug in ["ann-smith", "bob-jones", "acme", "ann-joins-acme", "method"] {
        assert!(slugs.contains(slug), "no {slug} in {slugs:?}");
    }
    let citations = json["citations"].as_array().expect("citations");
    assert!(citations.len() >= 10, "{} citations", citations.len());
    let text = json.to_string();
    assert_contains!(text, "tens of millions of dollars annually");
    // Every quoted citation names its paragraph and mark, and the source page has that mark.
    for citation in citations {
        let Some(quote) = citation["quote"].as_str() else {
            continue;
        };
        let source = citation["source"].as_str().expect("a source slug");
        let mark = citation["mark"].as_str().expect("a mark id");
        let paragraph = citation["paragraph"].as_str().expect("a paragraph id");
        assert!(mark.starts_with(&format!("m-{paragraph}-")), "{citation}");
        let page = basic().page(&format!("sources/{source}/"));
        let (tag, inner) = element_by_id(main_of(&page), mark)
            .unwrap_or_else(|| panic!("no #{mark} on {source} for {quote:?}"));
        assert_eq!(tag, "mark");
        let _ = inner;
    }
    // Relations: Ann's note links to Acme, and Acme lists Ann among its backlinks.
    let acme = notes.iter().find(|n| n["slug"] == "acme").expect("acme");
    let backlinks = acme["backlinks"].to_string();
    assert_contains!(backlinks, "ann-smith");
}

#[test]
fn feed_sitemap_and_graphs_are_well_formed_xml() {
    let run = basic();
    let svgs = soundness::xml_is_well_formed(run);
    assert!(svgs >= 5, "only {svgs} graphs");
    assert_contains!(
        run.file("feed.xml"),
        "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    );
    assert_contains!(run.file("sitemap.xml"), "people/ann-smith/</loc>");
    let graph = run.page("graph/");
    assert_contains!(main_of(&graph), "<svg");
}

#[test]
fn every_page_carries_json_ld_that_parses() {
    let run = basic();
    assert!(soundness::json_ld_parses(run) >= 8);
    for (page, kind) in [
        ("people/ann-smith/", "Person"),
        ("companies/acme/", "Organization"),
        ("events/ann-joins-acme/", "Event"),
        ("sources/daily-2025-07-07/", "NewsArticle"),
    ] {
        let html = run.page(page);
        let blocks = json_ld_blocks(&html);
        assert!(!blocks.is_empty(), "{page} has no JSON-LD");
        let value: serde_json::Value = serde_json::from_str(blocks[0]).expect("parses");
        assert_eq!(value["@type"], kind, "{page}");
    }
}

#[test]
fn ids_are_unique_on_every_page() {
    soundness::ids_are_unique(basic());
}

#[test]
fn internal_links_lead_to_pages_and_ids_that_exist() {
    let checked = soundness::internal_links_lead_to_files_and_ids(basic(), "/");
    assert!(checked > 100, "only {checked} links");
}

#[test]
fn building_twice_gives_byte_identical_output() {
    let first = Brief::fixture("good/basic");
    let second = Brief::fixture("good/basic");
    first.build().expect_clean();
    second.build().expect_clean();
    let a = snapshot(first.out());
    let b = snapshot(second.out());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two builds");
    }
    // And the output does not depend on where the brief lives.
    let root = first.root().display().to_string();
    for (path, bytes) in &a {
        assert!(
            !String::from_utf8_lossy(bytes).contains(&root),
            "{path} contains the brief's path"
        );
    }
}

/// Every internal `href`/`src` of every page starts with `prefix`.
fn assert_links_under(run: &Run, prefix: &str) {
    let mut checked = 0;
    for (path, html) in html_pages(run) {
        for href in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if href.starts_with("http") || href.starts_with('#') || href.starts_with("mailto:") {
                continue;
            }
            assert!(
                href.starts_with(prefix),
                "{path}: {href} is not under {prefix}"
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} links");
}

#[test]
fn base_url_in_the_config_prefixes_every_internal_link() {
    let brief = Brief::fixture("good/basic");
    let config = brief
        .read("casefile.yaml")
        .replace("base_url: /", "base_url: https://x.org/brief/");
    let brief = brief.file("casefile.yaml", &config);
    let run = brief.build();
    run.expect_clean();
    assert_links_under(&run, "/brief/");
    assert_contains!(
        run.file("sitemap.xml"),
        "<loc>https://x.org/brief/people/ann-smith/</loc>"
    );
    for href in attr_values(&run.file("feed.xml"), "href") {
        assert!(href.starts_with("https://x.org/brief/"), "feed: {href}");
    }
    let data: serde_json::Value =
        serde_json::from_str(&run.file("casefile.json")).expect("casefile.json");
    for note in data["notes"].as_array().expect("notes") {
        let url = note["url"].as_str().expect("a url");
        assert!(url.starts_with("/brief/"), "casefile.json: {url}");
    }
}

#[test]
fn base_url_flag_prefixes_every_internal_link() {
    let brief = Brief::fixture("good/basic");
    let run = brief.build_with(&["--base-url", "https://x.org/brief"]);
    run.expect_clean();
    assert_links_under(&run, "/brief/");
    // And they lead somewhere once the site is served from /brief/.
    soundness::internal_links_lead_to_files_and_ids(&run, "/brief/");
    soundness::marks_link_back_to_citations_that_exist(&run, "/brief/");
    assert!(soundness::citations_lead_to_marks_holding_their_quotes(&run) >= 15);
}

#[test]
fn source_page_shows_paragraphs_mentions_and_who_cites_it() {
    let daily = basic().page("sources/daily-2025-07-07/");
    let main = main_of(&daily);
    for p in ["p1", "p2", "p3"] {
        let (tag, _) = element_by_id(main, p).unwrap_or_else(|| panic!("no paragraph {p}"));
        assert_eq!(tag, "p");
    }
    assert!(element_by_id(main, "p4").is_none(), "three paragraphs only");
    // The source text is verbatim: the line break inside paragraph 2 is kept.
    let (_, second) = element_by_id(main, "p2").expect("p2");
    assert_contains!(second, "<br>");
    assert_contains!(text_of(second), "people familiar with the matter said.");
    // Mentions by title and by alias link to the notes.
    assert_contains!(
        main,
        "<a class=\"mention\" href=\"/people/ann-smith/\">Ann Smith</a>"
    );
    assert_contains!(
        main,
        "<a class=\"mention\" href=\"/companies/acme/\">Acme Corp</a>"
    );
    assert_contains!(main, "<dt>Publisher</dt><dd>The Daily</dd>");
    let weekly = basic().page("sources/weekly-2025-07/");
    let (_, cited_by) = element_by_id(main_of(&weekly), "cited-by").expect("Cited by");
    let text = text_of(cited_by);
    assert_contains!(text, "Ann Smith (3 citations)");
    assert_contains!(text, "Method (1 citation)");
    // Ann's page lists the sources that name her, cited or not.
    let ann = basic().page("people/ann-smith/");
    let (_, appears) = element_by_id(main_of(&ann), "appears-in-sources").expect("Appears in");
    assert_contains!(appears, "href=\"/sources/daily-2025-07-07/\"");
    assert_contains!(appears, "href=\"/sources/weekly-2025-07/\"");
}

#[test]
fn index_and_tag_pages_list_their_notes() {
    let people = basic().page("people/");
    let main = main_of(&people);
    assert_eq!(main.matches("<li class=\"card card-person\">").count(), 2);
    assert_contains!(main, "href=\"/people/ann-smith/\"");
    assert_contains!(main, "<p>The head of Acme.</p>");
    let tag = basic().page("tags/researchers/");
    let main = main_of(&tag);
    assert_eq!(main.matches("<li class=\"card").count(), 1);
    assert_contains!(main, "href=\"/people/ann-smith/\"");
    let sources = basic().page("sources/");
    assert_eq!(main_of(&sources).matches("<li class=\"card").count(), 2);
}

#[test]
fn the_feed_has_what_atom_requires() {
    // RFC 4287 §4.1.1: a feed has an id, a title, an updated date, and an author unless
    // every entry has one; each entry has an id, a title and an updated date.
    let feed = basic().file("feed.xml");
    let head = &feed[..feed.find("<entry>").expect("entries")];
    for element in ["<id>", "<title>", "<updated>"] {
        assert_contains!(head, element);
    }
    let entries: Vec<&str> = feed.split("<entry>").skip(1).collect();
    assert!(entries.len() >= 5, "{} entries", entries.len());
    for entry in &entries {
        for element in ["<id>", "<title>", "<updated>"] {
            assert_contains!(entry, element);
        }
    }
    let every_entry_has_an_author = entries.iter().all(|e| e.contains("<author>"));
    assert!(
        head.contains("<author>") || every_entry_has_an_author,
        "no atom:author on the feed or on every entry"
    );
}

#[test]
fn links_never_nest() {
    assert!(soundness::links_do_not_nest(basic()) > 100);
}

#[test]
fn every_page_has_its_landmarks() {
    assert!(soundness::pages_have_their_landmarks(basic()) >= 15);
}
