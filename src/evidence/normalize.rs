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

use std::ops::Range;

/// Folded text plus the map back to the original: a list of segments, each a stretch of
/// folded text and the original text it came from.
///
/// Most characters fold to one character of the same length (`A` → `a`, a line break → a
/// space); consecutive ones form one *linear* segment, where folded byte `i` maps to original
/// byte `i + (original.start - folded.start)`. Every other character (`’` → `'`, `İ` → `i̇`,
/// `ß` → `ss`, a run of white space, a dash run with its spaces) gets a segment of its own that
/// maps only as a whole. A 20 KB English source needs a few hundred segments, where a map per
/// byte would cost eight times the text.
#[derive(Clone, Debug, Default)]
pub(super) struct FoldedText {
    pub(super) text: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq)]
struct Segment {
    folded: Range<usize>,
    original: Range<usize>,
    linear: bool,
}

impl FoldedText {
    pub(super) fn with_capacity(bytes: usize) -> FoldedText {
        FoldedText {
            text: String::with_capacity(bytes),
            segments: Vec::new(),
        }
    }

    /// Drops spare capacity: a prepared source may be kept for the whole build.
    pub(super) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.segments.shrink_to_fit();
    }

    /// The original byte range behind the folded range `folded`, which must be non-empty, lie
    /// within the text and start and end on char boundaries (as `str::find` results do). A
    /// match never starts or ends on a space (quote pieces are trimmed), so the range starts
    /// at the first matched character and ends after the last one.
    pub(super) fn original_range(&self, folded: Range<usize>) -> Option<Range<usize>> {
        if folded.start >= folded.end || folded.end > self.text.len() {
            return None;
        }
        let first = self.segment_at(folded.start)?;
        let last = self.segment_at(folded.end - 1)?;
        let start = if first.linear {
            first.original.start + (folded.start - first.folded.start)
        } else {
            first.original.start
        };
        let end = if last.linear {
            last.original.start + (folded.end - last.folded.start)
        } else {
            last.original.end
        };
        Some(start..end.max(start))
    }

    fn segment_at(&self, folded_offset: usize) -> Option<&Segment> {
        let after = self
            .segments
            .partition_point(|segment| segment.folded.start <= folded_offset);
        let segment = self.segments.get(after.checked_sub(1)?)?;
        (folded_offset < segment.folded.end).then_some(segment)
    }

    /// Appends a character with no origin of its own (a paragraph separator), attributed to
    /// the original position `at`.
    pub(super) fn push_separator(&mut self, separator: char, at: usize) {
        let folded_start = self.text.len();
        self.text.push(separator);
        self.segments.push(Segment {
            folded: folded_start..self.text.len(),
            original: at..at,
            linear: false,
        });
    }

    /// Appends `folded`, the folded form of the original text at `original`.
    fn push_folded(&mut self, folded: &[char], original: Range<usize>) {
        let folded_start = self.text.len();
        match folded {
            [one] => self.text.push(*one),
            _ => self.text.extend(folded),
        }
        let folded_range = folded_start..self.text.len();
        let linear = folded.len() == 1 && folded_range.len() == original.len();
        self.push_segment(folded_range, original, linear);
    }

    /// Appends `run`, ASCII at original byte `at` that folds to itself, lower-cased and with
    /// its single line breaks as spaces: what [`FoldedText::push_folded`] makes of its
    /// characters one by one (one linear segment).
    fn push_ascii_lowercase(&mut self, run: &str, at: usize) {
        let folded_start = self.text.len();
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', run.as_bytes()) {
            self.text.push_str(&run[line_start..newline]);
            self.text.push(' ');
            line_start = newline + 1;
        }
        self.text.push_str(&run[line_start..]);
        self.text[folded_start..].make_ascii_lowercase();
        self.push_segment(folded_start..self.text.len(), at..at + run.len(), true);
    }

    /// Adds a segment, merged into the last one when both are linear and adjacent on both
    /// sides.
    fn push_segment(&mut self, folded_range: Range<usize>, original: Range<usize>, linear: bool) {
        match self.segments.last_mut() {
            Some(last)
                if linear
                    && last.linear
                    && last.folded.end == folded_range.start
                    && last.original.end == original.start =>
            {
                last.folded.end = folded_range.end;
                last.original.end = original.end;
            }
            _ => self.segments.push(Segment {
                folded: folded_range,
                original,
                linear,
            }),
        }
    }

    /// Widens the last folded character, a one-byte dash, to end at original byte `end`: a
    /// dash run absorbing one more dash.
    fn extend_last_dash(&mut self, end: usize) {
        let Some(last) = self.segments.last_mut() else {
            return;
        };
        if !last.linear {
            last.original.end = end;
            return;
        }
        // The dash is the last byte of a linear segment: split it off into a segment of its own.
        let dash_folded = last.folded.end - 1..last.folded.end;
        let dash_start = last.original.end - 1;
        last.folded.end -= 1;
        last.original.end -= 1;
        if last.folded.is_empty() {
            self.segments.pop();
        }
        self.segments.push(Segment {
            folded: dash_folded,
            original: dash_start..end,
            linear: false,
        });
    }
}

