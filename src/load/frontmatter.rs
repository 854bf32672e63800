//! The front matter schema: one typed struct for every key of every kind, as written in YAML.
//!
//! serde rejects unknown keys; which keys a given kind may use is checked afterwards in
//! [`check_keys_for_kind`], so the message can say "`date` is for events" instead of a bare
//! "unknown field". Values that name other notes keep their YAML position ([`Spanned`]) so
//! that the resolve stage can point at them. No resolution happens here.

use serde::de::Visitor;
use serde::{Deserialize, Deserializer};

use crate::model::Kind;

/// A value with the position of what was written for it in the front matter. serde-saphyr's
/// own `Spanned` finds the position; this keeps only what diagnostics show of it (12 bytes
/// instead of two full locations, 96 bytes, for every value of every note).
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub at: YamlPosition,
}

/// Where a value stands in the YAML text: 1-based line and column, and its length in bytes
/// (1 when serde-saphyr cannot tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlPosition {
    pub line: u32,
    pub column: u32,
    pub length: u32,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let found = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let at = &found.referenced;
        let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(Spanned {
            value: found.value,
            at: YamlPosition {
                line: clamp(at.line()),
                column: clamp(at.column()),
                length: clamp(at.span().byte_len().unwrap_or(1)),
            },
        })
    }
}

/// A string with its position in the front matter.
pub type Text = Spanned<String>;

/// Everything a note's front matter may say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<Text>,
    pub kind: Option<Text>,
    pub summary: Option<String>,
    pub aliases: Option<Vec<Text>>,
    pub tags: Option<Vec<Text>>,
    pub draft: Option<bool>,
    pub updated: Option<Text>,
    pub facts: Option<Vec<FactYaml>>,
    // person
    pub roles: Option<Vec<RoleYaml>>,
    // company
    pub parent: Option<Text>,
    pub founded: Option<Text>,
    pub website: Option<Text>,
    // event
    pub date: Option<Text>,
    pub until: Option<Text>,
    pub participants: Option<Vec<Text>>,
    pub location: Option<String>,
    pub cite: Option<Spanned<CiteYaml>>,
    // source
    pub publisher: Option<String>,
    pub author: Option<String>,
    pub url: Option<Text>,
    pub via: Option<String>,
    pub relies_on: Option<Vec<Text>>,
    pub language: Option<String>,
    pub original: Option<String>,
}

/// Every key, for "did you mean".
pub const ALL_KEYS: &[&str] = &[
    "title",
    "kind",
    "summary",
    "aliases",
    "tags",
    "draft",
    "updated",
    "facts",
    "roles",
    "parent",
    "founded",
    "website",
    "date",
    "until",
    "participants",
    "location",
    "cite",
    "publisher",
    "author",
    "url",
    "via",
    "relies_on",
    "language",
    "original",
];

const COMMON_KEYS: &[&str] = &[
    "title", "kind", "summary", "aliases", "tags", "draft", "updated", "facts",
];

/// The keys a kind may use beyond the common ones.
pub fn kind_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Person => &["roles"],
        Kind::Company => &["parent", "founded", "website"],
        Kind::Event => &["date", "until", "participants", "location", "cite"],
        Kind::Source => &[
            "publisher",
            "author",
            "date",
            "url",
            "via",
            "relies_on",
            "language",
            "original",
        ],
        Kind::Page | Kind::Home => &[],
    }
}

/// The kind whose key this is, for the hint ("`roles` is for people").
pub fn owner_of_key(key: &str) -> Option<Kind> {
    [Kind::Person, Kind::Company, Kind::Event, Kind::Source]
        .into_iter()
        .find(|k| kind_keys(*k).contains(&key))
}

/// The keys present in `fm` that `kind` may not use.
pub fn check_keys_for_kind(fm: &FrontMatter, kind: Kind) -> Vec<&'static str> {
    let present: [(&'static str, bool); 16] = [
        ("roles", fm.roles.is_some()),
        ("parent", fm.parent.is_some()),
        ("founded", fm.founded.is_some()),
        ("website", fm.website.is_some()),
        ("date", fm.date.is_some()),
        ("until", fm.until.is_some()),
        ("participants", fm.participants.is_some()),
        ("location", fm.location.is_some()),
        ("cite", fm.cite.is_some()),
        ("publisher", fm.publisher.is_some()),
        ("author", fm.author.is_some()),
        ("url", fm.url.is_some()),
        ("via", fm.via.is_some()),
        ("relies_on", fm.relies_on.is_some()),
        ("language", fm.language.is_some()),
        ("original", fm.original.is_some()),
    ];
    let allowed = kind_keys(kind);
    present
        .into_iter()
        .filter(|(key, is_present)| {
            *is_present && !allowed.contains(key) && !COMMON_KEYS.contains(key)
        })
        .map(|(key, _)| key)
        .collect()
}

