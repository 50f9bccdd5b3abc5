//! Corpus replay for the stable `*/tests/fuzz_corpus.rs` tests, which include this file with
//! `#[path]` (the fuzz crate is outside the workspace, so it cannot be a dependency).
//!
//! Every file of `fuzz/corpus/<target>/` and `fuzz/artifacts/<target>/` (inputs a fuzzer
//! found crashing, kept as regression inputs) goes through the target's entry point; a panic
//! fails the test and names the file.

use std::path::{Path, PathBuf};

/// The repository root: the including crate sits one directory below it.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Replays `target`'s corpus and artifacts through `entry`; returns how many files ran, or
/// `None` (with the reason printed) when the corpus directory is absent.
pub fn replay(target: &str, entry: impl Fn(&[u8])) -> Option<usize> {
    let corpus = repo().join("fuzz/corpus").join(target);
    if !corpus.is_dir() {
        println!("skipping {target}: no corpus at {}", corpus.display());
        return None;
    }
    let mut files = Vec::new();
    for dir in [corpus, repo().join("fuzz/artifacts").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.expect("corpus directory entry").path();
            if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in &files {
        let data = std::fs::read(path).expect("corpus file");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| entry(&data)));
        assert!(r.is_ok(), "{target}: {} panics", path.display());
    }
    println!("{target}: {} inputs replayed", files.len());
    Some(files.len())
}

/// [`replay`] that also requires a non-empty corpus when the directory exists.
pub fn replay_nonempty(target: &str, entry: impl Fn(&[u8])) {
    if let Some(n) = replay(target, entry) {
        assert!(n > 0, "{target}: empty corpus");
    }
}
