//! Markdown bodies: one parser configuration, shared by two passes over every note.
//!
//! [`scan`] reads a body once before anything is resolved and collects what the rest of the
//! pipeline must know about it (cross-links, citations, headings, blocks for coverage).
//! [`render`] reads it again once everything is resolved and writes HTML, replacing each
//! link and citation with what the resolve stage decided, in the same order. Both passes see
//! the same events because they share [`parser`] and [`text_runs`]. Syntax highlighting lives
//! in [`highlight`].

pub mod citation_syntax;
pub mod highlight;
pub mod render;

pub mod scan;

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options, Parser};

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

/// An event, or a run of adjacent text events merged into one string (pulldown-cmark splits
/// text at every `[`, `]` and `"`, which would cut citations apart).
pub enum Piece<'a> {
    Event(Event<'a>, Range<usize>),
    Text(TextRun),
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

/// Merges adjacent `Event::Text` into [`TextRun`]s; passes every other event through.
pub fn text_runs<'a>(events: impl Iterator<Item = (Event<'a>, Range<usize>)>) -> Vec<Piece<'a>> {
    let mut pieces = Vec::new();
    let mut run: Option<TextRun> = None;
    for (event, range) in events {
        // A soft line break is part of the running text: a citation or quote that a
        // hard-wrapped note continues on the next line stays one run.
        let event = match event {
            Event::SoftBreak => Event::Text(CowStr::Borrowed("\n")),
            other => other,
        };
        match event {
            // A soft line break is white space inside a paragraph: kept in the run so that a
            // citation whose quote wraps onto the next line stays one citation.
            Event::Text(_) | Event::SoftBreak => {
                let text = match event {
                    Event::Text(t) => t,
                    _ => pulldown_cmark::CowStr::Borrowed("\n"),
                };
                let current = run.get_or_insert_with(|| TextRun {
                    text: String::new(),
                    origins: Vec::new(),
                });
                current.origins.push((current.text.len(), range));
                current.text.push_str(&text);
            }
            other => {
                if let Some(r) = run.take() {
                    pieces.push(Piece::Text(r));
                }
                pieces.push(Piece::Event(other, range));
            }
        }
    }
    if let Some(r) = run.take() {
        pieces.push(Piece::Text(r));
    }
    pieces
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
/// `compensation-1`.
#[derive(Default)]
pub struct HeadingIds {
    used: std::collections::HashMap<String, usize>,
}

impl HeadingIds {
    pub fn unique(&mut self, base: String) -> String {
        match self.used.get_mut(&base) {
            None => {
                self.used.insert(base.clone(), 0);
                base
            }
            Some(n) => {
                *n += 1;
                let id = format!("{base}-{n}");
                self.used.insert(id.clone(), 0);
                id
            }
        }
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
