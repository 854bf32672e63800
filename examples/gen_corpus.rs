//! A synthetic brief for benchmarks:
//! `gen_corpus --notes N --sources M --out DIR [--seed S] [--hugo DIR]`.
//!
//! It writes a complete casefile brief — `casefile.yaml`, a front page, N notes (about 40 %
//! people, 35 % companies, 25 % events) and M sources of about 20 KB each — whose every quote is
//! a real span of the cited source, unique in it, so that a build of the corpus is clean and its
//! timing measures the work of a real brief: front matter with roles, facts and participants,
//! ~400-word bodies with 3–6 wikilinks and 3–6 verified citations, a fenced code block in one
//! note in ten. With `--hugo DIR` it also writes the same content as a Hugo site (wikilinks as
//! ordinary links, citations as plain text) so the two generators can be timed side by side.
//!
//! It uses only the standard library (no crate of ours, no registry) so it runs before the
//! crate compiles, and it is deterministic: its own PRNG, ordered collections only, so the same
//! arguments give a byte-identical tree.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Marks a folder this program wrote, so a rerun may replace its `content/` but never a
/// folder someone else made.
const MARKER: &str = ".gen_corpus";

const USAGE: &str = "usage: gen_corpus --notes N --sources M --out DIR [--seed S] [--hugo DIR]";

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let corpus = Corpus::generate(&args);
    let generated = started.elapsed();
    let mut files = corpus.casefile_files();
    let (file_count, bytes) = (
        files.len(),
        files.iter().map(|(_, text)| text.len()).sum::<usize>(),
    );
    if let Err(message) = write_tree(&args.out, &mut files) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    drop(files); // one tree in memory at a time
    if let Some(hugo_dir) = &args.hugo {
        let mut hugo_files = corpus.hugo_files();
        if let Err(message) = write_tree(hugo_dir, &mut hugo_files) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    eprintln!(
        "gen_corpus: {} notes, {} sources, {} files, {:.1} MB in {} (generated in {:.2} s, total {:.2} s)",
        corpus.entities.len(),
        corpus.sources.len(),
        file_count,
        bytes as f64 / 1e6,
        args.out.display(),
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------------
// Arguments

struct Args {
    notes: usize,
    sources: usize,
    out: PathBuf,
    seed: u64,
    hugo: Option<PathBuf>,
}

impl Args {
    fn parse(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
        let (mut notes, mut sources, mut out, mut seed, mut hugo) = (None, None, None, 1, None);
        while let Some(flag) = raw.next() {
            if flag == "-h" || flag == "--help" {
                return Err("help requested".into());
            }
            let value = raw.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag} takes a whole number, not {value:?}"))
            };
            match flag.as_str() {
                "--notes" => notes = Some(number()? as usize),
                "--sources" => sources = Some(number()? as usize),
                "--seed" => seed = number()?,
                "--out" => out = Some(PathBuf::from(&value)),
                "--hugo" => hugo = Some(PathBuf::from(&value)),
                _ => return Err(format!("unknown argument {flag:?}")),
            }
        }
        let sources = sources.ok_or("--sources is required")?;
        if sources == 0 {
            return Err("--sources must be at least 1: every note cites a source".into());
        }
        Ok(Args {
            notes: notes.ok_or("--notes is required")?,
            sources,
            out: out.ok_or("--out is required")?,
            seed,
            hugo,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, so the corpus depends on nothing but the seed.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must be positive.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    fn percent(&mut self, chance: usize) -> bool {
        self.below(100) < chance
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists

/// Content words: a few hundred, so that six consecutive words are almost never repeated in a
/// 20 KB source and quotes are unique.
const CONTENT_WORDS: &str = "about above across action after again against agency agreement ahead \
almost already although always among amount analysis annual another answer appear approach area \
argue around arrive article asset attention audience author available average balance bank barely \
base basis become before begin behind belief below benefit better beyond board border brief budget \
build business buyer capital career carry case center century chain chance change charge chart \
choice claim class clear client close coast collect column comment common compare concern \
condition conference consider contract control corner cost council country course court cover \
credit crowd culture current customer cycle damage data deal debate decade decide decision deep \
degree delay demand deny describe design detail develop device direct director discuss dispute \
distance district division doctor draft early effort either election element employee energy \
engine engineer enough enter entire equal estimate evening evidence exact example executive expand \
expect expense expert explain export factor fail fairly family favor feature federal figure final \
finance finding firm fiscal floor focus follow force foreign formal former forward founder frame \
freight fresh front fund future garden general global goal growth guard guess guide habit half \
handle harbor health hearing heavy height hidden highway history holder honest hotel house however \
human idea image impact import income increase index industry initial inside instead interest \
invest island issue item journal judge keep kitchen labor ladder large later launch layer leader \
league learn lease legal lender letter level license limit line listen local lower machine major \
manage margin market matter measure media member memory merger method middle minor mission model \
modest moment month motion narrow nation nearly network neutral night normal notice number object \
offer office often option order origin output owner panel paper parent partner pattern payment \
people period permit person phase place plan plant platform player point policy portion power \
practice premium press pressure price primary private process produce product profit program \
project proposal public purpose quarter question quiet quota rapid rather reach reader ready \
reason record reform region release remain report request research reserve result retail return \
revenue review rival river route rule salary sales sample scale schedule school screen season \
second sector secure segment senior series service session settle share shift short signal silver \
simple single slight small source speak special spend staff stage standard start state status \
steady stock storage story street strong study supply support surface survey system table target \
task team term test thing third through ticket timber total toward track trade train transfer \
travel trend trial trust twice under union unit until update upper urban usual value vendor \
version vessel view visit volume wage warehouse water weekly weight while winter within worker \
writer yield";

/// Function words, frequent as in real prose.
const FUNCTION_WORDS: &str = "the of and to in a is that for on with as by at from it was be has \
have are this which an or not will were but their its they had would said could more than also \
into over new after its those";

const FIRST_NAMES: &str = "Alice Amara Anders Aylin Beatriz Bram Camille Chen Dalia Dmitri Eero \
Elena Emeka Esther Farid Freya Gideon Greta Hamid Hana Idris Ingrid Ivo Jana Jonas Kaito Kamala \
Karim Lena Leon Lucia Malik Marta Mateo Mina Nadia Nikolai Noor Olav Oren Paloma Pavel Priya \
Quentin Rafael Rania Rosa Samir Selma Soren Tamar Teodor Thea Tomas Uma Valentin Vera Wen Xavier \
Yara Yusuf Zadie Zoran Agnes Bruno Cyrus Delphine Elif Fabian Gloria Henrik Imogen Jasper Kira";

const LAST_NAMES: &str = "Abbott Achebe Albers Alvarez Amsel Bakker Barros Becker Bianchi Bloom \
Brandt Castillo Chandra Costa Dahl Delgado Diallo Dubois Eriksen Esposito Falk Ferreira Fischer \
Fontaine Galli Garber Haas Halvorsen Herrera Hoffmann Ibsen Iqbal Jansen Jovanovic Kahn Kaur \
Keller Kowalski Lang Larsen Laurent Lindqvist Marsh Mendes Moreau Nakamura Novak Nyberg Okafor \
Olsen Ortega Park Peralta Petrov Quinn Rahman Reyes Richter Rossi Sato Schmidt Serrano Silva \
Sorensen Tanaka Tavares Thorne Ueda Valdez Varga Vogel Wagner Weiss Xu Yilmaz Zeller Zhou Abara \
Brennan Cardoso Devlin Engel Fairweather Gallagher Hartmann";

const COMPANY_SUFFIXES: &[&str] = &[
    "Systems",
    "Labs",
    "Capital",
    "Holdings",
    "Robotics",
    "Analytics",
    "Group",
    "Partners",
    "Networks",
    "Foundry",
    "Dynamics",
    "Research",
    "Ventures",
    "Bio",
    "Semiconductor",
    "Energy",
];
const OUTLET_SUFFIXES: &[&str] = &["Post", "Herald", "Wire", "Times", "Ledger", "Dispatch"];
const ONSETS: &[&str] = &[
    "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "st",
    "tr", "gl",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "y"];
const CODAS: &[&str] = &["", "n", "r", "x", "l", "s", "th", "m", "nd", "rk"];
const ROLE_TITLES: &[&str] = &[
    "Chief Executive Officer",
    "Chief Scientist",
    "Head of Research",
    "Director of Engineering",
    "General Counsel",
    "Board Member",
    "Vice President",
    "Principal Engineer",
    "Founder",
    "Chief Financial Officer",
    "Research Scientist",
    "Head of Policy",
];
const TAGS: &[&str] = &[
    "finance",
    "research",
    "policy",
    "hardware",
    "software",
    "litigation",
    "hiring",
    "acquisition",
    "funding",
    "regulation",
    "infrastructure",
    "compensation",
];
const CITIES: &[&str] = &[
    "Lisbon", "Osaka", "Nairobi", "Toronto", "Tallinn", "Seoul", "Austin", "Lyon", "Perth",
    "Bogota", "Zurich", "Hanoi",
];
const EVENT_VERBS: &[&str] = &[
    "acquires",
    "partners with",
    "sues",
    "invests in",
    "hires from",
    "settles with",
    "licenses",
];
const FACT_LABELS: &[(&str, &[&str])] = &[
    (
        "Headquarters",
        &["Lisbon", "Osaka", "Nairobi", "Toronto", "Tallinn", "Seoul"],
    ),
    (
        "Employees",
        &[
            "about 120",
            "about 900",
            "over 4,000",
            "roughly 15,000",
            "fewer than 50",
        ],
    ),
    (
        "Annual revenue",
        &["$12 million", "$340 million", "$2.1 billion", "undisclosed"],
    ),
    (
        "Compensation",
        &[
            "$1.2 million a year",
            "tens of millions of dollars",
            "undisclosed",
        ],
    ),
    (
        "Education",
        &[
            "PhD, physics",
            "MSc, computer science",
            "BA, economics",
            "MBA",
        ],
    ),
    (
        "Budget",
        &["$40 million", "$1 billion", "$300 million", "not reported"],
    ),
];

// ---------------------------------------------------------------------------------------------
// The corpus model

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Person,
    Company,
    Event,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Person => "people",
            Kind::Company => "companies",
            Kind::Event => "events",
        }
    }
}

/// A note's identity: what other notes need to link to it.
struct Entity {
    kind: Kind,
    slug: String,
    title: String,
    alias: Option<String>,
    is_outlet: bool,
    /// For an event: the people and companies its title names, who are among its participants.
    named: Vec<usize>,
}

struct Source {
    slug: String,
    title: String,
    publisher: String,
    author: String,
    date: String,
    url: Option<String>,
    relies_on: Option<String>,
    paragraphs: Vec<SourceParagraph>,
    /// Whether the body is hard-wrapped at 78 columns (quotes then cross line breaks).
    wrapped: bool,
    /// The text folded the way the build folds it (lower case, one space, `’`→`'`, `—`→`-`),
    /// paragraphs separated by a line break so no match crosses one.
    folded: String,
    folded_index: PrefixIndex,
}

/// One paragraph of a source: its words (punctuation attached) joined by single spaces, and
/// where each word starts, so a span of words is a slice rather than a fresh string.
struct SourceParagraph {
    text: String,
    word_starts: Vec<u32>,
}

impl SourceParagraph {
    fn new(words: &[String]) -> SourceParagraph {
        let mut text = String::with_capacity(words.iter().map(|word| word.len() + 1).sum());
        let mut word_starts = Vec::with_capacity(words.len());
        for word in words {
            if !text.is_empty() {
                text.push(' ');
            }
            word_starts.push(text.len() as u32);
            text.push_str(word);
        }
        SourceParagraph { text, word_starts }
    }

    fn word_count(&self) -> usize {
        self.word_starts.len()
    }

    /// Words `start..start + count`, as they stand in the paragraph.
    fn span(&self, start: usize, count: usize) -> &str {
        let end = match self.word_starts.get(start + count) {
            Some(&next) => next as usize - 1,
            None => self.text.len(),
        };
        &self.text[self.word_starts[start] as usize..end]
    }
}

/// A quote of a source, verified unique when it was picked.
struct Quote {
    source: usize,
    text: String,
}

/// How a wikilink names its target: the three forms the format allows.
#[derive(Clone, Copy)]
enum LinkForm {
    Slug,
    Title,
    SlugWithLabel,
}

enum Inline {
    Word(String),
    Link(usize, LinkForm),
    /// A citation; the quote is absent only when no unique span could be found.
    Cite(usize, Option<String>),
}

enum Block {
    Paragraph(Vec<Inline>),
    Heading(String),
    Code(String),
}

struct Role {
    org: usize,
    title: &'static str,
    from: String,
    until: Option<String>,
    quote: Option<Quote>,
}

struct Fact {
    label: &'static str,
    value: String,
    source: usize,
    quote: Option<Quote>,
    as_of: Option<String>,
}

struct Note {
    entity: usize,
    summary: String,
    tags: Vec<&'static str>,
    roles: Vec<Role>,
    parent: Option<usize>,
    founded: Option<String>,
    website: Option<String>,
    date: Option<String>,
    until: Option<String>,
    participants: Vec<usize>,
    location: Option<&'static str>,
    event_cite: Vec<Quote>,
    facts: Vec<Fact>,
    body: Vec<Block>,
}

struct Corpus {
    seed: u64,
    entities: Vec<Entity>,
    /// Companies that are not outlets, in index order: employers, parents, event parties.
    firms: Vec<usize>,
    /// People and companies: who can take part in an event.
    actors: Vec<usize>,
    notes: Vec<Note>,
    sources: Vec<Source>,
    /// The front page's one paragraph is cited too, so `check` reports no "citation needed".
    front_page_quote: Option<Quote>,
}

// ---------------------------------------------------------------------------------------------
// Generation

struct Vocabulary {
    content: Vec<&'static str>,
    function: Vec<&'static str>,
    first_names: Vec<&'static str>,
    last_names: Vec<&'static str>,
}

impl Vocabulary {
    fn new() -> Vocabulary {
        Vocabulary {
            content: CONTENT_WORDS.split_whitespace().collect(),
            function: FUNCTION_WORDS.split_whitespace().collect(),
            first_names: FIRST_NAMES.split_whitespace().collect(),
            last_names: LAST_NAMES.split_whitespace().collect(),
        }
    }

    fn word(&self, rng: &mut Rng) -> &'static str {
        if rng.percent(30) {
            rng.pick::<&'static str>(self.function.as_slice())
        } else {
            rng.pick::<&'static str>(self.content.as_slice())
        }
    }
}

/// Names already taken, lower-cased: titles and aliases must resolve to one note only, and
/// slugs are unique across the whole brief.
#[derive(Default)]
struct Taken {
    names: BTreeSet<String>,
    slugs: BTreeSet<String>,
}

impl Taken {
    /// Claims a title (and its slug) if neither is taken.
    fn claim(&mut self, title: &str) -> Option<String> {
        let slug = slugify(title);
        let name = title.to_lowercase();
        if slug.is_empty() || self.slugs.contains(&slug) || self.names.contains(&name) {
            return None;
        }
        self.slugs.insert(slug.clone());
        self.names.insert(name);
        Some(slug)
    }

    fn claim_alias(&mut self, alias: &str) -> bool {
        self.names.insert(alias.to_lowercase())
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A made-up word of two or three syllables, for company names.
fn invented_root(rng: &mut Rng) -> String {
    let mut root = String::new();
    for _ in 0..rng.between(2, 3) {
        root.push_str(rng.pick::<&str>(ONSETS));
        root.push_str(rng.pick::<&str>(VOWELS));
        if rng.percent(50) {
            root.push_str(rng.pick::<&str>(CODAS));
        }
    }
    capitalise(&root)
}

/// A date between the years given, at year, month or day precision.
fn date(rng: &mut Rng, first_year: usize, last_year: usize) -> String {
    let year = rng.between(first_year, last_year);
    match rng.below(10) {
        0 | 1 => format!("{year}"),
        2..=4 => format!("{year}-{:02}", rng.between(1, 12)),
        _ => format!("{year}-{:02}-{:02}", rng.between(1, 12), rng.between(1, 28)),
    }
}

fn full_date(rng: &mut Rng, first_year: usize, last_year: usize) -> (usize, usize, usize) {
    (
        rng.between(first_year, last_year),
        rng.between(1, 12),
        rng.between(1, 20),
    )
}

/// Folds text the way quote matching does, for the uniqueness check.
fn fold(text: &str) -> String {
    text.to_lowercase().replace('’', "'").replace('—', "-")
}

/// Every byte position of a folded source text, sorted by the six bytes that start there.
/// Checking a quote for uniqueness by scanning 20 KB took most of the generator's time; with
/// this index it is a binary search and a few comparisons. Positions are `u16` (sources are
/// about 20 KB) to keep 2,500 sources' indexes near 100 MB.
struct PrefixIndex(Vec<u16>);

const PREFIX_BYTES: usize = 6;

fn prefix_key(text: &[u8], position: usize) -> u64 {
    (0..PREFIX_BYTES).fold(0, |key, i| {
        key << 8 | u64::from(text.get(position + i).copied().unwrap_or(0))
    })
}

impl PrefixIndex {
    fn new(text: &str) -> PrefixIndex {
        let bytes = text.as_bytes();
        if bytes.len() >= 1 << 16 {
            return PrefixIndex(Vec::new()); // positions would not fit: fall back to scanning
        }
        let mut positions: Vec<u16> = (0..bytes.len() as u16).collect();
        positions.sort_by_cached_key(|&position| prefix_key(bytes, position.into()));
        PrefixIndex(positions)
    }

    /// Occurrences of `needle` in `text` (the text this index was built from), up to two.
    fn occurrences_up_to_two(&self, text: &str, needle: &str) -> usize {
        if self.0.is_empty() || needle.len() < PREFIX_BYTES {
            return text.match_indices(needle).take(2).count();
        }
        let (bytes, key) = (text.as_bytes(), prefix_key(needle.as_bytes(), 0));
        let first = self
            .0
            .partition_point(|&position| prefix_key(bytes, position.into()) < key);
        self.0[first..]
            .iter()
            .take_while(|&&position| prefix_key(bytes, position.into()) == key)
            .filter(|&&position| bytes[usize::from(position)..].starts_with(needle.as_bytes()))
            .take(2)
            .count()
    }
}

impl Corpus {
    fn generate(args: &Args) -> Corpus {
        let mut rng = Rng(args.seed ^ 0x00C0_FFEE_CA5E_F11E);
        let vocabulary = Vocabulary::new();
        let mut taken = Taken::default();
        // Words that must never be a company name, so mentions stay unambiguous.
        for word in vocabulary.content.iter().chain(&vocabulary.function) {
            taken.names.insert(word.to_string());
        }
        for word in vocabulary.first_names.iter().chain(&vocabulary.last_names) {
            taken.names.insert(word.to_lowercase());
        }

        let people_count = args.notes * 40 / 100;
        let company_count = args.notes * 35 / 100;
        let event_count = args.notes - people_count - company_count;
        let outlet_count = (company_count / 10).clamp(usize::from(company_count > 0), 30);

        let mut entities = Vec::with_capacity(args.notes);
        for index in 0..company_count {
            let is_outlet = index < outlet_count;
            loop {
                let root = invented_root(&mut rng);
                if root.len() < 5 || taken.names.contains(&root.to_lowercase()) {
                    continue;
                }
                let title = if is_outlet {
                    format!("The {root} {}", rng.pick(OUTLET_SUFFIXES))
                } else {
                    format!("{root} {}", rng.pick(COMPANY_SUFFIXES))
                };
                let Some(slug) = taken.claim(&title) else {
                    continue;
                };
                let alias = (!is_outlet && rng.percent(50)).then(|| root.clone());
                if let Some(alias) = &alias {
                    taken.claim_alias(alias);
                }
                // The root is reserved either way, so no other company shares it.
                taken.names.insert(root.to_lowercase());
                entities.push(Entity {
                    kind: Kind::Company,
                    slug,
                    title,
                    alias,
                    is_outlet,
                    named: Vec::new(),
                });
                break;
            }
        }
        for _ in 0..people_count {
            loop {
                let first = *rng.pick(vocabulary.first_names.as_slice());
                let last = *rng.pick(vocabulary.last_names.as_slice());
                let title = match rng.below(3) {
                    // Most combinations are used up in a large corpus: a middle initial frees more.
                    0 => {
                        let initial = (b'A' + rng.below(26) as u8) as char;
                        format!("{first} {initial}. {last}")
                    }
                    _ => format!("{first} {last}"),
                };
                let Some(slug) = taken.claim(&title) else {
                    continue;
                };
                let alias = if rng.percent(30) {
                    let reversed =
                        format!("{last}, {}", title[..title.len() - last.len() - 1].trim());
                    taken.claim_alias(&reversed).then_some(reversed)
                } else {
                    None
                };
                entities.push(Entity {
                    kind: Kind::Person,
                    slug,
                    title,
                    alias,
                    is_outlet: false,
                    named: Vec::new(),
                });
                break;
            }
        }
        let first_person = company_count;
        let firms: Vec<usize> = (outlet_count..company_count).collect();
        for _ in 0..event_count {
            for attempt in 0.. {
                let (mut title, named) = if firms.len() >= 2 && rng.percent(60) {
                    // Two different firms: the second is a non-zero step from the first.
                    let first = rng.below(firms.len());
                    let second = (first + 1 + rng.below(firms.len() - 1)) % firms.len();
                    let (a, b) = (firms[first], firms[second]);
                    let verb = rng.pick(EVENT_VERBS);
                    (
                        format!("{} {verb} {}", entities[a].title, entities[b].title),
                        vec![a, b],
                    )
                } else if people_count > 0 && !firms.is_empty() {
                    let person = first_person + rng.below(people_count);
                    let firm = *rng.pick(&firms);
                    (
                        format!("{} joins {}", entities[person].title, entities[firm].title),
                        vec![person, firm],
                    )
                } else {
                    let title = format!(
                        "{} {}",
                        capitalise(vocabulary.word(&mut rng)),
                        vocabulary.word(&mut rng)
                    );
                    (title, Vec::new())
                };
                if attempt > 3 {
                    write!(title, " in {}", rng.between(2000, 2025)).ok();
                }
                if let Some(slug) = taken.claim(&title) {
                    entities.push(Entity {
                        kind: Kind::Event,
                        slug,
                        title,
                        alias: None,
                        is_outlet: false,
                        named,
                    });
                    break;
                }
            }
        }

        let sources = generate_sources(&mut rng, &vocabulary, &mut taken, &entities, args.sources);
        let actors = (0..entities.len())
            .filter(|&i| entities[i].kind != Kind::Event)
            .collect();
        let mut corpus = Corpus {
            seed: args.seed,
            entities,
            firms,
            actors,
            notes: Vec::new(),
            sources,
            front_page_quote: None,
        };
        let mut notes = Vec::with_capacity(args.notes);
        for index in 0..corpus.entities.len() {
            notes.push(corpus.generate_note(&mut rng, &vocabulary, index));
        }
        corpus.notes = notes;
        corpus.front_page_quote = corpus.pick_quote(&mut rng, 0);
        corpus
    }

    fn generate_note(&self, rng: &mut Rng, vocabulary: &Vocabulary, index: usize) -> Note {
        let entity = &self.entities[index];
        let (firms, actors) = (&self.firms, &self.actors);
        let mut note = Note {
            entity: index,
            summary: format!("{}.", sentence_text(rng, vocabulary, 10, 16)),
            tags: Vec::new(),
            roles: Vec::new(),
            parent: None,
            founded: None,
            website: None,
            date: None,
            until: None,
            participants: Vec::new(),
            location: None,
            event_cite: Vec::new(),
            facts: Vec::new(),
            body: Vec::new(),
        };
        for _ in 0..rng.between(1, 3) {
            let tag = *rng.pick(TAGS);
            if !note.tags.contains(&tag) {
                note.tags.push(tag);
            }
        }
        if entity.is_outlet {
            note.tags = vec!["outlet"];
        }
        match entity.kind {
            Kind::Person => {
                let role_count = if firms.is_empty() {
                    0
                } else {
                    rng.between(1, 3)
                };
                let mut year = rng.between(1998, 2012);
                for number in 0..role_count {
                    let start = year;
                    year += rng.between(1, 5);
                    let is_current = number + 1 == role_count && rng.percent(60);
                    let source = self.cited_source(rng, index);
                    note.roles.push(Role {
                        org: *rng.pick(firms),
                        title: rng.pick::<&'static str>(ROLE_TITLES),
                        from: date(rng, start, start),
                        until: (!is_current).then(|| date(rng, year, year)),
                        quote: self.pick_quote(rng, source),
                    });
                }
            }
            Kind::Company => {
                note.founded = Some(date(rng, 1950, 2022));
                // Firms come in index order, so an earlier one as parent can never make a cycle.
                let earlier_firms = &firms[..firms.partition_point(|&i| i < index)];
                if !entity.is_outlet && !earlier_firms.is_empty() && rng.percent(20) {
                    note.parent = Some(*rng.pick(earlier_firms));
                }
                if rng.percent(50) {
                    note.website = Some(format!("https://{}.example.com/", entity.slug));
                }
            }
            Kind::Event => {
                let (year, month, day) = full_date(rng, 2005, 2025);
                if rng.percent(20) {
                    note.until = Some(format!("{year}-{month:02}-{:02}", day + rng.between(1, 8)));
                    note.date = Some(format!("{year}-{month:02}-{day:02}"));
                } else {
                    note.date = Some(match rng.below(4) {
                        0 => format!("{year}-{month:02}"),
                        _ => format!("{year}-{month:02}-{day:02}"),
                    });
                }
                note.participants = entity.named.clone();
                if !actors.is_empty() {
                    for _ in 0..rng.between(0, 2) {
                        let participant = *rng.pick(actors);
                        if !note.participants.contains(&participant) {
                            note.participants.push(participant);
                        }
                    }
                    note.participants.sort_unstable();
                }
                note.location = Some(*rng.pick(CITIES));
                for _ in 0..rng.between(1, 2) {
                    let source = self.cited_source(rng, index);
                    if let Some(quote) = self.pick_quote(rng, source) {
                        note.event_cite.push(quote);
                    }
                }
            }
        }
        for _ in 0..rng.between(1, 3) {
            let (label, values) = *rng.pick(FACT_LABELS);
            if note.facts.iter().any(|fact| fact.label == label) {
                continue;
            }
            let source = self.cited_source(rng, index);
            let as_of = rng.percent(30).then(|| date(rng, 2015, 2025));
            let first_value = rng.below(values.len());
            note.facts.push(Fact {
                label,
                value: values[first_value].to_string(),
                source,
                quote: self.pick_quote(rng, source),
                as_of,
            });
            // One fact in ten has a competing value from another source: "Sources differ".
            if rng.percent(10) && self.sources.len() > 1 {
                let other_source =
                    (source + 1 + rng.below(self.sources.len() - 1)) % self.sources.len();
                note.facts.push(Fact {
                    label,
                    value: values[(first_value + 1) % values.len()].to_string(),
                    source: other_source,
                    quote: self.pick_quote(rng, other_source),
                    as_of: None,
                });
            }
        }
        note.body = self.generate_body(rng, vocabulary, index);
        note
    }

    /// The source a note's next citation points at. Note `i`'s first pick favours source
    /// `i % M` so that, with more notes than sources, every source is cited.
    fn cited_source(&self, rng: &mut Rng, note: usize) -> usize {
        if rng.percent(30) {
            note % self.sources.len()
        } else {
            rng.below(self.sources.len())
        }
    }

    /// A quote of 6–12 words from one paragraph of the source, one in five with an elision
    /// joining two pieces of the same paragraph; every piece occurs once only in the source.
    fn pick_quote(&self, rng: &mut Rng, source_index: usize) -> Option<Quote> {
        let source = &self.sources[source_index];
        // A span may not start or end on a dash, and must occur once only in the source.
        let is_unique = |span: &str| {
            !span.starts_with('—')
                && !span.ends_with('—')
                && source
                    .folded_index
                    .occurrences_up_to_two(&source.folded, &fold(span))
                    == 1
        };
        for _ in 0..40 {
            let paragraph = rng.pick(&source.paragraphs);
            let word_count = paragraph.word_count();
            // Long enough for the longest elided quote (6 + 10 + 6 words) and then some.
            if word_count < 30 {
                continue;
            }
            if rng.percent(20) {
                let (first_length, second_length) = (rng.between(3, 6), rng.between(3, 6));
                let gap = rng.between(2, 10);
                let start = rng.below(word_count - first_length - gap - second_length);
                let first = paragraph.span(start, first_length);
                let second = paragraph.span(start + first_length + gap, second_length);
                if is_unique(first) && is_unique(second) {
                    return Some(Quote {
                        source: source_index,
                        text: format!("{first} ... {second}"),
                    });
                }
            } else {
                let length = rng.between(6, 12);
                let span = paragraph.span(rng.below(word_count - length), length);
                if is_unique(span) {
                    return Some(Quote {
                        source: source_index,
                        text: span.to_string(),
                    });
                }
            }
        }
        None
    }

    /// About 400 words in one paragraph per citation (3–6), 3–6 wikilinks spread over them, a
    /// heading in one note in three and a Rust code block in one in ten.
    fn generate_body(&self, rng: &mut Rng, vocabulary: &Vocabulary, index: usize) -> Vec<Block> {
        let citation_count = rng.between(3, 6);
        let mut link_targets = Vec::new();
        let wanted_links = rng.between(3, 6).min(self.entities.len().saturating_sub(1));
        while link_targets.len() < wanted_links {
            let target = (index + 1 + rng.below(self.entities.len() - 1)) % self.entities.len();
            if !link_targets.contains(&target) {
                link_targets.push(target);
            }
        }
        let words_per_paragraph = 400 / citation_count;
        let mut blocks = Vec::new();
        for paragraph_number in 0..citation_count {
            if paragraph_number == 1 && rng.percent(33) {
                blocks.push(Block::Heading(capitalise(&sentence_text(
                    rng, vocabulary, 2, 4,
                ))));
            }
            if paragraph_number == 2 && index % 10 == 3 {
                blocks.push(Block::Code(code_sample(rng, vocabulary)));
            }
            let mut inlines = Vec::new();
            let mut words_left = words_per_paragraph;
            while words_left > 0 {
                let length = rng.between(8, 18).min(words_left.max(4));
                words_left = words_left.saturating_sub(length);
                for position in 0..length {
                    let word = vocabulary.word(rng);
                    let mut word = if position == 0 {
                        capitalise(word)
                    } else {
                        word.to_string()
                    };
                    if position + 1 == length {
                        if words_left == 0 {
                            // The paragraph's citation goes before its last full stop.
                            inlines.push(Inline::Word(word));
                            let source = self.cited_source(rng, index);
                            let quote = self.pick_quote(rng, source).map(|quote| quote.text);
                            inlines.push(Inline::Cite(source, quote));
                            inlines.push(Inline::Word(".".into()));
                            break;
                        }
                        word.push('.');
                    } else if position > 2 && rng.percent(4) {
                        word.push(',');
                    }
                    inlines.push(Inline::Word(word));
                }
            }
            let paragraph_links = link_targets
                .iter()
                .skip(paragraph_number)
                .step_by(citation_count);
            for &target in paragraph_links {
                let form = match rng.below(3) {
                    0 => LinkForm::Slug,
                    1 => LinkForm::Title,
                    _ => LinkForm::SlugWithLabel,
                };
                // Mid-sentence (after a word that does not end one), before the citation.
                let mid_sentence =
                    |inline: &Inline| matches!(inline, Inline::Word(w) if !w.ends_with('.'));
                let mut position = 1 + rng.below(inlines.len().saturating_sub(3).max(1));
                for _ in 0..8 {
                    if mid_sentence(&inlines[position - 1]) {
                        break;
                    }
                    position = 1 + rng.below(inlines.len().saturating_sub(3).max(1));
                }
                inlines.insert(position, Inline::Link(target, form));
            }
            blocks.push(Block::Paragraph(join_words(inlines)));
        }
        blocks
    }
}

/// Merges runs of words into one `Word` each (rendered the same: words are space-separated),
/// so a 50,000-note corpus holds a few strings per paragraph instead of one per word.
fn join_words(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut joined: Vec<Inline> = Vec::with_capacity(inlines.len() / 8);
    for inline in inlines {
        match (joined.last_mut(), inline) {
            (Some(Inline::Word(run)), Inline::Word(word)) if word != "." => {
                run.push(' ');
                run.push_str(&word);
            }
            (_, inline) => joined.push(inline),
        }
    }
    joined
}

fn sentence_text(
    rng: &mut Rng,
    vocabulary: &Vocabulary,
    min_words: usize,
    max_words: usize,
) -> String {
    let mut text = capitalise(vocabulary.word(rng));
    for _ in 1..rng.between(min_words, max_words) {
        text.push(' ');
        text.push_str(vocabulary.word(rng));
    }
    text
}

fn code_sample(rng: &mut Rng, vocabulary: &Vocabulary) -> String {
    let name = vocabulary.content[rng.below(vocabulary.content.len())];
    let other = vocabulary.content[rng.below(vocabulary.content.len())];
    let limit = rng.between(3, 99);
    format!(
        "/// Sums the {name} figures up to a limit.\nfn total_{name}(limit: u32) -> u32 {{\n    \
         let {other}: Vec<u32> = (1..=limit).collect();\n    {other}.iter().sum()\n}}\n\n\
         fn main() {{\n    println!(\"{{}}\", total_{name}({limit}));\n}}\n"
    )
}

/// Sources of about 20 KB: paragraphs of 40–120 words, with names of notes mentioned now and
/// then (so "Appears in sources" has work to do), possessives with `’` and dashes with `—`.
fn generate_sources(
    rng: &mut Rng,
    vocabulary: &Vocabulary,
    taken: &mut Taken,
    entities: &[Entity],
    count: usize,
) -> Vec<Source> {
    let outlets: Vec<&str> = entities
        .iter()
        .filter(|e| e.is_outlet)
        .map(|e| e.title.as_str())
        .collect();
    let mentionable: Vec<&str> = entities
        .iter()
        .filter(|e| e.kind != Kind::Event)
        .map(|e| e.title.as_str())
        .collect();
    let mut sources = Vec::with_capacity(count);
    for index in 0..count {
        let publisher = if outlets.is_empty() {
            "Synthetic Wire".to_string()
        } else {
            outlets[index % outlets.len()].to_string()
        };
        let (year, month, day) = full_date(rng, 2010, 2025);
        let date = format!("{year}-{month:02}-{day:02}");
        let (title, slug) = loop {
            let subject = mentionable
                .get(rng.below(mentionable.len().max(1)))
                .copied()
                .unwrap_or("Market");
            let title = format!(
                "{subject} {}",
                sentence_text(rng, vocabulary, 4, 8).to_lowercase()
            );
            let slug_base = format!("{}-{date}", slugify(&publisher));
            let slug = (1..)
                .map(|n| {
                    if n == 1 {
                        slug_base.clone()
                    } else {
                        format!("{slug_base}-{n}")
                    }
                })
                .find(|slug| !taken.slugs.contains(slug))
                .unwrap_or_default();
            if taken.names.insert(title.to_lowercase()) {
                taken.slugs.insert(slug.clone());
                break (title, slug);
            }
        };
        let relies_on = if outlets.len() > 1 && rng.percent(25) {
            let other = outlets[(index + 1 + rng.below(outlets.len() - 1)) % outlets.len()];
            Some(other.to_string())
        } else {
            None
        };
        let author = format!(
            "{} {}",
            rng.pick(vocabulary.first_names.as_slice()),
            rng.pick(vocabulary.last_names.as_slice())
        );
        let url = rng.percent(60).then(|| {
            format!(
                "https://{}.example.com/{year}/{month:02}/{slug}",
                slugify(&publisher)
            )
        });

        let mut paragraphs = Vec::new();
        let mut bytes = 0;
        while bytes < 20_000 {
            let mut words: Vec<String> = Vec::new();
            let target = rng.between(40, 120);
            while words.len() < target {
                let length = rng.between(8, 22);
                let dash_at = if rng.percent(10) {
                    rng.between(3, length - 3)
                } else {
                    0
                };
                let name_at = if !mentionable.is_empty() && rng.percent(12) {
                    rng.between(1, length - 2)
                } else {
                    0
                };
                for position in 0..length {
                    if position == dash_at && position > 0 {
                        words.push("—".into());
                    }
                    if position == name_at && position > 0 {
                        let name = *rng.pick(mentionable.as_slice());
                        words.extend(name.split(' ').map(str::to_string));
                        if rng.percent(25)
                            && let Some(last) = words.last_mut()
                        {
                            last.push_str("’s");
                        }
                    }
                    let word = vocabulary.word(rng);
                    let mut word = if position == 0 {
                        capitalise(word)
                    } else {
                        word.to_string()
                    };
                    if position + 1 == length {
                        word.push('.');
                    } else if position > 2 && rng.percent(5) {
                        word.push(',');
                    }
                    words.push(word);
                }
            }
            let paragraph = SourceParagraph::new(&words);
            bytes += paragraph.text.len() + 2;
            paragraphs.push(paragraph);
        }
        let folded = paragraphs
            .iter()
            .map(|paragraph| fold(&paragraph.text))
            .collect::<Vec<_>>()
            .join("\n");
        sources.push(Source {
            slug,
            title,
            publisher,
            author,
            date,
            url,
            relies_on,
            paragraphs,
            wrapped: rng.percent(50),
            folded_index: PrefixIndex::new(&folded),
            folded,
        });
    }
    sources
}

// ---------------------------------------------------------------------------------------------
// Rendering the casefile brief

/// A YAML double-quoted scalar. Generated text never holds `"` or `\`, which is checked here
/// rather than escaped, so a change to the word lists cannot slip one through unnoticed.
fn yaml(text: &str) -> String {
    assert!(
        !text.contains(['"', '\\']),
        "generated text must not need escaping: {text}"
    );
    format!("\"{text}\"")
}

fn write_cite(out: &mut String, indent: &str, source: &Source, quote: Option<&Quote>) {
    match quote {
        Some(quote) => {
            writeln!(
                out,
                "{indent}cite:\n{indent}  - source: {}\n{indent}    quote: {}",
                source.slug,
                yaml(&quote.text)
            )
            .ok();
        }
        None => {
            writeln!(out, "{indent}cite: {}", source.slug).ok();
        }
    }
}

fn wrap(paragraph: &str, width: usize) -> String {
    let mut text = String::with_capacity(paragraph.len() + 1);
    let mut line_length = 0;
    for word in paragraph.split(' ') {
        if line_length > 0 && line_length + 1 + word.chars().count() > width {
            text.push('\n');
            line_length = 0;
        } else if line_length > 0 {
            text.push(' ');
            line_length += 1;
        }
        text.push_str(word);
        line_length += word.chars().count();
    }
    text
}

impl Corpus {
    fn casefile_files(&self) -> Vec<(PathBuf, String)> {
        let mut files = Vec::with_capacity(self.notes.len() + self.sources.len() + 2);
        files.push((
            PathBuf::from("casefile.yaml"),
            "title: Synthetic brief\nbase_url: \"http://localhost/\"\n".to_string(),
        ));
        files.push((PathBuf::from("content/_index.md"), self.front_page(false)));
        for note in &self.notes {
            let entity = &self.entities[note.entity];
            let path = PathBuf::from(format!(
                "content/{}/{}.md",
                entity.kind.folder(),
                entity.slug
            ));
            files.push((path, self.note_file(note)));
        }
        for source in &self.sources {
            let mut text = String::with_capacity(22_000);
            text.push_str("---\n");
            writeln!(text, "title: {}", yaml(&source.title)).ok();
            writeln!(text, "publisher: {}", yaml(&source.publisher)).ok();
            writeln!(text, "author: {}", yaml(&source.author)).ok();
            writeln!(text, "date: {}", yaml(&source.date)).ok();
            if let Some(url) = &source.url {
                writeln!(text, "url: {}", yaml(url)).ok();
            }
            if let Some(outlet) = &source.relies_on {
                writeln!(text, "relies_on:\n  - {}", yaml(outlet)).ok();
            }
            text.push_str("language: en\ntags:\n  - \"news report\"\n---\n");
            for (number, paragraph) in source.paragraphs.iter().enumerate() {
                if number > 0 {
                    text.push('\n');
                }
                if source.wrapped {
                    text.push_str(&wrap(&paragraph.text, 78));
                } else {
                    text.push_str(&paragraph.text);
                }
                text.push('\n');
            }
            files.push((
                PathBuf::from(format!("content/sources/{}.md", source.slug)),
                text,
            ));
        }
        files
    }

    fn front_page(&self, for_hugo: bool) -> String {
        let mut text = String::from("---\ntitle: \"Synthetic brief\"\n");
        writeln!(
            text,
            "summary: \"A generated brief of {} notes and {} sources, for benchmarks.\"\n---",
            self.notes.len(),
            self.sources.len()
        )
        .ok();
        write!(
            text,
            "This brief was generated by `gen_corpus` with seed {}: {} notes and {} sources whose every \
             quote is a real passage of its source.",
            self.seed,
            self.notes.len(),
            self.sources.len()
        )
        .ok();
        let starts: Vec<usize> = [Kind::Person, Kind::Company, Kind::Event]
            .iter()
            .filter_map(|&kind| self.entities.iter().position(|e| e.kind == kind))
            .collect();
        for (number, &entity) in starts.iter().enumerate() {
            text.push_str(if number == 0 { " Start with " } else { ", " });
            self.render_inline(&mut text, &Inline::Link(entity, LinkForm::Title), for_hugo);
        }
        text.push(' ');
        let quote = self
            .front_page_quote
            .as_ref()
            .map(|quote| quote.text.clone());
        self.render_inline(&mut text, &Inline::Cite(0, quote), for_hugo);
        text.push_str(".\n");
        text
    }

    fn note_file(&self, note: &Note) -> String {
        let entity = &self.entities[note.entity];
        let mut text = String::with_capacity(4_096);
        text.push_str("---\n");
        writeln!(text, "title: {}", yaml(&entity.title)).ok();
        writeln!(text, "summary: {}", yaml(&note.summary)).ok();
        if let Some(alias) = &entity.alias {
            writeln!(text, "aliases:\n  - {}", yaml(alias)).ok();
        }
        text.push_str("tags:\n");
        for tag in &note.tags {
            writeln!(text, "  - {}", yaml(tag)).ok();
        }
        if !note.roles.is_empty() {
            text.push_str("roles:\n");
            for role in &note.roles {
                writeln!(
                    text,
                    "  - org: {}\n    title: {}",
                    self.entities[role.org].slug,
                    yaml(role.title)
                )
                .ok();
                writeln!(text, "    from: {}", yaml(&role.from)).ok();
                if let Some(until) = &role.until {
                    writeln!(text, "    until: {}", yaml(until)).ok();
                }
                let source = role
                    .quote
                    .as_ref()
                    .map_or(note.entity % self.sources.len(), |q| q.source);
                write_cite(
                    &mut text,
                    "    ",
                    &self.sources[source],
                    role.quote.as_ref(),
                );
            }
        }
        if let Some(parent) = note.parent {
            writeln!(text, "parent: {}", self.entities[parent].slug).ok();
        }
        if let Some(founded) = &note.founded {
            writeln!(text, "founded: {}", yaml(founded)).ok();
        }
        if let Some(website) = &note.website {
            writeln!(text, "website: {}", yaml(website)).ok();
        }
        if let Some(date) = &note.date {
            writeln!(text, "date: {}", yaml(date)).ok();
        }
        if let Some(until) = &note.until {
            writeln!(text, "until: {}", yaml(until)).ok();
        }
        if !note.participants.is_empty() {
            text.push_str("participants:\n");
            for &participant in &note.participants {
                writeln!(text, "  - {}", self.entities[participant].slug).ok();
            }
        }
        if let Some(location) = note.location {
            writeln!(text, "location: {}", yaml(location)).ok();
        }
        if !note.event_cite.is_empty() {
            text.push_str("cite:\n");
            for quote in &note.event_cite {
                let slug = &self.sources[quote.source].slug;
                writeln!(text, "  - source: {slug}\n    quote: {}", yaml(&quote.text)).ok();
            }
        }
        if !note.facts.is_empty() {
            text.push_str("facts:\n");
            for fact in &note.facts {
                writeln!(
                    text,
                    "  - label: {}\n    value: {}",
                    yaml(fact.label),
                    yaml(&fact.value)
                )
                .ok();
                if let Some(as_of) = &fact.as_of {
                    writeln!(text, "    as_of: {}", yaml(as_of)).ok();
                }
                write_cite(
                    &mut text,
                    "    ",
                    &self.sources[fact.source],
                    fact.quote.as_ref(),
                );
            }
        }
        text.push_str("---\n");
        self.render_body(&mut text, &note.body, false);
        text
    }

    fn render_body(&self, out: &mut String, body: &[Block], for_hugo: bool) {
        for (number, block) in body.iter().enumerate() {
            if number > 0 {
                out.push('\n');
            }
            match block {
                Block::Heading(heading) => {
                    writeln!(out, "## {heading}").ok();
                }
                Block::Code(code) => {
                    writeln!(out, "```rust\n{code}```").ok();
                }
                Block::Paragraph(inlines) => {
                    for (position, inline) in inlines.iter().enumerate() {
                        let is_full_stop = matches!(inline, Inline::Word(word) if word == ".");
                        if position > 0 && !is_full_stop {
                            out.push(' ');
                        }
                        self.render_inline(out, inline, for_hugo);
                    }
                    out.push('\n');
                }
            }
        }
    }

    fn render_inline(&self, out: &mut String, inline: &Inline, for_hugo: bool) {
        match inline {
            Inline::Word(word) => out.push_str(word),
            Inline::Link(target, form) => {
                let entity = &self.entities[*target];
                if for_hugo {
                    write!(
                        out,
                        "[{}](/{}/{}/)",
                        entity.title,
                        entity.kind.folder(),
                        entity.slug
                    )
                    .ok();
                } else {
                    match form {
                        LinkForm::Slug => write!(out, "[[{}]]", entity.slug),
                        LinkForm::Title => write!(out, "[[{}]]", entity.title),
                        LinkForm::SlugWithLabel => {
                            write!(out, "[[{}|{}]]", entity.slug, entity.title)
                        }
                    }
                    .ok();
                }
            }
            Inline::Cite(source, quote) => {
                let source = &self.sources[*source];
                match (for_hugo, quote) {
                    (false, Some(quote)) => write!(out, "[@{}, \"{quote}\"]", source.slug),
                    (false, None) => write!(out, "[@{}]", source.slug),
                    (true, Some(quote)) => {
                        write!(
                            out,
                            "([{}](/sources/{}/): “{quote}”)",
                            source.title, source.slug
                        )
                    }
                    (true, None) => write!(out, "([{}](/sources/{}/))", source.title, source.slug),
                }
                .ok();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering the equivalent Hugo site

/// The navigation is a configured menu, as casefile's is fixed: `range site.Sections` in the
/// base template costs Hugo 0.168 time in proportion to the whole site on every page (10,000
/// notes: 62 s of CPU instead of 8), which would time a template pitfall, not Hugo.
const HUGO_CONFIG: &str = r##"baseURL = "http://localhost/"
title = "Synthetic brief"
locale = "en"
[taxonomies]
  tag = "tags"
[markup.highlight]
  noClasses = false
[[menus.main]]
  name = "People"
  url = "/people/"
  weight = 1
[[menus.main]]
  name = "Companies"
  url = "/companies/"
  weight = 2
[[menus.main]]
  name = "Events"
  url = "/events/"
  weight = 3
[[menus.main]]
  name = "Sources"
  url = "/sources/"
  weight = 4
"##;

const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav class="site-nav">{{ range site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a> {{ end }}</nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer class="site-footer">{{ site.Title }}</footer>
</body>
</html>
"##;

const HUGO_SINGLE: &str = r##"{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ with .Params.other_names }}<p>Also known as {{ delimit . ", " }}</p>{{ end }}
<aside class="infobox">
{{ with .Params.roles }}<ul>{{ range . }}<li>{{ .title }}, {{ with site.GetPage (printf "/companies/%s" .org) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }} {{ .from }}–{{ .until }}</li>{{ end }}</ul>{{ end }}
{{ with .Params.participants }}<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ with .Params.facts }}<dl>{{ range . }}<dt>{{ .label }}</dt><dd>{{ .value }}</dd>{{ end }}</dl>{{ end }}
</aside>
{{ .Content }}
{{ with .GetTerms "tags" }}<p>{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}
</article>
{{ end }}
"##;

const HUGO_LIST: &str = r##"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>
{{ end }}
"##;

impl Corpus {
    fn hugo_files(&self) -> Vec<(PathBuf, String)> {
        let mut files = Vec::with_capacity(self.notes.len() + self.sources.len() + 8);
        files.push((PathBuf::from("hugo.toml"), HUGO_CONFIG.to_string()));
        files.push((
            PathBuf::from("layouts/baseof.html"),
            HUGO_BASEOF.to_string(),
        ));
        files.push((
            PathBuf::from("layouts/single.html"),
            HUGO_SINGLE.to_string(),
        ));
        files.push((PathBuf::from("layouts/list.html"), HUGO_LIST.to_string()));
        files.push((PathBuf::from("content/_index.md"), self.front_page(true)));
        for note in &self.notes {
            let entity = &self.entities[note.entity];
            let mut text = String::with_capacity(4_096);
            text.push_str("---\n");
            writeln!(
                text,
                "title: {}\nsummary: {}",
                yaml(&entity.title),
                yaml(&note.summary)
            )
            .ok();
            // Hugo's `aliases` are redirects, so the other names go under a parameter.
            if let Some(alias) = &entity.alias {
                writeln!(text, "other_names:\n  - {}", yaml(alias)).ok();
            }
            text.push_str("tags:\n");
            for tag in &note.tags {
                writeln!(text, "  - {}", yaml(tag)).ok();
            }
            if !note.roles.is_empty() {
                text.push_str("roles:\n");
                for role in &note.roles {
                    writeln!(
                        text,
                        "  - org: {}\n    title: {}\n    from: {}\n    until: {}",
                        self.entities[role.org].slug,
                        yaml(role.title),
                        yaml(&role.from),
                        yaml(role.until.as_deref().unwrap_or("present"))
                    )
                    .ok();
                }
            }
            if !note.participants.is_empty() {
                text.push_str("participants:\n");
                for &participant in &note.participants {
                    writeln!(text, "  - {}", yaml(&self.entities[participant].title)).ok();
                }
            }
            if let Some(date) = &note.date {
                writeln!(text, "event_date: {}", yaml(date)).ok();
            }
            if !note.facts.is_empty() {
                text.push_str("facts:\n");
                for fact in &note.facts {
                    writeln!(
                        text,
                        "  - label: {}\n    value: {}",
                        yaml(fact.label),
                        yaml(&fact.value)
                    )
                    .ok();
                }
            }
            text.push_str("---\n");
            self.render_body(&mut text, &note.body, true);
            let path = format!("content/{}/{}.md", entity.kind.folder(), entity.slug);
            files.push((PathBuf::from(path), text));
        }
        for source in &self.sources {
            let mut text = String::with_capacity(22_000);
            writeln!(
                text,
                "---\ntitle: {}\npublisher: {}\nsource_date: {}\n---",
                yaml(&source.title),
                yaml(&source.publisher),
                yaml(&source.date)
            )
            .ok();
            for paragraph in &source.paragraphs {
                text.push_str(&paragraph.text);
                text.push_str("\n\n");
            }
            files.push((
                PathBuf::from(format!("content/sources/{}.md", source.slug)),
                text,
            ));
        }
        files
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes the files under `root`, replacing the `content/` and `layouts/` of an earlier run of
/// this program (recognised by its marker) so no stale note survives; a non-empty folder
/// without the marker is refused.
fn write_tree(root: &Path, files: &mut [(PathBuf, String)]) -> Result<(), String> {
    let marker = root.join(MARKER);
    let is_ours = marker.is_file();
    let is_empty = fs::read_dir(root)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(true);
    if !is_ours && !is_empty {
        return Err(format!(
            "{} exists, is not empty and was not written by gen_corpus: choose another --out",
            root.display()
        ));
    }
    for owned in ["content", "layouts"] {
        let folder = root.join(owned);
        if is_ours && folder.is_dir() {
            fs::remove_dir_all(&folder)
                .map_err(|e| format!("cannot remove {}: {e}", folder.display()))?;
        }
    }
    fs::create_dir_all(root).map_err(|e| format!("cannot create {}: {e}", root.display()))?;
    fs::write(
        &marker,
        "written by examples/gen_corpus.rs; its content/ is replaced on each run\n",
    )
    .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut made = BTreeSet::new();
    for (path, text) in files.iter() {
        let path = root.join(path);
        if let Some(parent) = path.parent()
            && made.insert(parent.to_path_buf())
        {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
