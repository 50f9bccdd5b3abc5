//! `ntn nbiot`: NB-IoT downlink tools on IQ recordings.
//!
//! - `scan FILE`: cell search with no prior (NPSS over ±55 kHz, NSSS, NPBCH), then the MIB-NB
//!   fields, DCIs for `--rnti` (UE-specific search space with `R_max = 1` in every NB-IoT DL
//!   subframe) and the SIB1-NB payload (hex; ASN.1 decoding is elsewhere). SigMF (`cf32_le`
//!   or `ci16_le`) or raw `cf32_le` with `--rate`; 1.92 Msps only. Recordings shorter than
//!   the 20.7 ms cell search needs (single-subframe captures) are read with `--cell`, the
//!   first sample being the start of subframe `--subframe` of frame `--sfn`.
//! - `gen --config cell.toml --out rec.sigmf-meta`: a standards-conformant downlink
//!   recording (NPSS, NSSS, NRS, NPBCH with MIB-NB, SIB1-NB on its schedule), optionally
//!   with a carrier offset and AWGN.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::cell::SAMPLES_PER_FRAME;
use ntn_phy::nbiot::npbch::{FrameHint, MibNb, NpbchDecoder, OperationMode};
use ntn_phy::nbiot::npdcch::{DCI_N0_N1_BITS, DciN0N1, NpdcchCandidate};
use ntn_phy::nbiot::npdsch::{
    NpdschConfig, NpdschDecoded, NpdschDecoder, SI_RNTI, SIB1_SUBFRAME, Sib1Schedule,
    SubframeIndex, is_nbiot_dl_subframe, npdsch_c_init_bcch, npdsch_data_start,
};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig, remove_offset_from};
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind, npdcch_start_symbol,
};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};
use ntn_sdr::sigmf::{self, SampleReader};
use ntn_types::InvalidValue;
use serde_json::{Value, json};

use crate::output::{Cell, OutputArgs, Table, check_interrupt, check_outputs, emit, interruptible};
use crate::tree::hex;

mod generator;
pub use generator::GenArgs;

/// `ntn nbiot` subcommands.
#[derive(Subcommand, Debug)]
pub enum NbiotCmd {
    /// Decode a downlink recording: cell ID, frequency offset, MIB-NB, DCIs, SIB1-NB.
    Scan(ScanArgs),
    /// Write a standards-conformant NB-IoT downlink recording from a TOML cell config.
    Gen(GenArgs),
}

/// Options of `ntn nbiot scan`.
#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Recording: a .sigmf-meta, or a raw cf32_le file with --rate.
    pub file: PathBuf,
    /// Sample rate of a raw cf32_le file (Hz); must be 1.92e6.
    #[arg(long)]
    pub rate: Option<f64>,
    /// RNTI whose DCIs to search (0x… or decimal); repeatable.
    #[arg(long, value_parser = parse_rnti)]
    pub rnti: Vec<u16>,
    /// Cell identity, for recordings too short for a cell search (no offset assumed).
    #[arg(long)]
    pub cell: Option<u16>,
    /// With --cell: frame number (0…1023) of the first sample.
    #[arg(long, default_value_t = 0, requires = "cell",
          value_parser = clap::value_parser!(u32).range(0..=1023))]
    pub sfn: u32,
    /// With --cell: subframe (0…9) starting at the first sample.
    #[arg(long, default_value_t = 0, requires = "cell",
          value_parser = clap::value_parser!(u32).range(0..=9))]
    pub subframe: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_rnti(s: &str) -> Result<u16, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("RNTI {s:?}: {e}"))
}

/// Runs a subcommand.
pub fn run(cmd: NbiotCmd) -> Result<()> {
    match cmd {
        NbiotCmd::Scan(a) => {
            interruptible();
            if let Some(out) = &a.output.out {
                let mut inputs = vec![a.file.as_path()];
                let data = sigmf::data_path(&a.file).ok();
                inputs.extend(data.as_deref());
                check_outputs([out.as_path()], &inputs)?;
            }
            let table = scan(&a)?;
            emit(&a.output, &table.render(a.output.format))
        }
        NbiotCmd::Gen(a) => generator::run(a),
    }
}

