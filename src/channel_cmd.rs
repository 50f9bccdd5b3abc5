//! `ntn channel`: apply the NTN channel (orbit delay and Doppler, NTN-TDL fading, AWGN) to a
//! SigMF `cf32_le` recording and write a new SigMF pair. The scenario is a TOML file whose
//! every field has a default (see `ntn_sim::scenario`); no file means all defaults.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ntn_sdr::sigmf::{self, Datatype, PairWriter, SampleReader};
use ntn_sim::channel::Channel;
use ntn_sim::scenario::{ChannelScenario, RecordingInfo};
use ntn_types::Hz;
use num_complex::Complex32;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use crate::output::{Budget, MemoryArgs, check_interrupt, check_outputs, interruptible};

/// Options of `ntn channel`.
#[derive(Args, Debug)]
pub struct ChannelArgs {
    /// Input recording: its .sigmf-meta (the samples are in the .sigmf-data beside it).
    #[arg(long = "in", value_name = "FILE.sigmf-meta")]
    pub input: PathBuf,
    /// Output recording: the .sigmf-meta to write (and its .sigmf-data).
    #[arg(long, value_name = "FILE.sigmf-meta")]
    pub out: PathBuf,
    /// Scenario file (TOML) [default: every parameter at its default].
    #[arg(long, value_name = "FILE.toml")]
    pub scenario: Option<PathBuf>,
    /// Samples per processing block (the result does not depend on it).
    #[arg(long, default_value_t = 1 << 16)]
    pub block: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

/// What the command needs from the input metadata.
struct InputMeta {
    meta: Value,
    sample_rate: f64,
    centre_frequency: Option<f64>,
    samples: u64,
}

fn read_meta(meta_path: &Path, data: &Path) -> Result<InputMeta> {
    let text = std::fs::read_to_string(meta_path)
        .with_context(|| format!("cannot read {}", meta_path.display()))?;
    let (m, meta) = sigmf::parse_meta(&text, meta_path)?;
    if m.datatype != Datatype::Cf32Le {
        bail!(
            "{}: core:datatype is {:?}; ntn channel reads cf32_le (convert the recording first)",
            meta_path.display(),
            m.datatype.as_str()
        );
    }
    let samples = SampleReader::open(data, Datatype::Cf32Le)
        .with_context(|| format!("cannot open the samples {}", data.display()))?
        .len();
    Ok(InputMeta {
        meta,
        sample_rate: m.sample_rate_hz,
        centre_frequency: m.centre_frequency_hz,
        samples,
    })
}

fn mean_power(path: &Path, block: usize) -> Result<f64> {
    let mut r = SampleReader::open(path, Datatype::Cf32Le)?;
    let mut buf = vec![Complex32::new(0.0, 0.0); block];
    let (mut sum, mut count) = (0.0f64, 0u64);
    loop {
        check_interrupt()?;
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        sum += buf[..n]
            .iter()
            .map(|x| f64::from(x.norm_sqr()))
            .sum::<f64>();
        count += n as u64;
    }
    Ok(if count == 0 { 0.0 } else { sum / count as f64 })
}

/// Bytes per sample of `--block` held at once: input and output blocks (8 bytes each) and the
/// reader's and writer's byte buffers (8 each).
const BYTES_PER_BLOCK_SAMPLE: f64 = 32.0;

pub fn run(a: ChannelArgs) -> Result<()> {
    interruptible();
    if a.block == 0 {
        bail!("--block must be at least 1");
    }
    Budget::memory(
        format!(
            "--block {} samples × {BYTES_PER_BLOCK_SAMPLE} bytes of buffers",
            a.block
        ),
        a.block as f64 * BYTES_PER_BLOCK_SAMPLE,
        &a.memory,
    )
    .check()?;
    let in_data = sigmf::data_path(&a.input)?;
    let out_data = sigmf::data_path(&a.out)?;
    let mut inputs = vec![a.input.as_path(), in_data.as_path()];
    inputs.extend(a.scenario.as_deref());
    check_outputs([a.out.as_path(), out_data.as_path()], &inputs)?;
    let input = read_meta(&a.input, &in_data)?;
    let scenario: ChannelScenario = match &a.scenario {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the scenario {}", p.display()))?;
            ChannelScenario::from_toml(&text, &p.display().to_string())?
        }
        None => ChannelScenario::default(),
    };
    let needs_power = scenario.noise.enabled && scenario.noise.signal_power.is_none();
    let mean_power = if needs_power {
        mean_power(&in_data, a.block)?
    } else {
        1.0
    };
    if needs_power && mean_power <= 0.0 {
        bail!(
            "{}: the recording is silent, so an SNR relative to its power means nothing; set noise.signal_power",
            in_data.display()
        );
    }
    let rec = RecordingInfo {
        sample_rate: Hz(input.sample_rate),
        centre_frequency: input.centre_frequency.map(Hz),
        mean_power,
    };
    let cfg = scenario.to_config(&rec).with_context(|| {
        format!(
            "scenario {}",
            a.scenario
                .as_deref()
                .map_or("(defaults)".into(), |p| p.display().to_string())
        )
    })?;
    let origin = cfg.path.as_ref().map(|p| p.origin.to_string());
    let mut channel = Channel::new(cfg)?;

    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(input.samples).with_style(
            ProgressStyle::with_template(
                "{spinner} channel {bar:40} {percent}% {pos}/{len} samples, {elapsed} (ETA {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    };
    let mut r = SampleReader::open(&in_data, Datatype::Cf32Le)?;
    let mut w = PairWriter::create(&a.out, Datatype::Cf32Le)?;
    let mut x = vec![Complex32::new(0.0, 0.0); a.block];
    let mut y = vec![Complex32::new(0.0, 0.0); a.block];
    let mut t = 0u64;
    loop {
        check_interrupt()?;
        let n = r.read(&mut x)?;
        if n == 0 {
            break;
        }
        channel
            .process(t, &x[..n], &mut y[..n])
            .with_context(|| format!("at sample {t}"))?;
        w.write(&y[..n])?;
        t += n as u64;
        bar.set_position(t);
    }
    bar.finish_and_clear();

    let mut meta = input.meta.clone();
    let global = meta
        .get_mut("global")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("input metadata lost its global object"))?;
    let described = match global.get("core:description").and_then(Value::as_str) {
        Some(d) => format!("{d} — through the ntn NTN channel"),
        None => "Through the ntn NTN channel (orbit delay/Doppler, NTN-TDL, AWGN)".to_owned(),
    };
    global.insert("core:description".into(), Value::from(described));
    global.insert(
        "ntn:channel".into(),
        json!({
            "source": format!("{}", a.input.display()),
            "scenario": serde_json::to_value(&scenario)?,
            "carrier_hz": scenario.carrier(&rec).hz(),
            "first_sample_utc": origin,
            "reference_signal_power": mean_power,
        }),
    );
    if meta.get("annotations").is_none() {
        meta["annotations"] = json!([]);
    }
    w.finish(&meta)?;
    eprintln!(
        "wrote {} samples to {} (+ {})",
        t,
        out_data.display(),
        a.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_pair(dir: &Path, name: &str, meta: &Value, samples: &[Complex32]) -> PathBuf {
        let m = dir.join(format!("{name}.sigmf-meta"));
        std::fs::write(&m, meta.to_string()).unwrap();
        let mut bytes = Vec::new();
        for s in samples {
            bytes.extend_from_slice(&s.re.to_le_bytes());
            bytes.extend_from_slice(&s.im.to_le_bytes());
        }
        std::fs::write(dir.join(format!("{name}.sigmf-data")), bytes).unwrap();
        m
    }

    fn meta(datatype: &str) -> Value {
        json!({"global": {"core:datatype": datatype, "core:sample_rate": 1.92e6,
                          "core:version": "1.0.0"},
               "captures": [{"core:sample_start": 0, "core:frequency": 2185e6}],
               "annotations": []})
    }

    #[test]
    fn applies_the_channel_and_rejects_bad_metadata() {
        let dir = std::env::temp_dir().join(format!("ntn-channel-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let x: Vec<Complex32> = (0..50_000)
            .map(|i| Complex32::from_polar(1.0, i as f32 * 0.05))
            .collect();
        let input = write_pair(&dir, "in", &meta("cf32_le"), &x);
        let out = dir.join("out.sigmf-meta");
        run(ChannelArgs {
            input: input.clone(),
            out: out.clone(),
            scenario: None,
            block: 7000,
            quiet: true,
            memory: MemoryArgs::default(),
        })
        .unwrap();
        let y = std::fs::read(dir.join("out.sigmf-data")).unwrap();
        assert_eq!(y.len(), x.len() * 8);
        let m: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(m["global"]["core:datatype"], "cf32_le");
        assert_eq!(m["global"]["ntn:channel"]["carrier_hz"], 2185e6);
        // Same result with another block size.
        let out2 = dir.join("out2.sigmf-meta");
        run(ChannelArgs {
            input: input.clone(),
            out: out2,
            scenario: None,
            block: 65_536,
            quiet: true,
            memory: MemoryArgs::default(),
        })
        .unwrap();
        assert_eq!(std::fs::read(dir.join("out2.sigmf-data")).unwrap(), y);

        let bad = write_pair(&dir, "ci16", &meta("ci16_le"), &x[..10]);
        let e = run(ChannelArgs {
            input: bad,
            out: dir.join("o3.sigmf-meta"),
            scenario: None,
            block: 100,
            quiet: true,
            memory: MemoryArgs::default(),
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("cf32_le"), "{e:#}");
        let mut no_rate = meta("cf32_le");
        no_rate["global"]
            .as_object_mut()
            .unwrap()
            .remove("core:sample_rate");
        let bad = write_pair(&dir, "norate", &no_rate, &x[..10]);
        let e = run(ChannelArgs {
            input: bad,
            out: dir.join("o4.sigmf-meta"),
            scenario: None,
            block: 100,
            quiet: true,
            memory: MemoryArgs::default(),
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("core:sample_rate"), "{e:#}");
        let e = run(ChannelArgs {
            input: dir.join("missing.sigmf-meta"),
            out: dir.join("o5.sigmf-meta"),
            scenario: None,
            block: 100,
            quiet: true,
            memory: MemoryArgs::default(),
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("missing.sigmf-meta"), "{e:#}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