/// Folds `text` (which starts at byte `base` of the original) and appends it to `out`.
pub(super) fn fold_into(out: &mut FoldedText, text: &str, base: usize) {
    out.text.reserve(text.len());
    let mut folder = Folder::default();
    let bytes = text.as_bytes();
    let mut offset = 0;
    while let Some(&byte) = bytes.get(offset) {
        // Most of a source is ASCII words and punctuation with single spaces or line breaks
        // between them: each run folds to itself lower-cased (a line break to a space), in one
        // linear segment, as feeding it a character at a time would (a space between two
        // words is emitted as it is, and its segment joins its neighbours').
        if FOLDS_TO_ITSELF[usize::from(byte)] {
            let run = ascii_run_end(bytes, offset);
            folder.emit_ascii_run(&text[offset..run], base + offset, out);
            offset = run;
            continue;
        }
        let Some(c) = text[offset..].chars().next() else {
            break;
        };
        let start = base + offset;
        folder.feed(c, start..start + c.len_utf8(), out);
        offset += c.len_utf8();
    }
}

/// The ASCII bytes that [`Folder::feed`] emits as themselves, lower-cased: letters, digits
/// and punctuation other than dashes (which swallow the spaces around them) and the quote
/// marks that become `'` (`"` and `` ` ``; `'` itself stays). Control characters and white
/// space are left to the folder.
static FOLDS_TO_ITSELF: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0x21;
    while byte < 0x7f {
        table[byte] = !matches!(byte as u8, b'-' | b'"' | b'`');
        byte += 1;
    }
    table
};

/// Where the run of [`FOLDS_TO_ITSELF`] bytes at `start` ends, single spaces and line breaks
/// between them included (white space before anything else is left to the folder: it may be
/// dropped or merged with more white space).
fn ascii_run_end(bytes: &[u8], start: usize) -> usize {
    let folds_to_itself = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|&b| FOLDS_TO_ITSELF[usize::from(b)])
    };
    let mut end = start;
    loop {
        while folds_to_itself(end) {
            end += 1;
        }
        if matches!(bytes.get(end), Some(b' ' | b'\n')) && folds_to_itself(end + 1) {
            end += 1;
        } else {
            return end;
        }
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
    pending_space: Option<Range<usize>>,
    emitted_any: bool,
    after_dash: bool,
}

impl Folder {
    fn feed(&mut self, c: char, original: Range<usize>, out: &mut FoldedText) {
        // Most of a source is ASCII letters and digits: skip the classification for them.
        if c.is_ascii_alphanumeric() {
            return self.emit(&[c.to_ascii_lowercase()], original, out);
        }
        match classify(c) {
            CharClass::Ignorable => {}
            CharClass::Space => {
                if !self.emitted_any || self.after_dash {
                    return;
                }
                self.pending_space = Some(match self.pending_space.take() {
                    Some(run) => run.start..original.end,
                    None => original,
                });
            }
            CharClass::Dash => {
                self.pending_space = None;
                if self.after_dash {
                    out.extend_last_dash(original.end);
                } else {
                    out.push_folded(&['-'], original);
                    self.after_dash = true;
                    self.emitted_any = true;
                }
            }
            CharClass::QuoteMark => self.emit(&['\''], original, out),
            CharClass::Other => {
                if let Some(expansion) = spelled_out(c) {
                    return self.emit(expansion, original, out);
                }
                // Canonically decomposed first, so that "è" typed as one character and as
                // e + U+0300 (as macOS and some PDFs write it) agree; then lower-cased, at most
                // three characters for each of at most four parts.
                let mut lower = ['\0'; 12];
                let mut count = 0;
                unicode_normalization::char::decompose_canonical(c, |part| {
                    for letter in part.to_lowercase() {
                        if let Some(slot) = lower.get_mut(count) {
                            // Char-wise lower-casing cannot see word ends, so Σ always becomes
                            // σ; fold the final form too so "ΟΔΥΣΣΕΥΣ" and "οδυσσευς" agree.
                            *slot = if letter == 'ς' { 'σ' } else { letter };
                            count += 1;
                        }
                    }
                });
                self.emit(&lower[..count], original, out);
            }
        }
    }

