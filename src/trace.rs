//! Optional tracing for performance work: with `CASEFILE_TRACE=1` in the environment, the
//! build, render, incremental rebuilds and serve print when each of their steps ended, with the
//! process's CPU time and memory then (`-v` gives whole stages only). Off, it costs one cached
//! check per step.

use std::sync::OnceLock;
use std::time::Instant;

/// Whether `CASEFILE_TRACE` is set (read once).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CASEFILE_TRACE").is_some())
}

/// Prints that `step` of `area` ended, the time since `started`, and [`resources`].
pub fn step(area: &str, started: Instant, step: &str) {
    if enabled() {
        eprintln!(
            "    {area}: {step} done at {:.1} ms; {}",
            started.elapsed().as_secs_f64() * 1e3,
            resources()
        );
    }
}

/// The process's CPU time so far and its resident memory now and at its peak, from `/proc`
/// (Linux only; elsewhere zeros and blanks).
pub fn resources() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    // utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    format!(
        "CPU {} ms, RSS {}, peak {}",
        ticks * 10,
        field("VmRSS:"),
        field("VmHWM:")
    )
}
