//! Quote verification on the brief's real source texts (`../shared/sources/`), on generated
//! odd inputs, and a benchmark (ignored by default).

use super::closest::words;
use super::normalize::fold_str;
use super::quote::quote_pieces;
use super::*;
use std::time::Duration;

fn sources_dir() -> String {
    // `option_env!` so the module's tests also build with plain `rustc --test`.
    let manifest = option_env!("CARGO_MANIFEST_DIR").unwrap_or("/work/main");
    format!("{manifest}/../shared/sources")
}

/// The body of the source file whose name starts with `prefix` ("000", "004", …): from
/// `../shared/sources/` when it is there, else from the brief's own byte-identical copy in
/// `content/sources/` (the note whose `original:` names that file).
fn source_text(prefix: &str) -> String {
    let dir = sources_dir();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(prefix) {
                return std::fs::read_to_string(entry.path()).unwrap_or_default();
            }
        }
    }
    let manifest = option_env!("CARGO_MANIFEST_DIR").unwrap_or("/work/main");
    let notes = format!("{manifest}/content/sources");
    let entries =
        std::fs::read_dir(&notes).unwrap_or_else(|e| panic!("reading {dir} and {notes}: {e}"));
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let Some(rest) = text.strip_prefix("---\n") else {
            continue;
        };
        let Some(end) = rest.find("\n---\n") else {
            continue;
        };
        let names_it = rest[..end].lines().any(|l| {
            l.starts_with("original:")
                && l.trim_start_matches("original:")
                    .trim()
                    .trim_matches('"')
                    .starts_with(prefix)
        });
        if names_it {
            return rest[end + "\n---\n".len()..].to_string();
        }
    }
    panic!("no source {prefix}_* in {dir} or {notes}");
}

fn found(source: &PreparedSource, quote: &str) -> QuoteMatch {
    match source.locate(quote) {
        QuoteLookup::Found(found) => found,
        other => panic!("{quote:?} not found: {other:?}"),
    }
}

/// The original text of each matched range.
fn matched<'a>(body: &'a str, found: &QuoteMatch) -> Vec<&'a str> {
    found.ranges.iter().map(|r| &body[r.clone()]).collect()
}

#[test]
fn straight_quotes_in_the_quote_match_curly_ones_in_the_source() {
    let body = source_text("002");
    let source = PreparedSource::new(&body);
    let hit = found(
        &source,
        r#"to join Meta's new "Super Intelligence" division"#,
    );
    assert_eq!(
        matched(&body, &hit),
        ["to join Meta’s new “Super Intelligence” division"]
    );
    assert_eq!(source.paragraphs()[hit.paragraph].id, "p2");
    // And single quotes for the inner quotation, as a writer inside "…" would type them.
    found(&source, "Meta's new 'Super Intelligence' division");
}

#[test]
fn an_em_dash_matches_any_dash_with_any_spacing() {
    let body = source_text("003");
    let source = PreparedSource::new(&body);
    for quote in [
        "a huge success — they’re far less capable",
        "a huge success - they're far less capable",
        "a huge success--they're far less capable",
        "a huge success – they're far less capable",
    ] {
        let hit = found(&source, quote);
        assert_eq!(
            matched(&body, &hit),
            ["a huge success — they’re far less capable"]
        );
    }
    let body = source_text("004");
    let hit = found(
        &PreparedSource::new(&body),
        "a programming exam paper — each individual test",
    );
    assert_eq!(
        matched(&body, &hit),
        ["a programming exam paper—each individual test"]
    );
}

#[test]
fn a_no_break_space_in_the_source_matches_a_plain_space() {
    let body = source_text("004");
    let hit = found(
        &PreparedSource::new(&body),
        "please contact [email protected] for removal",
    );
    assert_eq!(
        matched(&body, &hit),
        ["please contact [email\u{00A0}protected] for removal"]
    );
}

