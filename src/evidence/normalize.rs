//! The folding rules that make a quote and its source comparable, and the map from folded
//! text back to the original bytes.
//!
//! Source and quote go through the same `fold_into`, so whatever one side ignores the other
//! ignores too: case (Unicode lower-case, final sigma as sigma, `ß` and the `ﬁ`-style
//! ligatures spelled out); runs of white space (one space, none at the ends); quote marks and
//! apostrophes of every shape (all become `'`, so a quote typed inside `"…"` may use `'…'` for
//! the inner quotation); dashes and minus signs (all become `-`, a run of them counts as one
//! and the spaces around it are dropped, so `a — b`, `a—b` and `a -- b` agree); invisible
//! characters (soft hyphen, zero-width space and joiners, word joiner, byte-order mark), which
//! are dropped. This module knows nothing about paragraphs or elisions; it only folds
//! characters and remembers where each folded byte came from.

/// Folded text plus, for each of its bytes, the byte span in the original text of the
/// character (or run of characters) that produced it.
#[derive(Clone, Debug, Default)]
pub(super) struct FoldedText {
    pub(super) text: String,
    /// `origin_start[i]`: where the original character behind folded byte `i` starts.
    origin_start: Vec<u32>,
    /// `origin_end[i]`: where it ends (exclusive).
    origin_end: Vec<u32>,
}

impl FoldedText {
    /// The original byte range behind the folded range `folded`, which must be non-empty and
    /// lie within the text. A match never starts or ends on a space (quote pieces are trimmed),
    /// so the range starts at the first matched character and ends after the last one.
    pub(super) fn original_range(
        &self,
        folded: std::ops::Range<usize>,
    ) -> Option<std::ops::Range<usize>> {
        if folded.start >= folded.end || folded.end > self.text.len() {
            return None;
        }
        let start = *self.origin_start.get(folded.start)? as usize;
        let end = *self.origin_end.get(folded.end - 1)? as usize;
        Some(start..end.max(start))
    }

    /// Appends a byte with no origin of its own (a paragraph separator), attributed to the
    /// original position `at`.
    pub(super) fn push_separator(&mut self, separator: char, at: usize) {
        let at = offset_u32(at);
        self.text.push(separator);
        for _ in 0..separator.len_utf8() {
            self.origin_start.push(at);
            self.origin_end.push(at);
        }
    }

    fn push_char(&mut self, c: char, start: u32, end: u32) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.origin_start.push(start);
            self.origin_end.push(end);
        }
    }

    /// Widens the last folded byte's origin to end at `end` (a dash run absorbing a dash).
    fn extend_last(&mut self, end: u32) {
        if let Some(last) = self.origin_end.last_mut() {
            *last = end;
        }
    }
}

/// Offsets are stored as `u32` to halve the map's size; a source over 4 GiB is cut short by
/// `PreparedSource::new` before it gets here, so this saturates rather than wraps.
fn offset_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Folds `text` (which starts at byte `base` of the original) and appends it to `out`.
pub(super) fn fold_into(out: &mut FoldedText, text: &str, base: usize) {
    out.text.reserve(text.len());
    out.origin_start.reserve(text.len());
    out.origin_end.reserve(text.len());
    let mut folder = Folder::default();
    for (offset, c) in text.char_indices() {
        let start = offset_u32(base + offset);
        let end = offset_u32(base + offset + c.len_utf8());
        folder.feed(c, start, end, out);
    }
}

/// The folded form of a quote (no offset map is needed for it).
pub(super) fn fold_str(text: &str) -> String {
    let mut out = FoldedText::default();
    fold_into(&mut out, text, 0);
    out.text
}

/// The state of one folding pass: the white space waiting to be emitted as one space (only if
/// something follows it), and whether the last thing emitted was a dash (which swallows the
/// white space and dashes after it).
#[derive(Default)]
struct Folder {
    pending_space: Option<(u32, u32)>,
    emitted_any: bool,
    after_dash: bool,
}

impl Folder {
    fn feed(&mut self, c: char, start: u32, end: u32, out: &mut FoldedText) {
        // Most of a source is ASCII letters and digits: skip the classification for them.
        if c.is_ascii_alphanumeric() {
            return self.emit(&[c.to_ascii_lowercase()], start, end, out);
        }
        match classify(c) {
            CharClass::Ignorable => {}
            CharClass::Space => {
                if !self.emitted_any || self.after_dash {
                    return;
                }
                self.pending_space = Some(match self.pending_space {
                    Some((first, _)) => (first, end),
                    None => (start, end),
                });
            }
            CharClass::Dash => {
                self.pending_space = None;
                if self.after_dash {
                    out.extend_last(end);
                } else {
                    out.push_char('-', start, end);
                    self.after_dash = true;
                    self.emitted_any = true;
                }
            }
            CharClass::QuoteMark => self.emit(&['\''], start, end, out),
            CharClass::Other => {
                if let Some(expansion) = spelled_out(c) {
                    for letter in expansion.chars() {
                        self.emit(&[letter], start, end, out);
                    }
                    return;
                }
                for lower in c.to_lowercase() {
                    // Char-wise lower-casing cannot see word ends, so Σ always becomes σ;
                    // fold the final form too so "ΟΔΥΣΣΕΥΣ" and "οδυσσευς" agree.
                    let lower = if lower == 'ς' { 'σ' } else { lower };
                    self.emit(&[lower], start, end, out);
                }
            }
        }
    }

