//! The brief as data for machines: `/casefile.json` (shape documented in
//! `docs/casefile-json.md`), schema.org JSON-LD for the pages that are not notes (a note's is
//! `json_ld`'s), the Atom feed and the sitemap.
//!
//! All absolute URLs come from `base_url`; all lists are in a stable order.

use serde::Serialize;
use serde_json::{Value, json};

use crate::markdown::highlight::escape_html;
use crate::model::{Date, Kind};
use crate::resolve::{Brief, NoteId};
use crate::verify::Evidence;

#[derive(Serialize)]
struct BriefJson<'a, Notes, Citations> {
    version: u32,
    title: &'a str,
    base_url: &'a str,
    notes: Notes,
    citations: Citations,
    disagreements: Vec<DisagreementJson>,
}

/// A list serialized straight from an iterator: `casefile.json`'s notes and citations are
/// written one by one as they are made, never all held in memory (at 10,000 notes the list of
/// values was larger than the file).
struct SerializeIter<F>(F);

impl<F, I> Serialize for SerializeIter<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct NoteJson<'a> {
    slug: &'a str,
    kind: &'static str,
    title: &'a str,
    url: String,
    summary: &'a str,
    aliases: &'a [String],
    tags: &'a [String],
    date: Option<Date>,
    until: Option<Date>,
    roles: Vec<RoleJson<'a>>,
    facts: Vec<FactJson<'a>>,
    parent: Option<&'a str>,
    participants: Vec<&'a str>,
    links: Vec<&'a str>,
    backlinks: Vec<&'a str>,
    source: Option<SourceJson<'a>>,
}

// The objects inside a note, as typed structs rather than `json!` values (a map of owned keys
// and values per role and fact: ~40,000 of them at 10,000 notes). Their fields are in
// alphabetical order, the order `json!`'s maps wrote them in, so the file is unchanged.

#[derive(Serialize)]
struct RoleJson<'a> {
    citations: &'a [usize],
    from: Option<Date>,
    org: &'a str,
    title: &'a str,
    until: Option<Date>,
}

#[derive(Serialize)]
struct FactJson<'a> {
    as_of: Option<Date>,
    citations: &'a [usize],
    label: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    author: Option<&'a str>,
    date: Option<Date>,
    language: Option<&'a str>,
    original: Option<&'a str>,
    origins: Vec<String>,
    publisher: Option<&'a str>,
    relies_on: Vec<&'a str>,
    url: Option<&'a str>,
    via: Option<&'a str>,
}

#[derive(Serialize)]
struct CitationJson<'a> {
    id: usize,
    note: &'a str,
    source: &'a str,
    quote: Option<&'a str>,
    paragraph: Option<&'a str>,
    mark: Option<&'a str>,
    line: usize,
}

#[derive(Serialize)]
struct DisagreementJson {
    note: String,
    label: String,
    values: Vec<Value>,
}

/// `casefile.json` in memory (for `serve`), written into a buffer of `capacity` bytes: the
/// previous one's size, given, saves growing a 36 MB buffer (at 10,000 notes) a doubling at
/// a time, each a copy into fresh memory.
pub fn brief_json(brief: &Brief, evidence: &Evidence, base: &str, capacity: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(capacity);
    // Writing into a Vec cannot fail, and every value serializes.
    let _ = write_brief_json(brief, evidence, base, &mut bytes);
    bytes
}

