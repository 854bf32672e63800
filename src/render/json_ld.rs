//! A note's schema.org JSON-LD, written straight into one string.
//!
//! Every page carries one, and building it as a `serde_json::Value` (a map per object, a
//! string per key, serialized, then copied three times to escape `<`, `>` and `&`) was a
//! fiftieth of a 10,000-note build. This writes the same bytes directly: the keys in the
//! order `serde_json`'s sorted map gives them, null values and empty lists left out as the
//! old `retain` left them out, and strings escaped as `serde_json` escapes them plus `<`,
//! `>` and `&` as `\u003c`, `\u003e`, `\u0026` (which keep a title from ending the script
//! element). The tests compare it with the `Value` it replaces for every note of the real
//! brief and the good fixtures.

use crate::model::Kind;
use crate::resolve::{Brief, NoteId};

/// The JSON-LD of note `id`'s page.
pub fn note_json_ld(brief: &Brief, id: NoteId) -> String {
    let n = &brief.notes[id];
    let base = brief.config.base_url.trim_end_matches('/');
    let mut sources: Vec<NoteId> = brief.citations_by_note[id]
        .iter()
        .map(|&c| brief.citations[c].source)
        .collect();
    sources.sort_unstable();
    sources.dedup();
    let mut citations: Vec<String> = sources
        .iter()
        .map(|&s| absolute(base, &brief.notes[s]))
        .collect();
    citations.sort_unstable();
    citations.dedup();

    let mut json = Object::new(512 + citations.iter().map(|c| c.len() + 3).sum::<usize>());
    json.key("@context");
    json.string("https://schema.org");
    let type_name = match n.kind {
        Kind::Person => "Person",
        Kind::Company => "Organization",
        Kind::Event => "Event",
        Kind::Source => "NewsArticle",
        Kind::Page | Kind::Home => "WebPage",
    };
    json.key("@type");
    json.string(type_name);
    let source = n.source.as_ref().filter(|_| n.kind == Kind::Source);
    if n.kind == Kind::Person && !n.roles.is_empty() {
        json.key("affiliation");
        json.list(&n.roles, |json, role| {
            let org = &brief.notes[role.org];
            json.out.push_str("{\"@type\":\"Organization\",\"name\":");
            json.string(&org.title);
            json.out.push_str(",\"url\":");
            json.string(&absolute(base, org));
            json.out.push('}');
        });
    }
    if matches!(n.kind, Kind::Person | Kind::Company) && !n.aliases.is_empty() {
        json.key("alternateName");
        json.list(&n.aliases, |json, alias| json.string(alias));
    }
    if let Some(author) = source.and_then(|m| m.author.as_deref()) {
        json.key("author");
        json.string(author);
    }
    if !citations.is_empty() {
        json.key("citation");
        json.list(&citations, |json, url| json.string(url));
    }
    if let Some(date) = source.and_then(|m| m.date) {
        json.key("datePublished");
        json.string(&date.iso());
    }
    if !n.summary.is_empty() {
        json.key("description");
        json.string(&n.summary);
    }
    if n.kind == Kind::Event
        && let Some(until) = n.until
    {
        json.key("endDate");
        json.string(&until.iso());
    }
    if n.kind == Kind::Source {
        json.key("headline");
        json.string(&n.title);
        if let Some(url) = source.and_then(|m| m.url.as_deref()) {
            json.key("isBasedOn");
            json.string(url);
        }
    }
    if n.kind == Kind::Event
        && let Some(location) = &n.location
    {
        json.key("location");
        json.string(location);
    }
    if n.kind != Kind::Source {
        json.key("name");
        json.string(&n.title);
    }
    if n.kind == Kind::Company
        && let Some(parent) = n.parent
    {
        json.key("parentOrganization");
        json.out.push_str("{\"@type\":\"Organization\",\"name\":");
        json.string(&brief.notes[parent].title);
        json.out.push('}');
    }
    if n.kind == Kind::Event && !n.participants.is_empty() {
        json.key("performer");
        json.list(&n.participants, |json, &p| {
            let participant = &brief.notes[p];
            json.out.push_str(if participant.kind == Kind::Person {
                "{\"@type\":\"Person\",\"name\":"
            } else {
                "{\"@type\":\"Organization\",\"name\":"
            });
            json.string(&participant.title);
            json.out.push('}');
        });
    }
    if let Some(publisher) = source.and_then(|m| m.publisher.as_ref()) {
        json.key("publisher");
        json.out.push_str("{\"@type\":\"Organization\",\"name\":");
        json.string(&publisher.name);
        json.out.push('}');
    }
    if n.kind == Kind::Event
        && let Some(date) = n.date
    {
        json.key("startDate");
        json.string(&date.iso());
    }
    json.key("url");
    json.string(&absolute(base, n));
    json.finish()
}

/// The note's absolute URL, as `Config::absolute` makes it from `base_url` without its
/// trailing slashes.
fn absolute(base: &str, note: &crate::resolve::Note) -> String {
    let mut url = String::with_capacity(base.len() + note.slug.len() + 16);
    url.push_str(base);
    url.push('/');
    note.push_path_in_site(&mut url);
    url
}

/// One JSON object being written, its keys given in sorted order.
struct Object {
    out: String,
    empty: bool,
}

