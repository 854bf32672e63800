//! Markdown bodies: one parser configuration, shared by two passes over every note.
//!
//! [`scan`] reads a body once before anything is resolved and collects what the rest of the
//! pipeline must know about it (cross-links, citations, headings, blocks for coverage).
//! [`render`] reads it again once everything is resolved and writes HTML, replacing each
//! link and citation with what the resolve stage decided, in the same order. Both passes see
//! the same events because they share [`parser`] and [`text_runs`]. Syntax highlighting lives
//! in [`highlight`], and the blocks a rebuild need not highlight again in [`highlight_memo`].

pub mod citation_syntax;
pub mod highlight;
pub mod highlight_memo;
pub mod render;

pub mod scan;

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

use citation_syntax::{CitationGroup, CitationSyntaxError};

/// The parser with every extension SPEC §1 asks for.
pub fn parser(
    body: &str,
) -> pulldown_cmark::OffsetIter<'_, pulldown_cmark::DefaultBrokenLinkCallback> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_WIKILINKS;
    Parser::new_ext(body, options).into_offset_iter()
}

/// An event, a run of adjacent text merged into one string, or a citation.
pub enum Piece<'a> {
    Event(Event<'a>, Range<usize>),
    Text(TextRun),
    /// A `[@…]` group (ranges are byte offsets of the body), or why it is malformed.
    Citation(Result<CitationGroup, CitationSyntaxError>),
}

/// Merged text with a map back to the body, for diagnostics.
pub struct TextRun {
    pub text: String,
    /// (offset in `text`, byte range in the body) for each merged event.
    pub origins: Vec<(usize, Range<usize>)>,
}

impl TextRun {
    /// The body offset of byte `offset` of the run (approximate inside escaped text).
    pub fn body_offset(&self, offset: usize) -> usize {
        let mut best = self.origins.first().map_or(0, |(_, r)| r.start);
        for (start, range) in &self.origins {
            if *start <= offset {
                best = (range.start + (offset - start)).min(range.end.max(range.start));
            }
        }
        best
    }
}

fn group_range(found: &Result<CitationGroup, CitationSyntaxError>) -> Range<usize> {
    match found {
        Ok(g) => g.range.clone(),
        Err(e) => e.range.clone(),
    }
}

/// The body as pieces, the same for both passes. Citations are found in the raw text of the
/// body (so a quote may hold `*`, `_` or a line break, as the source does), except inside
/// code and raw HTML; the Markdown events they cover are dropped in favour of one
/// [`Piece::Citation`]. Adjacent text is merged into [`TextRun`]s.
pub fn pieces(body: &str) -> Vec<Piece<'_>> {
    // Sized for a typical body (an event every ~40 bytes), so that the list is not copied
    // into a larger one half a dozen times as it grows; the same for each text run below.
    let mut events: Vec<(Event<'_>, Range<usize>)> = Vec::with_capacity(16 + body.len() / 32);
    events.extend(parser(body));
    let groups: Vec<Result<CitationGroup, CitationSyntaxError>> =
        if memchr::memmem::find(body.as_bytes(), b"[@").is_some() {
            let literal: Vec<Range<usize>> = events
                .iter()
                .filter(|(e, _)| {
                    matches!(
                        e,
                        Event::Code(_)
                            | Event::Html(_)
                            | Event::InlineHtml(_)
                            | Event::Start(Tag::CodeBlock(_))
                    )
                })
                .map(|(_, r)| r.clone())
                .collect();
            citation_syntax::find_citations(body)
                .into_iter()
                .filter(|g| {
                    let r = group_range(g);
                    // A citation that starts in code or raw HTML is code; one that starts in text
                    // is a citation, even if its quote holds `code` or <b>markup</b>.
                    !literal
                        .iter()
                        .any(|l| l.start <= r.start && r.start < l.end)
                })
                .map(|g| match g {
                    // A citation never runs over a blank line: its quote was left open.
                    Ok(group) if body[group.range.clone()].contains("\n\n") => {
                        Err(CitationSyntaxError {
                            range: group.range.start..group.range.start + 2,
                            message: "this quote is never closed in its paragraph".to_string(),
                            help: "close the quote before the end of the paragraph".to_string(),
                        })
                    }
                    other => other,
                })
                .collect()
        } else {
            Vec::new()
        };
    let mut out = Vec::with_capacity(events.len());
    let mut run: Option<TextRun> = None;
    let mut next_group = 0usize;
    let mut covered = 0..0usize;
    let push_text = |run: &mut Option<TextRun>, text: &str, range: Range<usize>| {
        let current = run.get_or_insert_with(|| TextRun {
            // A run is most often a paragraph: room for one of a few hundred bytes.
            text: String::with_capacity(text.len().max(384)),
            origins: Vec::with_capacity(8),
        });
        current.origins.push((current.text.len(), range));
        current.text.push_str(text);
    };
    for (event, range) in events {
        // Markdown inside a citation (emphasis around a word of the quote, say) is part of it.
        if range.start >= covered.start && range.end <= covered.end && range.start < range.end {
            continue;
        }
        match event {
            // A soft line break is white space inside a paragraph.
            Event::Text(_) | Event::SoftBreak => {
                let text: &str = match &event {
                    Event::Text(t) => t,
                    _ => "\n",
                };
                let exact = text.len() == range.len();
                let mut from = range.start.max(covered.end);
                if from >= range.end {
                    continue;
                }
                while next_group < groups.len()
                    && group_range(&groups[next_group]).start < range.end
                {
                    let g = group_range(&groups[next_group]);
                    if g.start < from {
                        // Started before this event: already emitted.
                        next_group += 1;
                        continue;
                    }
                    if g.start > from {
                        let piece = if exact {
                            &text[from - range.start..g.start - range.start]
                        } else {
                            &body[from..g.start]
                        };
                        // The superscript sits right against the word it supports.
                        let piece = piece.trim_end_matches([' ', '\t']);
                        push_text(&mut run, piece, from..g.start);
                    } else if let Some(r) = run.as_mut() {
                        let trimmed = r.text.trim_end_matches([' ', '\t']).len();
                        r.text.truncate(trimmed);
                    }
                    if let Some(r) = run.take() {
                        out.push(Piece::Text(r));
                    }
                    out.push(Piece::Citation(groups[next_group].clone()));
                    covered = g.clone();
                    from = g.end;
                    next_group += 1;
                    if from >= range.end {
                        break;
                    }
                }
                if from < range.end {
                    let piece = if exact {
                        &text[from - range.start..]
                    } else {
                        &body[from..range.end]
                    };
                    push_text(&mut run, piece, from..range.end);
                }
            }
            other => {
                if let Some(r) = run.take() {
                    out.push(Piece::Text(r));
                }
                out.push(Piece::Event(other, range));
            }
        }
    }
    if let Some(r) = run.take() {
        out.push(Piece::Text(r));
    }
    out
}

