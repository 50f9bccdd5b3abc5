//! Reference vectors: real NB-IoT captures (third-party, srsRAN 4G PHY test data; see
//! `../shared/vectors/srsran-captures/README.md`). Read from `../shared/vectors/` relative to
//! the workspace root (or `$NTN_VECTORS_DIR`); each test prints why it skips when absent.

use std::path::PathBuf;

use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::npbch::{FrameHint, NpbchDecoded, NpbchDecoder, OperationMode};
use ntn_phy::nbiot::npdcch::{DCI_N0_N1_BITS, DciN0N1, DecodedDci, NpdcchCandidate};
use ntn_phy::nbiot::npdsch::SubframeIndex;
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig};
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind, npdcch_start_symbol,
};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};

fn captures_dir() -> PathBuf {
    if let Ok(d) = std::env::var("NTN_VECTORS_DIR") {
        return PathBuf::from(d).join("srsran-captures");
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/srsran-captures")
}

/// Loads a cf32_le file, or `None` (with a printed reason) when it is absent.
fn load(name: &str) -> Option<Vec<Complex32>> {
    let path = captures_dir().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(
            bytes
                .chunks_exact(8)
                .map(|c| {
                    Complex32::new(
                        f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                        f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                    )
                })
                .collect(),
        ),
        Err(e) => {
            println!("SKIP: capture {} not available ({e})", path.display());
            None
        }
    }
}

fn decode_sf0(samples: &[Complex32], cell: u16, hint: FrameHint) -> NpbchDecoded {
    let cell = NcellId::new(cell).expect("valid cell id");
    let mut ofdm = NbiotOfdm::new();
    let mut grid = ResourceGrid::nbiot_subframe();
    ofdm.demodulate_subframe(&samples[..SAMPLES_PER_SUBFRAME], &mut grid)
        .expect("finite samples");
    let mut dec = NpbchDecoder::new();
    let d = dec
        .decode_subframe(&grid, cell, hint)
        .expect("MIB-NB CRC pass");
    let chest = dec.last_channel_estimate().expect("estimate kept");
    println!(
        "cell {} ports {:?} block {} n_f mod 8 {:?} SFN {:?} mib {:?} (timing slope {:.3} rad/sc, freq slope {:.3} rad/sym, SNR {:.1} dB)",
        cell.get(),
        d.ports,
        d.block,
        d.frame_mod8,
        d.sfn(),
        d.mib,
        chest.slope_per_subcarrier_rad,
        chest.slope_per_symbol_rad,
        10.0 * (chest.signal_power() / chest.noise_var()).log10()
    );
    d
}

#[test]
fn mib_nb_nid256_r14() {
    let Some(s) = load("signal_nbiot_nid256_r14_sf0.bin") else {
        return;
    };
    let d = decode_sf0(&s, 256, FrameHint::Unknown);
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
    let d = decode_sf0(&s, 257, FrameHint::Unknown);
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
    let d = decode_sf0(&s, 257, FrameHint::Unknown);
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
        let d = decode_sf0(&s[frame * 19200..], 0, FrameHint::Unknown);
        // SFN 514 and 515 lie in block 0 of the TTI starting at SFN 512
        assert_eq!(d.block, 0);
        assert_eq!(d.block_first_sfn(), 512);
        assert_eq!(d.frame_mod8, None, "this eNB sends no θ_f rotation");
        assert_eq!(d.mib.sfn_msb4, 8, "514 >> 6");
        assert_eq!(d.ports, NrsPorts::One);
        assert_eq!(d.mib.operation_mode, OperationMode::Standalone(0));
    }
}

/// Full acquisition on the real Amarisoft capture with no prior, after shifting it by a
/// carrier offset of ±50 kHz (and 0): NPSS timing and offset, NSSS → cell 0 and n_f mod 8,
/// NPBCH → MIB-NB, giving SFN 514 for the first frame.
#[test]
fn cell_search_amarisoft_nid0_with_offsets() {
    let Some(s) = load("signal_nbiot_amari_nid0_sfn514_sib2.bin") else {
        return;
    };
    let mut searcher = CellSearcher::new(NpssSearchConfig::default(), s.len());
    for offset_hz in [-50e3f64, 0.0, 50e3] {
        let shifted: Vec<Complex32> = s
            .iter()
            .enumerate()
            .map(|(n, v)| {
                let ph = 2.0 * std::f64::consts::PI * offset_hz * n as f64 / NBIOT_SAMPLE_RATE_HZ;
                v * Complex32::new(ph.cos() as f32, ph.sin() as f32)
            })
            .collect();
        let r = searcher.search(&shifted).expect("cell found");
        println!("offset {offset_hz} Hz: {r:?}");
        assert_eq!(r.nsss.cell.get(), 0);
        assert_eq!(
            r.npss.frame_start, 0,
            "capture starts at a subframe-0 boundary"
        );
        assert!(
            (r.npss.offset_hz - offset_hz).abs() < 50.0,
            "{}",
            r.npss.offset_hz
        );
        // SFN 514: even frame, (514/2) mod 4 = 1 → n_f mod 8 = 2
        assert_eq!(r.nsss.even_frame_start, 0);
        assert_eq!(r.nsss.frame_mod8, 2);
        assert_eq!(r.sfn_at_even_frame(), Some(514));
    }
}

/// Searches the capture's subframe as the UE-specific search space with `R_max = 1` (its three
/// candidates: NCCE 0, NCCE 1, both; 36.213 Table 16.6-1) at `l_NPDCCHStart` of §16.6.1 (no
/// `eutraControlRegionSize`: 0).
fn decode_dci(name: &str, sfn: u32, subframe: u32, rnti: u16) -> Option<DecodedDci> {
    let s = load(name)?;
    let cell = NcellId::new(0).expect("valid cell id");
    let mut grid = ResourceGrid::nbiot_subframe();
    NbiotOfdm::new()
        .demodulate_subframe(&s[..SAMPLES_PER_SUBFRAME], &mut grid)
        .expect("finite samples");
    let sf = SubframeIndex::new(sfn, subframe).expect("subframe");
    let space =
        SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0).expect("search space");
    let lookup = |x: SubframeIndex| (x == sf).then_some(&grid);
    let found = NpdcchSearcher::new()
        .with_repetition_field(21, 2)
        .search(
            &space,
            sf,
            None,
            NpdcchCell {
                cell,
                ports: NrsPorts::One,
                start_symbol: npdcch_start_symbol(None),
            },
            rnti,
            DCI_N0_N1_BITS,
            &lookup,
        )
        .unwrap_or_else(|e| panic!("no DCI with CRC pass in {name}: {e}"));
    println!("{name}: {:?} bits {:?}", found.candidate.ncce, found.bits);
    Some(DecodedDci {
        bits: found.bits,
        candidate: found.candidate.ncce,
        ports: NrsPorts::One,
    })
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