impl Object {
    fn new(capacity: usize) -> Object {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        Object { out, empty: true }
    }

    /// `"key":`, after a comma unless it is the first.
    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    fn string(&mut self, text: &str) {
        push_string(&mut self.out, text);
    }

    /// `[…]`, each item written by `write`.
    fn list<T>(&mut self, items: &[T], mut write: impl FnMut(&mut Object, &T)) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            write(self, item);
        }
        self.out.push(']');
    }

    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// `text` as a JSON string, escaped as `serde_json` escapes it (`\"`, `\\`, the short forms
/// of `\b \t \n \f \r`, `\u00xx` for the other control characters), and `<`, `>`, `&` as
/// `\u003c`, `\u003e`, `\u0026`.
fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escaped: &str = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so the plain run before them ends on a char boundary.
        out.push_str(&text[plain_from..at]);
        plain_from = at + 1;
        if escaped.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The `Value` this module replaced, as it was.
    fn by_value(brief: &Brief, id: NoteId) -> String {
        let n = &brief.notes[id];
        let url = brief.config.absolute(&n.path_in_site());
        let mut citations: Vec<String> = brief.citations_by_note[id]
            .iter()
            .map(|&c| {
                brief
                    .config
                    .absolute(&brief.notes[brief.citations[c].source].path_in_site())
            })
            .collect();
        citations.sort();
        citations.dedup();
        let mut value = match n.kind {
            Kind::Person => json!({"@type": "Person", "name": n.title, "alternateName": n.aliases,
                "affiliation": n.roles.iter().map(|r| json!({"@type": "Organization", "name": brief.notes[r.org].title, "url": brief.config.absolute(&brief.notes[r.org].path_in_site())})).collect::<Vec<_>>()}),
            Kind::Company => {
                json!({"@type": "Organization", "name": n.title, "alternateName": n.aliases,
                "parentOrganization": n.parent.map(|p| json!({"@type": "Organization", "name": brief.notes[p].title}))})
            }
            Kind::Event => {
                json!({"@type": "Event", "name": n.title, "startDate": n.date.map(|d| d.iso()), "endDate": n.until.map(|d| d.iso()),
                "location": n.location,
                "performer": n.participants.iter().map(|&p| json!({"@type": if brief.notes[p].kind == Kind::Person {"Person"} else {"Organization"}, "name": brief.notes[p].title})).collect::<Vec<_>>()})
            }
            Kind::Source => {
                let m = n.source.as_ref();
                json!({"@type": "NewsArticle", "headline": n.title, "datePublished": m.and_then(|m| m.date).map(|d| d.iso()),
                    "author": m.and_then(|m| m.author.clone()), "publisher": m.and_then(|m| m.publisher.as_ref()).map(|p| json!({"@type": "Organization", "name": p.name})),
                    "isBasedOn": m.and_then(|m| m.url.clone())})
            }
            Kind::Page | Kind::Home => json!({"@type": "WebPage", "name": n.title}),
        };
        if let Value::Object(map) = &mut value {
            map.insert("@context".into(), json!("https://schema.org"));
            map.insert("url".into(), json!(url));
            if !n.summary.is_empty() {
                map.insert("description".into(), json!(n.summary));
            }
            if !citations.is_empty() {
                map.insert("citation".into(), json!(citations));
            }
            map.retain(|_, v| !v.is_null() && *v != json!([]));
        }
        serde_json::to_string(&value)
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }

    #[test]
    fn every_note_of_the_real_brief_and_the_fixtures_gets_the_value_s_bytes() {
        let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut kinds = std::collections::BTreeSet::new();
        for root in [
            repository.to_path_buf(),
            repository.join("tests/fixtures/good/basic"),
            repository.join("tests/fixtures/good/script"),
        ] {
            let mut diagnostics = crate::diagnostic::Diagnostics::new();
            let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
            let config = crate::config::Config::load(&root, text.as_deref()).expect("config");
            let loaded = crate::load::load(&root, false, &mut diagnostics);
            let brief = crate::resolve::resolve(config, &loaded, &mut diagnostics);
            for id in 0..brief.notes.len() {
                kinds.insert(brief.notes[id].kind.name());
                assert_eq!(
                    note_json_ld(&brief, id),
                    by_value(&brief, id),
                    "{} in {}",
                    brief.notes[id].slug,
                    root.display()
                );
            }
        }
        assert_eq!(kinds.len(), 6, "every kind of note compared: {kinds:?}");
    }

    #[test]
    fn strings_are_escaped_as_serde_json_and_the_script_element_need() {
        let by_serde = |text: &str| {
            serde_json::to_string(text)
                .unwrap()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026")
        };
        for text in [
            "",
            "plain",
            "</script>",
            "a & b",
            "\"\\",
            "\u{0}\u{8}\u{1f}\u{7f}é✓",
        ] {
            let mut pushed = String::new();
            push_string(&mut pushed, text);
            assert_eq!(pushed, by_serde(text), "{text:?}");
        }
        proptest::proptest!(|(text in "[a<>&\"\\\\\u{0}-\u{1f}\u{7f}é✓ ]{0,24}")| {
            let mut pushed = String::new();
            push_string(&mut pushed, &text);
            proptest::prop_assert_eq!(pushed, by_serde(&text));
        });
    }
}
