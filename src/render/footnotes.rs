//! The numbered Sources list of one page: numbers in order of first appearance, the same
//! source and quote sharing a number, each place that cites it getting its own back-link id.
//!
//! Front matter citations (roles, facts, an event's `cite`) are numbered before the body's,
//! because the infobox stands above the text.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::markdown::highlight::escape_html;
use crate::markdown::render::{CiteHtml, push_superscript};
use crate::resolve::{Brief, CitationId, NoteId, fold_chars};
use crate::verify::{Evidence, origins};

/// One entry of the Sources list, as templates see it; made when the page is rendered from
/// the page's [`FootnoteSource`].
/// The texts the brief already holds are borrowed: a 10,000-note build makes ~90,000 entries.
#[derive(Serialize, Clone, PartialEq)]
pub struct SourceEntry<'a> {
    pub number: usize,
    pub source_title: &'a str,
    pub source_url: &'a str,
    pub publisher: &'a str,
    pub date: String,
    pub date_iso: String,
    pub quote: &'a str,
    pub original_url: String,
    pub backrefs: Vec<String>,
}

/// What a page keeps of one entry of its Sources list between rendering its body and
/// rendering the page: the citation that first took the number, where its superscript
/// leads, and how many places share the number. Every body is kept until all pages are
/// made, so the entry's strings are made only with the page ([`FootnoteSource::entry`]):
/// at 10,000 notes they were 40 MB.
#[derive(Clone, Debug, PartialEq)]
pub struct FootnoteSource {
    pub number: usize,
    pub citation: CitationId,
    /// The first place's superscript link: the source page, at its mark.
    pub href: String,
    pub backrefs: usize,
}

impl FootnoteSource {
    /// The entry as the Sources list shows it.
    pub fn entry<'a>(&'a self, brief: &'a Brief, evidence: &Evidence) -> SourceEntry<'a> {
        let c = &brief.citations[self.citation];
        let source = &brief.notes[c.source];
        let meta = source.source.as_ref();
        // The original page is matched as it is written: quote the source's own characters
        // (its dashes, its apostrophes), not the quote as typed.
        let passages = crate::verify::passage_texts(brief, evidence, self.citation);
        let original_url = meta
            .and_then(|m| m.url.as_deref())
            .map(|u| match c.quote.as_deref() {
                Some(_) if !passages.is_empty() => {
                    format!("{u}#:~:text={}", passages_fragment(&passages))
                }
                Some(q) => format!("{u}#:~:text={}", text_fragment(q)),
                None => u.to_string(),
            })
            .unwrap_or_default();
        SourceEntry {
            number: self.number,
            source_title: &source.title,
            source_url: &self.href,
            publisher: meta
                .and_then(|m| m.publisher.as_ref())
                .map_or("", |p| p.name.as_str()),
            date: meta
                .and_then(|m| m.date)
                .map(|d| d.human())
                .unwrap_or_default(),
            date_iso: meta
                .and_then(|m| m.date)
                .map(|d| d.iso())
                .unwrap_or_default(),
            quote: c.quote.as_deref().unwrap_or_default(),
            original_url,
            backrefs: (1..=self.backrefs)
                .map(|k| ref_id(self.number, k))
                .collect(),
        }
    }
}

/// The id of the `k`-th place that cites source number `number` on a page.
fn ref_id(number: usize, k: usize) -> String {
    RefId::new(number, k).to_string()
}

/// A place's superscript id, `ref-{number}-{k}`, as two numbers: every body keeps one for
/// each citation it holds (76,000 at 10,000 notes), and the text is made where it is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefId {
    pub number: u32,
    pub k: u32,
}

impl RefId {
    pub fn new(number: usize, k: usize) -> RefId {
        // A page has far fewer than 4 billion sources or places.
        RefId {
            number: u32::try_from(number).unwrap_or(u32::MAX),
            k: u32::try_from(k).unwrap_or(u32::MAX),
        }
    }
}

