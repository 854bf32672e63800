//! Incremental rebuilds for `serve`: which pages an edit can change, worked out from what the
//! previous build remembered of each note.
//!
//! After every build, [`BuildMemory`] keeps, per note: a hash of its file, a hash of what other
//! pages show of it (kind, title, aliases, summary, tags, dates), the notes it links to, the
//! notes it is related to (roles, participants, parent, and the reverse), and the sources it
//! cites; plus the pages of the site and a stamp of the settings, templates and static files.
//!
//! On the next build, the notes whose file changed are compared with that memory. When only
//! bodies and front matter references of existing notes changed, the pages re-rendered are:
//! each changed note; the notes it links or linked to (their "Mentioned in" and "Related");
//! the notes it is or was related to, and theirs in turn (timelines, "People", and the graph
//! neighbourhoods, which reach two steps); the sources it cites or cited (their marks) and
//! every note citing those sources (footnote targets may move); and all site-wide pages. Every
//! other page is taken from the previous build. Anything wider — a note added, removed or
//! renamed, a title, alias or summary changed (they appear on every page that links there),
//! a source's text changed (mentions), settings, templates or static files changed — makes a
//! full build. The search index is rebuilt only by full builds. A test checks that an
//! incremental build gives the same pages as a full one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;

use crate::output::Output;
use crate::resolve::{Brief, NoteId};

/// What one build leaves for the next.
#[derive(Clone, Default)]
pub struct BuildMemory {
    notes: HashMap<String, NoteMemory>,
    stamp: u64,
    pub(crate) outputs: BTreeMap<String, Vec<u8>>,
}

#[derive(Clone, PartialEq, Eq)]
struct NoteMemory {
    file: u64,
    shown: u64,
    is_source: bool,
    links: Vec<String>,
    related: Vec<String>,
    cites: Vec<String>,
}

/// What a build decided to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Full,
    /// Only these notes' pages (and the site-wide ones).
    Notes(HashSet<NoteId>),
}

impl BuildMemory {
    /// Remembers `brief` and the site it produced.
    pub fn new(brief: &Brief, root: &Path, outputs: &[Output]) -> BuildMemory {
        BuildMemory {
            notes: remember_notes(brief),
            stamp: settings_stamp(root),
            outputs: outputs
                .iter()
                .map(|o| (o.path.clone(), o.bytes.clone()))
                .collect(),
        }
    }

    /// Which pages of `brief` must be rendered, given this memory of the previous build.
    pub fn plan(&self, brief: &Brief, root: &Path) -> Plan {
        if self.outputs.is_empty() || settings_stamp(root) != self.stamp {
            return Plan::Full;
        }
        let now = remember_notes(brief);
        if now.len() != self.notes.len() || now.keys().any(|slug| !self.notes.contains_key(slug)) {
            return Plan::Full;
        }
        // A note changed when its file did; what others show of it may change as a consequence,
        // which the expansion below covers.
        let changed: Vec<&String> = now
            .iter()
            .filter(|(slug, m)| self.notes[*slug].file != m.file)
            .map(|(slug, _)| slug)
            .collect();
        if changed.iter().any(|slug| {
            let (before, after) = (&self.notes[*slug], &now[*slug]);
            before.shown != after.shown || after.is_source || before.is_source
        }) {
            return Plan::Full;
        }
        // Notes citing each source, before and after.
        let mut citing: HashMap<&str, Vec<&str>> = HashMap::new();
        for memory in [&self.notes, &now] {
            for (slug, m) in memory {
                for source in &m.cites {
                    citing
                        .entry(source.as_str())
                        .or_default()
                        .push(slug.as_str());
                }
            }
        }
        let mut affected: HashSet<&str> = HashSet::new();
        for slug in &changed {
            affected.insert(slug.as_str());
            for memory in [&self.notes, &now] {
                let m = &memory[*slug];
                affected.extend(m.links.iter().map(String::as_str));
                for near in &m.related {
                    affected.insert(near.as_str());
                    for memory2 in [&self.notes, &now] {
                        if let Some(n) = memory2.get(near) {
                            affected.extend(n.related.iter().map(String::as_str));
                        }
                    }
                }
                for source in &m.cites {
                    affected.insert(source.as_str());
                    affected.extend(citing.get(source.as_str()).into_iter().flatten().copied());
                }
            }
        }
        let ids: HashSet<NoteId> = brief
            .notes
            .iter()
            .filter(|n| affected.contains(n.slug.as_str()))
            .map(|n| n.id)
            .collect();
        Plan::Notes(ids)
    }
}

