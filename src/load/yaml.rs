//! Typed YAML with positions: a thin layer over serde-saphyr that turns its errors into
//! [`Diagnostic`]s pointing at the real line of the file (front matter offset added), with a
//! "did you mean" for unknown keys.
//!
//! It knows nothing about note kinds; callers give it the type and the list of valid keys.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::load::frontmatter::CITATION_EXPECTED;

/// What a citation may be, as the help of every error about one's shape.
const CITATION_HELP: &str =
    "a citation is a source slug, a list of them, or {source: slug, quote: \"exact words\"}";

/// Parses `text` (which starts at line `line_offset + 1` and byte `byte_offset` of `file`) as a
/// `T`. Booleans are strict (`NO` stays a string where a string is expected, and is an error
/// where a boolean is), duplicate keys are errors.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    line_offset: usize,
    byte_offset: usize,
    valid_keys: &[&str],
) -> Result<T, Diagnostic> {
    let _ = byte_offset;
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<T>(text, options)
        .map_err(|err| to_diagnostic(&err, text, file, line_offset, valid_keys))
}

fn to_diagnostic(
    err: &serde_saphyr::Error,
    text: &str,
    file: &Path,
    line_offset: usize,
    valid_keys: &[&str],
) -> Diagnostic {
    let raw = err.without_snippet().to_string();
    // serde-saphyr appends " at line L, column C" to some messages; we show the place ourselves.
    let message = strip_position_suffix(&raw);
    let (line, column) = err
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .unwrap_or((0, 0));
    let location = if line == 0 {
        Location {
            file: file.to_path_buf(),
            line: line_offset + 1,
            column: 1,
            length: 0,
        }
    } else {
        Location {
            file: file.to_path_buf(),
            line: line + line_offset,
            column: column.max(1),
            length: 1,
        }
    };
    if let Some(key) = backticked_after(&message, "unknown field") {
        // serde lists the keys of the mapping the stray key is in: inside a role, fact or
        // `{source, quote}` those are the ones to suggest, not the front matter's.
        let listed = message
            .split_once(", expected ")
            .map(|(_, expected)| listed_names(expected))
            .unwrap_or_default();
        let nested = !listed.is_empty()
            && (listed.len() != valid_keys.len() || listed.iter().any(|k| !valid_keys.contains(k)));
        let (keys, problem) = if nested {
            (listed, format!("unknown key `{key}` here"))
        } else {
            (
                valid_keys.to_vec(),
                format!("unknown key `{key}` in front matter"),
            )
        };
        let location = locate_key(text, key, file, line_offset).unwrap_or(location);
        let help = did_you_mean(key, keys.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .unwrap_or_else(|| format!("the keys allowed here are: {}", keys.join(", ")));
        return Diagnostic::error(
            "unknown-key",
            Location {
                length: key.len(),
                ..location
            },
            problem,
        )
        .with_help(help);
    }
    if message.contains(CITATION_EXPECTED) {
        // A value that is no citation's shape; serde's message says what was found.
        let found = message
            .split_once(", expected")
            .map_or(message.as_str(), |(found, _)| found);
        return Diagnostic::error(
            "bad-yaml",
            value_after_key(text, location, line_offset),
            format!("not a citation ({found})"),
        )
        .with_help(CITATION_HELP);
    }
    if let Some(key) = backticked_after(&message, "missing field") {
        return Diagnostic::error(
            "missing-key",
            location,
            format!("missing required key `{key}`"),
        )
        .with_help(format!("add a line `{key}: …`"));
    }
    if message.contains("duplicate") {
        return Diagnostic::error("duplicate-key", location, message)
            .with_help("each key may appear once; merge the two values");
    }
    // A value of the wrong shape: name the key on that line and the shape it wants.
    let key_here = line
        .checked_sub(1)
        .and_then(|l| text.lines().nth(l))
        .and_then(|l| l.trim_start().trim_start_matches("- ").split_once(':'))
        .map(|(key, _)| key.trim())
        .filter(|key| !key.is_empty() && !key.contains(char::is_whitespace));
    if let Some(key) = key_here {
        let wanted = if message.contains("expected sequence") {
            Some((
                format!("`{key}` must be a list"),
                format!("write `{key}: [a, b]`, or one `- item` per line below it"),
            ))
        } else if message.contains("expected string") {
            Some((
                format!("`{key}`: text was expected here"),
                "write plain text, quoted if it starts with [ or { (in a list, each item is text)"
                    .to_string(),
            ))
        } else if message.contains("boolean") {
            Some((
                format!("`{key}` must be true or false"),
                format!("write `{key}: true` or `{key}: false`"),
            ))
        } else {
            None
        };
        if let Some((problem, help)) = wanted {
            return Diagnostic::error("bad-yaml", location, problem).with_help(help);
        }
    }
    let help = if message.contains("did not match any variant") {
        Some(CITATION_HELP.to_string())
    } else if message.contains("invalid type") && message.contains("bool") {
        Some("write true or false".to_string())
    } else if message.contains("invalid type") && message.contains("sequence") {
        Some("write a list: one `- item` per line, or [a, b]".to_string())
    } else {
        Some("check the YAML syntax: `key: value`, lists with `- `, quote text that contains `: ` or starts with a special character".to_string())
    };
    Diagnostic::error("bad-yaml", location, message).with_optional_help(help)
}

fn strip_position_suffix(message: &str) -> String {
    let message = message.trim();
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains("column") => message[..i].to_string(),
        _ => message.to_string(),
    }
}

/// `location` moved from a `key:` to the value written after it on the same line, when it
/// points at the key (serde-saphyr places an error about a plain value at its key).
fn value_after_key(text: &str, location: Location, line_offset: usize) -> Location {
    let Some(line) = location
        .line
        .checked_sub(line_offset + 1)
        .and_then(|l| text.lines().nth(l))
    else {
        return location;
    };
    let key_start = line
        .char_indices()
        .nth(location.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let Some((key, rest)) = line[key_start..].split_once(':') else {
        return location;
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return location;
    }
    let value = rest.trim_start();
    let value = value.split(" #").next().unwrap_or(value).trim_end();
    if value.is_empty() {
        return location;
    }
    let value_start = line.len() - rest.len() + (rest.len() - rest.trim_start().len());
    Location {
        column: line[..value_start].chars().count() + 1,
        length: value.len(),
        ..location
    }
}

/// The names in "one of a, b, c", "`a` or `b`" or "`a`" (how serde and serde-saphyr list
/// the fields a mapping takes), in order.
fn listed_names(text: &str) -> Vec<&str> {
    let text = text.strip_prefix("one of ").unwrap_or(text);
    text.split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|name| name.trim().trim_matches('`'))
        .filter(|name| !name.is_empty() && !name.contains(char::is_whitespace))
        .collect()
}

fn backticked_after<'a>(message: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &message[message.find(marker)? + marker.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(&rest[start..start + len])
}

/// Finds `key:` at the start of a line (after indentation or `- `) to point at the key itself.
fn locate_key(text: &str, key: &str, file: &Path, line_offset: usize) -> Option<Location> {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(':')
        {
            let column = line.len() - trimmed.len();
            return Some(Location {
                file: file.to_path_buf(),
                line: i + 1 + line_offset,
                column: line[..column].chars().count() + 1,
                length: key.len(),
            });
        }
    }
    None
}
