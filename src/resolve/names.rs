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
    // ASCII is already composed and lower-cases to ASCII: most words take this path, which
    // skips the normalizer (the costly part at 76,000 quotes). It is decided word by word
    // (words are normalized one by one anyway): a quote with one `’` or `—` in it would
    // otherwise send all its words through the normalizer, and footnote numbering folds
    // every quote cited on a page.
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            // Composed first, so a name typed with e + U+0300 finds the note titled with è.
            out.extend(word.nfc().flat_map(char::to_lowercase));
        }
    }
    out
}

/// The characters of [`fold`]`(name)`, one by one, without building the string: footnote
/// numbering compares and hashes every quote cited on a page this way, and most of them are
/// seen once, so a folded copy of each was an allocation made only to be dropped.
pub fn fold_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.split_whitespace()
        .enumerate()
        .flat_map(|(index, word)| {
            let space = (index > 0).then_some(' ');
            let folded = if word.is_ascii() {
                FoldedWord::Ascii(word.chars())
            } else {
                FoldedWord::Composed(word.nfc().flat_map(char::to_lowercase as fn(char) -> _))
            };
            space.into_iter().chain(folded)
        })
}

/// One word's folded characters, as [`fold`] makes them: ASCII lower-cased as it is, other
/// words composed, then lower-cased. The composing variant is large, but each value lives on
/// the stack for one word; boxing it would allocate for every word that is not ASCII.
#[allow(clippy::large_enum_variant)]
enum FoldedWord<'a> {
    Ascii(std::str::Chars<'a>),
    Composed(
        std::iter::FlatMap<
            unicode_normalization::Recompositions<std::str::Chars<'a>>,
            std::char::ToLowercase,
            fn(char) -> std::char::ToLowercase,
        >,
    ),
}

impl Iterator for FoldedWord<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            FoldedWord::Ascii(chars) => chars.next().map(|c| c.to_ascii_lowercase()),
            FoldedWord::Composed(chars) => chars.next(),
        }
    }
}

/// Whether `fold(name)` is `name` itself without computing it: ASCII (which composition
/// leaves alone) with no upper-case letter, and white space only as single spaces between
/// words.
fn is_folded_ascii(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && !name.contains("  ")
        && bytes.iter().all(|&b| {
            b.is_ascii()
                && !b.is_ascii_uppercase()
                && !matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
        })
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
        if is_folded_ascii(name) {
            // Most names are written as slugs, already in their folded form: no key to make.
            return self.names.get(name).copied();
        }
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
    fn names_already_folded_are_recognised_without_folding() {
        for name in ["ruoming-pang", "meta superintelligence labs", ""] {
            assert!(is_folded_ascii(name), "{name:?}");
            assert_eq!(fold(name), name);
        }
        // Not recognised: each needs folding, or (non-ASCII) is left to `fold`.
        for name in [
            "Meta", " meta", "meta ", "a  b", "a\tb", "a\u{b}b", "x\r", "inès",
        ] {
            assert!(!is_folded_ascii(name), "{name:?}");
        }
    }

    #[test]
    fn ascii_words_fold_as_any_other() {
        let by_chars = |name: &str| -> String {
            let words: Vec<String> = name
                .split_whitespace()
                .map(|w| w.nfc().flat_map(char::to_lowercase).collect())
                .collect();
            words.join(" ")
        };
        for name in [
            "Jasper Rahman",
            "  META\tSuper  Labs ",
            "x\u{b}Y",
            "",
            "36Kr",
            "Meta’s  LAB — Café",
            "E\u{301}COLE de Paris",
        ] {
            assert_eq!(fold(name), by_chars(name), "{name:?}");
        }
    }

    #[test]
    fn fold_chars_spells_out_fold() {
        for name in [
            "Jasper Rahman",
            "  META\tSuper  Labs ",
            "Meta’s  LAB — Café",
            "E\u{301}COLE de Paris",
            "",
            " ",
        ] {
            assert_eq!(fold_chars(name).collect::<String>(), fold(name), "{name:?}");
        }
        proptest::proptest!(|(name in "[aAé\u{301}İß’ \t\n.-]{0,24}")| {
            proptest::prop_assert_eq!(fold_chars(&name).collect::<String>(), fold(&name));
        });
    }

    #[test]
    fn a_name_belongs_to_one_note() {
        let mut idx = NameIndex::default();
        idx.insert("Meta", 1).unwrap();
        assert_eq!(idx.insert("meta", 2), Err(1));
        assert_eq!(idx.insert("META", 1), Ok(()));
    }
}
