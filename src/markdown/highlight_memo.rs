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

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::highlight::highlight_block;

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

/// One record's fixed part: the key and the HTML's length.
const RECORD_HEAD: usize = 16 + 4;

/// Highlighted blocks by their key: those of the previous build, and those of this one as
/// they are highlighted or reused (from any thread).
#[derive(Default)]
pub struct HighlightMemo {
    /// The previous file, and where each of its blocks' HTML lies in it.
    previous: Vec<u8>,
    previous_at: HashMap<u128, std::ops::Range<usize>>,
    /// This build's blocks.
    made: Mutex<Vec<(u128, String)>>,
    reused: AtomicUsize,
    highlighted: AtomicUsize,
}

impl HighlightMemo {
    /// A memo that starts from the previous build's file (`bytes`); an empty one when the file
    /// is from other highlighting code or syntaxes, or damaged.
    pub fn from_previous(bytes: Vec<u8>) -> HighlightMemo {
        let header = header();
        let mut previous_at = HashMap::new();
        if bytes.starts_with(header.as_bytes()) {
            let mut at = header.len();
            while let Some(head) = bytes.get(at..at + RECORD_HEAD) {
                let key = u128::from_le_bytes(head[..16].try_into().expect("16 bytes"));
                let len = u32::from_le_bytes(head[16..].try_into().expect("4 bytes")) as usize;
                let html = at + RECORD_HEAD..at + RECORD_HEAD + len;
                if html.end > bytes.len() || std::str::from_utf8(&bytes[html.clone()]).is_err() {
                    previous_at.clear();
                    break;
                }
                at = html.end;
                previous_at.insert(key, html);
            }
            if at != bytes.len() {
                previous_at.clear();
            }
        }
        HighlightMemo {
            previous: if previous_at.is_empty() {
                Vec::new()
            } else {
                bytes
            },
            previous_at,
            ..HighlightMemo::default()
        }
    }

    /// The HTML of a code block ([`highlight_block`]): the previous build's when it had the
    /// same block, made now otherwise. Either way it goes into this build's memo.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let key = key(code, lang);
        let html = match self.previous_at.get(&key) {
            Some(range) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                // Checked as UTF-8 when the file was read.
                String::from_utf8_lossy(&self.previous[range.clone()]).into_owned()
            }
            None => {
                self.highlighted.fetch_add(1, Ordering::Relaxed);
                highlight_block(code, lang)
            }
        };
        self.made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((key, html.clone()));
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
        let mut made = self
            .made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if made.is_empty() {
            return None;
        }
        made.sort_unstable_by_key(|(key, _)| *key);
        made.dedup_by_key(|(key, _)| *key);
        let mut bytes = header().into_bytes();
        bytes.reserve(made.iter().map(|(_, html)| RECORD_HEAD + html.len()).sum());
        for (key, html) in made {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&(html.len() as u32).to_le_bytes());
            bytes.extend_from_slice(html.as_bytes());
        }
        Some(bytes)
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
