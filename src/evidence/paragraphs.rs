//! Splitting a source body into paragraphs with stable ids.
//!
//! A paragraph is a block of lines between blank lines (a line that is empty or only white
//! space, no-break spaces included). Its range is the block trimmed of white space at both
//! ends, so it starts and ends on visible text. Ids are `p1`, `p2`, … in order of appearance;
//! they are what the source page uses as HTML ids and what citations link to, so the split
//! depends only on the body's text and never on the quotes that cite it.

use std::ops::Range;

/// One blank-line-separated block of a source body. Ids are "p1", "p2", … in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceParagraph {
    /// `p1`, `p2`, …: the HTML id of the paragraph on the source page.
    pub id: String,
    /// Byte range in the body, trimmed of surrounding blank lines and white space.
    pub range: Range<usize>,
}

/// The paragraphs of `body`, in order.
#[must_use]
pub fn split_paragraphs(body: &str) -> Vec<SourceParagraph> {
    let mut paragraphs = Vec::new();
    let mut block: Option<Range<usize>> = None;
    // The lines of `body`, each with its `\n` (as `split_inclusive` gives them), found with
    // memchr's vectorised search rather than the standard library's byte loop.
    let newlines = memchr::memchr_iter(b'\n', body.as_bytes()).map(|at| at + 1);
    let last_end = (!body.ends_with('\n')).then_some(body.len());
    let mut line_start = 0;
    for line_end in newlines.chain(last_end).filter(|&end| end > 0) {
        let line_range = line_start..line_end;
        line_start = line_end;
        let line = &body[line_range.clone()];
        if line.trim_start().is_empty() {
            if let Some(finished) = block.take() {
                push_trimmed(body, finished, &mut paragraphs);
            }
        } else {
            block = Some(match block {
                Some(open) => open.start..line_range.end,
                None => line_range,
            });
        }
    }
    if let Some(finished) = block {
        push_trimmed(body, finished, &mut paragraphs);
    }
    paragraphs
}

fn push_trimmed(body: &str, block: Range<usize>, paragraphs: &mut Vec<SourceParagraph>) {
    let Some(text) = body.get(block.clone()) else {
        return;
    };
    let leading = text.len() - text.trim_start().len();
    let trimmed_len = text.trim().len();
    if trimmed_len == 0 {
        return;
    }
    let start = block.start + leading;
    paragraphs.push(SourceParagraph {
        id: paragraph_id(paragraphs.len() + 1),
        range: start..start + trimmed_len,
    });
}

/// `p4` for the fourth paragraph, without `format!`.
fn paragraph_id(number: usize) -> String {
    let mut id = String::with_capacity(4);
    id.push('p');
    crate::markdown::render::push_decimal(&mut id, number);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(body: &'a str, paragraphs: &[SourceParagraph]) -> Vec<&'a str> {
        paragraphs.iter().map(|p| &body[p.range.clone()]).collect()
    }

    #[test]
    fn blocks_between_blank_lines_become_numbered_paragraphs() {
        let body = "\n\n  First line\nstill first.  \n\n \t\nSecond\r\n\r\n\u{00A0}\nThird";
        let paragraphs = split_paragraphs(body);
        let ids: Vec<&str> = paragraphs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p1", "p2", "p3"]);
        assert_eq!(
            texts(body, &paragraphs),
            ["First line\nstill first.", "Second", "Third"]
        );
    }

    #[test]
    fn empty_and_blank_bodies_have_no_paragraphs() {
        assert!(split_paragraphs("").is_empty());
        assert!(split_paragraphs(" \n\n\t\r\n").is_empty());
    }

    #[test]
    fn a_body_without_newlines_is_one_paragraph() {
        let paragraphs = split_paragraphs("مرحبا بالعالم");
        assert_eq!(paragraphs.len(), 1);
        assert_eq!(paragraphs[0].range, 0.."مرحبا بالعالم".len());
    }
}
