//! Issue 21, validation at the edge: the `ntn` binary refuses bad configuration values when
//! it reads them, with the file, the key and the value in the message, and refuses models
//! outside their range unless `--extrapolate` is given (and then says so).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

mod common;
use common::ntn;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntn-validation-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn link_budget_at_60_ghz_is_refused_or_stated_as_extrapolated() {
    // Gas absorption by P.676 was 0 dB at 60 GHz, with exit 0.
    let (ok, _, err) = ntn(&["link-budget", "--freq-mhz", "60000"]);
    assert!(!ok);
    assert!(
        err.contains("--freq-mhz 60000") && err.contains("54 GHz"),
        "{err}"
    );
    // With the gas given by hand the TR 38.811 tables still do not reach 60 GHz …
    let (ok, _, err) = ntn(&["link-budget", "--freq-mhz", "60000", "--gas-zenith-db", "5"]);
    assert!(!ok);
    assert!(err.contains("--extrapolate"), "{err}");
    // … unless extrapolation is asked for, and then the output says what was extrapolated.
    let (ok, out, err) = ntn(&[
        "link-budget",
        "--freq-mhz",
        "60000",
        "--gas-zenith-db",
        "5",
        "--extrapolate",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    assert!(
        out.contains("extrapolated: TR 38.811 20 GHz tropospheric"),
        "{out}"
    );
    // In range, nothing is said.
    let (ok, out, err) = ntn(&["link-budget", "--format", "json"]);
    assert!(ok, "{err}");
    assert!(!out.contains("extrapolated"), "{out}");
    // NaN on the command line.
    let (ok, _, err) = ntn(&["link-budget", "--eirp-dbw", "NaN"]);
    assert!(!ok);
    assert!(err.contains("--eirp-dbw = NaN"), "{err}");
}

#[test]
fn nbiot_gen_config_with_nan_names_file_key_and_value() {
    let dir = scratch("gen");
    let cfg = dir.join("gen.toml");
    let out = dir.join("out.sigmf-meta");
    for (text, key) in [
        ("offset_hz = nan\n", "offset_hz = NaN"),
        ("snr_db = inf\n", "snr_db = inf"),
        ("start_sfn = 2000\n", "start_sfn = 2000"),
        ("system_info_value_tag = 40\n", "system_info_value_tag = 40"),
    ] {
        std::fs::write(&cfg, text).unwrap();
        let (ok, _, err) = ntn(&[
            "nbiot",
            "gen",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(!ok, "{text}");
        assert!(
            err.contains(&format!("{}: {key}", cfg.display())),
            "{text}: {err}"
        );
        assert!(!out.exists(), "{text}: an output was written");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn channel_scenario_with_unknown_keys_or_impossible_sites_is_refused() {
    let dir = scratch("channel");
    let rec = dir.join("in.sigmf-meta");
    let gen_cfg = dir.join("gen.toml");
    std::fs::write(&gen_cfg, "frames = 1\n").unwrap();
    let (ok, _, err) = ntn(&[
        "nbiot",
        "gen",
        "--config",
        gen_cfg.to_str().unwrap(),
        "--out",
        rec.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let scenario = dir.join("ch.toml");
    let out = dir.join("out.sigmf-meta");
    for (text, want) in [
        ("[noise]\nsnr = 3.0\n", "unknown field"),
        ("[orbit]\nue = [91.0, 0.0, 0.0]\n", "[orbit] ue[0] = 91"),
        (
            "[orbit]\nue = [45.0, 0.0, -1e9]\n",
            "[orbit] ue[2] = -1000000000",
        ),
        (
            "[fading]\nue_speed_kmh = nan\n",
            "[fading] ue_speed_kmh = NaN",
        ),
    ] {
        std::fs::write(&scenario, text).unwrap();
        let (ok, _, err) = ntn(&[
            "channel",
            "--in",
            rec.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(!ok, "{text}");
        assert!(
            err.contains(&scenario.display().to_string()),
            "{text}: {err}"
        );
        assert!(err.contains(want), "{text}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn coverage_merge_refuses_a_tampered_partial() {
    let dir = scratch("coverage");
    let part = |i: u32| {
        let path = dir.join(format!("p{i}.ntncov"));
        let (ok, _, err) = ntn(&[
            "coverage",
            "--walker",
            "24/6/1,550,53",
            "--res",
            "30",
            "--duration",
            "1h",
            "--step",
            "600s",
            "--shard",
            &format!("{i}/2"),
            "--partial",
            path.to_str().unwrap(),
            "--maps",
            "none",
            "--no-geojson",
            "--quiet",
            "--out-dir",
            dir.join("out").to_str().unwrap(),
        ]);
        assert!(ok, "{err}");
        path
    };
    let (a, b) = (part(1), part(2));
    let merged = dir.join("merged");
    let merge = |files: &[&PathBuf]| {
        let mut args = vec![
            "coverage",
            "merge",
            "--quiet",
            "--maps",
            "none",
            "--out-dir",
            merged.to_str().unwrap(),
        ];
        args.extend(files.iter().map(|p| p.to_str().unwrap()));
        ntn(&args)
    };
    let (ok, _, err) = merge(&[&a, &b]);
    assert!(ok, "{err}");
    // The merge estimates its memory from the parts' sizes before it reads them.
    let (ok, _, err) = ntn(&[
        "coverage",
        "merge",
        "--quiet",
        "--max-memory",
        "1KiB",
        "--out-dir",
        merged.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert!(
        !ok && err.contains("--max-memory") && err.contains("2 partial files"),
        "{err}"
    );
    // One changed byte in the middle of the second part.
    let mut bytes = std::fs::read(&b).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&b, &bytes).unwrap();
    let (ok, _, err) = merge(&[&a, &b]);
    assert!(!ok);
    assert!(
        err.contains("checksum") && err.contains("p2.ntncov"),
        "{err}"
    );
    // Truncated.
    std::fs::write(&b, &bytes[..mid]).unwrap();
    let (ok, _, err) = merge(&[&a, &b]);
    assert!(!ok);
    assert!(err.contains("p2.ntncov"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
