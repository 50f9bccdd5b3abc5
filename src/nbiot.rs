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

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use ntn_phy::Complex32;
use ntn_phy::grid::ResourceGrid;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{FrameHint, MibNb, NpbchDecoder, OperationMode};
use ntn_phy::nbiot::npdcch::{DCI_N0_N1_BITS, DciN0N1};
use ntn_phy::nbiot::npdsch::{
    NpdschDecoder, SI_RNTI, SIB1_SUBFRAME, Sib1Schedule, SubframeIndex, is_nbiot_dl_subframe,
    npdsch_c_init_bcch, npdsch_data_start,
};
use ntn_phy::nbiot::search::{CellSearcher, NpssSearchConfig, remove_offset};
use ntn_phy::nbiot::search_space::{
    NpdcchCell, NpdcchSearcher, SearchSpaceConfig, SearchSpaceKind, npdcch_start_symbol,
};
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::{NBIOT_SAMPLE_RATE_HZ, NbiotOfdm, SAMPLES_PER_SUBFRAME};
use ntn_sdr::sigmf::{self, Datatype, SigmfMeta};
use ntn_types::InvalidValue;
use ntn_types::validate;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::output::{Cell, OutputArgs, Table, emit};

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
    /// With --cell: frame number of the first sample.
    #[arg(long, default_value_t = 0)]
    pub sfn: u32,
    /// With --cell: subframe (0…9) starting at the first sample.
    #[arg(long, default_value_t = 0)]
    pub subframe: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options of `ntn nbiot gen`.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// Cell configuration (TOML; every field has a default).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Output recording (.sigmf-meta; the .sigmf-data is written beside it).
    #[arg(long, value_name = "FILE.sigmf-meta")]
    pub out: PathBuf,
}

/// The TOML cell configuration of `ntn nbiot gen`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenConfig {
    /// N_ID^Ncell (0…503).
    pub cell_id: u16,
    /// NRS ports (1 or 2); two ports are summed onto one antenna.
    pub ports: u8,
    /// "standalone" or "guardband".
    pub operation_mode: String,
    /// schedulingInfoSIB1 (0…11).
    pub scheduling_info_sib1: u8,
    /// systemInfoValueTag (0…31).
    pub system_info_value_tag: u8,
    /// H-SFN.
    pub hsfn: u32,
    /// First SFN.
    pub start_sfn: u32,
    /// Frames to write.
    pub frames: u32,
    /// SIB1-NB payload as hex (the TBS of the schedule); absent: a fixed pattern.
    pub sib1_hex: Option<String>,
    /// Carrier offset added (Hz).
    pub offset_hz: f64,
    /// AWGN at this SNR per RE (dB); absent: no noise.
    pub snr_db: Option<f32>,
    /// Noise seed.
    pub seed: u64,
    /// Sample format: "cf32_le" or "ci16_le".
    pub datatype: String,
    /// Centre frequency written into the metadata (Hz).
    pub centre_frequency_hz: Option<f64>,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            cell_id: 0,
            ports: 1,
            operation_mode: "standalone".into(),
            scheduling_info_sib1: 0,
            system_info_value_tag: 0,
            hsfn: 0,
            start_sfn: 0,
            frames: 32,
            sib1_hex: None,
            offset_hz: 0.0,
            snr_db: None,
            seed: 1,
            datatype: "cf32_le".into(),
            centre_frequency_hz: None,
        }
    }
}

impl GenConfig {
    /// Parse the TOML of `file` and check every value ([`GenConfig::validate`]); errors name
    /// the file, the key and the value.
    pub fn from_toml(text: &str, file: &str) -> Result<Self> {
        let cfg: GenConfig = toml::from_str(text).with_context(|| file.to_owned())?;
        cfg.validate().map_err(|e| e.in_file(file))?;
        Ok(cfg)
    }

