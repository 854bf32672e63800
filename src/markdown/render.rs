//! The second pass over a body: HTML, with every link and citation replaced by what the
//! resolve and verify stages decided for it (given in order, as [`BodyContext`]).
//!
//! Also captures, for each cross-link, the sentence around it (as HTML with its links intact)
//! for the target's "Mentioned in" list, and the author's own `[^x]` footnotes as a separate
//! list lettered a, b, c — so they are never confused with numbered source citations.

use std::borrow::Cow;
use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Tag, TagEnd, html};

use super::highlight::{escape_html, highlight_block, push_escaped_html};
use super::highlight_memo::HighlightMemo;
use super::scan::{HeadingRef, markdown_note_target};
use super::{Piece, heading_id, is_script_url, pieces};

/// A resolved cross-link, as the page shows it. A body's links borrow the texts of the
/// site-wide table of link targets (~45,000 links at 10,000 notes, each three copies before).
#[derive(Clone, Debug)]
pub struct LinkHtml<'a> {
    /// Shown instead of the text typed between the brackets (an unlabelled `[[slug]]`).
    pub label: Option<String>,
    pub href: Cow<'a, str>,
    pub kind: &'static str,
    pub title: Cow<'a, str>,
    pub summary: Cow<'a, str>,
}

/// One citation of a group, as the page shows it: `<sup class="citation"><a …>N</a></sup>`.
#[derive(Clone, Debug)]
pub struct CiteHtml {
    pub number: usize,
    pub ref_id: String,
    pub href: String,
    pub source_title: String,
    pub quote: String,
}

impl CiteHtml {
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(
            160 + self.href.len() + self.source_title.len() + self.quote.len(),
        );
        push_superscript(
            &mut html,
            self.number,
            &self.ref_id,
            &self.href,
            &self.source_title,
            &self.quote,
        );
        html
    }
}

/// A citation's superscript onto the end of `out`, from borrowed parts: the infobox's are
/// written straight into their cell, without a [`CiteHtml`] of copies for each.
pub fn push_superscript(
    out: &mut String,
    number: usize,
    ref_id: &dyn std::fmt::Display,
    href: &str,
    source_title: &str,
    quote: &str,
) {
    use std::fmt::Write;
    // Written piece by piece rather than with `write!`: there is one for every citation of
    // every page, and the formatting machinery cost more than the bytes.
    out.push_str("<sup class=\"citation\"><a id=\"");
    let _ = write!(out, "{ref_id}");
    out.push_str("\" href=\"");
    push_escaped_html(out, href);
    out.push_str("\" data-note=\"");
    push_decimal(out, number);
    out.push_str("\" data-source-title=\"");
    push_escaped_html(out, source_title);
    out.push_str("\" data-quote=\"");
    push_escaped_html(out, quote);
    out.push_str("\" aria-label=\"Source ");
    push_decimal(out, number);
    out.push_str("\">");
    push_decimal(out, number);
    out.push_str("</a></sup>");
}

/// `number` in decimal onto the end of `out`, through `itoa` (two digits at a time, no
/// formatting machinery): drawings and footnotes write over a million numbers at 10,000 notes.
pub fn push_decimal(out: &mut String, number: usize) {
    out.push_str(itoa::Buffer::new().format(number));
}

/// What the render pass needs, in the order the scan pass found things.
pub struct BodyContext<'a> {
    pub links: &'a [Option<LinkHtml<'a>>],
    pub citations: &'a [Vec<CiteHtml>],
    pub headings: &'a [HeadingRef],
    pub raw_html: bool,
    /// Where code blocks are highlighted when a build keeps them for the next one.
    pub highlights: Option<&'a HighlightMemo>,
}

#[derive(PartialEq)]
pub struct RenderedBody {
    pub html: String,
    /// For each link, in order, the sentence around it.
    pub link_sentences: Vec<Option<String>>,
    /// The author's footnotes, as a list, or empty.
    pub footnotes_html: String,
}

