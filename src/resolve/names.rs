//! One index of every name a note answers to: its slug, its title and its aliases, compared
//! case-insensitively (Unicode lower-casing, white space folded).
//!
//! Owns the rule that a name belongs to one note only; the conflict is reported at the second
//! definition. Lookups never allocate more than the folded key.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::diagnostic::did_you_mean;

/// Index into `Brief::notes`.
pub type NoteId = usize;

/// The folded form used for comparison.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // ASCII is already composed and lower-cases to ASCII: most names and quotes take this
    // path, which skips the normalizer (the costly part at 76,000 quotes).
    let ascii = name.is_ascii();
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if ascii {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            // Composed first, so a name typed with e + U+0300 finds the note titled with è.
            out.extend(word.nfc().flat_map(char::to_lowercase));
        }
    }
    out
}

#[derive(Default)]
pub struct NameIndex {
    names: HashMap<String, NoteId>,
    /// Every name as written, for suggestions.
    display: Vec<(String, NoteId)>,
}

impl NameIndex {
    /// Adds `name` for `note`. Returns the note that already owns the name, if another does.
    pub fn insert(&mut self, name: &str, note: NoteId) -> Result<(), NoteId> {
        let key = fold(name);
        if key.is_empty() {
            return Ok(());
        }
        match self.names.get(&key) {
            Some(&owner) if owner != note => Err(owner),
            Some(_) => Ok(()),
            None => {
                self.names.insert(key, note);
                self.display.push((name.trim().to_string(), note));
                Ok(())
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<NoteId> {
        self.names.get(&fold(name)).copied()
    }

    /// The closest known name to `wrong`, for "did you mean".
    pub fn suggest(&self, wrong: &str) -> Option<&str> {
        did_you_mean(wrong, self.display.iter().map(|(n, _)| n.as_str()))
    }

    /// Every (name as written, note) pair, in insertion order.
    pub fn entries(&self) -> &[(String, NoteId)] {
        &self.display
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_case_and_spacing() {
        let mut idx = NameIndex::default();
        idx.insert("Inès Müller", 1).unwrap();
        idx.insert("李伟", 2).unwrap();
        assert_eq!(idx.get("INÈS   müller"), Some(1));
        assert_eq!(idx.get("李伟"), Some(2));
        assert_eq!(idx.get("Ines Muller"), None);
    }

    #[test]
    fn a_name_belongs_to_one_note() {
        let mut idx = NameIndex::default();
        idx.insert("Meta", 1).unwrap();
        assert_eq!(idx.insert("meta", 2), Err(1));
        assert_eq!(idx.insert("META", 1), Ok(()));
    }
}