/// What a scan found, before rendering.
struct ScanState {
    cell: NcellId,
    ports: NrsPorts,
    mib: Option<MibNb>,
    /// Sample index of a frame start and its SFN (when known).
    frame0: usize,
    sfn0: Option<u32>,
    /// Full SFN of the frame the MIB-NB was decoded from: its 4 MSBs from the MIB-NB, the 6
    /// LSBs from the NPBCH timing (block index, then θ_f or the NSSS `n_f mod 8`).
    mib_sfn: Option<u32>,
    offset_hz: f64,
}

/// Opens the recording of `a` for block reading (it is never read whole).
fn open_recording(a: &ScanArgs) -> Result<SampleReader> {
    let (meta, reader) = match a.rate {
        Some(rate) => {
            if !(rate.is_finite() && (rate - NBIOT_SAMPLE_RATE_HZ).abs() <= 1.0) {
                return Err(InvalidValue::new(
                    "--rate",
                    rate,
                    "ntn nbiot scan reads 1.92 Msps recordings (1920000; resample first)",
                )
                .into());
            }
            sigmf::open_raw_cf32(&a.file, rate)?
        }
        None => {
            let is_meta = a
                .file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sigmf-meta"));
            if !is_meta {
                bail!(
                    "{}: give a .sigmf-meta, or --rate for a raw cf32_le file",
                    a.file.display()
                );
            }
            let (meta, _, reader) = sigmf::open(&a.file)?;
            (meta, reader)
        }
    };
    if !(meta.sample_rate_hz.is_finite()
        && (meta.sample_rate_hz - NBIOT_SAMPLE_RATE_HZ).abs() <= 1.0)
    {
        bail!(
            "sample rate {} Hz: ntn nbiot scan reads 1.92 Msps recordings (resample first)",
            meta.sample_rate_hz
        );
    }
    Ok(reader)
}

/// Reads the next `out.len()` samples (all of them or an error), refusing NaN and infinity.
fn read_exact(r: &mut SampleReader, out: &mut [Complex32], file: &Path) -> Result<()> {
    let n = r.read(out)?;
    if n != out.len() {
        bail!("{}: the recording ended early", file.display());
    }
    if out.iter().any(|s| !s.re.is_finite() || !s.im.is_finite()) {
        bail!(
            "{}: the samples contain NaN or infinite values",
            file.display()
        );
    }
    Ok(())
}