/// Renders a note body to HTML.
pub fn render_body(body: &str, ctx: &BodyContext) -> RenderedBody {
    let mut state = State {
        out: Vec::new(),
        block: Vec::new(),
        block_links: Vec::new(),
        depth_in_block: 0,
        link_sentences: vec![None; ctx.links.len()],
        footnote_order: Vec::new(),
        footnote_defs: HashMap::new(),
        footnote_uses: HashMap::new(),
        current_footnote: None,
    };
    let mut link_index = 0usize;
    let mut cite_index = 0usize;
    let mut heading_index = 0usize;
    let mut code: Option<(String, String)> = None;
    let mut open_links: Vec<&'static str> = Vec::new();

    // An unlabelled [[slug]] shows the target's title instead of the text typed.
    let mut skip_label = false;
    let mut deferred_citations = String::new();
    for piece in pieces(body) {
        match piece {
            Piece::Text(run) => {
                if let Some((_, buffer)) = code.as_mut() {
                    buffer.push_str(&run.text);
                    continue;
                }
                if skip_label {
                    continue;
                }
                state.emit(Event::Text(CowStr::from(run.text)), true);
            }
            Piece::Citation(found) => {
                if found.is_err() {
                    continue;
                }
                let mut sup = String::new();
                if let Some(cites) = ctx.citations.get(cite_index) {
                    for c in cites {
                        sup.push_str(&c.to_html());
                    }
                }
                cite_index += 1;
                if open_links.is_empty() {
                    state.emit(Event::InlineHtml(CowStr::from(sup)), false);
                } else {
                    // A link may not hold a link: the superscript follows the link text.
                    deferred_citations.push_str(&sup);
                }
            }
            Piece::Event(event, _) => match event {
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(l) => l.to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((lang, buffer)) = code.take() {
                        state.emit(
                            Event::Html(CowStr::from(match ctx.highlights {
                                Some(memo) => memo.highlight(&buffer, &lang),
                                None => highlight_block(&buffer, &lang),
                            })),
                            false,
                        );
                    }
                }
                Event::Start(Tag::Heading {
                    level,
                    classes,
                    attrs,
                    ..
                }) => {
                    let id = ctx
                        .headings
                        .get(heading_index)
                        .map(|h| h.id.clone())
                        .unwrap_or_else(|| heading_id("section"));
                    heading_index += 1;
                    state.emit(
                        Event::Start(Tag::Heading {
                            level,
                            id: Some(CowStr::from(id)),
                            classes,
                            attrs,
                        }),
                        false,
                    );
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let is_note_link = matches!(link_type, LinkType::WikiLink { .. })
                        || markdown_note_target(&dest_url).is_some() && !is_script_url(&dest_url);
                    if is_note_link {
                        let resolved = ctx.links.get(link_index).cloned().flatten();
                        match resolved {
                            Some(link) => {
                                state.block_links.push((link_index, state.block.len()));
                                state.emit(
                                    Event::InlineHtml(CowStr::from(format!(
                                        "<a class=\"wikilink\" href=\"{}\" data-kind=\"{}\" data-title=\"{}\" data-summary=\"{}\">",
                                        escape_html(&link.href),
                                        link.kind,
                                        escape_html(&link.title),
                                        escape_html(&link.summary)
                                    ))),
                                    true,
                                );
                                open_links.push("</a>");
                                if let Some(label) = &link.label {
                                    state.emit(Event::Text(CowStr::from(label.clone())), true);
                                    skip_label = true;
                                }
                            }
                            None => {
                                state.emit(
                                    Event::InlineHtml(CowStr::from("<span class=\"broken-link\">")),
                                    true,
                                );
                                open_links.push("</span>");
                            }
                        }
                        link_index += 1;
                    } else if is_script_url(&dest_url) {
                        state.emit(
                            Event::InlineHtml(CowStr::from("<span class=\"blocked-link\">")),
                            true,
                        );
                        open_links.push("</span>");
                    } else {
                        state.emit(
                            Event::Start(Tag::Link {
                                link_type,
                                dest_url,
                                title,
                                id,
                            }),
                            true,
                        );
                        open_links.push("");
                    }
                }
                Event::End(TagEnd::Link) => {
                    match open_links.pop().inspect(|_| skip_label = false) {
                        Some("") | None => state.emit(Event::End(TagEnd::Link), true),
                        Some(close) => state.emit(Event::InlineHtml(CowStr::from(close)), true),
                    }
                    if open_links.is_empty() && !deferred_citations.is_empty() {
                        let sups = std::mem::take(&mut deferred_citations);
                        state.emit(Event::InlineHtml(CowStr::from(sups)), false);
                    }
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = if is_script_url(&dest_url) {
                        CowStr::from("")
                    } else {
                        dest_url
                    };
                    state.emit(
                        Event::Start(Tag::Image {
                            link_type,
                            dest_url,
                            title,
                            id,
                        }),
                        true,
                    );
                }
                Event::Html(raw) | Event::InlineHtml(raw) if !ctx.raw_html => {
                    state.emit(Event::Text(raw), true);
                }
                Event::FootnoteReference(name) => {
                    let letter = state.footnote_letter(&name);
                    let id = heading_id(&name);
                    let uses = state.footnote_uses.entry(name.to_string()).or_default();
                    *uses += 1;
                    let ref_id = footnote_ref_id(&id, *uses);
                    state.emit(
                        Event::InlineHtml(CowStr::from(format!(
                            "<sup class=\"footnote-ref\"><a href=\"#fn-{id}\" id=\"{ref_id}\" aria-label=\"Note {letter}\">{letter}</a></sup>"
                        ))),
                        false,
                    );
                }
                Event::Start(Tag::FootnoteDefinition(name)) => {
                    state.current_footnote = Some(name.to_string());
                    state.footnote_defs.entry(name.to_string()).or_default();
                }
                Event::End(TagEnd::FootnoteDefinition) => state.current_footnote = None,
                other => {
                    let starts_block = matches!(other, Event::Start(Tag::Paragraph | Tag::Item));
                    let ends_block = matches!(other, Event::End(TagEnd::Paragraph | TagEnd::Item));
                    if starts_block {
                        state.depth_in_block += 1;
                    }
                    state.emit(other, true);
                    if ends_block {
                        state.depth_in_block = state.depth_in_block.saturating_sub(1);
                        if state.depth_in_block == 0 {
                            state.close_block();
                        }
                    }
                }
            },
        }
    }
    state.close_block();
    let mut html_out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut html_out, state.out.into_iter());
    let footnotes_html = render_footnotes(
        &state.footnote_order,
        state.footnote_defs,
        &state.footnote_uses,
    );
    RenderedBody {
        html: html_out,
        link_sentences: state.link_sentences,
        footnotes_html,
    }
}

