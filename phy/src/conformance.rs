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

/// A `tag 0101…` line of the turbo reference as bits; `None` when the tag differs or a
/// character is not 0/1.
pub fn turbo_bits_field(line: Option<&str>, tag: &str) -> Option<Vec<u8>> {
    let (t, v) = line?.split_once(' ')?;
    if t != tag {
        return None;
    }
    v.trim()
        .bytes()
        .map(|b| match b {
            b'0' => Some(0),
            b'1' => Some(1),
            _ => None,
        })
        .collect()
}

/// LTE turbo encoder and rate matching (TS 36.212 §5.1.3.2, §5.1.4.1) against the
/// independent Python reference `vectors/data/phy/ul/turbo_reference.txt` (made by
/// `vectors/gen/turbo_ref.py` from the spec's equations): every bit must match. One case per
/// record.
pub fn turbo_reference(text: &str) -> SuiteReport {
    use crate::turbo::{TurboEncoder, TurboRateMatcher};
    let mut report = SuiteReport::new(
        "turbo-36212",
        "phy/turbo encoder + rate matching",
        "TS 36.212 equations in Python (vectors/data/phy/ul/turbo_reference.txt)",
        "bit-exact",
    );
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    while let Some(head) = lines.next() {
        let h: Vec<&str> = head.split_whitespace().collect();
        let nums: Option<Vec<usize>> = h.iter().skip(1).map(|x| x.parse().ok()).collect();
        match (h.first().copied(), nums.as_deref()) {
            (Some("encode"), Some(&[k])) => {
                let name = format!("encode K {k}");
                let fields = (
                    turbo_bits_field(lines.next(), "c"),
                    turbo_bits_field(lines.next(), "d0"),
                    turbo_bits_field(lines.next(), "d1"),
                    turbo_bits_field(lines.next(), "d2"),
                );
                let (Some(c), Some(d0), Some(d1), Some(d2)) = fields else {
                    report.case(name, false, "malformed c/d0/d1/d2 lines");
                    continue;
                };
                let enc = match TurboEncoder::new(k) {
                    Ok(enc) => enc,
                    Err(e) => {
                        report.case(name, false, e.to_string());
                        continue;
                    }
                };
                let d = k + 4;
                let mut out = vec![0u8; 3 * d];
                match enc.encode(&c, &mut out) {
                    Ok(_)
                        if out[..d] == d0[..]
                            && out[d..2 * d] == d1[..]
                            && out[2 * d..] == d2[..] =>
                    {
                        report.case(name, true, format!("{} coded bits", 3 * d))
                    }
                    Ok(_) => report.case(name, false, "coded bits differ"),
                    Err(e) => report.case(name, false, e.to_string()),
                }
            }
            (Some("ratematch"), Some(&[k, f, e, rv])) => {
                let name = format!("rate match K {k} F {f} E {e} rv {rv}");
                let (Some(c), Some(want)) = (
                    turbo_bits_field(lines.next(), "c"),
                    turbo_bits_field(lines.next(), "e"),
                ) else {
                    report.case(name, false, "malformed c/e lines");
                    continue;
                };
                let Ok(rv) = u8::try_from(rv) else {
                    report.case(name, false, "rv out of range");
                    continue;
                };
                let (enc, rm) = match TurboEncoder::new(k)
                    .and_then(|enc| Ok((enc, TurboRateMatcher::new(k, f)?)))
                {
                    Ok(x) => x,
                    Err(err) => {
                        report.case(name, false, err.to_string());
                        continue;
                    }
                };
                if e != want.len() {
                    report.case(
                        name,
                        false,
                        format!("E {e} but {} reference bits", want.len()),
                    );
                    continue;
                }
                let mut coded = vec![0u8; 3 * (k + 4)];
                let mut got = vec![0u8; e];
                let r = enc
                    .encode(&c, &mut coded)
                    .and_then(|_| rm.rate_match(&coded, rv, &mut got));
                match r {
                    Ok(_) if got == want => report.case(name, true, format!("{e} bits")),
                    Ok(_) => report.case(name, false, "rate-matched bits differ"),
                    Err(err) => report.case(name, false, err.to_string()),
                }
            }
            _ => report.case(head, false, "unknown or malformed record"),
        }
    }
    report
}

