//! Integration tests: the `casefile` binary run against small briefs in temporary folders.
//! `support` holds the fixture builder; each other module proves one capability:
//! `build` (a good brief end to end), `broken` (one fault per brief, exact positions),
//! `output` (the output folder's safety), `commands` (init, new, check, usage), `real_brief`
//! (the repository's own brief) and `props` (no input makes casefile panic).

mod support;

mod broken;
mod build;
mod citations;
mod commands;
mod data_shape;
mod names;
mod output;
mod props;
mod real_brief;
mod site;
mod soundness;
