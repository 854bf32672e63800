//! Integration tests: the `casefile` binary run against small briefs.

#[test]
fn binary_exists() {
    assert!(std::path::Path::new(env!("CARGO_BIN_EXE_casefile")).exists());
}
