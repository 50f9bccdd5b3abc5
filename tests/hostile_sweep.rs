//! A sweep of hostile inputs across every subcommand, as a careless or hostile user would type
//! them: bad numbers (NaN, ∞, huge, negative, not numbers, other scripts' digits), wrong types,
//! huge sizes, impossible places, bad paths, odd encodings, broken files and Ctrl-C mid-run.
//!
//! Every case must end before its deadline, with no panic and no abort, with no NaN or ∞ in what
//! it printed or wrote, and with every input file unchanged. The cases marked `Reject` must also
//! fail (non-zero exit) with an error message on stderr that names the offending option or value.
//!
//! Runs the debug binary; the whole sweep takes a few seconds of CPU on two threads.

// A harness that runs processes against a wall-clock deadline, not protocol code.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What a case must do besides ending cleanly.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// Fail with a message naming `hint` (the option or value at fault).
    Reject,
    /// Succeed or fail, as long as it does no harm.
    NoHarm,
}

#[derive(Clone, Debug)]
struct Case {
    args: Vec<String>,
    expect: Expect,
    /// Text the error message must contain (any one of these), for `Reject`.
    hints: Vec<String>,
    /// Standard input; none: closed.
    stdin: Option<Vec<u8>>,
    /// Send SIGINT after this long (the case then must end non-zero, within the deadline).
    interrupt_after: Option<Duration>,
    /// A file the command must have written if it exits 0.
    writes: Option<PathBuf>,
}

fn case(args: &[&str], expect: Expect, hints: &[&str]) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        expect,
        hints: hints.iter().map(|s| s.to_string()).collect(),
        stdin: None,
        interrupt_after: None,
        writes: None,
    }
}

/// Values no physical quantity may take; each must be refused wherever a number is expected.
const BAD_FLOATS: [&str; 16] = [
    "NaN", "nan", "inf", "-inf", "+inf", "infinity", "1e308", "-1e308", "1e999", "abc", "", "1,5",
    "٣", "１", "0x1p3", "1.2.3",
];
/// Integers that do not fit or are not integers.
const BAD_INTS: [&str; 9] = [
    "-1",
    "1e3",
    "4e9",
    "18446744073709551616",
    "abc",
    "",
    "0x10",
    "١",
    "NaN",
];
/// Durations: not finite, negative, absurd or not durations.
const BAD_DURATIONS: [&str; 9] = [
    "NaNs",
    "infs",
    "-60s",
    "1e12s",
    "1e308s",
    "abc",
    "",
    "60 parsecs",
    "-inf",
];
/// Ground positions off the Earth or not positions.
const BAD_SITES: [&str; 12] = [
    "91,0", "-91,0", "0,181", "0,-181", "0,0,-1e9", "0,0,1e9", "NaN,0", "0,inf", "1,2,3,4", "",
    "45.5", "a,b",
];
/// UTC instants that are not instants.
const BAD_TIMES: [&str; 7] = [
    "2024-13-01T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-01-01T25:00:00Z",
    "yesterday",
    "",
    "2024-01-01T00:00:00+99:00",
    "99999-01-01T00:00:00Z",
];

/// `flag value` for every value of `values`, after `base`; all must be refused.
fn sweep_flag(cases: &mut Vec<Case>, base: &[&str], flag: &str, values: &[&str]) {
    let name = flag.trim_start_matches('-');
    for v in values {
        let mut args: Vec<&str> = base.to_vec();
        let joined = format!("{flag}={v}");
        args.push(&joined);
        let mut c = case(&args, Expect::Reject, &[name, &name.replace('-', "_")]);
        if !v.is_empty() {
            c.hints.push(v.to_string());
        }
        cases.push(c);
    }
}

struct Fixtures {
    dir: PathBuf,
    input: PathBuf,
    out: PathBuf,
}

impl Fixtures {
    fn input(&self, name: &str) -> String {
        self.input.join(name).display().to_string()
    }
    fn out(&self, name: &str) -> String {
        self.out.join(name).display().to_string()
    }
}

