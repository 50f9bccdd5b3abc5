//! The terminal's sample-level downlink receiver (`ntn_sim::engine::sample::dl`): every
//! transmission shape decodes at high SNR through a drifting residual and is measured; what
//! must fail fails; the NRS SNR estimate; cold acquisition; agreement with the link-abstraction curves at equal SNR;
//! determinism; bad input is a typed error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::link_sim::{LinkPoint, agreement_z, parse_csv};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_sim::channel::tdl::{FadingProfile, Tdl, TdlConfig};
use ntn_sim::engine::sample::channel::LinkFading;
use ntn_sim::engine::sample::dl::DlSampleRx;
use ntn_sim::engine::sample::{CellPhy, Residual, SAMPLE_RATE_HZ, SampleError, SampleOutcome};
use ntn_stack::air::{AirPayload, LinkFormat, NbChannel};
use ntn_types::Hz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn residual(delay_s: f64, freq_hz: f64, snr_db: f64) -> Residual {
    Residual {
        delay_s,
        delay_rate: 0.0,
        freq_hz,
        freq_rate_hz_s: 0.0,
        snr_db,
    }
}

fn drifting(delay_s: f64, freq_hz: f64, snr_db: f64) -> Residual {
    Residual {
        delay_rate: 5e-6 * delay_s.signum(),
        freq_rate_hz_s: 200.0 * freq_hz.signum(),
        ..residual(delay_s, freq_hz, snr_db)
    }
}

fn fmt(channel: NbChannel, tbs_bits: u32, resource_units: u16, repetitions: u16) -> LinkFormat {
    LinkFormat {
        channel,
        tbs_bits,
        resource_units,
        repetitions,
        subcarriers: 12,
        subcarrier_spacing_hz: 15_000,
    }
}

