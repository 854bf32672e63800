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
//!
//! The list also gives each file's XXH3-128 hash (seeded with the language), so that a
//! rebuild finds the SHA-1 name of bytes it saw before without computing it again: SHA-1 ran
//! over every fragment and words file of every build (~45 MB at 10,000 notes), about 1.5 % of
//! a rebuild's CPU, where XXH3 takes a tenth of that.

use std::collections::HashMap;

pub use super::FRAGMENT_LIST as MANIFEST;

/// The list's first line: a list from another format, or written when fragments were
/// compressed differently, is ignored (its files would still be valid, but not the bytes
/// this build would write).
fn header(level: u32) -> String {
    format!("casefile fragments 2 gzip level {level}\n")
}

/// The previous build's fragment and words file names by full hash (`en_<sha1>`), and the
/// full hashes by quick hash ([`quick_hash`]).
#[derive(Debug, Default)]
pub struct PreviousFragments {
    names: HashMap<String, String>,
    full_hashes: HashMap<u128, String>,
}

/// The XXH3-128 hash of an index file's bytes, seeded with its language (whose code starts
/// the full hash).
pub fn quick_hash(bytes: &[u8], language: &str) -> u128 {
    let seed = xxhash_rust::xxh3::xxh3_64(language.as_bytes());
    xxhash_rust::xxh3::xxh3_128_with_seed(bytes, seed)
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
        let mut previous = PreviousFragments::default();
        for line in lines.lines() {
            let mut fields = line.split(' ');
            let (Some(quick), Some(full), Some(name), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let Ok(quick) = u128::from_str_radix(quick, 16) else {
                continue;
            };
            if is_file_name(full) && is_file_name(name) {
                previous.full_hashes.insert(quick, full.to_string());
                previous.names.insert(full.to_string(), name.to_string());
            }
        }
        previous
    }

    /// The previous file name of the fragment with this full hash.
    pub fn name_of(&self, full_hash: &str) -> Option<&str> {
        self.names.get(full_hash).map(String::as_str)
    }

    /// The quick hash of `bytes` and their full hash (`<language>_<sha1>`): the previous
    /// build's, when it listed the same quick hash, computed otherwise.
    pub fn full_hash(&self, bytes: &[u8], language: &str) -> (u128, String) {
        let quick = quick_hash(bytes, language);
        let full = match self.full_hashes.get(&quick) {
            Some(full) => full.clone(),
            None => format!("{language}_{}", super::bundle::full_hash(bytes)),
        };
        (quick, full)
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

/// The list of this build's fragments and words files: each quick hash, full hash and the
/// name its file was given.
pub fn write<'a>(fragments: impl Iterator<Item = (u128, &'a str, &'a str)>, level: u32) -> Vec<u8> {
    use std::io::Write as _;
    let mut list = header(level).into_bytes();
    for (quick, full_hash, name) in fragments {
        // Into the list itself: a `format!` made and dropped a string for each of ~11,000.
        let _ = write!(list, "{quick:032x} ");
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
            [(1, "en_abc123", "en_abc"), (2, "en_def456", "en_de")].into_iter(),
            1,
        );
        let previous = PreviousFragments::parse(&list, 1);
        assert_eq!(previous.len(), 2);
        assert_eq!(previous.name_of("en_abc123"), Some("en_abc"));
        assert_eq!(previous.name_of("en_def456"), Some("en_de"));
        assert_eq!(previous.name_of("en_zzz"), None);
    }

    #[test]
    fn a_full_hash_listed_for_the_same_bytes_is_taken_without_computing_it() {
        let bytes = b"{\"url\":\"/people/ann/\"}";
        let fresh = PreviousFragments::default().full_hash(bytes, "en");
        assert_eq!(fresh.0, quick_hash(bytes, "en"));
        assert_eq!(
            fresh.1,
            format!("en_{}", crate::search::bundle::full_hash(bytes))
        );
        // A list that gives these bytes another full hash is believed: the lookup, not SHA-1,
        // named them.
        let list = write([(fresh.0, "en_listed", "en_l")].into_iter(), 1);
        let previous = PreviousFragments::parse(&list, 1);
        assert_eq!(
            previous.full_hash(bytes, "en"),
            (fresh.0, "en_listed".to_string())
        );
        // Other bytes, or the same bytes in another language, are hashed afresh.
        assert_eq!(
            previous.full_hash(b"other", "en").1,
            format!("en_{}", crate::search::bundle::full_hash(b"other"))
        );
        let german = previous.full_hash(bytes, "de");
        assert_ne!(german.0, fresh.0);
        assert_eq!(
            german.1,
            format!("de_{}", crate::search::bundle::full_hash(bytes))
        );
    }

    #[test]
    fn a_list_for_another_level_or_format_is_ignored() {
        let list = write([(1, "en_abc123", "en_abc")].into_iter(), 1);
        assert_eq!(PreviousFragments::parse(&list, 6).len(), 0);
        assert_eq!(PreviousFragments::parse(b"en_abc123 en_abc\n", 1).len(), 0);
        assert_eq!(PreviousFragments::parse(&[0xff, 0xfe], 1).len(), 0);
        // The first version's lines (no quick hash) are not read as this one's.
        let mut old = b"casefile fragments 1 gzip level 1\n".to_vec();
        old.extend_from_slice(b"en_abc123 en_abc\n");
        assert_eq!(PreviousFragments::parse(&old, 1).len(), 0);
    }

    #[test]
    fn names_that_could_leave_the_fragment_folder_are_dropped() {
        let mut list = header(1).into_bytes();
        list.extend_from_slice(
            b"1 en_a ../../index\n2 en_b en_b1\n3 en_c /etc/passwd\n4 en_d \nzz en_e en_e1\n5 en_f en_f1 x\n",
        );
        let previous = PreviousFragments::parse(&list, 1);
        assert_eq!(previous.len(), 1);
        assert_eq!(previous.name_of("en_b"), Some("en_b1"));
    }
}
