//! Conformance of the NB-IoT downlink receiver on real captures (srsRAN 4G PHY test data:
//! an Amarisoft eNB and live operator cells; see the captures' README). The caller reads the
//! files and hands their bytes in; nothing here touches a file. Used by the capture tests and
//! by `ntn conformance`.
//!
//! What counts as a pass is what the captures' documentation states: each MIB-NB decodes
//! with its CRC-16 passing (the mask gives the port count) in the stated NPBCH block, each DCI
//! with its CRC passing under the stated C-RNTI at the stated aggregation level, and the
//! Amarisoft cell is acquired with no prior (cell 0, SFN 514) after a ±50 kHz shift.

use crate::Complex32;
use crate::error::PhyError;
use crate::grid::ResourceGrid;
use crate::nbiot::npbch::{FrameHint, NpbchDecoded, NpbchDecoder};
use crate::nbiot::npdcch::{DCI_N0_N1_BITS, DecodedDci, NpdcchCandidate};
use crate::nbiot::npdsch::SubframeIndex;
use crate::nbiot::search::{CellSearcher, NpssSearchConfig};
use crate::nbiot::search_space::{
    NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind, npdcch_start_symbol,
};
use crate::nbiot::{NcellId, NrsPorts};
use crate::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};
use ntn_types::conformance::SuiteReport;

/// Interleaved little-endian f32 I/Q (SigMF `cf32_le`, no header) to samples.
pub fn cf32_from_le_bytes(bytes: &[u8]) -> Result<Vec<Complex32>, PhyError> {
    if !bytes.len().is_multiple_of(8) {
        return Err(PhyError::Length {
            what: "cf32_le bytes (a multiple of 8)",
            expected: bytes.len() / 8 * 8,
            got: bytes.len(),
        });
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let f = |k: usize| f32::from_le_bytes([c[k], c[k + 1], c[k + 2], c[k + 3]]);
            Complex32::new(f(0), f(4))
        })
        .collect())
}

/// The resource grid of the subframe that `samples` starts with.
fn first_subframe_grid(samples: &[Complex32]) -> Result<ResourceGrid, PhyError> {
    let sf = samples
        .get(..SAMPLES_PER_SUBFRAME)
        .ok_or(PhyError::Length {
            what: "subframe samples",
            expected: SAMPLES_PER_SUBFRAME,
            got: samples.len(),
        })?;
    let mut grid = ResourceGrid::nbiot_subframe();
    NbiotOfdm::new().demodulate_subframe(sf, &mut grid)?;
    Ok(grid)
}

/// Decode the MIB-NB of the subframe 0 that `samples` starts with (no frame prior).
pub fn decode_mib_subframe(samples: &[Complex32], cell: u16) -> Result<NpbchDecoded, PhyError> {
    let cell = NcellId::new(cell)?;
    let grid = first_subframe_grid(samples)?;
    NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Unknown)
}

/// Search the subframe that `samples` starts with for a DCI N0/N1 under `rnti`, as the
/// UE-specific search space with `R_max = 1` (candidates NCCE 0, NCCE 1, both; TS 36.213
/// Table 16.6-1) at l_NPDCCHStart of §16.6.1 (no eutraControlRegionSize: symbol 0).
pub fn decode_dci_subframe(
    samples: &[Complex32],
    cell: u16,
    sfn: u32,
    subframe: u32,
    rnti: u16,
) -> Result<DecodedDci, PhyError> {
    let cell = NcellId::new(cell)?;
    let grid = first_subframe_grid(samples)?;
    let sf = SubframeIndex::new(sfn, subframe)?;
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0)?;
    let lookup = |x: SubframeIndex| (x == sf).then_some(&grid);
    let found = NpdcchSearcher::new().with_repetition_field(21, 2).search(
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
    )?;
    Ok(DecodedDci {
        bits: found.bits,
        candidate: found.candidate.ncce,
        ports: NrsPorts::One,
    })
}

/// The MIB-NB captures: (file, cell, stated NPBCH block).
pub const MIB_CAPTURES: [(&str, u16, u8); 4] = [
    ("signal_nbiot_amari_nid0_sfn514_sib2.bin", 0, 0),
    ("signal_nbiot_nid256_r14_sf0.bin", 256, 0),
    ("signal_nbiot_nid257_r13_sf0.bin", 257, 4),
    ("signal_nbiot_nid257_r14_sf0.bin", 257, 7),
];

/// The DCI captures: (file, SFN, subframe, C-RNTI, stated candidate, format N1?).
pub const DCI_CAPTURES: [(&str, u32, u32, u16, NpdcchCandidate, bool); 2] = [
    (
        "signal_nbiot_dci_formatN0_L_1_nid0_tti_8624_rnti_0x102.bin",
        862,
        4,
        0x0102,
        NpdcchCandidate::Ncce0,
        false,
    ),
    (
        "signal_nbiot_dci_formatN1_nid0_tti_5461_rnti_0x89.bin",
        546,
        1,
        0x0089,
        NpdcchCandidate::Both,
        true,
    ),
];

