//! CPU-time throughput probe: `/usr/bin/time -f %U target/release/examples/throughput eia2 200000`
//! runs N MACs (or cipher passes) over 1500-byte messages; divide N * 1500 bytes by the user CPU
//! seconds. Complements the criterion bench on a loaded machine (criterion measures wall time).
#![allow(missing_docs)]

use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "eia2".into());
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let key = [0x5a; 16];
    let mut buf = vec![0x33u8; 1500];
    let mut acc = 0u32;
    for i in 0..n {
        match which.as_str() {
            "eea2" => {
                let _ = CipheringAlgorithmId::Eea2.apply(
                    &key,
                    i,
                    3,
                    Direction::Uplink,
                    &mut buf,
                    12000,
                );
                acc ^= u32::from(buf[7]);
            }
            "eia1" | "eia2" | "eia3" => {
                let alg = match which.as_str() {
                    "eia1" => IntegrityAlgorithmId::Eia1,
                    "eia3" => IntegrityAlgorithmId::Eia3,
                    _ => IntegrityAlgorithmId::Eia2,
                };
                let m = alg
                    .mac(&key, i, 3, Direction::Uplink, &buf, 12000)
                    .unwrap_or([0; 4]);
                acc ^= u32::from_be_bytes(m);
            }
            _ => {}
        }
    }
    println!("{which} x{n}: checksum {acc:08x}");
}