struct State<'a> {
    out: Vec<Event<'a>>,
    /// The inline events of the current paragraph or list item, citations left out.
    block: Vec<Event<'a>>,
    /// (link index, position in `block`) of the links in the current block.
    block_links: Vec<(usize, usize)>,
    depth_in_block: usize,
    link_sentences: Vec<Option<String>>,
    footnote_order: Vec<String>,
    footnote_defs: HashMap<String, Vec<Event<'a>>>,
    /// How many times the text refers to each footnote: each place gets its own id.
    footnote_uses: HashMap<String, usize>,
    current_footnote: Option<String>,
}

impl<'a> State<'a> {
    fn emit(&mut self, event: Event<'a>, in_sentence: bool) {
        if let Some(name) = &self.current_footnote {
            self.footnote_defs
                .entry(name.clone())
                .or_default()
                .push(event);
            return;
        }
        if in_sentence && self.depth_in_block > 0 {
            self.block.push(event.clone());
        }
        self.out.push(event);
    }

    fn footnote_letter(&mut self, name: &str) -> String {
        let index = match self.footnote_order.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.footnote_order.push(name.to_string());
                self.footnote_order.len() - 1
            }
        };
        letters(index)
    }

    fn close_block(&mut self) {
        for (link, at) in std::mem::take(&mut self.block_links) {
            if let Some(slot) = self.link_sentences.get_mut(link) {
                *slot = Some(sentence_html(&self.block, at));
            }
        }
        self.block.clear();
    }
}

