//! NPRACH transmitter → AWGN + residual delay/frequency → detector.
//!
//! SNR convention: preamble power over the noise power in the 180 kHz NB-IoT channel (the
//! 1.92 Msps noise is `1920/180` times stronger per sample). Residual timing and frequency
//! offsets are what is left after UE pre-compensation: uniform in ±10 µs (within ±T_CP/2 of
//! every format) and ±300 Hz (~0.15 ppm at 2 GHz).
//!
//! Bounded tests run in debug; the statistical figures for the note come from the ignored
//! test in release:
//! `cargo test -p ntn-phy --release --test nbiot_nprach -- --ignored --nocapture`.
//!
//! Measured 2026-11-28 (AWGN, 1 RX, threshold 22; "99 % SNR" = first 1 dB step with
//! Pd ≥ 99 %; ToA/frequency error std over the correct detections at that SNR):
//!
//! | format | reps | false alarms | 99 % SNR | ToA err std | freq err std |
//! |---|---|---|---|---|---|
//! | 0 | 8 | 0/500 | −16 dB | 0.66 µs | 1.2 Hz |
//! | 1 | 8 | 0/500 | −16 dB | 0.66 µs | 1.5 Hz |
//! | 2 | 8 | 0/500 | −17 dB | 0.45 µs | 0.3 Hz |
//! | 0 | 1 | 0/4000 | −14 dB | 4.7 µs | 22.5 Hz |
//! | 1 | 1 | 0/4000 | −14 dB | 11.0 µs | 25.0 Hz |
//! | 2 | 1 | 0/4000 | −18 dB | 45.8 µs | 18.4 Hz |
//! | 0 | 1, ToA search ±20 µs | 0/4000 | −14 dB | 3.1 µs | 22.1 Hz |
//! | 1 | 1, ToA search ±20 µs | 0/4000 | −14 dB | 3.2 µs | 20.0 Hz |
//! | 2 | 1, ToA search ±20 µs | 0/4000 | −18 dB | 3.2 µs | 6.8 Hz |
//!
//! With one repetition the ToA requirement (≤ 1 µs) is not met, and cannot be with an
//! unknown frequency offset: the four groups' tones `k0, k0±1, k0±1±6, k0±6` rise with the
//! group time, so τ and ε are ~86 % correlated and the ToA Cramér–Rao bound at −14 dB is
//! ≈ 3 µs (≈ 1.6 µs with ε known); the estimator reaches it at high SNR (0.06 µs at +20 dB,
//! no bias). The remaining large errors at low SNR are the ±44 µs lobes of the ±6 hop (F2:
//! of the ±18 hop) that the weak ±1-tone hops fail to resolve over a CP range of ±133 µs (F1)
//! or ±400 µs (F2); bounding the residual ToA search (±20 µs, as TA pre-compensation allows)
//! removes them and leaves the Cramér–Rao-limited ≈ 3 µs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::nprach::{
    DEFAULT_THRESHOLD, NprachConfig, NprachDetection, NprachDetector, NprachFormat, NprachTx,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ntn_phy::noise::gaussian as gauss;

fn cfg(format: NprachFormat, reps: usize, cell_id: u16) -> NprachConfig {
    NprachConfig {
        format,
        subcarrier_offset: 0,
        num_subcarriers: format.n_sc_ra(),
        repetitions: reps,
        cell_id,
    }
}

struct Trial {
    n_init: usize,
    tau_s: f64,
    eps_hz: f64,
    dets: Vec<NprachDetection>,
}

/// One trial; `snr_db = None` sends nothing (noise only).
fn trial(
    tx: &mut NprachTx,
    det: &mut NprachDetector,
    snr_db: Option<f64>,
    rng: &mut ChaCha8Rng,
    buf: &mut Vec<Complex32>,
) -> Trial {
    let c = *tx.config();
    let n_init = rng.random_range(0..c.num_subcarriers);
    let tau_s = rng.random_range(-10e-6..10e-6);
    let eps_hz = rng.random_range(-300.0..300.0);
    buf.resize(det.input_len(), Complex32::default());
    let snr = snr_db.unwrap_or(0.0);
    // Noise variance per complex sample for unit signal power, SNR in 180 kHz.
    let nvar = 10f64.powf(-snr / 10.0) * 1920.0 / 180.0;
    let sd = (nvar / 2.0).sqrt() as f32;
    if snr_db.is_some() {
        tx.transmit(n_init, tau_s, eps_hz, buf).unwrap();
    } else {
        buf.fill(Complex32::default());
    }
    for v in buf.iter_mut() {
        *v += Complex32::new(sd * gauss(rng), sd * gauss(rng));
    }
    let mut dets = Vec::new();
    det.detect(buf, &mut dets).unwrap();
    Trial {
        n_init,
        tau_s,
        eps_hz,
        dets,
    }
}