    /// Range-check every number: identities and counters as TS 36.331/36.211 define them
    /// (cell_id 0…503, SFN and H-SFN 0…1023, value tag 0…31, schedulingInfoSIB1 0…11),
    /// a carrier offset inside the sampled band, a finite SNR, a positive centre frequency.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        let int = |key: &str, v: u64, hi: u64, why: &str| {
            if v <= hi {
                Ok(())
            } else {
                Err(InvalidValue::new(key, v, why))
            }
        };
        int("cell_id", self.cell_id.into(), 503, "N_ID^Ncell is 0…503")?;
        int(
            "scheduling_info_sib1",
            self.scheduling_info_sib1.into(),
            11,
            "schedulingInfoSIB1 is 0…11 (TS 36.213 Table 16.4.1.3-3)",
        )?;
        int(
            "system_info_value_tag",
            self.system_info_value_tag.into(),
            31,
            "systemInfoValueTag is 0…31",
        )?;
        int(
            "hsfn",
            self.hsfn.into(),
            1023,
            "the hyper frame number is 0…1023",
        )?;
        int(
            "start_sfn",
            self.start_sfn.into(),
            1023,
            "the SFN is 0…1023",
        )?;
        let half_band_hz = NBIOT_SAMPLE_RATE_HZ / 2.0;
        validate::within(
            "offset_hz",
            self.offset_hz,
            -half_band_hz..=half_band_hz,
            &format!("a carrier offset must stay within ±{half_band_hz} Hz of the sampled band"),
        )?;
        if let Some(snr) = self.snr_db {
            validate::within(
                "snr_db",
                f64::from(snr),
                -50.0..=100.0,
                "an SNR per RE must be within −50 … 100 dB",
            )?;
        }
        if let Some(f) = self.centre_frequency_hz {
            validate::positive("centre_frequency_hz", f)?;
        }
        Ok(())
    }
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
            if a.output.plot.is_some() {
                bail!("ntn nbiot scan draws no plot");
            }
            let table = scan(&a)?;
            emit(&a.output, &table.render(a.output.format))
        }
        NbiotCmd::Gen(a) => {
            let cfg = match &a.config {
                Some(p) => {
                    let text = std::fs::read_to_string(p)
                        .with_context(|| format!("cannot read {}", p.display()))?;
                    GenConfig::from_toml(&text, &p.display().to_string())?
                }
                None => GenConfig::default(),
            };
            let n = generate(&cfg, &a.out)?;
            eprintln!(
                "wrote {} ({n} samples, {} frames from SFN {}, cell {})",
                a.out.display(),
                cfg.frames,
                cfg.start_sfn,
                cfg.cell_id
            );
            Ok(())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        bail!("sib1_hex: odd number of hex digits");
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| anyhow!("sib1_hex: {e}")))
        .collect()
}