/// Every capture file the suite reads.
pub fn capture_files() -> Vec<&'static str> {
    MIB_CAPTURES
        .iter()
        .map(|c| c.0)
        .chain(DCI_CAPTURES.iter().map(|c| c.0))
        .collect()
}

/// Run the NB-IoT downlink capture suite. `file` gives the bytes of a capture by name (in
/// the order of [`capture_files`]).
pub fn nbiot_dl_captures(file: &dyn Fn(&str) -> Option<Vec<u8>>) -> SuiteReport {
    let mut r = SuiteReport::new(
        "nbiot-dl-captures",
        "phy/NB-IoT DL (NPSS, NSSS, NPBCH, NPDCCH)",
        "srsRAN 4G PHY test captures (Amarisoft eNB and live cells), README-stated parameters",
        "CRC pass; stated cell, NPBCH block, RNTI and aggregation level; acquisition within 50 Hz",
    );
    let samples = |name: &str| -> Result<Vec<Complex32>, String> {
        let bytes = file(name).ok_or_else(|| format!("{name} missing"))?;
        cf32_from_le_bytes(&bytes).map_err(|e| e.to_string())
    };
    for (name, cell, block) in MIB_CAPTURES {
        let frames = if name.contains("amari") { 2 } else { 1 };
        for f in 0..frames {
            let case = format!(
                "MIB-NB {name}{}",
                if frames > 1 {
                    format!(" frame {f}")
                } else {
                    String::new()
                }
            );
            let res = samples(name).and_then(|s| {
                let from = f * 10 * SAMPLES_PER_SUBFRAME;
                decode_mib_subframe(s.get(from..).unwrap_or(&[]), cell).map_err(|e| e.to_string())
            });
            match res {
                Ok(d) if d.block == block => r.case(
                    case,
                    true,
                    format!(
                        "CRC pass, {:?} port(s), block {}, SFN MSB {}, {:?}",
                        d.ports, d.block, d.mib.sfn_msb4, d.mib.operation_mode
                    ),
                ),
                Ok(d) => r.case(case, false, format!("block {} (stated {block})", d.block)),
                Err(e) => r.case(case, false, e),
            }
        }
    }
    for (name, sfn, sf, rnti, candidate, n1) in DCI_CAPTURES {
        let case = format!("DCI {} {name}", if n1 { "N1" } else { "N0" });
        let res = samples(name)
            .and_then(|s| decode_dci_subframe(&s, 0, sfn, sf, rnti).map_err(|e| e.to_string()));
        match res {
            Ok(d) if d.candidate == candidate && d.bits.first() == Some(&u8::from(n1)) => r.case(
                case,
                true,
                format!("CRC pass under C-RNTI {rnti:#06x}, {:?}", d.candidate),
            ),
            Ok(d) => r.case(
                case,
                false,
                format!("found as {:?}, flag {:?}", d.candidate, d.bits.first()),
            ),
            Err(e) => r.case(case, false, e),
        }
    }
    // Acquisition with no prior on the Amarisoft capture shifted by −50, 0, +50 kHz.
    let case = "cell search, Amarisoft capture shifted ±50 kHz";
    match samples(MIB_CAPTURES[0].0) {
        Err(e) => r.case(case, false, e),
        Ok(s) => {
            let mut searcher = CellSearcher::new(NpssSearchConfig::default(), s.len());
            let mut worst = 0.0f64;
            let mut bad = None;
            for offset_hz in [-50e3f64, 0.0, 50e3] {
                let shifted: Vec<Complex32> = s
                    .iter()
                    .enumerate()
                    .map(|(n, v)| {
                        let ph =
                            std::f64::consts::TAU * offset_hz * n as f64 / NBIOT_SAMPLE_RATE_HZ;
                        v * Complex32::new(ph.cos() as f32, ph.sin() as f32)
                    })
                    .collect();
                match searcher.search(&shifted) {
                    Ok(x) if x.nsss.cell.get() == 0 && x.sfn_at_even_frame() == Some(514) => {
                        let err = (x.npss.offset_hz - offset_hz).abs();
                        worst = worst.max(err);
                        if err >= 50.0 {
                            bad.get_or_insert(format!("offset {offset_hz}: error {err:.1} Hz"));
                        }
                    }
                    Ok(x) => {
                        bad.get_or_insert(format!(
                            "offset {offset_hz}: cell {} SFN {:?}",
                            x.nsss.cell.get(),
                            x.sfn_at_even_frame()
                        ));
                    }
                    Err(e) => {
                        bad.get_or_insert(format!("offset {offset_hz}: {e}"));
                    }
                }
            }
            match bad {
                None => r.case(
                    case,
                    true,
                    format!("cell 0, SFN 514, worst offset error {worst:.1} Hz"),
                ),
                Some(b) => r.case(case, false, b),
            }
        }
    }
    r
}
