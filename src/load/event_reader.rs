//! The front matter as almost every note writes it, read straight from granit_parser's events:
//! the parser serde-saphyr runs, with the options it gives it, so the same text yields the same
//! events and the same positions.
//!
//! serde-saphyr spends about as much again as the parser on each event (alias replay, budgets,
//! a hashed fingerprint per key for duplicate detection, `Spanned` built through a synthetic
//! map), which is half of all front matter parsing. This reader takes only the shapes whose
//! meaning is plain: one mapping of known keys, each once, with untagged, unanchored scalars,
//! lists and mappings of the schema's shapes, and scalars read as serde-saphyr reads them for
//! the field's type. Anything else (an error of any kind, a tag, an anchor or alias, a value
//! serde-saphyr would turn into a number, a boolean or null where the schema does not take it,
//! an unusually long front matter) makes it give up with `None`, and the caller lets
//! serde-saphyr read the text: every diagnostic still comes from serde-saphyr, and for
//! what this reader accepts it builds the same [`FrontMatter`] serde-saphyr would (a test
//! compares the two on every shape it knows).
//!
//! Most front matter is simpler still, one value per line: for such a text the nodes come from
//! [`line_scanner`], which gives granit_parser's very nodes for a sixth of its work, and
//! granit_parser runs only for the others. A front matter of 20 lines costs ~35,000
//! instructions this way, against ~300,000 through serde-saphyr.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle, Span, StrInput};

use crate::load::frontmatter::{
    CiteItemYaml, CiteYaml, FactYaml, FrontMatter, QuotedCite, RoleYaml, Spanned, Text,
    YamlPosition,
};
use crate::load::line_scanner;

/// Past this many events the reader gives up and serde-saphyr reads the text, so that its
/// budgets (250,000 nodes, 1,000,000 events) are enforced where they apply.
const MAX_EVENTS: usize = 20_000;

/// Reads `text` (a front matter without its `---` lines) when it has only the common shapes;
/// `None` when serde-saphyr has to read it (see the module's documentation).
pub fn read_front_matter(text: &str) -> Option<FrontMatter> {
    if let Some(nodes) = line_scanner::scan(text) {
        // The very nodes granit_parser would give: if they are not of the schema's shapes,
        // neither would granit_parser's be.
        let mut events = Events::Scanned(nodes.into_iter());
        let front = mapping_of_front_matter(&mut events)?;
        return events.node().is_none().then_some(front);
    }
    let mut events = Events::parse(text);
    events.expect(|e| matches!(e, Event::StreamStart))?;
    events.expect(|e| matches!(e, Event::DocumentStart(..)))?;
    let front = mapping_of_front_matter(&mut events)?;
    events.expect(|e| matches!(e, Event::DocumentEnd))?;
    events.expect(|e| matches!(e, Event::StreamEnd))?;
    events.event().is_none().then_some(front)
}

fn mapping_of_front_matter(events: &mut Events) -> Option<FrontMatter> {
    let Node::MapStart(_) = events.node()? else {
        return None;
    };
    front_matter_fields(events)
}

/// One node's event, as far as the reader takes it.
#[derive(Debug, PartialEq)]
pub(super) enum Node<'a> {
    Scalar(Cow<'a, str>, ScalarStyle, YamlPosition),
    SeqStart(YamlPosition),
    SeqEnd,
    MapStart(YamlPosition),
    MapEnd,
}

/// Where the nodes come from: the line scanner, or granit_parser itself.
// One lives on the stack while a front matter is read; boxing the parser would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
enum Events<'a> {
    Scanned(std::vec::IntoIter<Node<'a>>),
    Parsed {
        parser: Parser<'a, StrInput<'a>>,
        count: usize,
    },
}

impl<'a> Events<'a> {
    fn parse(text: &'a str) -> Self {
        // What serde-saphyr's default `Options` give the parser (`Budget::parser_options`):
        // granit_parser's defaults, with comments not emitted since its `comments` feature is off.
        let options = granit_parser::options! { emit_comments: false };
        Events::Parsed {
            parser: Parser::with_options(StrInput::new(text), options),
            count: 0,
        }
    }

