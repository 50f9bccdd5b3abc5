//! Criterion bench of the NPUSCH cell-side receiver (TS 36.211 §10.1.3–§10.1.5), one core,
//! thread CPU time (`ntn-benchutil`).
//!
//! Budget: real time on one core, i.e. receiving a transmission must take less CPU time than
//! it lasts on air. The throughput is reported in µs of signal per µs of CPU: the printed
//! "Melem/s" figure is the real-time factor (≥ 1 required; a cell serves many UEs, so
//! higher is the goal). Cases: 12 tones, I_TBS 12, 10 RUs (2280 bits in 10 ms, the largest
//! transport block per ms); single tone 15 kHz π/4-QPSK, I_TBS 10, 4 RUs, 4 repetitions
//! (128 ms); single tone 3.75 kHz π/2-BPSK, I_TBS 2, 1 RU (32 ms).
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntn_benchutil::CpuTime;
use ntn_phy::Complex32;
use ntn_phy::nbiot::ul::npusch::{NpuschConfig, NpuschTx, UlModulation, UlSlot, UlSpacing};
use ntn_phy::nbiot::ul::npusch_rx::{NpuschRx, NpuschRxConfig};
use std::hint::black_box;

fn receiver(c: &mut Criterion<CpuTime>) {
    let cases = [
        (
            "12 tones I_TBS 12 10 RU",
            NpuschConfig::data(UlSpacing::Khz15, 12, UlModulation::Qpsk, 12, 7, 1),
        ),
        (
            "1 tone 15 kHz I_TBS 10 4 RU x4",
            NpuschConfig::data(UlSpacing::Khz15, 1, UlModulation::Pi4Qpsk, 10, 3, 4),
        ),
        (
            "1 tone 3.75 kHz I_TBS 2 1 RU",
            NpuschConfig::data(UlSpacing::Khz3_75, 1, UlModulation::Pi2Bpsk, 2, 0, 1),
        ),
    ];
    let mut g = c.benchmark_group("npusch rx");
    for (name, cfg) in cases {
        let mut tx = NpuschTx::new(cfg).unwrap();
        let opts = NpuschRxConfig::default();
        let mut rx = NpuschRx::new(cfg, opts).unwrap();
        let p = tx.params().clone();
        let tb: Vec<u8> = (0..p.tbs).map(|i| ((i * 7 + i / 3) % 2) as u8).collect();
        tx.encode_data(&tb, UlSlot::default()).unwrap();
        let mut buf = vec![Complex32::default(); rx.input_len()];
        tx.transmit(0.2 / 1.92e6, 150.0, &mut buf[opts.margin_samples..])
            .unwrap();
        // Deterministic pseudo-noise (about 10 dB SNR per RE) so the decoder works.
        let n = cfg.spacing.numerology().n() as f32;
        let amp = (n / 10.0 * 3.0).sqrt();
        for (i, v) in buf.iter_mut().enumerate() {
            let a = ((i * 7919) % 1009) as f32 / 1009.0 - 0.5;
            let b = ((i * 104_729) % 1013) as f32 / 1013.0 - 0.5;
            *v += Complex32::new(a, b) * amp;
        }
        let mut out = vec![0u8; p.tbs];
        let rep = rx.receive_data(&buf, UlSlot::default(), &mut out).unwrap();
        assert!(rep.crc_ok, "{name}: {rep:?}");
        g.throughput(Throughput::Elements((p.duration_s() * 1e6) as u64));
        g.bench_function(
            format!("{name} (throughput = real-time factor, >= 1)"),
            |b| {
                b.iter(|| {
                    rx.receive_data(black_box(&buf), UlSlot::default(), &mut out)
                        .unwrap()
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = one_core;
    config = Criterion::default().with_measurement(CpuTime).sample_size(20);
    targets = receiver
}
criterion_main!(one_core);