/// Files the cases read: a recording, and configuration files broken in every way we know.
fn fixtures() -> Fixtures {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-sweep-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let input = dir.join("in");
    let out = dir.join("out");
    fs::create_dir_all(&input).expect("fixture dir");
    fs::create_dir_all(&out).expect("fixture dir");
    let f = Fixtures { dir, input, out };
    let status = Command::new(env!("CARGO_BIN_EXE_ntn"))
        .args(["nbiot", "gen", "--out", &f.input("rec.sigmf-meta")])
        .stdout(Stdio::null())
        .status()
        .expect("run ntn nbiot gen");
    assert!(status.success(), "ntn nbiot gen failed: {status}");
    let texts: &[(&str, &[u8])] = &[
        ("empty.toml", b""),
        ("garbage.bin", &[0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x00, 0xc3]),
        ("bom.toml", "\u{feff}seed = 1\n".as_bytes()),
        ("latin1.toml", b"name = \"Montr\xe9al\"\n"),
        ("nan-seed.toml", b"seed = nan\n"),
        ("pass-nan-dl.toml", b"dl_hz = nan\n"),
        ("pass-inf-ul.toml", b"ul_hz = inf\n"),
        ("pass-neg-dl.toml", b"dl_hz = -2185e6\n"),
        ("pass-lat91.toml", b"[ue]\nposition = [91.0, 0.0, 50.0]\n"),
        ("pass-deep.toml", b"[ue]\nposition = [45.0, -73.0, -1e9]\n"),
        ("pass-nan-gnss.toml", b"[ue]\ngnss_error_std_m = nan\n"),
        ("pass-neg-gnss.toml", b"[ue]\ngnss_period_s = -1.0\n"),
        ("pass-huge-traffic.toml", b"[traffic]\nbytes = 70000\n"),
        ("pass-nan-period.toml", b"[traffic]\nperiod_s = nan\n"),
        ("pass-inf-txpower.toml", b"[cell]\ntx_power_dbm = inf\n"),
        ("pass-unknown-key.toml", b"seeed = 1\n"),
        ("pass-unknown-table.toml", b"[uee]\nposition = [45.0, -73.0, 50.0]\n"),
        ("pass-wrong-type.toml", b"seed = \"one\"\n"),
        ("pass-neg-duration.toml", b"duration_s = -10.0\n"),
        ("pass-nan-duration.toml", b"duration_s = nan\n"),
        ("pass-mask-100.toml", b"min_elevation_deg = 100.0\n"),
        (
            "pass-gateway-far.toml",
            b"[[satellites]]\nname = \"CBERS 2\"\npayload = \"transparent\"\ngateway = [-45.5, 106.4, 50.0]\n",
        ),
        (
            "pass-gateway-nan.toml",
            b"[[satellites]]\nname = \"CBERS 2\"\npayload = \"transparent\"\ngateway = [nan, 0.0, 0.0]\n",
        ),
        ("pass-bad-channel.toml", b"channel = \"rayleigh-ish\"\n"),
        ("gen-nan-offset.toml", b"offset_hz = nan\n"),
        ("gen-inf-snr.toml", b"snr_db = inf\n"),
        ("gen-cell-999.toml", b"cell_id = 999\n"),
        ("gen-ports-7.toml", b"ports = 7\n"),
        ("gen-huge-frames.toml", b"frames = 4000000000\n"),
        ("gen-sfn-5000.toml", b"start_sfn = 5000\n"),
        ("gen-hsfn-5000.toml", b"hsfn = 5000\n"),
        ("gen-tag-40.toml", b"system_info_value_tag = 40\n"),
        ("gen-unknown.toml", b"cell_idd = 1\n"),
        ("gen-bad-hex.toml", b"sib1_hex = \"zz\"\n"),
        ("gen-nan-centre.toml", b"centre_frequency_hz = nan\n"),
        ("chan-unknown.toml", b"bogus = 1\n"),
        ("chan-nan.toml", b"[noise]\nenabled = true\nsnr_db = nan\n"),
        ("tle-garbage.tle", b"this is not\nan element set\n"),
        (
            "tle-bad-checksum.tle",
            b"ISS\n1 25544U 98067A   24061.50000000  .00016717  00000-0  10270-3 0  9999\n2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815308999999\n",
        ),
        ("omm-nan.json", b"[{\"OBJECT_NAME\":\"X\",\"NORAD_CAT_ID\":1,\"EPOCH\":\"2024-01-01T00:00:00\",\"MEAN_MOTION\":\"NaN\",\"ECCENTRICITY\":0.001,\"INCLINATION\":53,\"RA_OF_ASC_NODE\":0,\"ARG_OF_PERICENTER\":0,\"MEAN_ANOMALY\":0,\"BSTAR\":0,\"MEAN_MOTION_DOT\":0,\"MEAN_MOTION_DDOT\":0}]"),
        ("rrc-unknown-field.json", b"{\"message\": {\"c1\": {\"systemInformationBlockType1-r13\": {}}}, \"bogus\": 1}"),
        ("rrc-not-json.json", b"{{{{"),
        ("partial-garbage.bin", b"NTNPART garbage garbage"),
        ("rec-bad.sigmf-meta", b"{\"global\": {\"core:datatype\": \"cf32_le\", \"core:sample_rate\": \"fast\"}}"),
        ("rec-nan.sigmf-meta", b"{\"global\": {\"core:datatype\": \"cf32_le\", \"core:sample_rate\": -1.0}, \"captures\": [], \"annotations\": []}"),
        ("rec-nan.sigmf-data", &[0u8; 64]),
        ("rec-odd.sigmf-meta", b"{\"global\": {\"core:datatype\": \"cf32_le\", \"core:sample_rate\": 1920000.0}, \"captures\": [], \"annotations\": []}"),
        ("rec-odd.sigmf-data", &[0u8; 13]),
    ];
    for (name, bytes) in texts {
        fs::write(f.input.join(name), bytes).expect("write fixture");
    }
    fs::create_dir_all(f.input.join("a-directory.toml")).expect("fixture dir");
    f
}

