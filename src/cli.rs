//! The command line: the only module that knows clap. Parses arguments, runs the library,
//! prints diagnostics and maps outcomes to exit codes (0 clean, 1 content errors, 2 usage or
//! I/O errors).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::build::{BuildOptions, build, build_into_folder_leaving};
use crate::diagnostic::{Severity, render};

#[derive(Parser, Debug)]
#[command(
    name = "casefile",
    version,
    about = "A static site generator for annotated briefs: notes, verified citations, cross-links."
)]
pub struct Cli {
    /// The brief's folder (default: the current folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about each stage.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the site into public/ (or -o DIR).
    Build {
        /// Include notes with `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Output folder (default: public/ in the brief).
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Override base_url from casefile.yaml.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Replace the output folder even if casefile did not create it.
        #[arg(long)]
        force: bool,
    },
    /// Serve the site on 127.0.0.1 with live reload; build errors show in the page.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Watch by polling files instead of native file-system events.
        #[arg(long)]
        poll: bool,
        /// Include notes with `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Run every validation and print a report; writes nothing.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        #[arg(long)]
        drafts: bool,
    },
    /// Create a note: casefile new person "Ruoming Pang".
    New {
        #[arg(value_enum)]
        kind: NewKind,
        title: String,
    },
    /// Create a new brief in DIR with one example of each kind.
    Init { dir: PathBuf },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum NewKind {
    Person,
    Company,
    Event,
    Source,
    Page,
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let root = cli.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // A folder without content/ is a usage mistake (wrong --root), not a content error.
    if matches!(cli.command, Command::Build { .. } | Command::Check { .. })
        && !root.join("content").is_dir()
    {
        eprintln!(
            "error: {} is not a brief: it has no content/ folder\n  = help: run casefile in a brief's folder, pass --root DIR, or start one with `casefile init DIR`",
            root.display()
        );
        return 2;
    }
    match cli.command {
        Command::Build {
            drafts,
            output,
            base_url,
            force,
        } => {
            let started = Instant::now();
            let options = BuildOptions {
                root: root.clone(),
                drafts,
                base_url,
                render: true,
            };
            // On a terminal, the stage being worked on; piped output stays clean.
            let show_progress = std::io::stderr().is_terminal() && !cli.quiet;
            let progress = |stage: &str| {
                if show_progress {
                    eprint!("\r\x1b[2K{stage}…");
                }
            };
            let dir = output.unwrap_or_else(|| root.join("public"));
            if let Err(e) = crate::output::check_output_location(&root, &dir) {
                eprintln!("error: {e}");
                return 2;
            }
            let result = build_into_folder_leaving(&options, &progress, &dir, force);
            if show_progress {
                eprint!("\r\x1b[2K");
            }
            let result = match result {
                Ok((result, leftovers)) => {
                    // The process ends once the result is printed: the OS takes this memory
                    // back faster than freeing it piece by piece would.
                    std::mem::forget(leftovers);
                    result
                }
                Err(e) => {
                    eprintln!("error: {}", e.0);
                    return 2;
                }
            };
            let errors = print_diagnostics(&result, color, cli.quiet, false);
            if errors > 0 {
                eprintln!(
                    "error: the build failed with {errors} error{}; nothing was written",
                    plural(errors)
                );
                return 1;
            }
            if cli.verbose {
                for (stage, took) in &result.timings.stages {
                    eprintln!("  {stage:<10} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            let files = match &result.written {
                Some(Ok(files)) => *files,
                Some(Err(e)) => {
                    eprintln!("error: {e}");
                    return 2;
                }
                None => 0,
            };
            if !cli.quiet {
                eprintln!(
                    "built {} note{}, {} citation{} verified, {} files in {} ms → {}",
                    result.notes,
                    plural(result.notes),
                    result.citations,
                    plural(result.citations),
                    files,
                    started.elapsed().as_millis(),
                    dir.display()
                );
            }
            // As with the leftovers: the brief's texts, kept for diagnostics (~40 MB at 10,000
            // notes, allocated on other threads), took ~25 ms of one core to free on the way
            // out, with nothing else left to run.
            std::mem::forget(result);
            0
        }
        Command::Serve {
            port,
            open,
            poll,
            drafts,
        } => crate::serve::run(crate::serve::ServeOptions {
            root,
            port,
            open,
            poll,
            drafts,
        }),
        Command::Check {
            format,
            strict,
            drafts,
        } => {
            let options = BuildOptions {
                root,
                drafts,
                base_url: None,
                render: false,
            };
            let mut result = match build(&options) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {}", e.0);
                    return 2;
                }
            };
            if strict {
                result.diagnostics.promote_warnings();
            }
            if format == Format::Json {
                let diagnostics: Vec<_> = result.diagnostics.clone().sorted();
                let report = serde_json::json!({
                    "errors": result.diagnostics.error_count(),
                    "warnings": result.diagnostics.warning_count(),
                    "notes": result.notes,
                    "citations": result.citations,
                    "diagnostics": diagnostics,
                    "coverage": result.coverage,
                });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
                return if result.diagnostics.has_errors() {
                    1
                } else {
                    0
                };
            }
            let errors = print_diagnostics(&result, color, cli.quiet, true);
            if !cli.quiet {
                let c = &result.coverage;
                println!(
                    "checked {} notes, {} citations; coverage {}/{} paragraphs cited ({:.1}%); {} uncited source{}",
                    result.notes,
                    result.citations,
                    c.cited_blocks,
                    c.blocks,
                    c.percent,
                    c.uncited_sources.len(),
                    plural(c.uncited_sources.len())
                );
                let single = c.claims.iter().filter(|k| k.origins.len() == 1).count();
                println!(
                    "{} claim{} cite several sources; {single} of them rest on a single independent origin",
                    c.claims.len(),
                    plural(c.claims.len())
                );
                if cli.verbose {
                    for k in &c.claims {
                        println!(
                            "  {}  {}: {} source{}, {} origin{} ({})",
                            k.location,
                            k.what,
                            k.sources.len(),
                            plural(k.sources.len()),
                            k.origins.len(),
                            plural(k.origins.len()),
                            k.origins.join(", ")
                        );
                    }
                    for n in &c.notes {
                        println!(
                            "  {:>5.1}%  {}/{}  {}",
                            n.percent, n.cited_blocks, n.blocks, n.path
                        );
                    }
                }
            }
            if errors > 0 { 1 } else { 0 }
        }
        Command::New { kind, title } => match crate::scaffold::new_note(&root, kind, &title) {
            Ok(path) => {
                if !cli.quiet {
                    eprintln!("created {}", path.display());
                }
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
        Command::Init { dir } => match crate::scaffold::init(&dir) {
            Ok(()) => {
                if !cli.quiet {
                    eprintln!(
                        "created a new brief in {}; build it with: casefile build --root {}",
                        dir.display(),
                        dir.display()
                    );
                }
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    }
}

/// How many diagnostics of one kind in one file are printed before the rest are counted.
const MAX_SAME_DIAGNOSTICS_PER_FILE: usize = 20;

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints every diagnostic (warnings too unless quiet) and a count line; returns the errors.
fn print_diagnostics(
    result: &crate::build::BuildResult,
    color: bool,
    quiet: bool,
    always_summary: bool,
) -> usize {
    let errors = result.diagnostics.error_count();
    let warnings = result.diagnostics.warning_count();
    // The same mistake repeated many times in one file is shown a few times, then counted.
    let mut shown: std::collections::HashMap<(std::path::PathBuf, &'static str), usize> =
        std::collections::HashMap::new();
    let mut hidden: std::collections::BTreeMap<(std::path::PathBuf, &'static str), usize> =
        std::collections::BTreeMap::new();
    for d in result.diagnostics.clone().sorted() {
        if quiet && d.severity == Severity::Warning {
            continue;
        }
        let key = (d.location.file.clone(), d.code);
        let count = shown.entry(key.clone()).or_default();
        *count += 1;
        if *count > MAX_SAME_DIAGNOSTICS_PER_FILE {
            *hidden.entry(key).or_default() += 1;
            continue;
        }
        eprintln!("{}", render(&d, &result.files, color));
    }
    for ((file, code), count) in hidden {
        eprintln!(
            "note: {count} more `{code}` problem{} in {} not shown\n",
            plural(count),
            file.display()
        );
    }
    if (errors > 0 || warnings > 0 || always_summary) && !(quiet && errors == 0) {
        eprintln!(
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
    }
    errors
}
