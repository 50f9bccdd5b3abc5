//! `src/generated.rs` and `src/random.rs` are what `gen.py` makes from the ASN.1 modules in
//! `../shared/asn1/36331-h40/` (skipped, with a note, where python3 or that folder is missing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn generated_code_matches_the_generator() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let asn1 = here.join("../../../shared/asn1/36331-h40");
    if !asn1.is_dir() {
        eprintln!("skipped: no ASN.1 modules at {}", asn1.display());
        return;
    }
    let Ok(out) = Command::new("python3")
        .arg(here.join("gen.py"))
        .arg("--check")
        .output()
    else {
        eprintln!("skipped: no python3");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
