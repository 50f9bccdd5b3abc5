//! What the end-to-end tests of the `ntn` binary share.

use std::process::Command;

/// Runs `ntn ARGS` in the temporary directory (so default output files land there):
/// `(success, stdout, stderr)`.
pub fn ntn(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("ntn runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}
