//! Quote verification: finding the words a citation quotes inside its source's text.
//!
//! A source body is split into paragraphs with stable ids (`paragraphs`), folded once into a
//! comparable form with a map back to the original bytes (`normalize`, `PreparedSource`), and
//! then asked for any number of quotes (`matcher`), each cut at its elisions (`quote`). A quote
//! that is not found gets the closest passage of the source as a hint (`closest`). This module
//! reads no files and reports no diagnostics: it answers with plain data, and the caller
//! decides what is an error, a warning, or a `<mark>`. It uses only the standard library.

mod closest;
mod matcher;
mod normalize;
mod paragraphs;
mod quote;

#[cfg(test)]
mod tests;

pub use closest::ClosestPassage;
pub use matcher::{PreparedSource, QuoteLookup, QuoteMatch};
pub use paragraphs::{SourceParagraph, split_paragraphs};
