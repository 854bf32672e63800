//! A quote as the matcher sees it: folded like the source, then cut at its elisions into the
//! pieces that must appear in order.
//!
//! An elision is `...` or `…`, or any run of three or more dots made of `.` and `…` with at most
//! single spaces between them (`. . .`, `....` at a sentence end), optionally in brackets
//! (`[…]`, `(...)`), as editors write them. Pieces are trimmed; a piece with no word in it (only
//! punctuation, such as the `.` left of `word. ...`) is dropped, because it cannot locate
//! anything and would only make an honest quote fail.

use super::normalize::{fold_str, is_word_char};

/// The folded pieces of `quote`, in order; empty when nothing searchable is left.
pub(super) fn quote_pieces(quote: &str) -> Vec<String> {
    let folded = fold_str(quote);
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut position = 0;
    while let Some(&first) = folded.as_bytes().get(position) {
        // Only `.`, `…` (whose UTF-8 begins 0xE2), `[` and `(` can open an elision; trying the
        // full test at every character cost most of the matcher's time spent on quotes.
        let could_open = matches!(first, b'.' | b'[' | b'(' | 0xE2);
        if let Some(elision_len) = could_open
            .then(|| elision_len(&folded[position..]))
            .flatten()
        {
            push_piece(&folded[piece_start..position], &mut pieces);
            position += elision_len;
            piece_start = position;
        } else if first.is_ascii() {
            position += 1;
        } else {
            let rest = &folded[position..];
            position += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    push_piece(&folded[piece_start..], &mut pieces);
    pieces
}

fn push_piece(piece: &str, pieces: &mut Vec<String>) {
    let piece = piece.trim_matches(' ');
    if piece.chars().any(is_word_char) {
        pieces.push(piece.to_owned());
    }
}

/// The byte length of the elision marker at the start of `text`, if there is one.
fn elision_len(text: &str) -> Option<usize> {
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inside) = text.strip_prefix(open) {
            let padded = inside.strip_prefix(' ').unwrap_or(inside);
            let padding = inside.len() - padded.len();
            if let Some(dots) = dot_run_len(padded) {
                let after = &padded[dots..];
                let after_trimmed = after.strip_prefix(' ').unwrap_or(after);
                if after_trimmed.starts_with(close) {
                    let closing_padding = after.len() - after_trimmed.len();
                    return Some(open.len_utf8() + padding + dots + closing_padding + 1);
                }
            }
        }
    }
    dot_run_len(text)
}

/// The byte length of a run of at least three dots at the start of `text`.
fn dot_run_len(text: &str) -> Option<usize> {
    let mut dots = 0;
    let mut consumed = 0;
    let mut position = 0;
    loop {
        let rest = &text[position..];
        let unit = if rest.starts_with('.') {
            Some((1, 1))
        } else if rest.starts_with('…') {
            Some(('…'.len_utf8(), 3))
        } else {
            None
        };
        match unit {
            Some((len, count)) => {
                dots += count;
                position += len;
                consumed = position;
                // A single space may separate dots (". . ."); anything else ends the run.
                if text[position..].starts_with(" .") || text[position..].starts_with(" …") {
                    position += 1;
                }
            }
            None => break,
        }
    }
    (dots >= 3).then_some(consumed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces found by trying the full elision test at every character.
    fn pieces_testing_every_character(quote: &str) -> Vec<String> {
        let folded = fold_str(quote);
        let mut pieces = Vec::new();
        let mut piece_start = 0;
        let mut position = 0;
        while position < folded.len() {
            let rest = &folded[position..];
            if let Some(elision_len) = elision_len(rest) {
                push_piece(&folded[piece_start..position], &mut pieces);
                position += elision_len;
                piece_start = position;
            } else {
                position += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
        push_piece(&folded[piece_start..], &mut pieces);
        pieces
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn skipping_to_possible_elisions_finds_the_same_pieces(
            quote in "[a .…\\[\\]()é—’\u{2026}\u{2025}]{0,24}"
        ) {
            proptest::prop_assert_eq!(quote_pieces(&quote), pieces_testing_every_character(&quote));
        }
    }

    #[test]
    fn ellipses_of_every_shape_split_the_quote() {
        for quote in [
            "Pang Ruoming ... left Meta",
            "Pang Ruoming…left Meta",
            "Pang Ruoming [...] left Meta",
            "Pang Ruoming (…) left Meta",
            "Pang Ruoming [ … ] left Meta",
            "Pang Ruoming. . . left Meta",
            "Pang Ruoming.... left Meta",
        ] {
            assert_eq!(
                quote_pieces(quote),
                ["pang ruoming", "left meta"],
                "{quote:?}"
            );
        }
    }

    #[test]
    fn leading_and_trailing_elisions_leave_no_empty_pieces() {
        assert_eq!(quote_pieces("...the team ..."), ["the team"]);
        assert_eq!(quote_pieces("…A… …B…"), ["a", "b"]);
    }

    #[test]
    fn two_dots_and_unclosed_brackets_are_text() {
        assert_eq!(quote_pieces("a.. b"), ["a.. b"]);
        assert_eq!(quote_pieces("a [... b"), ["a [", "b"]);
    }

    #[test]
    fn quotes_without_words_have_no_pieces() {
        for quote in ["", "   ", "...", "…", "[…]", "— , ; ?", "\"…\"", " . . . "] {
            assert!(quote_pieces(quote).is_empty(), "{quote:?}");
        }
    }
}