impl std::fmt::Display for RefId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ref-{}-{}", self.number, self.k)
    }
}

pub struct PageFootnotes<'a> {
    brief: &'a Brief,
    evidence: &'a Evidence,
    base: &'a str,
    /// The number of each (source, [`folded_hash`] of a quote) cited so far.
    numbers: HashMap<(NoteId, u64), usize>,
    pub entries: Vec<FootnoteSource>,
    /// (citation, ref id) for every place cited on this page.
    pub places: Vec<(CitationId, RefId)>,
}

impl<'a> PageFootnotes<'a> {
    pub fn new(brief: &'a Brief, evidence: &'a Evidence, base: &'a str) -> Self {
        PageFootnotes {
            brief,
            evidence,
            base,
            numbers: HashMap::new(),
            entries: Vec::new(),
            places: Vec::new(),
        }
    }

    /// Numbers a citation and returns its superscript.
    pub fn cite(&mut self, citation: CitationId) -> CiteHtml {
        let (number, place, href) = self.number_place(citation);
        let c = &self.brief.citations[citation];
        CiteHtml {
            number,
            ref_id: place.to_string(),
            href,
            source_title: self.brief.notes[c.source].title.clone(),
            quote: c.quote.clone().unwrap_or_default(),
        }
    }

    /// Numbers a citation: its source's number on this page, the id of this place, and where
    /// its superscript leads.
    fn number_place(&mut self, citation: CitationId) -> (usize, RefId, String) {
        let source_url = self.source_href(citation);
        let number = self.number_of(citation, &source_url);
        let entry = &mut self.entries[number - 1];
        entry.backrefs += 1;
        let place = RefId::new(number, entry.backrefs);
        self.places.push((citation, place));
        (number, place, source_url)
    }

    /// The number of the citation's source and quote on this page, taking the next one (with
    /// `source_url` as its entry's link) the first time they are cited. Quotes are the same
    /// when they fold the same ([`fold_chars`]); they are told apart by a hash of the folded
    /// text, and a different quote with the same hash takes the next free hash.
    fn number_of(&mut self, citation: CitationId, source_url: &str) -> usize {
        let c = &self.brief.citations[citation];
        let quote = c.quote.as_deref().unwrap_or_default();
        let mut hash = folded_hash(quote);
        loop {
            match self.numbers.entry((c.source, hash)) {
                Entry::Occupied(numbered) => {
                    let number = *numbered.get();
                    let first = &self.brief.citations[self.entries[number - 1].citation];
                    let first_quote = first.quote.as_deref().unwrap_or_default();
                    // The same quote cited again (the usual case) is the same text: folding
                    // both, character by character, is only needed when they differ.
                    if first_quote == quote || fold_chars(first_quote).eq(fold_chars(quote)) {
                        return number;
                    }
                    hash = hash.wrapping_add(1);
                }
                Entry::Vacant(free) => {
                    let number = self.entries.len() + 1;
                    free.insert(number);
                    self.entries.push(FootnoteSource {
                        number,
                        citation,
                        href: source_url.to_string(),
                        backrefs: 0,
                    });
                    return number;
                }
            }
        }
    }

    /// Where a citation's superscript leads: its source's page, at the quote's mark when the
    /// quote was found.
    fn source_href(&self, citation: CitationId) -> String {
        let c = &self.brief.citations[citation];
        let anchor = self.evidence.anchor(self.brief, citation);
        let mut url = String::with_capacity(self.base.len() + 64);
        url.push_str(self.base);
        self.brief.notes[c.source].push_path_in_site(&mut url);
        if let Some(anchor) = anchor {
            url.push('#');
            url.push_str(anchor);
        }
        url
    }

