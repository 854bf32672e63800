//! The previous build's layouts, kept so that a rebuild does not lay out again a drawing whose
//! input did not change. Laying out the neighbourhood drawings was about 6 % of a 10,000-note
//! build's CPU, and an edit changes only the few drawings around the edited note.
//!
//! A layout is a pure function of its `LayoutInput` (the node sizes, links, degrees, pinned
//! node and aspect) and of the code in `layout.rs`, so both make the key: each input is hashed
//! (XXH3, 128 bits) with its exact bits, and the file's first line carries the hash of
//! `layout.rs`'s own source, so that a changed layout code never reuses an old layout. The
//! positions are kept with their exact bits too: a drawing from the memo is byte for byte the
//! one the layout would make.
//!
//! This module owns the memo's file format and lookups; it does not know where the file lives
//! (the renderer reads and writes it through the output folder).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::layout::{self, LayoutInput, Placed, Point};
use crate::memo_file::{self, MemoFile};

/// The memo's name at the site's root.
pub const FILE: &str = ".casefile-layouts";

/// The code the layouts come from; its hash heads the file.
const LAYOUT_SOURCE: &str = include_str!("layout.rs");

fn header() -> String {
    let code = xxhash_rust::xxh3::xxh3_128(LAYOUT_SOURCE.as_bytes());
    format!("casefile layouts 1 {code:032x}\n")
}

/// Layouts by the hash of their input: those of the previous build, and those of this one as
/// they are made (from any thread).
#[derive(Default)]
pub struct LayoutMemo {
    /// The previous file's layouts.
    previous: MemoFile,
    /// This build's layouts, each encoded as the file holds it.
    made: Mutex<Vec<(u128, Vec<u8>)>>,
    reused: AtomicUsize,
    laid_out: AtomicUsize,
}

/// A record's body: node count, width, height, then a position for each node.
const BODY_HEAD: usize = 4 + 8 + 8;

fn body_len(body: &[u8]) -> Option<usize> {
    memo_file::leading_u32(body).map(|nodes| BODY_HEAD + 16 * nodes as usize)
}

impl LayoutMemo {
    /// A memo that starts from the previous build's file (`bytes`); an empty one when the file
    /// is from another version of the layout code or damaged.
    pub fn from_previous(bytes: Vec<u8>) -> LayoutMemo {
        LayoutMemo {
            previous: MemoFile::read(bytes, &header(), body_len),
            ..LayoutMemo::default()
        }
    }

    /// The layout of `input`: the previous build's when it had the same input, made now
    /// otherwise. Either way it goes into this build's memo.
    pub(super) fn place(&self, input: &LayoutInput) -> Placed {
        let key = key(input);
        let remembered = self
            .previous
            .get(key)
            .map(decode)
            .filter(|placed| placed.positions.len() == input.sizes.len());
        let placed = match remembered {
            Some(placed) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                placed
            }
            None => {
                self.laid_out.fetch_add(1, Ordering::Relaxed);
                layout::place(input)
            }
        };
        let body = encode(&placed);
        self.made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((key, body));
        placed
    }

    /// How many layouts were taken from the previous build, and how many were made.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.reused.load(Ordering::Relaxed),
            self.laid_out.load(Ordering::Relaxed),
        )
    }

    /// The file for the next build: this build's layouts, each once and in the order of their
    /// keys, so that the same drawings give the same file whichever thread made which.
    pub fn into_bytes(self) -> Vec<u8> {
        let made = self
            .made
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo_file::write(&header(), made)
    }
}

/// The key of a layout's input: every number with its exact bits, in a fixed order.
fn key(input: &LayoutInput) -> u128 {
    let mut bytes = Vec::with_capacity(16 + input.sizes.len() * 32 + input.links.len() * 16);
    let mut push = |word: u64| bytes.extend_from_slice(&word.to_le_bytes());
    push(input.sizes.len() as u64);
    push(input.aspect.to_bits());
    push(input.pinned.map_or(u64::MAX, |p| p as u64));
    for size in input.sizes {
        push(size.radius.to_bits());
        push(size.label_width.to_bits());
        push(size.label_height.to_bits());
    }
    for &degree in input.degrees {
        push(degree as u64);
    }
    push(input.links.len() as u64);
    for &(a, b) in input.links {
        push(a as u64);
        push(b as u64);
    }
    xxhash_rust::xxh3::xxh3_128(&bytes)
}

