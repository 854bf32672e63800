//! The default theme's entity and source pages (`note.html` and `source.html` inside
//! `base.html`) written straight from their view structs, without Tera.
//!
//! Most of a site's pages are people, companies and events, and for them Tera's share of a
//! build was turning every view into its own value tree, walking it, and dropping it again:
//! about a tenth of the CPU of a 10,000-note build. Source pages are fewer but long (a whole
//! source text, and a link to every note that cites it): Tera took ~2 % of the CPU for the
//! 500 of a 10,000-note build. This module writes the same bytes directly. Each kind of page
//! is written here only while its template and `base.html` are the embedded default theme's
//! ([`super::templates::Engine::native_note_pages`], `native_source_pages`); a brief or theme
//! that overrides one gets Tera, as before.
//!
//! The functions below follow the templates line by line, text and white space included, and
//! escape with Tera's own [`tera::escape_html`]. The tests render every page of the real brief
//! and of each good fixture both ways and require the same bytes, so a change to any of the
//! templates that is not made here too fails them. Keep them in step: edit the template,
//! then this file, then run `cargo test --lib native`.

use super::footnotes::SourceEntry;
use super::views::{LinkView, NamedView, NoteView, PageView, RoleView, SiteView, SourceView};

/// A page being written: raw HTML pushed as it is, text escaped as Tera escapes it.
struct Page {
    out: Vec<u8>,
}

impl Page {
    fn raw(&mut self, html: &str) {
        self.out.extend_from_slice(html.as_bytes());
    }

    fn text(&mut self, text: &str) {
        // Writing into a Vec cannot fail.
        let _ = tera::escape_html(text, &mut self.out);
    }

    fn number(&mut self, n: usize) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// `items`, each written by `write`, with `separator` between them (a template's
    /// `{% if not loop.last %}…{% endif %}`).
    fn joined<T>(&mut self, items: &[T], separator: &str, mut write: impl FnMut(&mut Page, &T)) {
        for (i, item) in items.iter().enumerate() {
            write(self, item);
            if i + 1 < items.len() {
                self.raw(separator);
            }
        }
    }
}

/// The page of a person, company or event, as `note.html` extending `base.html` renders it.
pub fn note_page(site: &SiteView, page: &PageView, note: &NoteView, capacity: usize) -> Vec<u8> {
    let mut p = Page {
        out: Vec::with_capacity(capacity),
    };
    base_before_content(&mut p, site, page);
    note_content(&mut p, note);
    base_after_content(&mut p, site);
    p.out
}

/// The page of a source, as `source.html` extending `base.html` renders it.
pub fn source_page(
    site: &SiteView,
    page: &PageView,
    source: &SourceView,
    capacity: usize,
) -> Vec<u8> {
    let mut p = Page {
        out: Vec::with_capacity(capacity),
    };
    base_before_content(&mut p, site, page);
    source_content(&mut p, source);
    base_after_content(&mut p, site);
    p.out
}

