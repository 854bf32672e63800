//! Many names searched at once in a text, leftmost-longest and without overlaps: the matches
//! `aho_corasick` reports with `MatchKind::LeftmostLongest`, without building an automaton.
//!
//! With every title and alias of a brief as patterns, building the automata cost about as much
//! as scanning all the sources with them (tens of ms each at 10,000 notes), and the scan spent
//! ~42 instructions per byte. Names here are grouped by their first 4 bytes (2 for the short
//! names) instead: a bitset of those keys turns most positions of a text away in ~14
//! instructions a byte, and at the few that pass, the group's names are compared longest
//! first. A match at any position, whole word or not, hides what starts inside it, as in the
//! automaton: the caller keeps only whole words afterwards, so the result stays the
//! automaton's exactly.

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
    /// Names of [`LONG_KEY_LEN`] bytes or more, by their first [`LONG_KEY_LEN`] bytes: at
    /// 10,000 notes some 4-byte keys (a common first name) start 80 names, and a common word
    /// with the same start ("more", "the ") would compare them all.
    long_names: Groups,
    /// The shorter names, by their first `key_len` bytes.
    short_names: Groups,
}

/// Bytes of the key of [`NameMatcher::long_names`].
const LONG_KEY_LEN: usize = 8;

/// Names grouped by a key of their first bytes, in a table by key hash.
struct Groups {
    /// Open addressing, at most half full.
    slots: Vec<Slot>,
    shift: u32,
    /// Name indices sorted by key, then longest first, then in the order given, so the first
    /// one that matches at a position is the one the automaton reports.
    by_key: Vec<u32>,
}

/// A key and its names, `by_key[start..end]`; `end == 0` marks an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    start: u32,
    end: u32,
}

impl Groups {
    /// From (key, length, index) of each name.
    fn new(mut names: Vec<(u64, usize, u32)>) -> Groups {
        names.sort_unstable_by_key(|&(key, len, i)| (key, std::cmp::Reverse(len), i));
        let mut runs: Vec<Slot> = Vec::new();
        for (at, &(key, _, _)) in names.iter().enumerate() {
            match runs.last_mut() {
                Some(run) if run.key == key => run.end += 1,
                _ => runs.push(Slot {
                    key,
                    start: at as u32,
                    end: at as u32 + 1,
                }),
            }
        }
        let slot_count = (runs.len() * 2).next_power_of_two().max(2);
        let shift = 64 - slot_count.trailing_zeros();
        let mut slots = vec![Slot::default(); slot_count];
        for run in runs {
            let mut at = hash64(run.key, shift);
            while slots[at].end != 0 {
                at = (at + 1) & (slot_count - 1);
            }
            slots[at] = run;
        }
        Groups {
            slots,
            shift,
            by_key: names.into_iter().map(|(_, _, i)| i).collect(),
        }
    }

    /// The names whose key is `key`, longest first.
    fn get(&self, key: u64) -> &[u32] {
        let mut at = hash64(key, self.shift);
        loop {
            let slot = self.slots[at];
            if slot.end == 0 {
                return &[];
            }
            if slot.key == key {
                return &self.by_key[slot.start as usize..slot.end as usize];
            }
            at = (at + 1) & (self.slots.len() - 1);
        }
    }
}

/// Bits of the filter: fixed, so indexing it needs no bounds check, and 2^18 (32 KB) leaves
/// about one bit in 64 set for the ~4,000 keys of 10,000 notes.
const FILTER_SHIFT: u32 = 32 - 18;
const FILTER_WORDS: usize = (1 << 18) / 64;

/// Fibonacci hashing: the top bits of the product are well mixed for any key.
fn hash(key: u32, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> shift) as usize
}

fn hash64(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
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

/// The bytes as one number, the first highest, so a name's key equals one rolled in from a
/// text.
fn key_of<const IGNORE_CASE: bool>(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0, |key, &b| (key << 8) | u64::from(fold::<IGNORE_CASE>(b)))
}

/// Name `i` of names stored one after another, each ending at its `ends`.
fn name_in<'a>(bytes: &'a [u8], ends: &[u32], i: usize) -> &'a [u8] {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &bytes[start..ends[i] as usize]
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
        let mut filter = Box::new([0; FILTER_WORDS]);
        let mut long = Vec::new();
        let mut short = Vec::new();
        for i in 0..ends.len() {
            // Names are folded already.
            let name = name_in(&bytes, &ends, i);
            let key = key_of::<false>(&name[..key_len]);
            let bit = hash(key as u32, FILTER_SHIFT);
            filter[bit / 64] |= 1 << (bit % 64);
            if name.len() >= LONG_KEY_LEN {
                long.push((key_of::<false>(&name[..LONG_KEY_LEN]), name.len(), i as u32));
            } else {
                short.push((key, name.len(), i as u32));
            }
        }
        NameMatcher {
            ignore_ascii_case,
            key_len,
            bytes,
            ends,
            filter,
            long_names: Groups::new(long),
            short_names: Groups::new(short),
        }
    }

    fn name(&self, i: usize) -> &[u8] {
        name_in(&self.bytes, &self.ends, i)
    }

    /// Calls `found` with the range and index of each match, left to right: at the leftmost
    /// position where a name starts, the longest such name (the first given among equals),
    /// then on from its end.
    pub fn for_each_match(&self, text: &str, found: impl FnMut(Range<usize>, usize)) {
        if self.ends.is_empty() {
            return;
        }
        // Key length and case mode as constants, so the inner loop tests neither.
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

    /// The longest name (the first given among equals) at `start`, whose first `key_len`
    /// bytes (folded) are `key`.
    fn longest_at<const IGNORE_CASE: bool>(
        &self,
        text: &[u8],
        start: usize,
        key: u32,
    ) -> Option<usize> {
        // The name's first `from` bytes are known to be equal; compare the rest byte by byte,
        // as most candidates differ at the first.
        let matches_from = |i: usize, from: usize| {
            let rest = &self.name(i)[from..];
            text.get(start + from..start + from + rest.len())
                .is_some_and(|here| {
                    here.iter()
                        .zip(rest)
                        .all(|(&t, &n)| fold::<IGNORE_CASE>(t) == n)
                })
        };
        // Every long name is longer than every short one, so they come first.
        if let Some(head) = text.get(start..start + LONG_KEY_LEN) {
            let long = self.long_names.get(key_of::<IGNORE_CASE>(head));
            if let Some(&i) = long
                .iter()
                .find(|&&i| matches_from(i as usize, LONG_KEY_LEN))
            {
                return Some(i as usize);
            }
        }
        let short = self.short_names.get(u64::from(key));
        short
            .iter()
            .find(|&&i| matches_from(i as usize, self.key_len))
            .map(|&i| i as usize)
    }
}
