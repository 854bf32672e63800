//! Many names searched at once in a text, leftmost-longest and without overlaps: the matches
//! `aho_corasick` reports with `MatchKind::LeftmostLongest`, without building an automaton.
//!
//! With every title and alias of a brief as patterns, building the automata cost about as much
//! as scanning all the sources with them (tens of ms each at 10,000 notes), and the scan spent
//! ~42 instructions per byte. Names here are grouped by their first 4 (or 2)
//! bytes instead. A bitset of those keys turns most positions of a text away in a few
//! instructions; at the few that pass, the group's names are compared longest first. A match
//! at any position, whole word or not, hides what starts inside it, as in the automaton: the
//! caller keeps only whole words afterwards, so the result stays the automaton's exactly.

use std::ops::Range;

/// Names of one matching mode (exact, or ignoring ASCII case) indexed by their first bytes.
pub struct NameMatcher {
    ignore_ascii_case: bool,
    /// Bytes of the key: every name has at least this many.
    key_len: usize,
    /// The names one after another (ASCII-lowercased when case is ignored); name `i` is
    /// `bytes[ends[i - 1]..ends[i]]`.
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// One bit per hash of a key: clear means no name starts with those bytes.
    filter: Box<[u64; FILTER_WORDS]>,
    /// Open addressing by key hash, each slot a run of `by_key`.
    slots: Vec<Slot>,
    slot_shift: u32,
    /// Name indices sorted by key, then longest first, then in the order given, so the first
    /// one that matches at a position is the one the automaton reports.
    by_key: Vec<u32>,
}

/// A key and its names, `by_key[start..end]`; `end == 0` marks an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u32,
    start: u32,
    end: u32,
}

/// Bits of the filter: fixed, so indexing it needs no bounds check, and 2^18 (32 KB) leaves
/// about one bit in 64 set for the ~4,000 keys of 10,000 notes.
const FILTER_SHIFT: u32 = 32 - 18;
const FILTER_WORDS: usize = (1 << 18) / 64;

/// Fibonacci hashing: the top bits of the product are well mixed for any key.
fn hash(key: u32, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> shift) as usize
}

/// `shift` for a table of `2^bits` entries (at least 2, so the shift stays below 32).
fn shift_for(entries: usize) -> u32 {
    32 - entries.next_power_of_two().trailing_zeros().max(1)
}

/// ASCII lowercase by table: one load in the scan's inner loop instead of a compare and two
/// more operations.
static LOWERCASE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).to_ascii_lowercase();
        byte += 1;
    }
    table
};

fn fold<const IGNORE_CASE: bool>(byte: u8) -> u8 {
    if IGNORE_CASE {
        LOWERCASE[byte as usize]
    } else {
        byte
    }
}