fn cases(f: &Fixtures) -> Vec<Case> {
    use Expect::*;
    let mut v = Vec::new();

    // --- numbers on the command line ------------------------------------------------------
    for flag in ["--dl-mhz", "--ul-mhz", "--dut1", "--xp", "--yp"] {
        sweep_flag(&mut v, &["pass"], flag, &BAD_FLOATS);
    }
    let track = ["orbit", "track", "--duration", "60s", "--step", "10s"];
    for flag in ["--dl-mhz", "--ul-mhz", "--min-elevation"] {
        sweep_flag(&mut v, &track, flag, &BAD_FLOATS);
    }
    sweep_flag(&mut v, &["orbit", "track"], "--duration", &BAD_DURATIONS);
    sweep_flag(
        &mut v,
        &["orbit", "track", "--duration", "60s"],
        "--step",
        &["0s", "-1s", "NaNs", "1e-12s"],
    );
    sweep_flag(&mut v, &["orbit", "passes"], "--mask", &BAD_FLOATS);
    sweep_flag(&mut v, &["orbit", "passes"], "--duration", &BAD_DURATIONS);
    sweep_flag(&mut v, &["orbit", "track"], "--start", &BAD_TIMES);
    sweep_flag(&mut v, &["orbit", "ephemeris"], "--time", &BAD_TIMES);
    sweep_flag(
        &mut v,
        &["orbit", "ephemeris"],
        "--ages",
        &["NaN", "-inf", "abc", "1e308"],
    );
    for base in [
        &["pass"][..],
        &track[..],
        &["orbit", "passes", "--duration", "1d"][..],
        &["orbit", "ephemeris"][..],
    ] {
        sweep_flag(&mut v, base, "--site", &BAD_SITES);
    }
    sweep_flag(
        &mut v,
        &["pass"],
        "--gateway",
        &["91,0", "NaN,0", "0,0,-1e9", "-45.5,106.4"],
    );
    for flag in [
        "--elevation",
        "--altitude-km",
        "--freq-mhz",
        "--bandwidth-mhz",
        "--eirp-dbw",
        "--g-over-t",
        "--off-boresight-deg",
        "--shadow-margin-db",
        "--gas-zenith-db",
    ] {
        sweep_flag(&mut v, &["link-budget"], flag, &BAD_FLOATS);
    }
    sweep_flag(
        &mut v,
        &["link-budget"],
        "--elevation",
        &["-5", "91", "180"],
    );
    // Outside ITU-R P.676's range as implemented: refused unless extrapolation is asked for.
    sweep_flag(
        &mut v,
        &["link-budget"],
        "--freq-mhz",
        &["60000", "0", "-2185"],
    );

    let cov = ["coverage", "--duration", "10m", "--res", "10", "--no-link"];
    for flag in ["--mask", "--res", "--dl-mhz"] {
        sweep_flag(&mut v, &cov, flag, &BAD_FLOATS);
    }
    sweep_flag(&mut v, &cov, "--mask", &["-1", "90", "120"]);
    sweep_flag(&mut v, &cov, "--res", &["0", "-5", "7", "1e-9"]);
    sweep_flag(
        &mut v,
        &["coverage", "--res", "10"],
        "--duration",
        &BAD_DURATIONS,
    );
    sweep_flag(
        &mut v,
        &["coverage", "--duration", "10m", "--res", "10"],
        "--step",
        &["0s", "-1s", "1e-9s", "NaNs"],
    );
    // A 10⁸-satellite shell, a 10⁻⁴° grid, a one-microsecond step: estimated and refused.
    sweep_flag(
        &mut v,
        &["coverage", "--duration", "10m", "--no-link"],
        "--walker",
        &[
            "100000000/10000/0,550,53",
            "0/0/0,550,53",
            "24/5/0,550,53",
            "NaN/1/0,550,53",
            "24/24/0,-550,53",
            "24/24/0,550,200",
            "24/24/0,NaN,53",
            "24/24/99,550,53",
        ],
    );
    sweep_flag(
        &mut v,
        &["coverage", "--duration", "10m", "--no-link"],
        "--box",
        &["10,0,0,10", "0,100,0,10", "NaN,1,0,1", "0,1,0", "0,1,0,400"],
    );
    v.push(case(
        &[
            "coverage",
            "--res",
            "0.0001",
            "--duration",
            "24h",
            "--step",
            "1s",
        ],
        Reject,
        &["memory", "estimate", "max-memory", "--res"],
    ));

    let rec = f.input("rec.sigmf-meta");
    let chan_base = ["channel", "--in", &rec, "--quiet"];
    let chan_out = f.out("chan.sigmf-meta");
    let chan: Vec<&str> = chan_base
        .iter()
        .copied()
        .chain(["--out", chan_out.as_str()])
        .collect();
    sweep_flag(
        &mut v,
        &chan,
        "--block",
        &["0", "-1", "1e12", "1000000000000", "abc", "NaN"],
    );

    let npusch = ["link-sim", "npusch", "--snr-db", "0:1:1"];
    sweep_flag(&mut v, &npusch, "--trials", &BAD_INTS);
    sweep_flag(
        &mut v,
        &["link-sim", "npusch", "--trials", "10"],
        "--trials",
        &["4000000000", "0"],
    );
    sweep_flag(
        &mut v,
        &["link-sim", "npusch", "--trials", "2"],
        "--snr-db",
        &[
            "NaN:1:1",
            "0:1:0",
            "0:1:-1",
            "1:0:1",
            "a:b:c",
            "0:1e9:1e-9",
            "0:inf:1",
            "",
        ],
    );
    let npusch2 = ["link-sim", "npusch", "--trials", "2", "--snr-db", "0:1:1"];
    sweep_flag(&mut v, &npusch2, "--tones", &["0", "5", "13", "-1", "NaN"]);
    sweep_flag(&mut v, &npusch2, "--itbs", &["14", "99", "-1"]);
    sweep_flag(&mut v, &npusch2, "--reps", &["0", "3", "4096"]);
    sweep_flag(&mut v, &npusch2, "--spacing-khz", &["7", "0", "NaN", "-15"]);
    sweep_flag(&mut v, &npusch2, "--seed", &["-1", "abc", "1e3"]);
    for sub in ["npss", "npbch", "npdcch", "npdsch", "cell-search"] {
        sweep_flag(
            &mut v,
            &["link-sim", sub, "--trials", "2"],
            "--snr-db",
            &["NaN:1:1", "0:1:0", "1:0:1"],
        );
        sweep_flag(
            &mut v,
            &["link-sim", sub, "--snr-db", "0:1:1"],
            "--trials",
            &["0", "-1", "4000000000"],
        );
    }

    let scan = ["nbiot", "scan", rec.as_str()];
    sweep_flag(&mut v, &scan, "--rate", &BAD_FLOATS);
    sweep_flag(&mut v, &scan, "--rate", &["0", "-1920000"]);
    sweep_flag(&mut v, &scan, "--cell", &["504", "-1", "abc", "1e2"]);
    sweep_flag(&mut v, &scan, "--rnti", &["0x10000", "zz", "-1"]);
    sweep_flag(&mut v, &scan, "--sfn", &["1024", "-1", "abc"]);
    sweep_flag(&mut v, &scan, "--subframe", &["10", "-1"]);

    // --- files that are not what they claim ------------------------------------------------
    for name in [
        "garbage.bin",
        "latin1.toml",
        "nan-seed.toml",
        "pass-nan-dl.toml",
        "pass-inf-ul.toml",
        "pass-neg-dl.toml",
        "pass-lat91.toml",
        "pass-deep.toml",
        "pass-nan-gnss.toml",
        "pass-neg-gnss.toml",
        "pass-huge-traffic.toml",
        "pass-nan-period.toml",
        "pass-inf-txpower.toml",
        "pass-unknown-key.toml",
        "pass-unknown-table.toml",
        "pass-wrong-type.toml",
        "pass-neg-duration.toml",
        "pass-nan-duration.toml",
        "pass-mask-100.toml",
        "pass-gateway-far.toml",
        "pass-gateway-nan.toml",
        "pass-bad-channel.toml",
        "a-directory.toml",
        "missing.toml",
    ] {
        v.push(case(
            &["pass", "--scenario", &f.input(name)],
            Reject,
            &[name],
        ));
    }
    for name in [
        "gen-nan-offset.toml",
        "gen-inf-snr.toml",
        "gen-cell-999.toml",
        "gen-ports-7.toml",
        "gen-huge-frames.toml",
        "gen-sfn-5000.toml",
        "gen-hsfn-5000.toml",
        "gen-tag-40.toml",
        "gen-unknown.toml",
        "gen-bad-hex.toml",
        "gen-nan-centre.toml",
        "garbage.bin",
        "a-directory.toml",
        "missing.toml",
    ] {
        let out = f.out("gen.sigmf-meta");
        v.push(case(
            &["nbiot", "gen", "--config", &f.input(name), "--out", &out],
            Reject,
            &[name],
        ));
    }
    for name in [
        "chan-unknown.toml",
        "chan-nan.toml",
        "garbage.bin",
        "missing.toml",
    ] {
        let mut args = chan.clone();
        let p = f.input(name);
        args.extend(["--scenario", p.as_str()]);
        v.push(case(&args, Reject, &[name]));
    }
    for name in [
        "tle-garbage.tle",
        "tle-bad-checksum.tle",
        "omm-nan.json",
        "garbage.bin",
        "empty.toml",
    ] {
        let p = f.input(name);
        v.push(case(&["orbit", "track", "--tle", &p], Reject, &[name]));
        v.push(case(
            &["coverage", "--tle", &p, "--duration", "10m", "--no-link"],
            Reject,
            &[name],
        ));
    }
    for name in [
        "rrc-unknown-field.json",
        "rrc-not-json.json",
        "garbage.bin",
        "missing.toml",
    ] {
        v.push(case(
            &["rrc", "encode", "BCCH-DL-SCH-Message-NB", &f.input(name)],
            Reject,
            &[name, "bogus"],
        ));
    }
    for name in [
        "rec-bad.sigmf-meta",
        "rec-nan.sigmf-meta",
        "rec-odd.sigmf-meta",
        "garbage.bin",
        "missing.sigmf-meta",
        "a-directory.toml",
    ] {
        let p = f.input(name);
        // The meta or the data file beside it may be the one at fault.
        let stem = name.split('.').next().unwrap_or(name);
        v.push(case(&["nbiot", "scan", &p], Reject, &[stem]));
        v.push(case(
            &[
                "channel",
                "--in",
                &p,
                "--out",
                &f.out("c2.sigmf-meta"),
                "--quiet",
            ],
            Reject,
            &[stem],
        ));
    }
    for name in [
        "partial-garbage.bin",
        "garbage.bin",
        "empty.toml",
        "missing.toml",
    ] {
        v.push(case(
            &[
                "coverage",
                "merge",
                &f.input(name),
                "--out-dir",
                &f.out("merged"),
                "--maps",
                "none",
                "--quiet",
            ],
            Reject,
            &[name],
        ));
    }
    v.push(case(
        &["conformance", "--vectors", "/nonexistent/vectors"],
        Reject,
        &["nonexistent"],
    ));

    // --- outputs that would destroy an input, or cannot be written ---------------------------
    v.push(case(
        &["channel", "--in", &rec, "--out", &rec, "--quiet"],
        Reject,
        &["rec.sigmf"],
    ));
    let rec_dotted = format!("{}/./rec.sigmf-meta", f.input.display());
    v.push(case(
        &["channel", "--in", &rec, "--out", &rec_dotted, "--quiet"],
        Reject,
        &["rec.sigmf"],
    ));
    for out in [
        "/nonexistent-dir/x.json".to_string(),
        f.input("a-directory.toml"),
    ] {
        v.push(case(
            &["orbit", "track", "--duration", "60s", "--out", &out],
            Reject,
            &[out.as_str()],
        ));
        v.push(case(
            &["nbiot", "gen", "--out", &out],
            Reject,
            &[out.as_str()],
        ));
    }
    for plot in ["x.jpg", "x", "/nonexistent-dir/x.png"] {
        let p = if plot.starts_with('/') {
            plot.to_string()
        } else {
            f.out(plot)
        };
        v.push(case(
            &["orbit", "track", "--duration", "60s", "--plot", &p],
            Reject,
            &[plot],
        ));
    }
    // A command that accepts --plot draws it or refuses it; it never ignores it.
    for (i, base) in [
        &["orbit", "track", "--duration", "60s"][..],
        &["orbit", "passes", "--duration", "1d"][..],
        &["orbit", "ephemeris"][..],
        &["conformance", "--suite", "sgp4"][..],
        &["nbiot", "scan", rec.as_str()][..],
        &["link-sim", "npusch", "--trials", "2", "--snr-db", "0:1:1"][..],
        &["link-budget"][..],
        &[
            "coverage",
            "--duration",
            "10m",
            "--res",
            "10",
            "--no-link",
            "--maps",
            "none",
        ][..],
    ]
    .into_iter()
    .enumerate()
    {
        let plot = f.out(&format!("plot-{i}.png"));
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--plot", plot.as_str()]);
        v.push(Case {
            writes: Some(PathBuf::from(plot.as_str())),
            ..case(&args, NoHarm, &[])
        });
    }

    // --- decoders: garbage and odd encodings never panic ----------------------------------------
    let long_hex = "ab".repeat(50_000);
    let hexes: Vec<&str> = vec![
        "",
        "0",
        "zz",
        "é",
        "0x",
        "00",
        "ff",
        "3d",
        "é0",
        "0é",
        "🙂🙂",
        "00 11 22",
        "00:11:22",
        "0x0011",
        "\u{200b}00",
        &long_hex,
    ];
    for h in &hexes {
        for dir in ["dl", "ul"] {
            v.push(case(&["mac", "decode", "--dir", dir, h], NoHarm, &[]));
        }
        v.push(case(
            &["mac", "decode", "--rnti-type", "ra", h],
            NoHarm,
            &[],
        ));
        v.push(case(&["nas", "decode", h], NoHarm, &[]));
        v.push(case(
            &["rrc", "decode", "BCCH-DL-SCH-Message-NB", h],
            NoHarm,
            &[],
        ));
        v.push(case(
            &["rrc", "decode", "UL-CCCH-Message-NB", h],
            NoHarm,
            &[],
        ));
    }
    v.push(case(
        &["rrc", "decode", "No-Such-Message", "00"],
        Reject,
        &["No-Such-Message"],
    ));
    for key in ["zz", "00", "é", "00:zz"] {
        v.push(case(
            &["nas", "decode", "--key", key, "27000000000107"],
            Reject,
            &["key", "knasint"],
        ));
    }
    v.push(case(
        &[
            "nas",
            "decode",
            "--overflow",
            "99999999999",
            "27000000000107",
        ],
        Reject,
        &["overflow"],
    ));
    // Hex on standard input, with junk.
    for input in [&b"00 11\n"[..], b"\xff\xfe\x00", b"", &[b'a'; 200_000]] {
        v.push(Case {
            stdin: Some(input.to_vec()),
            ..case(&["mac", "decode", "-"], NoHarm, &[])
        });
    }

    // --- Ctrl-C mid-run ----------------------------------------------------------------------
    for args in [
        vec![
            "link-sim", "npusch", "--trials", "200000", "--snr-db", "0:10:1",
        ],
        vec!["orbit", "passes", "--all", "--duration", "30d"],
        vec![
            "coverage",
            "--res",
            "1",
            "--duration",
            "24h",
            "--step",
            "10s",
            "--no-link",
            "--out-dir",
            "OUT",
        ],
    ] {
        let out = f.out("ctrlc");
        let args: Vec<&str> = args
            .into_iter()
            .map(|a| if a == "OUT" { out.as_str() } else { a })
            .collect();
        v.push(Case {
            interrupt_after: Some(Duration::from_millis(1500)),
            ..case(&args, NoHarm, &[])
        });
    }
    v
}

