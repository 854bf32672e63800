//! The list of what a build left in its folder, so that the next build can update that folder
//! in place instead of writing a whole new site beside it.
//!
//! For each file the list holds the hash of its bytes and its *stamp* (size, modification time
//! and inode, as `git`'s index keeps them); for each folder, the folder's stamp. A later build
//! checks the stamps against the disk before trusting anything: a file someone edited has
//! another stamp and is written again; a folder where someone added or removed an entry has
//! another modification time and is listed, and what casefile did not put there is removed.
//! The list only describes; it never decides on its own that a file may be kept.
//!
//! This module owns the list's format and that check. It does not write the site's files
//! ([`super::StagedSite`] does).

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The list's name at the site's root.
pub const MANIFEST: &str = ".casefile-manifest";

/// Present at the site's root while an update is being moved in: a build that finds it (the
/// last one was stopped half-way) trusts nothing and writes a whole new site.
pub const COMMITTING: &str = ".casefile-updating";

const HEADER: &str = "casefile manifest 1\n";

/// The hash a file is known by: XXH3's 128 bits of its bytes.
pub type Hash = u128;

pub fn hash(bytes: &[u8]) -> Hash {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// What the file system says of a file or folder, enough to see that it was touched: a
/// rewrite changes the modification time, a replacement the inode, an append the size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    pub seconds: i64,
    pub nanos: i64,
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a plain file or folder (`is_dir` says which is expected); None for
    /// anything else, a symbolic link included, and on systems without inodes.
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata, is_dir: bool) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let kind_matches = if is_dir {
            meta.file_type().is_dir()
        } else {
            meta.file_type().is_file()
        };
        kind_matches.then(|| Stamp {
            // A folder's size says nothing about its entries on most file systems.
            len: if is_dir { 0 } else { meta.len() },
            seconds: meta.mtime(),
            nanos: meta.mtime_nsec(),
            inode: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata, _is_dir: bool) -> Option<Stamp> {
        None
    }

    /// The stamp of what is at `path` now, without following a symbolic link.
    pub fn at(path: &Path, is_dir: bool) -> Option<Stamp> {
        Stamp::of(&std::fs::symlink_metadata(path).ok()?, is_dir)
    }
}

/// One file of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub hash: Hash,
    pub stamp: Stamp,
}

/// The list as read from a site's folder, or as a build makes it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Files by their path from the site's root (`people/x/index.html`).
    pub files: HashMap<String, Recorded>,
    /// Folders by their path from the site's root, the root itself as "".
    pub folders: HashMap<String, Stamp>,
}

impl Manifest {
    /// Reads a list [`Manifest::to_bytes`] wrote; None for anything else (another version,
    /// a damaged line), which makes the build write a whole new site.
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        let text = std::str::from_utf8(bytes).ok()?.strip_prefix(HEADER)?;
        let mut manifest = Manifest::default();
        for line in text.lines() {
            let (kind, rest) = line.split_once(' ')?;
            match kind {
                "f" => {
                    let mut fields = rest.splitn(6, ' ');
                    let hash = Hash::from_str_radix(fields.next()?, 16).ok()?;
                    let stamp = parse_stamp(&mut fields)?;
                    let path = safe_path(fields.next()?)?;
                    manifest
                        .files
                        .insert(path.to_string(), Recorded { hash, stamp });
                }
                "d" => {
                    let mut fields = rest.splitn(5, ' ');
                    let stamp = parse_stamp(&mut fields)?;
                    let path = fields.next()?;
                    let path = if path == "." { "" } else { safe_path(path)? };
                    manifest.folders.insert(path.to_string(), stamp);
                }
                _ => return None,
            }
        }
        Some(manifest)
    }

    /// The list's bytes, as [`write_list`] writes them.
    pub fn to_bytes(&self) -> Vec<u8> {
        let files: Vec<_> = self.files.iter().map(|(p, r)| (p.as_str(), *r)).collect();
        let folders: Vec<_> = self.folders.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let mut bytes = Vec::new();
        write_list(&mut bytes, files, folders).expect("writing to memory does not fail");
        bytes
    }
}

