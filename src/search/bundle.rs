//! The files of the `pagefind/` folder: how the index files are compressed and named (as
//! Pagefind names them, by a shortened SHA-1 of their content, made longer on a clash), the
//! `pagefind-entry.json` that points the browser at them, and the browser runtime (Pagefind's
//! JavaScript, CSS and wasm), which we take from Pagefind's library so that it always matches
//! the crate's version. Nothing here reads a page or a word.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// What every index file starts with once decompressed: the browser checks for it.
const SIGNATURE: &[u8] = b"pagefind_dcd";

/// SHA-1 in hexadecimal as Pagefind writes it: each byte without a leading zero.
pub fn full_hash(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    use std::fmt::Write;
    let mut hex = String::with_capacity(40);
    for byte in Sha1::digest(bytes) {
        let _ = write!(hex, "{byte:x}");
    }
    hex
}

/// Writes files as the browser fetches them: gzip of the signature and the payload, made by
/// libdeflate in one call over the whole buffer. Its level 1 picks Huffman codes for each
/// file, where zlib's level 1 writes fixed codes: a quarter smaller, in about the same time
/// (docs/performance.md, "The search index"). It keeps its compressor (an allocation with
/// its hash tables) and its buffers from file to file, so that each file is
/// returned at its exact size (thousands wait in memory to be written).
pub struct Compressor {
    deflate: libdeflater::Compressor,
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Compressor {
    /// `level` is libdeflate's, 0 to 12; one out of range is taken as its default, 6.
    pub fn new(level: u32) -> Self {
        let level = i32::try_from(level)
            .ok()
            .and_then(|level| libdeflater::CompressionLvl::new(level).ok())
            .unwrap_or_default();
        Compressor {
            deflate: libdeflater::Compressor::new(level),
            input: Vec::new(),
            output: Vec::new(),
        }
    }

    pub fn compress(&mut self, payload: &[u8]) -> Vec<u8> {
        self.input.clear();
        self.input.extend_from_slice(SIGNATURE);
        self.input.extend_from_slice(payload);
        // libdeflate compresses only into a buffer of a fixed size: its bound is a worst case
        // it guarantees, so the first try succeeds; should it not, a larger buffer is tried.
        let mut size = self.deflate.gzip_compress_bound(self.input.len());
        loop {
            if self.output.len() < size {
                self.output.resize(size, 0);
            }
            match self.deflate.gzip_compress(&self.input, &mut self.output) {
                Ok(len) => return self.output[..len].to_vec(),
                Err(libdeflater::CompressionError::InsufficientSpace) => size *= 2,
            }
        }
    }
}

/// The payload of a compressed index file, if it is one.
#[cfg(test)]
pub fn decompress(file: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .ok()?;
    bytes.strip_prefix(SIGNATURE).map(<[u8]>::to_vec)
}

/// Gives each file the shortest name its hash allows: `<language>_` and 7 characters, longer
/// while the name is taken. `step` is how many characters each retry adds (Pagefind adds one
/// for fragments and two for word and filter files).
pub struct Names {
    taken: HashSet<String>,
    prefix_len: usize,
    step: usize,
}

impl Names {
    pub fn new(language: &str, step: usize) -> Self {
        Names {
            taken: HashSet::new(),
            prefix_len: language.len() + 1 + 7,
            step,
        }
    }