/// One line of the NPUSCH reference against our sequences: `Ok(())`, or why not.
fn npusch_line(f: &[&str]) -> Result<(), String> {
    use crate::nbiot::ul::dmrs;
    use crate::nbiot::ul::npusch::{
        NpuschConfig, NpuschParams, UlModulation, UlSlot, UlSpacing, npusch_c_init,
    };
    use crate::scrambling::scramble_bits;
    use std::f64::consts::PI;
    fn nums<T: std::str::FromStr>(f: &[&str], a: usize, b: usize) -> Result<Vec<T>, String> {
        let part = f.get(a..b).ok_or("line too short")?;
        part.iter()
            .map(|s| s.parse().map_err(|_| format!("{s:?} is not a number")))
            .collect()
    }
    let all = f.len();
    let e = |x: crate::error::PhyError| x.to_string();
    let num = |x: usize| -> Result<u16, String> { u16::try_from(x).map_err(|e| e.to_string()) };
    match f.first().copied() {
        Some("scr") => {
            let v: Vec<u32> = nums(f, 1, 6)?;
            let slot = UlSlot {
                frame: u16::try_from(v[1]).map_err(|e| e.to_string())?,
                slot: u8::try_from(v[2]).map_err(|e| e.to_string())?,
            };
            let c_init = npusch_c_init(
                u16::try_from(v[0]).map_err(|e| e.to_string())?,
                slot,
                u16::try_from(v[3]).map_err(|e| e.to_string())?,
            );
            if c_init != v[4] {
                return Err(format!("c_init {c_init}"));
            }
            let mut bits = vec![0u8; 64];
            scramble_bits(&mut bits, c_init, 0);
            let want: Vec<u8> = f
                .get(6)
                .ok_or("no bits")?
                .bytes()
                .map(|b| b.wrapping_sub(b'0'))
                .collect();
            (bits == want)
                .then_some(())
                .ok_or_else(|| "scrambling bits differ".into())
        }
        Some("st") => {
            let v: Vec<usize> = nums(f, 1, 3)?;
            let mut r = vec![crate::Complex32::default(); 64];
            dmrs::single_tone_sequence(v[0], v[1], &mut r).map_err(e)?;
            let signs = f.get(3).ok_or("no signs")?;
            let a = std::f32::consts::FRAC_1_SQRT_2;
            let ok = signs.len() == r.len()
                && r.iter().zip(signs.chars()).all(|(x, s)| {
                    let want = if s == '+' { a } else { -a };
                    (x.re - want).abs() < 1e-6 && (x.im - want).abs() < 1e-6
                });
            ok.then_some(())
                .ok_or_else(|| "single-tone DMRS differs".into())
        }
        Some("mt") => {
            let v: Vec<usize> = nums(f, 1, 4)?;
            let vals: Vec<f32> = nums(f, 4, all)?;
            if v[0] > 48 || vals.len() != 2 * v[0] {
                return Err(format!("{} values for {} tones", vals.len(), v[0]));
            }
            let mut r = vec![crate::Complex32::default(); v[0]];
            let cs = u8::try_from(v[2]).map_err(|e| e.to_string())?;
            dmrs::multi_tone_sequence(v[0], v[1], cs, &mut r).map_err(e)?;
            let ok = r.iter().enumerate().all(|(n, x)| {
                (x - crate::Complex32::new(vals[2 * n], vals[2 * n + 1])).norm() < 1e-5
            });
            ok.then_some(())
                .ok_or_else(|| "multi-tone DMRS differs".into())
        }
        Some("hop") => {
            let v: Vec<usize> = nums(f, 1, 6)?;
            let slot = u8::try_from(v[3]).map_err(|e| e.to_string())?;
            let u = dmrs::group_hopping_u(num(v[1])?, v[0], v[2], slot).map_err(e)?;
            (u == v[4]).then_some(()).ok_or_else(|| format!("u {u}"))
        }
        Some("cover") => {
            let v: Vec<usize> = nums(f, 1, 4)?;
            let c = dmrs::format2_cover_index(num(v[0])?, v[1]);
            (c == v[2])
                .then_some(())
                .ok_or_else(|| format!("cover {c}"))
        }
        Some("phase") => {
            let v: Vec<usize> = nums(f, 1, 4)?;
            let want: Vec<f64> = nums(f, 4, all)?;
            let spacing = if v[0] == 15000 {
                UlSpacing::Khz15
            } else {
                UlSpacing::Khz3_75
            };
            let m = if v[2] == 2 {
                UlModulation::Pi2Bpsk
            } else {
                UlModulation::Pi4Qpsk
            };
            let mut cfg = NpuschConfig::data(spacing, 1, m, 0, 0, 1);
            cfg.first_subcarrier = v[1];
            let p = NpuschParams::new(cfg).map_err(e)?;
            let mut ph = vec![0.0; 7 * p.total_slots];
            p.single_tone_phases(&mut ph).map_err(e)?;
            if want.len() > ph.len() {
                return Err(format!("{} phases for {} symbols", want.len(), ph.len()));
            }
            let ok = want.iter().zip(&ph).all(|(w, g)| {
                let d = (g - w).rem_euclid(2.0 * PI);
                d.min(2.0 * PI - d) < 1e-6
            });
            ok.then_some(())
                .ok_or_else(|| "phase rotation differs".into())
        }
        _ => Err("unknown line kind".into()),
    }
}

