//! The records of Pagefind's binary index files, as its browser code decodes them: CBOR
//! arrays whose fields are numbered as in Pagefind's own indexer (`#[n(i)]`), encoded by the
//! same `minicbor` derive. The fields borrow what they show, so a file is encoded straight
//! from the postings without copying them. Nothing here decides what goes in a file.

use minicbor::Encode;

/// `pagefind.<hash>.pf_meta`: everything the browser loads first.
#[derive(Encode)]
pub struct MetaIndex<'a> {
    #[n(0)]
    pub version: &'a str,
    #[n(1)]
    pub pages: Vec<MetaPage<'a>>,
    #[n(2)]
    pub index_chunks: Vec<MetaChunk<'a>>,
    #[n(3)]
    pub filters: Vec<MetaFilter<'a>>,
    /// Sort orders by a meta key: casefile gives none.
    #[n(4)]
    pub sorts: &'a [MetaSort<'a>],
    #[n(5)]
    pub meta_fields: &'a [&'a str],
}

/// One page: the name of its fragment file and its length in words.
#[derive(Encode)]
pub struct MetaPage<'a> {
    #[n(0)]
    pub hash: &'a str,
    #[n(1)]
    pub word_count: u32,
    /// The shared fragment file of the page's group, empty when each page has its own.
    #[n(2)]
    pub group_hash: &'a str,
}

/// The words file to load for a query term that sorts between `from` and `to`.
#[derive(Encode)]
pub struct MetaChunk<'a> {
    #[n(0)]
    pub from: &'a str,
    #[n(1)]
    pub to: &'a str,
    #[n(2)]
    pub hash: &'a str,
}

#[derive(Encode)]
pub struct MetaFilter<'a> {
    #[n(0)]
    pub filter: &'a str,
    #[n(1)]
    pub hash: &'a str,
}

#[derive(Encode)]
pub struct MetaSort<'a> {
    #[n(0)]
    pub sort: &'a str,
    #[n(1)]
    pub pages: &'a [u32],
}

/// `index/<hash>.pf_index`: a run of words in sorted order with where each occurs.
#[derive(Encode)]
pub struct WordIndex<'a> {
    #[n(0)]
    pub words: Vec<PackedWord<'a>>,
}

#[derive(Encode)]
pub struct PackedWord<'a> {
    #[n(0)]
    pub word: &'a str,
    #[n(1)]
    pub pages: Vec<PackedPage<'a>>,
    /// The same word spelt with diacritics, each with its own pages.
    #[n(2)]
    pub additional_variants: Vec<PackedVariant<'a>>,
}

#[derive(Encode)]
pub struct PackedVariant<'a> {
    #[n(0)]
    pub form: &'a str,
    #[n(1)]
    pub pages: Vec<PackedPage<'a>>,
}

/// The word's places on one page.
#[derive(Encode)]
pub struct PackedPage<'a> {
    /// The page's number less that of the word's previous page.
    #[n(0)]
    pub page_delta: u32,
    /// Word positions, each less the previous; a negative number `-w - 1` says the positions
    /// after it have weight `w`, and is followed by an absolute position.
    #[n(1)]
    pub locs: &'a [i32],
    /// Positions in meta fields: `-f - 1` starts field `f`, then positions less the previous.
    #[n(2)]
    pub meta_locs: &'a [i32],
}

/// `filter/<hash>.pf_filter`: the pages of each value of one filter.
#[derive(Encode)]
pub struct FilterIndex<'a> {
    #[n(0)]
    pub filter: &'a str,
    #[n(1)]
    pub values: Vec<PackedValue<'a>>,
}

#[derive(Encode)]
pub struct PackedValue<'a> {
    #[n(0)]
    pub value: &'a str,
    #[n(1)]
    pub pages: Vec<u32>,
}