/// Writes the recording of `cfg` to `out`; returns the number of samples.
pub fn generate(cfg: &GenConfig, out: &Path) -> Result<usize> {
    cfg.validate()?;
    let cell = NcellId::new(cfg.cell_id).map_err(|e| anyhow!("cell_id: {e}"))?;
    let ports = match cfg.ports {
        1 => NrsPorts::One,
        2 => NrsPorts::Two,
        p => bail!("ports: {p} (1 or 2)"),
    };
    let operation_mode = match cfg.operation_mode.as_str() {
        "standalone" => OperationMode::Standalone(0),
        "guardband" => OperationMode::Guardband(0),
        m => bail!("operation_mode {m:?}: standalone or guardband (in-band is not generated)"),
    };
    let datatype = match cfg.datatype.as_str() {
        "cf32_le" => Datatype::Cf32Le,
        "ci16_le" => Datatype::Ci16Le,
        d => bail!("datatype {d:?}: cf32_le or ci16_le"),
    };
    if cfg.frames == 0 || cfg.frames > 4096 {
        bail!("frames: {} (1…4096)", cfg.frames);
    }
    let mib = MibNb {
        sfn_msb4: 0,
        hsfn_lsb2: 0,
        scheduling_info_sib1: cfg.scheduling_info_sib1,
        system_info_value_tag: cfg.system_info_value_tag,
        ab_enabled: false,
        operation_mode,
        trailing11: 0,
    };
    let sched = Sib1Schedule::new(cfg.scheduling_info_sib1, cell)
        .map_err(|e| anyhow!("scheduling_info_sib1: {e}"))?;
    let payload: Vec<u8> = match &cfg.sib1_hex {
        Some(h) => parse_hex(h)?,
        None => (0..sched.tbs_bits / 8)
            .map(|i| (i * 37 + 11) as u8)
            .collect(),
    };
    if payload.len() * 8 != sched.tbs_bits {
        bail!(
            "sib1_hex: {} bytes, but schedulingInfoSIB1 {} carries {} bits",
            payload.len(),
            cfg.scheduling_info_sib1,
            sched.tbs_bits
        );
    }
    let bits: Vec<u8> = payload
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1))
        .collect();
    let mut tx = NbiotCellTx::new(cell, ports, mib);
    tx.set_sib1(Some(&bits))
        .map_err(|e| anyhow!("SIB1-NB: {e}"))?;
    let np = ports.count();
    let mut frame = vec![Complex32::default(); np * SAMPLES_PER_FRAME];
    let mut samples = Vec::with_capacity(cfg.frames as usize * SAMPLES_PER_FRAME);
    for i in 0..cfg.frames {
        let n_f = (cfg.start_sfn + i) % 1024;
        let hsfn = cfg.hsfn + (cfg.start_sfn + i) / 1024;
        tx.fill_frame(hsfn, n_f, &mut frame);
        samples.extend((0..SAMPLES_PER_FRAME).map(|n| {
            (0..np)
                .map(|p| frame[p * SAMPLES_PER_FRAME + n])
                .sum::<Complex32>()
        }));
    }
    if cfg.offset_hz != 0.0 {
        remove_offset(&mut samples, -cfg.offset_hz);
    }
    if let Some(snr) = cfg.snr_db {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed);
        let sigma = (128.0 / 10f32.powf(snr / 10.0) / 2.0).sqrt();
        let mut gauss = || ntn_phy::noise::gaussian(&mut rng);
        for s in samples.iter_mut() {
            *s += Complex32::new(gauss(), gauss()) * sigma;
        }
    }
    // keep ci16 inside full scale: unit-power REs give time samples of a few units
    if datatype == Datatype::Ci16Le {
        let peak = samples
            .iter()
            .map(|s| s.re.abs().max(s.im.abs()))
            .fold(0.0f32, f32::max);
        if peak > 0.0 {
            for s in samples.iter_mut() {
                *s *= 0.7 / peak;
            }
        }
    }
    let meta = SigmfMeta {
        datatype,
        sample_rate_hz: NBIOT_SAMPLE_RATE_HZ,
        centre_frequency_hz: cfg.centre_frequency_hz,
        description: Some(format!(
            "ntn nbiot gen: NB-IoT downlink, cell {}, {} frames from SFN {}",
            cfg.cell_id, cfg.frames, cfg.start_sfn
        )),
    };
    let mut extra = Map::new();
    extra.insert("core:generator".into(), json!("ntn nbiot gen"));
    extra.insert("ntn:cell_id".into(), json!(cfg.cell_id));
    extra.insert("ntn:start_sfn".into(), json!(cfg.start_sfn));
    extra.insert("ntn:hsfn".into(), json!(cfg.hsfn));
    extra.insert("ntn:nrs_ports".into(), json!(cfg.ports));
    extra.insert("ntn:offset_hz".into(), json!(cfg.offset_hz));
    extra.insert("ntn:snr_db".into(), json!(cfg.snr_db));
    extra.insert("ntn:sib1_hex".into(), json!(hex(&payload)));
    sigmf::write(out, &meta, &extra, &samples)?;
    Ok(samples.len())
}

/// What a scan found, before rendering.
struct ScanState {
    cell: NcellId,
    ports: NrsPorts,
    mib: Option<MibNb>,
    /// Sample index of a frame start and its SFN (when known).
    frame0: usize,
    sfn0: Option<u32>,
    offset_hz: f64,
}

