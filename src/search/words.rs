//! Words as Pagefind indexes them: one whitespace-separated token of a page becomes the terms
//! the index stores (its normalised and stemmed form, the parts of a compound such as
//! `co-founder` or `camelCase`, the tail after a dot), each with the accented original kept
//! when diacritics were folded. This must agree with Pagefind's indexer and with the query
//! side of its wasm, or searches miss: it uses the same stemmer crate and case splitter.
//! It knows nothing of pages, positions or the file format.

use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// At most this many characters of the text after a dot are indexed as a tail.
const MAX_DOTTED_TAIL_CHARS: usize = 64;

/// One term a token is indexed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The form stored in the index: lower case, diacritics folded, stemmed.
    pub stem: String,
    /// The word before its diacritics were folded, when folding changed it.
    pub original: Option<String>,
    /// A part of a compound word, which shares the word's weight with the other parts.
    pub compound_part: bool,
}

/// Splits tokens into terms for one language.
pub struct WordSplitter {
    stemmer: Option<Stemmer>,
    include_characters: Vec<char>,
}

impl WordSplitter {
    /// `include_characters` are the symbols that count as part of a word besides letters and
    /// digits (Pagefind's connector punctuation, such as `_`).
    pub fn new(language: &str, include_characters: &[char]) -> Self {
        WordSplitter {
            stemmer: stemmer_for(language),
            include_characters: include_characters.to_vec(),
        }
    }

    /// The terms of one body token, in the order Pagefind adds them: the whole word, the
    /// parts of a compound, then the tails after dots.
    pub fn body_terms(&self, token: &str, out: &mut Vec<Term>) {
        let start = out.len();
        self.word_terms(token, out);
        self.dotted_tails(token, start, out);
    }

    /// The terms of one word of a meta field such as the title (no dotted tails there).
    pub fn word_terms(&self, token: &str, out: &mut Vec<Term>) {
        let normalized = normalize_word(token, &self.include_characters);
        if !normalized.is_empty() {
            out.push(self.term(&normalized, false));
        }
        let possibly_compound = token.chars().any(|c| !c.is_alphanumeric())
            || token.chars().skip(1).any(char::is_uppercase);
        if !possibly_compound || normalized.is_empty() {
            return;
        }
        let parts = compound_parts(token);
        if parts.contains(char::is_whitespace) || !normalized.starts_with(&parts) {
            // Compound parts skip the normalisation of whole words, as Pagefind's do.
            for part in parts.split_whitespace().filter(|p| p.len() > 1) {
                let folded = fold_diacritics(part);
                out.push(Term {
                    stem: self.stem(folded.as_deref().unwrap_or(part)),
                    original: folded.map(|_| part.to_string()),
                    compound_part: true,
                });
            }
        }
    }

    /// The compound tails after each dot (`sysconfig.is_python_build` gives
    /// `is_python_build`), when the tail is itself compound and not already a term.
    fn dotted_tails(&self, token: &str, start: usize, out: &mut Vec<Term>) {
        if !token.contains('.') {
            return;
        }
        let existing = out.len();
        for (i, _) in token.match_indices('.') {
            let rest = &token[i + 1..];
            let tail = match rest.char_indices().nth(MAX_DOTTED_TAIL_CHARS) {
                Some((end, _)) => &rest[..end],
                None => rest,
            };
            let compound = tail.chars().any(|c| !c.is_alphanumeric())
                || tail.chars().skip(1).any(char::is_uppercase);
            if !compound {
                continue;
            }
            let normalized = normalize_word(tail, &self.include_characters);
            if normalized.chars().count() < 2 {
                continue;
            }
            let term = self.term(&normalized, true);
            let seen_before = out[start..existing].iter().any(|t| t.stem == term.stem);
            let seen_tail = out[existing..].iter().any(|t| t.stem == term.stem);
            if !seen_before && !seen_tail {
                out.push(term);
            }
        }
    }

    fn term(&self, normalized: &str, compound_part: bool) -> Term {
        let folded = fold_diacritics(normalized);
        Term {
            stem: self.stem(folded.as_deref().unwrap_or(normalized)),
            original: folded.map(|_| normalized.to_string()),
            compound_part,
        }
    }

    fn stem(&self, word: &str) -> String {
        match &self.stemmer {
            Some(stemmer) => stemmer.stem(word).into_owned(),
            None => word.to_string(),
        }
    }
}

