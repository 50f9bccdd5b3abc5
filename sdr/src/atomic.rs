//! Atomic output files: every file the `ntn` tools write goes to a temporary file in the
//! target's own directory and is renamed over the target only when it is complete (after an
//! `fsync`), so a reader sees either the previous file or the whole new one, never a prefix.
//!
//! - [`AtomicFile::create`] opens the temporary; write through it ([`std::io::Write`]);
//!   [`AtomicFile::commit`] syncs and renames. Dropped uncommitted (an error, Ctrl-C), the
//!   temporary is removed and the target is untouched.
//! - A group of files that belong together (a SigMF data + meta pair) is
//!   [`AtomicFile::prepare`]d first (all written and synced), then each [`Prepared::commit`]
//!   renames in the caller's order (data first, meta last).
//! - [`check_output`] runs before any work: the output's directory exists and is writable,
//!   and the output is not one of the inputs (same canonical path, or same device and inode,
//!   so a hard link or a symlink counts).
//! - The process keeps a [`journal`] of the outputs it has committed and of those still
//!   pending, so an interrupted command can say which files are new and which are as before.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

/// Errors of output files.
#[derive(Debug, Error)]
pub enum OutputError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The output would overwrite an input.
    #[error(
        "output {output} is the input {input}: refusing to overwrite it (choose another output)"
    )]
    IsInput {
        /// The output as given.
        output: PathBuf,
        /// The input it resolves to.
        input: PathBuf,
    },
    /// The output's directory does not exist.
    #[error("output {output}: the directory {dir} does not exist")]
    NoDirectory {
        /// The output as given.
        output: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// The output's directory cannot be written.
    #[error("output {output}: cannot write in {dir}: {source}")]
    NotWritable {
        /// The output as given.
        output: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output names a directory, not a file.
    #[error("output {0} is a directory")]
    IsDirectory(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What the process has written so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Journal {
    /// Outputs renamed into place (complete new files), in order.
    pub committed: Vec<PathBuf>,
    /// Outputs whose temporary exists but is not renamed yet (the target is as before).
    pub pending: Vec<PathBuf>,
    /// Outputs given up before their rename (an error, Ctrl-C): the target is as before.
    pub abandoned: Vec<PathBuf>,
}

static JOURNAL: Mutex<Journal> = Mutex::new(Journal {
    committed: Vec::new(),
    pending: Vec::new(),
    abandoned: Vec::new(),
});
static SERIAL: AtomicU64 = AtomicU64::new(0);

fn with_journal(f: impl FnOnce(&mut Journal)) {
    // a poisoned journal only means another thread panicked while noting a path: keep going
    let mut j = JOURNAL.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut j);
}

/// A copy of the process's output journal.
pub fn journal() -> Journal {
    JOURNAL.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The directory a file path lives in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An output file being written: a temporary beside the target, renamed over it on
/// [`commit`](Self::commit); removed if dropped before.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
    journaled: bool,
}

impl AtomicFile {
    /// Opens a temporary file in `target`'s directory.
    ///
    /// # Errors
    /// [`OutputError::Io`] if the temporary cannot be created.
    pub fn create(target: &Path) -> Result<Self, OutputError> {
        Self::create_inner(target, true)
    }

    fn create_inner(target: &Path, journaled: bool) -> Result<Self, OutputError> {
        if target.is_dir() {
            return Err(OutputError::IsDirectory(target.to_path_buf()));
        }
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        // the target's name last, so tools that go by the extension (image encoders) see it
        let tmp = parent_dir(target).join(format!(
            ".ntn-tmp-{}-{}.{name}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create(&tmp).map_err(io(&tmp))?;
        if journaled {
            with_journal(|j| j.pending.push(target.to_path_buf()));
        }
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            file: Some(BufWriter::with_capacity(1 << 20, file)),
            journaled,
        })
    }

    /// The path that will be replaced.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary's path.
    pub fn temporary(&self) -> &Path {
        &self.tmp
    }

    /// Flushes and syncs the temporary: the data is on disk, the target still untouched.
    ///
    /// # Errors
    /// [`OutputError::Io`] (naming the target) if a write or the sync fails.
    pub fn prepare(mut self) -> Result<Prepared, OutputError> {
        let target = self.target.clone();
        if let Some(w) = self.file.take() {
            let f = w.into_inner().map_err(|e| OutputError::Io {
                path: target.clone(),
                source: e.into_error(),
            })?;
            f.sync_all().map_err(io(&target))?;
        }
        Ok(Prepared {
            target,
            tmp: std::mem::take(&mut self.tmp),
            done: false,
            journaled: self.journaled,
        })
    }

    /// [`prepare`](Self::prepare) then [`Prepared::commit`].
    ///
    /// # Errors
    /// As those.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        self.prepare()?.commit()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("output already closed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.write_all(buf),
            None => Err(std::io::Error::other("output already closed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// The journal entry of an output given up before its rename.
fn abandon(target: &Path) {
    with_journal(|j| {
        if let Some(i) = j.pending.iter().position(|p| p == target) {
            j.pending.remove(i);
        }
        if !j.abandoned.iter().any(|p| p == target) {
            j.abandoned.push(target.to_path_buf());
        }
    });
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
            if self.journaled {
                abandon(&self.target);
            }
        }
    }
}

/// A complete, synced temporary waiting to be renamed over its target.
#[derive(Debug)]
pub struct Prepared {
    target: PathBuf,
    tmp: PathBuf,
    done: bool,
    journaled: bool,
}

impl Prepared {
    /// Renames the temporary over the target and syncs the directory; returns the target.
    ///
    /// # Errors
    /// [`OutputError::Io`] if the rename fails (the temporary is then removed).
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        std::fs::rename(&self.tmp, &self.target).map_err(io(&self.target))?;
        self.done = true;
        // make the rename itself durable; a directory that cannot be opened or synced (some
        // file systems) leaves the file complete, only its name's durability to the OS
        if let Ok(d) = File::open(parent_dir(&self.target)) {
            let _ = d.sync_all();
        }
        let target = self.target.clone();
        with_journal(|j| {
            if let Some(i) = j.pending.iter().position(|p| p == &target) {
                j.pending.remove(i);
            }
            j.committed.push(target.clone());
        });
        Ok(target)
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
            if self.journaled {
                abandon(&self.target);
            }
        }
    }
}

/// Writes `bytes` to `target` atomically.
///
/// # Errors
/// As [`AtomicFile::create`] and [`AtomicFile::commit`].
pub fn write(target: &Path, bytes: &[u8]) -> Result<PathBuf, OutputError> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes).map_err(io(target))?;
    f.commit()
}

