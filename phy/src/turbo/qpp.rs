//! Quadratic permutation polynomial (QPP) interleaver of the LTE turbo code,
//! TS 36.212 §5.1.3.2.3 and Table 5.1.3-3.
//!
//! The interleaver output is `c'_i = c_{Π(i)}`, `Π(i) = (f1·i + f2·i²) mod K`, `i = 0…K−1`,
//! for the 188 code-block sizes `K` of Table 5.1.3-3.

use crate::error::PhyError;

/// Number of entries of Table 5.1.3-3.
pub const NUM_BLOCK_SIZES: usize = 188;

/// Largest code block size `Z` (36.212 §5.1.2).
pub const MAX_BLOCK_SIZE: usize = 6144;

/// Table 5.1.3-3 of TS 36.212: `(K_i, f1, f2)` for `i = 1…188` (stored at `i − 1`).
///
/// `K` runs 40…512 in steps of 8, 528…1024 in steps of 16, 1056…2048 in steps of 32 and
/// 2112…6144 in steps of 64.
pub const QPP_TABLE: [(u16, u16, u16); NUM_BLOCK_SIZES] = [
    (40, 3, 10),
    (48, 7, 12),
    (56, 19, 42),
    (64, 7, 16),
    (72, 7, 18),
    (80, 11, 20),
    (88, 5, 22),
    (96, 11, 24),
    (104, 7, 26),
    (112, 41, 84),
    (120, 103, 90),
    (128, 15, 32),
    (136, 9, 34),
    (144, 17, 108),
    (152, 9, 38),
    (160, 21, 120),
    (168, 101, 84),
    (176, 21, 44),
    (184, 57, 46),
    (192, 23, 48),
    (200, 13, 50),
    (208, 27, 52),
    (216, 11, 36),
    (224, 27, 56),
    (232, 85, 58),
    (240, 29, 60),
    (248, 33, 62),
    (256, 15, 32),
    (264, 17, 198),
    (272, 33, 68),
    (280, 103, 210),
    (288, 19, 36),
    (296, 19, 74),
    (304, 37, 76),
    (312, 19, 78),
    (320, 21, 120),
    (328, 21, 82),
    (336, 115, 84),
    (344, 193, 86),
    (352, 21, 44),
    (360, 133, 90),
    (368, 81, 46),
    (376, 45, 94),
    (384, 23, 48),
    (392, 243, 98),
    (400, 151, 40),
    (408, 155, 102),
    (416, 25, 52),
    (424, 51, 106),
    (432, 47, 72),
    (440, 91, 110),
    (448, 29, 168),
    (456, 29, 114),
    (464, 247, 58),
    (472, 29, 118),
    (480, 89, 180),
    (488, 91, 122),
    (496, 157, 62),
    (504, 55, 84),
    (512, 31, 64),
    (528, 17, 66),
    (544, 35, 68),
    (560, 227, 420),
    (576, 65, 96),
    (592, 19, 74),
    (608, 37, 76),
    (624, 41, 234),
    (640, 39, 80),
    (656, 185, 82),
    (672, 43, 252),
    (688, 21, 86),
    (704, 155, 44),
    (720, 79, 120),
    (736, 139, 92),
    (752, 23, 94),
    (768, 217, 48),
    (784, 25, 98),
    (800, 17, 80),
    (816, 127, 102),
    (832, 25, 52),
    (848, 239, 106),
    (864, 17, 48),
    (880, 137, 110),
    (896, 215, 112),
    (912, 29, 114),
    (928, 15, 58),
    (944, 147, 118),
    (960, 29, 60),
    (976, 59, 122),
    (992, 65, 124),
    (1008, 55, 84),
    (1024, 31, 64),
    (1056, 17, 66),
    (1088, 171, 204),
    (1120, 67, 140),
    (1152, 35, 72),
    (1184, 19, 74),
    (1216, 39, 76),
    (1248, 19, 78),
    (1280, 199, 240),
    (1312, 21, 82),
    (1344, 211, 252),
    (1376, 21, 86),
    (1408, 43, 88),
    (1440, 149, 60),
    (1472, 45, 92),
    (1504, 49, 846),
    (1536, 71, 48),
    (1568, 13, 28),
    (1600, 17, 80),
    (1632, 25, 102),
    (1664, 183, 104),
    (1696, 55, 954),
    (1728, 127, 96),
    (1760, 27, 110),
    (1792, 29, 112),
    (1824, 29, 114),
    (1856, 57, 116),
    (1888, 45, 354),
    (1920, 31, 120),
    (1952, 59, 610),
    (1984, 185, 124),
    (2016, 113, 420),
    (2048, 31, 64),
    (2112, 17, 66),
    (2176, 171, 136),
    (2240, 209, 420),
    (2304, 253, 216),
    (2368, 367, 444),
    (2432, 265, 456),
    (2496, 181, 468),
    (2560, 39, 80),
    (2624, 27, 164),
    (2688, 127, 504),
    (2752, 143, 172),
    (2816, 43, 88),
    (2880, 29, 300),
    (2944, 45, 92),
    (3008, 157, 188),
    (3072, 47, 96),
    (3136, 13, 28),
    (3200, 111, 240),
    (3264, 443, 204),
    (3328, 51, 104),
    (3392, 51, 212),
    (3456, 451, 192),
    (3520, 257, 220),
    (3584, 57, 336),
    (3648, 313, 228),
    (3712, 271, 232),
    (3776, 179, 236),
    (3840, 331, 120),
    (3904, 363, 244),
    (3968, 375, 248),
    (4032, 127, 168),
    (4096, 31, 64),
    (4160, 33, 130),
    (4224, 43, 264),
    (4288, 33, 134),
    (4352, 477, 408),
    (4416, 35, 138),
    (4480, 233, 280),
    (4544, 357, 142),
    (4608, 337, 480),
    (4672, 37, 146),
    (4736, 71, 444),
    (4800, 71, 120),
    (4864, 37, 152),
    (4928, 39, 462),
    (4992, 127, 234),
    (5056, 39, 158),
    (5120, 39, 80),
    (5184, 31, 96),
    (5248, 113, 902),
    (5312, 41, 166),
    (5376, 251, 336),
    (5440, 43, 170),
    (5504, 21, 86),
    (5568, 43, 174),
    (5632, 45, 176),
    (5696, 45, 178),
    (5760, 161, 120),
    (5824, 89, 182),
    (5888, 323, 184),
    (5952, 47, 186),
    (6016, 23, 94),
    (6080, 47, 190),
    (6144, 263, 480),
];

