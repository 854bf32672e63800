//! Full-text search: every rendered page indexed by Pagefind's library at build time, its
//! index and UI written into the site under `pagefind/`, so search works on any static host
//! with no server.
//!
//! Pages opt in through `data-pagefind-body` on their article and say their kind through
//! `data-pagefind-filter`, which the UI offers as a filter (person, company, event, source).
//! Without the `search` cargo feature this module indexes nothing.

use crate::output::Output;

/// The folder of the site that holds the index and the UI.
pub const BUNDLE_DIR: &str = "pagefind";

/// Whether this binary was built with search.
pub const ENABLED: bool = cfg!(feature = "search");

/// Indexes the HTML pages among `outputs` and returns the files of the index and UI.
#[cfg(feature = "search")]
pub fn index_site(outputs: &[Output], language: &str) -> Result<Vec<Output>, String> {
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
            .force_language(language)
            .build();
        // Pagefind unwraps the current folder: a folder deleted under the shell would panic.
        std::env::current_dir().map_err(|e| {
            format!("search index: the current folder cannot be read ({e}); run casefile from an existing folder")
        })?;
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|e| format!("search index: {e}"))?;
        for page in outputs.iter().filter(|o| o.path.ends_with(".html")) {
            let html = String::from_utf8_lossy(&page.bytes).into_owned();
            index
                .add_html_file(Some(page.path.clone()), None, html)
                .await
                .map_err(|e| format!("search index, page {}: {e}", page.path))?;
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
pub fn index_site(_outputs: &[Output], _language: &str) -> Result<Vec<Output>, String> {
    Ok(Vec::new())
}