fn hash_of(value: impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn remember_notes(brief: &Brief) -> HashMap<String, NoteMemory> {
    let slug = |id: NoteId| brief.notes[id].slug.clone();
    let rel = &brief.relations;
    brief
        .notes
        .iter()
        .map(|n| {
            let mut links: Vec<String> = n
                .body_links
                .iter()
                .flatten()
                .map(|l| slug(l.note))
                .collect();
            links.sort();
            links.dedup();
            let mut related: Vec<String> = n.roles.iter().map(|r| slug(r.org)).collect();
            related.extend(n.parent.map(slug));
            related.extend(n.participants.iter().map(|&p| slug(p)));
            related.extend(rel.people[n.id].iter().map(|&(p, _)| slug(p)));
            related.extend(rel.children[n.id].iter().map(|&c| slug(c)));
            related.extend(rel.events[n.id].iter().map(|&e| slug(e)));
            related.extend(rel.related[n.id].iter().map(|&r| slug(r)));
            related.sort();
            related.dedup();
            let mut cites: Vec<String> = brief.citations_by_note[n.id]
                .iter()
                .map(|&c| slug(brief.citations[c].source))
                .collect();
            cites.sort();
            cites.dedup();
            let shown = hash_of((
                n.kind, &n.title, &n.aliases, &n.summary, &n.tags, n.date, n.until,
            ));
            let memory = NoteMemory {
                file: hash_of(&*n.text),
                shown,
                is_source: n.source.is_some(),
                links,
                related,
                cites,
            };
            (n.slug.clone(), memory)
        })
        .collect()
}

/// Settings, templates, themes and static files, by name, size and modification time.
fn settings_stamp(root: &Path) -> u64 {
    let mut entries: Vec<(String, u64, Option<std::time::SystemTime>)> = Vec::new();
    let mut add = |path: &Path| {
        if let Ok(meta) = std::fs::metadata(path) {
            entries.push((path.display().to_string(), meta.len(), meta.modified().ok()));
        }
    };
    add(&root.join("casefile.yaml"));
    for dir in ["templates", "themes", "static"] {
        for entry in walkdir::WalkDir::new(root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            add(entry.path());
        }
    }
    hash_of(entries)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::BuildMemory;
    use crate::build::{BuildOptions, build_incremental};

    fn copy_dir(from: &Path, to: &Path) {
        for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
            let rel = entry.path().strip_prefix(from).unwrap();
            let target = to.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// Builds `root`, from scratch or on top of `memory`; returns the pages (the search index
    /// left out: only full builds refresh it), the memory, and how many note pages were rendered.
    fn build(
        root: &Path,
        memory: Option<&BuildMemory>,
    ) -> (BTreeMap<String, Vec<u8>>, BuildMemory, Option<usize>) {
        let options = BuildOptions {
            root: root.to_path_buf(),
            drafts: false,
            base_url: None,
            render: true,
        };
        let (result, next) = build_incremental(&options, &|_| {}, memory).expect("the build runs");
        assert!(
            !result.diagnostics.has_errors(),
            "{:?}",
            result.diagnostics.iter().collect::<Vec<_>>()
        );
        let pages = result
            .outputs
            .unwrap()
            .into_iter()
            .filter(|o| !o.path.starts_with("pagefind/"))
            .map(|o| (o.path, o.bytes))
            .collect();
        (pages, next.expect("a memory"), result.pages_rendered)
    }

    fn edit(root: &Path, rel: &str, from: &str, to: &str) {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    #[test]
    fn incremental_builds_give_the_pages_of_a_full_build_and_render_fewer() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/basic"),
            root,
        );
        // Notes no edit below can reach: an incremental build must leave their pages alone.
        std::fs::write(
            root.join("content/sources/gazette.md"),
            "---\ntitle: The gazette\n---\nNothing to do with Acme.\n",
        )
        .unwrap();
        for i in 0..6 {
            std::fs::write(
                root.join(format!("content/companies/bystander-{i}.md")),
                format!("---\ntitle: Bystander {i}\nsummary: Unrelated.\n---\nUnrelated [@gazette, \"Nothing to do\"].\n"),
            )
            .unwrap();
        }
        let (_, mut memory, rendered) = build(root, None);
        assert_eq!(rendered, None, "the first build is a full one");
        let bob = "content/people/bob-jones.md";
        let edits: [(&str, &str, &str); 4] = [
            // A new sentence with a new link and a new quote of a source others cite too.
            (
                bob,
                "in July 2025 [@daily",
                "in July 2025, as [[ann-joins-acme]] tells, unlike [[bystander-3]], with stock that vests over four years [@weekly-2025-07, \"stock that vests over four years\"; @daily",
            ),
            // A role's title (front matter, shown on the company's People list).
            (
                bob,
                "title: Chief executive",
                "title: Chief executive officer",
            ),
            // The link removed again.
            (
                bob,
                ", as [[ann-joins-acme]] tells, unlike [[bystander-3]],",
                ",",
            ),
            // A fact's value on another note.
            (
                "content/people/ann-smith.md",
                "value: about 100 million dollars",
                "value: about $100 million",
            ),
        ];
        for (file, from, to) in edits {
            edit(root, file, from, to);
            let (incremental, next, rendered) = build(root, Some(&memory));
            let rendered =
                rendered.expect("an edit of a body or of front matter references is incremental");
            assert!(
                rendered < 10,
                "{rendered} pages rendered for one edit ({file}: {to:?})"
            );
            let (full, _, _) = build(root, None);
            assert_eq!(
                incremental.keys().collect::<Vec<_>>(),
                full.keys().collect::<Vec<_>>()
            );
            for (path, bytes) in &full {
                assert!(
                    incremental[path] == *bytes,
                    "after editing {file} ({from:?}), {path} differs from a full build"
                );
            }
            memory = next;
        }
    }

    #[test]
    fn a_changed_summary_makes_a_full_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good/basic"),
            root,
        );
        let (_, memory, _) = build(root, None);
        // Links to Bob on every page carry his summary.
        edit(
            root,
            "content/people/bob-jones.md",
            "summary: The head of Acme.",
            "summary: Acme's chief.",
        );
        let (_, _, rendered) = build(root, Some(&memory));
        assert_eq!(rendered, None);
    }
}