/// A role on a person: `{org, title, from, until, cite}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleYaml {
    pub org: Text,
    pub title: Option<String>,
    pub from: Option<Text>,
    pub until: Option<Text>,
    pub cite: Option<Spanned<CiteYaml>>,
}

/// A fact for the infobox: `{label, value, cite, as_of}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactYaml {
    pub label: Text,
    pub value: Text,
    pub cite: Option<Spanned<CiteYaml>>,
    pub as_of: Option<Text>,
}

/// `cite:` takes one item or a list.
#[derive(Debug)]
pub enum CiteYaml {
    One(CiteItemYaml),
    Many(Vec<CiteItemYaml>),
}

impl CiteYaml {
    pub fn items(&self) -> &[CiteItemYaml] {
        match self {
            CiteYaml::One(item) => std::slice::from_ref(item),
            CiteYaml::Many(items) => items,
        }
    }
}

/// One cited source: a slug, or a slug with the exact words quoted.
#[derive(Debug)]
pub enum CiteItemYaml {
    Slug(String),
    Quoted(QuotedCite),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotedCite {
    pub source: String,
    pub quote: String,
}

/// What serde's "invalid type" errors say a citation is; `yaml` recognises it to give the
/// citation's help rather than a guess from the value's type.
pub const CITATION_EXPECTED: &str =
    "a citation: a source slug, a list of them, or {source: slug, quote: \"exact words\"}";

/// The shapes of `cite:` told apart by what the YAML holds (text, mapping or list), in one
/// pass. serde's `untagged` would buffer each value and try the shapes one by one (a third
/// of all front matter parsing), and its error ("data did not match any variant") names no
/// field; here a wrong value is reported where it stands, with serde's own message for a
/// missing `quote` or an unknown key in `{source, quote}`.
struct CiteVisitor;

/// One citation: a slug or `{source, quote}` (what a `cite:` list holds).
struct CiteItemVisitor;

impl<'de> Visitor<'de> for CiteItemVisitor {
    type Value = CiteItemYaml;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(CITATION_EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, slug: &str) -> Result<CiteItemYaml, E> {
        Ok(CiteItemYaml::Slug(slug.to_string()))
    }

    fn visit_string<E: serde::de::Error>(self, slug: String) -> Result<CiteItemYaml, E> {
        Ok(CiteItemYaml::Slug(slug))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CiteItemYaml, A::Error> {
        let quoted = QuotedCite::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(CiteItemYaml::Quoted(quoted))
    }
}

impl<'de> Visitor<'de> for CiteVisitor {
    type Value = CiteYaml;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(CITATION_EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, slug: &str) -> Result<CiteYaml, E> {
        CiteItemVisitor.visit_str(slug).map(CiteYaml::One)
    }

    fn visit_string<E: serde::de::Error>(self, slug: String) -> Result<CiteYaml, E> {
        CiteItemVisitor.visit_string(slug).map(CiteYaml::One)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<CiteYaml, A::Error> {
        CiteItemVisitor.visit_map(map).map(CiteYaml::One)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<CiteYaml, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<CiteItemYaml>()? {
            items.push(item);
        }
        Ok(CiteYaml::Many(items))
    }
}

impl<'de> Deserialize<'de> for CiteYaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CiteVisitor)
    }
}

impl<'de> Deserialize<'de> for CiteItemYaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CiteItemVisitor)
    }
}

impl CiteItemYaml {
    pub fn source(&self) -> &str {
        match self {
            CiteItemYaml::Slug(s) => s,
            CiteItemYaml::Quoted(q) => &q.source,
        }
    }

    pub fn quote(&self) -> Option<&str> {
        match self {
            CiteItemYaml::Slug(_) => None,
            CiteItemYaml::Quoted(q) => Some(&q.quote),
        }
    }
}