/// A content hash of every file under `dir`.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    let mut m = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut h = DefaultHasher::new();
                h.write(&fs::read(&p).unwrap_or_default());
                m.insert(p, h.finish());
            }
        }
    }
    m
}

/// "NaN", "inf" or "infinity" as a token of `text`.
fn has_non_finite(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|t| matches!(t.to_ascii_lowercase().as_str(), "nan" | "inf" | "infinity"))
        .map(str::to_owned)
}

struct Outcome {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    interrupted: bool,
}

fn run(c: &Case, dir: &Path, i: usize) -> Outcome {
    let so = dir.join(format!("case-{i}.stdout"));
    let se = dir.join(format!("case-{i}.stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ntn"));
    cmd.args(&c.args)
        .current_dir(dir)
        .stdout(fs::File::create(&so).expect("stdout file"))
        .stderr(fs::File::create(&se).expect("stderr file"))
        .stdin(if c.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let t0 = Instant::now();
    let mut child = cmd.spawn().expect("spawn ntn");
    if let Some(input) = &c.stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin pipe");
        let _ = pipe.write_all(input);
    }
    let deadline = Duration::from_secs(60);
    let mut interrupted = false;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if let Some(after) = c.interrupt_after
            && !interrupted
            && t0.elapsed() >= after
        {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            interrupted = true;
        }
        if t0.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        status,
        stdout: String::from_utf8_lossy(&fs::read(&so).unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&fs::read(&se).unwrap_or_default()).into_owned(),
        elapsed: t0.elapsed(),
        interrupted,
    }
}