/// Decodes a recording into a table (summary: cell, offset, MIB-NB, SIB1-NB; rows: DCIs and
/// decoded channels). The recording is read block by block: the cell search reads its first
/// 64 frames, then the decoding passes over it one subframe at a time, so memory does not
/// grow with the file.
pub fn scan(a: &ScanArgs) -> Result<Table> {
    let mut reader = open_recording(a)?;
    let total = usize::try_from(reader.len())
        .map_err(|_| anyhow!("{}: too many samples", a.file.display()))?;
    let mut table = Table::new(
        format!("NB-IoT downlink scan of {}", a.file.display()),
        &[
            ("frame", ""),
            ("subframe", ""),
            ("channel", ""),
            ("rnti", ""),
            ("detail", ""),
        ],
    );
    table.summary("samples", total as u64);
    table.summary("duration_ms", total as f64 / 1920.0);
    let state = match a.cell {
        Some(id) => {
            let cell = NcellId::new(id).map_err(|e| anyhow!("--cell: {e}"))?;
            if a.subframe > 9 || a.sfn > 1023 {
                bail!("--sfn 0…1023 and --subframe 0…9");
            }
            // the first whole frame: subframe 0 of the next frame if not aligned
            let frame0 = if a.subframe == 0 {
                0
            } else {
                (10 - a.subframe as usize) * SAMPLES_PER_SUBFRAME
            };
            let sfn0 = if a.subframe == 0 {
                a.sfn
            } else {
                (a.sfn + 1) % 1024
            };
            // a subframe 0 at the start: MIB-NB from it alone (ports from the CRC mask)
            let mut mib = None;
            let mut ports = NrsPorts::One;
            if a.subframe == 0 && total >= SAMPLES_PER_SUBFRAME {
                let mut first = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
                read_exact(&mut reader, &mut first, &a.file)?;
                let mut grid = ResourceGrid::nbiot_subframe();
                NbiotOfdm::new().demodulate_subframe(&first, &mut grid)?;
                if let Ok(d) = NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Unknown)
                {
                    mib = Some(d.mib);
                    ports = d.ports;
                }
            }
            ScanState {
                cell,
                ports,
                mib_sfn: mib.map(|_| a.sfn),
                mib,
                frame0,
                sfn0: Some(sfn0),
                offset_hz: 0.0,
            }
        }
        None => {
            if total < 20_700 {
                bail!(
                    "{total} samples: a cell search needs at least 20.7 ms (two NPSS); for a shorter capture give --cell (and --sfn/--subframe)"
                );
            }
            let len = total.min(SEARCH_SAMPLES);
            let mut head = vec![Complex32::default(); len];
            read_exact(&mut reader, &mut head, &a.file)?;
            let mut searcher = CellSearcher::new(NpssSearchConfig::default(), len);
            // the search removes the offset from `head` in place (no second copy)
            let r = searcher
                .search_in_place(&mut head)
                .map_err(|e| anyhow!("no cell found: {e}"))?;
            drop(head);
            table.summary("npss_peak_to_mean", f64::from(r.npss.peak_to_mean));
            table.summary("nsss_frame_mod8", u64::from(r.nsss.frame_mod8));
            let (mib, ports) = match r.mib {
                Some((_, d)) => (Some(d.mib), d.ports),
                None => (None, NrsPorts::One),
            };
            let sfn0 = r.sfn_at_even_frame().map(u32::from);
            // the MIB-NB's frame, counted from the even frame whose SFN is known
            let mib_sfn = r.mib.zip(sfn0).map(|((start, _), sfn0)| {
                let frames = (start as i64 - r.nsss.even_frame_start as i64)
                    .div_euclid(SAMPLES_PER_FRAME as i64);
                (i64::from(sfn0) + frames).rem_euclid(1024) as u32
            });
            ScanState {
                cell: r.nsss.cell,
                ports,
                mib,
                frame0: r.nsss.even_frame_start,
                sfn0,
                mib_sfn,
                offset_hz: r.npss.offset_hz,
            }
        }
    };
    drop(reader);
    table.summary("cell_id", u64::from(state.cell.get()));
    table.summary(
        "frequency_offset_hz",
        (state.offset_hz * 10.0).round() / 10.0,
    );
    table.summary("nrs_ports", state.ports.count() as u64);
    match &state.mib {
        Some(m) => {
            table.summary("mib_nb", mib_json(m, state.mib_sfn));
        }
        None => table.summary("mib_nb", Value::Null),
    }
    table.summary("frame_start_sample", state.frame0 as u64);
    if let Some(sfn) = state.sfn0 {
        table.summary("sfn_at_frame_start", u64::from(sfn));
    }
    let sib1 = state
        .mib
        .as_ref()
        .and_then(|m| Sib1Schedule::new(m.scheduling_info_sib1, state.cell).ok());
    decode_subframes(a, &state, sib1.as_ref(), &mut table)?;
    Ok(table)
}

/// Samples the cell search reads from the start of the recording (64 frames and a margin).
const SEARCH_SAMPLES: usize = 64 * SAMPLES_PER_FRAME + 2000;

/// MIB-NB fields by their TS 36.331 names (without the -r13 suffix), plus the full SFN of
/// the frame it came from (`sfn`: the 4 MSBs of `system_frame_number_msb` and 6 LSBs from the
/// NPBCH timing; `null` when the frame within the NPBCH block is unknown).
fn mib_json(m: &MibNb, sfn: Option<u32>) -> Value {
    let (mode, info) = match m.operation_mode {
        OperationMode::InbandSamePci(v) => ("inband-SamePCI", v),
        OperationMode::InbandDifferentPci(v) => ("inband-DifferentPCI", v),
        OperationMode::Guardband(v) => ("guardband", v),
        OperationMode::Standalone(v) => ("standalone", v),
    };
    json!({
        "sfn": sfn,
        "system_frame_number_msb": m.sfn_msb4,
        "hyper_sfn_lsb": m.hsfn_lsb2,
        "scheduling_info_sib1": m.scheduling_info_sib1,
        "system_info_value_tag": m.system_info_value_tag,
        "ab_enabled": m.ab_enabled,
        "operation_mode": {"mode": mode, "info": info},
        "additional_transmission_sib1_and_spare": m.trailing11,
    })
}