/// Writes a list of `files` and `folders`, each in path order so that two builds of one site
/// write the same list, and streamed: for 10,000 notes it is 3 MB.
pub fn write_list(
    out: &mut impl std::io::Write,
    mut files: Vec<(&str, Recorded)>,
    mut folders: Vec<(&str, Stamp)>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    use std::io::Write as _;
    out.write_all(HEADER.as_bytes())?;
    // Sorted and made into lines on every core, a block of lines at a time, then written in
    // order: this is the build's last step, and line by line through `writeln!` it took ~20 ms
    // of one core at 10,000 notes while the other had nothing left to do.
    folders.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    files.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    let folder_blocks = in_blocks(&folders, |lines, (path, stamp)| {
        let path = if path.is_empty() { "." } else { path };
        lines.extend_from_slice(b"d ");
        push_stamp(lines, stamp);
        lines.push(b' ');
        lines.extend_from_slice(path.as_bytes());
        lines.push(b'\n');
    });
    let file_blocks = in_blocks(&files, |lines, (path, Recorded { hash, stamp })| {
        // The hash through `fmt` (one call a line); the numbers, four a line, through `itoa`.
        let _ = write!(lines, "f {hash:032x} ");
        push_stamp(lines, stamp);
        lines.push(b' ');
        lines.extend_from_slice(path.as_bytes());
        lines.push(b'\n');
    });
    for block in folder_blocks.iter().chain(&file_blocks) {
        out.write_all(block)?;
    }
    Ok(())
}

/// The lines of `entries`, each written by `line`, made on every core a block at a time and
/// returned in order.
fn in_blocks<T: Sync>(entries: &[T], line: impl Fn(&mut Vec<u8>, &T) + Sync) -> Vec<Vec<u8>> {
    use rayon::prelude::*;
    entries
        .par_chunks(1024)
        .map(|block| {
            // Room for a file's line (~110 bytes) on the first try.
            let mut lines = Vec::with_capacity(block.len() * 112);
            for entry in block {
                line(&mut lines, entry);
            }
            lines
        })
        .collect()
}

/// A stamp as the list writes it: size, seconds, nanoseconds and inode in decimal.
fn push_stamp(out: &mut Vec<u8>, stamp: &Stamp) {
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(stamp.len).as_bytes());
    out.push(b' ');
    out.extend_from_slice(digits.format(stamp.seconds).as_bytes());
    out.push(b' ');
    out.extend_from_slice(digits.format(stamp.nanos).as_bytes());
    out.push(b' ');
    out.extend_from_slice(digits.format(stamp.inode).as_bytes());
}

fn parse_stamp<'a>(fields: &mut impl Iterator<Item = &'a str>) -> Option<Stamp> {
    Some(Stamp {
        len: fields.next()?.parse().ok()?,
        seconds: fields.next()?.parse().ok()?,
        nanos: fields.next()?.parse().ok()?,
        inode: fields.next()?.parse().ok()?,
    })
}

/// A path from the list, if it can only name something inside the site: the list is read
/// from the output folder, which anyone may have edited, and its paths are deleted.
fn safe_path(path: &str) -> Option<&str> {
    let inside = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    inside.then_some(path)
}

/// Whether a path can be written into the list (one line each, fields split by spaces: the
/// path is the last field, so spaces are fine, line breaks are not). A file whose path cannot
/// is left out, and the next build writes it again.
pub fn listable(path: &str) -> bool {
    !path.contains(['\n', '\r']) && safe_path(path).is_some()
}

/// The previous site checked against the disk: the files that are still as the list says,
/// and what is there that the list does not know.
#[derive(Debug, Default)]
pub struct Survey {
    /// Every file of the list: the update deletes those this build does not make.
    pub files: HashMap<String, Recorded>,
    /// Files of the list whose stamp is not the listed one (edited, replaced, gone): their
    /// listed hash no longer tells their bytes.
    pub touched: HashSet<String>,
    /// Folders of the list, which the update deletes when this build puts nothing in them.
    pub listed_folders: Vec<String>,
    /// Folders whose stamp is still the listed one (the root aside): an update that does not
    /// touch one need not ask for its stamp again.
    pub unchanged_folders: HashMap<String, Stamp>,
    /// Entries found in a folder whose stamp changed, that the list does not hold: another
    /// program (or a person) put them there, and the update deletes them unless this build
    /// makes a file or folder of that path.
    pub unknown: Vec<String>,
}

impl Survey {
    /// What the list says of the file at `path`, if it is still as the list says.
    pub fn intact(&self, path: &str) -> Option<Recorded> {
        let recorded = self.files.get(path)?;
        (!self.touched.contains(path)).then_some(*recorded)
    }
}

