//! Shared helpers for the orbit vector tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/vectors/<sub>` beside the repository (or `$NTN_SHARED_VECTORS/<sub>`), if present.
pub fn shared_vectors(sub: &str) -> Option<PathBuf> {
    let base = std::env::var_os("NTN_SHARED_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"));
    let p = base.join(sub);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (the shared test vectors are not beside this checkout)",
            p.display()
        );
        None
    }
}

/// A file of the repository's own `vectors/data/`.
pub fn own_vector(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/data")
        .join(rel)
}
