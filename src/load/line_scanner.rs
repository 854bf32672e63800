//! The front matter most notes have, scanned line by line: block mappings and block lists, one
//! value per line, each value a plain word-like scalar or a double-quoted string without
//! escapes. For such a text it gives the very nodes granit_parser gives (values, styles and
//! positions) for a sixth of the work; for anything else (a comment, a blank line, a flow
//! collection, a tab, a `\r`, an escape, a multi-line scalar, an indentation it does not
//! expect, a character a plain scalar might treat specially) it gives up with `None` and
//! [`super::event_reader`] asks granit_parser. A test compares the two on every text it
//! accepts.

use std::borrow::Cow;

use granit_parser::ScalarStyle;

use crate::load::event_reader::Node;
use crate::load::frontmatter::YamlPosition;

/// Longer keys are left to granit_parser, which refuses simple keys over 1,024 characters.
const MAX_KEY_LEN: usize = 64;

/// The nodes of `text`: its mapping's start, its entries, its end; `None` when the text is not
/// of the shapes this scanner knows.
pub(super) fn scan(text: &str) -> Option<Vec<Node<'_>>> {
    if memchr::memchr2(b'\r', b'\t', text.as_bytes()).is_some() {
        return None;
    }
    let lines = split_lines(text)?;
    let first = lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let mut scanner = Scanner {
        lines: &lines,
        next: 0,
        nodes: Vec::with_capacity(lines.len() * 3),
    };
    scanner
        .nodes
        .push(Node::MapStart(position(first.number, 0, 0)));
    scanner.mapping(0, first.entry(0))?;
    scanner.nodes.push(Node::MapEnd);
    (scanner.next == lines.len()).then_some(scanner.nodes)
}

/// One line: its number (1-based), indentation and what follows the indentation.
struct Line<'a> {
    number: usize,
    indent: usize,
    body: &'a str,
}

impl<'a> Line<'a> {
    /// The part of the line from `column` (0-based, past the indentation) on.
    fn entry(&self, column: usize) -> Entry<'a> {
        Entry {
            number: self.number,
            column,
            text: &self.body[column - self.indent..],
        }
    }
}

/// Where a mapping entry or list item starts: line, 0-based column and the rest of the line.
struct Entry<'a> {
    number: usize,
    column: usize,
    text: &'a str,
}

/// Every line of `text`, none of them blank.
fn split_lines(text: &str) -> Option<Vec<Line<'_>>> {
    let mut lines = Vec::with_capacity(32);
    for (index, line) in text.split_terminator('\n').enumerate() {
        let body = line.trim_start_matches(' ');
        if body.is_empty() {
            return None;
        }
        lines.push(Line {
            number: index + 1,
            indent: line.len() - body.len(),
            body,
        });
    }
    Some(lines)
}

struct Scanner<'s, 'a> {
    lines: &'s [Line<'a>],
    next: usize,
    nodes: Vec<Node<'a>>,
}

impl<'a> Scanner<'_, 'a> {
    fn peek(&self) -> Option<&Line<'a>> {
        self.lines.get(self.next)
    }

    /// A block mapping whose keys stand at `indent`, the first of them in `first`.
    fn mapping(&mut self, indent: usize, first: Entry<'a>) -> Option<()> {
        self.next += 1;
        self.entry(indent, first)?;
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let entry = line.entry(indent);
            self.next += 1;
            self.entry(indent, entry)?;
        }
        Some(())
    }

    /// `key: value`, or `key:` with a block list on the lines below.
    fn entry(&mut self, indent: usize, entry: Entry<'a>) -> Option<()> {
        let (key, after) = split_key(entry.text)?;
        self.nodes.push(Node::Scalar(
            Cow::Borrowed(key),
            ScalarStyle::Plain,
            position(entry.number, entry.column, key.len()),
        ));
        if after.is_empty() {
            let line = self.peek()?;
            if line.indent <= indent || !line.body.starts_with("- ") {
                return None;
            }
            return self.sequence(line.indent);
        }
        let value = after.strip_prefix(' ')?.trim_start_matches(' ');
        let column = entry.column + entry.text.len() - value.len();
        self.scalar(entry.number, column, value)
    }

    /// A block list whose `- ` stand at `indent`.
    fn sequence(&mut self, indent: usize) -> Option<()> {
        let start = self.peek()?;
        self.nodes
            .push(Node::SeqStart(position(start.number, indent, 0)));
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let item = line.body.strip_prefix("- ")?;
            if item.starts_with(' ') {
                return None;
            }
            let entry = line.entry(indent + 2);
            if split_key(item).is_some() {
                self.nodes
                    .push(Node::MapStart(position(line.number, indent + 2, 0)));
                self.mapping(indent + 2, entry)?;
                self.nodes.push(Node::MapEnd);
            } else {
                self.next += 1;
                self.scalar(entry.number, entry.column, entry.text)?;
            }
        }
        self.nodes.push(Node::SeqEnd);
        Some(())
    }

    /// A value that fills the rest of its line.
    fn scalar(&mut self, number: usize, column: usize, text: &'a str) -> Option<()> {
        let node = if let Some(quoted) = text.strip_prefix('"') {
            let content = quoted.strip_suffix('"')?;
            if !content.chars().all(is_quotable) {
                return None;
            }
            Node::Scalar(
                Cow::Borrowed(content),
                ScalarStyle::DoubleQuoted,
                position(number, column, text.len()),
            )
        } else {
            if !is_plain(text) {
                return None;
            }
            Node::Scalar(
                Cow::Borrowed(text),
                ScalarStyle::Plain,
                position(number, column, text.len()),
            )
        };
        self.nodes.push(node);
        Some(())
    }
}