#[test]
fn bullet_lines_are_paragraphs_and_quotable_with_or_without_the_bullet() {
    let body = source_text("000");
    let source = PreparedSource::new(&body);
    let without = found(
        &source,
        "Meta's High-Value Recruitment: About seven months ago",
    );
    let with = found(
        &source,
        "• Meta's High-Value Recruitment: About seven months ago",
    );
    assert_eq!(without.paragraph, with.paragraph);
    let paragraph = &source.paragraphs()[with.paragraph];
    assert_eq!(paragraph.id, "p6");
    assert!(body[paragraph.range.clone()].starts_with("• Meta's High-Value"));
    assert_eq!(with.ranges[0].start, paragraph.range.start);
    assert_eq!(without.ranges[0].start, paragraph.range.start + "• ".len());
}

#[test]
fn a_quote_may_run_across_a_line_break_inside_a_paragraph() {
    let body = source_text("002");
    let hit = found(
        &PreparedSource::new(&body),
        "Implications of the Departure Bang was overseeing",
    );
    assert_eq!(
        matched(&body, &hit),
        ["Implications of the Departure\nBang was overseeing"]
    );
}

#[test]
fn elided_quotes_match_their_pieces_in_order() {
    let body = source_text("001");
    let source = PreparedSource::new(&body);
    for quote in [
        "Meta proposed a compensation package ... to ensure Pang joins the Facebook parent",
        "Meta proposed a compensation package…to ensure Pang joins the Facebook parent",
        "Meta proposed a compensation package […] to ensure Pang joins the Facebook parent",
    ] {
        let hit = found(&source, quote);
        assert_eq!(
            matched(&body, &hit),
            [
                "Meta proposed a compensation package",
                "to ensure Pang joins the Facebook parent"
            ]
        );
        assert_eq!(source.paragraphs()[hit.paragraph].id, "p3");
        assert_eq!(hit.occurrences, 1);
    }
    // Pieces out of order are not a match.
    assert!(matches!(
        source.locate("to ensure Pang joins ... Meta proposed a compensation package"),
        QuoteLookup::NotFound { .. }
    ));
}

#[test]
fn elision_pieces_in_two_paragraphs_are_not_found() {
    let body = source_text("001");
    let source = PreparedSource::new(&body);
    found(&source, "Meta proposed a compensation package");
    found(&source, "See Also: Jensen Huang");
    let lookup = source.locate("Meta proposed a compensation package ... See Also: Jensen Huang");
    assert!(matches!(lookup, QuoteLookup::NotFound { .. }), "{lookup:?}");
    // Nor does a quote without elision run across a blank line.
    let lookup = source.locate("take over his responsibilities. See Also");
    assert!(matches!(lookup, QuoteLookup::NotFound { .. }), "{lookup:?}");
}

#[test]
fn a_source_ellipsis_is_matched_by_an_elision() {
    let body = source_text("001");
    let hit = found(&PreparedSource::new(&body), "Loading... Loading...");
    assert_eq!(matched(&body, &hit), ["Loading", "Loading"]);
    assert_ne!(hit.ranges[0], hit.ranges[1]);
}

#[test]
fn a_missing_quote_gets_the_nearby_passage_as_a_hint() {
    let body = source_text("000");
    let source = PreparedSource::new(&body);
    let lookup = source.locate("Meta offered him a pay package worth over $300 million a year");
    let QuoteLookup::NotFound {
        closest: Some(closest),
    } = lookup
    else {
        panic!("expected a hint: {lookup:?}");
    };
    assert!(
        closest
            .text
            .contains("Meta offered him a compensation package worth over"),
        "{closest:?}"
    );
    assert_eq!(source.paragraphs()[closest.paragraph].id, "p6");
    assert!(
        closest.similarity > 0.4 && closest.similarity < 1.0,
        "{closest:?}"
    );
    // The hint is original text: it can be shown as is.
    assert!(body.contains(&closest.text));
}