/// A DCI N0 or N1 with its TS 36.212 §6.4.3.1/§6.4.3.2 fields by name.
fn dci_json(d: &DciN0N1) -> Value {
    match d {
        DciN0N1::N0(n) => json!({
            "format": "N0",
            "subcarrier_indication": n.subcarrier_indication,
            "resource_assignment": n.resource_assignment,
            "scheduling_delay": n.scheduling_delay,
            "mcs": n.mcs,
            "redundancy_version": n.redundancy_version,
            "repetition_number": n.repetition_number,
            "new_data_indicator": n.new_data_indicator,
            "dci_subframe_repetition_number": n.dci_subframe_repetition,
        }),
        DciN0N1::N1(n) => json!({
            "format": "N1",
            "npdcch_order_indicator": n.npdcch_order,
            "scheduling_delay": n.scheduling_delay,
            "resource_assignment": n.resource_assignment,
            "mcs": n.mcs,
            "repetition_number": n.repetition_number,
            "new_data_indicator": n.new_data_indicator,
            "harq_ack_resource": n.harq_ack_resource,
            "dci_subframe_repetition_number": n.dci_subframe_repetition,
        }),
    }
}

fn ncce_name(c: NpdcchCandidate) -> &'static str {
    match c {
        NpdcchCandidate::Ncce0 => "NCCE 0",
        NpdcchCandidate::Ncce1 => "NCCE 1",
        NpdcchCandidate::Both => "NCCE 0+1",
    }
}

/// One line for the table's detail column: the format, then `field=value` pairs.
fn dci_text(dci: &Value, ncce: &str) -> String {
    let text = |v: &Value| match v {
        Value::String(t) => t.clone(),
        other => other.to_string(),
    };
    let mut s = text(&dci["format"]);
    if let Value::Object(m) = dci {
        for (k, v) in m.iter().filter(|(k, _)| *k != "format") {
            s.push_str(&format!(" {k}={}", text(v)));
        }
    }
    format!("{s} ({ncce})")
}

/// SIB1-NB soft combining over the recording, one repetition (16 frames) at a time, in the
/// order the repetitions arrive; the first one that decodes is kept.
struct Sib1Combiner<'a> {
    sched: &'a Sib1Schedule,
    cfg: NpdschConfig,
    cell: NcellId,
    dec: NpdschDecoder,
    current: Option<u32>,
    best_count: usize,
    decoded: Option<(u32, NpdschDecoded)>,
}

impl Sib1Combiner<'_> {
    /// Adds the subframe `sf` (if it carries SIB1-NB).
    fn push(&mut self, sf: SubframeIndex, g: &ResourceGrid) -> Result<()> {
        if self.decoded.is_some() || sf.subframe != SIB1_SUBFRAME {
            return Ok(());
        }
        let Some(p) = self.sched.locate(sf.frame) else {
            return Ok(());
        };
        if self.current != Some(p.repetition_first_frame) {
            self.finish_repetition();
            if self.decoded.is_some() {
                return Ok(());
            }
            self.dec.start(&self.cfg)?;
            self.current = Some(p.repetition_first_frame);
        }
        let c_init = npdsch_c_init_bcch(self.cell, SI_RNTI, p.repetition_first_frame);
        self.dec.accumulate(g, SIB1_SUBFRAME, p.segment, c_init)?;
        Ok(())
    }

    /// Tries to decode the repetition being combined.
    fn finish_repetition(&mut self) {
        if let Some(first) = self.current.take() {
            self.best_count = self.best_count.max(self.dec.accumulated());
            if let Ok(d) = self.dec.decode() {
                self.decoded = Some((first, d));
            }
        }
    }
}