/// NPUSCH sequences (TS 36.211 §10.1.3–10.1.5: scrambling `c_init` and bits, single- and
/// multi-tone DMRS, group hopping, the format-2 cover index, the single-tone phase rotation)
/// against the independent Python reference `vectors/data/phy/ul/npusch_sequences.txt`
/// (`vectors/gen/npusch_ref.py`). One case per kind of line, failing on the first line off.
pub fn npusch_sequences(text: &str) -> SuiteReport {
    let mut report = SuiteReport::new(
        "npusch-36211",
        "phy/NPUSCH sequences",
        "TS 36.211 equations in Python (vectors/data/phy/ul/npusch_sequences.txt)",
        "bits exact, DMRS ±1e-5, phases ±1e-6 rad",
    );
    let kinds = ["scr", "st", "mt", "hop", "cover", "phase"];
    let mut counts = [0usize; 6];
    let mut first_bad: [Option<String>; 6] = Default::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(k) = f.first().and_then(|x| kinds.iter().position(|k| k == x)) else {
            report.case(
                line.chars().take(40).collect::<String>(),
                false,
                "unknown line kind",
            );
            continue;
        };
        counts[k] += 1;
        if let Err(why) = npusch_line(&f)
            && first_bad[k].is_none()
        {
            first_bad[k] = Some(format!(
                "{}: {why}",
                line.chars().take(60).collect::<String>()
            ));
        }
    }
    for (k, kind) in kinds.iter().enumerate() {
        match (&first_bad[k], counts[k]) {
            (_, 0) => report.case(*kind, false, "no line of this kind"),
            (None, n) => report.case(*kind, true, format!("{n} lines")),
            (Some(why), _) => report.case(*kind, false, why.clone()),
        }
    }
    report
}

/// The points and trials at which each stored link-level curve is re-run (cheap points where
/// the error rate is informative), per channel.
pub const LINK_RECHECK_AWGN: [(crate::link_sim::LinkChannel, &[f32], usize); 2] = [
    (crate::link_sim::LinkChannel::Npdsch, &[-1.5, 1.0], 60),
    (crate::link_sim::LinkChannel::Npdcch, &[-9.5, -6.5], 40),
];

/// Regression check of a stored link-level curve (`vectors/data/phy/link_*.csv`, kind
/// regression: our own TX → channel → RX): the points of `cfg` are re-run with its seed and
/// trials and must agree with the stored error rates (two-proportion |z| ≤ 4). One case per
/// point; `file` names the curve.
pub fn link_curve(file: &str, csv_text: &str, cfg: &crate::link_sim::LinkSimConfig) -> SuiteReport {
    use crate::link_sim::{parse_csv, recheck_points};
    let mut report = SuiteReport::new(
        "link-curves",
        "phy/link level (NB-IoT DL)",
        "our stored BLER curves (vectors/data/phy/link_*.csv, regression)",
        "|z| ≤ 4 against the stored error rate",
    );
    let stored = match parse_csv(csv_text) {
        Ok(p) => p,
        Err(e) => {
            report.case(file, false, e.to_string());
            return report;
        }
    };
    match recheck_points(cfg, &stored) {
        Ok(points) => {
            for (old, new, z) in points {
                report.case(
                    format!("{file} {} dB", new.snr_db),
                    z <= 4.0,
                    format!(
                        "stored {}/{}, now {}/{} (|z| {z:.2})",
                        old.errors, old.trials, new.errors, new.trials
                    ),
                );
            }
        }
        Err(e) => report.case(file, false, e.to_string()),
    }
    report
}

/// [`link_curve`] over the AWGN curves of [`LINK_RECHECK_AWGN`]; `texts` in that order
/// (`link_npdsch_awgn.csv`, `link_npdcch_awgn.csv`).
pub fn link_curves_awgn(texts: &[&str]) -> SuiteReport {
    let mut all = SuiteReport::new(
        "link-curves-awgn",
        "phy/link level (NB-IoT DL, AWGN)",
        "our stored BLER curves (vectors/data/phy/link_{npdsch,npdcch}_awgn.csv, regression)",
        "|z| ≤ 4 against the stored error rate",
    );
    for (i, (channel, snrs, trials)) in LINK_RECHECK_AWGN.iter().enumerate() {
        let file = format!("link_{}_awgn.csv", channel.name());
        let Some(text) = texts.get(i) else {
            all.case(file, false, "vector text missing");
            continue;
        };
        let cfg = crate::link_sim::LinkSimConfig::new(*channel, snrs.to_vec(), *trials, 777);
        all.cases.extend(link_curve(&file, text, &cfg).cases);
    }
    all
}