fn encode(placed: &Placed) -> Vec<u8> {
    let mut out = Vec::with_capacity(BODY_HEAD + 16 * placed.positions.len());
    out.extend_from_slice(&(placed.positions.len() as u32).to_le_bytes());
    out.extend_from_slice(&placed.width.to_bits().to_le_bytes());
    out.extend_from_slice(&placed.height.to_bits().to_le_bytes());
    for point in &placed.positions {
        out.extend_from_slice(&point.x.to_bits().to_le_bytes());
        out.extend_from_slice(&point.y.to_bits().to_le_bytes());
    }
    out
}

/// A body [`encode`] wrote, whose length [`MemoFile::read`] checked.
fn decode(body: &[u8]) -> Placed {
    let f64_at = |at: usize| {
        f64::from_bits(u64::from_le_bytes(
            body[at..at + 8].try_into().expect("8 bytes"),
        ))
    };
    let nodes = (body.len() - BODY_HEAD) / 16;
    Placed {
        width: f64_at(4),
        height: f64_at(12),
        positions: (0..nodes)
            .map(|i| Point {
                x: f64_at(BODY_HEAD + 16 * i),
                y: f64_at(BODY_HEAD + 16 * i + 8),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::layout::NodeSize;

    fn input<'a>(sizes: &'a [NodeSize], links: &'a [(usize, usize)]) -> LayoutInput<'a> {
        static DEGREES: [usize; 3] = [1, 2, 1];
        LayoutInput {
            sizes,
            links,
            degrees: &DEGREES,
            pinned: Some(1),
            aspect: 1.5,
        }
    }

    fn sizes() -> Vec<NodeSize> {
        (0..3)
            .map(|i| NodeSize {
                radius: 6.0 + i as f64,
                label_width: 40.0,
                label_height: 12.0,
            })
            .collect()
    }

    #[test]
    fn a_layout_from_the_memo_is_the_one_the_layout_makes() {
        let (sizes, links) = (sizes(), [(0, 1), (1, 2)]);
        let first = LayoutMemo::default();
        let made = first.place(&input(&sizes, &links));
        assert_eq!(first.counts(), (0, 1));
        let second = LayoutMemo::from_previous(first.into_bytes());
        let reused = second.place(&input(&sizes, &links));
        assert_eq!(second.counts(), (1, 0));
        assert_eq!(reused.positions, made.positions);
        assert_eq!((reused.width, reused.height), (made.width, made.height));
        // And it stays in the memo for the build after.
        let third = LayoutMemo::from_previous(second.into_bytes());
        third.place(&input(&sizes, &links));
        assert_eq!(third.counts(), (1, 0));
    }

    #[test]
    fn the_file_does_not_depend_on_the_order_drawings_were_made_in() {
        let sizes = sizes();
        let (a, b) = ([(0, 1), (1, 2)], [(0, 2)]);
        let (first, second) = (LayoutMemo::default(), LayoutMemo::default());
        first.place(&input(&sizes, &a));
        first.place(&input(&sizes, &b));
        second.place(&input(&sizes, &b));
        second.place(&input(&sizes, &a));
        second.place(&input(&sizes, &b));
        assert_eq!(first.into_bytes(), second.into_bytes());
    }

    #[test]
    fn any_change_to_the_input_lays_out_again() {
        let (sizes, links) = (sizes(), [(0, 1), (1, 2)]);
        let first = LayoutMemo::default();
        first.place(&input(&sizes, &links));
        let memo = LayoutMemo::from_previous(first.into_bytes());
        let mut wider = sizes.clone();
        wider[2].label_width += 0.5;
        memo.place(&input(&wider, &links));
        memo.place(&input(&sizes, &[(0, 1), (0, 2)]));
        let mut unpinned = input(&sizes, &links);
        unpinned.pinned = None;
        memo.place(&unpinned);
        assert_eq!(memo.counts(), (0, 3));
    }

    #[test]
    fn a_memo_of_other_code_or_damaged_is_not_read() {
        let (sizes, links) = (sizes(), [(0, 1), (1, 2)]);
        let first = LayoutMemo::default();
        first.place(&input(&sizes, &links));
        let bytes = first.into_bytes();
        let other_code = [
            b"casefile layouts 1 0000\n".as_slice(),
            &bytes[header().len()..],
        ]
        .concat();
        let cut_short = bytes[..bytes.len() - 1].to_vec();
        for damaged in [other_code, cut_short, b"nonsense".to_vec()] {
            let memo = LayoutMemo::from_previous(damaged);
            memo.place(&input(&sizes, &links));
            assert_eq!(memo.counts(), (0, 1));
        }
    }
}
