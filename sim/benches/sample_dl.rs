//! CPU time of the terminal's sample-level downlink receiver per transmission, on one core
//! (`ntn_benchutil::CpuTime`: the thread's CPU time, the machine's cores being shared).
//!
//! Real-time factor = the transmission's air time / the reported time per iteration:
//! MIB-NB 640 ms (a TTI; at 10 dB the terminal decodes after the first 8-frame block, at
//! −12 dB it needs most of the TTI), NPDSCH 3 ms (208 bits, 3 SF), 128 ms (SIB1-NB-like,
//! 680 bits, 8 SF × 16), NPDCCH grant R = 4 (4 DL subframes, ≈ 5 ms) and R = 32, and the
//! 80 ms cold acquisition. Issue 8 budget: the whole 683 s pass (DL and UL) ≥ 5× real time.
//!
//! Measured 2026-11-29 on the shared 2-core development machine (CPU time per transmission →
//! real-time factor): MIB-NB at 10 dB 1.04 ms (615×), at −12 dB 7.1 ms (90×); NPDSCH 3 SF
//! 0.36 ms (8.3×), 128 SF 14.0 ms (9.2×); NPDCCH R = 4 0.47 ms (8.6× per subframe sent),
//! R = 32 3.7 ms (8.6×); acquisition 39 ms for 80 ms (2×). About 110 µs per received subframe.
//! After the residual channel's block-wise interpolation and batched noise (same day): MIB-NB
//! 0.54 ms / 3.8 ms, NPDSCH 3 SF 0.16 ms (19×), 128 SF 5.8 ms (22×), NPDCCH R = 4 0.24 ms,
//! R = 32 1.7 ms, acquisition 29 ms.
#![allow(clippy::unwrap_used)] // bench setup

use criterion::{Criterion, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_sim::engine::sample::dl::DlSampleRx;
use ntn_sim::engine::sample::{CellPhy, Residual};
use ntn_stack::air::{AirPayload, LinkFormat, NbChannel};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

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

fn mib() -> AirPayload {
    let m = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: 2,
        system_info_value_tag: 5,
        ab_enabled: false,
        operation_mode: OperationMode::Standalone(0),
        trailing11: 0,
    };
    AirPayload::Mib {
        bytes: m.to_octets().to_vec(),
    }
}

fn residual(snr_db: f64) -> Residual {
    Residual {
        delay_s: 1e-6,
        delay_rate: 1e-6,
        freq_hz: 120.0,
        freq_rate_hz_s: 50.0,
        snr_db,
    }
}

fn benches(c: &mut Criterion<CpuTime>) {
    let mut g = c.benchmark_group("sample_dl");
    g.sample_size(10);
    let grant = |r: u16| {
        (
            AirPayload::UlGrant {
                rnti: 0x4A21,
                tbs_bits: 328,
                k0_ms: 8,
                subcarriers: 12,
                repetitions: 2,
            },
            fmt(NbChannel::Npdcch, 23, 1, r),
        )
    };
    let cases: Vec<(&str, AirPayload, LinkFormat, f64)> = vec![
        (
            "mib_640ms_10db",
            mib(),
            fmt(NbChannel::Npbch, 34, 1, 64),
            10.0,
        ),
        (
            "mib_640ms_m12db",
            mib(),
            fmt(NbChannel::Npbch, 34, 1, 64),
            -12.0,
        ),
        (
            "npdsch_208b_3ms",
            AirPayload::Dlsch {
                rnti: 0x4A21,
                tb: vec![0x5A; 26],
            },
            fmt(NbChannel::Npdsch, 208, 3, 1),
            5.0,
        ),
        (
            "npdsch_680b_128ms",
            AirPayload::Dlsch {
                rnti: 0xFFFF,
                tb: vec![0x3C; 85],
            },
            fmt(NbChannel::Npdsch, 680, 8, 16),
            -5.0,
        ),
        ("npdcch_r4", grant(4).0, grant(4).1, 0.0),
        ("npdcch_r32", grant(32).0, grant(32).1, -10.0),
    ];
    let mut rx = DlSampleRx::new(CellPhy::default());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (name, payload, format, snr) in cases {
        let r = residual(snr);
        g.bench_function(name, |b| {
            b.iter(|| {
                black_box(
                    rx.receive(&payload, &format, 6400, &r, &mut rng)
                        .unwrap()
                        .decoded,
                )
            })
        });
    }
    let acq = Residual {
        delay_s: 3e-3,
        freq_hz: 41e3,
        ..residual(0.0)
    };
    let (p, f) = (mib(), fmt(NbChannel::Npbch, 34, 1, 64));
    g.bench_function("acquisition_80ms", |b| {
        b.iter(|| black_box(rx.acquire(&p, &f, 0, &acq, &mut rng).unwrap().decoded))
    });
    g.finish();
}

criterion_group! {
    name = sample_dl;
    config = Criterion::default().with_measurement(CpuTime);
    targets = benches
}
criterion_main!(sample_dl);
