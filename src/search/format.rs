//! The records of Pagefind's binary index files, as its browser code decodes them: CBOR
//! arrays whose fields are numbered as in Pagefind's own indexer (`#[n(i)]`), encoded by the
//! same `minicbor` derive, or by hand (`write_head`, for the positions of every page) in the
//! same bytes. The fields borrow what they show, so a file is encoded straight from the
//! postings without copying them. Nothing here decides what goes in a file.

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
/// split, on that thread, so gathering a word's pages is a copy.
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

/// A word's list of pages made of runs encoded apart (one per block of pages split on its
/// own): each run is its pages laid end to end, except that its first page's head (the
/// array mark and page delta) is written here, since only the run before knows that delta.
pub struct PrecodedPages<'a> {
    pub count: u64,
    pub runs: Vec<PrecodedRun<'a>>,
}

pub struct PrecodedRun<'a> {
    /// The delta of the run's first page from the word's previous page.
    pub first_delta: u32,
    /// The first page's arrays, then the later pages whole.
    pub bytes: &'a [u8],
}

impl<C> Encode<C> for PrecodedPages<'_> {
    fn encode<W: Write>(&self, e: &mut Encoder<W>, _: &mut C) -> Result<(), Error<W::Error>> {
        e.array(self.count)?;
        for run in &self.runs {
            e.array(3)?.u32(run.first_delta)?;
            e.writer_mut().write_all(run.bytes).map_err(Error::write)?;
        }
        Ok(())
    }
}

/// CBOR's head of a data item: the major type and a number, in its shortest form (as
/// `minicbor` writes it). Written by hand, since the positions of every page go through it.
/// Inlined for the common one-byte head (most positions are small differences); a call
/// for every number cost more than writing it.
#[inline]
pub fn write_head(out: &mut Vec<u8>, major: u8, n: u32) {
    let major = major << 5;
    if n <= 0x17 {
        out.push(major | n as u8);
    } else {
        write_long_head(out, major, n);
    }
}

/// [`write_head`] of a number above 23, `major` already shifted.
fn write_long_head(out: &mut Vec<u8>, major: u8, n: u32) {
    match n {
        0..=0x17 => out.push(major | n as u8),
        0x18..=0xff => out.extend_from_slice(&[major | 24, n as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(major | 26);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// The major type of an unsigned number.
pub const UNSIGNED: u8 = 0;
/// The major type of a negative number, `-1 - n`.
const NEGATIVE: u8 = 1;
/// The major type of an array.
pub const ARRAY: u8 = 4;

/// A CBOR array of numbers, as `minicbor` encodes a `&[i32]`.
pub fn write_i32_array(out: &mut Vec<u8>, numbers: &[i32]) {
    write_head(out, ARRAY, numbers.len() as u32);
    for &n in numbers {
        if n >= 0 {
            write_head(out, UNSIGNED, n as u32);
        } else {
            write_head(out, NEGATIVE, (-1 - n) as u32);
        }
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

    #[test]
    fn numbers_are_encoded_as_minicbor_encodes_them() {
        let mut numbers: Vec<i32> = (-70_000..70_000).step_by(7).collect();
        numbers.extend([
            0,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            -24,
            -25,
            -256,
            -257,
            -65_536,
            -65_537,
            i32::MAX,
            i32::MIN,
        ]);
        let mut ours = Vec::new();
        write_i32_array(&mut ours, &numbers);
        assert_eq!(ours, minicbor::to_vec(&numbers[..]).expect("theirs"));
        for len in [0u32, 23, 24, 255, 256, 65_535, 65_536, u32::MAX] {
            let mut ours = Vec::new();
            write_head(&mut ours, ARRAY, len);
            let mut theirs = Vec::new();
            Encoder::new(&mut theirs)
                .array(u64::from(len))
                .expect("array");
            assert_eq!(ours, theirs, "{len}");
        }
    }

    #[test]
    fn runs_of_pages_encode_as_one_list() {
        let page = |delta, arrays: &[u8]| {
            minicbor::to_vec(PrecodedPage {
                page_delta: delta,
                arrays,
            })
            .expect("page")
        };
        // Pages 3, 5 (one run) and 40 (the next run, whose first delta is known only here).
        let mut first_run = vec![0x81, 0x00, 0x80];
        first_run.extend(page(2, &[0x80, 0x80]));
        let pages = PrecodedPages {
            count: 3,
            runs: vec![
                PrecodedRun {
                    first_delta: 3,
                    bytes: &first_run,
                },
                PrecodedRun {
                    first_delta: 35,
                    bytes: &[0x80, 0x80],
                },
            ],
        };
        let mut expected = vec![0x83];
        expected.extend(page(3, &[0x81, 0x00, 0x80]));
        expected.extend(page(2, &[0x80, 0x80]));
        expected.extend(page(35, &[0x80, 0x80]));
        assert_eq!(minicbor::to_vec(pages).expect("pages"), expected);
    }
}