    /// [`Folder::emit`] for a run of ASCII that folds to itself at original byte `at`.
    fn emit_ascii_run(&mut self, run: &str, at: usize, out: &mut FoldedText) {
        if let Some(space) = self.pending_space.take() {
            out.push_folded(&[' '], space);
        }
        out.push_ascii_lowercase(run, at);
        self.emitted_any = true;
        self.after_dash = false;
    }

    fn emit(&mut self, folded: &[char], original: Range<usize>, out: &mut FoldedText) {
        if let Some(space) = self.pending_space.take() {
            out.push_folded(&[' '], space);
        }
        out.push_folded(folded, original);
        self.emitted_any = true;
        self.after_dash = false;
    }
}

/// Letters that full case folding spells out (ß) and the typographic ligatures that text
/// extracted from PDFs is full of, which nobody types into a quote.
fn spelled_out(c: char) -> Option<&'static [char]> {
    Some(match c {
        'ß' | 'ẞ' => &['s', 's'],
        'ﬀ' => &['f', 'f'],
        'ﬁ' => &['f', 'i'],
        'ﬂ' => &['f', 'l'],
        'ﬃ' => &['f', 'f', 'i'],
        'ﬄ' => &['f', 'f', 'l'],
        'ﬅ' | 'ﬆ' => &['s', 't'],
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

    /// [`fold_into`] the plain way: every character through the folder, no runs.
    fn folded_by_chars(text: &str) -> FoldedText {
        let mut out = FoldedText::default();
        let mut folder = Folder::default();
        for (at, c) in text.char_indices() {
            folder.feed(c, at..at + c.len_utf8(), &mut out);
        }
        out
    }

    #[test]
    fn runs_of_ascii_words_fold_as_their_characters_do() {
        for text in [
            "a b",
            "ab  cd",
            "a b\n c",
            "x - y",
            "a b—c",
            " a b ",
            "a\u{a0}b c",
            "It's one, two.\nThree: [four] (five)!",
            "end.\n\nnext \"quoted\" `x` a\r\nb",
            "a -\nb .- c",
        ] {
            let (runs, chars) = (folded_with_map(text), folded_by_chars(text));
            assert_eq!(
                (&runs.text, &runs.segments),
                (&chars.text, &chars.segments),
                "{text:?}"
            );
        }
        proptest::proptest!(|(text in "[aB7 \n\r\t.,;!@\\[\x00\x7f'\"`’—-]{0,32}")| {
            let (runs, chars) = (folded_with_map(&text), folded_by_chars(&text));
            proptest::prop_assert_eq!(&runs.text, &chars.text);
            proptest::prop_assert_eq!(&runs.segments, &chars.segments);
        });
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
    fn an_ascii_dash_run_is_split_off_its_linear_segment() {
        let original = "ab--c -- d";
        let folded = folded_with_map(original);
        assert_eq!(folded.text, "ab-c-d");
        let slice = |range: Range<usize>| folded.original_range(range).map_or("", |r| &original[r]);
        assert_eq!(slice(0..3), "ab--");
        assert_eq!(slice(2..3), "--");
        assert_eq!(slice(3..4), "c");
        assert_eq!(slice(3..5), "c --");
        assert_eq!(slice(0..6), original);
    }

    /// Every folded range between char boundaries maps to an original range between char
    /// boundaries, and the ends move forward as the folded ends do.
    #[test]
    fn the_map_is_monotone_and_lands_on_char_boundaries() {
        let original = "  A’s\u{00A0}\u{00A0}İß — x\u{200B}y «ﬃ» e\u{301}ب😀 ΣΑΣ -- z ";
        let folded = folded_with_map(original);
        let boundaries: Vec<usize> = folded
            .text
            .char_indices()
            .map(|(at, _)| at)
            .chain([folded.text.len()])
            .collect();
        let mut previous_start = 0;
        for (i, &start) in boundaries.iter().enumerate() {
            let mut previous_end = 0;
            for &end in &boundaries[i + 1..] {
                let Some(range) = folded.original_range(start..end) else {
                    panic!("{start}..{end} has no original");
                };
                assert!(original.is_char_boundary(range.start));
                assert!(original.is_char_boundary(range.end));
                assert!(range.start < range.end, "{start}..{end} maps to {range:?}");
                assert!(range.start >= previous_start && range.end >= previous_end);
                previous_end = range.end;
                if end == boundaries[i + 1] {
                    previous_start = range.start;
                }
            }
        }
        assert_eq!(
            folded.original_range(0..folded.text.len()),
            Some(2..original.len() - 1)
        );
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
