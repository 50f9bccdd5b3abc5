//! The cell's uplink receiver at sample level (`UlSampleRx`) on one core: transmitter,
//! residual channel, AWGN and receiver for the transmissions the stacks send.
//!
//! Budget (issue 8): the whole 683 s LEO pass at sample level ≥ 5× real time with every DL
//! and UL transmission, so each uplink transmission must run well above 5× its air time.
//! Throughput is counted in samples of air time at 1.92 Msps: the real-time factor is the
//! reported Melem/s divided by 1.92 (run: `cargo bench -p ntn-sim --bench sample_ul`).
//!
//! Measured 2026-11-29 (release, one core, machine shared and loaded), real-time factor =
//! air time / CPU time: NPRACH F1 ×4 reps 10×; NPUSCH 12 tones 1000 bits/4 RU 5.4×, 88 bits
//! ×4 reps 5.7×; single tone 88 bits 9.9×, 1000 bits/8 RU 10×, 88 bits ×128 reps (1.02 s)
//! 10×; format 2 ×4 reps 10×. Per sample: the residual channel's sinc interpolator ≈ ⅓,
//! the receiver's per-tone demodulation (12 tones, twice when the timing moves the window)
//! and the transmitter's synthesis most of the rest, AWGN ≈ 10 %.
//!
//! Measured in the thread's CPU time (`ntn_benchutil::CpuTime`): the machine's two cores are
//! shared, and wall time would measure the neighbours.
#![allow(clippy::unwrap_used)] // bench setup

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_sim::engine::sample::ul::{UlSampleRx, harq_ack_format, nprach_format, npusch_format};
use ntn_sim::engine::sample::{CellPhy, Residual};
use ntn_stack::air::AirPayload;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn benches(c: &mut Criterion<CpuTime>) {
    let residual = Residual {
        delay_s: 0.8e-6,
        delay_rate: 1e-7,
        freq_hz: 120.0,
        freq_rate_hz_s: -30.0,
        snr_db: 10.0,
    };
    let nprach = nprach_format(4);
    let ack = harq_ack_format(4);
    let pusch = npusch_format;
    let tb = |bits: u32| AirPayload::Ulsch {
        rnti: 0x4601,
        tb: (0..bits / 8).map(|i| i as u8).collect(),
    };
    // (name, payload, format, air time in ms)
    let cases = [
        (
            "nprach_f1_rep4",
            AirPayload::Preamble {
                rapid: 17,
                ce_level: 0,
            },
            nprach,
            25.6,
        ),
        (
            "npusch_12tone_1000b_4ru",
            tb(1000),
            pusch(1000, 4, 1, 12),
            4.0,
        ),
        (
            "npusch_12tone_88b_1ru_rep4",
            tb(88),
            pusch(88, 1, 4, 12),
            4.0,
        ),
        ("npusch_1tone_88b_1ru", tb(88), pusch(88, 1, 1, 1), 8.0),
        (
            "npusch_1tone_1000b_7ru",
            tb(1000),
            pusch(1000, 7, 1, 1),
            64.0,
        ),
        (
            "npusch_1tone_88b_1ru_rep128",
            tb(88),
            pusch(88, 1, 128, 1),
            1024.0,
        ),
        (
            "npusch_f2_ack_rep4",
            AirPayload::HarqAck {
                rnti: 0x4601,
                ack: true,
            },
            ack,
            8.0,
        ),
    ];
    let mut g = c.benchmark_group("sample_ul");
    for (name, payload, format, air_ms) in cases {
        let mut rx = UlSampleRx::new(CellPhy::default());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // Plans the configuration (cached afterwards, as in a run).
        rx.receive(&payload, &format, 0, &residual, &mut rng)
            .unwrap();
        // Short transmissions are run in batches of ≥ 32 ms of air time per iteration: the
        // CPU clock ticks every 4 ms.
        let air_ms: f64 = air_ms;
        let batch = (32.0 / air_ms).ceil().max(1.0) as usize;
        g.throughput(Throughput::Elements(
            (batch as f64 * air_ms * 1920.0) as u64,
        ));
        if air_ms > 100.0 {
            g.sample_size(10);
        } else {
            g.sample_size(20);
        }
        let mut sf = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                for _ in 0..batch {
                    sf += 40;
                    black_box(
                        rx.receive(&payload, &format, sf, &residual, &mut rng)
                            .unwrap(),
                    );
                }
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = sample_ul;
    config = Criterion::default()
        .with_measurement(CpuTime)
        .measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(sample_ul);