/// Checks every file and folder of `manifest` against `dir` (on every core: a stamp is a
/// system call, ~30,000 of them for 10,000 notes). None when the folder is not as casefile
/// left it in a way an update cannot repair (a listed folder is now a file or a link), and the
/// build writes a whole new site instead.
pub fn survey(dir: &Path, manifest: Manifest) -> Option<Survey> {
    use rayon::prelude::*;
    let Manifest { files, folders } = manifest;
    let touched: HashSet<String> = files
        .par_iter()
        .filter(|(path, recorded)| Stamp::at(&dir.join(path), false) != Some(recorded.stamp))
        .map(|(path, _)| path.clone())
        .collect();
    /// What a folder's check found: entries the list does not hold, or that it is unchanged.
    enum Found {
        Unknown(Vec<String>),
        Unchanged(String, Stamp),
    }
    let found: Option<Vec<Found>> = folders
        .par_iter()
        .map(|(folder, stamp)| {
            let path = if folder.is_empty() {
                dir.to_path_buf()
            } else {
                dir.join(folder)
            };
            match std::fs::symlink_metadata(&path) {
                // Gone: nothing to clear; the update makes it again if it needs it.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Some(Found::Unknown(Vec::new()))
                }
                Err(_) => None,
                Ok(meta) => match Stamp::of(&meta, true) {
                    None => None,
                    // The root's own time changes as the list is written, so it is always
                    // listed (a dozen entries).
                    Some(now) if now == *stamp && !folder.is_empty() => {
                        Some(Found::Unchanged(folder.clone(), now))
                    }
                    Some(_) => Some(Found::Unknown(unlisted_entries(
                        &path, folder, &files, &folders,
                    ))),
                },
            }
        })
        .collect();
    let mut unknown = Vec::new();
    let mut unchanged_folders = HashMap::new();
    for found in found? {
        match found {
            Found::Unknown(entries) => unknown.extend(entries),
            Found::Unchanged(folder, stamp) => {
                unchanged_folders.insert(folder, stamp);
            }
        }
    }
    unknown.sort_unstable();
    let mut listed_folders: Vec<String> = folders.into_keys().collect();
    listed_folders.sort_unstable();
    Some(Survey {
        files,
        touched,
        listed_folders,
        unchanged_folders,
        unknown,
    })
}

/// Forgets the stamps of the folders that hold `path`, whose entries an update changed.
pub fn forget_folders_of(stamps: &mut HashMap<String, Stamp>, path: &str) {
    for folder in folders_holding(path) {
        stamps.remove(folder);
    }
}

/// The folders that hold `path` below the root, innermost first (`a/b` then `a` for
/// `a/b/c.html`).
fn folders_holding(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(path.rsplit_once('/'), |(folder, _)| folder.rsplit_once('/'))
        .map(|(folder, _)| folder)
}

/// The entries of a folder that the list holds neither as a file nor as a folder, by their
/// path from the site's root (casefile's own files at the root aside).
fn unlisted_entries(
    path: &Path,
    folder: &str,
    files: &HashMap<String, Recorded>,
    folders: &HashMap<String, Stamp>,
) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let own =
                folder.is_empty() && [MANIFEST, COMMITTING, super::MARKER].contains(&name.as_str());
            let relative = if folder.is_empty() {
                name
            } else {
                format!("{folder}/{name}")
            };
            let listed = files.contains_key(&relative) || folders.contains_key(&relative);
            (!own && !listed).then_some(relative)
        })
        .collect()
}