/// `key:` followed by the end of the line or a space: the key and what follows the colon.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let end = text
        .bytes()
        .position(|b| !(b.is_ascii_lowercase() || b == b'_'))?;
    let (key, rest) = text.split_at(end);
    let after = rest.strip_prefix(':')?;
    let valid = !key.is_empty() && key.len() <= MAX_KEY_LEN;
    (valid && (after.is_empty() || after.starts_with(' '))).then_some((key, after))
}

/// A character that stands for itself between double quotes: printable, not a quote, not a
/// backslash (an escape), and none of the characters YAML readers may treat as line breaks
/// or byte order marks.
fn is_quotable(c: char) -> bool {
    match c {
        '"' | '\\' => false,
        ' '..='~' => true,
        _ => is_plain_non_ascii(c),
    }
}

fn is_plain_non_ascii(c: char) -> bool {
    !matches!(
        c,
        '\0'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

/// A plain scalar that is one line and means its own text: it starts with a letter or a digit,
/// and has no `: ` or ` #` (which would end it), no trailing space or colon, and none of the
/// characters that open or close flow collections, comments or escapes.
fn is_plain(text: &str) -> bool {
    let starts_well = text
        .as_bytes()
        .first()
        .is_some_and(u8::is_ascii_alphanumeric);
    let ends_well = !text.ends_with([' ', ':']);
    let chars_well = text.chars().all(|c| match c {
        '[' | ']' | '{' | '}' | '#' | '\\' | '"' | '`' => false,
        ' '..='~' => true,
        _ => is_plain_non_ascii(c),
    });
    starts_well && ends_well && chars_well && !text.contains(": ") && !text.contains(" #")
}

/// granit_parser's position of a node at `column` (0-based, in characters) of line `number`,
/// as [`super::event_reader`] keeps it; the scanner's lines are ASCII up to their values, so
/// a byte column is a character column.
fn position(number: usize, column: usize, length: usize) -> YamlPosition {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    YamlPosition {
        line: clamp(number),
        column: clamp(column + 1),
        length: clamp(length),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::load::event_reader::parsed_nodes;

    /// Whenever the scanner takes `text`, granit_parser reads it to the same nodes. Returns
    /// whether the scanner took it.
    pub(in crate::load) fn agrees_with_granit(text: &str) -> bool {
        let Some(scanned) = scan(text) else {
            return false;
        };
        assert_eq!(
            Some(scanned),
            parsed_nodes(text),
            "scanned differently:\n{text}"
        );
        true
    }

    #[test]
    fn the_usual_front_matter_is_scanned_as_granit_parser_reads_it() {
        let text = "title: \"Agnes Dübois\"\nsummary: Plain words, with commas; and (more).\ntags:\n  - \"regulation\"\n  - infra\nroles:\n  - org: zag-semi\n    title:   \"Board\"\n    from: 2004\n    cite:\n      - source: the-wire-2022-12-13\n        quote: \"were. Demand 'from' effort: ok\"\n      - plain-slug\n    until: null\nfacts:\n    - label: x\n      value: https://example.com/a?b=c&d=%20\ncite: slug\nurl: O'Brien's page — ünïcode 漢字\n";
        assert!(agrees_with_granit(text));
        assert!(agrees_with_granit(text.trim_end()));
    }

    #[test]
    fn other_texts_are_left_to_granit_parser() {
        for text in [
            "title: a\r\n",
            "title:\ta\n",
            "title: a\n\nkind: b\n",
            "# comment\ntitle: a\n",
            "title: a # comment\n",
            "title: \"a\\tb\"\n",
            "title: \"a\" \n",
            "title: a \n",
            "title: a:\n",
            "title: a: b\n",
            "title: plain\n  continued\n",
            "title: [a, b]\n",
            "title: 'single'\n",
            "title: |\n  block\n",
            "title: -a\n",
            "title: é\n",
            "title:\n",
            "tags:\n- a\n",
            "tags:\n  -  a\n",
            "tags:\n  - a\n   - b\n",
            "tags:\n  - a\n kind: b\n",
            "  title: a\n",
            "title: &a x\n",
            "title: !t x\n",
            "---\ntitle: a\n",
            "Title: a\n",
            "title: a\u{2028}b\n",
        ] {
            assert!(scan(text).is_none(), "scanned:\n{text}");
        }
    }

    /// Values of every kind: plain, quoted, escaped, flow, tagged, anchored, null, numbers,
    /// and characters YAML treats specially.
    const PIECES: &[&str] = &[
        "plain words",
        "\"quoted\"",
        "\"\"",
        "2020",
        "-1",
        "1.5",
        "true",
        "null",
        "~",
        "",
        "a: b",
        "a:b",
        "a #b",
        "a#b",
        "trailing ",
        "x:",
        "\"esc\\\"\"",
        "\"a\\b\"",
        "é",
        "aé",
        "x, y",
        "[a]",
        "{a: b}",
        "'s'",
        "a's",
        "http://x.y/z?q=1",
        "-x",
        "- x",
        "? x",
        "%x",
        "@x",
        "a`b",
        "!t x",
        "&a x",
        "*a",
        "a\tb",
        "a\u{85}b",
        "a\u{feff}",
        "\"a\u{7f}\"",
        "a - b",
        "a | b",
        "a > b",
        "\"a: #b\"",
        "\"x",
        "x\"",
        "a \"b\" c",
        "漢字",
        "a,b",
        "x?y",
        "a=b&c",
        "(a)",
        "a;b",
        "a!b",
        "a*b",
        "a&b",
        "a%b",
        "a@b",
        "a|b",
        "a>b",
        "a<b",
        "a'",
        "\"'\"",
        "\"  spaced  \"",
        "a  b",
        "1:2",
        "12:30",
        "0x1F",
        "e5",
    ];

    fn piece() -> impl Strategy<Value = String> {
        prop::sample::select(PIECES).prop_map(str::to_string)
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "title", "tags", "cite", "org", "source", "quote", "label", "x_y", "Title", "a b", "",
            "-", "?",
        ])
        .prop_map(str::to_string)
    }

    /// A line of a front matter: mostly in the shapes the scanner knows, with glitches.
    fn line() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![0usize, 0, 2, 2, 4, 4, 6, 8, 1, 3]),
            prop::sample::select(vec!["", "", "- ", "-  ", "-", "# "]),
            key(),
            prop::sample::select(vec![": ", ": ", ":", ":  ", " : ", " "]),
            piece(),
        )
            .prop_map(|(indent, dash, key, colon, value)| {
                let value = if colon == ":" { String::new() } else { value };
                format!("{}{dash}{key}{colon}{value}", " ".repeat(indent))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn whatever_the_scanner_takes_granit_parser_reads_alike(
            lines in prop::collection::vec(line(), 1..12),
            newline in any::<bool>(),
        ) {
            let mut text = lines.join("\n");
            if newline {
                text.push('\n');
            }
            agrees_with_granit(&text);
        }

    }

    /// Front matter of the usual shapes with values of every kind the pieces have: the scanner
    /// must take many of them (and read them as granit_parser does).
    #[test]
    fn well_formed_front_matter_with_any_values_is_scanned_alike() {
        let mut taken = 0;
        for a in PIECES {
            for b in PIECES {
                for text in [
                    format!("title: {a}\nkind: {b}\n"),
                    format!("tags:\n  - {a}\n  - {b}\nsummary: {a}\n"),
                    format!(
                        "roles:\n  - org: {a}\n    cite:\n      - source: {b}\n        quote: {a}\n      - {b}\n"
                    ),
                    format!("facts:\n    - label: {a}\n      value: {b}\n    - {b}\ntitle: {a}"),
                ] {
                    taken += usize::from(agrees_with_granit(&text));
                }
            }
        }
        assert!(taken > 1000, "only {taken} taken");
    }
}