/// a, b, …, z, aa, ab, …
fn letters(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The id of the `n`th place (from 1) that refers to footnote `id`: `fnref-x`, `fnref-x-2`, …
fn footnote_ref_id(id: &str, n: usize) -> String {
    if n <= 1 {
        format!("fnref-{id}")
    } else {
        format!("fnref-{id}-{n}")
    }
}

fn render_footnotes(
    order: &[String],
    mut defs: HashMap<String, Vec<Event<'_>>>,
    uses: &HashMap<String, usize>,
) -> String {
    if defs.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = order
        .iter()
        .filter(|n| defs.contains_key(*n))
        .cloned()
        .collect();
    let mut unreferenced: Vec<String> = defs
        .keys()
        .filter(|k| !order.contains(k))
        .cloned()
        .collect();
    unreferenced.sort();
    names.extend(unreferenced);
    let mut out = String::from("<ol class=\"footnotes-list\" type=\"a\">\n");
    for name in names {
        let id = heading_id(&name);
        let events = defs.remove(&name).unwrap_or_default();
        let mut inner = String::new();
        html::push_html(&mut inner, events.into_iter());
        let backref: String = (1..=uses.get(&name).copied().unwrap_or(0))
            .map(|n| {
                format!(
                    " <a class=\"backref\" href=\"#{}\" aria-label=\"Back to the text\">↩</a>",
                    footnote_ref_id(&id, n)
                )
            })
            .collect();
        out.push_str(&format!(
            "<li id=\"fn-{id}\">{}{backref}</li>\n",
            inner.trim_end()
        ));
    }
    out.push_str("</ol>\n");
    out
}

/// The HTML of the sentence of `block` that holds the event at `at`.
fn sentence_html(block: &[Event<'_>], at: usize) -> String {
    let is_end = |t: &str| -> Option<usize> {
        let b = t.as_bytes();
        (0..b.len()).rev().find(|&i| {
            matches!(b[i], b'.' | b'!' | b'?')
                && b.get(i + 1).is_none_or(|c| matches!(c, b' ' | b'\n'))
        })
    };
    // Start: after the last sentence end before `at`.
    let mut start = (0usize, 0usize);
    'back: for i in (0..at).rev() {
        if let Event::Text(t) = &block[i]
            && let Some(p) = is_end(t)
        {
            start = (i, p + 1);
            break 'back;
        }
    }
    // End: the first sentence end after `at`.
    let mut end = (block.len(), 0usize);
    'fwd: for (i, event) in block.iter().enumerate().skip(at + 1) {
        if let Event::Text(t) = event {
            let b = t.as_bytes();
            for j in 0..b.len() {
                if matches!(b[j], b'.' | b'!' | b'?')
                    && b.get(j + 1).is_none_or(|c| matches!(c, b' ' | b'\n'))
                {
                    end = (i, j + 1);
                    break 'fwd;
                }
            }
        }
    }
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut open = 0i32;
    let last = end.0.min(block.len().saturating_sub(1));
    for (i, event) in block.iter().enumerate().take(last + 1).skip(start.0) {
        let event = match event {
            Event::Text(t) => {
                let from = if i == start.0 {
                    start.1.min(t.len())
                } else {
                    0
                };
                let to = if i == end.0 {
                    end.1.min(t.len())
                } else {
                    t.len()
                };
                if from >= to || !t.is_char_boundary(from) || !t.is_char_boundary(to) {
                    continue;
                }
                Event::Text(CowStr::from(t[from..to].to_string()))
            }
            Event::SoftBreak | Event::HardBreak => Event::Text(CowStr::from(" ")),
            Event::Start(Tag::Paragraph | Tag::Item)
            | Event::End(TagEnd::Paragraph | TagEnd::Item) => continue,
            Event::Start(Tag::List(_)) | Event::End(TagEnd::List(_)) => continue,
            Event::Start(_) => {
                open += 1;
                event.clone()
            }
            Event::End(_) => {
                if open == 0 {
                    continue;
                }
                open -= 1;
                event.clone()
            }
            Event::InlineHtml(h) if h.starts_with("<a ") || h.starts_with("<span") => {
                open += 1;
                event.clone()
            }
            Event::InlineHtml(h) if h.starts_with("</") => {
                if open == 0 {
                    continue;
                }
                open -= 1;
                event.clone()
            }
            other => other.clone(),
        };
        // A citation left out of the sentence leaves the space before it ("her [@s]." would
        // read "her ."): drop that space when punctuation follows.
        if let (Event::Text(next), Some(Event::Text(prev))) = (&event, events.last_mut())
            && next.starts_with(['.', ',', ';', ':', '!', '?', ')'])
            && prev.ends_with(' ')
        {
            *prev = CowStr::from(prev.trim_end().to_string());
        }
        events.push(event);
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    // Close what the sentence cut open (a link whose closing tag fell outside it).
    for _ in 0..open.max(0) {
        out.push_str("</a>");
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_format_writes_them() {
        for number in [0, 7, 10, 99, 100, 4_096, usize::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, number);
            assert_eq!(out, format!("x{number}"));
        }
    }
    use crate::markdown::scan::scan;

    fn link(slug: &str) -> Option<LinkHtml<'static>> {
        Some(LinkHtml {
            label: None,
            href: format!("/people/{slug}/").into(),
            kind: "person",
            title: slug.to_string().into(),
            summary: "".into(),
        })
    }

    fn render(body: &str, links: &[Option<LinkHtml>], cites: &[Vec<CiteHtml>]) -> RenderedBody {
        let s = scan(body);
        render_body(
            body,
            &BodyContext {
                links,
                citations: cites,
                headings: &s.headings,
                raw_html: false,
                highlights: None,
            },
        )
    }

    #[test]
    fn wikilinks_become_links_and_sentences_are_captured() {
        let body = "First sentence here. Then [[ann]] met *[[bob|Bob]]* in Paris! Last one.\n";
        let out = render(body, &[link("ann"), link("bob")], &[]);
        assert!(
            out.html
                .contains("<a class=\"wikilink\" href=\"/people/ann/\""),
            "{}",
            out.html
        );
        let sentence = out.link_sentences[0].as_deref().unwrap();
        assert!(
            sentence.starts_with("Then <a class=\"wikilink\""),
            "{sentence}"
        );
        assert!(sentence.ends_with("in Paris!"), "{sentence}");
        assert!(
            sentence.contains("<em><a class=\"wikilink\" href=\"/people/bob/\""),
            "{sentence}"
        );
    }

    #[test]
    fn citations_become_superscripts() {
        let body = "Meta offered a lot [@bbg, \"tens of millions\"].\n";
        let cite = CiteHtml {
            number: 1,
            ref_id: "ref-1-1".into(),
            href: "/sources/bbg/#m-p1-1".into(),
            source_title: "B".into(),
            quote: "tens of millions".into(),
        };
        let out = render(body, &[], &[vec![cite]]);
        assert!(
            out.html.contains(
                "<sup class=\"citation\"><a id=\"ref-1-1\" href=\"/sources/bbg/#m-p1-1\""
            ),
            "{}",
            out.html
        );
        assert!(!out.html.contains("[@"), "{}", out.html);
    }

    #[test]
    fn raw_html_is_escaped() {
        let out = render("<script>alert(1)</script>\n\nHi <b>x</b>\n", &[], &[]);
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
    }

    #[test]
    fn author_footnotes_have_their_own_lettered_list() {
        let out = render("Text[^n].\n\n[^n]: My remark.\n", &[], &[]);
        assert!(out.html.contains("href=\"#fn-n\""), "{}", out.html);
        assert!(
            out.footnotes_html
                .contains("<li id=\"fn-n\"><p>My remark.</p>"),
            "{}",
            out.footnotes_html
        );
        assert_eq!(letters(0), "a");
        assert_eq!(letters(26), "aa");
    }

    #[test]
    fn headings_get_the_scanned_ids() {
        let out = render("## Career\n\n## Career\n", &[], &[]);
        assert!(out.html.contains("<h2 id=\"career\">"), "{}", out.html);
        assert!(out.html.contains("<h2 id=\"career-1\">"), "{}", out.html);
    }
}
