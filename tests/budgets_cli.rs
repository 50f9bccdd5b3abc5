//! Issue 21, resource budgets and atomic outputs, through the `ntn` binary: outputs that are
//! inputs refused before any work, sizes refused with their estimate and the flag that
//! raises the limit, Ctrl-C leaving the previous files and no temporary, `--plot` refused
//! where nothing is drawn.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// test code: a failure is the report
// Ctrl-C is tested for real: a child process is signalled while it runs, which needs the wall
// clock (to wait for the run to be under way, bounded by a timeout) and short sleeps.
#![allow(clippy::disallowed_methods)]

mod common;
use common::ntn;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntn-budgets-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A cf32_le SigMF pair of `samples` samples (a slow tone), written in blocks.
fn recording(dir: &Path, name: &str, samples: usize) -> PathBuf {
    use std::io::Write;
    let meta = dir.join(format!("{name}.sigmf-meta"));
    std::fs::write(
        &meta,
        r#"{"global":{"core:datatype":"cf32_le","core:sample_rate":1920000,"core:version":"1.0.0"},"captures":[{"core:sample_start":0,"core:frequency":2185000000}],"annotations":[]}"#,
    )
    .unwrap();
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(dir.join(format!("{name}.sigmf-data"))).unwrap(),
    );
    let mut block = Vec::with_capacity(8 * 4096);
    for start in (0..samples).step_by(4096) {
        block.clear();
        for i in start..(start + 4096).min(samples) {
            let (sin, cos) = (i as f32 * 0.01).sin_cos();
            block.extend_from_slice(&cos.to_le_bytes());
            block.extend_from_slice(&sin.to_le_bytes());
        }
        w.write_all(&block).unwrap();
    }
    w.flush().unwrap();
    meta
}

/// `ntn channel --in IN --out OUT --quiet EXTRA…`.
fn channel(input: &Path, out: &Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["channel", "--in", s(input), "--out", s(out), "--quiet"];
    args.extend_from_slice(extra);
    ntn(&args)
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ntn-tmp"))
        .collect()
}

