//! The site's files as `serve` holds them between builds: a large shared base and a small map
//! of the files incremental builds changed since, so a build that changes three pages of ten
//! thousand copies three entries, not ten thousand. Cheap to clone; never mutated once shared.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;

use crate::output::Output;

/// Files by their path in the site (`people/x/index.html`).
#[derive(Clone, Debug, Default)]
pub struct Pages {
    base: Arc<HashMap<String, Bytes>>,
    /// Added or replaced since `base`; looked up first.
    changed: Arc<HashMap<String, Bytes>>,
}

impl Pages {
    pub fn new(outputs: Vec<Output>) -> Pages {
        Pages {
            base: Arc::new(
                outputs
                    .into_iter()
                    .map(|o| (o.path, Bytes::from(o.bytes)))
                    .collect(),
            ),
            changed: Arc::default(),
        }
    }

    pub fn get(&self, path: &str) -> Option<&Bytes> {
        self.changed.get(path).or_else(|| self.base.get(path))
    }

    pub fn len(&self) -> usize {
        self.base.len()
            + self
                .changed
                .keys()
                .filter(|path| !self.base.contains_key(*path))
                .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every file, each path once, the newest version.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Bytes)> {
        self.changed.iter().chain(
            self.base
                .iter()
                .filter(|(path, _)| !self.changed.contains_key(*path)),
        )
    }

    /// These pages with `outputs` added or replaced; the base is shared, not copied, until
    /// the changed files grow to an eighth of it.
    pub fn with(&self, outputs: Vec<Output>) -> Pages {
        let mut changed = (*self.changed).clone();
        for o in outputs {
            changed.insert(o.path, Bytes::from(o.bytes));
        }
        if changed.len() <= self.base.len() / 8 {
            return Pages {
                base: Arc::clone(&self.base),
                changed: Arc::new(changed),
            };
        }
        let mut base = (*self.base).clone();
        base.extend(changed);
        Pages {
            base: Arc::new(base),
            changed: Arc::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_files_shadow_the_base_and_fold_into_it_when_many() {
        let base: Vec<Output> = (0..16)
            .map(|i| Output::new(format!("{i}.html"), b"old".to_vec()))
            .collect();
        let pages = Pages::new(base);
        let next = pages.with(vec![
            Output::new("3.html", b"new".to_vec()),
            Output::new("extra.html", b"x".to_vec()),
        ]);
        assert_eq!(next.get("3.html").map(|b| b.as_ref()), Some(&b"new"[..]));
        assert_eq!(pages.get("3.html").map(|b| b.as_ref()), Some(&b"old"[..]));
        assert_eq!(next.len(), 17);
        assert_eq!(next.iter().count(), 17);
        assert!(Arc::ptr_eq(&pages.base, &next.base), "the base is shared");
        let many = next.with(vec![Output::new("4.html", b"new".to_vec())]);
        assert!(
            many.changed.is_empty(),
            "three of sixteen: folded into a new base"
        );
        assert_eq!(many.get("3.html").map(|b| b.as_ref()), Some(&b"new"[..]));
        assert_eq!(many.len(), 17);
    }
}