fn correct(t: &Trial) -> Option<&NprachDetection> {
    t.dets.iter().find(|d| d.n_init == t.n_init)
}

#[test]
fn every_format_detects_and_measures_at_moderate_snr() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut buf = Vec::new();
    for (format, snr) in [
        (NprachFormat::F0, 0.0),
        (NprachFormat::F1, 0.0),
        (NprachFormat::F2, 0.0),
    ] {
        let c = cfg(format, 1, 17);
        let mut tx = NprachTx::new(c).unwrap();
        let mut det = NprachDetector::new(c, DEFAULT_THRESHOLD).unwrap();
        for _ in 0..2 {
            let t = trial(&mut tx, &mut det, Some(snr), &mut rng, &mut buf);
            let d = correct(&t).unwrap_or_else(|| panic!("{format:?}: missed, got {:?}", t.dets));
            assert!(
                (d.timing_s - t.tau_s).abs() < 1.5e-6,
                "{format:?}: timing {} vs {}",
                d.timing_s,
                t.tau_s
            );
            assert!(
                (d.freq_offset_hz - t.eps_hz).abs() < 30.0,
                "{format:?}: freq {} vs {}",
                d.freq_offset_hz,
                t.eps_hz
            );
        }
    }
}

#[test]
fn noise_only_gives_no_detection() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut buf = Vec::new();
    let c = cfg(NprachFormat::F0, 1, 3);
    let mut tx = NprachTx::new(c).unwrap();
    let mut det = NprachDetector::new(c, DEFAULT_THRESHOLD).unwrap();
    for _ in 0..20 {
        let t = trial(&mut tx, &mut det, None, &mut rng, &mut buf);
        assert!(t.dets.is_empty(), "false alarm {:?}", t.dets);
    }
}

fn std(v: &[f64]) -> f64 {
    let m = v.iter().sum::<f64>() / v.len().max(1) as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt()
}

fn env_list<T: std::str::FromStr + Clone>(name: &str, default: &[T]) -> Vec<T> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// TS 36.141 §8.5.3 counts a detection as correct when the ToA error is below 3.646 µs.
const TOA_WINDOW_S: f64 = 3.646e-6;

