//! NB-IoT scheduling timing (TS 36.213 §16) with the IoT-NTN offsets, in subframes (1 ms).
//!
//! Subframe numbers here are absolute DL subframe indices (10·SFN + subframe, extended past
//! the SFN wrap by the caller). For FDD, with `n` the last subframe of the NPDCCH (or NPDSCH):
//!
//! | what | first subframe | clause |
//! |---|---|---|
//! | NPDSCH after DCI N1 ending in n | n + 5 + k0 (k0: Table 16.4.1-1) | §16.4.1 |
//! | NPUSCH format 2 (HARQ-ACK) after NPDSCH ending in n | after the end of n + k0 − 1 + K_offset (k0: Table 16.4.2-1) | §16.4.2 |
//! | NPUSCH format 1 after DCI N0 ending in n | after the end of n + k0 + K_offset (k0: Table 16.5.1-1) | §16.5.1 |
//! | Msg3 after the RAR NPDSCH ending in n | after the end of n + k0 + K_offset (k0 = 12 for I_delay = 0) | §16.3.3 |
//! | TA command ending in n applies from | n + 12 + K_offset + 1 | §16.1.2 |
//!
//! `K_offset = K_cell,offset − K_UE,offset` (k-Offset of SIB31 minus the Differential
//! Koffset MAC CE), except for an NPUSCH associated with the TC-RNTI (Msg3 and its
//! retransmissions), which uses k-Offset itself (§16, read in the Rel-17/18 text).
//!
//! Simplification: every subframe counts as an NB-IoT DL subframe (the caller skips
//! NPBCH/NPSS/NSSS/SIB1 subframes when it maps the result onto the carrier). The k0 tables
//! were read from an independent implementation of 36.213 (srsRAN 4G `ra_nbiot.c` value
//! tables, for facts only) because the table bodies are images in the spec text available
//! here; the formulas above were read in the 36.213 text.

/// k0 of DCI format N1 by I_delay when R_max < 128 (Table 16.4.1-1).
pub const N1_K0_RMAX_LT_128: [u32; 8] = [0, 4, 8, 12, 16, 32, 64, 128];
/// k0 of DCI format N1 by I_delay when R_max ≥ 128 (Table 16.4.1-1).
pub const N1_K0_RMAX_GE_128: [u32; 8] = [0, 16, 32, 64, 128, 256, 512, 1024];
/// k0 of DCI format N0 by I_delay (Table 16.5.1-1, FDD).
pub const N0_K0: [u32; 4] = [8, 16, 32, 64];
/// HARQ-ACK k0 by the 4-bit ACK/NACK resource field, 15 kHz NPUSCH (Table 16.4.2-1).
pub const ACK_K0_15KHZ: [u32; 16] = [
    13, 13, 13, 13, 15, 15, 15, 15, 17, 17, 17, 17, 18, 18, 18, 18,
];
/// HARQ-ACK subcarrier by the ACK/NACK resource field, 15 kHz (Table 16.4.2-1).
pub const ACK_SC_15KHZ: [u8; 16] = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
/// HARQ-ACK k0 by the ACK/NACK resource field, 3.75 kHz NPUSCH (Table 16.4.2-2).
pub const ACK_K0_3P75KHZ: [u32; 16] = [
    13, 13, 13, 13, 13, 13, 13, 13, 21, 21, 21, 21, 21, 21, 21, 21,
];
/// HARQ-ACK subcarrier by the ACK/NACK resource field, 3.75 kHz (Table 16.4.2-2).
pub const ACK_SC_3P75KHZ: [u8; 16] = [
    38, 39, 40, 41, 42, 43, 44, 45, 38, 39, 40, 41, 42, 43, 44, 45,
];

/// The offsets of an IoT-NTN cell, in subframes (ms); all 0 in a terrestrial cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NtnOffsets {
    /// k-Offset of SIB31 (K_cell,offset, 0…1023 ms).
    pub k_cell_offset: u32,
    /// The Differential Koffset received in the MAC CE (K_UE,offset), 0 if none.
    pub k_ue_offset: u32,
    /// k-Mac of SIB31 (0…512 ms).
    pub k_mac: u32,
}

impl NtnOffsets {
    /// K_offset for C-RNTI scheduling: K_cell,offset − K_UE,offset (never below 0).
    pub fn k_offset(&self) -> u32 {
        self.k_cell_offset.saturating_sub(self.k_ue_offset)
    }
    /// K_offset for an NPUSCH associated with the TC-RNTI (Msg3): k-Offset itself.
    pub fn k_offset_tc_rnti(&self) -> u32 {
        self.k_cell_offset
    }
}

/// First NPDSCH subframe after a DCI N1 ending in `npdcch_end` (§16.4.1).
pub fn npdsch_start(npdcch_end: u64, i_delay: u8, r_max: u32) -> u64 {
    let table = if r_max < 128 {
        &N1_K0_RMAX_LT_128
    } else {
        &N1_K0_RMAX_GE_128
    };
    npdcch_end + 5 + u64::from(table[usize::from(i_delay & 7)])
}