/// `base.html` up to its `content` block.
fn base_before_content(p: &mut Page, site: &SiteView, page: &PageView) {
    p.raw("<!DOCTYPE html>\n<html lang=\"");
    p.text(&site.language);
    p.raw("\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    if page.kind == "home" {
        p.text(&site.title);
    } else {
        p.text(&page.title);
        p.raw(" · ");
        p.text(&site.title);
    }
    p.raw("</title>\n");
    if !page.description.is_empty() {
        p.raw("<meta name=\"description\" content=\"");
        p.text(&page.description);
        p.raw("\">");
    }
    p.raw("\n<meta name=\"casefile-base\" content=\"");
    p.text(&site.base);
    p.raw("\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<link rel=\"icon\" href=\"");
    p.text(&site.base);
    p.raw("favicon.svg\" type=\"image/svg+xml\">\n<link rel=\"canonical\" href=\"");
    p.text(&page.canonical);
    p.raw("\">\n<link rel=\"stylesheet\" href=\"");
    p.text(&site.base);
    p.raw("style.css\">\n<link rel=\"stylesheet\" href=\"");
    p.text(&site.base);
    p.raw("highlight.css\">\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
    p.text(&site.title);
    p.raw("\" href=\"");
    p.text(&site.base);
    // The empty `head` block, then its line break.
    p.raw("feed.xml\">\n\n");
    if !page.json_ld.is_empty() {
        p.raw("<script type=\"application/ld+json\">");
        p.raw(&page.json_ld);
        p.raw("</script>");
    }
    p.raw("\n<script src=\"");
    p.text(&site.base);
    p.raw("casefile.js\" defer></script>\n");
    if site.search {
        p.raw("<link rel=\"stylesheet\" href=\"");
        p.text(&site.base);
        p.raw("pagefind/pagefind-ui.css\">\n<script src=\"");
        p.text(&site.base);
        p.raw("pagefind/pagefind-ui.js\"></script>\n<script>window.addEventListener(\"DOMContentLoaded\", function () { try { var target = document.getElementById(\"search-page\") ? \"#search-page\" : \"#site-search\"; new PagefindUI({ element: target, showSubResults: false, showImages: false, resetStyles: false }); } catch (e) { /* search is an enhancement: the pages work without it */ } });</script>");
    }
    p.raw("\n</head>\n<body data-kind=\"");
    p.text(&page.kind);
    p.raw("\">\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n<header class=\"site-header\">\n  <a class=\"site-title\" href=\"");
    p.text(&site.base);
    p.raw("\">");
    p.text(&site.title);
    p.raw("</a>\n  <nav class=\"site-nav\" aria-label=\"Sections\"><ul>\n  ");
    for item in &site.nav {
        p.raw("<li><a href=\"");
        p.text(&item.url);
        p.raw("\"");
        if item.section == page.kind {
            p.raw(" aria-current=\"page\"");
        }
        p.raw(">");
        p.text(&item.title);
        p.raw("</a></li>");
    }
    p.raw("\n  </ul></nav>\n  <div class=\"site-search\" id=\"site-search\"></div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

/// `base.html` after its `content` block.
fn base_after_content(p: &mut Page, site: &SiteView) {
    p.raw("\n</main>\n<footer class=\"site-footer\">\n  <p>");
    p.text(&site.title);
    p.raw(" · built with casefile · every quote on this site was checked against its source at build time · <a href=\"");
    p.text(&site.base);
    p.raw("feed.xml\">Atom feed</a> · <a href=\"");
    p.text(&site.base);
    p.raw("casefile.json\">Data</a></p>\n</footer>\n</body>\n</html>\n");
}

/// `source.html`'s `content` block.
fn source_content(p: &mut Page, source: &SourceView) {
    // A publisher, republisher or relied-on source: a link when the brief has its page.
    let named = |p: &mut Page, named: &NamedView| {
        if named.url.is_empty() {
            p.text(&named.name);
        } else {
            p.raw("<a class=\"wikilink\" href=\"");
            p.text(&named.url);
            p.raw("\">");
            p.text(&named.name);
            p.raw("</a>");
        }
    };
    p.raw("\n<article class=\"note note-source\" data-pagefind-body data-pagefind-filter=\"kind:source\">\n  <header class=\"note-header\">\n    <p class=\"note-kind\">Source</p>\n    <h1>");
    p.text(&source.title);
    p.raw("</h1>\n    ");
    if !source.summary.is_empty() {
        p.raw("<p class=\"note-summary\">");
        p.text(&source.summary);
        p.raw("</p>");
    }
    p.raw("\n  </header>\n  <dl class=\"source-meta\">\n    ");
    if let Some(publisher) = &source.publisher {
        p.raw("<dt>Publisher</dt><dd>");
        named(p, publisher);
        p.raw("</dd>");
    }
    p.raw("\n    ");
    if !source.author.is_empty() {
        p.raw("<dt>Author</dt><dd>");
        p.text(&source.author);
        p.raw("</dd>");
    }
    p.raw("\n    ");
    if !source.date.is_empty() {
        p.raw("<dt>Date</dt><dd><time datetime=\"");
        p.text(&source.date_iso);
        p.raw("\">");
        p.text(&source.date);
        p.raw("</time></dd>");
    }
    p.raw("\n    ");
    if let Some(via) = &source.via {
        p.raw("<dt>Republished by</dt><dd>");
        named(p, via);
        p.raw("</dd>");
    }
    p.raw("\n    ");
    if !source.relies_on.is_empty() {
        p.raw("<dt>Relies on</dt><dd>");
        p.joined(&source.relies_on, ", ", |p, r| named(p, r));
        p.raw("</dd>");
    }
    p.raw("\n    ");
    if !source.language.is_empty() {
        p.raw("<dt>Language</dt><dd>");
        p.text(&source.language);
        p.raw("</dd>");
    }
    p.raw("\n    ");
    if !source.original.is_empty() {
        p.raw("<dt>Original file</dt><dd><code>");
        p.text(&source.original);
        p.raw("</code></dd>");
    }
    p.raw("\n    ");
    if !source.url.is_empty() {
        p.raw("<dt>URL</dt><dd><a class=\"original\" href=\"");
        p.text(&source.url);
        p.raw("\">");
        p.text(&source.url);
        p.raw("</a></dd>");
    }
    p.raw("\n    <dt>Cited passages</dt><dd>");
    p.number(source.mark_count);
    p.raw("</dd>\n  </dl>\n  <section class=\"source-text\" aria-label=\"Text of the source, as received\">\n  ");
    for paragraph in &source.paragraphs {
        p.raw("<p id=\"");
        p.text(&paragraph.id);
        p.raw("\">");
        p.raw(&paragraph.html);
        p.raw("</p>\n  ");
    }
    p.raw("\n  </section>\n  ");
    if !source.cited_by.is_empty() {
        p.raw("\n  <section class=\"cited-by\" data-pagefind-ignore id=\"cited-by\"><h2>Cited by</h2><ul>\n  ");
        for cited in &source.cited_by {
            p.raw("<li>");
            p.raw(cited.link.html());
            p.raw(" <span class=\"count\">(");
            p.number(cited.count);
            p.raw(" citation");
            if cited.count != 1 {
                p.raw("s");
            }
            p.raw(")</span></li>");
        }
        p.raw("\n  </ul></section>\n  ");
    }
    p.raw("\n</article>\n");
}

/// `note.html`'s `content` block.
fn note_content(p: &mut Page, note: &NoteView) {
    p.raw("\n<article class=\"note note-");
    p.text(&note.kind);
    p.raw("\" data-pagefind-body data-pagefind-filter=\"kind:");
    p.text(&note.kind);
    p.raw("\">\n  <header class=\"note-header\">\n    <p class=\"note-kind\">");
    p.text(&note.kind_label);
    p.raw("</p>\n    <h1>");
    p.text(&note.title);
    p.raw("</h1>\n    ");
    if !note.aliases.is_empty() {
        p.raw("<p class=\"note-aliases\">Also: ");
        p.joined(&note.aliases, ", ", |p, alias| {
            p.raw("<span class=\"alias\">");
            p.text(alias);
            p.raw("</span>");
        });
        p.raw("</p>");
    }
    p.raw("\n    ");
    if !note.summary.is_empty() {
        p.raw("<p class=\"note-summary\">");
        p.text(&note.summary);
        p.raw("</p>");
    }
    p.raw("\n    ");
    if !note.dates.is_empty() {
        p.raw("<p class=\"note-dates\"><time datetime=\"");
        p.text(&note.date_iso);
        p.raw("\">");
        p.text(&note.dates);
        p.raw("</time>");
        if !note.location.is_empty() {
            p.raw(" · ");
            p.text(&note.location);
        }
        p.raw("</p>");
    }
    p.raw("\n    ");
    if !note.tags.is_empty() {
        p.raw("<p class=\"note-tags\">");
        for tag in &note.tags {
            p.raw("<a class=\"tag\" href=\"");
            p.text(&tag.url);
            p.raw("\">");
            p.text(&tag.name);
            p.raw("</a> ");
        }
        p.raw("</p>");
    }
    p.raw("\n  </header>\n  ");
    infobox(p, note);
    p.raw("\n  ");
    if note.show_toc {
        p.raw("\n  <nav class=\"toc\" data-pagefind-ignore aria-label=\"Contents\"><h2>Contents</h2><ol>");
        for entry in &note.toc {
            p.raw("<li class=\"toc-level-");
            p.number(usize::from(entry.level));
            p.raw("\"><a href=\"#");
            p.text(&entry.id);
            p.raw("\">");
            p.text(&entry.text);
            p.raw("</a></li>");
        }
        p.raw("</ol></nav>\n  ");
    }
    p.raw("\n  <div class=\"note-body\">\n");
    p.raw(note.body_html);
    p.raw("\n  </div>\n  ");
    if !note.differ.is_empty() {
        p.raw("\n  <section class=\"differ\" id=\"sources-differ\"><h2>Sources differ</h2>\n  ");
        for differ in &note.differ {
            p.raw("<div class=\"differ-item\"><h3>");
            p.text(&differ.label);
            p.raw("</h3><ul>");
            for value in &differ.values {
                p.raw("<li><span class=\"differ-value\">");
                p.text(&value.value);
                p.raw("</span> ");
                p.raw(&value.cites_html);
                p.raw("</li>");
            }
            p.raw("</ul></div>");
        }
        p.raw("\n  </section>\n  ");
    }
    p.raw("\n  ");
    if !note.current_people.is_empty() || !note.former_people.is_empty() {
        p.raw(
            "\n  <section class=\"people\" data-pagefind-ignore id=\"people\"><h2>People</h2>\n  ",
        );
        if !note.current_people.is_empty() {
            p.raw("<h3>Current</h3><ul>");
            people(p, &note.current_people);
            p.raw("</ul>");
        }
        p.raw("\n  ");
        if !note.former_people.is_empty() {
            p.raw("<h3>Former</h3><ul>");
            people(p, &note.former_people);
            p.raw("</ul>");
        }
        p.raw("\n  </section>\n  ");
    }
    p.raw("\n  ");
    if !note.timeline.is_empty() {
        p.raw("\n  <section class=\"timeline-local\" data-pagefind-ignore id=\"timeline\"><h2>Timeline</h2><ol class=\"timeline-list\">\n  ");
        for entry in &note.timeline {
            p.raw("<li><time datetime=\"");
            p.text(&entry.date_iso);
            p.raw("\">");
            p.text(&entry.dates);
            p.raw("</time> ");
            p.raw(entry.event.html());
            p.raw("</li>");
        }
        p.raw("\n  </ol></section>\n  ");
    }
    p.raw("\n  ");
    if !note.neighbourhood_svg.is_empty() {
        p.raw("\n  <section class=\"neighbourhood\" data-pagefind-ignore id=\"graph\"><h2>Connections</h2><figure class=\"graph\">");
        p.raw(&note.neighbourhood_svg);
        p.raw("</figure></section>\n  ");
    }
    p.raw("\n  ");
    if !note.related.is_empty() {
        p.raw("\n  <section class=\"related\" data-pagefind-ignore id=\"related\"><h2>Related</h2><ul class=\"card-list\">");
        for related in &note.related {
            p.raw("<li class=\"card card-");
            p.text(related.kind());
            p.raw("\">");
            p.raw(related.html());
            if !related.summary().is_empty() {
                p.raw("<p>");
                p.text(related.summary());
                p.raw("</p>");
            }
            p.raw("</li>");
        }
        p.raw("</ul></section>\n  ");
    }
    p.raw("\n  ");
    if !note.mentioned_in.is_empty() {
        p.raw("\n  <section class=\"backlinks\" data-pagefind-ignore id=\"mentioned-in\"><h2>Mentioned in</h2><ul>\n  ");
        for backlink in &note.mentioned_in {
            p.raw("<li>");
            p.raw(backlink.note.html());
            for context in &backlink.contexts_html {
                p.raw("<blockquote class=\"backlink-context\">");
                p.raw(context);
                p.raw("</blockquote>");
            }
            p.raw("</li>");
        }
        p.raw("\n  </ul></section>\n  ");
    }
    p.raw("\n  ");
    if !note.appears_in.is_empty() {
        p.raw("\n  <section class=\"appears-in\" data-pagefind-ignore id=\"appears-in-sources\"><h2>Appears in sources</h2><ul>\n  ");
        for appearance in &note.appears_in {
            p.raw("<li><a href=\"");
            p.text(appearance.link.url());
            p.raw("\">");
            p.text(appearance.link.title());
            p.raw("</a> <span class=\"count\">(");
            p.number(appearance.count);
            p.raw(" mention");
            if appearance.count != 1 {
                p.raw("s");
            }
            p.raw(")</span></li>");
        }
        p.raw("\n  </ul></section>\n  ");
    }
    p.raw("\n  ");
    if !note.sources.is_empty() {
        p.raw("\n  <section class=\"sources\" data-pagefind-ignore id=\"sources\"><h2>Sources</h2><ol class=\"source-list\">\n  ");
        for entry in &note.sources {
            source_entry(p, entry);
        }
        p.raw("\n  </ol></section>\n  ");
    }
    p.raw("\n  ");
    if !note.footnotes_html.is_empty() {
        p.raw("\n  <section class=\"footnotes\" id=\"footnotes\"><h2>Notes</h2>");
        p.raw(note.footnotes_html);
        p.raw("</section>\n  ");
    }
    p.raw("\n</article>\n");
}

/// The infobox table, when the note has anything to put in it.
fn infobox(p: &mut Page, note: &NoteView) {
    let has_infobox = !note.roles.is_empty()
        || !note.facts.is_empty()
        || note.parent.is_some()
        || !note.participants.is_empty()
        || !note.founded.is_empty()
        || !note.website.is_empty()
        || !note.event_cites_html.is_empty()
        || !note.children.is_empty();
    if !has_infobox {
        return;
    }
    p.raw("\n  <aside class=\"infobox\" aria-label=\"Key facts\">\n    <table>\n      <caption>");
    p.text(&note.title);
    p.raw("</caption>\n      ");
    if !note.event_cites_html.is_empty() {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Sources</th><td>");
        p.raw(&note.event_cites_html);
        p.raw("</td></tr>");
    }
    p.raw("\n      ");
    if !note.participants.is_empty() {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Participants</th><td>");
        p.joined(&note.participants, ", ", |p, link: &LinkView| {
            p.raw(link.html())
        });
        p.raw("</td></tr>");
    }
    p.raw("\n      ");
    if let Some(parent) = &note.parent {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Part of</th><td>");
        p.raw(parent.html());
        p.raw("</td></tr>");
    }
    p.raw("\n      ");
    if !note.children.is_empty() {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Units</th><td>");
        p.joined(&note.children, ", ", |p, link: &LinkView| {
            p.raw(link.html())
        });
        p.raw("</td></tr>");
    }
    p.raw("\n      ");
    if !note.founded.is_empty() {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Founded</th><td>");
        p.text(&note.founded);
        p.raw("</td></tr>");
    }
    p.raw("\n      ");
    if !note.website.is_empty() {
        p.raw("<tr class=\"fact\"><th scope=\"row\">Website</th><td><a href=\"");
        p.text(&note.website);
        p.raw("\">");
        p.text(&note.website);
        p.raw("</a></td></tr>");
    }
    p.raw("\n      ");
    for role in &note.roles {
        p.raw("\n      <tr class=\"role ");
        p.raw(if role.current {
            "role-current"
        } else {
            "role-former"
        });
        p.raw("\"><th scope=\"row\">");
        p.raw(role.org.html());
        p.raw("</th><td>");
        p.text(&role.title);
        if !role.dates.is_empty() {
            p.raw(" <span class=\"dates\">");
            p.text(&role.dates);
            p.raw("</span>");
        }
        p.raw(" ");
        p.raw(&role.cites_html);
        p.raw("</td></tr>\n      ");
    }
    p.raw("\n      ");
    for fact in &note.facts {
        p.raw("\n      <tr class=\"fact\"><th scope=\"row\">");
        p.text(&fact.label);
        p.raw("</th><td>");
        p.joined(&fact.values, "<br>", |p, value| {
            p.raw("<span class=\"fact-value\">");
            p.text(&value.value);
            if !value.as_of.is_empty() {
                p.raw(" <span class=\"as-of\">(as of ");
                p.text(&value.as_of);
                p.raw(")</span>");
            }
            p.raw(" ");
            p.raw(&value.cites_html);
            p.raw("</span>");
        });
        p.raw("</td></tr>\n      ");
    }
    p.raw("\n    </table>\n  </aside>\n  ");
}

/// A company's current or former people, one list item each.
fn people(p: &mut Page, roles: &[RoleView]) {
    for role in roles {
        p.raw("<li>");
        p.raw(role.person.html());
        if !role.title.is_empty() {
            p.raw(", ");
            p.text(&role.title);
        }
        if !role.dates.is_empty() {
            p.raw(" <span class=\"dates\">(");
            p.text(&role.dates);
            p.raw(")</span>");
        }
        p.raw(" ");
        p.raw(&role.cites_html);
        p.raw("</li>");
    }
}

/// One entry of the Sources list.
fn source_entry(p: &mut Page, entry: &SourceEntry) {
    p.raw("<li id=\"source-");
    p.number(entry.number);
    p.raw("\">");
    for backref in &entry.backrefs {
        p.raw("<a class=\"backref\" href=\"#");
        p.text(backref);
        p.raw("\" aria-label=\"Back to citation ");
        p.number(entry.number);
        p.raw("\">↩</a> ");
    }
    p.raw("<a class=\"source-title\" href=\"");
    p.text(entry.source_url);
    p.raw("\">");
    p.text(entry.source_title);
    p.raw("</a>");
    if !entry.publisher.is_empty() {
        p.raw(", <span class=\"publisher\">");
        p.text(entry.publisher);
        p.raw("</span>");
    }
    if !entry.date.is_empty() {
        p.raw(", <time datetime=\"");
        p.text(&entry.date_iso);
        p.raw("\">");
        p.text(&entry.date);
        p.raw("</time>");
    }
    p.raw(".");
    if !entry.quote.is_empty() {
        p.raw(" <q class=\"quote\">");
        p.text(entry.quote);
        p.raw("</q>");
    }
    if !entry.original_url.is_empty() {
        p.raw(" <a class=\"original\" href=\"");
        p.text(&entry.original_url);
        p.raw("\">original</a>");
    }
    p.raw("</li>");
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::diagnostic::Diagnostics;
    use crate::output::Output;
    use crate::render::templates::Engine;
    use crate::render::{Selection, render_selected};

    /// Every file of the brief at `root` (no search index), rendered by `engine`.
    fn site(root: &Path, engine: &Engine) -> Vec<Output> {
        let mut diagnostics = Diagnostics::new();
        let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
        let config = crate::config::Config::load(root, text.as_deref()).expect("config loads");
        let loaded = crate::load::load(root, false, &mut diagnostics);
        let brief = crate::resolve::resolve(config, &loaded, &mut diagnostics);
        let evidence = crate::verify::verify(&brief, &mut diagnostics);
        assert!(!diagnostics.has_errors(), "{} builds", root.display());
        let selection = Selection {
            skip_search: true,
            ..Selection::default()
        };
        render_selected(&brief, &evidence, engine, selection).expect("renders")
    }

    fn briefs() -> Vec<std::path::PathBuf> {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
        vec![
            repository.to_path_buf(),
            repository.join("tests/fixtures/good/basic"),
            repository.join("tests/fixtures/good/script"),
        ]
    }

    #[test]
    fn native_entity_pages_are_byte_for_byte_the_pages_tera_makes_of_the_default_theme() {
        let mut entity_pages = String::new();
        let mut source_pages = String::new();
        for root in briefs() {
            let native = Engine::load(&root, "default").unwrap();
            assert!(native.native_note_pages());
            let tera = Engine::load(&root, "default").unwrap().tera_only();
            let (ours, theirs) = (site(&root, &native), site(&root, &tera));
            assert_eq!(ours.len(), theirs.len());
            for (ours, theirs) in ours.iter().zip(&theirs) {
                assert_eq!(ours.path, theirs.path);
                if ours.bytes != theirs.bytes {
                    let at = ours
                        .bytes
                        .iter()
                        .zip(&theirs.bytes)
                        .position(|(a, b)| a != b)
                        .unwrap_or(ours.bytes.len().min(theirs.bytes.len()));
                    let around = |b: &[u8]| {
                        String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())])
                            .into_owned()
                    };
                    panic!(
                        "{} of {} differs at byte {at}:\nnative: {:?}\ntera:   {:?}",
                        ours.path,
                        root.display(),
                        around(&ours.bytes),
                        around(&theirs.bytes)
                    );
                }
                let is_entity = ["people/", "companies/", "events/"]
                    .iter()
                    .any(|kind| ours.path.starts_with(kind))
                    && ours.path.matches('/').count() == 2;
                if is_entity {
                    entity_pages.push_str(&String::from_utf8_lossy(&ours.bytes));
                }
                if ours.path.starts_with("sources/") && ours.path.matches('/').count() == 2 {
                    source_pages.push_str(&String::from_utf8_lossy(&ours.bytes));
                }
            }
        }
        // The same for the branches of `source.html`, on the source pages compared.
        for branch in [
            "class=\"note-summary\"",
            "<dt>Publisher</dt><dd><a class=\"wikilink\"",
            "<dt>Author</dt>",
            "<dt>Date</dt>",
            "<dt>Republished by</dt><dd><a class=\"wikilink\"",
            "<dt>Relies on</dt><dd><a class=\"wikilink\"",
            "<dt>Language</dt>",
            "<dt>Original file</dt>",
            "<dt>URL</dt>",
            "<mark id=",
            "id=\"cited-by\"",
            " citation)</span>",
            " citations)</span>",
        ] {
            assert!(
                source_pages.contains(branch),
                "no source page compared shows {branch}: add a source that does to a good fixture"
            );
        }
        let unlinked = |field: &str| {
            source_pages
                .match_indices(field)
                .any(|(at, found)| !source_pages[at + found.len()..].starts_with('<'))
        };
        assert!(
            unlinked("<dt>Publisher</dt><dd>"),
            "no source page compared names a publisher that has no page"
        );
        // The comparison proves something only for the branches of the templates that some
        // page takes: each of these must appear on at least one entity page compared above.
        for branch in [
            "class=\"note-aliases\"",
            "class=\"note-dates\"",
            "class=\"note-tags\"",
            "<th scope=\"row\">Sources</th>",
            "<th scope=\"row\">Participants</th>",
            "<th scope=\"row\">Part of</th>",
            "<th scope=\"row\">Units</th>",
            "<th scope=\"row\">Founded</th>",
            "<th scope=\"row\">Website</th>",
            "role-current",
            "role-former",
            "class=\"as-of\"",
            "<br><span class=\"fact-value\"",
            "class=\"toc\"",
            "id=\"sources-differ\"",
            "<h3>Current</h3>",
            "<h3>Former</h3>",
            "class=\"timeline-local\"",
            "class=\"neighbourhood\"",
            "class=\"related\"",
            "class=\"backlink-context\"",
            " mention)",
            " mentions)",
            "class=\"publisher\"",
            "class=\"quote\"",
            "class=\"original\"",
            "class=\"backref\"",
            "id=\"footnotes\"",
            "aria-current=\"page\"",
            "<meta name=\"description\"",
            "&lt;script&gt;",
        ] {
            assert!(
                entity_pages.contains(branch),
                "no entity page compared shows {branch}: add a note that does to a good fixture"
            );
        }
    }

    #[test]
    fn a_brief_that_overrides_note_source_or_base_html_is_rendered_by_tera() {
        for (file, native, native_sources) in [
            ("note.html", false, true),
            ("base.html", false, false),
            ("source.html", true, false),
            ("home.html", true, true),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let templates = dir.path().join("templates");
            std::fs::create_dir_all(&templates).unwrap();
            let text = crate::render::templates::DEFAULT_TEMPLATES
                .iter()
                .find(|(name, _)| *name == file)
                .map(|(_, text)| text.to_string())
                .unwrap();
            std::fs::write(templates.join(file), text).unwrap();
            let engine = Engine::load(dir.path(), "default").unwrap();
            assert_eq!(engine.native_note_pages(), native, "with templates/{file}");
            assert_eq!(
                engine.native_source_pages(),
                native_sources,
                "with templates/{file}"
            );
        }
        let none = tempfile::tempdir().unwrap();
        let default = Engine::load(none.path(), "default").unwrap();
        assert!(default.native_note_pages() && default.native_source_pages());
    }
}