    /// Superscripts for a claim's citations, with an origins badge when several sources back it.
    pub fn claim_html(&mut self, citations: &[CitationId]) -> String {
        let mut html = String::with_capacity(400 * citations.len());
        for &c in citations {
            let (number, place, href) = self.number_place(c);
            let cited = &self.brief.citations[c];
            push_superscript(
                &mut html,
                number,
                &place,
                &href,
                &self.brief.notes[cited.source].title,
                cited.quote.as_deref().unwrap_or_default(),
            );
        }
        if cites_several_sources(self.brief, citations) {
            html.push_str(&origins_badge(self.brief, citations));
        }
        html
    }

    /// Numbers a claim's citations as [`PageFootnotes::claim_html`] does and hashes into
    /// `hasher` everything its superscripts and badge are made of (so the digest changes
    /// whenever they would), without writing them.
    pub fn digest_claim(&mut self, citations: &[CitationId], hasher: &mut impl Hasher) {
        citations.len().hash(hasher);
        for &c in citations {
            let (number, place, href) = self.number_place(c);
            let cited = &self.brief.citations[c];
            let title = &self.brief.notes[cited.source].title;
            let quote = cited.quote.as_deref().unwrap_or_default();
            (number, place.number, place.k, href, title, quote).hash(hasher);
        }
        if cites_several_sources(self.brief, citations) {
            origins_badge(self.brief, citations).hash(hasher);
        }
    }
}

/// A hash of the folded quote (FxHash's step, one character at a time): only to tell quotes
/// apart quickly; equal hashes are checked by comparing the folded quotes. Every citation on
/// every page is hashed, so an ASCII quote is folded byte by byte here, into the same
/// characters [`fold_chars`] gives (a non-ASCII quote may fold to ASCII, and must hash the
/// same as its ASCII twin).
fn folded_hash(quote: &str) -> u64 {
    let step =
        |hash: u64, c: u64| (hash.rotate_left(5) ^ c).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    if !quote.is_ascii() {
        return fold_chars(quote).fold(0, |hash, c| step(hash, u64::from(c)));
    }
    let mut hash = 0;
    let (mut in_word, mut space_due) = (false, false);
    for &byte in quote.as_bytes() {
        // `split_whitespace`'s white space, as far as ASCII goes (with the vertical tab,
        // which `u8::is_ascii_whitespace` leaves out).
        if matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            space_due = in_word;
            continue;
        }
        if space_due {
            hash = step(hash, u64::from(b' '));
            space_due = false;
        }
        in_word = true;
        hash = step(hash, u64::from(byte.to_ascii_lowercase()));
    }
    hash
}

/// Whether the citations name at least two different sources: only then is the number of
/// independent origins worth showing.
pub fn cites_several_sources(brief: &Brief, citations: &[CitationId]) -> bool {
    citations.split_first().is_some_and(|(first, rest)| {
        let source = brief.citations[*first].source;
        rest.iter().any(|&c| brief.citations[c].source != source)
    })
}

/// `<span class="origins">1 origin</span>`: how many independent origins back the citations.
pub fn origins_badge(brief: &Brief, citations: &[CitationId]) -> String {
    let set = origins(brief, citations.iter().map(|&c| brief.citations[c].source));
    let names: Vec<&str> = set.iter().map(String::as_str).collect();
    let n = set.len();
    format!(
        " <span class=\"origins\" title=\"{} sources, independent origins: {}\">{n} origin{}</span>",
        citations.len(),
        escape_html(&names.join(", ")),
        if n == 1 { "" } else { "s" }
    )
}

/// The text fragment of the passages a quote matched in the source: the first and last
/// pieces (`start,end`) when an elision split it, white space folded as a page shows it.
pub fn passages_fragment(passages: &[&str]) -> String {
    // The passages, white space folded, joined by " … " (the form text_fragment reads),
    // written into one buffer: this runs for every entry of every Sources list.
    let mut joined = String::with_capacity(passages.iter().map(|p| p.len()).sum::<usize>() + 8);
    for passage in passages {
        let mut words = passage.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        if !joined.is_empty() {
            joined.push_str(" … ");
        }
        for (i, word) in words.enumerate() {
            if i > 0 {
                joined.push(' ');
            }
            joined.push_str(word);
        }
    }
    text_fragment(&joined)
}