/// Writes `casefile.json` to `out` as it is made (see [`SerializeIter`]).
pub fn write_brief_json(
    brief: &Brief,
    evidence: &Evidence,
    base: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let slug = |id: NoteId| brief.notes[id].slug.as_str();
    let note_json = |id: NoteId| {
        let n = &brief.notes[id];
        let mut links: Vec<&str> = n
            .body_links
            .iter()
            .flatten()
            .map(|l| slug(l.note))
            .collect();
        links.sort();
        links.dedup();
        let mut backlinks: Vec<&str> = brief.relations.incoming[n.id]
            .iter()
            .map(|e| slug(e.from))
            .collect();
        backlinks.sort();
        backlinks.dedup();
        NoteJson {
            slug: &n.slug,
            kind: n.kind.name(),
            title: &n.title,
            url: format!("{base}{}", n.path_in_site()),
            summary: &n.summary,
            aliases: &n.aliases,
            tags: &n.tags,
            date: n.date,
            until: n.until,
            roles: n
                .roles
                .iter()
                .map(|r| RoleJson {
                    citations: &r.cites,
                    from: r.from,
                    org: slug(r.org),
                    title: &r.title,
                    until: r.until,
                })
                .collect(),
            facts: n
                .facts
                .iter()
                .map(|f| FactJson {
                    as_of: f.as_of,
                    citations: &f.cites,
                    label: &f.label,
                    value: &f.value,
                })
                .collect(),
            parent: n.parent.map(slug),
            participants: n.participants.iter().map(|&p| slug(p)).collect(),
            links,
            backlinks,
            source: n.source.as_ref().map(|m| SourceJson {
                author: m.author.as_deref(),
                date: m.date,
                language: m.language.as_deref(),
                original: m.original.as_deref(),
                origins: crate::verify::origins(brief, [n.id]).into_iter().collect(),
                publisher: m.publisher.as_ref().map(|p| p.name.as_str()),
                relies_on: m.relies_on.iter().map(|r| r.name.as_str()).collect(),
                url: m.url.as_deref(),
                via: m.via.as_ref().map(|p| p.name.as_str()),
            }),
        }
    };
    let citation_json = |id: usize| {
        let c = &brief.citations[id];
        CitationJson {
            id: c.id,
            note: slug(c.note),
            source: slug(c.source),
            quote: c.quote.as_deref(),
            paragraph: evidence.paragraph_id(brief, c.id),
            mark: evidence.anchor(brief, c.id),
            line: c.location.line,
        }
    };
    let mut disagreements = Vec::new();
    for n in &brief.notes {
        let mut labels: Vec<String> = n.facts.iter().map(|f| f.label.to_lowercase()).collect();
        labels.sort();
        labels.dedup();
        for label in labels {
            let facts: Vec<_> = n
                .facts
                .iter()
                .filter(|f| f.label.to_lowercase() == label)
                .collect();
            let mut values: Vec<String> = facts.iter().map(|f| f.value.to_lowercase()).collect();
            values.sort();
            values.dedup();
            let sources: std::collections::BTreeSet<usize> = facts
                .iter()
                .flat_map(|f| f.cites.iter().map(|&c| brief.citations[c].source))
                .collect();
            if values.len() > 1 && sources.len() > 1 {
                disagreements.push(DisagreementJson {
                    note: n.slug.clone(),
                    label: facts[0].label.clone(),
                    values: facts
                        .iter()
                        .map(|f| json!({"value": f.value, "sources": f.cites.iter().map(|&c| slug(brief.citations[c].source)).collect::<Vec<_>>(), "citations": f.cites}))
                        .collect(),
                });
            }
        }
    }
    let data = BriefJson {
        version: 1,
        title: &brief.config.title,
        base_url: &brief.config.base_url,
        notes: SerializeIter(|| (0..brief.notes.len()).map(note_json)),
        citations: SerializeIter(|| (0..brief.citations.len()).map(citation_json)),
        disagreements,
    };
    // Through a buffer of a concrete type: serde_json writes each quote, comma and indent on
    // its own, and into `dyn Write` every one of those was a call that could not be inlined.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffered, TwoSpaces::default());
    data.serialize(&mut serializer)
        .map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut buffered)
}

/// serde_json's `PrettyFormatter` with its default two-space indentation, byte for byte, but
/// writing each line break and its indentation in one call instead of one per level of
/// nesting: `casefile.json` has ~1.5 million lines at 10,000 notes, most four or five levels
/// deep.
#[derive(Default)]
struct TwoSpaces {
    depth: usize,
    has_value: bool,
}

/// A comma, a line break and the deepest indentation written in one call; shallower ones
/// are its prefixes.
const LINE_BREAK: &[u8] = b",\n                                                                ";