/// What is wrong with an outcome, if anything.
fn judge(c: &Case, o: &Outcome) -> Option<String> {
    let Some(status) = o.status else {
        return Some(format!("still running after {:.0?}: killed", o.elapsed));
    };
    let Some(code) = status.code() else {
        return Some(format!("killed by a signal ({status})"));
    };
    if code == 101 || o.stderr.contains("panicked at") {
        return Some(format!("panicked: {}", first_lines(&o.stderr)));
    }
    if o.stderr.contains("memory allocation of") {
        return Some(format!("aborted on allocation: {}", first_lines(&o.stderr)));
    }
    if let Some(t) = has_non_finite(&o.stdout) {
        return Some(format!("printed a non-finite value ({t})"));
    }
    if o.interrupted && code == 0 {
        return Some("interrupted, yet exited 0".into());
    }
    if let Some(p) = &c.writes
        && code == 0
        && !p.exists()
    {
        return Some(format!("exited 0 without writing {}", p.display()));
    }
    if c.expect == Expect::Reject {
        if code == 0 {
            return Some(format!("accepted (exit 0): {}", first_lines(&o.stdout)));
        }
        if o.stderr.trim().is_empty() {
            return Some(format!("failed with exit {code} and no message"));
        }
        // "dl-mhz", "dl_mhz" and "DL MHz" all name the same option.
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let said = squash(&o.stderr);
        if !c.hints.is_empty() && !c.hints.iter().any(|h| said.contains(&squash(h))) {
            return Some(format!(
                "the error names none of {:?}: {}",
                c.hints,
                first_lines(&o.stderr)
            ));
        }
    }
    None
}