/// Release-mode acceptance statistics for the note, per format and repetition count:
/// false alarms in noise at [`DEFAULT_THRESHOLD`] (and the noise-only metric quantiles for its
/// calibration), then an SNR sweep in 1 dB steps up to the first SNR where the detection
/// probability reaches 99 %; at that SNR the ToA error std must be ≤ 1 µs and the frequency
/// error std ≤ 50 Hz.
///
/// Conditions (state them with the figures): AWGN, one receive antenna, residual ToA uniform
/// in ±10 µs and residual frequency offset uniform in ±300 Hz, random `n_init`, cell 17.
/// TS 36.104/36.141 §8.5.3 test NPRACH with 2 RX antennas in EPA/ETU 1 Hz at fixed
/// repetition counts; one antenna in AWGN is the link-budget-neutral equivalent we can
/// simulate here. Repetitions: 8 (as in the TS 36.141 §8.5.3 test), where the ToA and
/// frequency requirements are asserted, and 1 (the hop pattern of one repetition), where
/// only the false alarms, the 99 % point and the frequency error are asserted (see the module
/// note for why the ToA requirement cannot hold there).
/// `NPRACH_FORMATS=F0,F1,F2`, `NPRACH_REPS=1,8`, `NPRACH_TRIALS=1000` override the sweep,
/// `NPRACH_TOA_US=20` restricts the ToA search ([`NprachDetector::set_toa_search_s`]):
/// `cargo test -p ntn-phy --release --test nbiot_nprach -- --ignored --nocapture`.
#[test]
#[ignore = "long: run in release for the note"]
fn detection_false_alarm_and_estimation_statistics() {
    let mut buf = Vec::new();
    let formats: Vec<String> = env_list("NPRACH_FORMATS", &["F0".into(), "F1".into(), "F2".into()]);
    let reps_list: Vec<usize> = env_list("NPRACH_REPS", &[1, 8]);
    let trials: Vec<usize> = env_list("NPRACH_TRIALS", &[1000]);
    let trials = trials[0];
    // Optional ToA search half-range in µs (default ±T_CP/2).
    let toa_us: Option<f64> = std::env::var("NPRACH_TOA_US")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut failures = Vec::new();
    for name in formats {
        let format = match name.as_str() {
            "F0" => NprachFormat::F0,
            "F1" => NprachFormat::F1,
            _ => NprachFormat::F2,
        };
        for &reps in &reps_list {
            let c = cfg(format, reps, 17);
            let mut tx = NprachTx::new(c).unwrap();
            let mut probe = NprachDetector::new(c, 1.0).unwrap();
            if let Some(us) = toa_us {
                probe.set_toa_search_s(us * 1e-6).unwrap();
            }
            let mut rng = ChaCha8Rng::seed_from_u64(20261128 + reps as u64);
            let nfa = (4 * trials / reps).max(500);
            let mut maxes = Vec::new();
            for _ in 0..nfa {
                let t = trial(&mut tx, &mut probe, None, &mut rng, &mut buf);
                maxes.push(t.dets.iter().map(|d| d.metric).fold(0f32, f32::max));
            }
            maxes.sort_by(f32::total_cmp);
            let fa = maxes.iter().filter(|&&m| m >= DEFAULT_THRESHOLD).count();
            println!(
                "{format:?} reps {reps} ToA search {toa_us:?} us: noise-only max metric 99% {:.1}, 99.9% {:.1}, max {:.1}; false alarms at {DEFAULT_THRESHOLD}: {fa}/{nfa}",
                maxes[nfa * 99 / 100],
                maxes[nfa * 999 / 1000],
                maxes[nfa - 1]
            );
            if fa * 1000 > nfa {
                failures.push(format!("{format:?} reps {reps}: false alarm {fa}/{nfa}"));
            }
            let mut det = NprachDetector::new(c, DEFAULT_THRESHOLD).unwrap();
            if let Some(us) = toa_us {
                det.set_toa_search_s(us * 1e-6).unwrap();
            }
            let start = if format == NprachFormat::F2 {
                -20.0
            } else {
                -16.0
            } - 3.0 * (reps as f64).log2();
            let n = (trials / reps.min(4)).max(300);
            let mut reached = false;
            for step in 0..14 {
                let snr = start + step as f64;
                let mut hit = 0;
                let mut in_window = 0;
                let mut et = Vec::new();
                let mut ef = Vec::new();
                for _ in 0..n {
                    let t = trial(&mut tx, &mut det, Some(snr), &mut rng, &mut buf);
                    if let Some(d) = correct(&t) {
                        hit += 1;
                        et.push(d.timing_s - t.tau_s);
                        ef.push(d.freq_offset_hz - t.eps_hz);
                        if (d.timing_s - t.tau_s).abs() < TOA_WINDOW_S {
                            in_window += 1;
                        }
                    }
                }
                let (st, sf) = (std(&et), std(&ef));
                println!(
                    "{format:?} reps {reps} SNR {snr:+.1} dB: Pd {hit}/{n} (ToA within 3.646 us: {in_window}), ToA err std {:.3} us, max |err| {:.2} us, freq err std {sf:.1} Hz",
                    st * 1e6,
                    et.iter().fold(0f64, |m, e| m.max(e.abs())) * 1e6
                );
                if hit * 100 >= 99 * n {
                    reached = true;
                    if (reps >= 8 && st > 1e-6) || sf > 50.0 {
                        failures.push(format!(
                            "{format:?} reps {reps} at its 99 % SNR {snr:+.1} dB: ToA std {:.3} us, freq std {sf:.1} Hz",
                            st * 1e6
                        ));
                    }
                    break;
                }
            }
            if !reached {
                failures.push(format!(
                    "{format:?} reps {reps}: 99 % detection not reached"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
