//! Throughput of the EEA/EIA algorithms on 1500-byte messages (an IP MTU: the largest PDCP
//! SDU the user plane carries). Budget: >= 500 MB/s for 128-EEA2 and 128-EIA2 on one core, so
//! ciphering a full NR slot's worth of PDCP PDUs costs a small fraction of a core.
//!
//! Criterion measures wall time, so on a shared, loaded machine the figures drop with the load;
//! `examples/throughput.rs` measures per-CPU-second throughput with `/usr/bin/time` instead.
//! Measured 2026-11-28 (AMD EPYC, 2 cores shared, load average 6-8), 10^6 messages of 1500 B:
//! EEA2 3.4 GB/s, EIA2 591 MB/s, EIA1 492 MB/s, EIA3 225 MB/s per CPU second.
#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let key = [0x5a; 16];
    let mut g = c.benchmark_group("1500B");
    g.throughput(Throughput::Bytes(1500));
    for alg in [
        CipheringAlgorithmId::Eea1,
        CipheringAlgorithmId::Eea2,
        CipheringAlgorithmId::Eea3,
    ] {
        let mut buf = vec![0x33u8; 1500];
        g.bench_function(format!("{alg:?}"), |b| {
            b.iter(|| {
                alg.apply(
                    &key,
                    black_box(0x1234),
                    3,
                    Direction::Uplink,
                    &mut buf,
                    12000,
                )
                .unwrap_or(());
            })
        });
    }
    for alg in [
        IntegrityAlgorithmId::Eia1,
        IntegrityAlgorithmId::Eia2,
        IntegrityAlgorithmId::Eia3,
    ] {
        let buf = vec![0x33u8; 1500];
        g.bench_function(format!("{alg:?}"), |b| {
            b.iter(|| alg.mac(&key, black_box(0x1234), 3, Direction::Uplink, &buf, 12000))
        });
    }
    // Baseline: RustCrypto `cmac` over the same 1508 bytes (header + message), whole bytes only.
    {
        use cmac::{Cmac, KeyInit, Mac};
        let buf = vec![0x33u8; 1508];
        g.bench_function("rustcrypto_cmac_baseline", |b| {
            b.iter(|| {
                let mut m = <Cmac<aes::Aes128> as KeyInit>::new_from_slice(&key)
                    .unwrap_or_else(|_| unreachable!());
                m.update(black_box(&buf));
                m.finalize()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
