//! The previous build's highlighted code blocks, kept so that a rebuild does not highlight
//! again a block it already did. syntect runs tens of regex searches a line: a thousand
//! blocks were about 4 % of a 10,000-note build's CPU, and an edit changes a few of them.
//!
//! A block's HTML is a pure function of its language token, its code, the code in
//! `highlight.rs` and the syntax definitions syntect ships. The first two make each block's
//! key (XXH3, 128 bits); the file's first line carries a hash of the other two, taken as
//! `highlight.rs`'s source and `Cargo.lock` (which pins syntect's version), so that changed
//! highlighting code or syntaxes never reuse an old block.
//!
//! This module owns the file's format and lookups; it does not know where the file lives (the
//! renderer reads and writes it through the output folder, as it does the layouts' memo).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::highlight::highlight_block;
use crate::memo_file::{self, MemoFile};

/// The memo's name at the site's root.
pub const FILE: &str = ".casefile-highlights";

/// What a block's HTML depends on besides the block itself.
const HIGHLIGHT_SOURCE: &str = include_str!("highlight.rs");
const LOCKFILE: &str = include_str!("../../Cargo.lock");

fn header() -> String {
    let mut code = Vec::with_capacity(HIGHLIGHT_SOURCE.len() + LOCKFILE.len() + 1);
    code.extend_from_slice(HIGHLIGHT_SOURCE.as_bytes());
    code.push(0);
    code.extend_from_slice(LOCKFILE.as_bytes());
    let code = xxhash_rust::xxh3::xxh3_128(&code);
    format!("casefile highlights 1 {code:032x}\n")
}

/// A record's body: the HTML's length, then the HTML.
fn body_len(body: &[u8]) -> Option<usize> {
    memo_file::leading_u32(body).map(|len| 4 + len as usize)
}

/// Highlighted blocks by their key: those of the previous build, and those of this one as
/// they are highlighted or reused (from any thread).
#[derive(Default)]
pub struct HighlightMemo {
    /// The previous file's blocks.
    previous: MemoFile,
    /// This build's blocks, each body encoded as the file holds it.
    made: Mutex<Vec<(u128, Vec<u8>)>>,
    reused: AtomicUsize,
    highlighted: AtomicUsize,
}

impl HighlightMemo {
    /// A memo that starts from the previous build's file (`bytes`); an empty one when the file
    /// is from other highlighting code or syntaxes, or damaged.
    pub fn from_previous(bytes: Vec<u8>) -> HighlightMemo {
        HighlightMemo {
            previous: MemoFile::read(bytes, &header(), body_len),
            ..HighlightMemo::default()
        }
    }

    /// The HTML of a code block ([`highlight_block`]): the previous build's when it had the
    /// same block, made now otherwise. Either way it goes into this build's memo.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let key = key(code, lang);
        let remembered = self
            .previous
            .get(key)
            .and_then(|body| std::str::from_utf8(&body[4..]).ok());
        let html = match remembered {
            Some(html) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                html.to_string()
            }
            None => {
                self.highlighted.fetch_add(1, Ordering::Relaxed);
                highlight_block(code, lang)
            }
        };
        let mut body = Vec::with_capacity(4 + html.len());
        body.extend_from_slice(&(html.len() as u32).to_le_bytes());
        body.extend_from_slice(html.as_bytes());
        self.made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((key, body));
        html
    }

    /// How many blocks were taken from the previous build, and how many were highlighted.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.reused.load(Ordering::Relaxed),
            self.highlighted.load(Ordering::Relaxed),
        )
    }

    /// The file for the next build: this build's blocks, each once and in the order of their
    /// keys, so that the same blocks give the same file whichever thread made which. None
    /// when the site has no code block (no file to leave).
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        let made = self
            .made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if made.is_empty() {
            return None;
        }
        Some(memo_file::write(&header(), made))
    }
}

/// A block's key: its code, hashed with its language token as the seed (so that the same
/// code fenced as two languages has two keys).
fn key(code: &str, lang: &str) -> u128 {
    let seed = xxhash_rust::xxh3::xxh3_64(lang.as_bytes());
    xxhash_rust::xxh3::xxh3_128_with_seed(code.as_bytes(), seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST: &str = "fn main() {\n    println!(\"hi\");\n}\n";

    #[test]
    fn a_block_is_reused_from_the_file_and_equals_a_fresh_highlight() {
        let first = HighlightMemo::default();
        let made = first.highlight(RUST, "rust");
        assert_eq!(made, highlight_block(RUST, "rust"));
        assert_eq!(first.counts(), (0, 1));
        let file = first.into_bytes().expect("one block");

        let second = HighlightMemo::from_previous(file.clone());
        assert_eq!(second.highlight(RUST, "rust"), made);
        assert_eq!(second.counts(), (1, 0));
        // Another language for the same code is another block.
        assert_eq!(
            second.highlight(RUST, "python"),
            highlight_block(RUST, "python")
        );
        assert_eq!(second.counts(), (1, 1));
        // Only what this build used is kept, once each and in key order.
        let again = HighlightMemo::default();
        again.highlight(RUST, "python");
        again.highlight(RUST, "rust");
        again.highlight(RUST, "rust");
        assert_eq!(second.into_bytes(), again.into_bytes());
    }

    #[test]
    fn a_damaged_or_foreign_file_is_not_used() {
        let memo = HighlightMemo::default();
        memo.highlight(RUST, "rust");
        let file = memo.into_bytes().expect("one block");
        let mut cut = file.clone();
        cut.truncate(file.len() - 3);
        let mut longer = file.clone();
        longer.push(b'x');
        let mut other_code = file.clone();
        other_code[25] ^= 1; // inside the header's hash
        for damaged in [cut, longer, other_code, Vec::new(), b"garbage".to_vec()] {
            let memo = HighlightMemo::from_previous(damaged);
            assert_eq!(memo.highlight(RUST, "rust"), highlight_block(RUST, "rust"));
            assert_eq!(memo.counts(), (0, 1));
        }
    }

    #[test]
    fn a_site_without_code_leaves_no_file() {
        assert_eq!(HighlightMemo::default().into_bytes(), None);
    }
}