impl TwoSpaces {
    /// `,` unless `first`, a line break, and the current indentation.
    fn line_break<W: ?Sized + std::io::Write>(
        &self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        let start = usize::from(first);
        let end = 2 + 2 * self.depth;
        if end <= LINE_BREAK.len() {
            return writer.write_all(&LINE_BREAK[start..end]);
        }
        writer.write_all(&LINE_BREAK[start..2])?;
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for TwoSpaces {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line_break(writer, true)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line_break(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line_break(writer, true)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line_break(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// JSON-LD for a page that is not a note: an index, the timeline, the graph, search, 404.
pub fn site_page_json_ld(
    brief: &Brief,
    title: &str,
    kind: &str,
    path: &str,
    description: &str,
) -> String {
    let kind_of_page = match kind {
        "index" | "tags" | "timeline" => "CollectionPage",
        "search" => "SearchResultsPage",
        _ => "WebPage",
    };
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": kind_of_page,
        "name": title,
        "url": brief.config.absolute(path),
        "isPartOf": {"@type": "WebSite", "name": brief.config.title, "url": brief.config.absolute("")},
    });
    if !description.is_empty()
        && let Value::Object(map) = &mut value
    {
        map.insert("description".into(), json!(description));
    }
    serde_json::to_string(&value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

pub fn atom_feed(brief: &Brief) -> Vec<u8> {
    let config = &brief.config;
    let mut entries: Vec<&crate::resolve::Note> = brief
        .notes
        .iter()
        .filter(|n| n.kind.is_entity() || n.kind == Kind::Source)
        .collect();
    entries.sort_by(|a, b| (b.date.or(b.updated), &a.slug).cmp(&(a.date.or(a.updated), &b.slug)));
    let updated = brief
        .notes
        .iter()
        .filter_map(|n| n.updated.or(n.date))
        .max()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    xml.push_str(&format!("  <title>{}</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n", escape_html(&config.title), escape_html(&config.absolute("")), escape_html(&config.absolute("")), escape_html(&config.absolute("feed.xml")), escape_html(&config.title)));
    for n in entries {
        let url = config.absolute(&n.path_in_site());
        let when = n
            .updated
            .or(n.date)
            .map(|d| d.rfc3339())
            .unwrap_or_else(|| updated.clone());
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{when}</updated>\n    <category term=\"{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
            escape_html(&n.title),
            escape_html(&url),
            escape_html(&url),
            n.kind.name(),
            escape_html(&n.summary)
        ));
    }
    xml.push_str("</feed>\n");
    xml.into_bytes()
}

pub fn sitemap(brief: &Brief) -> Vec<u8> {
    let config = &brief.config;
    let mut paths: Vec<String> = brief.notes.iter().map(|n| n.path_in_site()).collect();
    for k in Kind::FOLDERS {
        paths.push(format!("{}/", k.folder()));
    }
    paths.extend([
        "timeline/".to_string(),
        "graph/".to_string(),
        "tags/".to_string(),
    ]);
    paths.sort();
    paths.dedup();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for p in paths {
        xml.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            escape_html(&config.absolute(&p))
        ));
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::TwoSpaces;
    use serde::Serialize;

    fn ours(value: &serde_json::Value) -> String {
        let mut bytes = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut bytes, TwoSpaces::default());
        value.serialize(&mut serializer).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn two_spaces_writes_what_the_pretty_formatter_writes() {
        // Empty and nested arrays and objects, and nesting deeper than the line-break
        // constant covers (40 levels).
        let mut deep = serde_json::json!("bottom");
        for level in 0..40 {
            deep = if level % 2 == 0 {
                serde_json::json!([deep, 1])
            } else {
                serde_json::json!({ "inner": deep, "empty": {} })
            };
        }
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"a": [], "b": {}, "c": [1, [2, []], {"d": null}], "e": "x\n\"y\""}),
            serde_json::json!([[[]], [{}], "é"]),
            deep,
        ];
        for value in &values {
            assert_eq!(ours(value), serde_json::to_string_pretty(value).unwrap());
        }
    }
}
