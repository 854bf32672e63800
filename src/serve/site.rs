//! The site as `serve` holds it: every output file in a map from its site path to its bytes,
//! plus the errors of the latest build if it failed. A [`SiteCell`] holds the current site
//! behind an `Arc`, so a rebuild swaps the whole site in one step and a request in flight keeps
//! the version it started with. Nothing here touches the file system.

use std::sync::{Arc, RwLock};

use axum::body::Bytes;

use crate::incremental::Pages;
#[cfg(test)]
use crate::output::Output;

/// One version of the site: the last good build's files and, if the latest build failed, its
/// errors (shown over every page until a build succeeds).
#[derive(Clone, Debug, Default)]
pub struct Site {
    files: Pages,
    errors: Option<Arc<BuildErrors>>,
}

/// The errors of a failed build, each already rendered as plain text like the terminal shows
/// them (message, `--> file:line:col`, the line, a caret, help).
#[derive(Debug)]
pub struct BuildErrors {
    rendered: Vec<String>,
}

impl BuildErrors {
    pub fn new(rendered: Vec<String>) -> BuildErrors {
        BuildErrors { rendered }
    }

    pub fn count(&self) -> usize {
        self.rendered.len()
    }

    pub fn rendered(&self) -> &[String] {
        &self.rendered
    }
}

impl Site {
    /// Before the first good build: no pages, no errors.
    pub fn empty() -> Site {
        Site::default()
    }

    /// A good build's files, keyed by their path in the site (`people/x/index.html`); shared
    /// with the build's memory, not copied.
    pub fn from_pages(files: Pages) -> Site {
        Site {
            files,
            errors: None,
        }
    }

    #[cfg(test)]
    pub fn built(outputs: Vec<Output>) -> Site {
        Site::from_pages(Pages::new(outputs))
    }

    /// The same pages (shared, not copied) with a failed build's errors on top.
    pub fn with_errors(&self, errors: BuildErrors) -> Site {
        Site {
            files: self.files.clone(),
            errors: Some(Arc::new(errors)),
        }
    }

    pub fn file(&self, path: &str) -> Option<&Bytes> {
        self.files.get(path)
    }

    pub fn errors(&self) -> Option<&BuildErrors> {
        self.errors.as_deref()
    }

    pub fn has_pages(&self) -> bool {
        !self.files.is_empty()
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}

/// The site currently served; replaced whole on every rebuild.
#[derive(Debug)]
pub struct SiteCell {
    current: RwLock<Arc<Site>>,
}

impl SiteCell {
    pub fn new(site: Site) -> SiteCell {
        SiteCell {
            current: RwLock::new(Arc::new(site)),
        }
    }

    /// The site to answer one request from; cheap (an `Arc` clone under a short read lock).
    pub fn current(&self) -> Arc<Site> {
        // A poisoned lock still holds a whole site: the swap below cannot leave half of one.
        let guard = self.current.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&guard)
    }

    pub fn replace(&self, site: Site) {
        let mut guard = self.current.write().unwrap_or_else(|e| e.into_inner());
        *guard = Arc::new(site);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_build_keeps_the_last_good_pages_and_adds_errors() {
        let good = Site::built(vec![Output::new("index.html", b"<p>old</p>".to_vec())]);
        let failed = good.with_errors(BuildErrors::new(vec!["error: x".into()]));
        assert_eq!(
            failed.file("index.html").map(|b| b.as_ref()),
            Some(&b"<p>old</p>"[..])
        );
        assert_eq!(failed.errors().map(BuildErrors::count), Some(1));
        assert!(good.errors().is_none());
    }

    #[test]
    fn replace_swaps_the_whole_site_while_old_readers_keep_theirs() {
        let cell = SiteCell::new(Site::built(vec![Output::new("a.html", b"1".to_vec())]));
        let before = cell.current();
        cell.replace(Site::built(vec![Output::new("b.html", b"2".to_vec())]));
        assert!(before.file("a.html").is_some());
        assert!(cell.current().file("a.html").is_none());
        assert!(cell.current().file("b.html").is_some());
    }
}