    /// granit_parser's next event; `None` after an error or [`MAX_EVENTS`].
    fn event(&mut self) -> Option<(Event<'a>, Span)> {
        let Events::Parsed { parser, count } = self else {
            return None;
        };
        *count += 1;
        if *count > MAX_EVENTS {
            return None;
        }
        parser.next()?.ok()
    }

    fn expect(&mut self, wanted: impl Fn(&Event<'a>) -> bool) -> Option<()> {
        let (event, _) = self.event()?;
        wanted(&event).then_some(())
    }

    /// The next node event; `None` for anything with a tag or an anchor, an alias, a document
    /// or stream boundary, or a parser error.
    fn node(&mut self) -> Option<Node<'a>> {
        if let Events::Scanned(nodes) = self {
            return nodes.next();
        }
        let (event, span) = self.event()?;
        match event {
            Event::Scalar(value, style, 0, None) => {
                Some(Node::Scalar(value, style, position_of(&span)))
            }
            Event::SequenceStart(_, 0, None) => Some(Node::SeqStart(position_of(&span))),
            Event::SequenceEnd => Some(Node::SeqEnd),
            Event::MappingStart(_, 0, None) => Some(Node::MapStart(position_of(&span))),
            Event::MappingEnd => Some(Node::MapEnd),
            _ => None,
        }
    }

    /// The next key of the mapping being read, `None` at its end (`Some(None)`); a key that is
    /// not a scalar gives up.
    fn key(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.node()? {
            Node::MapEnd => Some(None),
            Node::Scalar(key, _, _) => Some(Some(key)),
            _ => None,
        }
    }
}

/// granit_parser's nodes for `text` (one document's), for comparing the line scanner's with.
#[cfg(test)]
pub(super) fn parsed_nodes(text: &str) -> Option<Vec<Node<'_>>> {
    let mut events = Events::parse(text);
    events.expect(|e| matches!(e, Event::StreamStart))?;
    events.expect(|e| matches!(e, Event::DocumentStart(..)))?;
    let (mut nodes, mut depth) = (Vec::new(), 0);
    loop {
        let node = events.node()?;
        match node {
            Node::MapStart(_) | Node::SeqStart(_) => depth += 1,
            Node::MapEnd | Node::SeqEnd => depth -= 1,
            Node::Scalar(..) => {}
        }
        nodes.push(node);
        if depth == 0 {
            break;
        }
    }
    events.expect(|e| matches!(e, Event::DocumentEnd))?;
    events.expect(|e| matches!(e, Event::StreamEnd))?;
    Some(nodes)
}

/// serde-saphyr's position of a node (`location_from_span`), kept as [`Spanned`] keeps it.
fn position_of(span: &Span) -> YamlPosition {
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let length = match (span.start.byte_offset(), span.end.byte_offset()) {
        (Some(start), Some(end)) => {
            let length = end.saturating_sub(start);
            if start <= u32::MAX as usize && length <= u32::MAX as usize {
                length
            } else {
                1
            }
        }
        _ => 1,
    };
    YamlPosition {
        line: clamp(span.start.line()),
        column: clamp(span.start.col().saturating_add(1)),
        length: clamp(length),
    }
}