/// A quote as a text fragment directive: `start,end` around elisions, percent-encoded.
pub fn text_fragment(quote: &str) -> String {
    // Nearly every quote is one piece: it is encoded without splitting (splitting on "..."
    // sets up a substring search for every piece, and this runs for every Sources entry).
    if !has_elision(quote) {
        let whole = quote.trim();
        let mut out = String::with_capacity(3 * whole.len());
        percent_encode_into(&mut out, whole);
        return out;
    }
    let mut pieces = quote
        .split(['…'])
        .flat_map(|p| p.split("..."))
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let Some(first) = pieces.next() else {
        return String::new();
    };
    let last = pieces.last();
    let mut out = String::with_capacity(3 * (first.len() + last.map_or(0, str::len)) + 1);
    percent_encode_into(&mut out, first);
    if let Some(last) = last {
        out.push(',');
        percent_encode_into(&mut out, last);
    }
    out
}

/// Whether `text` holds an elision, `…` or `...`, that [`text_fragment`] splits at.
fn has_elision(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        let rest = &bytes[at + 1..];
        (byte == b'.' && rest.starts_with(b".."))
            || (byte == 0xE2 && rest.starts_with(&[0x80, 0xA6]))
    })
}

/// Percent-encodes all but the characters a text fragment may hold as they are.
fn percent_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'.' | b'_' | b'~' | b'\'' | b'(' | b')' | b'*' | b'!')
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real brief, loaded, resolved and verified.
    fn real_brief() -> (Brief, Evidence) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diagnostics = crate::diagnostic::Diagnostics::new();
        let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
        let config = crate::config::Config::load(root, text.as_deref()).expect("config loads");
        let loaded = crate::load::load(root, false, &mut diagnostics);
        let brief = crate::resolve::resolve(config, &loaded, &mut diagnostics);
        let evidence = crate::verify::verify(&brief, &mut diagnostics);
        assert!(!diagnostics.has_errors());
        (brief, evidence)
    }

    #[test]
    fn ascii_quotes_hash_as_their_folded_characters_do() {
        let by_chars = |quote: &str| {
            fold_chars(quote).fold(0u64, |hash, c| {
                (hash.rotate_left(5) ^ u64::from(c)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
            })
        };
        for quote in ["", "  ", "Tens of  MILLIONS\t", "a\u{b}b\u{c}c\rd", " x "] {
            assert_eq!(folded_hash(quote), by_chars(quote), "{quote:?}");
        }
        // The Kelvin sign folds to an ASCII k: both spellings are one quote.
        assert_eq!(folded_hash("\u{212a}ey"), folded_hash("KEY"));
        proptest::proptest!(|(quote in "[aZ09 \t\n\u{b}\u{c}\r.,-]{0,40}")| {
            proptest::prop_assert_eq!(folded_hash(&quote), by_chars(&quote));
        });
    }

    #[test]
    fn a_quote_whose_hash_is_taken_by_another_gets_its_own_number() {
        let (brief, evidence) = real_brief();
        let quote = |c: CitationId| brief.citations[c].quote.clone().unwrap_or_default();
        // Two citations of one source with different quotes.
        let (first, second) = (0..brief.citations.len())
            .flat_map(|a| (a + 1..brief.citations.len()).map(move |b| (a, b)))
            .find(|&(a, b)| {
                brief.citations[a].source == brief.citations[b].source
                    && crate::resolve::fold(&quote(a)) != crate::resolve::fold(&quote(b))
            })
            .expect("the brief cites some source twice with different quotes");
        let mut footnotes = PageFootnotes::new(&brief, &evidence, "/");
        assert_eq!(footnotes.number_place(first).0, 1);
        // As if the second quote hashed like the first: the check of the folded text must
        // tell them apart.
        let source = brief.citations[second].source;
        footnotes
            .numbers
            .insert((source, folded_hash(&quote(second))), 1);
        assert_eq!(footnotes.number_place(second).0, 2);
        assert_eq!(footnotes.number_place(second).0, 2, "the number is kept");
        assert_eq!(footnotes.number_place(first).0, 1);
        assert_eq!(footnotes.entries.len(), 2);
        assert_eq!(footnotes.entries[1].backrefs, 2);
    }

    #[test]
    fn the_claims_digest_numbers_as_the_superscripts_do_and_follows_their_text() {
        let (mut brief, evidence) = real_brief();
        let mut compared = 0;
        for id in 0..brief.notes.len() {
            let mut written = PageFootnotes::new(&brief, &evidence, "/");
            let claims = crate::render::ClaimCites::number(&mut written, &brief, id);
            let mut digested = PageFootnotes::new(&brief, &evidence, "/");
            crate::render::ClaimCites::digest(&mut digested, &brief, id);
            assert!(
                written.entries == digested.entries,
                "{}",
                brief.notes[id].slug
            );
            assert_eq!(written.places, digested.places, "{}", brief.notes[id].slug);
            compared += usize::from(!claims.roles.is_empty() || !claims.facts.is_empty());
        }
        assert!(compared > 0, "some note of the brief has claims");
        // A cited source's new title changes the superscripts, so the digest too.
        let id = (0..brief.notes.len())
            .find(|&id| brief.notes[id].facts.iter().any(|f| !f.cites.is_empty()))
            .expect("a fact with a citation");
        let digest = |brief: &Brief| {
            let mut footnotes = PageFootnotes::new(brief, &evidence, "/");
            crate::render::ClaimCites::digest(&mut footnotes, brief, id)
        };
        let before = digest(&brief);
        let fact = brief.notes[id]
            .facts
            .iter()
            .find(|f| !f.cites.is_empty())
            .unwrap();
        let source = brief.citations[fact.cites[0]].source;
        brief.notes[source].title.push_str(" (renamed)");
        assert_ne!(digest(&brief), before);
    }

    #[test]
    fn text_fragments_encode_and_split_elisions() {
        assert_eq!(text_fragment("tens of millions"), "tens%20of%20millions");
        assert_eq!(text_fragment("a-b, c"), "a%2Db%2C%20c");
        assert_eq!(
            text_fragment("Meta offered ... $200 million"),
            "Meta%20offered,%24200%20million"
        );
        assert_eq!(text_fragment("a … b … c"), "a,c");
        assert_eq!(text_fragment(" … "), "");
        assert_eq!(text_fragment("  "), "");
        assert_eq!(text_fragment(" two.. dots "), "two..%20dots");
    }

    #[test]
    fn quotes_without_an_elision_are_encoded_as_splitting_them_would() {
        let split = |quote: &str| {
            let mut pieces = quote
                .split(['…'])
                .flat_map(|p| p.split("..."))
                .map(str::trim)
                .filter(|p| !p.is_empty());
            let first = pieces.next().map(str::to_string).unwrap_or_default();
            (first, pieces.last().map(str::to_string))
        };
        proptest::proptest!(|(quote in "[a. …\t\u{2000}é]{0,16}")| {
            if !has_elision(&quote) {
                let (first, last) = split(&quote);
                proptest::prop_assert!(last.is_none());
                let mut encoded = String::new();
                percent_encode_into(&mut encoded, &first);
                proptest::prop_assert_eq!(text_fragment(&quote), encoded);
            } else {
                proptest::prop_assert!(quote.contains('…') || quote.contains("..."));
            }
        });
    }

    #[test]
    fn passages_fold_white_space_and_join_as_elisions() {
        let passages = ["Meta  offered\n$200", " ", "million"];
        assert_eq!(
            passages_fragment(&passages),
            "Meta%20offered%20%24200,million"
        );
        assert_eq!(passages_fragment(&["one"]), "one");
        assert_eq!(passages_fragment(&[]), "");
    }
}
