//! The `casefile` binary: hands the arguments to [`casefile::cli::run`] and exits with its code.

fn main() {
    std::process::exit(casefile::cli::run(std::env::args_os()));
}