/// A plain scalar that YAML reads as null: what serde-saphyr turns into `None` for an
/// `Option` and refuses for a string.
fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn front_matter_fields(events: &mut Events) -> Option<FrontMatter> {
    let mut front = FrontMatter::default();
    let mut seen = 0u32;
    while let Some(key) = events.key()? {
        let bit = 1u32 << FIELDS.iter().position(|field| *field == key)?;
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        let node = events.node()?;
        let f = &mut front;
        match &*key {
            "title" => f.title = optional(node, text)?,
            "kind" => f.kind = optional(node, text)?,
            "summary" => f.summary = optional(node, string)?,
            "aliases" => f.aliases = optional(node, |n| list(events, n, |_, n| text(n)))?,
            "tags" => f.tags = optional(node, |n| list(events, n, |_, n| text(n)))?,
            "draft" => f.draft = optional(node, boolean)?,
            "updated" => f.updated = optional(node, text)?,
            "facts" => f.facts = optional(node, |n| list(events, n, fact))?,
            "roles" => f.roles = optional(node, |n| list(events, n, role))?,
            "parent" => f.parent = optional(node, text)?,
            "founded" => f.founded = optional(node, text)?,
            "website" => f.website = optional(node, text)?,
            "date" => f.date = optional(node, text)?,
            "until" => f.until = optional(node, text)?,
            "participants" => f.participants = optional(node, |n| list(events, n, |_, n| text(n)))?,
            "location" => f.location = optional(node, string)?,
            "cite" => f.cite = optional(node, |n| cite(events, n))?,
            "publisher" => f.publisher = optional(node, string)?,
            "author" => f.author = optional(node, string)?,
            "url" => f.url = optional(node, text)?,
            "via" => f.via = optional(node, string)?,
            "relies_on" => f.relies_on = optional(node, |n| list(events, n, |_, n| text(n)))?,
            "language" => f.language = optional(node, string)?,
            "original" => f.original = optional(node, string)?,
            _ => return None,
        }
    }
    Some(front)
}

/// The keys [`front_matter_fields`] reads: those of [`FrontMatter`].
const FIELDS: &[&str] = crate::load::frontmatter::ALL_KEYS;

/// An `Option` field: a null is `None`, anything else is read by `read`.
fn optional<'a, T>(node: Node<'a>, read: impl FnOnce(Node<'a>) -> Option<T>) -> Option<Option<T>> {
    match node {
        Node::Scalar(value, style, _) if is_null(&value, style) => Some(None),
        node => read(node).map(Some),
    }
}

/// A string field: any scalar but a null, verbatim (serde-saphyr's `deserialize_string`).
fn string(node: Node) -> Option<String> {
    match node {
        Node::Scalar(value, style, _) if !is_null(&value, style) => Some(value.into_owned()),
        _ => None,
    }
}

fn text(node: Node) -> Option<Text> {
    match node {
        Node::Scalar(value, style, at) if !is_null(&value, style) => Some(Spanned {
            value: value.into_owned(),
            at,
        }),
        _ => None,
    }
}

/// A strict boolean, in the plain spellings only (others give up).
fn boolean(node: Node) -> Option<bool> {
    match node {
        Node::Scalar(value, ScalarStyle::Plain, _) => match &*value {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A list whose items `read` takes, each from its first event.
fn list<'a, T>(
    events: &mut Events<'a>,
    node: Node<'a>,
    mut read: impl FnMut(&mut Events<'a>, Node<'a>) -> Option<T>,
) -> Option<Vec<T>> {
    let Node::SeqStart(_) = node else {
        return None;
    };
    let mut items = Vec::new();
    loop {
        match events.node()? {
            Node::SeqEnd => return Some(items),
            item => items.push(read(events, item)?),
        }
    }
}

/// A mapping's entries, each key given once: `read` takes each key and its value node.
fn entries<'a>(
    events: &mut Events<'a>,
    node: Node<'a>,
    keys: &[&str],
    mut read: impl FnMut(&mut Events<'a>, usize, Node<'a>) -> Option<()>,
) -> Option<()> {
    let Node::MapStart(_) = node else {
        return None;
    };
    let mut seen = 0u32;
    while let Some(key) = events.key()? {
        let index = keys.iter().position(|k| *k == key)?;
        if seen & (1 << index) != 0 {
            return None;
        }
        seen |= 1 << index;
        let value = events.node()?;
        read(events, index, value)?;
    }
    Some(())
}

fn role<'a>(events: &mut Events<'a>, node: Node<'a>) -> Option<RoleYaml> {
    let (mut org, mut title, mut from, mut until, mut cited) = (None, None, None, None, None);
    entries(
        events,
        node,
        &["org", "title", "from", "until", "cite"],
        |events, index, value| {
            match index {
                0 => org = Some(text(value)?),
                1 => title = optional(value, string)?,
                2 => from = optional(value, text)?,
                3 => until = optional(value, text)?,
                _ => cited = optional(value, |n| cite(events, n))?,
            }
            Some(())
        },
    )?;
    Some(RoleYaml {
        org: org?,
        title,
        from,
        until,
        cite: cited,
    })
}