    fn emit(&mut self, chars: &[char], start: u32, end: u32, out: &mut FoldedText) {
        if let Some((space_start, space_end)) = self.pending_space.take() {
            out.push_char(' ', space_start, space_end);
        }
        for &c in chars {
            out.push_char(c, start, end);
        }
        self.emitted_any = true;
        self.after_dash = false;
    }
}

/// Letters that full case folding spells out (ß) and the typographic ligatures that text
/// extracted from PDFs is full of, which nobody types into a quote.
fn spelled_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "ss",
        'ﬀ' => "ff",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        'ﬅ' | 'ﬆ' => "st",
        _ => return None,
    })
}

enum CharClass {
    Ignorable,
    Space,
    Dash,
    QuoteMark,
    Other,
}

fn classify(c: char) -> CharClass {
    match c {
        // Soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM: invisible in
        // print, so a quote copied from a rendering never contains them while the source may.
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {
            CharClass::Ignorable
        }
        c if c.is_whitespace() => CharClass::Space,
        '-'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{2E3A}'
        | '\u{2E3B}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}' => CharClass::Dash,
        '\''
        | '"'
        | '`'
        | '\u{00B4}'
        | '\u{00AB}'
        | '\u{00BB}'
        | '\u{02BB}'
        | '\u{02BC}'
        | '\u{2018}'..='\u{201F}'
        | '\u{2032}'..='\u{2037}'
        | '\u{2039}'
        | '\u{203A}'
        | '\u{300C}'..='\u{300F}'
        | '\u{301D}'..='\u{301F}'
        | '\u{FF02}'
        | '\u{FF07}' => CharClass::QuoteMark,
        _ => CharClass::Other,
    }
}

/// Whether `c` (already folded) belongs to a word: letters, digits, combining marks, and any
/// other non-ASCII character that is not punctuation or a symbol (emoji count as words, so a
/// quote of one emoji is not "empty").
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && !c.is_whitespace() && !is_unicode_punctuation(c))
}

/// Characters written without spaces between words (Han, kana): each one is a word of its
/// own when scoring the closest passage.
pub(super) fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

fn is_unicode_punctuation(c: char) -> bool {
    matches!(c,
        '\u{00A1}'..='\u{00BF}' | '\u{00D7}' | '\u{00F7}'
        | '\u{2010}'..='\u{2BFF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded_with_map(text: &str) -> FoldedText {
        let mut out = FoldedText::default();
        fold_into(&mut out, text, 0);
        out
    }

    #[test]
    fn case_white_space_and_ends_fold() {
        assert_eq!(
            fold_str("  Hello,\n\tWORLD\u{00A0}\u{2003} again  "),
            "hello, world again"
        );
    }

    #[test]
    fn every_quote_mark_becomes_an_apostrophe() {
        assert_eq!(
            fold_str("“Siri,” it’s ‘x’ «y» „z‟ 「w」"),
            "'siri,' it's 'x' 'y' 'z' 'w'"
        );
        assert_eq!(fold_str("\"Siri,\" it's"), fold_str("“Siri,” it’s"));
    }

    #[test]
    fn dashes_fold_with_their_spacing() {
        let expected = "paper-each";
        for text in [
            "paper—each",
            "paper — each",
            "paper – each",
            "paper - each",
            "paper -- each",
            "paper\u{2212}each",
            "paper —\neach",
        ] {
            assert_eq!(fold_str(text), expected, "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(
            fold_str("in\u{00AD}fra\u{200B}structure\u{FEFF}"),
            "infrastructure"
        );
    }

    #[test]
    fn sharp_s_and_ligatures_are_spelled_out() {
        assert_eq!(fold_str("STRASSE"), fold_str("Straße"));
        assert_eq!(fold_str("eﬃcient ﬁnal ﬂow"), "efficient final flow");
        let original = "an eﬃcient plan";
        let folded = folded_with_map(original);
        let found = folded.text.find("efficient").unwrap_or(0);
        let range = folded
            .original_range(found..found + "efficient".len())
            .unwrap_or(0..0);
        assert_eq!(&original[range], "eﬃcient");
    }

    #[test]
    fn final_sigma_matches_sigma() {
        assert_eq!(fold_str("ΟΔΥΣΣΕΥΣ"), fold_str("οδυσσευς"));
    }

    #[test]
    fn length_changing_lower_case_keeps_the_map_on_char_boundaries() {
        // "İ" (2 bytes) lower-cases to "i̇" (3 bytes): both folded bytes map back to all of "İ".
        let original = "xİy";
        let folded = folded_with_map(original);
        assert_eq!(folded.text, "xi\u{307}y");
        assert_eq!(folded.original_range(1..4), Some(1..3));
        assert_eq!(
            folded.original_range(0..folded.text.len()),
            Some(0..original.len())
        );
    }

    #[test]
    fn a_dash_run_maps_back_to_the_whole_run() {
        let original = "a —— b";
        let folded = folded_with_map(original);
        assert_eq!(folded.text, "a-b");
        let range = folded.original_range(0..2).unwrap_or(0..0);
        assert_eq!(&original[range], "a ——");
    }

    #[test]
    fn word_characters() {
        assert!(is_word_char('a') && is_word_char('é') && is_word_char('ب') && is_word_char('😀'));
        assert!(
            is_word_char('\u{301}'),
            "combining marks stay inside their word"
        );
        assert!(!is_word_char('•') && !is_word_char('…') && !is_word_char('-'));
        assert!(!is_word_char('®') && !is_word_char('※') && !is_word_char('。'));
    }
}
