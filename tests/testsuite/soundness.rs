//! Invariants every built site must keep, whatever the brief: each citation leads to a
//! `<mark>` holding its quote and each mark links back to a citation that exists; internal
//! links lead to files and ids that exist; ids are unique per page; JSON-LD parses; feeds,
//! sitemaps and graphs are well-formed XML. Used on the test fixtures and on the repository's
//! own brief.

use std::collections::{BTreeMap, BTreeSet};

use crate::assert_contains;
use crate::support::{
    Run, attr, attr_values, check_xml, element_by_id, fold_space, json_ld_blocks, main_of,
    snapshot, tags_with, text_of,
};

/// Every HTML file of the output, by path, with its text.
pub fn html_pages(run: &Run) -> BTreeMap<String, String> {
    snapshot(&run.out)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 HTML")))
        .collect()
}

/// The citation anchors (`sup.citation > a`) of some HTML, in document order.
pub fn citation_anchors(html: &str) -> Vec<&str> {
    html.match_indices("<sup class=\"citation\"><a ")
        .filter_map(|(i, _)| {
            let start = i + "<sup class=\"citation\">".len();
            html[start..].find('>').map(|e| &html[start..start + e + 1])
        })
        .collect()
}

/// The words of a quote as the reader sees them, lower-cased, split at elisions.
fn quote_pieces(quote: &str) -> Vec<String> {
    quote
        .replace('…', "...")
        .split("...")
        .map(|p| fold_space(p).to_lowercase())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The text of mark `m-pN-K` and of the marks after it in paragraph `pN`, joined.
fn marks_from(html: &str, mark_id: &str) -> String {
    let (paragraph, k) = mark_id
        .strip_prefix("m-")
        .and_then(|rest| rest.rsplit_once('-'))
        .expect("a mark id like m-p3-1");
    let first: usize = k.parse().expect("a mark number");
    let mut text = String::new();
    for n in first.. {
        match element_by_id(html, &format!("m-{paragraph}-{n}")) {
            Some((_, inner)) => {
                text.push_str(&text_of(inner));
                text.push(' ');
            }
            None => break,
        }
    }
    text
}

/// Undoes the HTML escaping of an attribute value.
fn unescape(value: &str) -> String {
    value
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Each citation on a note page leads to a `<mark>` on the source page that holds the
/// quote's words in order. Returns how many citations were checked.
pub fn citations_lead_to_marks_holding_their_quotes(run: &Run) -> usize {
    let pages = html_pages(run);
    let mut checked = 0;
    for (path, html) in &pages {
        if path.starts_with("sources/") {
            continue;
        }
        for anchor in citation_anchors(main_of(html)) {
            let href = attr(anchor, "href").expect("a citation href");
            let quote = unescape(attr(anchor, "data-quote").unwrap_or_default());
            let Some((page, mark_id)) = href.split_once('#') else {
                assert!(
                    quote.is_empty(),
                    "{path}: a quoted citation without a mark: {href}"
                );
                continue;
            };
            let base = page.find("/sources/").expect("a source page");
            assert!(mark_id.starts_with("m-"), "{path}: {href}");
            let source = pages
                .get(&format!("{}index.html", &page[base + 1..]))
                .unwrap_or_else(|| panic!("{path}: {href}: no such page"));
            let (tag, _) = element_by_id(main_of(source), mark_id)
                .unwrap_or_else(|| panic!("{path}: no #{mark_id} on {page}"));
            assert_eq!(tag, "mark", "{path}: #{mark_id}");
            // The first piece is in the mark linked to; the pieces after an elision may be
            // highlighted by the following marks of the same paragraph.
            let marked = marks_from(main_of(source), mark_id).to_lowercase();
            let pieces = quote_pieces(&quote);
            let mut from = 0;
            for (i, piece) in pieces.iter().enumerate() {
                let at = marked[from..].find(piece.as_str()).unwrap_or_else(|| {
                    panic!("{path}: the marks from #{mark_id} ({marked:?}) lack {piece:?}")
                });
                if i == 0 {
                    let first =
                        text_of(element_by_id(main_of(source), mark_id).expect("the mark").1);
                    assert!(
                        first.to_lowercase().contains(piece.as_str()),
                        "{path}: #{mark_id} ({first:?}) does not hold {piece:?}"
                    );
                }
                from += at + piece.len();
            }
            checked += 1;
        }
    }
    checked
}

/// Each back-link of a mark on a source page leads to a citation of that source that exists.
/// Returns how many back-links were checked.
pub fn marks_link_back_to_citations_that_exist(run: &Run, base: &str) -> usize {
    let pages = html_pages(run);
    let mut checked = 0;
    for (path, html) in pages.iter().filter(|(p, _)| p.starts_with("sources/")) {
        for tag in tags_with(main_of(html), "a", "class=\"mark-ref\"") {
            let href = attr(tag, "href").expect("a mark-ref href");
            let (page, id) = href.split_once('#').expect("a fragment");
            let rel = page.strip_prefix(base).expect("under the base path");
            let target = pages
                .get(&format!("{rel}index.html"))
                .unwrap_or_else(|| panic!("{path}: {href} leads to no page"));
            let at = target
                .find(&format!(" id=\"{id}\""))
                .unwrap_or_else(|| panic!("{path}: {href}: no such id on the page"));
            // The place it leads to is a citation of this very source.
            let anchor_end = at + target[at..].find('>').expect("tag end");
            let source_url = format!("href=\"{base}{}", path.trim_end_matches("index.html"));
            assert_contains!(target[at..anchor_end], source_url, "{path}: {href}");
            checked += 1;
        }
    }
    checked
}

/// Every internal `href` and `src` leads to a written file, and its fragment to an id there.
pub fn internal_links_lead_to_files_and_ids(run: &Run, base: &str) -> usize {
    let pages = html_pages(run);
    let files = snapshot(&run.out);
    let mut checked = 0;
    for (path, html) in &pages {
        for href in attr_values(html, "href")
            .into_iter()
            .chain(attr_values(html, "src"))
        {
            if href.starts_with("http") || href.starts_with("mailto:") {
                continue;
            }
            let (page, fragment) = match href.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (href, None),
            };
            let target = if page.is_empty() {
                path.clone()
            } else {
                let rel = page
                    .strip_prefix(base)
                    .unwrap_or_else(|| panic!("{path}: {href} is not under {base}"));
                if rel.is_empty() || rel.ends_with('/') {
                    format!("{rel}index.html")
                } else {
                    rel.to_string()
                }
            };
            assert!(files.contains_key(&target), "{path}: {href} leads nowhere");
            if let Some(fragment) = fragment.filter(|f| !f.starts_with(":~:")) {
                let text = String::from_utf8_lossy(&files[&target]);
                assert!(
                    text.contains(&format!(" id=\"{fragment}\"")),
                    "{path}: {href}: no such id"
                );
            }
            checked += 1;
        }
    }
    checked
}

/// No id appears twice on a page.
pub fn ids_are_unique(run: &Run) {
    for (path, html) in html_pages(run) {
        let mut seen = BTreeSet::new();
        for id in attr_values(&html, "id") {
            assert!(seen.insert(id), "{path}: id=\"{id}\" appears twice");
        }
    }
}

/// Every JSON-LD block parses. Returns how many there were.
pub fn json_ld_parses(run: &Run) -> usize {
    let mut blocks = 0;
    for (path, html) in html_pages(run) {
        for block in json_ld_blocks(&html) {
            serde_json::from_str::<serde_json::Value>(block)
                .unwrap_or_else(|e| panic!("{path}: JSON-LD does not parse: {e}\n{block}"));
            blocks += 1;
        }
    }
    blocks
}

/// `feed.xml`, `sitemap.xml` and every inline SVG are well-formed. Returns the SVG count.
pub fn xml_is_well_formed(run: &Run) -> usize {
    for file in ["feed.xml", "sitemap.xml"] {
        let text = run.file(file);
        check_xml(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let mut svgs = 0;
    for (path, html) in html_pages(run) {
        for (i, _) in html.match_indices("<svg") {
            let end = html[i..].find("</svg>").expect("a closed svg") + i + "</svg>".len();
            check_xml(&html[i..end]).unwrap_or_else(|e| panic!("{path}: svg: {e}"));
            svgs += 1;
        }
    }
    svgs
}

/// No `<a>` is opened inside another (browsers split the outer link, and the inner one is
/// invalid HTML). Returns how many links were seen.
pub fn links_do_not_nest(run: &Run) -> usize {
    let mut links = 0;
    for (path, html) in html_pages(run) {
        let mut depth = 0usize;
        let mut at = 0;
        while let Some(i) = html[at..].find('<') {
            let tag = &html[at + i..];
            if tag.starts_with("<a ") || tag.starts_with("<a>") {
                depth += 1;
                links += 1;
                assert!(
                    depth == 1,
                    "{path}: a link inside a link at byte {}: {}",
                    at + i,
                    crate::support::shorten(&html[(at + i).saturating_sub(200)..at + i + 100])
                );
            } else if tag.starts_with("</a>") {
                depth = depth.saturating_sub(1);
            } else if tag.starts_with("<script") || tag.starts_with("<style") {
                // Their text is not markup.
                let close = if tag.starts_with("<script") {
                    "</script>"
                } else {
                    "</style>"
                };
                at += i + tag.find(close).unwrap_or(tag.len());
                continue;
            }
            at += i + 1;
        }
    }
    links
}

/// Each page has what docs/conventions.md promises every page: a language, a non-empty title,
/// the skip link, one `<main id="main">`, one `<h1>`, and alt text on every image.
pub fn pages_have_their_landmarks(run: &Run) -> usize {
    let mut pages = 0;
    for (path, html) in html_pages(run) {
        // The brief's own templates (a custom 404 in a test) may do as they like.
        if !html.contains("<body data-kind=") {
            continue;
        }
        assert_contains!(html, "<html lang=\"", "{path}");
        let title = html
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(t, _)| t.trim())
            .unwrap_or_default();
        assert!(!title.is_empty(), "{path}: no <title>");
        assert_contains!(html, "<a class=\"skip-link\" href=\"#main\">", "{path}");
        assert_eq!(
            html.matches("<main id=\"main\"").count(),
            1,
            "{path}: <main>"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one <h1>");
        for (i, _) in html.match_indices("<img ") {
            let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
            assert!(
                tag.contains(" alt=\""),
                "{path}: an image without alt: {tag}"
            );
        }
        pages += 1;
    }
    pages
}
