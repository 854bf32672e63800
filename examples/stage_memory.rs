//! Live heap bytes and allocation counts after load, resolve and verify, measured by a
//! counting allocator around mimalloc (what the binary uses), for memory work on the stages.
//! It keeps what `casefile build` keeps when it writes a folder (no documents after resolve,
//! no prepared sources after verify), then tells how much each part of the result holds:
//!
//! ```sh
//! cargo run --release --example stage_memory -- /dev/shm/c10k-ns
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use casefile::config::Config;
use casefile::diagnostic::Diagnostics;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
        PEAK.fetch_max(live, Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let live = LIVE.fetch_add(new_size, Relaxed) + new_size;
        LIVE.fetch_sub(layout.size(), Relaxed);
        PEAK.fetch_max(live, Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn report(stage: &str) {
    println!(
        "{stage:>8}: live {:>7.1} MB, peak {:>7.1} MB, allocations {:>9}; {}",
        LIVE.load(Relaxed) as f64 / 1e6,
        PEAK.load(Relaxed) as f64 / 1e6,
        ALLOCATIONS.swap(0, Relaxed),
        casefile::trace::resources()
    );
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("give the brief's folder"));
    let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
    let config = Config::load(&root, text.as_deref()).unwrap_or_default();
    let mut diagnostics = Diagnostics::new();
    report("start");
    let mut loaded = casefile::load::load(&root, false, &mut diagnostics);
    report("load");
    let brief = casefile::resolve::resolve(config, &loaded, &mut diagnostics);
    // As `build` does when it writes a folder: only serve reads the documents again.
    let documents = std::mem::take(&mut loaded.documents);
    report("resolve");
    drop(documents);
    report("(docs)");
    let evidence = casefile::verify::verify(&brief, &mut diagnostics);
    report("verify");
    let checks = casefile::verify::QuoteChecks {
        prepared: Vec::new(),
        lookups: Vec::new(),
    };
    println!("{} diagnostics", diagnostics.iter().count());
    let (mut evidence, mut checks, mut brief, mut loaded) = (evidence, checks, brief, loaded);
    let freed = |what: &str, drop_it: &mut dyn FnMut()| {
        let before = LIVE.load(Relaxed);
        drop_it();
        println!(
            "{what:>28}: {:>7.1} MB",
            (before - LIVE.load(Relaxed)) as f64 / 1e6
        );
    };
    freed("evidence.sources", &mut || {
        drop(std::mem::take(&mut evidence.sources))
    });
    freed("evidence.citations", &mut || {
        drop(std::mem::take(&mut evidence.citations))
    });
    freed("checks.lookups", &mut || {
        drop(std::mem::take(&mut checks.lookups))
    });
    freed("checks.prepared", &mut || {
        drop(std::mem::take(&mut checks.prepared))
    });
    freed("brief.citations", &mut || {
        drop(std::mem::take(&mut brief.citations))
    });
    freed("brief.citations_by_*", &mut || {
        drop(std::mem::take(&mut brief.citations_by_note));
        drop(std::mem::take(&mut brief.citations_by_source));
    });
    freed("brief.relations", &mut || {
        drop(std::mem::take(&mut brief.relations))
    });
    freed("brief.names", &mut || {
        drop(std::mem::take(&mut brief.names))
    });
    freed("notes[].scan.links", &mut || {
        for_each_note(&mut brief, |n| drop(std::mem::take(&mut n.scan.links)))
    });
    freed("notes[].scan.citations", &mut || {
        for_each_note(&mut brief, |n| drop(std::mem::take(&mut n.scan.citations)))
    });
    freed("notes[].scan.blocks", &mut || {
        for_each_note(&mut brief, |n| drop(std::mem::take(&mut n.scan.blocks)))
    });
    freed("notes[].scan.headings", &mut || {
        for_each_note(&mut brief, |n| drop(std::mem::take(&mut n.scan.headings)))
    });
    freed("notes[].body_links/cites", &mut || {
        brief.notes.iter_mut().for_each(|n| {
            drop(std::mem::take(&mut n.body_links));
            drop(std::mem::take(&mut n.body_cites));
        })
    });
    freed("notes[].roles/facts", &mut || {
        brief.notes.iter_mut().for_each(|n| {
            drop(std::mem::take(&mut n.roles));
            drop(std::mem::take(&mut n.facts));
        })
    });
    freed("notes (rest)", &mut || {
        drop(std::mem::take(&mut brief.notes))
    });
    freed("documents[].front", &mut || {
        loaded
            .documents
            .iter_mut()
            .for_each(|d| drop(std::mem::take(&mut d.front)))
    });
    freed("loaded.files", &mut || {
        drop(std::mem::take(&mut loaded.files))
    });
    freed("documents (rest)", &mut || {
        drop(std::mem::take(&mut loaded.documents))
    });
    println!("left: {:.1} MB", LIVE.load(Relaxed) as f64 / 1e6);
    drop((evidence, checks, brief, loaded));
}

/// Runs `free` on every note of the brief.
fn for_each_note(
    brief: &mut casefile::resolve::Brief,
    free: impl FnMut(&mut casefile::resolve::Note),
) {
    brief.notes.iter_mut().for_each(free);
}