/// DCIs for the RNTIs in every NB-IoT DL subframe, and SIB1-NB from the subframes present,
/// reading the recording one subframe at a time (with the carrier offset removed).
fn decode_subframes(
    a: &ScanArgs,
    st: &ScanState,
    sib1: Option<&Sib1Schedule>,
    table: &mut Table,
) -> Result<()> {
    let mut ofdm = NbiotOfdm::new();
    let Some(sfn0) = st.sfn0 else {
        table.summary(
            "sib1_nb",
            "frame number unknown (no MIB-NB): nothing decoded",
        );
        return Ok(());
    };
    let mut reader = open_recording(a)?;
    let total = usize::try_from(reader.len())
        .map_err(|_| anyhow!("{}: too many samples", a.file.display()))?;
    // subframe starts before frame0 (a partial frame) are addressed from frame0 backwards
    let first_sf_start = st.frame0 % SAMPLES_PER_SUBFRAME;
    let n_sf = total.saturating_sub(first_sf_start) / SAMPLES_PER_SUBFRAME;
    let mut block = vec![Complex32::default(); SAMPLES_PER_SUBFRAME];
    read_exact(&mut reader, &mut block[..first_sf_start], &a.file)?;
    let ncell = NpdcchCell {
        cell: st.cell,
        ports: st.ports,
        start_symbol: npdcch_start_symbol(None),
    };
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0)?;
    let mut searcher = NpdcchSearcher::new().with_repetition_field(21, 2);
    // rows per RNTI, printed RNTI by RNTI as before (the table row and the DCI as JSON)
    let mut dci_rows: Vec<Vec<(Vec<Cell>, Value)>> = vec![Vec::new(); a.rnti.len()];
    let mode = st
        .mib
        .map_or(OperationMode::Standalone(0), |m| m.operation_mode);
    let mut combiner = sib1.map(|sched| Sib1Combiner {
        sched,
        cfg: sched.config(st.cell, st.ports, npdsch_data_start(mode, true, None)),
        cell: st.cell,
        dec: NpdschDecoder::new(),
        current: None,
        best_count: 0,
        decoded: None,
    });
    let bar = ProgressBar::new(n_sf as u64).with_style(
        ProgressStyle::with_template(
            "{spinner} scan {bar:40} {pos}/{len} subframes, {elapsed} (ETA {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut g = ResourceGrid::nbiot_subframe();
    for i in 0..n_sf {
        check_interrupt()?;
        let start = first_sf_start + i * SAMPLES_PER_SUBFRAME;
        read_exact(&mut reader, &mut block, &a.file)?;
        if st.offset_hz != 0.0 {
            remove_offset_from(&mut block, st.offset_hz, start as u64);
        }
        let rel = (start as i64 - st.frame0 as i64).div_euclid(SAMPLES_PER_SUBFRAME as i64);
        let abs = (i64::from(sfn0) * 10 + rel).rem_euclid(10240) as u32;
        let sf = SubframeIndex::new(abs / 10, abs % 10)?;
        ofdm.demodulate_subframe(&block, &mut g)?;
        if is_nbiot_dl_subframe(sf, sib1) {
            let lookup = |x: SubframeIndex| (x == sf).then_some(&g);
            for (&rnti, rows) in a.rnti.iter().zip(&mut dci_rows) {
                if let Ok(found) =
                    searcher.search(&space, sf, sib1, ncell, rnti, DCI_N0_N1_BITS, &lookup)
                {
                    let ncce = ncce_name(found.candidate.ncce);
                    let dci = match DciN0N1::unpack(&found.bits) {
                        Ok(d) => dci_json(&d),
                        Err(e) => json!({"format": "unparsed", "error": e.to_string()}),
                    };
                    let detail = dci_text(&dci, ncce);
                    let row = vec![
                        Cell::Int(i64::from(sf.frame)),
                        Cell::Int(i64::from(sf.subframe)),
                        Cell::Text("NPDCCH".into()),
                        Cell::Text(format!("0x{rnti:04x}")),
                        Cell::Text(detail),
                    ];
                    rows.push((
                        row,
                        json!({
                            "frame": sf.frame, "subframe": sf.subframe,
                            "rnti": format!("0x{rnti:04x}"), "ncce": ncce, "dci": dci,
                        }),
                    ));
                }
            }
        }
        if let Some(c) = &mut combiner {
            c.push(sf, &g)?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut dcis: Vec<Value> = Vec::new();
    for (row, dci) in dci_rows.into_iter().flatten() {
        table.push(row);
        dcis.push(dci);
    }
    table.summary("dcis_found", dcis.len() as u64);
    // the rows show them as text; JSON has them as objects too
    let json_out = a.output.format == crate::output::Format::Json;
    if json_out {
        table.summary("dcis", Value::Array(dcis));
    }
    let Some(mut c) = combiner else {
        table.summary("sib1_nb", "no MIB-NB: SIB1-NB schedule unknown");
        return Ok(());
    };
    c.finish_repetition();
    match c.decoded {
        Some((first, d)) => {
            table.summary("sib1_nb", hex(&d.bytes()));
            // the RRC message it carries, with its PLMNs as MCC/MNC strings
            match crate::rrc_cmd::decode_jer("BCCH-DL-SCH-Message-NB", &d.bytes())
                .and_then(|(_, jer)| Ok(serde_json::from_str::<Value>(&jer)?))
            {
                Ok(msg) => {
                    table.summary(
                        "sib1_nb_plmns",
                        Value::Array(crate::rrc_cmd::plmn_identities(&msg)),
                    );
                    if json_out {
                        table.summary("sib1_nb_message", msg);
                    }
                }
                Err(e) => table.summary("sib1_nb_message", json!({"error": format!("{e:#}")})),
            }
            table.push(vec![
                Cell::Int(i64::from(first)),
                Cell::Int(i64::from(SIB1_SUBFRAME)),
                Cell::Text("NPDSCH SIB1-NB".into()),
                Cell::Text(format!("0x{SI_RNTI:04x}")),
                Cell::Text(format!(
                    "TBS {} from {} of 8 subframes: {}",
                    c.sched.tbs_bits,
                    d.subframes_combined,
                    hex(&d.bytes())
                )),
            ]);
        }
        None => table.summary(
            "sib1_nb",
            format!(
                "not decoded ({} of 8 subframes of one repetition in the recording)",
                c.best_count
            ),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::generator::{GenConfig, generate};
    use super::*;
    use crate::output::Format;

    fn args(file: PathBuf) -> ScanArgs {
        ScanArgs {
            file,
            rate: None,
            rnti: vec![],
            cell: None,
            sfn: 0,
            subframe: 0,
            output: OutputArgs {
                format: Format::Json,
                out: None,
            },
        }
    }

    fn summary<'a>(t: &'a Table, key: &str) -> &'a Value {
        &t.summary
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no {key}"))
            .1
    }

    /// Our `gen` output decodes with our `scan`: cell, offset, MIB-NB, SIB1-NB payload.
    #[test]
    fn gen_then_scan() {
        let dir = std::env::temp_dir().join(format!("ntn-nbiot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("cell.sigmf-meta");
        let cfg: GenConfig = toml::from_str(
            r#"
cell_id = 37
ports = 2
scheduling_info_sib1 = 4
start_sfn = 110
frames = 20
offset_hz = 12500.0
snr_db = 10.0
datatype = "ci16_le"
"#,
        )
        .unwrap();
        generate(&cfg, &out).unwrap();
        let t = scan(&args(out)).unwrap();
        assert_eq!(summary(&t, "cell_id"), &json!(37));
        assert_eq!(summary(&t, "nrs_ports"), &json!(2));
        let off = summary(&t, "frequency_offset_hz").as_f64().unwrap();
        assert!((off - 12500.0).abs() < 50.0, "{off}");
        assert_eq!(summary(&t, "mib_nb")["scheduling_info_sib1"], json!(4));
        // the frame the receiver anchored on (within the CP of a boundary), whichever it is,
        // carries the right SFN
        let start = summary(&t, "frame_start_sample").as_u64().unwrap();
        let frame = (start + 2) / 19200;
        assert!(start.abs_diff(frame * 19200) <= 2, "{start}");
        assert_eq!(summary(&t, "sfn_at_frame_start"), &json!(110 + frame));
        // schedulingInfoSIB1 4: 8 repetitions, 328 bits, cell 37 odd → start frame 16, every
        // 32 frames: the repetition of frames 112…126 lies inside the recording
        let expect: Vec<u8> = (0..41).map(|i| (i * 37 + 11) as u8).collect();
        assert_eq!(summary(&t, "sib1_nb"), &json!(hex(&expect)));
        let json: Value = serde_json::from_str(&t.render(Format::Json)).unwrap();
        assert!(json.is_object());
        // bad inputs are errors, not panics
        let bad = dir.join("bad.sigmf-meta");
        std::fs::write(&bad, "{}").unwrap();
        assert!(scan(&args(bad)).is_err());
        assert!(scan(&args(dir.join("x.bin"))).is_err());
        assert!(parse_rnti("0x102") == Ok(0x102) && parse_rnti("137") == Ok(137));
        assert!(parse_rnti("zz").is_err());
    }

    /// The real Amarisoft capture (when present) scans with no prior.
    #[test]
    fn scan_amarisoft_capture() {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/vectors/srsran-captures/signal_nbiot_amari_nid0_sfn514_sib2.bin");
        if !p.exists() {
            println!("SKIP: {} absent", p.display());
            return;
        }
        let mut a = args(p);
        a.rate = Some(1.92e6);
        let t = scan(&a).unwrap();
        assert_eq!(summary(&t, "cell_id"), &json!(0));
        assert_eq!(summary(&t, "frame_start_sample"), &json!(0));
        assert_eq!(summary(&t, "sfn_at_frame_start"), &json!(514));
    }

    /// A single-subframe DCI capture with --cell/--sfn/--subframe and --rnti.
    #[test]
    fn scan_dci_capture() {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/vectors/srsran-captures/signal_nbiot_dci_formatN1_nid0_tti_5461_rnti_0x89.bin");
        if !p.exists() {
            println!("SKIP: {} absent", p.display());
            return;
        }
        let mut a = args(p);
        a.rate = Some(1.92e6);
        a.cell = Some(0);
        a.sfn = 546;
        a.subframe = 1;
        a.rnti = vec![0x89];
        let t = scan(&a).unwrap();
        assert_eq!(summary(&t, "dcis_found"), &json!(1));
        assert_eq!(t.rows.len(), 1);
        // the DCI as an object with the TS 36.212 §6.4.3.2 fields by name
        let dci = &summary(&t, "dcis")[0];
        assert_eq!(dci["frame"], 546);
        assert_eq!(dci["rnti"], "0x0089");
        assert_eq!(dci["dci"]["format"], "N1");
        for field in [
            "npdcch_order_indicator",
            "scheduling_delay",
            "resource_assignment",
            "mcs",
            "repetition_number",
            "new_data_indicator",
            "harq_ack_resource",
            "dci_subframe_repetition_number",
        ] {
            assert!(!dci["dci"][field].is_null(), "{field}: {dci}");
        }
        let Cell::Text(detail) = &t.rows[0][4] else {
            panic!("detail is text")
        };
        assert!(
            detail.starts_with("N1 ") && !detail.contains("DciN1"),
            "{detail}"
        );
    }

    /// NaN/∞ and out-of-range values in a generator file are errors naming the file, the key
    /// and the value; so are unknown keys.
    #[test]
    fn gen_config_is_checked_when_read() {
        for (text, key) in [
            ("offset_hz = nan\n", "offset_hz"),
            ("offset_hz = inf\n", "offset_hz"),
            ("offset_hz = 5e6\n", "offset_hz"),
            ("snr_db = nan\n", "snr_db"),
            ("snr_db = -inf\n", "snr_db"),
            ("centre_frequency_hz = nan\n", "centre_frequency_hz"),
            ("centre_frequency_hz = -1.0\n", "centre_frequency_hz"),
            ("start_sfn = 1024\n", "start_sfn"),
            ("hsfn = 5000\n", "hsfn"),
            ("system_info_value_tag = 32\n", "system_info_value_tag"),
            ("cell_id = 504\n", "cell_id"),
        ] {
            let e = GenConfig::from_toml(text, "gen.toml").unwrap_err();
            let v = e
                .downcast_ref::<InvalidValue>()
                .unwrap_or_else(|| panic!("{text}: {e:#}"));
            assert_eq!(v.key, key, "{text}");
            assert!(
                e.to_string().starts_with(&format!("gen.toml: {key} = ")),
                "{e}"
            );
        }
        let e = GenConfig::from_toml("cell = 3\n", "gen.toml").unwrap_err();
        assert!(format!("{e:#}").contains("unknown field"), "{e:#}");
        assert!(GenConfig::from_toml("cell_id = 503\nstart_sfn = 1023\n", "gen.toml").is_ok());
    }
}