/// Pagefind's stemmer for a language code (`en`, `en-GB`), if it has one; the same list its
/// wasm builds are made for.
fn stemmer_for(language: &str) -> Option<Stemmer> {
    let algorithm = match language.split(['-', '_']).next().unwrap_or_default() {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// Letters, digits and the included symbols, lower-cased; everything else dropped.
pub fn normalize_word(token: &str, include_characters: &[char]) -> String {
    let mut word = String::with_capacity(token.len());
    for c in token.chars() {
        if c.is_alphanumeric() || include_characters.contains(&c) {
            let c = c.to_ascii_lowercase();
            if c.is_uppercase() {
                // Outside ASCII, one upper-case letter may lower to several.
                word.extend(c.to_lowercase());
            } else {
                word.push(c);
            }
        }
    }
    word
}

/// The words inside a compound: ASCII punctuation becomes a space and the case splitter
/// breaks camelCase, acronyms and letter–digit runs, all lower case, one space apart.
fn compound_parts(token: &str) -> String {
    use convert_case::{Case, Casing};
    let spaced = token.replace(|c: char| c.is_ascii_punctuation(), " ");
    let lower = spaced.to_case(Case::Lower);
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The word with its diacritics removed (`café` → `cafe`), or `None` when it has none.
/// Kana voicing marks are letters there, not accents, so they stay.
pub fn fold_diacritics(word: &str) -> Option<String> {
    if word.is_ascii() || !has_decomposition(word) {
        return None;
    }
    let is_kana_mark = |c: char| matches!(c, '\u{3099}' | '\u{309A}');
    let stripped: String = word
        .nfd()
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c) || is_kana_mark(c))
        .collect();
    let folded = if stripped.chars().any(is_kana_mark) {
        stripped.nfc().collect()
    } else {
        stripped
    };
    (folded != word).then_some(folded)
}

fn has_decomposition(word: &str) -> bool {
    word.chars().any(|c| {
        if unicode_normalization::char::is_combining_mark(c) {
            return true;
        }
        let mut decomposes = false;
        unicode_normalization::char::decompose_canonical(c, |part| decomposes |= part != c);
        decomposes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(token: &str) -> Vec<(String, Option<String>, bool)> {
        let splitter = WordSplitter::new("en", &['_']);
        let mut terms = Vec::new();
        splitter.body_terms(token, &mut terms);
        terms
            .into_iter()
            .map(|t| (t.stem, t.original, t.compound_part))
            .collect()
    }

    fn plain(stem: &str, compound_part: bool) -> (String, Option<String>, bool) {
        (stem.to_string(), None, compound_part)
    }

    #[test]
    fn a_plain_word_is_lower_cased_and_stemmed() {
        assert_eq!(stems("Hello"), [plain("hello", false)]);
        assert_eq!(stems("Antelopes,"), [plain("antelop", false)]);
    }

    #[test]
    fn a_hyphenated_word_is_indexed_whole_and_by_its_parts() {
        assert_eq!(
            stems("Apple-bound"),
            [
                plain("applebound", false),
                plain("appl", true),
                plain("bound", true)
            ]
        );
        assert_eq!(
            stems("co-founder"),
            [
                plain("cofound", false),
                plain("co", true),
                plain("founder", true)
            ]
        );
    }

    #[test]
    fn camel_case_and_digits_split_into_parts() {
        assert_eq!(
            stems("ThreeAntelopes"),
            [
                plain("threeantelop", false),
                plain("three", true),
                plain("antelop", true)
            ]
        );
        assert_eq!(
            stems("covid-19"),
            [
                plain("covid19", false),
                plain("covid", true),
                plain("19", true)
            ]
        );
    }

    #[test]
    fn a_possessive_keeps_the_word_as_a_part() {
        // The one-letter `s` is not a part of its own.
        assert_eq!(
            stems("Apple's"),
            [plain("appl", false), plain("appl", true)]
        );
    }

    #[test]
    fn trailing_punctuation_adds_no_parts() {
        assert_eq!(stems("review."), [plain("review", false)]);
        assert_eq!(stems("(idea),"), [plain("idea", false)]);
        assert!(stems("—").is_empty());
    }

    #[test]
    fn diacritics_are_folded_and_the_original_kept() {
        assert_eq!(
            stems("Café"),
            [("cafe".to_string(), Some("café".to_string()), false)]
        );
        assert_eq!(fold_diacritics("naïve").as_deref(), Some("naive"));
        assert_eq!(fold_diacritics("plain"), None);
    }

    #[test]
    fn connector_punctuation_stays_inside_a_word() {
        assert_eq!(
            stems("snake_case"),
            [
                plain("snake_cas", false),
                plain("snake", true),
                plain("case", true)
            ]
        );
    }

    #[test]
    fn a_compound_tail_after_a_dot_is_a_term() {
        let terms = stems("sysconfig.is_python_build");
        assert!(terms.contains(&plain("is_python_build", true)), "{terms:?}");
    }

    #[test]
    fn a_language_without_a_stemmer_keeps_whole_words() {
        let splitter = WordSplitter::new("xx", &[]);
        assert!(splitter.stemmer.is_none());
        let mut terms = Vec::new();
        splitter.body_terms("Running", &mut terms);
        assert_eq!(terms[0].stem, "running");
    }
}
