//! Entry points for fuzzing and property tests: arbitrary bytes run through the whole
//! pipeline as one note of a small in-memory brief. They must never panic; whatever they
//! return is thrown away. Used by `fuzz/` (cargo fuzz) and by the property tests that CI runs.

use std::path::PathBuf;

/// Writes `data` as `content/people/fuzzed.md` beside a source and another note, then loads,
/// resolves, verifies and renders the brief in memory.
pub fn check_note_bytes(data: &[u8]) {
    let Ok(dir) = scratch_brief() else { return };
    let note = dir.join("content/people/fuzzed.md");
    if std::fs::write(&note, data).is_err() {
        return;
    }
    let options = crate::build::BuildOptions {
        root: dir.clone(),
        drafts: true,
        base_url: None,
        render: true,
    };
    let _ = crate::build::build(&options);
}

/// Runs the parsers that see user text directly, without touching the disk.
pub fn check_text(text: &str) {
    let _ = crate::markdown::scan::scan(text);
    let _ = crate::markdown::citation_syntax::find_citations(text);
    let prepared = crate::evidence::PreparedSource::new(text);
    let _ = prepared.locate(text.get(..text.len().min(40)).unwrap_or(""));
}

fn scratch_brief() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("casefile-fuzz-{}", std::process::id()));
    let files = [
        ("casefile.yaml", "title: Fuzz\n"),
        (
            "content/sources/src.md",
            "---\ntitle: A source\n---\nSome words of the source. More words here.\n",
        ),
        (
            "content/companies/acme.md",
            "---\ntitle: Acme\naliases: [ACME Corp]\n---\nA company [@src, \"Some words\"].\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if !path.exists() {
            std::fs::write(path, text)?;
        }
    }
    std::fs::create_dir_all(dir.join("content/people"))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        /// The same property the fuzz target checks, bounded for CI: the text parsers never
        /// panic, whatever mix of front matter, citations, links and Unicode they get.
        #[test]
        fn text_parsers_never_panic(text in "(---\n|\\[\\[|\\]\\]|\\[@|\"|“|”|…|\\.\\.\\.|[a-z ]{0,8}|#|\\||\n|`|\\*|é|李|\u{0}){0,40}") {
            super::check_text(&text);
        }
    }
}