/// First NPDSCH subframe after a DCI N1 ending in `npdcch_end`, counting k0 in NB-IoT DL
/// subframes as §16.4.1 does: the k0-th subframe with `is_nb_dl(sf)` from n+5 on (k0 = 0:
/// the first NB-IoT DL subframe ≥ n+5). [`npdsch_start`] is this with every subframe valid.
pub fn npdsch_first_subframe(
    npdcch_end: u64,
    i_delay: u8,
    r_max: u32,
    is_nb_dl: impl Fn(u64) -> bool,
) -> u64 {
    let table = if r_max < 128 {
        &N1_K0_RMAX_LT_128
    } else {
        &N1_K0_RMAX_GE_128
    };
    let k0 = table[usize::from(i_delay & 7)];
    let mut sf = npdcch_end + 5;
    let mut seen = 0;
    loop {
        if is_nb_dl(sf) {
            if seen == k0 {
                return sf;
            }
            seen += 1;
        }
        sf += 1;
    }
}

/// First subframe of the NPUSCH format 2 carrying the HARQ-ACK of an NPDSCH ending in
/// `npdsch_end` (§16.4.2): it starts after the end of n + k0 − 1 + K_offset.
pub fn harq_ack_start(
    npdsch_end: u64,
    ack_resource: u8,
    spacing_15khz: bool,
    k_offset: u32,
) -> u64 {
    let k0 = if spacing_15khz {
        ACK_K0_15KHZ[usize::from(ack_resource & 15)]
    } else {
        ACK_K0_3P75KHZ[usize::from(ack_resource & 15)]
    };
    npdsch_end + u64::from(k0) + u64::from(k_offset)
}

/// First subframe of the NPUSCH format 1 after a DCI N0 ending in `npdcch_end` (§16.5.1):
/// it starts after the end of n + k0 + K_offset.
pub fn npusch_start(npdcch_end: u64, i_delay: u8, k_offset: u32) -> u64 {
    npdcch_end + u64::from(N0_K0[usize::from(i_delay & 3)]) + u64::from(k_offset) + 1
}

/// First subframe of Msg3 after the RAR NPDSCH ending in `rar_end` (§16.3.3 with k0 = 12
/// for I_delay = 0; K_offset = k-Offset for the TC-RNTI).
pub fn msg3_start(rar_end: u64, i_delay: u8, offsets: &NtnOffsets) -> u64 {
    let k0 = [12u32, 16, 32, 64][usize::from(i_delay & 3)];
    rar_end + u64::from(k0) + u64::from(offsets.k_offset_tc_rnti()) + 1
}

/// First UL subframe a Timing Advance Command ending in `n` applies to (§16.1.2).
pub fn ta_command_applies(n: u64, k_offset: u32) -> u64 {
    n + 12 + u64::from(k_offset) + 1
}

/// Smallest N1 I_delay (R_max < 128 table) with k0 ≥ `min_k0`, if any.
pub fn n1_delay_at_least(min_k0: u32, r_max: u32) -> Option<u8> {
    let table = if r_max < 128 {
        &N1_K0_RMAX_LT_128
    } else {
        &N1_K0_RMAX_GE_128
    };
    table.iter().position(|&k| k >= min_k0).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: N1 ending in subframe 100 with I_delay 2 (k0 = 8) → NPDSCH at 113;
    /// NPDSCH ending at 116, ACK resource 5 (k0 = 15) and K_offset 0 → ACK at 131, with
    /// K_offset 20 → 151; N0 ending in 200, I_delay 1 (k0 = 16), K_offset 30 → NPUSCH at 247.
    #[test]
    fn hand_checked_timings() {
        assert_eq!(npdsch_start(100, 2, 64), 113);
        assert_eq!(npdsch_start(100, 2, 256), 100 + 5 + 32);
        assert_eq!(harq_ack_start(116, 5, true, 0), 131);
        assert_eq!(harq_ack_start(116, 5, true, 20), 151);
        assert_eq!(harq_ack_start(116, 9, false, 0), 137);
        assert_eq!(npusch_start(200, 1, 30), 247);
        let o = NtnOffsets {
            k_cell_offset: 40,
            k_ue_offset: 15,
            k_mac: 0,
        };
        assert_eq!(o.k_offset(), 25);
        // Msg3 ignores the differential offset: 10 + 12 + 40 + 1.
        assert_eq!(msg3_start(10, 0, &o), 63);
        assert_eq!(ta_command_applies(10, 25), 48);
        assert_eq!(n1_delay_at_least(10, 8), Some(3));
        assert_eq!(n1_delay_at_least(2000, 8), None);
        // Subframes 105 (NPSS), 109 (NSSS, even frame) and 110 (NPBCH) are not NB-IoT DL
        // subframes: N1 ending in 100, k0 = 4 → skip 106, 107, 108, 111 → NPDSCH at 112.
        let valid = |sf: u64| {
            sf % 10 != 5 && !(sf % 10 == 9 && (sf / 10).is_multiple_of(2)) && !sf.is_multiple_of(10)
        };
        assert_eq!(npdsch_first_subframe(100, 1, 8, valid), 112);
        assert_eq!(
            npdsch_first_subframe(100, 1, 8, |_| true),
            npdsch_start(100, 1, 8)
        );
    }
}
