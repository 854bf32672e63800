//! Typed YAML with positions: a thin layer over serde-saphyr that turns its errors into
//! [`Diagnostic`]s pointing at the real line of the file (front matter offset added), with a
//! "did you mean" for unknown keys.
//!
//! It knows nothing about note kinds; callers give it the type and the list of valid keys.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Location, did_you_mean};

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
        let location = locate_key(text, key, file, line_offset).unwrap_or(location);
        let help = did_you_mean(key, valid_keys.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .unwrap_or_else(|| format!("the keys allowed here are: {}", valid_keys.join(", ")));
        return Diagnostic::error(
            "unknown-key",
            Location {
                length: key.len(),
                ..location
            },
            format!("unknown key `{key}` in front matter"),
        )
        .with_help(help);
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
        Some("a citation is a source slug, a list of them, or {source: slug, quote: \"exact words\"}".to_string())
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
