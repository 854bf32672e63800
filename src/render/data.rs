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
    serde_json::to_writer_pretty(&mut buffered, &data).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut buffered)
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