/// Same file: same canonical path, or same device and inode.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(x), Ok(y)) = (a.canonicalize(), b.canonicalize())
        && x == y
    {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

/// Checks, before any work, that `output` can be written and is none of `inputs`: its
/// directory exists and accepts a new file, it is not a directory, and it does not resolve to
/// an input (nor does the input resolve to it through a link).
///
/// # Errors
/// [`OutputError::IsInput`], [`OutputError::NoDirectory`], [`OutputError::NotWritable`],
/// [`OutputError::IsDirectory`].
pub fn check_output(output: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    if output.is_dir() {
        return Err(OutputError::IsDirectory(output.to_path_buf()));
    }
    for input in inputs {
        if same_file(output, input) {
            return Err(OutputError::IsInput {
                output: output.to_path_buf(),
                input: input.to_path_buf(),
            });
        }
    }
    let dir = parent_dir(output);
    if !dir.is_dir() {
        return Err(OutputError::NoDirectory {
            output: output.to_path_buf(),
            dir,
        });
    }
    // the only honest test of "writable" is to create a file there
    let probe = AtomicFile::create_inner(output, false).map_err(|e| match e {
        OutputError::Io { source, .. } => OutputError::NotWritable {
            output: output.to_path_buf(),
            dir: dir.clone(),
            source,
        },
        other => other,
    })?;
    drop(probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ntn-atomic-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn leftovers(d: &Path) -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".ntn-tmp-"))
            .collect()
    }

    #[test]
    fn replaces_only_on_commit() {
        let d = dir("commit");
        let target = d.join("a.txt");
        std::fs::write(&target, "old").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new contents").unwrap();
        f.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert!(journal().pending.contains(&target));
        drop(f);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert!(leftovers(&d).is_empty());
        assert!(journal().abandoned.contains(&target));
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new contents").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new contents");
        assert!(journal().committed.contains(&target));
        assert!(!journal().pending.contains(&target));
        // a prepared file dropped before its commit leaves the target and no temporary
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"third").unwrap();
        drop(f.prepare().unwrap());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new contents");
        assert!(leftovers(&d).is_empty());
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn refuses_inputs_and_missing_directories() {
        let d = dir("check");
        let input = d.join("in.bin");
        std::fs::write(&input, "x").unwrap();
        let same = d.join(".").join("in.bin");
        assert!(matches!(
            check_output(&same, &[&input]),
            Err(OutputError::IsInput { .. })
        ));
        let link = d.join("hard.bin");
        std::fs::hard_link(&input, &link).unwrap();
        assert!(matches!(
            check_output(&link, &[&input]),
            Err(OutputError::IsInput { .. })
        ));
        assert!(matches!(
            check_output(&d.join("nodir/x.bin"), &[&input]),
            Err(OutputError::NoDirectory { .. })
        ));
        assert!(matches!(
            check_output(&d, &[]),
            Err(OutputError::IsDirectory(_))
        ));
        check_output(&d.join("new.bin"), &[&input]).unwrap();
        assert!(!d.join("new.bin").exists());
        assert!(leftovers(&d).is_empty());
        std::fs::remove_dir_all(&d).ok();
    }
}
