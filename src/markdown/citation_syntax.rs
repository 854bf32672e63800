//! The Pandoc-style citation syntax of SPEC §1: `[@slug]`, `[@slug, "quote"]`,
//! `[@a; @b, "quote"]`, with straight or curly quote delimiters.
//!
//! Works on one run of plain text (the caller has already removed code spans and code blocks)
//! and returns byte ranges into that run; it resolves nothing.

use std::ops::Range;

/// One `[@…]` group in a text run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitationGroup {
    pub range: Range<usize>,
    pub items: Vec<CitationItem>,
}

/// One `@slug, "quote"` inside a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitationItem {
    pub source: String,
    pub source_range: Range<usize>,
    /// The words between the quote marks, if any (see [`CitationItem::quote`]). Only the range
    /// is kept: every pass over a body finds its citations again, and the text is there.
    pub quote_range: Option<Range<usize>>,
}

impl CitationItem {
    /// The quoted words, from `text`, the run the citation was found in.
    pub fn quote<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.quote_range.clone()?)
    }
}

/// A `[@` that does not make a well-formed citation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitationSyntaxError {
    pub range: Range<usize>,
    pub message: String,
    pub help: String,
}

/// Every citation group in `text`, in order, or the error for a malformed one.
pub fn find_citations(text: &str) -> Vec<Result<CitationGroup, CitationSyntaxError>> {
    let mut found = Vec::new();
    let mut from = 0;
    // memchr's vectorised search: `str::find` went through most bodies a few bytes at a time.
    let opening = memchr::memmem::Finder::new(b"[@");
    while let Some(rel) = opening.find(&text.as_bytes()[from..]) {
        let start = from + rel;
        match parse_group(text, start) {
            Ok(group) => {
                from = group.range.end;
                found.push(Ok(group));
            }
            Err(err) => {
                from = start + 2;
                found.push(Err(err));
            }
        }
    }
    found
}

fn parse_group(text: &str, start: usize) -> Result<CitationGroup, CitationSyntaxError> {
    let bytes = text.as_bytes();
    let mut i = start + 1; // at '@'
    let mut items = Vec::new();
    let error = |at: usize, message: &str, help: &str| CitationSyntaxError {
        range: start..at.max(start + 2).min(text.len()),
        message: message.to_string(),
        help: help.to_string(),
    };
    loop {
        // expect '@'
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'@' {
            return Err(error(
                i,
                "a citation item must start with `@` and a source slug",
                "write [@source-slug] or [@a; @b, \"quote\"]",
            ));
        }
        i += 1;
        let slug_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b',' | b';' | b']' | b' ' | b'\n' | b'[' | b'"')
        {
            i += 1;
        }
        if i == slug_start {
            return Err(error(
                i,
                "a citation needs a source slug after `@`",
                "write [@source-slug]",
            ));
        }
        let source = text[slug_start..i].to_string();
        let source_range = slug_start..i;
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\n') {
            i += 1;
        }
        let mut quote_range = None;
        if i < bytes.len() && bytes[i] == b',' {
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\n') {
                i += 1;
            }
            let rest = &text[i..];
            let (close, open_len) = if rest.starts_with('"') {
                ("\"", 1)
            } else if rest.starts_with('\u{201c}') {
                ("\u{201d}", '\u{201c}'.len_utf8())
            } else {
                return Err(error(
                    i,
                    "after the comma a citation expects a quote in \"straight\" or “curly” quotes",
                    "write [@source, \"the exact words\"]",
                ));
            };
            let body_start = i + open_len;
            let Some(len) = text[body_start..].find(close) else {
                return Err(error(
                    text.len(),
                    "this quote is never closed",
                    "close the quote (one opened with \" ends at the next \", one opened with “ at the next ”); a quote cannot hold Markdown formatting such as *, _ or `, so quote the plain words",
                ));
            };
            quote_range = Some(body_start..body_start + len);
            i = body_start + len + close.len();
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\n') {
                i += 1;
            }
        }
        items.push(CitationItem {
            source,
            source_range,
            quote_range,
        });
        match bytes.get(i) {
            Some(b']') => {
                return Ok(CitationGroup {
                    range: start..i + 1,
                    items,
                });
            }
            Some(b';') => {
                i += 1;
                continue;
            }
            _ => {
                return Err(error(
                    i,
                    "this citation is not closed with `]`",
                    "separate several sources with `;` and end the citation with `]`",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<CitationGroup> {
        find_citations(text)
            .into_iter()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn plain_and_quoted_citations() {
        let text = "A [@a] and B [@b, \"tens of millions\"].";
        let groups = ok(text);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].items[0].source, "a");
        assert_eq!(groups[0].items[0].quote(text), None);
        assert_eq!(groups[1].items[0].quote(text), Some("tens of millions"));
        assert_eq!(
            &"A [@a] and B [@b, \"tens of millions\"]."[groups[1].range.clone()],
            "[@b, \"tens of millions\"]"
        );
    }

    #[test]
    fn several_sources_in_one_group() {
        let text = "[@a; @b, \"q\"; @c]";
        let groups = ok(text);
        let sources: Vec<&str> = groups[0].items.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(sources, ["a", "b", "c"]);
        assert_eq!(groups[0].items[1].quote(text), Some("q"));
    }

    #[test]
    fn curly_quotes_may_hold_straight_ones_and_back() {
        let text = "[@a, “the \"Super Intelligence\" division”] [@b, \"a “c” d\"]";
        let groups = ok(text);
        assert_eq!(
            groups[0].items[0].quote(text),
            Some("the \"Super Intelligence\" division")
        );
        assert_eq!(groups[1].items[0].quote(text), Some("a “c” d"));
    }

    #[test]
    fn malformed_citations_are_errors() {
        for bad in [
            "[@a, unquoted]",
            "[@a, \"never closed]",
            "[@]",
            "[@a @b]",
            "[@a",
        ] {
            let found = find_citations(bad);
            assert!(found.iter().any(|r| r.is_err()), "{bad} should be an error");
        }
    }

    #[test]
    fn an_email_or_plain_bracket_is_not_a_citation() {
        assert!(find_citations("mail me at a@b.org [see] [x]").is_empty());
    }
}
