//! The `casefile` binary: hands the arguments to [`casefile::cli::run`] and exits with its code.

/// A build allocates and frees millions of small strings on every core at once; mimalloc's
/// per-thread free lists cost a fraction of glibc's locking allocator there (see
/// docs/performance.md for the measurement).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(casefile::cli::run(std::env::args_os()));
}