/// Index `i − 1` of `k` in Table 5.1.3-3, or `None` if `k` is not a turbo block size.
pub fn block_size_index(k: usize) -> Option<usize> {
    QPP_TABLE
        .binary_search_by_key(&k, |&(kk, _, _)| usize::from(kk))
        .ok()
}

/// The smallest block size `K ≥ b` of Table 5.1.3-3 (`K+` of §5.1.2), if any.
pub fn next_block_size(b: usize) -> Option<usize> {
    let pos = QPP_TABLE.partition_point(|&(kk, _, _)| usize::from(kk) < b);
    QPP_TABLE.get(pos).map(|&(kk, _, _)| usize::from(kk))
}

/// `(f1, f2)` of Table 5.1.3-3 for block size `k`.
///
/// # Errors
/// `OutOfRange` if `k` is not one of the 188 block sizes.
pub fn qpp_params(k: usize) -> Result<(u32, u32), PhyError> {
    let i = block_size_index(k).ok_or(PhyError::OutOfRange {
        what: "turbo code block size K (Table 5.1.3-3)",
        value: k as i64,
    })?;
    let (_, f1, f2) = QPP_TABLE[i];
    Ok((u32::from(f1), u32::from(f2)))
}

/// Writes `Π(i) = (f1·i + f2·i²) mod K` for `i = 0…K−1` into `out` (length `K`).
///
/// Uses the recursion `Π(i+1) = Π(i) + g(i)`, `g(i+1) = g(i) + 2·f2` (all mod K), with
/// `g(0) = f1 + f2`, which follows from expanding the polynomial.
///
/// # Errors
/// `OutOfRange` if `k` is not a block size; `Length` if `out.len() != k`.
pub fn qpp_permutation(k: usize, out: &mut [u16]) -> Result<(), PhyError> {
    let (f1, f2) = qpp_params(k)?;
    crate::error::check_len("qpp_permutation output", k, out.len())?;
    let kk = k as u32;
    let mut pi = 0u32;
    let mut g = (f1 + f2) % kk;
    let step = (2 * f2) % kk;
    for o in out.iter_mut() {
        // K ≤ 6144 fits u16.
        *o = pi as u16;
        pi = (pi + g) % kk;
        g = (g + step) % kk;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sizes_follow_the_step_rule() {
        let mut expect = Vec::new();
        expect.extend((40..=512).step_by(8));
        expect.extend((528..=1024).step_by(16));
        expect.extend((1056..=2048).step_by(32));
        expect.extend((2112..=6144).step_by(64));
        let got: Vec<usize> = QPP_TABLE.iter().map(|e| usize::from(e.0)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn every_entry_is_a_permutation_and_matches_the_direct_formula() {
        for &(k, f1, f2) in &QPP_TABLE {
            let k = usize::from(k);
            let mut p = vec![0u16; k];
            qpp_permutation(k, &mut p).unwrap();
            let mut seen = vec![false; k];
            for (i, &v) in p.iter().enumerate() {
                let direct =
                    (u64::from(f1) * i as u64 + u64::from(f2) * (i as u64).pow(2)) % k as u64;
                assert_eq!(u64::from(v), direct, "K {k} i {i}");
                assert!(!seen[usize::from(v)], "K {k}: {v} repeated");
                seen[usize::from(v)] = true;
            }
        }
    }

    #[test]
    fn spot_values_ntn_reference_3_2() {
        // (K, Π(1), Π(2), Π(K−1)) from ntn-reference §3.2.
        for (k, p1, p2, plast) in [
            (40usize, 13u16, 6u16, 7u16),
            (48, 19, 14, 5),
            (56, 5, 38, 23),
            (64, 23, 14, 9),
            (104, 33, 14, 19),
            (208, 79, 54, 25),
            (256, 47, 158, 17),
            (512, 95, 318, 33),
            (1008, 139, 446, 29),
            (1024, 95, 318, 33),
            (2048, 95, 318, 33),
            (4096, 95, 318, 33),
            (6144, 743, 2446, 217),
        ] {
            let mut p = vec![0u16; k];
            qpp_permutation(k, &mut p).unwrap();
            assert_eq!((p[1], p[2], p[k - 1]), (p1, p2, plast), "K {k}");
        }
        assert_eq!(qpp_params(6144).unwrap(), (263, 480));
        assert!(qpp_params(41).is_err());
        assert_eq!(next_block_size(41), Some(48));
        assert_eq!(next_block_size(6145), None);
        assert_eq!(next_block_size(1), Some(40));
    }
}