/// Was: the input truncated to 0 bytes and exit 0.
#[test]
fn channel_refuses_to_write_over_its_input() {
    let d = dir("inplace");
    let input = recording(&d, "a", 10_000);
    let data = d.join("a.sigmf-data");
    let before = (
        std::fs::read(&input).unwrap(),
        std::fs::read(&data).unwrap(),
    );
    // the same meta, the same meta by another spelling, and the data file's name as the meta
    let other_spelling = d.join("sub").join("..").join("a.sigmf-meta");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    for out in [input.clone(), other_spelling] {
        let (ok, _, err) = channel(&input, &out, &[]);
        assert!(!ok, "accepted --out {}", out.display());
        assert!(err.contains("refusing to overwrite"), "{err}");
    }
    // a hard link to the data file as the output's data file
    std::fs::hard_link(&data, d.join("linked.sigmf-data")).unwrap();
    let (ok, _, err) = channel(&input, &d.join("linked.sigmf-meta"), &[]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    assert_eq!(
        (
            std::fs::read(&input).unwrap(),
            std::fs::read(&data).unwrap()
        ),
        before
    );
    // an output in a directory that does not exist: refused before any work
    let (ok, _, err) = channel(&input, &d.join("missing/b.sigmf-meta"), &[]);
    assert!(!ok && err.contains("does not exist"), "{err}");
    assert!(temporaries(&d).is_empty());
    std::fs::remove_dir_all(&d).ok();
}

/// Was: an abort on allocating 8 TB.
#[test]
fn channel_block_beyond_the_memory_limit_is_refused() {
    let d = dir("block");
    let input = recording(&d, "a", 1000);
    let out = d.join("b.sigmf-meta");
    let (ok, _, err) = channel(&input, &out, &["--block", "1000000000000"]);
    assert!(!ok);
    assert!(
        err.contains("--max-memory") && err.contains("TiB") && err.contains("--block"),
        "{err}"
    );
    assert!(!out.exists() && temporaries(&d).is_empty());
    // the same block size fits when the limit is raised past it (here: a small block and
    // a limit below it, then above it)
    let (ok, _, err) = channel(&input, &out, &["--block", "100000", "--max-memory", "1MiB"]);
    assert!(!ok && err.contains("--max-memory"), "{err}");
    let (ok, _, err) = channel(&input, &out, &["--block", "100000", "--max-memory", "8MiB"]);
    assert!(ok, "{err}");
    assert_eq!(
        std::fs::metadata(d.join("b.sigmf-data")).unwrap().len(),
        8000
    );
    std::fs::remove_dir_all(&d).ok();
}

/// Sends SIGINT to a child with `kill -INT`; false when there is no `kill` to run.
fn interrupt(pid: u32) -> bool {
    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// Was: a half-written .sigmf-data beside the old, valid-looking .sigmf-meta.
#[test]
fn ctrl_c_in_channel_leaves_the_previous_outputs_and_no_temporary() {
    if Command::new("kill").arg("-l").output().is_err() {
        println!("SKIP: no kill command to send SIGINT");
        return;
    }
    let d = dir("sigint");
    // long enough that the run is still going when the signal comes
    let input = recording(&d, "big", 12_000_000);
    let out = d.join("out.sigmf-meta");
    let out_data = d.join("out.sigmf-data");
    std::fs::write(&out, "previous meta").unwrap();
    std::fs::write(&out_data, "previous data").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args(["channel", "--in", s(&input), "--out", s(&out), "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the data temporary exists and has grown: the run is under way
    let t0 = Instant::now();
    loop {
        let growing = std::fs::read_dir(&d).unwrap().any(|e| {
            let e = e.unwrap();
            e.file_name().to_string_lossy().contains("ntn-tmp")
                && e.metadata().unwrap().len() > 1 << 20
        });
        if growing {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "channel ended before it could be interrupted"
        );
        assert!(t0.elapsed() < Duration::from_secs(120), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(interrupt(child.id()));
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted") && err.contains("unchanged"),
        "{err}"
    );
    assert!(
        err.contains("out.sigmf-meta") && err.contains("out.sigmf-data"),
        "{err}"
    );
    assert!(err.contains("no output was written"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous meta");
    assert_eq!(std::fs::read_to_string(&out_data).unwrap(), "previous data");
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    std::fs::remove_dir_all(&d).ok();
}

/// Was: link-sim ran 4e9 trials with no progress and no end in sight.
#[test]
fn link_sim_trials_beyond_the_budget_are_refused_and_ctrl_c_stops_a_run() {
    let (ok, _, err) = ntn(&["link-sim", "npss", "--trials", "4000000000"]);
    assert!(!ok);
    assert!(
        err.contains("--max-trials") && err.contains("9 SNR points"),
        "{err}"
    );
    if Command::new("kill").arg("-l").output().is_err() {
        println!("SKIP: no kill command to send SIGINT");
        return;
    }
    let d = dir("linksim");
    let csv = d.join("curve.csv");
    std::fs::write(&csv, "previous").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args([
            "link-sim",
            "npss",
            "--trials",
            "20000000",
            "--max-trials",
            "1000000000",
            "--csv",
            s(&csv),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none());
    assert!(interrupt(child.id()));
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "previous");
    assert!(temporaries(&d).is_empty());
    std::fs::remove_dir_all(&d).ok();
}

/// Was: a 10⁸-satellite shell and fine grids allocated terabytes with no estimate.
#[test]
fn coverage_estimates_memory_before_allocating() {
    let d = dir("coverage");
    let out = d.join("out");
    let t0 = Instant::now();
    // 10⁸ satellites: refused when the shell is read (no filed constellation is near it).
    let (ok, _, err) = ntn(&[
        "coverage",
        "--walker",
        "100000000/1000/1,550,53",
        "--out-dir",
        s(&out),
        "--quiet",
    ]);
    assert!(!ok);
    assert!(err.contains("100000000 satellites"), "{err}");
    // A plausible shell whose satellites alone need more than the limit: the estimate says so.
    let (ok, _, err) = ntn(&[
        "coverage",
        "--walker",
        "1000000/1000/1,550,53",
        "--max-memory",
        "512MiB",
        "--out-dir",
        s(&out),
        "--quiet",
    ]);
    assert!(!ok);
    assert!(
        err.contains("--max-memory") && err.contains("1000000 satellites"),
        "{err}"
    );
    let (ok, _, err) = ntn(&[
        "coverage",
        "--res",
        "0.05",
        "--step",
        "1s",
        "--duration",
        "1d",
        "--out-dir",
        s(&out),
        "--quiet",
    ]);
    assert!(!ok && err.contains("--max-memory"), "{err}");
    // refused at once, not after allocating
    assert!(t0.elapsed() < Duration::from_secs(20));
    assert!(!out.join("summary.json").exists());
    std::fs::remove_dir_all(&d).ok();
}

/// Ctrl-C in the middle of a coverage run: exit 130, the previous outputs as they were.
#[test]
fn ctrl_c_in_coverage_keeps_the_previous_outputs() {
    if Command::new("kill").arg("-l").output().is_err() {
        println!("SKIP: no kill command to send SIGINT");
        return;
    }
    let d = dir("covint");
    std::fs::write(d.join("summary.json"), "previous").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args([
            "coverage",
            "--preset",
            "starlink-like",
            "--res",
            "2",
            "--duration",
            "7d",
            "--step",
            "10s",
            "--out-dir",
            s(&d),
            "--quiet",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(child.try_wait().unwrap().is_none(), "ended before Ctrl-C");
    assert!(interrupt(child.id()));
    let output = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{err}");
    assert!(err.contains("no output was written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("summary.json")).unwrap(),
        "previous"
    );
    assert!(!d.join("cells.csv").exists() && temporaries(&d).is_empty());
    std::fs::remove_dir_all(&d).ok();
}

/// Was: `orbit passes --duration 1e12s` ran away.
#[test]
fn orbit_passes_refuses_absurd_spans() {
    let (ok, _, err) = ntn(&["orbit", "passes", "--duration", "1e12s"]);
    assert!(!ok);
    assert!(err.contains("at most 100 years"), "{err}");
    let (ok, _, err) = ntn(&["orbit", "passes", "--duration", "400d"]);
    assert!(!ok);
    assert!(err.contains("--max-duration"), "{err}");
    let (ok, out, err) = ntn(&["orbit", "passes", "--duration", "2d", "--format", "json"]);
    assert!(ok, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(j["passes"].as_u64().unwrap() > 0);
}

/// Was: `--plot` accepted and ignored by commands that draw nothing.
#[test]
fn plot_is_refused_where_nothing_is_drawn() {
    let plot = std::env::temp_dir().join(format!("ntn-noplot-{}.png", std::process::id()));
    for args in [
        &["link-budget", "--plot"][..],
        &["orbit", "passes", "--duration", "1h", "--plot"][..],
        &["orbit", "ephemeris", "--plot"][..],
        &["conformance", "--plot"][..],
        &["nbiot", "scan", "x.sigmf-meta", "--plot"][..],
    ] {
        let mut a = args.to_vec();
        a.push(s(&plot));
        let (ok, _, err) = ntn(&a);
        assert!(!ok, "{args:?} accepted --plot");
        assert!(err.contains("--plot"), "{args:?}: {err}");
        assert!(!plot.exists());
    }
}

/// `--out` goes through a temporary and replaces the previous file whole.
#[test]
fn table_outputs_are_written_whole_and_never_over_an_input() {
    let d = dir("out");
    let out = d.join("track.csv");
    std::fs::write(&out, "previous").unwrap();
    let (ok, _, err) = ntn(&[
        "orbit",
        "track",
        "--duration",
        "5m",
        "--format",
        "csv",
        "--out",
        s(&out),
    ]);
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("time_UTC,"), "{text}");
    assert!(temporaries(&d).is_empty());
    // a scan whose --out is its own recording
    let rec = recording(&d, "r", 100);
    let (ok, _, err) = ntn(&["nbiot", "scan", s(&rec), "--out", s(&rec)]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    let (ok, _, err) = ntn(&[
        "nbiot",
        "scan",
        s(&rec),
        "--out",
        s(&d.join("r.sigmf-data")),
    ]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    assert!(std::fs::metadata(d.join("r.sigmf-data")).unwrap().len() == 800);
    // `ntn pass`: its element sets as --out, and a plot in a missing directory, refused
    // before the pass search
    let tle = d.join("sats.tle");
    std::fs::write(&tle, "not read").unwrap();
    let (ok, _, err) = ntn(&["pass", "--no-run", "--tle", s(&tle), "--out", s(&tle)]);
    assert!(!ok && err.contains("refusing to overwrite"), "{err}");
    assert_eq!(std::fs::read_to_string(&tle).unwrap(), "not read");
    let (ok, _, err) = ntn(&["pass", "--plot", s(&d.join("missing/p.png"))]);
    assert!(!ok && err.contains("does not exist"), "{err}");
    std::fs::remove_dir_all(&d).ok();
}