#[test]
fn a_missing_quote_sharing_no_word_gets_no_hint() {
    let source = PreparedSource::new(&source_text("003"));
    assert_eq!(
        source.locate("xylophone zeppelin"),
        QuoteLookup::NotFound { closest: None }
    );
}

#[test]
fn repeated_passages_are_counted_and_the_first_is_returned() {
    let body = source_text("004");
    let source = PreparedSource::new(&body);
    let hit = found(&source, "WELIREG® (belzutifan) Plus LENVIMA® (lenvatinib)");
    assert_eq!(hit.occurrences, 2);
    let later = body.rfind("WELIREG").unwrap_or(0);
    assert!(hit.ranges[0].start < later);

    let body = source_text("002");
    let source = PreparedSource::new(&body);
    let hit = found(
        &source,
        "Meta Poaches the Mastermind Behind Apple's Smart Models",
    );
    assert_eq!(hit.occurrences, 3);
    assert_eq!((hit.paragraph, hit.ranges[0].start), (0, 0));

    let hit = found(&source, "ruming bang, apple's chief engineer");
    assert_eq!(hit.occurrences, 1);
}

#[test]
fn right_to_left_text_is_found() {
    let body = source_text("002");
    let hit = found(&PreparedSource::new(&body), "initiative.اضافة اعلان");
    assert_eq!(matched(&body, &hit), ["initiative.اضافة اعلان"]);
}

#[test]
fn paragraph_ids_and_ranges_follow_the_blank_lines() {
    let body = source_text("000");
    let paragraphs = split_paragraphs(&body);
    assert_eq!(paragraphs.len(), 13);
    for (index, paragraph) in paragraphs.iter().enumerate() {
        assert_eq!(paragraph.id, format!("p{}", index + 1));
        let text = &body[paragraph.range.clone()];
        assert_eq!(text, text.trim(), "{} is trimmed", paragraph.id);
        assert!(!text.contains("\n\n"), "{} holds one block", paragraph.id);
    }
    assert!(body[paragraphs[0].range.clone()].starts_with("The battle for top tech talent"));
    assert!(body[paragraphs[4].range.clone()].starts_with("• Former AI Leader at Apple"));
    // Two blank lines before "Next Article" make no empty paragraph.
    assert!(body[paragraphs[11].range.clone()].starts_with("Next Article"));
    assert!(
        paragraphs
            .windows(2)
            .all(|w| w[0].range.end < w[1].range.start)
    );
    // The same split as the prepared source reports.
    assert_eq!(PreparedSource::new(&body).paragraphs(), &paragraphs[..]);
}