/// Every folder that holds one of `paths` (the root as ""), each once.
pub fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut folders = HashSet::new();
    folders.insert(String::new());
    for path in paths {
        // A folder already there has had its own folders put in too.
        for folder in folders_holding(path) {
            if !folders.insert(folder.to_string()) {
                break;
            }
        }
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_written_as_format_writes_them() {
        let stamps = [
            Stamp {
                len: 0,
                seconds: 0,
                nanos: 0,
                inode: 0,
            },
            Stamp {
                len: u64::MAX,
                seconds: i64::MIN,
                nanos: -1,
                inode: u64::MAX,
            },
            Stamp {
                len: 5746,
                seconds: 1_796_415_296,
                nanos: 795_132_550,
                inode: 10_560_291,
            },
            Stamp {
                len: 10,
                seconds: -86_400,
                nanos: 999_999_999,
                inode: 7,
            },
        ];
        let hashes: [Hash; 4] = [
            0,
            u128::MAX,
            0x5d7f_ced2_8d7f_e4ae_0ba7_db92_263a_f06e,
            1 << 100,
        ];
        // Enough entries for several blocks, out of order.
        let names: Vec<String> = (0..2500)
            .rev()
            .map(|i| format!("p/{i}/index.html"))
            .collect();
        let files: Vec<(&str, Recorded)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let recorded = Recorded {
                    hash: hashes[i % 4],
                    stamp: stamps[i % 4],
                };
                (name.as_str(), recorded)
            })
            .collect();
        let folders: Vec<(&str, Stamp)> = vec![("p", stamps[1]), ("", stamps[2]), ("a", stamps[3])];
        let mut ours = Vec::new();
        write_list(&mut ours, files.clone(), folders.clone()).unwrap();

        let mut expected = String::from(HEADER);
        let mut folders = folders;
        folders.sort_by(|a, b| a.0.cmp(b.0));
        for (path, s) in folders {
            let path = if path.is_empty() { "." } else { path };
            expected += &format!("d {} {} {} {} {path}\n", s.len, s.seconds, s.nanos, s.inode);
        }
        let mut files = files;
        files.sort_by(|a, b| a.0.cmp(b.0));
        for (path, Recorded { hash, stamp: s }) in files {
            expected += &format!(
                "f {hash:032x} {} {} {} {} {path}\n",
                s.len, s.seconds, s.nanos, s.inode
            );
        }
        assert_eq!(String::from_utf8(ours).unwrap(), expected);
    }

    fn stamp(n: i64) -> Stamp {
        Stamp {
            len: 10,
            seconds: 1_700_000_000 + n,
            nanos: 5,
            inode: 42 + n as u64,
        }
    }

    #[test]
    fn a_list_reads_back_as_it_was_written() {
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "people/a b/index.html".into(),
            Recorded {
                hash: 0xdead_beef_u128 << 64 | 7,
                stamp: stamp(1),
            },
        );
        manifest.folders.insert(String::new(), stamp(2));
        manifest.folders.insert("people/a b".into(), stamp(3));
        let bytes = manifest.to_bytes();
        assert_eq!(Manifest::parse(&bytes), Some(manifest.clone()));
        assert_eq!(manifest.to_bytes(), bytes, "the same list, the same bytes");
    }

    #[test]
    fn a_damaged_or_foreign_list_is_not_read() {
        let good = "casefile manifest 1\nd 0 1 2 3 .\nf 0a 1 2 3 4 index.html\n";
        assert!(Manifest::parse(good.as_bytes()).is_some());
        for bad in [
            "casefile manifest 2\n",
            "casefile manifest 1\nf 0a 1 2 3 index.html\n",
            "casefile manifest 1\nf 0a 1 2 3 4 ../../etc/passwd\n",
            "casefile manifest 1\nf 0a 1 2 3 4 /etc/passwd\n",
            "casefile manifest 1\nd 0 1 2 3 a/./b\n",
            "casefile manifest 1\nx 0 1 2 3 a\n",
            "casefile manifest 1\nf zz 1 2 3 4 index.html\n",
        ] {
            assert_eq!(Manifest::parse(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn only_paths_that_fit_on_a_line_are_listed() {
        assert!(listable("people/ann lee/index.html"));
        assert!(!listable("odd\nname.html"));
        assert!(!listable("../outside.html"));
        assert!(!listable(""));
    }

    #[test]
    fn the_folders_of_paths_include_every_ancestor_and_the_root() {
        let folders = folders_of(["a/b/c.html", "a/d.html", "e.html"].into_iter());
        let mut folders: Vec<_> = folders.into_iter().collect();
        folders.sort();
        assert_eq!(folders, ["", "a", "a/b"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_survey_keeps_untouched_files_and_finds_what_was_added() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/kept.html"), "kept").unwrap();
        std::fs::write(root.join("a/edited.html"), "before").unwrap();
        let mut manifest = Manifest::default();
        for path in ["a/kept.html", "a/edited.html"] {
            let stamp = Stamp::at(&root.join(path), false).unwrap();
            let hash = hash(&std::fs::read(root.join(path)).unwrap());
            manifest
                .files
                .insert(path.to_string(), Recorded { hash, stamp });
        }
        for folder in ["", "a"] {
            let stamp = Stamp::at(&root.join(folder), true).unwrap();
            manifest.folders.insert(folder.to_string(), stamp);
        }
        // A tick of the clock, so that rewrites change modification times on any file system.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(root.join("a/edited.html"), "after!").unwrap();
        std::fs::write(root.join("a/added.html"), "new").unwrap();
        let survey = survey(root, manifest).expect("a surveyable folder");
        assert!(survey.intact("a/kept.html").is_some());
        assert!(survey.intact("a/edited.html").is_none());
        assert_eq!(survey.unknown, ["a/added.html"]);
        assert_eq!(survey.listed_folders, ["", "a"]);
        // "a" changed (a file was added); the root is never taken as unchanged.
        assert!(survey.unchanged_folders.is_empty());
    }
}
