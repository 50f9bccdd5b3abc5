//! `ntn conformance`: run every conformance suite whose vectors are present and print a
//! pass/fail table per block with the source of each vector set — the first thing a
//! conformance user runs. Our own reference vectors (vectors/data) are compiled in; third-party
//! vectors (3GPP test sets, captures, the Vallado set) are read from `--vectors DIR`.

use crate::output::{Cell, Format, OutputArgs, Table, emit};
use anyhow::{Result, bail};
use clap::Args;
use ntn_types::conformance::SuiteReport;
use std::path::{Path, PathBuf};

/// Options of `ntn conformance`.
#[derive(Args, Debug)]
pub struct ConformanceArgs {
    /// Directory of third-party vectors (the project's shared/vectors layout) [default:
    /// $NTN_SHARED_VECTORS, else ../shared/vectors].
    #[arg(long, value_name = "DIR")]
    pub vectors: Option<PathBuf>,
    /// Run only the suites whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub suite: Option<String>,
    /// List every case, not only the suite totals.
    #[arg(long)]
    pub cases: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where a suite's vectors come from.
enum Vectors {
    /// Compiled in: (name, text) pairs.
    Own(&'static [(&'static str, &'static str)]),
    /// Files relative to the shared vectors directory.
    Shared(&'static [&'static str]),
}

struct Suite {
    name: &'static str,
    vectors: Vectors,
    run: fn(&[Vec<u8>]) -> SuiteReport,
}

/// Vector file contents as text (the orbit suites' files are text).
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

const ORBIT_TLES: &str = include_str!("../vectors/data/orbit/reference_tles.tle");
const SKYFIELD_LOOK: &str = include_str!("../vectors/data/orbit/skyfield_look_angles.json");
const SKYFIELD_PASSES: &str = include_str!("../vectors/data/orbit/skyfield_passes.json");

/// Every registered suite. A layer adds its suites here as a library function over vector
/// text (see `ntn_orbit::conformance`).
fn registry() -> Vec<Suite> {
    vec![
        Suite {
            name: "sgp4-vallado",
            vectors: Vectors::Shared(&[
                "sgp4-verification/SGP4-VER.TLE",
                "sgp4-verification/tcppver.out",
            ]),
            run: |t| ntn_orbit::conformance::sgp4_vallado(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "skyfield-look-angles",
            vectors: Vectors::Own(&[
                ("vectors/data/orbit/reference_tles.tle", ORBIT_TLES),
                (
                    "vectors/data/orbit/skyfield_look_angles.json",
                    SKYFIELD_LOOK,
                ),
            ]),
            run: |t| ntn_orbit::conformance::skyfield_look_angles(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "skyfield-passes",
            vectors: Vectors::Own(&[
                ("vectors/data/orbit/reference_tles.tle", ORBIT_TLES),
                ("vectors/data/orbit/skyfield_passes.json", SKYFIELD_PASSES),
            ]),
            run: |t| ntn_orbit::conformance::skyfield_passes(&text(&t[0]), &text(&t[1])),
        },
        Suite {
            name: "nbiot-dl-captures",
            vectors: Vectors::Shared(&NBIOT_CAPTURES),
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

fn shared_dir(arg: &Option<PathBuf>) -> PathBuf {
    arg.clone()
        .or_else(|| std::env::var_os("NTN_SHARED_VECTORS").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("../shared/vectors"))
}

fn load(dir: &Path, files: &[&str]) -> std::result::Result<Vec<Vec<u8>>, String> {
    files
        .iter()
        .map(|f| {
            let p = dir.join(f);
            std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

pub fn run(a: ConformanceArgs) -> Result<()> {
    let dir = shared_dir(&a.vectors);
    let suites: Vec<Suite> = registry()
        .into_iter()
        .filter(|s| a.suite.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if suites.is_empty() {
        bail!("no suite matches {:?}", a.suite.unwrap_or_default());
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
    let (mut failed, mut skipped) = (0, 0);
    for s in &suites {
        let texts = match &s.vectors {
            Vectors::Own(v) => Ok(v.iter().map(|(_, t)| t.as_bytes().to_vec()).collect()),
            Vectors::Shared(files) => load(&dir, files),
        };
        let texts = match texts {
            Ok(t) => t,
            Err(why) => {
                skipped += 1;
                table.push(vec![
                    Cell::Text(s.name.into()),
                    Cell::Text(String::new()),
                    Cell::Text("skipped".into()),
                    Cell::Text("-".into()),
                    Cell::Text(format!("vectors absent: {why}")),
                ]);
                continue;
            }
        };
        let r = (s.run)(&texts);
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
        reports.push(r);
    }
    table.summary("vectors_dir", dir.display().to_string());
    table.summary("suites_failed", failed);
    table.summary("suites_skipped", skipped);
    let text = match a.output.format {
        Format::Json => {
            let mut v = table.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("reports".into(), serde_json::to_value(&reports)?);
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
    if failed > 0 {
        bail!("{failed} conformance suite(s) failed");
    }
    Ok(())
}