fn first_lines(s: &str) -> String {
    s.lines().take(3).collect::<Vec<_>>().join(" | ")
}

/// Text outputs written under `dir` with a NaN or ∞ in them.
fn non_finite_outputs(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .keys()
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "csv" | "txt" | "sigmf-meta" | "geojson")
            )
        })
        .filter_map(|p| {
            let text = fs::read_to_string(p).ok()?;
            has_non_finite(&text).map(|t| format!("{}: {t}", p.display()))
        })
        .collect()
}

#[test]
fn hostile_inputs_never_panic_hang_lose_data_or_print_non_finite_values() {
    let f = fixtures();
    let cases = cases(&f);
    assert!(
        cases.len() >= 300,
        "the sweep has only {} cases",
        cases.len()
    );
    let before = snapshot(&f.input);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let rejected = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = cases.get(i) else { break };
                    let o = run(c, &f.dir, i);
                    if o.status.is_some_and(|s| s.code().is_some_and(|c| c != 0)) {
                        rejected.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(why) = judge(c, &o) {
                        failures
                            .lock()
                            .expect("lock")
                            .push(format!("ntn {:?}: {why}", c.args));
                    }
                }
            });
        }
    });
    let after = snapshot(&f.input);
    let mut failures = failures.into_inner().expect("lock");
    for (p, h) in &before {
        if after.get(p) != Some(h) {
            failures.push(format!("input {} changed or vanished", p.display()));
        }
    }
    failures.extend(
        non_finite_outputs(&f.out)
            .into_iter()
            .map(|s| format!("output {s}")),
    );
    let leftovers: Vec<_> = snapshot(&f.out)
        .keys()
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.contains(".tmp") || n.starts_with('.')
        })
        .map(|p| p.display().to_string())
        .collect();
    if !leftovers.is_empty() {
        failures.push(format!("temporary files left behind: {leftovers:?}"));
    }
    println!(
        "{} hostile inputs: {} refused, {} accepted, {} failures",
        cases.len(),
        rejected.load(Ordering::Relaxed),
        cases.len() - rejected.load(Ordering::Relaxed),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs misbehaved:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let _ = fs::remove_dir_all(&f.dir);
}
