//! Criterion benches of the LTE turbo code (TS 36.212 §5.1.3.2).
//!
//! Budget: the issue asks for a decoder information rate ≥ 50 Mbit/s on one core for
//! K = 6144 with 4 full iterations (no early stop). NB-IoT NPUSCH itself needs far less (a
//! TBS ≤ 2536 bits per ≥ 1 ms), so this is a headroom target for LTE-rate use.

#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntn_phy::turbo::{TurboDecodeOptions, TurboDecoder, TurboEncoder, TurboRateMatcher};
use std::hint::black_box;

fn decoder(c: &mut Criterion) {
    let k = 6144;
    let enc = TurboEncoder::new(k).unwrap();
    let msg: Vec<u8> = (0..k).map(|i| ((i * 13 + i / 7) % 2) as u8).collect();
    let mut coded = vec![0u8; 3 * (k + 4)];
    enc.encode(&msg, &mut coded).unwrap();
    // Deterministic pseudo-noise so the decoder does real work.
    let llr: Vec<f32> = coded
        .iter()
        .enumerate()
        .map(|(i, &b)| (1.0 - 2.0 * f32::from(b)) * 1.2 + ((i * 7919 % 113) as f32 / 56.5 - 1.0))
        .collect();
    let mut dec = TurboDecoder::new(k).unwrap();
    let mut out = vec![0u8; k];
    let opts = TurboDecodeOptions {
        max_iterations: 4,
        crc: None,
        filler: 0,
    };
    let mut g = c.benchmark_group("turbo");
    g.throughput(Throughput::Elements(k as u64));
    g.bench_function("decode K=6144 4 iterations (target >= 50 Mbit/s)", |b| {
        b.iter(|| dec.decode(black_box(&llr), &opts, &mut out).unwrap())
    });
    g.bench_function("encode K=6144", |b| {
        b.iter(|| enc.encode(black_box(&msg), &mut coded).unwrap())
    });
    let rm = TurboRateMatcher::new(k, 0).unwrap();
    let mut e = vec![0u8; 3 * (k + 4)];
    g.bench_function("rate match K=6144 E=3K+12 rv0", |b| {
        b.iter(|| rm.rate_match(black_box(&coded), 0, &mut e).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decoder);
criterion_main!(benches);
