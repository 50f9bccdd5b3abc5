//! Turbo encoder and rate matching against the independent Python reference
//! (`vectors/data/phy/ul/turbo_reference.txt`, made by `vectors/gen/turbo_ref.py` from the
//! TS 36.212 equations). Every bit must match.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_phy::turbo::{TurboEncoder, TurboRateMatcher};

const REF: &str = include_str!("../../vectors/data/phy/ul/turbo_reference.txt");

fn bits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

fn field(line: Option<&str>, name: &str) -> Vec<u8> {
    let line = line.expect("truncated vector file");
    let (tag, val) = line.split_once(' ').expect("field line");
    assert_eq!(tag, name);
    bits(val)
}

#[test]
fn encoder_and_rate_matching_match_python_reference() {
    let mut lines = REF.lines().filter(|l| !l.starts_with('#'));
    let mut n_enc = 0;
    let mut n_rm = 0;
    while let Some(head) = lines.next() {
        let h: Vec<&str> = head.split_whitespace().collect();
        match h[0] {
            "encode" => {
                let k: usize = h[1].parse().unwrap();
                let c = field(lines.next(), "c");
                let d0 = field(lines.next(), "d0");
                let d1 = field(lines.next(), "d1");
                let d2 = field(lines.next(), "d2");
                let enc = TurboEncoder::new(k).unwrap();
                let mut out = vec![0u8; 3 * (k + 4)];
                enc.encode(&c, &mut out).unwrap();
                let d = k + 4;
                assert_eq!(&out[..d], &d0[..], "K {k} d0");
                assert_eq!(&out[d..2 * d], &d1[..], "K {k} d1");
                assert_eq!(&out[2 * d..], &d2[..], "K {k} d2");
                n_enc += 1;
            }
            "ratematch" => {
                let p: Vec<usize> = h[1..].iter().map(|x| x.parse().unwrap()).collect();
                let (k, f, e, rv) = (p[0], p[1], p[2], p[3] as u8);
                let c = field(lines.next(), "c");
                let want = field(lines.next(), "e");
                let enc = TurboEncoder::new(k).unwrap();
                let mut coded = vec![0u8; 3 * (k + 4)];
                enc.encode(&c, &mut coded).unwrap();
                let rm = TurboRateMatcher::new(k, f).unwrap();
                let mut got = vec![0u8; e];
                rm.rate_match(&coded, rv, &mut got).unwrap();
                assert_eq!(got, want, "K {k} F {f} E {e} rv {rv}");
                n_rm += 1;
            }
            other => panic!("unknown record {other}"),
        }
    }
    assert_eq!((n_enc, n_rm), (5, 10));
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