fn fact<'a>(events: &mut Events<'a>, node: Node<'a>) -> Option<FactYaml> {
    let (mut label, mut value, mut cited, mut as_of) = (None, None, None, None);
    entries(
        events,
        node,
        &["label", "value", "cite", "as_of"],
        |events, index, node| {
            match index {
                0 => label = Some(text(node)?),
                1 => value = Some(text(node)?),
                2 => cited = optional(node, |n| cite(events, n))?,
                _ => as_of = optional(node, text)?,
            }
            Some(())
        },
    )?;
    Some(FactYaml {
        label: label?,
        value: value?,
        cite: cited,
        as_of,
    })
}

/// `cite:`: one citation or a list of them, with the position of what was written.
fn cite<'a>(events: &mut Events<'a>, node: Node<'a>) -> Option<Spanned<CiteYaml>> {
    match node {
        Node::SeqStart(at) => {
            let items = list(events, Node::SeqStart(at), cite_item)?;
            Some(Spanned {
                value: CiteYaml::Many(items),
                at,
            })
        }
        Node::Scalar(_, _, at) | Node::MapStart(at) => Some(Spanned {
            value: CiteYaml::One(cite_item(events, node)?),
            at,
        }),
        _ => None,
    }
}

/// A slug or `{source, quote}`. `cite:` is read as YAML's own types say (serde's
/// `deserialize_any`), so a plain scalar is taken only when it cannot be a null, a boolean or
/// a number: when it starts with a letter and is no boolean (the only words YAML 1.2 reads as
/// numbers, `.inf` and `.nan`, start with a dot).
fn cite_item<'a>(events: &mut Events<'a>, node: Node<'a>) -> Option<CiteItemYaml> {
    match node {
        Node::Scalar(value, ScalarStyle::Plain, _) => {
            let starts_with_letter = value
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphabetic);
            let is_word_of_yaml = is_null(&value, ScalarStyle::Plain)
                || matches!(
                    &*value,
                    "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
                );
            (starts_with_letter && !is_word_of_yaml).then(|| CiteItemYaml::Slug(value.into_owned()))
        }
        Node::Scalar(value, _, _) => Some(CiteItemYaml::Slug(value.into_owned())),
        node @ Node::MapStart(_) => {
            let (mut source, mut quote) = (None, None);
            entries(events, node, &["source", "quote"], |_, index, value| {
                let slot = if index == 0 { &mut source } else { &mut quote };
                *slot = Some(string(value)?);
                Some(())
            })?;
            Some(CiteItemYaml::Quoted(QuotedCite {
                source: source?,
                quote: quote?,
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::frontmatter::ALL_KEYS;

    /// What serde-saphyr makes of `text`, as loading does when this reader gives up.
    fn by_serde_saphyr(text: &str) -> Result<FrontMatter, String> {
        crate::load::yaml::parse::<FrontMatter>(text, Path::new("x.md"), 0, 0, ALL_KEYS)
            .map_err(|d| format!("{d:?}"))
    }

    /// Whenever the reader takes `text`, serde-saphyr reads it without error and to the same
    /// values and positions. Returns whether the reader took it.
    fn agrees_with_serde_saphyr(text: &str) -> bool {
        line_scanner::tests::agrees_with_granit(text);
        let Some(direct) = read_front_matter(text) else {
            return false;
        };
        match by_serde_saphyr(text) {
            Ok(expected) => assert_eq!(
                format!("{direct:#?}"),
                format!("{expected:#?}"),
                "read differently:\n{text}"
            ),
            Err(error) => panic!("taken, but serde-saphyr refuses it ({error}):\n{text}"),
        }
        true
    }

    const PERSON: &str = "title: \"Agnes Dubois\"\nsummary: \"Research rule.\"\ntags:\n  - \"regulation\"\n  - infrastructure\nroles:\n  - org: zaguxvai-semiconductor\n    title: \"Board Member\"\n    from: \"2000-03\"\n    until: \"2004\"\n    cite:\n      - source: the-rosodo-wire-2022-12-13\n        quote: \"were. Demand from effort\"\n  - org: other\n    cite: a-source\nfacts:\n  - label: \"Headquarters\"\n    value: \"Lisbon\"\n    as_of: 2019\n    cite:\n      - source: the-laifyvai-times-2025-03-17\n        quote: \"storage common later\"\n      - plain-slug\n";
    const EVENT: &str = "title: 'Agnes F. Petrov joins Sealsestu Foundry'\nkind: event\ndate: \"2015-07-19\"\nuntil: 2015-07-27\nparticipants: [sealsestu-foundry, agnes-f-petrov]\nlocation: Bogota\ncite: {source: the-daizitro-herald, quote: \"charge or storage\"}\ndraft: false\n";
    const COMPANY: &str = "title: Baidroku Semiconductor   # a comment\naliases:\n  - \"Baidroku\"\nfounded: \"2020\"\nwebsite: \"https://baidroku.example.com/\"\nparent: some-parent\nupdated: 2024-01-02\n";
    const SOURCE: &str = "title: \"A source\"\npublisher: the-times\nauthor: Jane Q. Writer\ndate: \"2020-09-07\"\nurl: https://example.com/a?b=c\nvia: wire\nrelies_on:\n  - other-outlet\nlanguage: fr\noriginal: |\n  Le texte\n  original.\n";

    #[test]
    fn the_common_shapes_are_read_as_serde_saphyr_reads_them() {
        for text in [PERSON, EVENT, COMPANY, SOURCE] {
            assert!(agrees_with_serde_saphyr(text), "not taken:\n{text}");
            let crlf = text.replace('\n', "\r\n");
            assert!(agrees_with_serde_saphyr(&crlf), "not taken:\n{crlf}");
        }
    }

    /// Every key given every spelling of a value this test knows: the reader may give up on
    /// any of them, but what it takes it must read as serde-saphyr does.
    #[test]
    fn every_key_with_every_kind_of_value_agrees_with_serde_saphyr() {
        let values = [
            "plain words",
            "\"double quoted\"",
            "'single quoted'",
            "\"\"",
            "''",
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "\"null\"",
            "'~'",
            "123",
            "-1",
            "1.5",
            "1e999",
            ".inf",
            "-.inf",
            ".nan",
            "inf",
            "nan",
            "Infinity",
            "e5",
            "0x1F",
            "0o17",
            "012",
            "1_000",
            "2020-01-02",
            "true",
            "false",
            "True",
            "FALSE",
            "yes",
            "no",
            "NO",
            "on",
            "\"true\"",
            "y",
            "!!str 12",
            "!!int 12",
            "!!null ~",
            "! tagged",
            "&anchor value",
            "*alias",
            "|\n  literal\n  block\n",
            ">\n  folded\n  block\n",
            "\"multi\n  line\"",
            "plain\n  continued",
            "\"escapes \\t \\u00e9 \\\"\"",
            "ünïcode plain 漢字",
            "a: b",
            "[a, b]",
            "[]",
            "{}",
            "[a, ~]",
            "['', b]",
            "[1, 2]",
            "[true]",
            "[[a]]",
            "{source: x, quote: y}",
            "{source: x, quote: y, extra: z}",
            "{source: x}",
            "{source: x, source: y}",
            "{source: ~, quote: y}",
            "{source: 12, quote: 'y'}",
            "\n  - a\n  - b",
            "\n  - source: x\n    quote: \"y\"",
            "\n  - x\n  - source: y\n    quote: z",
            "[x, {source: y, quote: z}]",
            "\n  - org: a\n    title: b\n    from: 2001\n    until: ~\n    cite: s",
            "\n  - org: a\n    org: b",
            "\n  - title: b",
            "\n  - org: a\n    role: b",
            "\n  - label: a\n    value: b\n    cite: x\n    as_of: '2020'",
            "\n  - label: a\n    value: b\n    cite: [x, y]",
            "\n  - label: a",
            "\n  - label: a\n    value: [b]",
            "\n  - label: a\n    value: b\n    cite: 12",
            "\n  - label: a\n    value: b\n    cite: true",
            "\n  - label: a\n    value: b\n    cite: ~",
            "\n  - label: a\n    value: b\n    cite: &x y",
            "\n  - label: a\n    value: b\n    cite:\n      - source: s\n        quote: q\n        page: 3",
            "\n  - ~",
            "\n  - 2020",
            "\n  -",
            "\n  - [nested]",
        ];
        let (mut taken, mut left) = (0, 0);
        for key in ALL_KEYS {
            for value in values {
                let text = format!("title: T\n{key}: {value}\n");
                if agrees_with_serde_saphyr(&text) {
                    taken += 1;
                } else {
                    left += 1;
                }
            }
        }
        // Both ways are taken often enough for the comparison to mean something.
        assert!(taken > 500 && left > 500, "taken {taken}, left {left}");
    }

    #[test]
    fn documents_of_other_shapes_are_left_to_serde_saphyr() {
        let others = [
            "title: a\ntitle: b\n",
            "title: a\nsumary: b\n",
            "title: a\n...\ntitle: b\n",
            "title: a\n--- \ntitle: b\n",
            "[a, b]\n",
            "just text\n",
            "<<: {title: a}\n",
            "title: &t a\nkind: *t\n",
            "? [title]\n: a\n",
            "title: a\n  bad: indent\n",
            "title: \"unclosed\n",
            "draft: yes\n",
            "draft: \"true\"\n",
            "cite: 2020\n",
            "cite: true\n",
            "roles: {org: a}\n",
            "tags: a\n",
        ];
        for text in others {
            assert!(read_front_matter(text).is_none(), "taken:\n{text}");
        }
        // These ones it takes, as serde-saphyr does.
        let taken = [
            "%YAML 1.2\n---\ntitle: a\n",
            "--- \ntitle: a\n",
            "title: a\n...\n",
            "{title: a, tags: [b]}\n",
            "\"title\": a\n'kind': b\n",
            "# only a comment first\ntitle: a # and after\n",
            "title: a\n\n\n",
            "title:\ta\n",
        ];
        for text in taken {
            assert!(agrees_with_serde_saphyr(text), "not taken:\n{text}");
        }
    }

    /// The front matter of every note in the repository's brief and test fixtures.
    #[test]
    fn the_repository_notes_agree_with_serde_saphyr() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut taken = 0;
        for dir in ["content", "tests/fixtures"] {
            for entry in walkdir::WalkDir::new(root.join(dir)) {
                let entry = entry.unwrap();
                if entry.path().extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                if let Some(crate::load::Split::Closed {
                    yaml_start,
                    yaml_end,
                    ..
                }) = crate::load::split_front_matter(&text)
                {
                    taken += usize::from(agrees_with_serde_saphyr(&text[yaml_start..yaml_end]));
                }
            }
        }
        assert!(taken > 50, "only {taken} notes taken");
    }

    #[test]
    fn a_front_matter_too_long_for_the_reader_is_left_to_serde_saphyr() {
        let many = format!("title: a\ntags: [{}]\n", vec!["t"; MAX_EVENTS].join(", "));
        assert!(read_front_matter(&many).is_none());
        assert!(by_serde_saphyr(&many).is_ok());
    }
}