/// The anchor id of a heading: lower-case words joined by `-`, letters of any script kept.
pub fn heading_id(text: &str) -> String {
    let mut id = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !id.is_empty() {
                id.push('-');
            }
            dash = false;
            id.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            dash = true;
        }
    }
    if id.is_empty() {
        "section".to_string()
    } else {
        id
    }
}

/// Gives each heading a unique id: the first "Compensation" is `compensation`, the second
/// `compensation-1`. Ids the page itself uses (docs/conventions.md) are never given to a
/// heading: a note's "## Sources" becomes `sources-1`, since `#sources` is the Sources list.
#[derive(Default)]
pub struct HeadingIds {
    used: std::collections::HashMap<String, usize>,
}

/// Ids of the page around a note's body.
const PAGE_IDS: &[&str] = &[
    "main",
    "site-search",
    "search-page",
    "contents",
    "sources",
    "sources-differ",
    "people",
    "timeline",
    "graph",
    "related",
    "mentioned-in",
    "appears-in-sources",
    "footnotes",
    "cited-by",
];

/// Families of ids the page numbers itself: citations, source entries, footnotes, source
/// paragraphs and marks.
fn has_page_id_prefix(id: &str) -> bool {
    ["ref-", "source-", "fn-", "fnref-", "m-p"]
        .iter()
        .any(|prefix| id.starts_with(prefix))
        || (id.len() > 1 && id.starts_with('p') && id[1..].bytes().all(|b| b.is_ascii_digit()))
}

impl HeadingIds {
    pub fn unique(&mut self, base: String) -> String {
        let base = if has_page_id_prefix(&base) {
            format!("h-{base}")
        } else {
            base
        };
        let mut candidate = base.clone();
        let mut n = 0;
        while self.used.contains_key(&candidate) || PAGE_IDS.contains(&candidate.as_str()) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.used.insert(candidate.clone(), 0);
        candidate
    }
}

/// A link with a script scheme, which SPEC §1 makes an error.
pub fn is_script_url(url: &str) -> bool {
    let lower: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    lower.starts_with("javascript:")
        || lower.starts_with("vbscript:")
        || (lower.starts_with("data:") && !lower.starts_with("data:image/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_are_readable_and_unique() {
        let mut ids = HeadingIds::default();
        assert_eq!(
            ids.unique(heading_id("Compensation & pay")),
            "compensation-pay"
        );
        assert_eq!(
            ids.unique(heading_id("Compensation & pay")),
            "compensation-pay-1"
        );
        assert_eq!(heading_id("李伟 的 职业"), "李伟-的-职业");
        assert_eq!(heading_id("!!!"), "section");
    }

    #[test]
    fn script_schemes_are_recognised() {
        assert!(is_script_url("javascript:alert(1)"));
        assert!(is_script_url(" JaVa\tScript:alert(1)"));
        assert!(is_script_url("data:text/html,<script>"));
        assert!(!is_script_url("data:image/png;base64,AAAA"));
        assert!(!is_script_url("https://example.org"));
    }
}
