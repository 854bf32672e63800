//! The file format the build's memos share (the drawings' layouts, the highlighted code
//! blocks): a header line that names the memo and hashes the code its values come from, then
//! records of a 128-bit key and a body, sorted by key so that the same values always give the
//! same file. Each body starts with a number from which its memo tells its length.
//!
//! A file is read whole or not at all: one that starts with another header, or whose records
//! do not end exactly where the file does, is an empty memo (it was written by other code, or
//! damaged), and the build makes every value afresh.

use std::collections::HashMap;
use std::ops::Range;

/// The records of a memo file as the previous build left them.
#[derive(Default)]
pub struct MemoFile {
    bytes: Vec<u8>,
    bodies: HashMap<u128, Range<usize>>,
}

impl MemoFile {
    /// Reads `bytes` as a file headed `header` whose bodies are as long as `body_len` says
    /// from their first bytes (None when those are missing).
    pub fn read(bytes: Vec<u8>, header: &str, body_len: fn(&[u8]) -> Option<usize>) -> MemoFile {
        match records(&bytes, header, body_len) {
            Some(bodies) if !bodies.is_empty() => MemoFile { bytes, bodies },
            _ => MemoFile::default(),
        }
    }

    /// The body of the record with this key.
    pub fn get(&self, key: u128) -> Option<&[u8]> {
        self.bodies
            .get(&key)
            .map(|range| &self.bytes[range.clone()])
    }
}

/// Where each record's body lies in `bytes`, by key; None when the file is not whole.
fn records(
    bytes: &[u8],
    header: &str,
    body_len: fn(&[u8]) -> Option<usize>,
) -> Option<HashMap<u128, Range<usize>>> {
    let mut at = header.len();
    if !bytes.starts_with(header.as_bytes()) {
        return None;
    }
    let mut bodies = HashMap::new();
    while at < bytes.len() {
        let key = u128::from_le_bytes(bytes.get(at..at + 16)?.try_into().ok()?);
        let start = at + 16;
        let end = start.checked_add(body_len(&bytes[start..])?)?;
        if end > bytes.len() {
            return None;
        }
        bodies.insert(key, start..end);
        at = end;
    }
    Some(bodies)
}

/// The file of `records` (key and body), each key once and in key order.
pub fn write(header: &str, mut records: Vec<(u128, Vec<u8>)>) -> Vec<u8> {
    records.sort_unstable_by_key(|(key, _)| *key);
    records.dedup_by_key(|(key, _)| *key);
    let mut bytes = header.as_bytes().to_vec();
    bytes.reserve(records.iter().map(|(_, body)| 16 + body.len()).sum());
    for (key, body) in records {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&body);
    }
    bytes
}

/// The little-endian `u32` a body starts with, if it has one.
pub fn leading_u32(body: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(body.get(..4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bodies of a length byte count and that many bytes.
    fn body_len(body: &[u8]) -> Option<usize> {
        leading_u32(body).map(|n| 4 + n as usize)
    }

    fn body(text: &str) -> Vec<u8> {
        let mut body = (text.len() as u32).to_le_bytes().to_vec();
        body.extend_from_slice(text.as_bytes());
        body
    }

    #[test]
    fn records_read_back_by_key_in_any_order_written() {
        let one = write("h\n", vec![(2, body("b")), (1, body("a")), (2, body("b"))]);
        let other = write("h\n", vec![(1, body("a")), (2, body("b"))]);
        assert_eq!(one, other);
        let file = MemoFile::read(one, "h\n", body_len);
        assert_eq!(file.get(1), Some(body("a").as_slice()));
        assert_eq!(file.get(2), Some(body("b").as_slice()));
        assert_eq!(file.get(3), None);
    }

    #[test]
    fn another_header_or_a_damaged_file_reads_as_empty() {
        let bytes = write("h\n", vec![(1, body("abc"))]);
        let mut longer = bytes.clone();
        longer.push(0);
        for damaged in [
            bytes[..bytes.len() - 1].to_vec(),
            longer,
            b"x\n".to_vec(),
            Vec::new(),
        ] {
            assert_eq!(MemoFile::read(damaged, "h\n", body_len).get(1), None);
        }
        assert_eq!(MemoFile::read(bytes, "g\n", body_len).get(1), None);
    }
}
