//! `casefile new` and `casefile init`: files that teach the format by example, with commented
//! front matter for each kind. Never overwrites an existing file.

use std::path::{Path, PathBuf};

use crate::cli::NewKind;
use crate::model::slugify;

fn skeleton(kind: NewKind, title: &str) -> String {
    // A double-quoted YAML string: backslashes first, or `C:\new` would become a line break.
    let title_yaml = title.replace('\\', "\\\\").replace('"', "\\\"");
    let body = match kind {
        NewKind::Person => {
            "# Other spellings the sources use; links and mentions match them too.\naliases: []\ntags: []\n# Positions held, each cited. org is a company note's slug, title or alias.\n# Dates are \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\"; leave until out while the role lasts.\nroles: []\n#  - org: example-company\n#    title: Head of research\n#    from: \"2021\"\n#    cite: {source: example-source, quote: \"exact words from the source\"}\n# Short statements for the infobox; the same label twice with different values shows as \"Sources differ\".\nfacts: []\n"
        }
        NewKind::Company => {
            "aliases: []\ntags: []\n# parent: another-company\n# founded: \"2015\"\n# website: https://example.org\nfacts: []\n"
        }
        NewKind::Event => {
            "# Required: when it happened, at the precision the sources give.\ndate: \"2025-07\"\n# until: \"2025-08\"\n# People and companies that took part (slugs, titles or aliases).\nparticipants: []\n# location: Menlo Park\n# The source(s) for the event itself.\n# cite: {source: example-source, quote: \"exact words\"}\ntags: []\n"
        }
        NewKind::Source => {
            "# The body below this front matter is the source's text, pasted verbatim and never edited:\n# quotes are verified against it.\npublisher: Example Times\n# author: A. Writer\ndate: \"2025-07-07\"\n# url: https://example.org/article\n# via: who republished it\n# Outlets or sources this one reports from; sources relying on the same outlet count as one origin.\nrelies_on: []\nlanguage: en\n# original: the file it was taken from\n"
        }
        NewKind::Page => "",
    };
    let text = match kind {
        NewKind::Source => "Paste the source's text here, exactly as received.\n".to_string(),
        NewKind::Page => format!("Write about {title} here.\n"),
        _ => format!(
            "Write what the sources say about {title}, in your own words. Cite every claim with\nthe exact words it rests on, like `[@source-slug, \"exact words\"]`, and link other notes\nby name, like `[[Another Note]]` (the examples are in code, so they do not break the build).\n"
        ),
    };
    format!(
        "---\ntitle: \"{title_yaml}\"\n# One sentence: shown in lists, previews and search results.\nsummary: \"\"\n{body}---\n{text}"
    )
}

fn folder(kind: NewKind) -> &'static str {
    match kind {
        NewKind::Person => "people",
        NewKind::Company => "companies",
        NewKind::Event => "events",
        NewKind::Source => "sources",
        NewKind::Page => "pages",
    }
}

/// Creates `content/<folder>/<slug>.md` under `root`.
pub fn new_note(root: &Path, kind: NewKind, title: &str) -> Result<PathBuf, String> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(format!(
            "cannot make a file name from \"{title}\": use letters or digits in the title"
        ));
    }
    if !root.join("content").is_dir() {
        return Err(format!(
            "{} has no content/ folder; run `casefile init DIR` first or pass --root",
            root.display()
        ));
    }
    // A slug names one note across the whole brief: a person and a company may not share one.
    let others = ["people", "companies", "events", "sources", "pages"]
        .into_iter()
        .filter(|f| *f != folder(kind));
    for other in others {
        let taken = root.join("content").join(other).join(format!("{slug}.md"));
        if taken.exists() {
            return Err(format!(
                "{} already uses the slug \"{slug}\", and slugs are unique across the brief; give the new note a more specific title",
                taken.display()
            ));
        }
    }
    let dir = root.join("content").join(folder(kind));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{slug}.md"));
    write_new(&path, &skeleton(kind, title))?;
    Ok(path)
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                format!(
                    "{} already exists; casefile never overwrites a note",
                    path.display()
                )
            } else {
                format!("cannot create {}: {e}", path.display())
            }
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates a small brief in `dir` that builds cleanly: one note of each kind.
pub fn init(dir: &Path) -> Result<(), String> {
    if dir.join("content").exists() || dir.join("casefile.yaml").exists() {
        return Err(format!(
            "{} already holds a brief; casefile init never overwrites one",
            dir.display()
        ));
    }
    let files: &[(&str, &str)] = &[
        (
            "casefile.yaml",
            "# Site settings.\ntitle: My brief\ndescription: A brief made with casefile.\n# Where the site will be hosted; links work under a sub-path such as https://example.org/brief/.\nbase_url: /\nlanguage: en\ntheme: default\nmarkdown:\n  # Raw HTML in notes is escaped unless this is true.\n  raw_html: false\n",
        ),
        (
            "content/_index.md",
            "---\ntitle: My brief\nsummary: What this brief is about, in one sentence.\n---\n[[Ada Example]] founded [[Example Labs]] in 2020 [@example-article, \"founded Example Labs in 2020\"].\n",
        ),
        (
            "content/people/ada-example.md",
            "---\ntitle: Ada Example\nsummary: Founder of Example Labs.\naliases: [A. Example]\nroles:\n  - org: example-labs\n    title: Founder\n    from: \"2020\"\n    cite: {source: example-article, quote: \"founded Example Labs in 2020\"}\n---\nAda Example founded [[Example Labs]] [@example-article, \"founded Example Labs in 2020\"] and led its [[Example Labs launch|launch]] [@example-article, \"launched its first product\"].\n",
        ),
        (
            "content/companies/example-labs.md",
            "---\ntitle: Example Labs\nsummary: A research company founded in 2020.\nfounded: \"2020\"\n---\nExample Labs was founded by [[Ada Example]] [@example-article, \"founded Example Labs in 2020\"].\n",
        ),
        (
            "content/events/example-labs-launch.md",
            "---\ntitle: Example Labs launch\nsummary: Example Labs launched its first product.\ndate: \"2021-03\"\nparticipants: [example-labs, ada-example]\ncite: {source: example-article, quote: \"launched its first product\"}\n---\nIn March 2021 [[Example Labs]] launched its first product [@example-article, \"In March 2021 the company launched its first product\"].\n",
        ),
        (
            "content/sources/example-article.md",
            "---\ntitle: An example article\npublisher: Example Times\ndate: \"2021-04-01\"\nlanguage: en\n---\nAda Example founded Example Labs in 2020.\n\nIn March 2021 the company launched its first product.\n",
        ),
        (
            "content/pages/about.md",
            "---\ntitle: About this brief\nsummary: How to read it.\n---\nEvery claim carries a numbered footnote that leads to the quoted words, highlighted on the source's page [@example-article].\n",
        ),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        write_new(&path, text)?;
    }
    Ok(())
}
