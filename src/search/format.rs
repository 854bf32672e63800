//! The records of Pagefind's binary index files, as its browser code decodes them: CBOR
//! arrays whose fields are numbered as in Pagefind's own indexer (`#[n(i)]`), encoded by the
//! same `minicbor` derive. The fields borrow what they show, so a file is encoded straight
//! from the postings without copying them. Nothing here decides what goes in a file.

use minicbor::Encode;
use minicbor::encode::{Encoder, Error, Write};

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
    pub pages: PrecodedPages<'a>,
    /// The same word spelt with diacritics, each with its own pages.
    #[n(2)]
    pub additional_variants: Vec<PackedVariant<'a>>,
}

#[derive(Encode)]
pub struct PackedVariant<'a> {
    #[n(0)]
    pub form: &'a str,
    #[n(1)]
    pub pages: Vec<PrecodedPage<'a>>,
}

/// The word's places on one page, as Pagefind's `PackedPage { page_number, locs, meta_locs }`
/// with the two arrays already encoded: each page's arrays are encoded while its words are
/// split, on that thread and in that page's memory, so gathering a word's pages is a copy.
///
/// `locs` are word positions, each less the previous; a negative number `-w - 1` says the
/// positions after it have weight `w`, and is followed by an absolute position. `meta_locs`
/// are positions in meta fields: `-f - 1` starts field `f`, then positions less the previous.
pub struct PrecodedPage<'a> {
    /// The page's number less that of the word's previous page.
    pub page_delta: u32,
    /// `locs` then `meta_locs`, each a CBOR array.
    pub arrays: &'a [u8],
}

impl<C> Encode<C> for PrecodedPage<'_> {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), Error<W::Error>> {
        e.array(3)?.u32(self.page_delta)?;
        e.writer_mut().write_all(self.arrays).map_err(Error::write)
    }
}

/// A list of pages whose encodings are already laid end to end.
pub struct PrecodedPages<'a> {
    pub count: u64,
    pub bytes: &'a [u8],
}

impl<C> Encode<C> for PrecodedPages<'_> {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), Error<W::Error>> {
        e.array(self.count)?;
        e.writer_mut().write_all(self.bytes).map_err(Error::write)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pagefind's own shape of a page, to check the precoded one against.
    #[derive(Encode)]
    struct PackedPage {
        #[n(0)]
        page_number: usize,
        #[n(1)]
        locs: Vec<i32>,
        #[n(2)]
        meta_locs: Vec<i32>,
    }

    #[test]
    fn a_precoded_page_encodes_as_pagefinds_packed_page() {
        let (locs, meta_locs) = (vec![-25, 3, 700, 2], vec![-1, 0]);
        let mut arrays = Vec::new();
        let mut e = Encoder::new(&mut arrays);
        e.encode(&locs[..])
            .and_then(|e| e.encode(&meta_locs[..]))
            .expect("encode");
        let ours = minicbor::to_vec(PrecodedPage {
            page_delta: 300,
            arrays: &arrays,
        });
        let theirs = minicbor::to_vec(PackedPage {
            page_number: 300,
            locs,
            meta_locs,
        });
        assert_eq!(ours.expect("ours"), theirs.expect("theirs"));
    }
}
