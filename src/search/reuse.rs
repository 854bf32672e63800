//! Reuse of the previous build's compressed index files. A fragment (the JSON a search result
//! is shown from) and a words file (a run of words with the pages they occur on) are each named
//! by the hash of their bytes, and most of them come out the same from one build to the next,
//! so compressing each again was ~5 % of a rebuild's CPU for nothing (fragments), and as much
//! again for the words files at 1,000 notes. The index leaves a list of these files' full
//! hashes and file names in the site ([`MANIFEST`]); the next build reads it and puts the
//! previous file of every fragment or words file whose hash it finds there
//! ([`crate::output::Sink::put_previous`]) instead of compressing it again. The list is
//! trusted only when it was written by the same way of compressing (its first line,
//! [`header`]) into a folder casefile made; a file that has gone since is compressed after all.

use std::collections::HashMap;

pub use super::FRAGMENT_LIST as MANIFEST;

/// The list's first line: a list from another format, or written when fragments were
/// compressed differently, is ignored (its files would still be valid, but not the bytes
/// this build would write).
fn header(level: u32) -> String {
    format!("casefile fragments 1 gzip level {level}\n")
}

/// The previous build's fragment and words file names by full hash (`en_<sha1>`).
#[derive(Debug, Default)]
pub struct PreviousFragments {
    names: HashMap<String, String>,
}

impl PreviousFragments {
    /// Reads a list [`write()`] made for compression `level`; empty for anything else.
    pub fn parse(list: &[u8], level: u32) -> PreviousFragments {
        let Some(lines) = std::str::from_utf8(list)
            .ok()
            .and_then(|text| text.strip_prefix(header(level).as_str()))
        else {
            return PreviousFragments::default();
        };
        let names = lines
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(hash, name)| is_file_name(hash) && is_file_name(name))
            .map(|(hash, name)| (hash.to_string(), name.to_string()))
            .collect();
        PreviousFragments { names }
    }

    /// The previous file name of the fragment with this full hash.
    pub fn name_of(&self, full_hash: &str) -> Option<&str> {
        self.names.get(full_hash).map(String::as_str)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.names.len()
    }
}

/// Whether a name from the list can only name a file of the fragment folder (the list is
/// read from the output folder, which anyone may have edited).
fn is_file_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The list of this build's fragments and words files: each full hash and the name its file
/// was given.
pub fn write<'a>(fragments: impl Iterator<Item = (&'a str, &'a str)>, level: u32) -> Vec<u8> {
    let mut list = header(level).into_bytes();
    for (full_hash, name) in fragments {
        list.extend_from_slice(full_hash.as_bytes());
        list.push(b' ');
        list.extend_from_slice(name.as_bytes());
        list.push(b'\n');
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_list_reads_back() {
        let list = write(
            [("en_abc123", "en_abc"), ("en_def456", "en_de")].into_iter(),
            1,
        );
        let previous = PreviousFragments::parse(&list, 1);
        assert_eq!(previous.len(), 2);
        assert_eq!(previous.name_of("en_abc123"), Some("en_abc"));
        assert_eq!(previous.name_of("en_def456"), Some("en_de"));
        assert_eq!(previous.name_of("en_zzz"), None);
    }

    #[test]
    fn a_list_for_another_level_or_format_is_ignored() {
        let list = write([("en_abc123", "en_abc")].into_iter(), 1);
        assert_eq!(PreviousFragments::parse(&list, 6).len(), 0);
        assert_eq!(PreviousFragments::parse(b"en_abc123 en_abc\n", 1).len(), 0);
        assert_eq!(PreviousFragments::parse(&[0xff, 0xfe], 1).len(), 0);
    }

    #[test]
    fn names_that_could_leave_the_fragment_folder_are_dropped() {
        let mut list = header(1).into_bytes();
        list.extend_from_slice(b"en_a ../../index\nen_b en_b1\nen_c /etc/passwd\nen_d \n");
        let previous = PreviousFragments::parse(&list, 1);
        assert_eq!(previous.len(), 1);
        assert_eq!(previous.name_of("en_b"), Some("en_b1"));
    }
}
