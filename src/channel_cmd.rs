//! `ntn channel`: apply the NTN channel (orbit delay and Doppler, NTN-TDL fading, AWGN) to a
//! SigMF `cf32_le` recording and write a new SigMF pair. The scenario is a TOML file whose
//! every field has a default (see `ntn_sim::scenario`); no file means all defaults.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use ntn_sim::channel::Channel;
use ntn_sim::scenario::{ChannelScenario, RecordingInfo};
use ntn_types::Hz;
use num_complex::Complex32;
use serde_json::{Value, json};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

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
}

/// The `.sigmf-data` path beside a `.sigmf-meta` path.
fn data_path(meta: &Path) -> Result<PathBuf> {
    let name = meta
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| anyhow!("{}: not a file name", meta.display()))?;
    let stem = name.strip_suffix(".sigmf-meta").ok_or_else(|| {
        anyhow!(
            "{}: a SigMF metadata file name ends in .sigmf-meta",
            meta.display()
        )
    })?;
    Ok(meta.with_file_name(format!("{stem}.sigmf-data")))
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
    let meta: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", meta_path.display()))?;
    let global = meta
        .get("global")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{}: no \"global\" object", meta_path.display()))?;
    let datatype = global
        .get("core:datatype")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{}: global has no \"core:datatype\"", meta_path.display()))?;
    if datatype != "cf32_le" {
        bail!(
            "{}: core:datatype is {datatype:?}; ntn channel reads cf32_le (convert the recording first)",
            meta_path.display()
        );
    }
    let sample_rate = global
        .get("core:sample_rate")
        .and_then(Value::as_f64)
        .ok_or_else(|| {
            anyhow!(
                "{}: global has no numeric \"core:sample_rate\"",
                meta_path.display()
            )
        })?;
    if !(sample_rate.is_finite() && sample_rate > 0.0) {
        bail!(
            "{}: core:sample_rate {sample_rate} is not a positive rate",
            meta_path.display()
        );
    }
    if let Some(n) = global.get("core:num_channels").and_then(Value::as_u64)
        && n != 1
    {
        bail!(
            "{}: {n} channels; ntn channel reads single-channel recordings",
            meta_path.display()
        );
    }
    let centre_frequency = meta
        .get("captures")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("core:frequency"))
        .and_then(Value::as_f64);
    let bytes = std::fs::metadata(data)
        .with_context(|| format!("cannot open the samples {}", data.display()))?
        .len();
    if bytes % 8 != 0 {
        bail!(
            "{}: {bytes} bytes is not a whole number of cf32_le samples (8 bytes each)",
            data.display()
        );
    }
    Ok(InputMeta {
        meta,
        sample_rate,
        centre_frequency,
        samples: bytes / 8,
    })
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
    Ok(BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
    ))
}

/// Read up to `buf.len()` samples; returns how many.
fn read_block(r: &mut impl Read, bytes: &mut [u8], buf: &mut [Complex32]) -> Result<usize> {
    let want = buf.len() * 8;
    let mut got = 0;
    while got < want {
        let n = r.read(&mut bytes[got..want])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let n = got / 8;
    for (x, b) in buf.iter_mut().zip(bytes[..n * 8].chunks_exact(8)) {
        let re = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let im = f32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        *x = Complex32::new(re, im);
    }
    Ok(n)
}

fn mean_power(path: &Path, block: usize) -> Result<f64> {
    let mut r = open(path)?;
    let mut bytes = vec![0u8; block * 8];
    let mut buf = vec![Complex32::new(0.0, 0.0); block];
    let (mut sum, mut count) = (0.0f64, 0u64);
    loop {
        let n = read_block(&mut r, &mut bytes, &mut buf)?;
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

pub fn run(a: ChannelArgs) -> Result<()> {
    if a.block == 0 {
        bail!("--block must be at least 1");
    }
    let in_data = data_path(&a.input)?;
    let out_data = data_path(&a.out)?;
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
    let mut r = open(&in_data)?;
    let mut w = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&out_data)
            .with_context(|| format!("cannot create {}", out_data.display()))?,
    );
    let mut bytes = vec![0u8; a.block * 8];
    let mut x = vec![Complex32::new(0.0, 0.0); a.block];
    let mut y = vec![Complex32::new(0.0, 0.0); a.block];
    let mut t = 0u64;
    loop {
        let n = read_block(&mut r, &mut bytes, &mut x)?;
        if n == 0 {
            break;
        }
        channel
            .process(t, &x[..n], &mut y[..n])
            .with_context(|| format!("at sample {t}"))?;
        for (b, s) in bytes.chunks_exact_mut(8).zip(&y[..n]) {
            b[..4].copy_from_slice(&s.re.to_le_bytes());
            b[4..].copy_from_slice(&s.im.to_le_bytes());
        }
        w.write_all(&bytes[..n * 8])
            .with_context(|| format!("cannot write {}", out_data.display()))?;
        t += n as u64;
        bar.set_position(t);
    }
    w.flush()
        .with_context(|| format!("cannot write {}", out_data.display()))?;
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
    std::fs::write(&a.out, serde_json::to_string_pretty(&meta)? + "\n")
        .with_context(|| format!("cannot write {}", a.out.display()))?;
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
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("core:sample_rate"), "{e:#}");
        let e = run(ChannelArgs {
            input: dir.join("missing.sigmf-meta"),
            out: dir.join("o5.sigmf-meta"),
            scenario: None,
            block: 100,
            quiet: true,
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("missing.sigmf-meta"), "{e:#}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