/// The MIB-NB of the TTI starting at absolute subframe `first` as UPER bytes.
fn mib_payload(first: u64, tag: u8) -> AirPayload {
    let n_f = (first / 10) % 1024;
    let mib = MibNb {
        sfn_msb4: (n_f >> 6) as u8,
        hsfn_lsb2: ((first / 10240) % 4) as u8,
        scheduling_info_sib1: 2,
        system_info_value_tag: tag,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    AirPayload::Mib {
        bytes: mib.to_octets().to_vec(),
    }
}

fn mib_format() -> LinkFormat {
    fmt(NbChannel::Npbch, 34, 1, 64)
}

fn dlsch(rnti: u16, bytes: usize, seed: u64) -> AirPayload {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    AirPayload::Dlsch {
        rnti,
        tb: (0..bytes).map(|_| rng.random()).collect(),
    }
}

fn grant(repetitions: u16) -> (AirPayload, LinkFormat) {
    (
        AirPayload::UlGrant {
            rnti: 0x4A21,
            tbs_bits: 328,
            k0_ms: 8,
            subcarriers: 12,
            repetitions: 2,
        },
        fmt(NbChannel::Npdcch, 23, 1, repetitions),
    )
}

/// The shapes the cell stack sends: name, payload, format, first subframe.
fn shapes() -> Vec<(&'static str, AirPayload, LinkFormat, u64)> {
    let (g4, f4) = grant(4);
    let (g8, f8) = grant(8);
    vec![
        ("mib", mib_payload(6400, 7), mib_format(), 6400),
        (
            "sib (SI-RNTI, 680 bits, 8 SF × 2)",
            dlsch(0xFFFF, 85, 1),
            fmt(NbChannel::Npdsch, 680, 8, 2),
            1234,
        ),
        (
            "rar (RA-RNTI, 56 bits, 1 SF × 2)",
            dlsch(0x0002, 7, 2),
            fmt(NbChannel::Npdsch, 56, 1, 2),
            20_481,
        ),
        (
            "c-rnti data (208 bits, 3 SF)",
            dlsch(0x4A21, 26, 3),
            fmt(NbChannel::Npdsch, 208, 3, 1),
            99_995,
        ),
        ("ul grant R=4", g4, f4, 5_003),
        ("ul grant R=8", g8, f8, 777),
    ]
}

const DELAYS_S: [f64; 2] = [-2e-6, 2e-6];
const FREQS_HZ: [f64; 2] = [-300.0, 300.0];
/// Stated accuracy at 10 dB per RE (see the module docs): timing and frequency.
/// The stated accuracy at 10 dB per RE for `format`: timing (s), frequency (Hz).
fn tolerance(format: &LinkFormat) -> (f64, f64) {
    use ntn_sim::engine::sample::dl;
    if format.channel == NbChannel::Npbch {
        (dl::NPBCH_TIMING_ACCURACY_S, dl::NPBCH_FREQ_ACCURACY_HZ)
    } else {
        (dl::TIMING_ACCURACY_S, dl::FREQ_ACCURACY_HZ)
    }
}

#[test]
fn every_shape_decodes_through_a_drifting_residual_and_is_measured() {
    let mut rx = DlSampleRx::new(CellPhy::default());
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut bad = 0;
    for (name, payload, format, first) in shapes() {
        for d in DELAYS_S {
            for f in FREQS_HZ {
                let r = drifting(d, f, 10.0);
                let o = rx.receive(&payload, &format, first, &r, &mut rng).unwrap();
                let de = o.delay_s.unwrap() - d;
                let fe = o.freq_hz.unwrap() - f;
                println!(
                    "{name:36} delay {:+.1} µs offset {f:+.0} Hz: decoded {} delay error {:+.3} µs offset error {fe:+.1} Hz",
                    d * 1e6,
                    o.decoded,
                    de * 1e6
                );
                let (dt, ft) = tolerance(&format);
                bad += usize::from(!o.decoded || de.abs() >= dt || fe.abs() >= ft);
            }
        }
    }
    assert_eq!(
        bad, 0,
        "receptions not decoded or measured out of tolerance"
    );
}

#[test]
fn two_nrs_ports_decode() {
    let mut rx = DlSampleRx::new(CellPhy {
        pci: 301,
        nrs_ports: 2,
    });
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut bad = 0;
    for (name, payload, format, first) in shapes() {
        let o = rx
            .receive(
                &payload,
                &format,
                first,
                &drifting(1e-6, 150.0, 10.0),
                &mut rng,
            )
            .unwrap();
        println!("two ports, {name}: {o:?}");
        let (dt, ft) = tolerance(&format);
        bad += usize::from(
            !o.decoded
                || (o.delay_s.unwrap() - 1e-6).abs() >= dt
                || (o.freq_hz.unwrap() - 150.0).abs() >= ft,
        );
    }
    assert_eq!(bad, 0);
}

#[test]
fn the_nrs_snr_estimate_follows_the_channel() {
    // Each shape from the NPDCCH operating point to a clean link, through a drifting
    // residual, with one and with two NRS ports (the estimate uses port 0). A reception of
    // at least SNR_MIN_SLOTS slots states an SNR. Up to 10 dB: none is off by 5 dB, the mean
    // of each shape's six is within 2 dB, and the mean over all shapes and both port counts
    // (36 receptions) within 0.6 dB of the channel's SNR. At 25 dB the residual timing and
    // frequency errors set a floor near 20 dB. A shorter reception states none.
    use ntn_sim::engine::sample::dl::SNR_MIN_SLOTS;
    let snrs = [-6.0, 0.0, 10.0, 25.0];
    let mut pooled = [(0.0, 0usize); 4];
    for ports in [1u16, 2] {
        let mut rx = DlSampleRx::new(CellPhy {
            pci: 200 + ports,
            nrs_ports: ports as u8,
        });
        let mut rng = ChaCha8Rng::seed_from_u64(15 + u64::from(ports));
        for (name, payload, format, first) in shapes() {
            let subframes = match format.channel {
                NbChannel::Npbch => 8, // decoded from the first 80 ms block at these SNRs
                _ => usize::from(format.resource_units) * usize::from(format.repetitions),
            };
            for (i, snr) in snrs.into_iter().enumerate() {
                let n = 6;
                let (mut sum, mut worst) = (0.0, 0.0f64);
                for _ in 0..n {
                    let r = drifting(1e-6, 150.0, snr);
                    let o = rx.receive(&payload, &format, first, &r, &mut rng).unwrap();
                    if 2 * subframes < SNR_MIN_SLOTS {
                        assert_eq!(o.snr_db, None, "{name}: {o:?}");
                        continue;
                    }
                    let e = o.snr_db.expect("an NRS SNR estimate") - snr;
                    if snr > 20.0 {
                        assert!(snr + e > 18.0, "{ports} port(s), {name} at {snr} dB: {o:?}");
                        continue;
                    }
                    assert!(e.abs() < 5.0, "{ports} port(s), {name} at {snr} dB: {o:?}");
                    worst = worst.max(e.abs());
                    sum += e;
                    pooled[i].0 += e;
                    pooled[i].1 += 1;
                }
                if 2 * subframes < SNR_MIN_SLOTS || snr > 20.0 {
                    continue;
                }
                let mean = sum / f64::from(n);
                println!(
                    "{ports} port(s), {name:36} at {snr:+5.1} dB: mean error {mean:+.2} dB, worst {worst:.2} dB"
                );
                assert!(
                    mean.abs() < 2.0,
                    "{ports} port(s), {name} at {snr} dB: {mean}"
                );
            }
        }
    }
    for (snr, (sum, n)) in snrs.into_iter().zip(pooled).take(3) {
        let bias = sum / n as f64;
        println!("at {snr:+5.1} dB: mean error {bias:+.2} dB over {n} receptions");
        assert!(
            bias.abs() < 0.6,
            "SNR estimate biased by {bias:.2} dB at {snr} dB"
        );
    }
}

#[test]
fn a_100_us_delay_or_a_5_khz_offset_fails() {
    let mut rx = DlSampleRx::new(CellPhy::default());
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for (name, payload, format, first) in shapes() {
        for r in [residual(100e-6, 0.0, 10.0), residual(0.0, 5e3, 10.0)] {
            let o = rx.receive(&payload, &format, first, &r, &mut rng).unwrap();
            assert!(!o.decoded, "{name} decoded through {r:?}");
        }
    }
}

#[test]
fn cold_acquisition_finds_the_cell_at_45_khz_and_0_db() {
    let cell = CellPhy {
        pci: 77,
        nrs_ports: 1,
    };
    let mut rx = DlSampleRx::new(cell);
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let first = 640 * 37;
    let payload = mib_payload(first, 3);
    for (delay_s, freq_hz) in [(0.0037, 45e3), (0.0091, -45e3), (0.0002, 44e3)] {
        let r = Residual {
            freq_rate_hz_s: -500.0,
            ..residual(delay_s, freq_hz, 0.0)
        };
        let o = rx
            .acquire(&payload, &mib_format(), first, &r, &mut rng)
            .unwrap();
        println!("acquisition at {delay_s} s, {freq_hz} Hz: {o:?}");
        assert!(o.decoded, "{o:?}");
        assert!((o.delay_s.unwrap() - delay_s).abs() < 1.1e-6, "{o:?}");
        // the searcher's estimate is the offset over the buffer (the ramp moves it 20 Hz)
        assert!((o.freq_hz.unwrap() - freq_hz).abs() < 150.0, "{o:?}");
    }
}

/// The stored link-abstraction curve point of `name` at `snr_db`.
fn curve_point(name: &str, snr_db: f32) -> LinkPoint {
    let text = match name {
        "npdsch" => include_str!("../../vectors/data/phy/link_npdsch_awgn.csv"),
        "npdsch tdl-c" => include_str!("../../vectors/data/phy/link_npdsch_tdlc.csv"),
        "npbch" => include_str!("../../vectors/data/phy/link_npbch_awgn.csv"),
        _ => include_str!("../../vectors/data/phy/link_npdcch_awgn.csv"),
    };
    *parse_csv(text)
        .unwrap()
        .iter()
        .find(|p| (p.snr_db - snr_db).abs() < 1e-3)
        .expect("curve point")
}

/// Error count of `trials` receptions at `snr_db` with a uniform ±100 Hz residual offset and
/// a new payload each time (as the curves were measured); `faded`: through NTN-TDL-C.
fn sample_point(
    make: &dyn Fn(u64) -> (AirPayload, LinkFormat, u64),
    faded: bool,
    snr_db: f32,
    trials: usize,
    seed: u64,
) -> LinkPoint {
    let mut rx = DlSampleRx::new(CellPhy {
        pci: 123,
        nrs_ports: 1,
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut errors = 0;
    for i in 0..trials {
        let (p, f, first) = make(i as u64);
        if faded {
            // One NTN-TDL-C realisation per trial, as the curve was measured, at a random
            // point of its process.
            let cfg = TdlConfig::new(FadingProfile::TdlC, Hz(SAMPLE_RATE_HZ), rng.random());
            rx.set_fading(Some(LinkFading {
                tdl: Tdl::new(cfg).unwrap(),
                window_sample: rng.random_range(0..1u64 << 32),
            }));
        }
        let r = residual(0.0, rng.random_range(-100.0..100.0), f64::from(snr_db));
        if !rx.receive(&p, &f, first, &r, &mut rng).unwrap().decoded {
            errors += 1;
        }
    }
    LinkPoint {
        snr_db,
        trials,
        errors,
    }
}

fn check_agreement(
    name: &str,
    make: &dyn Fn(u64) -> (AirPayload, LinkFormat, u64),
    snrs: [f32; 2],
    trials: usize,
) {
    for (k, snr) in snrs.into_iter().enumerate() {
        let stored = curve_point(name, snr);
        let mine = sample_point(make, name.ends_with("tdl-c"), snr, trials, 100 + k as u64);
        let z = agreement_z(&stored, &mine);
        println!(
            "{name} at {snr} dB: curve {:.3} ({} trials), sample level {:.3} ({} trials), |z| {z:.2}",
            stored.error_rate(),
            stored.trials,
            mine.error_rate(),
            mine.trials
        );
        assert!(z <= 3.0, "{name} at {snr} dB disagrees: |z| = {z}");
    }
}

/// The NPDSCH curves' reference format: 208 bits over 3 subframes, no repetition; trial `i`
/// of a set whose payloads start at seed `base`.
fn npdsch_reference(i: u64, base: u64) -> (AirPayload, LinkFormat, u64) {
    (
        dlsch(0x0100 + i as u16, 26, base + i),
        fmt(NbChannel::Npdsch, 208, 3, 1),
        i * 37,
    )
}

#[test]
fn agrees_with_the_npdsch_curve() {
    check_agreement("npdsch", &|i| npdsch_reference(i, 1000), [-0.25, 1.0], 120);
}

#[test]
fn agrees_with_the_npdsch_tdlc_curve() {
    // Through NTN-TDL-C, one realisation per trial: the engine's fading path (the residual
    // channel's LinkFading) against the link-sim runner's curve.
    check_agreement(
        "npdsch tdl-c",
        &|i| npdsch_reference(i, 2000),
        [0.0, 3.0],
        120,
    );
}

#[test]
fn agrees_with_the_npdcch_curve() {
    // The curve's reference: 23-bit DCI on the R = R_max = 4 candidate, aggregation level 2.
    let make = |i: u64| {
        let (p, f) = grant(4);
        (p, f, 400 + i * 53)
    };
    check_agreement("npdcch", &make, [-8.0, -6.5], 120);
}

#[test]
fn agrees_with_the_npbch_curve() {
    let make = |i: u64| {
        let first = 640 * (i + 1);
        (mib_payload(first, (i % 32) as u8), mib_format(), first)
    };
    check_agreement("npbch", &make, [-13.0, -12.0], 40);
}

#[test]
fn same_inputs_same_outcome() {
    let run = |seed: u64| -> Vec<SampleOutcome> {
        let mut rx = DlSampleRx::new(CellPhy::default());
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        shapes()
            .into_iter()
            .map(|(_, p, f, first)| {
                rx.receive(&p, &f, first, &drifting(1e-6, 80.0, -3.0), &mut rng)
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6), "the noise comes from the stream");
}

#[test]
fn bad_input_is_a_typed_error() {
    let mut rx = DlSampleRx::new(CellPhy::default());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (p, f, first) = {
        let (_, p, f, first) = shapes().swap_remove(3);
        (p, f, first)
    };
    for bad in [
        residual(f64::NAN, 0.0, 10.0),
        residual(0.0, f64::INFINITY, 10.0),
        residual(0.0, 0.0, f64::NAN),
        Residual {
            delay_rate: f64::NAN,
            ..residual(0.0, 0.0, 10.0)
        },
    ] {
        assert!(matches!(
            rx.receive(&p, &f, first, &bad, &mut rng),
            Err(SampleError::Phy(_))
        ));
        assert!(rx.acquire(&p, &f, first, &bad, &mut rng).is_err());
    }
    let ok = residual(0.0, 0.0, 10.0);
    let unsupported = |r: Result<SampleOutcome, SampleError>| {
        assert!(matches!(r, Err(SampleError::Unsupported(_))), "{r:?}");
    };
    unsupported(rx.receive(&p, &f, first, &residual(1e300, 0.0, 10.0), &mut rng));
    // uplink payloads, mismatched channel, oversize or empty blocks, short MIB, bad grants
    unsupported(rx.receive(
        &AirPayload::Preamble {
            rapid: 1,
            ce_level: 0,
        },
        &fmt(NbChannel::Nprach, 0, 1, 1),
        first,
        &ok,
        &mut rng,
    ));
    unsupported(rx.receive(&p, &fmt(NbChannel::Npbch, 208, 3, 1), first, &ok, &mut rng));
    unsupported(rx.receive(&dlsch(1, 400, 1), &f, first, &ok, &mut rng));
    unsupported(rx.receive(&dlsch(1, 0, 1), &f, first, &ok, &mut rng));
    unsupported(rx.receive(
        &dlsch(1, 26, 1),
        &fmt(NbChannel::Npdsch, 208, 11, 1),
        first,
        &ok,
        &mut rng,
    ));
    unsupported(rx.receive(
        &AirPayload::Mib { bytes: vec![1, 2] },
        &mib_format(),
        0,
        &ok,
        &mut rng,
    ));
    unsupported(rx.acquire(&p, &f, first, &ok, &mut rng));
    let (_, gf) = grant(4);
    unsupported(rx.receive(
        &AirPayload::UlGrant {
            rnti: 1,
            tbs_bits: 100,
            k0_ms: 7,
            subcarriers: 12,
            repetitions: 1,
        },
        &gf,
        0,
        &ok,
        &mut rng,
    ));
    unsupported(rx.receive(
        &AirPayload::UlGrant {
            rnti: 1,
            tbs_bits: 100,
            k0_ms: 8,
            subcarriers: 12,
            repetitions: 1,
        },
        &fmt(NbChannel::Npdcch, 23, 1, 3),
        0,
        &ok,
        &mut rng,
    ));
    let mut bad_cell = DlSampleRx::new(CellPhy {
        pci: 504,
        nrs_ports: 1,
    });
    unsupported(bad_cell.receive(&p, &f, first, &ok, &mut rng));
}
