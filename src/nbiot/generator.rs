//! `ntn nbiot gen`: a standards-conformant NB-IoT downlink recording from a cell
//! configuration (TOML and command-line overrides, every value checked when read).

use crate::output::check_outputs;
use crate::tree::hex;
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use ntn_phy::Complex32;
use ntn_phy::nbiot::cell::{NbiotCellTx, SAMPLES_PER_FRAME};
use ntn_phy::nbiot::npbch::{MibNb, OperationMode};
use ntn_phy::nbiot::npdsch::Sib1Schedule;
use ntn_phy::nbiot::search::remove_offset;
use ntn_phy::nbiot::{NcellId, NrsPorts};
use ntn_phy::ofdm::NBIOT_SAMPLE_RATE_HZ;
use ntn_sdr::sigmf::{self, Datatype, SigmfMeta};
use ntn_types::InvalidValue;
use ntn_types::validate;
use serde::Deserialize;
use serde_json::{Map, json};
use std::path::{Path, PathBuf};

/// Options of `ntn nbiot gen`.
#[derive(Args, Debug)]
pub struct GenArgs {
    /// Cell configuration (TOML; every field has a default).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Output recording (.sigmf-meta; the .sigmf-data is written beside it).
    #[arg(long, value_name = "FILE.sigmf-meta")]
    pub out: PathBuf,
    #[command(flatten)]
    pub set: GenOverrides,
}

/// Cell parameters given on the command line; each replaces the configuration's value and is
/// range-checked by name before anything runs.
#[derive(Args, Debug, Default)]
pub struct GenOverrides {
    /// N_ID^Ncell, 0…503 (replaces `cell_id`).
    #[arg(long, value_name = "0..503", value_parser = clap::value_parser!(u16).range(0..=503))]
    pub cell_id: Option<u16>,
    /// SFN of the first frame, 0…1023 (replaces `start_sfn`).
    #[arg(long, value_name = "0..1023", value_parser = clap::value_parser!(u32).range(0..=1023))]
    pub sfn: Option<u32>,
    /// Hyper-SFN of the first frame, 0…1023 (replaces `hsfn`).
    #[arg(long, value_name = "0..1023", value_parser = clap::value_parser!(u32).range(0..=1023))]
    pub hsfn: Option<u32>,
    /// SIB1-NB systemInfoValueTag, 0…31 (replaces `system_info_value_tag`).
    #[arg(long, value_name = "0..31", value_parser = clap::value_parser!(u8).range(0..=31))]
    pub value_tag: Option<u8>,
    /// schedulingInfoSIB1, 0…11 (replaces `scheduling_info_sib1`).
    #[arg(long, value_name = "0..11", value_parser = clap::value_parser!(u8).range(0..=11))]
    pub scheduling_info_sib1: Option<u8>,
    /// NRS ports, 1 or 2 (replaces `ports`).
    #[arg(long, value_name = "1|2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub ports: Option<u8>,
    /// Frames to write, 1…4096 (replaces `frames`).
    #[arg(long, value_name = "1..4096", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub frames: Option<u32>,
    /// Carrier offset, Hz, within ±960 kHz (replaces `offset_hz`).
    #[arg(long, value_name = "HZ", allow_negative_numbers = true, value_parser = parse_offset_hz)]
    pub offset_hz: Option<f64>,
    /// AWGN at this SNR per resource element, dB, −50…100 (replaces `snr_db`).
    #[arg(long, value_name = "DB", allow_negative_numbers = true, value_parser = parse_snr_db)]
    pub snr_db: Option<f32>,
    /// Noise seed (replaces `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
}

impl GenOverrides {
    /// `cfg` with the values given on the command line.
    pub fn apply(&self, mut cfg: GenConfig) -> GenConfig {
        let GenOverrides {
            cell_id,
            sfn,
            hsfn,
            value_tag,
            scheduling_info_sib1,
            ports,
            frames,
            offset_hz,
            snr_db,
            seed,
        } = *self;
        cfg.cell_id = cell_id.unwrap_or(cfg.cell_id);
        cfg.start_sfn = sfn.unwrap_or(cfg.start_sfn);
        cfg.hsfn = hsfn.unwrap_or(cfg.hsfn);
        cfg.system_info_value_tag = value_tag.unwrap_or(cfg.system_info_value_tag);
        cfg.scheduling_info_sib1 = scheduling_info_sib1.unwrap_or(cfg.scheduling_info_sib1);
        cfg.ports = ports.unwrap_or(cfg.ports);
        cfg.frames = frames.unwrap_or(cfg.frames);
        cfg.offset_hz = offset_hz.unwrap_or(cfg.offset_hz);
        cfg.snr_db = snr_db.or(cfg.snr_db);
        cfg.seed = seed.unwrap_or(cfg.seed);
        cfg
    }
}

