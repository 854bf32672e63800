//! Feeds arbitrary bytes to casefile as one note of a small brief: front matter splitting,
//! typed YAML, citation and wikilink parsing, resolution and rendering must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casefile::fuzzing::check_note_bytes(data);
});
