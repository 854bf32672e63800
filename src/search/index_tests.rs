//! The index as a whole: decoded, it leads from a word to the right page; and it is the index
//! Pagefind's own library writes for the same records, file for file once decompressed.

use std::collections::BTreeMap;

use minicbor::Decode;

use super::bundle::decompress;
use super::{SearchRecord, index_site};

fn record(url: &str, title: &str, kind: &'static str, content: &str) -> SearchRecord {
    SearchRecord {
        url: url.into(),
        title: title.into(),
        kind,
        content: format!("{title}.\n{content}"),
    }
}

/// Records with the cases that matter to the words: compounds, possessives, diacritics,
/// digits, dots, a title word missing from the text, and enough words for several files.
fn sample_records() -> Vec<SearchRecord> {
    let mut records = vec![
        record(
            "/people/ann-smith/",
            "Ann Smith",
            "person",
            "Ann is the co-founder of Acme's Apple-bound venture, a café in São Paulo.",
        ),
        record(
            "/companies/acme/",
            "Acme Corp",
            "company",
            "Acme builds ThreeAntelopes and covid19 kits; see acme.example.com or sysconfig.is_python_build.",
        ),
        record(
            "/events/launch/",
            "Launch Día",
            "event",
            "The launch — on 2024-05-01 — drew Ann, Zoë and the CAFÉ crowd. Naïve? No.",
        ),
        record("/sources/empty/", "Nothing here", "source", "— … ·"),
        SearchRecord {
            url: "/sources/untitled/".into(),
            title: "Überschrift Élan-vital words".into(),
            kind: "source",
            content: "Only the body, not the title; élan here.".into(),
        },
    ];
    // A pseudo-random text over a small vocabulary: enough positions to fill several files.
    let vocabulary = [
        "antelope",
        "bank",
        "décor",
        "engine-room",
        "HTTPRequest",
        "ledger",
        "merger",
        "naïveté",
        "O'Brien's",
        "river",
        "signal",
        "stock",
        "ünited",
        "vendor",
        "x86_64",
    ];
    let mut seed: u64 = 7;
    for n in 0..200 {
        let mut text = String::new();
        for _ in 0..300 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let word = vocabulary[(seed >> 33) as usize % vocabulary.len()];
            text.push_str(word);
            text.push_str(if seed.is_multiple_of(7) { ". " } else { " " });
        }
        let kind = ["person", "company", "event", "source"][n % 4];
        records.push(record(
            &format!("/notes/{n}/"),
            &format!("Note {n}"),
            kind,
            &text,
        ));
    }
    records
}

/// What Pagefind's library writes for the records, as casefile used it before.
fn pagefind_library_files(records: &[SearchRecord], language: &str) -> BTreeMap<String, Vec<u8>> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio");
    tokio.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .build();
        let mut index = PagefindIndex::new(Some(config)).expect("index");
        for r in records {
            let meta = BTreeMap::from([("title".to_string(), r.title.clone())]);
            let filters = BTreeMap::from([("kind".to_string(), vec![r.kind.to_string()])]);
            index
                .add_custom_record(
                    r.url.clone(),
                    r.content.clone(),
                    language.into(),
                    Some(meta),
                    Some(filters),
                    None,
                )
                .await
                .expect("record");
        }
        index
            .get_files()
            .await
            .expect("files")
            .into_iter()
            .map(|f| {
                let name = f
                    .filename
                    .to_string_lossy()
                    .trim_start_matches('/')
                    .to_string();
                (format!("pagefind/{name}"), f.contents)
            })
            .collect()
    })
}

fn our_files(records: &[SearchRecord]) -> BTreeMap<String, Vec<u8>> {
    let sink = crate::output::Collect::default();
    index_site(records.to_vec(), "en-GB", &sink).expect("index");
    sink.into_outputs()
        .into_iter()
        // casefile's own list of fragments for the next build, not part of the index.
        .filter(|o| o.path != super::reuse::MANIFEST)
        .map(|o| (o.path, o.bytes))
        .collect()
}

/// Index files compared by content, the others as they are.
fn readable(path: &str, bytes: &[u8]) -> Vec<u8> {
    if path.contains(".pf_") {
        decompress(bytes).unwrap_or_else(|| panic!("{path} is not a compressed index file"))
    } else {
        bytes.to_vec()
    }
}