/// A finite number within `range`, for a command-line value.
fn number_in<T>(s: &str, range: std::ops::RangeInclusive<T>, unit: &str) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let v: T = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    // NaN is not in any range, ±∞ not in a finite one
    if !range.contains(&v) {
        return Err(format!(
            "{v} is outside {}…{} {unit}",
            range.start(),
            range.end()
        ));
    }
    Ok(v)
}

/// A carrier offset the 1.92 Msps recording can hold (±960 kHz, half the sample rate).
fn parse_offset_hz(s: &str) -> Result<f64, String> {
    number_in(s, -960e3..=960e3, "Hz")
}

fn parse_snr_db(s: &str) -> Result<f32, String> {
    number_in(s, -50.0..=100.0, "dB")
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
        self.nrs_ports()?;
        if !(1..=4096).contains(&self.frames) {
            return Err(InvalidValue::new(
                "frames",
                self.frames,
                "frames to write are 1…4096",
            ));
        }
        self.mode()?;
        self.sample_format()?;
        if let Some(h) = &self.sib1_hex {
            crate::tree::parse_hex(h)
                .map_err(|e| InvalidValue::new("sib1_hex", format!("{h:?}"), e))?;
        }
        Ok(())
    }

    /// The NRS ports (1 or 2).
    fn nrs_ports(&self) -> Result<NrsPorts, InvalidValue> {
        match self.ports {
            1 => Ok(NrsPorts::One),
            2 => Ok(NrsPorts::Two),
            p => Err(InvalidValue::new("ports", p, "NRS ports are 1 or 2")),
        }
    }

    /// The operation mode written into MIB-NB (in-band is not generated).
    fn mode(&self) -> Result<OperationMode, InvalidValue> {
        match self.operation_mode.as_str() {
            "standalone" => Ok(OperationMode::Standalone(0)),
            "guardband" => Ok(OperationMode::Guardband(0)),
            m => Err(InvalidValue::new(
                "operation_mode",
                format!("{m:?}"),
                "standalone or guardband (in-band is not generated)",
            )),
        }
    }

    /// The recording's sample format.
    fn sample_format(&self) -> Result<Datatype, InvalidValue> {
        match self.datatype.as_str() {
            "cf32_le" => Ok(Datatype::Cf32Le),
            "ci16_le" => Ok(Datatype::Ci16Le),
            d => Err(InvalidValue::new(
                "datatype",
                format!("{d:?}"),
                "cf32_le or ci16_le",
            )),
        }
    }
}

/// `ntn nbiot gen`: the configuration (file, then command-line overrides), checked, then
/// the recording.
pub fn run(a: GenArgs) -> Result<()> {
    let data = sigmf::data_path(&a.out)?;
    let inputs: Vec<&Path> = a.config.as_deref().into_iter().collect();
    check_outputs([a.out.as_path(), data.as_path()], &inputs)?;
    let cfg = a.set.apply(match &a.config {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            GenConfig::from_toml(&text, &p.display().to_string())?
        }
        None => GenConfig::default(),
    });
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

fn parse_hex(s: &str) -> Result<Vec<u8>> {
    crate::tree::parse_hex(s).map_err(|e| anyhow!("sib1_hex: {e}"))
}

/// Writes the recording of `cfg` to `out`; returns the number of samples.
pub fn generate(cfg: &GenConfig, out: &Path) -> Result<usize> {
    cfg.validate()?;
    let cell = NcellId::new(cfg.cell_id).map_err(|e| anyhow!("cell_id: {e}"))?;
    let ports = cfg.nrs_ports()?;
    let operation_mode = cfg.mode()?;
    let datatype = cfg.sample_format()?;
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
