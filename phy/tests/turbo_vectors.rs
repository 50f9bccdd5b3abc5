//! Turbo encoder and rate matching against the independent Python reference
//! (`vectors/data/phy/ul/turbo_reference.txt`, made by `vectors/gen/turbo_ref.py` from the
//! TS 36.212 equations). Every bit must match.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const REF: &str = include_str!("../../vectors/data/phy/ul/turbo_reference.txt");

fn field(line: Option<&str>, name: &str) -> Vec<u8> {
    ntn_phy::conformance::turbo_bits_field(line, name).expect("a `name 0101…` line")
}

/// Every record of the reference: `ntn_phy::conformance::turbo_reference`, shared with
/// `ntn conformance` (5 encoder and 10 rate-matching records).
#[test]
fn encoder_and_rate_matching_match_python_reference() {
    let r = ntn_phy::conformance::turbo_reference(REF);
    assert_eq!(
        r.cases
            .iter()
            .filter(|c| c.name.starts_with("encode"))
            .count(),
        5
    );
    assert_eq!(
        r.cases
            .iter()
            .filter(|c| c.name.starts_with("rate match"))
            .count(),
        10
    );
    assert!(r.all_passed(), "{:?}", r.failures());
}

/// Every decoder kernel available on this CPU decodes the reference code words (with
/// deterministic noise and a burst of flipped systematic bits) back to the reference input,
/// and the portable fixed-point and AVX2 kernels agree bit for bit.
#[test]
fn every_decoder_kernel_decodes_the_python_reference_code_words() {
    use ntn_phy::turbo::{TurboDecodeOptions, TurboDecoder, TurboKernel};
    let mut lines = REF.lines().filter(|l| !l.starts_with('#'));
    let mut n = 0;
    while let Some(head) = lines.next() {
        let h: Vec<&str> = head.split_whitespace().collect();
        let fields = if h[0] == "encode" { 4 } else { 2 };
        let recs: Vec<&str> = (0..fields).map(|_| lines.next().unwrap()).collect();
        if h[0] != "encode" {
            continue;
        }
        let k: usize = h[1].parse().unwrap();
        let c = field(Some(recs[0]), "c");
        let mut coded = field(Some(recs[1]), "d0");
        coded.extend(field(Some(recs[2]), "d1"));
        coded.extend(field(Some(recs[3]), "d2"));
        let mut x = 0x1234_5678u32 ^ k as u32;
        let mut llr: Vec<f32> = coded
            .iter()
            .map(|&b| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let noise = (x as f32 / u32::MAX as f32 - 0.5) * 2.4;
                2.0 * (1.0 - 2.0 * f32::from(b)) + noise
            })
            .collect();
        for l in llr[k / 3..k / 3 + k / 50 + 1].iter_mut() {
            *l = -*l;
        }
        let opts = TurboDecodeOptions {
            max_iterations: 8,
            crc: None,
            filler: 0,
        };
        let mut fixed_outs = Vec::new();
        for kernel in [
            TurboKernel::Scalar,
            TurboKernel::Lanes,
            TurboKernel::Fixed,
            TurboKernel::FixedAvx2,
        ] {
            if !kernel.available() {
                eprintln!("K {k}: {kernel:?} skipped (CPU lacks it)");
                continue;
            }
            let mut dec = TurboDecoder::with_kernel(k, kernel).unwrap();
            let mut out = vec![0u8; k];
            dec.decode(&llr, &opts, &mut out).unwrap();
            assert_eq!(out, c, "K {k} {kernel:?}");
            if matches!(kernel, TurboKernel::Fixed | TurboKernel::FixedAvx2) {
                fixed_outs.push(out);
            }
        }
        assert!(fixed_outs.windows(2).all(|w| w[0] == w[1]));
        n += 1;
    }
    assert_eq!(n, 5);
}