/// Decodes a recording into a table (summary: cell, offset, MIB-NB, SIB1-NB; rows: DCIs and
/// decoded channels).
pub fn scan(a: &ScanArgs) -> Result<Table> {
    let rec = match a.rate {
        Some(rate) => sigmf::read_raw_cf32(&a.file, rate)?,
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
            sigmf::read(&a.file)?
        }
    };
    if (rec.meta.sample_rate_hz - NBIOT_SAMPLE_RATE_HZ).abs() > 1.0 {
        bail!(
            "sample rate {} Hz: ntn nbiot scan reads 1.92 Msps recordings (resample first)",
            rec.meta.sample_rate_hz
        );
    }
    let mut samples = rec.samples;
    if samples
        .iter()
        .any(|s| !s.re.is_finite() || !s.im.is_finite())
    {
        bail!(
            "{}: the samples contain NaN or infinite values",
            a.file.display()
        );
    }
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
    table.summary("samples", samples.len() as u64);
    table.summary("duration_ms", samples.len() as f64 / 1920.0);
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
            if a.subframe == 0 && samples.len() >= SAMPLES_PER_SUBFRAME {
                let mut grid = ResourceGrid::nbiot_subframe();
                NbiotOfdm::new()
                    .demodulate_subframe(&samples[..SAMPLES_PER_SUBFRAME], &mut grid)?;
                if let Ok(d) = NpbchDecoder::new().decode_subframe(&grid, cell, FrameHint::Unknown)
                {
                    mib = Some(d.mib);
                    ports = d.ports;
                }
            }
            ScanState {
                cell,
                ports,
                mib,
                frame0,
                sfn0: Some(sfn0),
                offset_hz: 0.0,
            }
        }
        None => {
            if samples.len() < 20_700 {
                bail!(
                    "{} samples: a cell search needs at least 20.7 ms (two NPSS); for a shorter capture give --cell (and --sfn/--subframe)",
                    samples.len()
                );
            }
            let len = samples.len().min(64 * SAMPLES_PER_FRAME + 2000);
            let mut searcher = CellSearcher::new(NpssSearchConfig::default(), len);
            let r = searcher
                .search(&samples[..len])
                .map_err(|e| anyhow!("no cell found: {e}"))?;
            remove_offset(&mut samples, r.npss.offset_hz);
            table.summary("npss_peak_to_mean", f64::from(r.npss.peak_to_mean));
            table.summary("nsss_frame_mod8", u64::from(r.nsss.frame_mod8));
            let (mib, ports) = match r.mib {
                Some((_, d)) => (Some(d.mib), d.ports),
                None => (None, NrsPorts::One),
            };
            ScanState {
                cell: r.nsss.cell,
                ports,
                mib,
                frame0: r.nsss.even_frame_start,
                sfn0: r.sfn_at_even_frame().map(u32::from),
                offset_hz: r.npss.offset_hz,
            }
        }
    };
    table.summary("cell_id", u64::from(state.cell.get()));
    table.summary(
        "frequency_offset_hz",
        (state.offset_hz * 10.0).round() / 10.0,
    );
    table.summary("nrs_ports", state.ports.count() as u64);
    match &state.mib {
        Some(m) => {
            table.summary("mib_nb", mib_json(m));
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
    decode_subframes(a, &samples, &state, sib1.as_ref(), &mut table)?;
    Ok(table)
}

fn mib_json(m: &MibNb) -> Value {
    let mode = match m.operation_mode {
        OperationMode::InbandSamePci(v) => json!({"inband_same_pci": v}),
        OperationMode::InbandDifferentPci(v) => json!({"inband_different_pci": v}),
        OperationMode::Guardband(v) => json!({"guardband": v}),
        OperationMode::Standalone(v) => json!({"standalone": v}),
    };
    json!({
        "sfn_msb4": m.sfn_msb4,
        "hsfn_lsb2": m.hsfn_lsb2,
        "scheduling_info_sib1": m.scheduling_info_sib1,
        "system_info_value_tag": m.system_info_value_tag,
        "ab_enabled": m.ab_enabled,
        "operation_mode": mode,
    })
}

/// DCIs for the RNTIs in every NB-IoT DL subframe, and SIB1-NB from the subframes present.
fn decode_subframes(
    a: &ScanArgs,
    samples: &[Complex32],
    st: &ScanState,
    sib1: Option<&Sib1Schedule>,
    table: &mut Table,
) -> Result<()> {
    let mut ofdm = NbiotOfdm::new();
    // subframe starts before frame0 (a partial frame) are addressed from frame0 backwards
    let first_sf_start = st.frame0 % SAMPLES_PER_SUBFRAME;
    let n_sf = (samples.len() - first_sf_start) / SAMPLES_PER_SUBFRAME;
    let Some(sfn0) = st.sfn0 else {
        table.summary(
            "sib1_nb",
            "frame number unknown (no MIB-NB): nothing decoded",
        );
        return Ok(());
    };
    let mut grids: Vec<(SubframeIndex, ResourceGrid)> = Vec::with_capacity(n_sf);
    for i in 0..n_sf {
        let start = first_sf_start + i * SAMPLES_PER_SUBFRAME;
        let rel = (start as i64 - st.frame0 as i64).div_euclid(SAMPLES_PER_SUBFRAME as i64);
        let abs = (i64::from(sfn0) * 10 + rel).rem_euclid(10240) as u32;
        let sf = SubframeIndex::new(abs / 10, abs % 10)?;
        let mut g = ResourceGrid::nbiot_subframe();
        ofdm.demodulate_subframe(&samples[start..start + SAMPLES_PER_SUBFRAME], &mut g)?;
        grids.push((sf, g));
    }
    let ncell = NpdcchCell {
        cell: st.cell,
        ports: st.ports,
        start_symbol: npdcch_start_symbol(None),
    };
    let space = SearchSpaceConfig::new(SearchSpaceKind::UeSpecific, 1, 4.0, 0.0)?;
    let mut searcher = NpdcchSearcher::new().with_repetition_field(21, 2);
    let mut dcis = 0u64;
    for &rnti in &a.rnti {
        for (sf, g) in &grids {
            if !is_nbiot_dl_subframe(*sf, sib1) {
                continue;
            }
            let lookup = |x: SubframeIndex| (x == *sf).then_some(g);
            if let Ok(found) =
                searcher.search(&space, *sf, sib1, ncell, rnti, DCI_N0_N1_BITS, &lookup)
            {
                let detail = match DciN0N1::unpack(&found.bits) {
                    Ok(d) => format!("{d:?} (NCCE {:?})", found.candidate.ncce),
                    Err(e) => format!("unparsed: {e}"),
                };
                table.push(vec![
                    Cell::Int(i64::from(sf.frame)),
                    Cell::Int(i64::from(sf.subframe)),
                    Cell::Text("NPDCCH".into()),
                    Cell::Text(format!("0x{rnti:04x}")),
                    Cell::Text(detail),
                ]);
                dcis += 1;
            }
        }
    }
    table.summary("dcis_found", dcis);
    let Some(sched) = sib1 else {
        table.summary("sib1_nb", "no MIB-NB: SIB1-NB schedule unknown");
        return Ok(());
    };
    let mode = st
        .mib
        .map_or(OperationMode::Standalone(0), |m| m.operation_mode);
    let cfg = sched.config(st.cell, st.ports, npdsch_data_start(mode, true, None));
    let mut dec = NpdschDecoder::new();
    // one repetition (16 frames) at a time, first one that decodes
    let mut reps: Vec<u32> = grids
        .iter()
        .filter(|(sf, _)| sf.subframe == SIB1_SUBFRAME)
        .filter_map(|(sf, _)| sched.locate(sf.frame).map(|p| p.repetition_first_frame))
        .collect();
    reps.dedup();
    let mut decoded = None;
    let mut best_count = 0;
    for first in reps {
        dec.start(&cfg)?;
        for (sf, g) in &grids {
            if sf.subframe != SIB1_SUBFRAME {
                continue;
            }
            if let Some(p) = sched.locate(sf.frame)
                && p.repetition_first_frame == first
            {
                let c_init = npdsch_c_init_bcch(st.cell, SI_RNTI, first);
                dec.accumulate(g, SIB1_SUBFRAME, p.segment, c_init)?;
            }
        }
        best_count = best_count.max(dec.accumulated());
        if let Ok(d) = dec.decode() {
            decoded = Some((first, d));
            break;
        }
    }
    match decoded {
        Some((first, d)) => {
            table.summary("sib1_nb", hex(&d.bytes()));
            table.push(vec![
                Cell::Int(i64::from(first)),
                Cell::Int(i64::from(SIB1_SUBFRAME)),
                Cell::Text("NPDSCH SIB1-NB".into()),
                Cell::Text(format!("0x{SI_RNTI:04x}")),
                Cell::Text(format!(
                    "TBS {} from {} of 8 subframes: {}",
                    sched.tbs_bits,
                    d.subframes_combined,
                    hex(&d.bytes())
                )),
            ]);
        }
        None => table.summary(
            "sib1_nb",
            format!("not decoded ({best_count} of 8 subframes of one repetition in the recording)"),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
                plot: None,
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
