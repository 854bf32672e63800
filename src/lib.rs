//! casefile turns a folder of Markdown notes with YAML front matter into a cross-linked static
//! site whose every citation is verified against the source it quotes.
//!
//! The build is a pipeline of plain data. [`load`] walks `content/` into documents; [`resolve`]
//! turns them into a [`resolve::Brief`] (names, links, citations, relations) collecting every
//! diagnostic; [`verify`] locates each quote in its source's paragraphs; [`render`] turns the
//! brief and its evidence into pages through Tera templates, in parallel; [`output`] puts them
//! on disk once the whole site is made (replacing the folder, or updating it in place), or keeps
//! them in memory for `serve`. [`build`] runs the whole pipeline.

pub mod build;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod evidence;
pub mod fuzzing;
pub mod graph;
pub mod incremental;
pub mod load;
pub mod markdown;
pub mod memo_file;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod trace;
pub mod verify;
