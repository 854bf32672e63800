//! The first pass over a body: what it links to, what it cites, its headings and its blocks.
//!
//! Runs before names are resolved, in parallel over all notes. It records positions (byte
//! ranges of the body) so that the resolve stage can report a bad link or quote at its line and
//! column, and order, so that the render pass can replace the n-th link with the n-th
//! resolution. It produces no HTML.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::citation_syntax::CitationItem;
use super::{HeadingIds, Piece, heading_id, is_script_url, pieces};

/// Everything the pipeline needs to know about one body.
#[derive(Debug, Default)]
pub struct BodyScan {
    pub links: Vec<LinkRef>,
    pub citations: Vec<CitationRef>,
    pub headings: Vec<HeadingRef>,
    pub blocks: Vec<Block>,
    pub problems: Vec<ScanProblem>,
}

/// A link to another note: `[[target#fragment|label]]` or `[label](../people/x.md#fragment)`.
#[derive(Debug, Clone)]
pub struct LinkRef {
    pub target: String,
    pub fragment: Option<String>,
    pub range: Range<usize>,
    pub style: LinkStyle,
    /// Whether the author wrote the link text (`[[target|label]]`, `[label](x.md)`).
    pub labelled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStyle {
    Wiki,
    /// A relative Markdown link to a `.md` file; `target` is the file name's stem.
    MarkdownFile,
}

/// One `[@…]` group with body positions.
#[derive(Debug, Clone)]
pub struct CitationRef {
    pub range: Range<usize>,
    pub items: Vec<CitationItem>,
    /// Index into `BodyScan::blocks` of the block it stands in, if any.
    pub block: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct HeadingRef {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A paragraph or list item: the unit of "citation needed".
#[derive(Debug, Clone)]
pub struct Block {
    pub range: Range<usize>,
    pub words: usize,
    pub cited: bool,
}

#[derive(Debug, Clone)]
pub struct ScanProblem {
    pub code: &'static str,
    pub range: Range<usize>,
    pub message: String,
    pub help: String,
}

/// Whether a Markdown link destination points at another note's file.
pub fn markdown_note_target(dest: &str) -> Option<(String, Option<String>)> {
    if dest.contains("://")
        || dest.starts_with('/')
        || dest.starts_with('#')
        || dest.starts_with("mailto:")
    {
        return None;
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (dest, None),
    };
    let file = path.rsplit('/').next()?;
    let stem = file.strip_suffix(".md")?;
    Some((stem.to_string(), fragment))
}

/// Splits a wikilink destination `target#fragment`.
pub fn split_wiki_target(dest: &str) -> (String, Option<String>) {
    match dest.split_once('#') {
        Some((t, f)) => (t.trim().to_string(), Some(f.trim().to_string())),
        None => (dest.trim().to_string(), None),
    }
}

/// `text.split_whitespace().count()`, without decoding characters when the text is ASCII
/// (every word of every body is counted, and decoding cost as much as the rest of the scan):
/// a word begins at each non-space byte that follows a space or the start.
pub fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut words = 0;
    let mut after_space = true;
    for &byte in text.as_bytes() {
        // The ASCII characters `char::is_whitespace` accepts (U+000B included).
        let space = matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        words += usize::from(after_space & !space);
        after_space = space;
    }
    words
}

pub fn scan(body: &str) -> BodyScan {
    let mut out = BodyScan::default();
    let mut ids = HeadingIds::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut open_block: Option<(usize, usize)> = None; // (index in out.blocks, nesting depth)
    let mut depth = 0usize;
    // The author's own footnotes are remarks, not claims: they are not coverage blocks.
    let mut in_footnote = false;
    for piece in pieces(body) {
        match piece {
            Piece::Text(run) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&run.text);
                }
                if let Some((b, _)) = open_block {
                    out.blocks[b].words += count_words(&run.text);
                }
            }
            Piece::Citation(Ok(group)) => {
                if let Some((b, _)) = open_block {
                    out.blocks[b].cited = true;
                }
                out.citations.push(CitationRef {
                    range: group.range,
                    items: group.items,
                    block: open_block.map(|(b, _)| b),
                });
            }
            Piece::Citation(Err(err)) => out.problems.push(ScanProblem {
                code: "bad-citation",
                range: err.range,
                message: err.message,
                help: err.help,
            }),
            Piece::Event(event, range) => match event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    heading = Some((level as u8, id.map(|i| i.to_string()), String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, explicit, text)) = heading.take() {
                        let id = ids.unique(explicit.unwrap_or_else(|| heading_id(&text)));
                        out.headings.push(HeadingRef {
                            level,
                            id,
                            text: text.trim().to_string(),
                        });
                    }
                }
                Event::Code(code) => {
                    if let Some((_, _, text)) = heading.as_mut() {
                        text.push_str(&code);
                    }
                }
                Event::Start(Tag::FootnoteDefinition(_)) => in_footnote = true,
                Event::End(TagEnd::FootnoteDefinition) => in_footnote = false,
                Event::Start(Tag::Paragraph | Tag::Item) => {
                    depth += 1;
                    if open_block.is_none() && !in_footnote {
                        out.blocks.push(Block {
                            range: range.clone(),
                            words: 0,
                            cited: false,
                        });
                        open_block = Some((out.blocks.len() - 1, depth));
                    }
                }
                Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                    if let Some((_, d)) = open_block
                        && d == depth
                    {
                        open_block = None;
                    }
                    depth = depth.saturating_sub(1);
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    if let LinkType::WikiLink { has_pothole } = link_type {
                        let (target, fragment) = split_wiki_target(&dest_url);
                        out.links.push(LinkRef {
                            target,
                            fragment,
                            range,
                            style: LinkStyle::Wiki,
                            labelled: has_pothole,
                        });
                    } else if is_script_url(&dest_url) {
                        out.problems.push(ScanProblem {
                            code: "script-link",
                            range,
                            message: format!(
                                "links with a script scheme are not allowed: \"{}\"",
                                dest_url
                            ),
                            help: "link to an http(s) page or to another note with [[…]]".into(),
                        });
                    } else if let Some((target, fragment)) = markdown_note_target(&dest_url) {
                        out.links.push(LinkRef {
                            target,
                            fragment,
                            range,
                            style: LinkStyle::MarkdownFile,
                            labelled: true,
                        });
                    }
                }
                Event::Start(Tag::Image { dest_url, .. }) if is_script_url(&dest_url) => {
                    out.problems.push(ScanProblem {
                        code: "script-link",
                        range,
                        message: format!(
                            "images with a script scheme are not allowed: \"{}\"",
                            dest_url
                        ),
                        help: "use an image file or an https URL".into(),
                    });
                }
                _ => {}
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn words_are_counted_as_split_whitespace_counts_them(
            text in "[a é \t\n\r\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{2003}\u{3000}\u{200b}日]{0,30}"
        ) {
            proptest::prop_assert_eq!(count_words(&text), text.split_whitespace().count());
        }
    }

    #[test]
    fn links_citations_and_headings_are_found_with_positions() {
        let body = "## Career\n\nPang [[ruoming-pang|Ruoming]] joined [[Meta#Pay]] [@bbg, \"a quote\"].\n\nSee [him](../people/ruoming-pang.md).\n";
        let s = scan(body);
        assert_eq!(s.headings[0].id, "career");
        let targets: Vec<&str> = s.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["ruoming-pang", "Meta", "ruoming-pang"]);
        assert_eq!(s.links[1].fragment.as_deref(), Some("Pay"));
        assert_eq!(s.links[2].style, LinkStyle::MarkdownFile);
        assert_eq!(s.citations.len(), 1);
        let q = s.citations[0].items[0].quote_range.clone().unwrap();
        assert_eq!(&body[q], "a quote");
        assert_eq!(&body[s.citations[0].range.clone()], "[@bbg, \"a quote\"]");
        assert!(s.blocks[0].cited && !s.blocks[1].cited);
    }

    #[test]
    fn citations_in_code_are_ignored() {
        let s = scan("Use `[@x]` like this:\n\n```\n[@y, \"z\"]\n```\n");
        assert!(s.citations.is_empty());
    }

    #[test]
    fn script_links_are_problems() {
        let s = scan("[click](javascript:alert(1))");
        assert_eq!(s.problems[0].code, "script-link");
    }
}
