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

/// Print every case of a conformance report, then assert it has at least `min_cases` cases,
/// all passed, and return the rows counted in the cases' details ("N rows, …").
pub fn check_report(r: &ntn_types::conformance::SuiteReport, min_cases: usize) -> usize {
    for c in &r.cases {
        let verdict = if c.passed { "pass" } else { "FAIL" };
        eprintln!("{} {}: {verdict} — {}", r.suite, c.name, c.detail);
    }
    assert!(r.cases.len() >= min_cases, "{} cases", r.cases.len());
    assert!(r.all_passed(), "{:?}", r.failures());
    r.cases
        .iter()
        .filter_map(|c| c.detail.split(' ').next()?.parse::<usize>().ok())
        .sum()
}
