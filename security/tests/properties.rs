//! Oracle and property tests for the algorithms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes::Aes128;
use cmac::{Cmac, KeyInit, Mac};
use ntn_security::{
    CipherAlgorithm, CipheringAlgorithmId, Direction, IntegrityAlgorithm, IntegrityAlgorithmId,
};
use proptest::prelude::*;

const CIPHERS: [CipheringAlgorithmId; 4] = [
    CipheringAlgorithmId::Eea0,
    CipheringAlgorithmId::Eea1,
    CipheringAlgorithmId::Eea2,
    CipheringAlgorithmId::Eea3,
];
const MACS: [IntegrityAlgorithmId; 3] = [
    IntegrityAlgorithmId::Eia1,
    IntegrityAlgorithmId::Eia2,
    IntegrityAlgorithmId::Eia3,
];

fn dir(b: bool) -> Direction {
    if b {
        Direction::Downlink
    } else {
        Direction::Uplink
    }
}

proptest! {
    /// Our bit-granular CMAC agrees with RustCrypto `cmac` on whole-byte messages
    /// (128-EIA2 = first 32 bits of AES-CMAC over COUNT || BEARER || DIRECTION || 0^26 || M).
    #[test]
    fn eia2_matches_rustcrypto_cmac(key in any::<[u8; 16]>(), count in any::<u32>(),
                                   bearer in 0u8..32, d in any::<bool>(),
                                   msg in proptest::collection::vec(any::<u8>(), 0..200)) {
        let ours = IntegrityAlgorithmId::Eia2
            .mac(&key, count, bearer, dir(d), &msg, msg.len() * 8).unwrap();
        let mut m = <Cmac<Aes128> as KeyInit>::new_from_slice(&key).unwrap();
        let mut header = [0u8; 8];
        header[..4].copy_from_slice(&count.to_be_bytes());
        header[4] = (bearer << 3) | (u8::from(d) << 2);
        m.update(&header);
        m.update(&msg);
        let tag = m.finalize().into_bytes();
        prop_assert_eq!(&ours[..], &tag[..4]);
    }

    /// Ciphering twice restores the message; bytes after ceil(bits/8) are untouched; the
    /// unused bits of the last byte come out zero.
    #[test]
    fn cipher_is_an_involution_and_bit_exact(key in any::<[u8; 16]>(), count in any::<u32>(),
                                              bearer in 0u8..32, d in any::<bool>(),
                                              msg in proptest::collection::vec(any::<u8>(), 1..120),
                                              cut in 0usize..8) {
        let bits = (msg.len() * 8).saturating_sub(cut);
        for alg in CIPHERS {
            let mut buf = msg.clone();
            buf.push(0xa5); // a guard byte beyond the message
            alg.apply(&key, count, bearer, dir(d), &mut buf, bits).unwrap();
            prop_assert_eq!(buf[msg.len()], 0xa5);
            if bits % 8 != 0 {
                prop_assert_eq!(buf[bits / 8] & (0xff >> (bits % 8)), 0);
            }
            alg.apply(&key, count, bearer, dir(d), &mut buf, bits).unwrap();
            let mut want = msg.clone();
            if bits % 8 != 0 {
                want[bits / 8] &= 0xff << (8 - bits % 8);
            }
            prop_assert_eq!(&buf[..msg.len()], &want[..]);
        }
    }

    /// The MAC depends only on the first `bits` bits, and flipping one of them changes it.
    #[test]
    fn mac_covers_exactly_the_message_bits(key in any::<[u8; 16]>(), count in any::<u32>(),
                                           bearer in 0u8..32, d in any::<bool>(),
                                           msg in proptest::collection::vec(any::<u8>(), 1..80),
                                           cut in 0usize..8, flip in any::<usize>()) {
        let bits = (msg.len() * 8).saturating_sub(cut).max(1);
        for alg in MACS {
            let a = alg.mac(&key, count, bearer, dir(d), &msg, bits).unwrap();
            let mut noisy = msg.clone();
            if bits % 8 != 0 {
                noisy[bits / 8] ^= 0xff >> (bits % 8);
            }
            prop_assert_eq!(a, alg.mac(&key, count, bearer, dir(d), &noisy, bits).unwrap());
            let b = flip % bits;
            let mut flipped = msg.clone();
            flipped[b / 8] ^= 0x80 >> (b % 8);
            prop_assert_ne!(a, alg.mac(&key, count, bearer, dir(d), &flipped, bits).unwrap());
        }
    }
}