/// Every run of 1–12 words of every paragraph of every source, retyped the way a writer
/// would (straight quotes, upper case), is found, and each range maps back to original text
/// that folds to exactly the quoted piece.
#[test]
fn ranges_map_back_exactly_on_every_source() {
    let mut checked = 0;
    for prefix in ["000", "001", "002", "003", "004"] {
        let body = source_text(prefix);
        let source = PreparedSource::new(&body);
        for (index, paragraph) in source.paragraphs().iter().enumerate() {
            let words: Vec<&str> = body[paragraph.range.clone()].split_whitespace().collect();
            for start in (0..words.len()).step_by(3) {
                for len in [1, 2, 5, 12] {
                    let Some(run) = words.get(start..start + len) else {
                        continue;
                    };
                    let quote = retyped(&run.join(" "));
                    let pieces = quote_pieces(&quote);
                    if pieces.is_empty() {
                        continue;
                    }
                    let hit = found(&source, &quote);
                    assert!(hit.occurrences >= 1);
                    assert!(hit.paragraph <= index, "{quote:?} found too late");
                    let within = &source.paragraphs()[hit.paragraph].range;
                    assert_eq!(hit.ranges.len(), pieces.len(), "{quote:?}");
                    for (range, piece) in hit.ranges.iter().zip(&pieces) {
                        assert!(within.start <= range.start && range.end <= within.end);
                        assert_eq!(&fold_str(&body[range.clone()]), piece, "{quote:?}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 2000, "only {checked} quotes checked");
}

fn retyped(text: &str) -> String {
    text.replace(['’', '‘'], "'")
        .replace(['“', '”'], "\"")
        .replace('—', " - ")
        .to_uppercase()
}

#[test]
fn quotes_with_nothing_to_search_are_empty() {
    let source = PreparedSource::new(&source_text("000"));
    for quote in [
        "",
        "   ",
        "...",
        "…",
        " … ",
        "[...]",
        "“”",
        "—",
        "\n\t\u{00A0}",
    ] {
        assert_eq!(source.locate(quote), QuoteLookup::Empty, "{quote:?}");
    }
}

#[test]
fn empty_sources_and_overlong_quotes_are_simply_not_found() {
    let empty = PreparedSource::new("");
    assert!(empty.paragraphs().is_empty());
    assert_eq!(empty.locate("x"), QuoteLookup::NotFound { closest: None });
    let body = source_text("003");
    let source = PreparedSource::new(&body);
    let longer = format!("{body} and more");
    assert!(matches!(
        source.locate(&longer),
        QuoteLookup::NotFound { closest: Some(_) }
    ));
}

/// A small deterministic generator (xorshift64*), so the tests need no crates.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ODD_BITS: &[&str] = &[
    "",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u{00A0}",
    "\u{2003}",
    "...",
    "…",
    ". . .",
    "[",
    "]",
    "(",
    ")",
    ".",
    ",",
    "'",
    "\"",
    "“",
    "”",
    "’",
    "—",
    "–",
    "-",
    "--",
    "−",
    "İ",
    "ß",
    "Σ",
    "ς",
    "ﬁ",
    "e\u{301}",
    "é",
    "😀",
    "👨\u{200D}👩\u{200D}👧",
    "\u{200F}",
    "\u{202E}",
    "\u{FEFF}",
    "\u{00AD}",
    "\u{200B}",
    "بالعالم",
    "مرحبا",
    "大模型",
    "a",
    "A",
    "word",
    "Word",
    "WORD",
    "•",
    "\u{0}",
    "\u{10FFFF}",
];

fn odd_string(rng: &mut Rng, max_bits: usize) -> String {
    let count = rng.below(max_bits + 1);
    (0..count)
        .map(|_| ODD_BITS[rng.below(ODD_BITS.len())])
        .collect()
}

/// Generated bodies and quotes never panic, every range is valid, and any stretch of a
/// paragraph's own text quoted back is found.
#[test]
fn odd_inputs_never_panic_and_substrings_are_found() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let body = odd_string(&mut rng, 40);
        let source = PreparedSource::new(&body);
        let quote = odd_string(&mut rng, 8);
        check_lookup(&body, &source, &quote);

        let Some(paragraph) = source
            .paragraphs()
            .get(rng.below(source.paragraphs().len()))
        else {
            continue;
        };
        let boundaries: Vec<usize> = body[paragraph.range.clone()]
            .char_indices()
            .map(|(at, _)| paragraph.range.start + at)
            .chain([paragraph.range.end])
            .collect();
        let a = boundaries[rng.below(boundaries.len())];
        let b = boundaries[rng.below(boundaries.len())];
        let stretch = &body[a.min(b)..a.max(b)];
        let lookup = check_lookup(&body, &source, stretch);
        if !quote_pieces(stretch).is_empty() {
            assert!(
                matches!(lookup, QuoteLookup::Found(_)),
                "{stretch:?} of {body:?}: {lookup:?}"
            );
        }
    }
}

fn check_lookup(body: &str, source: &PreparedSource, quote: &str) -> QuoteLookup {
    let lookup = source.locate(quote);
    match &lookup {
        QuoteLookup::Found(hit) => {
            assert!(hit.occurrences >= 1);
            let within = &source.paragraphs()[hit.paragraph].range;
            let mut previous_end = within.start;
            for range in &hit.ranges {
                assert!(previous_end <= range.start && range.start < range.end);
                assert!(range.end <= within.end);
                assert!(body.is_char_boundary(range.start) && body.is_char_boundary(range.end));
                previous_end = range.end;
            }
        }
        QuoteLookup::NotFound {
            closest: Some(closest),
        } => {
            assert!(closest.paragraph < source.paragraphs().len());
            assert!((0.0..=1.0).contains(&closest.similarity));
            assert!(body.contains(&closest.text));
        }
        QuoteLookup::NotFound { closest: None } | QuoteLookup::Empty => {}
    }
    lookup
}

/// 10,000 quotes against 500 synthetic sources of ~20 KB: nine in ten quoted right (a quarter
/// of those elided), one in ten misquoted (half with one word changed, half made of random
/// words). Run with
/// `rustc -O --edition 2024 --test src/evidence/mod.rs -o /tmp/ev && /tmp/ev --ignored --nocapture benchmark`.
#[test]
#[ignore]
fn benchmark_prepare_and_locate() {
    use std::time::Instant;
    let mut rng = Rng(42);
    let vocabulary: Vec<String> = (0..3000).map(|_| synthetic_word(&mut rng)).collect();
    let bodies: Vec<String> = (0..500)
        .map(|_| synthetic_body(&mut rng, &vocabulary, 20_000))
        .collect();
    let total_bytes: usize = bodies.iter().map(String::len).sum();

    let (wall, cpu, rss) = (Instant::now(), thread_cpu_time(), resident_kb());
    let sources: Vec<PreparedSource> = bodies.iter().map(|b| PreparedSource::new(b)).collect();
    let prepare = (wall.elapsed(), cpu_since(cpu));
    let prepared_mb = resident_kb()
        .zip(rss)
        .map(|(after, before)| (after - before) as f64 / 1024.0);

    // (source, quote, for a quote with one word changed: the words it should have been)
    let quotes: Vec<(usize, String, Option<String>)> = (0..10_000)
        .map(|n| {
            let which = rng.below(sources.len());
            let source = &sources[which];
            let paragraph = &source.paragraphs()[rng.below(source.paragraphs().len())];
            let words: Vec<&str> = bodies[which][paragraph.range.clone()]
                .split_whitespace()
                .collect();
            let len = 4 + rng.below(20);
            let start = rng.below(words.len().saturating_sub(len));
            let mut run: Vec<&str> = words[start..(start + len).min(words.len())].to_vec();
            let mut intended = None;
            if n % 20 == 19 {
                run = (0..12)
                    .map(|_| vocabulary[rng.below(vocabulary.len())].as_str())
                    .collect();
            } else if n % 20 == 9 && run.len() > 2 {
                intended = Some(run.join(" "));
                let at = run.len() / 2;
                run[at] = "misremembered";
            } else if n % 4 == 0 && run.len() > 8 {
                run[4] = "...";
            }
            (which, retyped(&run.join(" ")), intended)
        })
        .collect();

    let (wall, cpu) = (Instant::now(), thread_cpu_time());
    let lookups: Vec<QuoteLookup> = quotes
        .iter()
        .map(|(which, quote, _)| sources[*which].locate(quote))
        .collect();
    let locate_all = (wall.elapsed(), cpu_since(cpu));
    let found = lookups
        .iter()
        .filter(|l| matches!(l, QuoteLookup::Found(_)))
        .count();

    // Each lookup on its own, to see the spread of found and not-found lookups.
    let mut found_times = Vec::new();
    let mut missing_times = Vec::new();
    for ((which, quote, _), lookup) in quotes.iter().zip(&lookups) {
        let started = Instant::now();
        let again = sources[*which].locate(quote);
        let took = started.elapsed();
        assert_eq!(&again, lookup);
        match lookup {
            QuoteLookup::Found(_) => found_times.push(took),
            _ => missing_times.push(took),
        }
    }
    let spread = |times: &mut Vec<Duration>| {
        times.sort();
        let at = |q: f64| {
            times
                .get(((times.len() as f64 - 1.0) * q) as usize)
                .copied()
        };
        format!(
            "median {:?}, p99 {:?}, max {:?}",
            at(0.5).unwrap_or_default(),
            at(0.99).unwrap_or_default(),
            at(1.0).unwrap_or_default()
        )
    };
    println!(
        "prepare: {} sources, {:.1} MB: wall {:?}, thread CPU {:?}, resident memory +{:.0?} MB",
        sources.len(),
        total_bytes as f64 / 1e6,
        prepare.0,
        prepare.1,
        prepared_mb
    );
    println!(
        "locate: {} quotes ({found} found): wall {:?}, thread CPU {:?}",
        quotes.len(),
        locate_all.0,
        locate_all.1
    );
    println!("one found lookup: {}", spread(&mut found_times));
    println!(
        "one not-found lookup (with closest passage): {}",
        spread(&mut missing_times)
    );
    // A quote with one word changed should get the passage it was taken from as its hint.
    let words_of = |text: &str| -> Vec<String> {
        let folded = fold_str(text);
        words(&folded, 0)
            .into_iter()
            .map(|r| folded[r].to_owned())
            .collect()
    };
    let (mut misquoted, mut hinted_right) = (0, 0);
    for ((_, _, intended), lookup) in quotes.iter().zip(&lookups) {
        let Some(intended) = intended else { continue };
        misquoted += 1;
        let hint = match lookup {
            QuoteLookup::NotFound { closest: Some(c) } => words_of(&c.text),
            _ => Vec::new(),
        };
        // The hint carries a couple of words of context on each side of the passage.
        let wanted = words_of(intended);
        if !wanted.is_empty() && hint.windows(wanted.len()).any(|w| w == wanted.as_slice()) {
            hinted_right += 1;
        }
    }
    println!("one word changed: {misquoted}, hint is the intended passage: {hinted_right}");
    assert!(found >= 9000, "{found} found");
    // Misses are off by a word at an edge: a changed "word’s" is two words in the source.
    assert!(
        hinted_right * 10 >= misquoted * 9,
        "{hinted_right} of {misquoted}"
    );
}

/// This thread's time on a CPU, from Linux's schedstat (the machine is shared, so wall time
/// alone says little); `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}

/// Resident memory of the process in KiB, from Linux's /proc; `None` elsewhere.
fn resident_kb() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cpu_since(start: Option<std::time::Duration>) -> Option<std::time::Duration> {
    Some(thread_cpu_time()?.saturating_sub(start?))
}

fn synthetic_word(rng: &mut Rng) -> String {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ne", "ru", "ta", "shi", "pen", "dor", "val", "qu", "ex", "an", "ti",
    ];
    let len = 1 + rng.below(3);
    (0..len)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

fn synthetic_body(rng: &mut Rng, vocabulary: &[String], target: usize) -> String {
    let mut body = String::with_capacity(target + 200);
    while body.len() < target {
        let sentences = 2 + rng.below(6);
        for _ in 0..sentences {
            let words = 6 + rng.below(20);
            for w in 0..words {
                let word = &vocabulary[rng.below(vocabulary.len())];
                match rng.below(40) {
                    0 => body.push_str(&format!("“{word}”")),
                    1 => body.push_str(&format!("{word}’s")),
                    2 => body.push_str(&format!("{word} —")),
                    3 => body.push_str(&word.to_uppercase()),
                    _ => body.push_str(word),
                }
                body.push(if w + 1 == words {
                    '.'
                } else if rng.below(15) == 0 {
                    '\n'
                } else {
                    ' '
                });
            }
            body.push(' ');
        }
        body.push_str("\n\n");
    }
    body
}
