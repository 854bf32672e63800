//! The distinct terms of one index, each stored once and named by a number, so that millions
//! of word positions refer to a number rather than carrying a copy of their word. Shared by
//! the threads that split pages; the numbers depend on which thread got there first, so they
//! name terms inside one build only and never reach the output (that is ordered by the words).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

/// Independent locks, so that two threads adding words rarely wait for each other.
const SHARDS: usize = 64;

/// The number that stands for "no term" (a word without a diacritic variant).
pub const NO_TERM: u32 = u32::MAX;

pub struct Vocabulary {
    shards: Vec<Mutex<HashMap<Box<str>, u32>>>,
    next: AtomicU32,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(0),
            hasher: Default::default(),
        }
    }
}

impl Vocabulary {
    /// The number of `word`, given it now if it has none yet.
    pub fn id(&self, word: &str) -> u32 {
        let shard = self.hasher.hash_one(word) as usize % SHARDS;
        let mut words = self.shards[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(&id) = words.get(word) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        words.insert(word.into(), id);
        id
    }

    /// Every term, at the index of its number.
    pub fn into_words(self) -> Vec<Box<str>> {
        let mut words: Vec<Box<str>> = vec![Box::from(""); self.next.into_inner() as usize];
        for shard in self.shards {
            for (word, id) in shard.into_inner().unwrap_or_else(PoisonError::into_inner) {
                words[id as usize] = word;
            }
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_keeps_its_number_and_numbers_name_their_words() {
        let vocabulary = Vocabulary::default();
        let apple = vocabulary.id("apple");
        let pear = vocabulary.id("pear");
        assert_ne!(apple, pear);
        assert_eq!(vocabulary.id("apple"), apple);
        let words = vocabulary.into_words();
        assert_eq!(&*words[apple as usize], "apple");
        assert_eq!(&*words[pear as usize], "pear");
    }
}
