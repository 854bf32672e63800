//! Full-text search: every rendered page indexed by Pagefind's library at build time, its
//! index and UI written into the site under `pagefind/`, so search works on any static host
//! with no server.
//!
//! Each note is given to Pagefind as a plain-text record (title, names, summary, text) made
//! while rendering, rather than as HTML to parse again: the generator already knows the
//! words, and re-parsing every page was most of the cost of indexing. Records carry the
//! note's kind as a filter (person, company, event, source). Without the `search` cargo
//! feature this module indexes nothing.

use crate::output::Output;

/// The folder of the site that holds the index and the UI.
pub const BUNDLE_DIR: &str = "pagefind";

/// Whether this binary was built with search.
pub const ENABLED: bool = cfg!(feature = "search");

/// One note as the search index sees it.
#[derive(Debug, Clone)]
pub struct SearchRecord {
    /// Site-relative URL, `/people/x/` (Pagefind adds the base path at run time).
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub content: String,
}

/// Indexes the records and returns the files of the index and UI.
#[cfg(feature = "search")]
pub fn index_site(records: &[SearchRecord], language: &str) -> Result<Vec<Output>, String> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("cannot start the search indexer: {e}"))?;
    let language = language
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_lowercase();
    runtime.block_on(async move {
        let config = PagefindServiceConfig::builder()
            .force_language(language.clone())
            .build();
        // Pagefind unwraps the current folder: a folder deleted under the shell would panic.
        std::env::current_dir().map_err(|e| {
            format!("search index: the current folder cannot be read ({e}); run casefile from an existing folder")
        })?;
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|e| format!("search index: {e}"))?;
        for record in records {
            let meta = std::collections::BTreeMap::from([("title".to_string(), record.title.clone())]);
            let filters = std::collections::BTreeMap::from([("kind".to_string(), vec![record.kind.to_string()])]);
            index
                .add_custom_record(record.url.clone(), record.content.clone(), language.clone(), Some(meta), Some(filters), None)
                .await
                .map_err(|e| format!("search index, page {}: {e}", record.url))?;
        }

        index
            .build_indexes()
            .await
            .map_err(|e| format!("search index: {e}"))?;

        let files = index
            .get_files()
            .await
            .map_err(|e| format!("search index: {e}"))?;
Ok(files
            .into_iter()
            .map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                let name = name.trim_start_matches('/');
                let path = if name.starts_with(&format!("{BUNDLE_DIR}/")) {
                    name.to_string()
                } else {
                    format!("{BUNDLE_DIR}/{name}")
                };
                Output::new(path, f.contents)
            })
            .collect())
    })
}

#[cfg(not(feature = "search"))]
pub fn index_site(_records: &[SearchRecord], _language: &str) -> Result<Vec<Output>, String> {
    Ok(Vec::new())
}

/// The text of rendered HTML: tags dropped, the five escapes undone, white space folded.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text("<p>A &amp; <a href=\"x\">B</a></p>\n<p>C&lt;D</p>"),
            "A & B C<D"
        );
    }
}