    /// A free name for the file whose full hash (with its language prefix) is `full`.
    pub fn claim(&mut self, full: &str) -> String {
        let mut len = self.prefix_len.min(full.len());
        while self.taken.contains(&full[..len]) && len < full.len() {
            len = (len + self.step).min(full.len());
        }
        let mut name = full[..len].to_string();
        // Two files with one full hash are one file; should it happen, keep both apart.
        while self.taken.contains(&name) {
            name.push('_');
        }
        self.taken.insert(name.clone());
        name
    }
}

/// Pagefind's browser runtime for one language, and the settings its entry file carries.
pub struct Runtime {
    /// Paths inside `pagefind/` with their bytes: scripts, styles and wasm.
    pub files: Vec<(String, Vec<u8>)>,
    pub version: String,
    pub include_characters: Vec<char>,
    /// The language whose wasm (with its stemmer) the browser loads, if there is one.
    pub wasm: Option<String>,
}

/// The runtime for `language`, made once per process: Pagefind's library indexes a single
/// tiny record and everything it writes except that record's index is kept. A caller that
/// comes while another is making it waits for that one (see [`prefetch_runtime`]); a failure
/// is not kept, so the next build tries again.
pub fn runtime(language: &str) -> Result<Arc<Runtime>, String> {
    type Slot = Arc<Mutex<Option<Arc<Runtime>>>>;
    static CACHE: Mutex<Vec<(String, Slot)>> = Mutex::new(Vec::new());
    let slot: Slot = {
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        match cache.iter().find(|(l, _)| l == language) {
            Some((_, slot)) => Arc::clone(slot),
            None => {
                let slot = Slot::default();
                cache.push((language.to_string(), Arc::clone(&slot)));
                slot
            }
        }
    };
    let mut made = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(runtime) = made.as_ref() {
        return Ok(Arc::clone(runtime));
    }
    let runtime = Arc::new(runtime_from_library(language)?);
    *made = Some(Arc::clone(&runtime));
    Ok(runtime)
}

/// Starts making the runtime for `language` on a thread of its own, so that it is ready
/// when the index needs it: it is ~40 M instructions on one core whatever the brief's size
/// (a tokio runtime and a one-record index), which at 1,000 notes was 11 ms of the build
/// with the other core idle. Made while the notes load, it takes its turn beside them.
pub fn prefetch_runtime(language: &str) {
    let language = language.to_string();
    let _ = std::thread::Builder::new()
        .name("pagefind-runtime".into())
        .spawn(move || {
            // A failure is reported by the index's own call, which tries again.
            let _ = runtime(&language);
        });
}

fn runtime_from_library(language: &str) -> Result<Runtime, String> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    // Pagefind unwraps the current folder: a folder deleted under the shell would panic.
    std::env::current_dir().map_err(|e| {
        format!("search index: the current folder cannot be read ({e}); run casefile from an existing folder")
    })?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| format!("cannot start the search indexer: {e}"))?;
    let files = tokio.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .build();
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|e| format!("search index: {e}"))?;
        index
            .add_custom_record(
                "/".into(),
                "casefile".into(),
                language.to_string(),
                None,
                None,
                None,
            )
            .await
            .map_err(|e| format!("search index: {e}"))?;
        index
            .get_files()
            .await
            .map_err(|e| format!("search index: {e}"))
    })?;
    let mut runtime = Runtime {
        files: Vec::new(),
        version: String::new(),
        include_characters: Vec::new(),
        wasm: None,
    };
    for file in files {
        let name = file.filename.to_string_lossy().replace('\\', "/");
        let name = name.trim_start_matches('/').to_string();
        if name == "pagefind-entry.json" {
            let entry: serde_json::Value = serde_json::from_slice(&file.contents)
                .map_err(|e| format!("search index: Pagefind's entry file: {e}"))?;
            runtime.version = entry["version"].as_str().unwrap_or_default().to_string();
            runtime.include_characters = entry["include_characters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str()?.chars().next())
                .collect();
            runtime.wasm = entry["languages"][language]["wasm"]
                .as_str()
                .map(str::to_string);
        } else if !is_index_file(&name) {
            runtime.files.push((name, file.contents));
        }
    }
    if runtime.version.is_empty() {
        return Err("search index: Pagefind's library wrote no entry file".into());
    }
    runtime.files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(runtime)
}

/// The files that belong to an index rather than to the runtime.
fn is_index_file(name: &str) -> bool {
    name.ends_with(".pf_meta")
        || name.ends_with(".pf_fragment")
        || name.ends_with(".pf_index")
        || name.ends_with(".pf_filter")
}

/// `pagefind-entry.json`, fields in Pagefind's order.
pub fn entry_json(
    runtime: &Runtime,
    language: &str,
    meta_hash: &str,
    page_count: usize,
) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        version: &'a str,
        languages: std::collections::BTreeMap<&'a str, Language<'a>>,
        include_characters: &'a [char],
    }
    #[derive(serde::Serialize)]
    struct Language<'a> {
        hash: &'a str,
        wasm: Option<&'a str>,
        page_count: usize,
    }
    let entry = Entry {
        version: &runtime.version,
        languages: [(
            language,
            Language {
                hash: meta_hash,
                wasm: runtime.wasm.as_deref(),
                page_count,
            },
        )]
        .into(),
        include_characters: &runtime.include_characters,
    };
    serde_json::to_vec(&entry).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_drop_leading_zeros_of_each_byte_as_pagefind_does() {
        // SHA-1 of "" is da39a3ee 5e6b4b0d 3255bfef 95601890 afd80709.
        assert_eq!(full_hash(b""), "da39a3ee5e6b4bd3255bfef95601890afd879");
    }

    #[test]
    fn callers_that_meet_while_the_runtime_is_made_share_one() {
        // A language no other test asks for, so that neither caller finds it made. Two
        // callers used to make it twice, which made the build's prefetch worth nothing.
        let (a, b) = std::thread::scope(|scope| {
            let first = scope.spawn(|| runtime("da"));
            let second = scope.spawn(|| runtime("da"));
            (first.join().unwrap(), second.join().unwrap())
        });
        let (a, b) = (a.expect("runtime"), b.expect("runtime"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!a.files.is_empty());
        assert!(Arc::ptr_eq(&a, &runtime("da").expect("runtime")));
    }

    #[test]
    fn compressed_files_carry_the_signature() {
        let mut compressor = Compressor::new(6);
        let file = compressor.compress(b"{}");
        assert_eq!(decompress(&file).as_deref(), Some(&b"{}"[..]));
        // The state carried over from one file does not leak into the next.
        let long: Vec<u8> = (0..200_000u32)
            .flat_map(|n| (n % 251).to_le_bytes())
            .collect();
        let file = compressor.compress(&long);
        assert_eq!(decompress(&file).as_deref(), Some(&long[..]));
        assert_eq!(
            decompress(&compressor.compress(b"x")).as_deref(),
            Some(&b"x"[..])
        );
        assert_eq!(decompress(b"not gzip"), None);
    }

    #[test]
    fn a_name_grows_only_when_it_is_taken() {
        let mut names = Names::new("en", 1);
        assert_eq!(names.claim("en_0123456789abcdef"), "en_0123456");
        assert_eq!(names.claim("en_0123456fffffffff"), "en_0123456f");
        assert_eq!(names.claim("en_0123456789abcdef"), "en_01234567");
        let mut names = Names::new("en", 2);
        names.claim("en_0123456789");
        assert_eq!(names.claim("en_0123456fff"), "en_0123456ff");
    }
}
