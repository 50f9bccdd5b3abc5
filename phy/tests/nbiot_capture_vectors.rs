//! Reference vectors: real NB-IoT captures (third-party, srsRAN 4G PHY test data; see
//! `../shared/vectors/srsran-captures/README.md`). Read from `../shared/vectors/` relative to
//! the workspace root (or `$NTN_VECTORS_DIR`); each test prints why it skips when absent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is the report

use std::path::PathBuf;

use ntn_phy::Complex32;
use ntn_phy::conformance::{
    capture_files, cf32_from_le_bytes, decode_dci_subframe, decode_mib_subframe, nbiot_dl_captures,
};
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::npbch::{NpbchDecoded, OperationMode};
use ntn_phy::nbiot::npdcch::{DciN0N1, DecodedDci, NpdcchCandidate};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::NbiotOfdm;

fn captures_dir() -> PathBuf {
    if let Ok(d) = std::env::var("NTN_VECTORS_DIR") {
        return PathBuf::from(d).join("srsran-captures");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/srsran-captures")
}

fn bytes(name: &str) -> Option<Vec<u8>> {
    std::fs::read(captures_dir().join(name)).ok()
}

/// Loads a cf32_le file, or `None` (with a printed reason) when it is absent.
fn load(name: &str) -> Option<Vec<Complex32>> {
    match bytes(name) {
        Some(b) => Some(cf32_from_le_bytes(&b).expect("whole samples")),
        None => {
            println!(
                "SKIP: capture {} not available",
                captures_dir().join(name).display()
            );
            None
        }
    }
}

fn decode_sf0(samples: &[Complex32], cell: u16) -> NpbchDecoded {
    let d = decode_mib_subframe(samples, cell).expect("MIB-NB CRC pass");
    println!("cell {cell}: {d:?}");
    d
}

/// The conformance suite (`ntn conformance` runs the same): every README-stated parameter.
#[test]
fn capture_suite_passes() {
    if capture_files().iter().any(|f| bytes(f).is_none()) {
        println!(
            "SKIP: captures not available under {}",
            captures_dir().display()
        );
        return;
    }
    let r = nbiot_dl_captures(&bytes);
    for c in &r.cases {
        println!(
            "{}: {} — {}",
            c.name,
            if c.passed { "pass" } else { "FAIL" },
            c.detail
        );
    }
    assert_eq!(r.cases.len(), 8);
    assert!(r.all_passed(), "{:?}", r.failures());
}

#[test]
fn mib_nb_nid256_r14() {
    let Some(s) = load("signal_nbiot_nid256_r14_sf0.bin") else {
        return;
    };
    let d = decode_sf0(&s, 256);
    assert_eq!(d.block, 0, "README: NPBCH block r = 0");
    // Rel-14 cell: θ_f present, so the full SFN is known from one subframe
    assert_eq!(d.frame_mod8, Some(0));
    assert_eq!(d.sfn(), Some(832));
    assert_eq!(d.ports, NrsPorts::Two);
    assert_eq!(
        (
            d.mib.sfn_msb4,
            d.mib.hsfn_lsb2,
            d.mib.scheduling_info_sib1,
            d.mib.system_info_value_tag
        ),
        (13, 3, 2, 3)
    );
    assert_eq!(d.mib.operation_mode, OperationMode::InbandSamePci(19));
    assert!(!d.mib.ab_enabled);
}

#[test]
fn mib_nb_nid257_r13() {
    let Some(s) = load("signal_nbiot_nid257_r13_sf0.bin") else {
        return;
    };
    let d = decode_sf0(&s, 257);
    assert_eq!(d.block, 4, "README: NPBCH block r = 4");
    // this transmitter predates the θ_f rotation: no n_f mod 8
    assert_eq!(d.frame_mod8, None);
    assert_eq!(d.ports, NrsPorts::One);
    assert_eq!((d.mib.sfn_msb4, d.mib.system_info_value_tag), (1, 1));
    assert_eq!(d.mib.operation_mode, OperationMode::Standalone(0));
}

#[test]
fn mib_nb_nid257_r14() {
    let Some(s) = load("signal_nbiot_nid257_r14_sf0.bin") else {
        return;
    };
    let d = decode_sf0(&s, 257);
    assert_eq!(d.block, 7, "README: NPBCH block r = 7");
    assert_eq!(d.frame_mod8, Some(7));
    assert_eq!(d.sfn(), Some(447));
    assert_eq!(d.ports, NrsPorts::Two);
    assert_eq!(
        (
            d.mib.sfn_msb4,
            d.mib.hsfn_lsb2,
            d.mib.scheduling_info_sib1,
            d.mib.system_info_value_tag
        ),
        (6, 2, 2, 6)
    );
    assert_eq!(d.mib.operation_mode, OperationMode::Guardband(8));
}

#[test]
fn mib_nb_amarisoft_nid0_sfn514() {
    let Some(s) = load("signal_nbiot_amari_nid0_sfn514_sib2.bin") else {
        return;
    };
    for frame in 0..2 {
        let d = decode_sf0(&s[frame * 19200..], 0);
        // SFN 514 and 515 lie in block 0 of the TTI starting at SFN 512
        assert_eq!(d.block, 0);
        assert_eq!(d.block_first_sfn(), 512);
        assert_eq!(d.frame_mod8, None, "this eNB sends no θ_f rotation");
        assert_eq!(d.mib.sfn_msb4, 8, "514 >> 6");
        assert_eq!(d.ports, NrsPorts::One);
        assert_eq!(d.mib.operation_mode, OperationMode::Standalone(0));
    }
}

fn decode_dci(name: &str, sfn: u32, subframe: u32, rnti: u16) -> Option<DecodedDci> {
    let s = load(name)?;
    let d = decode_dci_subframe(&s, 0, sfn, subframe, rnti)
        .unwrap_or_else(|e| panic!("no DCI with CRC pass in {name}: {e}"));
    println!("{name}: {:?} bits {:?}", d.candidate, d.bits);
    Some(d)
}

#[test]
fn dci_n0_rnti_0x102() {
    let name = "signal_nbiot_dci_formatN0_L_1_nid0_tti_8624_rnti_0x102.bin";
    let Some(d) = decode_dci(name, 862, 4, 0x0102) else {
        return;
    };
    assert_eq!(
        d.bits[0], 0,
        "flag for format N0/N1 differentiation: 0 = N0"
    );
    assert_eq!(
        d.candidate,
        NpdcchCandidate::Ncce0,
        "README: aggregation level 1"
    );
    let dci = DciN0N1::unpack(&d.bits).expect("23 bits");
    println!("{dci:?}");
    // regression values (CRC-verified under C-RNTI 0x0102)
    let DciN0N1::N0(n0) = dci else {
        panic!("format N0 expected")
    };
    assert_eq!(
        (
            n0.subcarrier_indication,
            n0.resource_assignment,
            n0.scheduling_delay,
            n0.mcs
        ),
        (0, 7, 0, 4)
    );
    assert_eq!(
        (
            n0.redundancy_version,
            n0.repetition_number,
            n0.dci_subframe_repetition
        ),
        (1, 0, 0)
    );
    assert!(n0.new_data_indicator);
}

#[test]
fn dci_n1_rnti_0x89() {
    let name = "signal_nbiot_dci_formatN1_nid0_tti_5461_rnti_0x89.bin";
    let Some(d) = decode_dci(name, 546, 1, 0x0089) else {
        return;
    };
    assert_eq!(
        d.bits[0], 1,
        "flag for format N0/N1 differentiation: 1 = N1"
    );
    assert_eq!(
        d.candidate,
        NpdcchCandidate::Both,
        "README: aggregation level 2"
    );
    let dci = DciN0N1::unpack(&d.bits).expect("23 bits");
    println!("{dci:?}");
    // regression values (CRC-verified under C-RNTI 0x0089)
    let DciN0N1::N1(n1) = dci else {
        panic!("format N1 expected")
    };
    assert!(!n1.npdcch_order);
    assert_eq!(
        (n1.scheduling_delay, n1.resource_assignment, n1.mcs),
        (0, 1, 3)
    );
    assert_eq!(
        (
            n1.repetition_number,
            n1.harq_ack_resource,
            n1.dci_subframe_repetition
        ),
        (0, 0, 0)
    );
    assert!(!n1.new_data_indicator);
}

/// NPDSCH on the real Amarisoft capture: the SIB2-NB SI message (README) is found by trying
/// every `si-TB` size (2 or 8 subframes) at every NB-IoT DL subframe of the two frames, and
/// decodes with a CRC-24A pass: TBS 208 in the 8 DL subframes from SFN 514 subframe 1 (subframe
/// 4 of SFN 514 is skipped: it carries SIB1-NB, schedulingInfoSIB1 = 0, cell 0).
///
/// Finding: this Rel-13 eNB scrambles the SI message with the non-BCCH form
/// `n_RNTI·2^14 + (n_f mod 2)·2^13 + ⌊n_s/2⌋·2^9 + N_ID` (SI-RNTI), not the BCCH form that
/// the current 36.211 §10.2.3.1 text gives for "NPDSCH carrying the BCCH"; the BCCH form is
/// tried too and fails. (About 240 hypotheses against a 24-bit CRC: a false pass has odds of
/// about 1.4·10⁻⁵.)
#[test]
fn npdsch_sib2_amarisoft_nid0_sfn514() {
    use ntn_phy::nbiot::npdsch::{
        NpdschConfig, NpdschDecoder, SI_RNTI, Sib1Schedule, SubframeIndex, nbiot_dl_subframes,
        npdsch_c_init_bcch, si_message_n_sf,
    };
    let Some(s) = load("signal_nbiot_amari_nid0_sfn514_sib2.bin") else {
        return;
    };
    let cell = NcellId::new(0).expect("id");
    let mut ofdm = NbiotOfdm::new();
    let grids: Vec<ResourceGrid> = (0..20)
        .map(|i| {
            let mut g = ResourceGrid::nbiot_subframe();
            ofdm.demodulate_subframe(&s[i * 1920..(i + 1) * 1920], &mut g)
                .expect("finite");
            g
        })
        .collect();
    // schedulingInfoSIB1 = 0 from the MIB-NB of this capture
    let sib1 = Sib1Schedule::new(0, cell).expect("schedule");
    let mut valid = Vec::new();
    nbiot_dl_subframes(
        SubframeIndex::new(514, 0).expect("sf"),
        14,
        Some(&sib1),
        &mut valid,
    );
    let mut dec = NpdschDecoder::new();
    let mut found = Vec::new();
    for tbs in [56usize, 120, 208, 256, 328, 440, 552, 680] {
        let n_sf = si_message_n_sf(tbs);
        for st in 0..=valid.len() - n_sf {
            let subs = &valid[st..st + n_sf];
            // 0: BCCH form (current spec text); 1: BCCH form with each subframe's frame;
            // 2: non-BCCH form
            for form in 0..3 {
                let cfg = NpdschConfig {
                    cell,
                    ports: NrsPorts::One,
                    rnti: SI_RNTI,
                    bcch: form != 2,
                    tbs_bits: tbs,
                    n_sf,
                    n_rep: 1,
                    data_start_symbol: 0,
                };
                dec.start(&cfg).expect("config");
                for (j, sf) in subs.iter().enumerate() {
                    let (seg, mut c_init) = cfg.segment(subs, j).expect("segment");
                    if form == 1 {
                        c_init = npdsch_c_init_bcch(cell, SI_RNTI, sf.frame);
                    }
                    let idx = ((sf.frame - 514) * 10 + sf.subframe) as usize;
                    dec.accumulate(&grids[idx], sf.subframe, seg, c_init)
                        .expect("accumulate");
                }
                if let Ok(d) = dec.decode() {
                    let hex: String = d.bytes().iter().map(|b| format!("{b:02x}")).collect();
                    println!(
                        "SIB2-NB: TBS {tbs} from {:?}, scrambling form {form}: {hex}",
                        subs[0]
                    );
                    found.push((tbs, subs[0], form, hex));
                }
            }
        }
    }
    assert_eq!(found.len(), 1, "exactly one hypothesis passes the CRC");
    let (tbs, first, form, hex) = &found[0];
    assert_eq!((*tbs, first.frame, first.subframe, *form), (208, 514, 1, 2));
    // regression value (CRC-24A verified): BCCH-DL-SCH-Message-NB carrying SIB2-NB
    assert_eq!(hex, "000003303d040104a40c2f100000bb1006380700000000000000");
}