impl NameMatcher {
    /// `key_len` (2 or 4) must not exceed any name's length in bytes.
    pub fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        ignore_ascii_case: bool,
        key_len: usize,
    ) -> NameMatcher {
        assert!(key_len == 2 || key_len == 4);
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for name in names {
            assert!(name.len() >= key_len, "{name:?} is shorter than the key");
            if ignore_ascii_case {
                bytes.extend(name.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                bytes.extend_from_slice(name.as_bytes());
            }
            ends.push(u32::try_from(bytes.len()).expect("names under 4 GB"));
        }
        let mut matcher = NameMatcher {
            ignore_ascii_case,
            key_len,
            bytes,
            ends,
            filter: Box::new([0; FILTER_WORDS]),
            slots: Vec::new(),
            slot_shift: 0,
            by_key: Vec::new(),
        };
        let key = |m: &NameMatcher, i: u32| {
            m.name(i as usize)[..key_len]
                .iter()
                .fold(0u32, |key, &b| (key << 8) | u32::from(b))
        };
        let mut by_key: Vec<u32> = (0..matcher.ends.len() as u32).collect();
        by_key.sort_unstable_by_key(|&i| {
            (
                key(&matcher, i),
                std::cmp::Reverse(matcher.name(i as usize).len()),
                i,
            )
        });
        let mut runs: Vec<(u32, u32, u32)> = Vec::new();
        for (at, &i) in by_key.iter().enumerate() {
            let k = key(&matcher, i);
            match runs.last_mut() {
                Some((last, _, end)) if *last == k => *end += 1,
                _ => runs.push((k, at as u32, at as u32 + 1)),
            }
        }
        // Slots at most half full.
        let slot_count = (runs.len() * 2).next_power_of_two().max(2);
        matcher.slot_shift = shift_for(slot_count);
        matcher.slots = vec![Slot::default(); slot_count];
        for (key, start, end) in runs {
            let bit = hash(key, FILTER_SHIFT);
            matcher.filter[bit / 64] |= 1 << (bit % 64);
            let mut at = hash(key, matcher.slot_shift);
            while matcher.slots[at].end != 0 {
                at = (at + 1) & (slot_count - 1);
            }
            matcher.slots[at] = Slot { key, start, end };
        }
        matcher.by_key = by_key;
        matcher
    }

    fn name(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// Calls `found` with the range and index of each match, left to right: at the leftmost
    /// position where a name starts, the longest such name (the first given among equals),
    /// then on from its end.
    pub fn for_each_match(&self, text: &str, found: impl FnMut(Range<usize>, usize)) {
        if self.ends.is_empty() {
            return;
        }
        // The key's length fixed at compile time spares the inner loop a mask.
        let text = text.as_bytes();
        match (self.ignore_ascii_case, self.key_len) {
            (true, 4) => self.scan::<true, 4>(text, found),
            (true, _) => self.scan::<true, 2>(text, found),
            (false, 4) => self.scan::<false, 4>(text, found),
            (false, _) => self.scan::<false, 2>(text, found),
        }
    }

    fn scan<const IGNORE_CASE: bool, const KEY_LEN: usize>(
        &self,
        text: &[u8],
        mut found: impl FnMut(Range<usize>, usize),
    ) {
        if text.len() < KEY_LEN {
            return;
        }
        let mask = u32::MAX >> (32 - 8 * KEY_LEN);
        // The key of the `KEY_LEN` bytes ending at the current one, first byte highest.
        let mut window = text[..KEY_LEN - 1]
            .iter()
            .fold(0u32, |w, &b| (w << 8) | u32::from(fold::<IGNORE_CASE>(b)));
        // Where the next match may start: matches do not overlap.
        let mut next = 0;
        // One index for the loop (the window's end) keeps it at ~14 instructions a byte.
        let mut end = KEY_LEN - 1;
        while let Some(&last) = text.get(end) {
            end += 1;
            window = ((window << 8) | u32::from(fold::<IGNORE_CASE>(last))) & mask;
            let bit = hash(window, FILTER_SHIFT);
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let start = end - KEY_LEN;
            if start < next {
                continue;
            }
            if let Some(name) = self.longest_at::<IGNORE_CASE>(text, start, window) {
                let stop = start + self.name(name).len();
                found(start..stop, name);
                next = stop;
            }
        }
    }

    /// The longest name (the first given among equals) at `start`, whose key is `key`.
    fn longest_at<const IGNORE_CASE: bool>(
        &self,
        text: &[u8],
        start: usize,
        key: u32,
    ) -> Option<usize> {
        let mut at = hash(key, self.slot_shift);
        let slot = loop {
            let slot = self.slots[at];
            if slot.end == 0 {
                return None;
            }
            if slot.key == key {
                break slot;
            }
            at = (at + 1) & (self.slots.len() - 1);
        };
        // The key's bytes are equal already; compare the rest.
        let rest = start + self.key_len;
        self.by_key[slot.start as usize..slot.end as usize]
            .iter()
            .map(|&i| i as usize)
            .find(|&i| {
                let name = &self.name(i)[self.key_len..];
                // Byte by byte: most candidates differ at the first.
                text.get(rest..rest + name.len()).is_some_and(|here| {
                    here.iter()
                        .zip(name)
                        .all(|(&t, &n)| fold::<IGNORE_CASE>(t) == n)
                })
            })
    }
}