#[test]
fn our_index_is_the_one_pagefinds_library_writes() {
    let records = sample_records();
    let ours = our_files(&records);
    let theirs = pagefind_library_files(&records, "en");
    let names = |files: &BTreeMap<String, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs));
    assert!(
        ours.keys().filter(|p| p.ends_with(".pf_index")).count() >= 3,
        "the sample should fill several words files"
    );
    for (path, bytes) in &ours {
        assert!(
            readable(path, bytes) == readable(path, &theirs[path]),
            "{path} differs from Pagefind's"
        );
    }
}

#[test]
fn the_same_records_give_the_same_bytes() {
    let records = sample_records();
    assert_eq!(our_files(&records), our_files(&records));
}

#[derive(Decode)]
struct Meta {
    #[n(1)]
    pages: Vec<MetaPage>,
    #[n(2)]
    index_chunks: Vec<MetaChunk>,
}

#[derive(Decode)]
struct MetaPage {
    #[n(0)]
    hash: String,
}

#[derive(Decode)]
struct MetaChunk {
    #[n(0)]
    from: String,
    #[n(1)]
    to: String,
    #[n(2)]
    hash: String,
}

#[derive(Decode)]
struct Words {
    #[n(0)]
    words: Vec<Word>,
}

#[derive(Decode)]
struct Word {
    #[n(0)]
    word: String,
    #[n(1)]
    pages: Vec<Page>,
}

#[derive(Decode)]
struct Page {
    #[n(0)]
    page_delta: u32,
    #[n(1)]
    locs: Vec<i32>,
}

/// The URLs of the pages a stemmed word is on, and its positions on each, read back the way
/// the browser reads the files.
fn lookup(files: &BTreeMap<String, Vec<u8>>, stem: &str) -> Vec<(String, Vec<i32>)> {
    let file = |prefix: &str, suffix: &str| {
        let (path, bytes) = files
            .iter()
            .find(|(p, _)| p.starts_with(prefix) && p.ends_with(suffix))
            .unwrap_or_else(|| panic!("no file {prefix}…{suffix}"));
        readable(path, bytes)
    };
    let meta: Meta = minicbor::decode(&file("pagefind/pagefind.", ".pf_meta")).expect("meta");
    let chunk = meta
        .index_chunks
        .iter()
        .find(|c| c.from.as_str() <= stem && stem <= c.to.as_str())
        .expect("a words file for the stem");
    let words: Words = minicbor::decode(&file(
        &format!("pagefind/index/{}", chunk.hash),
        ".pf_index",
    ))
    .expect("words");
    let word = words
        .words
        .iter()
        .find(|w| w.word == stem)
        .expect("the stem");
    let mut page_number = 0;
    word.pages
        .iter()
        .map(|page| {
            page_number += page.page_delta as usize;
            let fragment = file(
                &format!("pagefind/fragment/{}", meta.pages[page_number].hash),
                ".pf_fragment",
            );
            let fragment: serde_json::Value = serde_json::from_slice(&fragment).expect("json");
            (
                fragment["url"].as_str().unwrap_or_default().to_string(),
                page.locs.clone(),
            )
        })
        .collect()
}

#[test]
fn a_body_word_leads_to_its_page_and_position() {
    let files = our_files(&sample_records());
    // "venture," (stem "ventur") is the tenth token of Ann's record, after "Ann Smith.".
    assert_eq!(
        lookup(&files, "ventur"),
        [("/people/ann-smith/".to_string(), vec![-25, 9])]
    );
    let cafe = lookup(&files, "antelop");
    assert!(
        cafe.iter().any(|(url, _)| url == "/companies/acme/"),
        "{cafe:?}"
    );
    assert!(
        cafe.iter().any(|(url, _)| url.starts_with("/notes/")),
        "{cafe:?}"
    );
}

#[test]
fn an_empty_site_has_an_empty_index() {
    let files = our_files(&[]);
    let entry: serde_json::Value =
        serde_json::from_slice(&files["pagefind/pagefind-entry.json"]).expect("entry");
    assert_eq!(entry["languages"]["en"]["page_count"], 0);
    assert!(files.keys().any(|p| p.ends_with("pagefind-ui.js")));
    assert!(!files.keys().any(|p| p.ends_with(".pf_fragment")));
}
