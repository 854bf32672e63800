//! A map from the tokens of the pages' text to what the splitter remembers of them, looked up
//! once per word of every page. Most tokens are short, and a short one is held inside the
//! map's own slot (its bytes in two machine words), so that a lookup compares two numbers
//! in the slot it lands on: a key kept on the heap costs a second cache miss for each
//! lookup, which at 10,000 notes (a map far larger than the caches) was the costliest
//! instruction of the splitter. Longer tokens are kept in a map of their own.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Tokens of up to this many bytes are held in their slot (the last byte of the two words
/// is the length).
const SHORT: usize = 15;

/// A token of at most [`SHORT`] bytes: its bytes zero-padded, little-endian, in two words,
/// its length in the top byte of the second. Equal tokens give equal keys and unequal ones
/// unequal keys (tested).
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortToken([u64; 2]);

impl ShortToken {
    /// The key of `token`, or `None` when it is too long to be held in a slot. The bytes are
    /// read by two overlapping loads of the size the token allows (a copy of a token of any
    /// length would be a call to `memcpy`), the overlap shifted out.
    #[inline]
    fn new(token: &[u8]) -> Option<Self> {
        let n = token.len();
        let load8 = |at: usize| {
            let mut word = [0; 8];
            word.copy_from_slice(&token[at..at + 8]);
            u64::from_le_bytes(word)
        };
        let load4 = |at: usize| {
            let mut half = [0; 4];
            half.copy_from_slice(&token[at..at + 4]);
            u64::from(u32::from_le_bytes(half))
        };
        let (low, high) = match n {
            8..=SHORT => {
                // The last eight bytes, less those the first load already holds.
                (
                    load8(0),
                    load8(n - 8).checked_shr(8 * (16 - n) as u32).unwrap_or(0),
                )
            }
            4..=7 => (load4(0) | ((load4(n - 4) >> (8 * (8 - n))) << 32), 0),
            1..=3 => {
                let mut low = 0;
                for (i, &b) in token.iter().enumerate() {
                    low |= u64::from(b) << (8 * i);
                }
                (low, 0)
            }
            0 => (0, 0),
            _ => return None,
        };
        Some(ShortToken([low, high | ((n as u64) << 56)]))
    }

    /// The token's bytes back.
    #[cfg(test)]
    fn bytes(&self) -> Vec<u8> {
        let n = (self.0[1] >> 56) as usize;
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&self.0[0].to_le_bytes());
        bytes[8..].copy_from_slice(&self.0[1].to_le_bytes());
        bytes[..n].to_vec()
    }
}

impl Hash for ShortToken {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0[0]);
        state.write_u64(self.0[1]);
    }
}

/// Tokens and what is kept of each.
pub struct TokenMap<V> {
    short: HashMap<ShortToken, V, TokenHash>,
    long: HashMap<Box<str>, V, TokenHash>,
}

impl<V> Default for TokenMap<V> {
    fn default() -> Self {
        TokenMap {
            short: HashMap::default(),
            long: HashMap::default(),
        }
    }
}

impl<V: Copy> TokenMap<V> {
    /// What is kept of `token`, made by `make` the first time it is met.
    #[inline]
    pub fn get_or_insert_with(&mut self, token: &str, make: impl FnOnce() -> V) -> V {
        match ShortToken::new(token.as_bytes()) {
            Some(key) => *self.short.entry(key).or_insert_with(make),
            None => match self.long.get(token) {
                Some(&value) => value,
                None => {
                    let value = make();
                    self.long.insert(token.into(), value);
                    value
                }
            },
        }
    }
}

/// A quick hash for the token maps: the tokens are the brief's own text, so resisting crafted
/// collisions is not worth SipHash's cost here.
type TokenHash = BuildHasherDefault<TokenHasher>;

#[derive(Default)]
struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        // A long token's last bytes: read in two overlapping halves (or three single
        // bytes) and mixed in at once, with their length.
        let rest = chunks.remainder();
        let n = rest.len();
        let word = if n >= 4 {
            let half = |at: usize| {
                let mut half = [0; 4];
                half.copy_from_slice(&rest[at..at + 4]);
                u64::from(u32::from_le_bytes(half))
            };
            half(0) | (half(n - 4) << 32)
        } else if n > 0 {
            u64::from(rest[0]) | (u64::from(rest[n / 2]) << 8) | (u64::from(rest[n - 1]) << 16)
        } else {
            return;
        };
        self.mix(word ^ ((n as u64) << 59));
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl TokenHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_key_holds_its_token_and_only_it() {
        proptest::proptest!(|(a in "[a-zé.,\u{0}]{0,16}", b in "[a-zé.,\u{0}]{0,16}")| {
            let (ka, kb) = (ShortToken::new(a.as_bytes()), ShortToken::new(b.as_bytes()));
            proptest::prop_assert_eq!(ka.is_some(), a.len() <= SHORT);
            if let (Some(ka), Some(kb)) = (ka, kb) {
                proptest::prop_assert_eq!(ka.bytes(), a.as_bytes());
                proptest::prop_assert_eq!(ka == kb, a == b);
            }
        });
        for n in 0..=SHORT {
            let token: Vec<u8> = (1..=n as u8).collect();
            let key = ShortToken::new(&token).expect("short");
            assert_eq!(key.bytes(), token, "{n} bytes");
        }
        assert!(ShortToken::new(&[b'x'; SHORT + 1]).is_none());
    }

    #[test]
    fn tokens_short_and_long_keep_their_values() {
        let mut map = TokenMap::default();
        let tokens = [
            "a",
            "ab",
            "abcd",
            "abcdefgh",
            "abcdefghijklmno",
            "abcdefghijklmnop",
        ];
        for (i, token) in tokens.iter().enumerate() {
            assert_eq!(map.get_or_insert_with(token, || i), i);
        }
        for (i, token) in tokens.iter().enumerate() {
            assert_eq!(map.get_or_insert_with(token, || unreachable!()), i);
        }
        assert_eq!(map.short.len(), 5);
        assert_eq!(map.long.len(), 1);
    }
}
