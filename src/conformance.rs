//! `ntn conformance`: run every conformance suite — one per vector set the repository holds,
//! plus the third-party sets under `--vectors` — and print a pass/fail table per block with
//! the source of each vector set; `--junit FILE` writes JUnit XML for CI systems.
//!
//! Our own vectors (`vectors/data/…`, `assets/tle/…`) are compiled in; `--own-vectors DIR`
//! reads them from a checkout instead. Third-party vectors (3GPP captures, the Vallado set)
//! are read from `--vectors DIR`. The exit status is non-zero when a suite fails, and when a
//! vector file is missing from a directory given on the command line (unless
//! `--allow-missing`, which reports those suites as skipped). With no `--vectors`, suites
//! whose shared vectors are absent are skipped with the reason.

use crate::output::{Cell, Format, OutputArgs, Table, emit};
use anyhow::{Result, bail};
use clap::Args;
use ntn_types::conformance::SuiteReport;
use std::path::{Path, PathBuf};

/// Options of `ntn conformance`.
#[derive(Args, Debug)]
pub struct ConformanceArgs {
    /// Directory of third-party vectors (the project's shared/vectors layout) [default:
    /// $NTN_SHARED_VECTORS, else ../shared/vectors; absent then means "skipped"].
    #[arg(long, value_name = "DIR")]
    pub vectors: Option<PathBuf>,
    /// Read the repository's own vectors (vectors/data/…, assets/tle/…) from this checkout
    /// root instead of the copies compiled into ntn.
    #[arg(long, value_name = "DIR")]
    pub own_vectors: Option<PathBuf>,
    /// Report suites whose vectors are missing from a directory given on the command line
    /// as skipped instead of failing.
    #[arg(long)]
    pub allow_missing: bool,
    /// Also write the results as JUnit XML (one testsuite per suite, one testcase per case).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run only the suites whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub suite: Option<String>,
    /// List every case, not only the suite totals.
    #[arg(long)]
    pub cases: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// One vector file of a suite.
enum VectorFile {
    /// Ours: its path in the repository and the copy compiled in.
    Own(&'static str, &'static [u8]),
    /// Third-party: its path under the shared vectors directory.
    Shared(&'static str),
}

/// An own vector file, compiled in from its repository path.
macro_rules! own {
    ($path:literal) => {
        VectorFile::Own($path, include_bytes!(concat!("../", $path)))
    };
}

struct Suite {
    name: &'static str,
    files: Vec<VectorFile>,
    run: fn(&[Vec<u8>]) -> SuiteReport,
}

/// Vector file contents as text (lossy: a corrupted byte shows as U+FFFD and fails the suite's
/// parsing or comparison, never the program).
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const NBIOT_CAPTURES: [&str; 6] = [
    "srsran-captures/signal_nbiot_amari_nid0_sfn514_sib2.bin",
    "srsran-captures/signal_nbiot_nid256_r14_sf0.bin",
    "srsran-captures/signal_nbiot_nid257_r13_sf0.bin",
    "srsran-captures/signal_nbiot_nid257_r14_sf0.bin",
    "srsran-captures/signal_nbiot_dci_formatN0_L_1_nid0_tti_8624_rnti_0x102.bin",
    "srsran-captures/signal_nbiot_dci_formatN1_nid0_tti_5461_rnti_0x89.bin",
];

/// Every registered suite. A layer adds its suites here as a library function over vector
/// text (see `ntn_orbit::conformance`), the same function its vector test calls.
fn registry() -> Vec<Suite> {
    vec![
        Suite {
            name: "sgp4-vallado",
            files: vec![
                VectorFile::Shared("sgp4-verification/SGP4-VER.TLE"),
                VectorFile::Shared("sgp4-verification/tcppver.out"),
            ],
            run: |t| ntn_orbit::conformance::sgp4_vallado(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "skyfield-look-angles",
            files: vec![
                own!("vectors/data/orbit/reference_tles.tle"),
                own!("vectors/data/orbit/skyfield_look_angles.json"),
            ],
            run: |t| ntn_orbit::conformance::skyfield_look_angles(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "skyfield-passes",
            files: vec![
                own!("vectors/data/orbit/reference_tles.tle"),
                own!("vectors/data/orbit/skyfield_passes.json"),
            ],
            run: |t| ntn_orbit::conformance::skyfield_passes(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "skyfield-eop-track",
            files: vec![
                own!("vectors/data/orbit/reference_tles.tle"),
                own!("assets/tle/default.tle"),
                own!("vectors/data/orbit/skyfield_eop_track.json"),
                own!("orbit/data/eop_finals2000A.txt"),
            ],
            run: |t| {
                let catalog = format!("{}\n{}", text(&t[0]), text(&t[1]));
                match ntn_orbit::EopTable::parse(&text(&t[3])) {
                    Ok(table) => {
                        ntn_orbit::conformance::skyfield_eop_track(&catalog, &text(&t[2]), &table)
                    }
                    Err(e) => failed_to_load(
                        "skyfield-eop-track",
                        "orbit/frames+EOP",
                        "orbit/data/eop_finals2000A.txt",
                        &e.to_string(),
                    ),
                }
            },
        },
        Suite {
            name: "tr38821-geometry",
            files: vec![],
            run: |_| ntn_orbit::conformance::tr38821_geometry(),
        },
        Suite {
            name: "skyfield-coverage",
            files: vec![
                own!("vectors/data/coverage/walker72.tle"),
                own!("vectors/data/coverage/skyfield_coverage.json"),
            ],
            run: |t| ntn_coverage::conformance::skyfield_coverage(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "p676-itur",
            files: vec![own!("vectors/data/sim/p676_itur.json")],
            run: |t| ntn_sim::conformance::p676_itur(&text(&t[0])),
        },
        Suite {
            name: "tdl-statistics",
            files: vec![],
            run: |_| ntn_sim::conformance::tdl_statistics(10_000),
        },
        Suite {
            name: "link-budget-tr38821",
            files: vec![],
            run: |_| ntn_sim::conformance::link_budget_tr38821(),
        },
        Suite {
            name: "eea-eia-33401",
            files: vec![own!("vectors/data/security/eea_eia_33401.toml")],
            run: |t| ntn_security::conformance::eea_eia_33401(&text(&t[0])),
        },
        Suite {
            name: "snow3g-keystream",
            files: vec![own!("vectors/data/security/snow3g_keystream.toml")],
            run: |t| ntn_security::conformance::snow3g_keystream(&text(&t[0])),
        },
        Suite {
            name: "kdf-key-hierarchy",
            files: vec![own!("vectors/data/security/kdf.toml")],
            run: |t| ntn_security::conformance::kdf_vectors(&text(&t[0])),
        },
        Suite {
            name: "suci-ecies-33501",
            files: vec![own!("vectors/data/security/suci_ecies_33501.toml")],
            run: |t| ntn_security::conformance::suci_ecies_33501(&text(&t[0])),
        },
        Suite {
            name: "milenage-35208",
            files: vec![own!("vectors/data/security/milenage_35208.toml")],
            run: |t| ntn_security::conformance::milenage_35208(&text(&t[0])),
        },
        Suite {
            name: "turbo-36212",
            files: vec![own!("vectors/data/phy/ul/turbo_reference.txt")],
            run: |t| ntn_phy::conformance::turbo_reference(&text(&t[0])),
        },
        Suite {
            name: "npusch-36211",
            files: vec![own!("vectors/data/phy/ul/npusch_sequences.txt")],
            run: |t| ntn_phy::conformance::npusch_sequences(&text(&t[0])),
        },
        Suite {
            name: "rrc-nb-pycrate",
            files: vec![
                own!("vectors/data/rrc/nb_pycrate.json"),
                own!("vectors/data/rrc/nb_ours.json"),
            ],
            run: |t| ntn_rrc::conformance::pycrate_nb(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "nas-eps-pycrate",
            files: vec![own!("vectors/data/nas/eps_pycrate.json")],
            run: |t| ntn_nas::conformance::pycrate_eps(&text(&t[0])),
        },
        Suite {
            name: "nas-5gs-pycrate",
            files: vec![own!("vectors/data/nas/5gs_pycrate.json")],
            run: |t| ntn_nas::conformance::pycrate_5gs(&text(&t[0])),
        },
        Suite {
            name: "l2-pdus",
            files: vec![own!("vectors/data/mac/l2_pdus.toml")],
            run: |t| ntn_mac::conformance::l2_pdus(&text(&t[0])),
        },
        Suite {
            name: "link-curves-awgn",
            files: vec![
                own!("vectors/data/phy/link_npdsch_awgn.csv"),
                own!("vectors/data/phy/link_npdcch_awgn.csv"),
            ],
            run: |t| {
                let (a, b) = (text(&t[0]), text(&t[1]));
                ntn_phy::conformance::link_curves_awgn(&[&a, &b])
            },
        },
        Suite {
            name: "link-curves-tdlc",
            files: vec![
                own!("vectors/data/phy/link_npdsch_tdlc.csv"),
                own!("vectors/data/phy/link_npdcch_tdlc.csv"),
                own!("vectors/data/phy/link_npss_tdlc.csv"),
                own!("vectors/data/phy/link_npbch_tdlc.csv"),
            ],
            run: |t| {
                let texts: Vec<String> = t.iter().map(|b| text(b)).collect();
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                ntn_sim::conformance::link_curves_tdlc(&refs)
            },
        },
        Suite {
            name: "nbiot-dl-captures",
            files: NBIOT_CAPTURES
                .iter()
                .map(|&f| VectorFile::Shared(f))
                .collect(),
            run: |t| {
                ntn_phy::conformance::nbiot_dl_captures(&|name| {
                    NBIOT_CAPTURES
                        .iter()
                        .position(|f| f.ends_with(name))
                        .and_then(|i| t.get(i).cloned())
                })
            },
        },
    ]
}

/// A suite whose vectors could not be loaded at all: one failed case saying why.
fn failed_to_load(suite: &str, block: &str, file: &str, why: &str) -> SuiteReport {
    let mut r = SuiteReport::new(suite, block, file, "-");
    r.case(file, false, why);
    r
}

/// Where the shared vectors are, and whether the user named that directory.
fn shared_dir(arg: &Option<PathBuf>) -> (PathBuf, bool) {
    match arg {
        Some(p) => (p.clone(), true),
        None => match std::env::var_os("NTN_SHARED_VECTORS") {
            Some(p) => (PathBuf::from(p), false),
            None => (PathBuf::from("../shared/vectors"), false),
        },
    }
}

/// What became of a suite.
enum Outcome {
    Ran(SuiteReport),
    /// Vectors absent where that is allowed: the reason.
    Skipped(String),
    /// Vectors absent from a directory the user named: the reason.
    Missing(String),
}

/// Load a suite's files: `Err((reason, user_named))` when one is missing.
fn load(
    files: &[VectorFile],
    shared: &(PathBuf, bool),
    own: Option<&Path>,
) -> std::result::Result<Vec<Vec<u8>>, (String, bool)> {
    files
        .iter()
        .map(|f| match (f, own) {
            (VectorFile::Own(_, bytes), None) => Ok(bytes.to_vec()),
            (VectorFile::Own(rel, _), Some(root)) => {
                let p = root.join(rel);
                std::fs::read(&p).map_err(|e| (format!("{}: {e}", p.display()), true))
            }
            (VectorFile::Shared(rel), _) => {
                let p = shared.0.join(rel);
                std::fs::read(&p).map_err(|e| (format!("{}: {e}", p.display()), shared.1))
            }
        })
        .collect()
}

pub fn run(a: ConformanceArgs) -> Result<()> {
    let shared = shared_dir(&a.vectors);
    if let Some(root) = &a.own_vectors
        && !root.is_dir()
        && !a.allow_missing
    {
        bail!(
            "--own-vectors {}: not a directory (--allow-missing reports its suites as skipped)",
            root.display()
        );
    }
    if shared.1 && !shared.0.is_dir() && !a.allow_missing {
        bail!(
            "--vectors {}: not a directory (--allow-missing reports its suites as skipped)",
            shared.0.display()
        );
    }
    let suites: Vec<Suite> = registry()
        .into_iter()
        .filter(|s| a.suite.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if suites.is_empty() {
        bail!("no suite matches {:?}", a.suite.unwrap_or_default());
    }
    let outcomes: Vec<(&'static str, Outcome)> = suites
        .iter()
        .map(|s| {
            let o = match load(&s.files, &shared, a.own_vectors.as_deref()) {
                Ok(bytes) => Outcome::Ran((s.run)(&bytes)),
                Err((why, true)) if !a.allow_missing => Outcome::Missing(why),
                Err((why, _)) => Outcome::Skipped(why),
            };
            (s.name, o)
        })
        .collect();
    if let Some(path) = &a.junit {
        crate::output::write_file(path, junit_xml(&outcomes).as_bytes())?;
    }
    let mut table = Table::new(
        "Conformance",
        &[
            ("suite", ""),
            ("block", ""),
            ("result", ""),
            ("cases", ""),
            ("source", ""),
        ],
    );
    let mut case_table = Table::new(
        "",
        &[("suite", ""), ("case", ""), ("result", ""), ("detail", "")],
    );
    let mut reports = Vec::new();
    let mut skipped_json = Vec::new();
    let (mut failed, mut skipped, mut missing) = (0, 0, 0);
    for (name, o) in outcomes {
        let (missing_now, why) = match o {
            Outcome::Ran(r) => {
                reports.push(r);
                continue;
            }
            Outcome::Skipped(why) => (false, why),
            Outcome::Missing(why) => (true, why),
        };
        if missing_now {
            missing += 1;
        } else {
            skipped += 1;
        }
        let verdict = if missing_now { "MISSING" } else { "skipped" };
        table.push(vec![
            Cell::Text(name.into()),
            Cell::Text(String::new()),
            Cell::Text(verdict.into()),
            Cell::Text("-".into()),
            Cell::Text(format!("{verdict}: vectors absent: {why}")),
        ]);
        skipped_json.push(serde_json::json!({
            "suite": name,
            "result": verdict.to_lowercase(),
            "reason": format!("vectors absent: {why}"),
        }));
    }
    for r in &reports {
        let ok = r.all_passed();
        if !ok {
            failed += 1;
        }
        table.push(vec![
            Cell::Text(r.suite.clone()),
            Cell::Text(r.block.clone()),
            Cell::Text(if ok { "pass" } else { "FAIL" }.into()),
            Cell::Text(format!("{}/{}", r.passed(), r.cases.len())),
            Cell::Text(r.source.clone()),
        ]);
        for c in &r.cases {
            if a.cases || !c.passed {
                case_table.push(vec![
                    Cell::Text(r.suite.clone()),
                    Cell::Text(c.name.clone()),
                    Cell::Text(if c.passed { "pass" } else { "FAIL" }.into()),
                    Cell::Text(c.detail.clone()),
                ]);
            }
        }
    }
    table.summary("vectors_dir", shared.0.display().to_string());
    table.summary("suites_run", reports.len());
    table.summary("suites_failed", failed);
    table.summary("suites_skipped", skipped);
    table.summary("suites_missing", missing);
    let text = match a.output.format {
        Format::Json => {
            let mut v = table.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("reports".into(), serde_json::to_value(&reports)?);
                o.insert("not_run".into(), serde_json::Value::Array(skipped_json));
            }
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        f => {
            let mut t = table.render(f);
            if !case_table.rows.is_empty() {
                t.push('\n');
                t.push_str(&case_table.render(f));
            }
            t
        }
    };
    emit(&a.output, &text)?;
    if failed > 0 || missing > 0 {
        bail!(
            "{failed} conformance suite(s) failed, {missing} with vectors missing{}",
            if missing > 0 {
                " (--allow-missing reports them as skipped)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// XML text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `<testsuite>` per suite, one `<testcase>` per case; a failed case carries a
/// `<failure message=…>`, a skipped or missing suite one testcase that is `<skipped>` or failed.
fn junit_xml(outcomes: &[(&'static str, Outcome)]) -> String {
    let mut body = String::new();
    let (mut tests, mut failures, mut skips) = (0usize, 0usize, 0usize);
    for (name, o) in outcomes {
        let n = xml_escape(name);
        match o {
            Outcome::Ran(r) => {
                let f = r.cases.len() - r.passed();
                // A suite with no case is a failure (SuiteReport::all_passed).
                let empty = r.cases.is_empty();
                tests += r.cases.len().max(1);
                failures += f + usize::from(empty);
                body.push_str(&format!(
                    "  <testsuite name=\"{n}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n",
                    r.cases.len().max(1),
                    f + usize::from(empty)
                ));
                body.push_str(&format!(
                    "    <properties>\n      <property name=\"block\" value=\"{}\"/>\n      \
                     <property name=\"source\" value=\"{}\"/>\n      <property name=\"tolerance\" \
                     value=\"{}\"/>\n    </properties>\n",
                    xml_escape(&r.block),
                    xml_escape(&r.source),
                    xml_escape(&r.tolerance)
                ));
                for c in &r.cases {
                    let cn = xml_escape(&c.name);
                    let d = xml_escape(&c.detail);
                    if c.passed {
                        body.push_str(&format!(
                            "    <testcase classname=\"{n}\" name=\"{cn}\">\n      \
                             <system-out>{d}</system-out>\n    </testcase>\n"
                        ));
                    } else {
                        body.push_str(&format!(
                            "    <testcase classname=\"{n}\" name=\"{cn}\">\n      \
                             <failure message=\"{d}\">{d}</failure>\n    </testcase>\n"
                        ));
                    }
                }
                if empty {
                    body.push_str(&format!(
                        "    <testcase classname=\"{n}\" name=\"cases\">\n      \
                         <failure message=\"the suite checked no case\"/>\n    </testcase>\n"
                    ));
                }
            }
            Outcome::Skipped(why) | Outcome::Missing(why) => {
                let missing = matches!(o, Outcome::Missing(_));
                let w = xml_escape(&format!("vectors absent: {why}"));
                tests += 1;
                let inner = if missing {
                    failures += 1;
                    format!("<failure message=\"{w}\"/>")
                } else {
                    skips += 1;
                    format!("<skipped message=\"{w}\"/>")
                };
                body.push_str(&format!(
                    "  <testsuite name=\"{n}\" tests=\"1\" failures=\"{}\" errors=\"0\" \
                     skipped=\"{}\">\n    <testcase classname=\"{n}\" name=\"vectors\">\n      \
                     {inner}\n    </testcase>\n  </testsuite>\n",
                    usize::from(missing),
                    usize::from(!missing)
                ));
                continue;
            }
        }
        body.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ntn conformance\" \
         tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skips}\">\n{body}\
         </testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_escapes_and_counts() {
        let mut r = SuiteReport::new("s<1>", "b", "src \"x\"", "tol");
        r.case("a&b", true, "fine");
        r.case("c", false, "off by <2>");
        let x = junit_xml(&[
            ("s<1>", Outcome::Ran(r)),
            ("t", Outcome::Skipped("no dir".into())),
            ("u", Outcome::Missing("gone".into())),
        ]);
        assert!(
            x.contains("tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\""),
            "{x}"
        );
        assert!(x.contains("name=\"s&lt;1&gt;\""), "{x}");
        assert!(x.contains("<failure message=\"off by &lt;2&gt;\">"), "{x}");
        assert!(
            x.contains("<skipped message=\"vectors absent: no dir\"/>"),
            "{x}"
        );
        assert_eq!(x.matches("<testsuite ").count(), 3);
        assert_eq!(xml_escape("a\u{1}b"), "a\u{FFFD}b");
    }
}
