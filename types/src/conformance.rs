//! The result of a conformance suite: one block (e.g. "SGP4", "NPBCH") checked against one
//! independent source of vectors, case by case. Each layer crate produces these from vector
//! text it is handed (no file access in the layers); `ntn conformance` and the vector tests
//! print and assert them.

use serde::{Deserialize, Serialize};

/// One checked case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// What was checked (e.g. a satellite number, a capture file).
    pub name: String,
    /// Whether every comparison of the case is within its tolerance.
    pub passed: bool,
    /// The measured figure (worst error, decoded fields) or the reason of a failure.
    pub detail: String,
}

/// A suite: one block against one source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteReport {
    /// Suite name, e.g. "sgp4-vallado".
    pub suite: String,
    /// The block under test, e.g. "orbit/SGP4".
    pub block: String,
    /// Where the vectors come from (document, tool and version).
    pub source: String,
    /// Tolerances applied.
    pub tolerance: String,
    /// The cases.
    pub cases: Vec<CaseResult>,
}

impl SuiteReport {
    /// An empty report.
    pub fn new(suite: &str, block: &str, source: &str, tolerance: &str) -> Self {
        SuiteReport {
            suite: suite.to_owned(),
            block: block.to_owned(),
            source: source.to_owned(),
            tolerance: tolerance.to_owned(),
            cases: Vec::new(),
        }
    }

    /// Record a case.
    pub fn case(&mut self, name: impl Into<String>, passed: bool, detail: impl Into<String>) {
        self.cases.push(CaseResult {
            name: name.into(),
            passed,
            detail: detail.into(),
        });
    }

    /// Number of passed cases.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// True when there is at least one case and every case passed.
    pub fn all_passed(&self) -> bool {
        !self.cases.is_empty() && self.cases.iter().all(|c| c.passed)
    }

    /// The failed cases, for assertion messages.
    pub fn failures(&self) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| !c.passed).collect()
    }
}

/// Hex digits of a vector file to bytes (ASCII whitespace ignored); `None` on an odd number
/// of digits or a non-hex character. Shared by the layers' conformance suites.
pub fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digits() {
        assert_eq!(hex_bytes("0aFf 10"), Some(vec![0x0a, 0xff, 0x10]));
        assert_eq!(hex_bytes("abc"), None);
        assert_eq!(hex_bytes("zz"), None);
        assert_eq!(hex_bytes("é1"), None);
    }

    #[test]
    fn counts() {
        let mut r = SuiteReport::new("s", "b", "src", "tol");
        assert!(!r.all_passed());
        r.case("a", true, "ok");
        r.case("b", false, "off by 2");
        assert_eq!(r.passed(), 1);
        assert!(!r.all_passed());
        assert_eq!(r.failures()[0].name, "b");
    }
}
