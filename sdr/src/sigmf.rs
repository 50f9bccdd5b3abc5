//! SigMF recordings (<https://sigmf.org>, core namespace v1.x): a `.sigmf-meta` JSON file
//! beside a `.sigmf-data` file of samples.
//!
//! Reads `cf32_le` (two little-endian `f32` per sample) and `ci16_le` (two little-endian
//! `i16`, scaled by 1/32768) single-channel recordings into [`Complex32`], and writes either
//! type. Raw headerless `cf32_le` files read with [`read_raw_cf32`] (the caller supplies the
//! rate). Every problem with the files is a [`SigmfError`]; nothing panics on bad input.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use num_complex::Complex32;
use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::atomic::{AtomicFile, OutputError};

/// Sample formats handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    /// Complex `f32` little-endian (8 bytes per sample).
    Cf32Le,
    /// Complex `i16` little-endian (4 bytes per sample), full scale ±32768.
    Ci16Le,
}

impl Datatype {
    /// The `core:datatype` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::Cf32Le => "cf32_le",
            Datatype::Ci16Le => "ci16_le",
        }
    }

    /// Bytes per complex sample.
    pub fn sample_bytes(self) -> usize {
        match self {
            Datatype::Cf32Le => 8,
            Datatype::Ci16Le => 4,
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "cf32_le" => Some(Datatype::Cf32Le),
            "ci16_le" => Some(Datatype::Ci16Le),
            _ => None,
        }
    }
}

/// Errors reading or writing a recording.
#[derive(Debug, Error)]
pub enum SigmfError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The metadata path does not end in `.sigmf-meta`.
    #[error("{0}: a SigMF metadata file name ends in .sigmf-meta")]
    NotMetaPath(PathBuf),
    /// The metadata is not valid JSON.
    #[error("{path}: not valid JSON ({reason})")]
    Json {
        /// The file.
        path: PathBuf,
        /// Parser message.
        reason: String,
    },
    /// A required metadata field is missing or has the wrong type.
    #[error("{path}: missing or invalid {field}")]
    MissingField {
        /// The file.
        path: PathBuf,
        /// The field (`global.core:datatype`, …).
        field: &'static str,
    },
    /// The datatype is not one this module reads.
    #[error("{path}: core:datatype {datatype:?} is not supported (cf32_le, ci16_le)")]
    UnsupportedDatatype {
        /// The file.
        path: PathBuf,
        /// The datatype given.
        datatype: String,
    },
    /// More than one channel.
    #[error("{path}: {channels} channels; only single-channel recordings are read")]
    MultiChannel {
        /// The file.
        path: PathBuf,
        /// `core:num_channels`.
        channels: u64,
    },
    /// The sample rate is not a positive finite number.
    #[error("{path}: sample rate {rate} is not a positive rate")]
    BadSampleRate {
        /// The file.
        path: PathBuf,
        /// The rate given.
        rate: f64,
    },
    /// An output could not be written (or would overwrite an input).
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The data file is not a whole number of samples.
    #[error("{path}: {bytes} bytes is not a whole number of {datatype} samples")]
    Truncated {
        /// The data file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The datatype.
        datatype: &'static str,
    },
}

/// The metadata this module uses (the rest of the JSON is kept in [`Recording::extra`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SigmfMeta {
    /// Sample format.
    pub datatype: Datatype,
    /// `core:sample_rate` (samples per second).
    pub sample_rate_hz: f64,
    /// `core:frequency` of the first capture (Hz), if given.
    pub centre_frequency_hz: Option<f64>,
    /// `core:description`, if given.
    pub description: Option<String>,
}

/// A recording in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// Metadata.
    pub meta: SigmfMeta,
    /// Samples (ci16 scaled to ±1).
    pub samples: Vec<Complex32>,
    /// The whole metadata JSON as read (empty object for raw files).
    pub extra: Value,
}

/// The `.sigmf-data` path beside a `.sigmf-meta` path.
///
/// # Errors
/// [`SigmfError::NotMetaPath`] if the name does not end in `.sigmf-meta`.
pub fn data_path(meta: &Path) -> Result<PathBuf, SigmfError> {
    let name = meta
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| SigmfError::NotMetaPath(meta.to_path_buf()))?;
    let stem = name
        .strip_suffix(".sigmf-meta")
        .ok_or_else(|| SigmfError::NotMetaPath(meta.to_path_buf()))?;
    Ok(meta.with_file_name(format!("{stem}.sigmf-data")))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SigmfError + '_ {
    move |source| SigmfError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Parses SigMF metadata text (`path` only names it in errors).
///
/// # Errors
/// [`SigmfError::Json`], [`SigmfError::MissingField`], [`SigmfError::UnsupportedDatatype`],
/// [`SigmfError::MultiChannel`], [`SigmfError::BadSampleRate`].
pub fn parse_meta(text: &str, path: &Path) -> Result<(SigmfMeta, Value), SigmfError> {
    let p = || path.to_path_buf();
    let json: Value = serde_json::from_str(text).map_err(|e| SigmfError::Json {
        path: p(),
        reason: e.to_string(),
    })?;
    let global = json
        .get("global")
        .and_then(Value::as_object)
        .ok_or(SigmfError::MissingField {
            path: p(),
            field: "global",
        })?;
    let dt =
        global
            .get("core:datatype")
            .and_then(Value::as_str)
            .ok_or(SigmfError::MissingField {
                path: p(),
                field: "global.core:datatype",
            })?;
    let datatype = Datatype::parse(dt).ok_or_else(|| SigmfError::UnsupportedDatatype {
        path: p(),
        datatype: dt.to_string(),
    })?;
    let rate = global
        .get("core:sample_rate")
        .and_then(Value::as_f64)
        .ok_or(SigmfError::MissingField {
            path: p(),
            field: "global.core:sample_rate",
        })?;
    if !(rate.is_finite() && rate > 0.0) {
        return Err(SigmfError::BadSampleRate { path: p(), rate });
    }
    if let Some(n) = global.get("core:num_channels").and_then(Value::as_u64)
        && n != 1
    {
        return Err(SigmfError::MultiChannel {
            path: p(),
            channels: n,
        });
    }
    let centre_frequency_hz = json
        .get("captures")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("core:frequency"))
        .and_then(Value::as_f64);
    let description = global
        .get("core:description")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((
        SigmfMeta {
            datatype,
            sample_rate_hz: rate,
            centre_frequency_hz,
            description,
        },
        json,
    ))
}

/// Decodes sample bytes of `datatype`.
///
/// # Errors
/// [`SigmfError::Truncated`] if `bytes` is not a whole number of samples.
pub fn decode_samples(
    bytes: &[u8],
    datatype: Datatype,
    path: &Path,
) -> Result<Vec<Complex32>, SigmfError> {
    let n = datatype.sample_bytes();
    if !bytes.len().is_multiple_of(n) {
        return Err(SigmfError::Truncated {
            path: path.to_path_buf(),
            bytes: bytes.len() as u64,
            datatype: datatype.as_str(),
        });
    }
    let mut out = vec![Complex32::default(); bytes.len() / n];
    decode_into(bytes, datatype, &mut out);
    Ok(out)
}

/// Decodes whole samples of `bytes` into `out` (as many as both hold).
fn decode_into(bytes: &[u8], datatype: Datatype, out: &mut [Complex32]) {
    match datatype {
        Datatype::Cf32Le => {
            for (x, b) in out.iter_mut().zip(bytes.chunks_exact(8)) {
                *x = Complex32::new(
                    f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                    f32::from_le_bytes([b[4], b[5], b[6], b[7]]),
                );
            }
        }
        Datatype::Ci16Le => {
            for (x, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *x = Complex32::new(
                    f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0,
                    f32::from(i16::from_le_bytes([b[2], b[3]])) / 32768.0,
                );
            }
        }
    }
}

/// Reads the samples of a data file block by block: memory is the caller's block plus one
/// byte buffer of the same number of samples, whatever the file's size.
#[derive(Debug)]
pub struct SampleReader {
    path: PathBuf,
    reader: BufReader<File>,
    datatype: Datatype,
    total: u64,
    read: u64,
    bytes: Vec<u8>,
}

impl SampleReader {
    /// Opens `path` as samples of `datatype`.
    ///
    /// # Errors
    /// [`SigmfError::Io`]; [`SigmfError::Truncated`] if the size is not a whole number of
    /// samples.
    pub fn open(path: &Path, datatype: Datatype) -> Result<Self, SigmfError> {
        let file = File::open(path).map_err(io(path))?;
        let bytes = file.metadata().map_err(io(path))?.len();
        let n = datatype.sample_bytes() as u64;
        if bytes % n != 0 {
            return Err(SigmfError::Truncated {
                path: path.to_path_buf(),
                bytes,
                datatype: datatype.as_str(),
            });
        }
        Ok(SampleReader {
            path: path.to_path_buf(),
            reader: BufReader::with_capacity(1 << 16, file),
            datatype,
            total: bytes / n,
            read: 0,
            bytes: Vec::new(),
        })
    }

    /// Samples in the file.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Samples read so far.
    pub fn position(&self) -> u64 {
        self.read
    }

    /// The data file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sample format.
    pub fn datatype(&self) -> Datatype {
        self.datatype
    }

    /// Fills `out` with the next samples; returns how many (fewer only at the end, 0 there).
    ///
    /// # Errors
    /// [`SigmfError::Io`]; [`SigmfError::Truncated`] if the file shrank while read.
    pub fn read(&mut self, out: &mut [Complex32]) -> Result<usize, SigmfError> {
        let left = self.total - self.read;
        let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let sb = self.datatype.sample_bytes();
        self.bytes.resize(want * sb, 0);
        let mut got = 0;
        while got < self.bytes.len() {
            let k = self
                .reader
                .read(&mut self.bytes[got..])
                .map_err(io(&self.path))?;
            if k == 0 {
                break;
            }
            got += k;
        }
        if got < self.bytes.len() {
            return Err(SigmfError::Truncated {
                path: self.path.clone(),
                bytes: self.read * sb as u64 + got as u64,
                datatype: self.datatype.as_str(),
            });
        }
        decode_into(&self.bytes, self.datatype, &mut out[..want]);
        self.read += want as u64;
        Ok(want)
    }
}

/// Opens a recording from its `.sigmf-meta` path for block reading: its metadata, the whole
/// metadata JSON, and a reader of the `.sigmf-data` beside it.
///
/// # Errors
/// Any [`SigmfError`].
pub fn open(meta_path: &Path) -> Result<(SigmfMeta, Value, SampleReader), SigmfError> {
    let data = data_path(meta_path)?;
    let text = std::fs::read_to_string(meta_path).map_err(io(meta_path))?;
    let (meta, extra) = parse_meta(&text, meta_path)?;
    let reader = SampleReader::open(&data, meta.datatype)?;
    Ok((meta, extra, reader))
}

/// Opens a raw headerless `cf32_le` file recorded at `sample_rate_hz` for block reading.
///
/// # Errors
/// [`SigmfError::Io`], [`SigmfError::Truncated`], [`SigmfError::BadSampleRate`].
pub fn open_raw_cf32(
    path: &Path,
    sample_rate_hz: f64,
) -> Result<(SigmfMeta, SampleReader), SigmfError> {
    if !(sample_rate_hz.is_finite() && sample_rate_hz > 0.0) {
        return Err(SigmfError::BadSampleRate {
            path: path.to_path_buf(),
            rate: sample_rate_hz,
        });
    }
    let meta = SigmfMeta {
        datatype: Datatype::Cf32Le,
        sample_rate_hz,
        centre_frequency_hz: None,
        description: None,
    };
    Ok((meta, SampleReader::open(path, Datatype::Cf32Le)?))
}

fn read_all(mut r: SampleReader) -> Result<Vec<Complex32>, SigmfError> {
    let n = usize::try_from(r.len()).map_err(|_| SigmfError::Io {
        path: r.path.clone(),
        source: std::io::Error::other("too many samples for this machine"),
    })?;
    let mut samples = vec![Complex32::default(); n];
    r.read(&mut samples)?;
    Ok(samples)
}

/// Encodes samples as `datatype` (ci16 saturates at full scale; NaN becomes 0).
pub fn encode_samples(samples: &[Complex32], datatype: Datatype) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * datatype.sample_bytes());
    encode_into(samples, datatype, &mut out);
    out
}

/// Appends the encoding of `samples` to `out`.
fn encode_into(samples: &[Complex32], datatype: Datatype, out: &mut Vec<u8>) {
    out.reserve(samples.len() * datatype.sample_bytes());
    for s in samples {
        match datatype {
            Datatype::Cf32Le => {
                out.extend_from_slice(&s.re.to_le_bytes());
                out.extend_from_slice(&s.im.to_le_bytes());
            }
            Datatype::Ci16Le => {
                // `as` from f32 saturates and maps NaN to 0
                let q = |v: f32| ((v * 32768.0).round() as i16).to_le_bytes();
                out.extend_from_slice(&q(s.re));
                out.extend_from_slice(&q(s.im));
            }
        }
    }
}

/// Reads a whole recording from its `.sigmf-meta` path (the data file beside it) into
/// memory; [`open`] reads it block by block instead.
///
/// # Errors
/// Any [`SigmfError`].
pub fn read(meta_path: &Path) -> Result<Recording, SigmfError> {
    let (meta, extra, reader) = open(meta_path)?;
    Ok(Recording {
        meta,
        samples: read_all(reader)?,
        extra,
    })
}

/// Reads a whole raw headerless `cf32_le` file recorded at `sample_rate_hz`.
///
/// # Errors
/// [`SigmfError::Io`], [`SigmfError::Truncated`], [`SigmfError::BadSampleRate`].
pub fn read_raw_cf32(path: &Path, sample_rate_hz: f64) -> Result<Recording, SigmfError> {
    let (meta, reader) = open_raw_cf32(path, sample_rate_hz)?;
    Ok(Recording {
        meta,
        samples: read_all(reader)?,
        extra: Value::Object(Map::new()),
    })
}

/// The metadata JSON for `meta`, with `extra_global` merged into `global` (e.g. `"ntn:…"`
/// keys).
pub fn meta_json(meta: &SigmfMeta, extra_global: &Map<String, Value>) -> Value {
    let mut global = Map::new();
    global.insert("core:datatype".into(), json!(meta.datatype.as_str()));
    global.insert("core:sample_rate".into(), json!(meta.sample_rate_hz));
    global.insert("core:version".into(), json!("1.0.0"));
    global.insert("core:num_channels".into(), json!(1));
    if let Some(d) = &meta.description {
        global.insert("core:description".into(), json!(d));
    }
    for (k, v) in extra_global {
        global.insert(k.clone(), v.clone());
    }
    let mut capture = Map::new();
    capture.insert("core:sample_start".into(), json!(0));
    if let Some(f) = meta.centre_frequency_hz {
        capture.insert("core:frequency".into(), json!(f));
    }
    json!({
        "global": global,
        "captures": [capture],
        "annotations": [],
    })
}

/// Writes a SigMF pair atomically, samples streamed in blocks: both files go to temporaries
/// beside their targets; [`finish`](Self::finish) renames the data file first and the
/// metadata last, so a complete-looking `.sigmf-meta` never sits beside a partial
/// `.sigmf-data`. Dropped unfinished, both temporaries are removed and the previous files
/// stay as they were.
#[derive(Debug)]
pub struct PairWriter {
    meta_path: PathBuf,
    meta: AtomicFile,
    data: AtomicFile,
    datatype: Datatype,
    bytes: Vec<u8>,
    samples: u64,
}

impl PairWriter {
    /// Starts a pair at `meta_path` (`.sigmf-meta`; the data goes beside it).
    ///
    /// # Errors
    /// [`SigmfError::NotMetaPath`], [`SigmfError::Output`].
    pub fn create(meta_path: &Path, datatype: Datatype) -> Result<Self, SigmfError> {
        let data = AtomicFile::create(&data_path(meta_path)?)?;
        let meta = AtomicFile::create(meta_path)?;
        Ok(PairWriter {
            meta_path: meta_path.to_path_buf(),
            meta,
            data,
            datatype,
            bytes: Vec::new(),
            samples: 0,
        })
    }

    /// Appends samples.
    ///
    /// # Errors
    /// [`SigmfError::Io`] naming the data file.
    pub fn write(&mut self, samples: &[Complex32]) -> Result<(), SigmfError> {
        self.bytes.clear();
        encode_into(samples, self.datatype, &mut self.bytes);
        self.data
            .write_all(&self.bytes)
            .map_err(|e| io(self.data.target())(e))?;
        self.samples += samples.len() as u64;
        Ok(())
    }

    /// Samples written so far.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// Writes the metadata `meta` and puts both files in place (data first, meta last);
    /// returns the (meta, data) paths.
    ///
    /// # Errors
    /// [`SigmfError::Json`], [`SigmfError::Output`].
    pub fn finish(self, meta: &Value) -> Result<(PathBuf, PathBuf), SigmfError> {
        let text = serde_json::to_string_pretty(meta).map_err(|e| SigmfError::Json {
            path: self.meta_path.clone(),
            reason: e.to_string(),
        })?;
        let data = self.data.prepare()?;
        let mut m = self.meta;
        m.write_all(text.as_bytes())
            .and_then(|()| m.write_all(b"\n"))
            .map_err(io(&self.meta_path))?;
        let meta = m.prepare()?;
        let data = data.commit()?;
        let meta = meta.commit()?;
        Ok((meta, data))
    }
}

/// Writes a recording: `meta_path` (`.sigmf-meta`) and the `.sigmf-data` beside it, both
/// atomically (see [`PairWriter`]).
///
/// # Errors
/// [`SigmfError::NotMetaPath`], [`SigmfError::Io`], [`SigmfError::Output`].
pub fn write(
    meta_path: &Path,
    meta: &SigmfMeta,
    extra_global: &Map<String, Value>,
    samples: &[Complex32],
) -> Result<(), SigmfError> {
    let mut w = PairWriter::create(meta_path, meta.datatype)?;
    for block in samples.chunks(1 << 16) {
        w.write(block)?;
    }
    w.finish(&meta_json(meta, extra_global))?;
    Ok(())
}

/// Fuzz entry point for the sample reader: `data` as a data file of every supported datatype
/// (bytes → samples, as [`read`] and [`read_raw_cf32`] do); must never panic. Driven by the
/// `sdr_samples` cargo-fuzz target and the stable corpus replay test.
pub fn fuzz_decode_samples(data: &[u8]) {
    let path = Path::new("fuzz.sigmf-data");
    for dt in [Datatype::Cf32Le, Datatype::Ci16Le] {
        if let Ok(s) = decode_samples(data, dt, path) {
            debug_assert_eq!(s.len() * dt.sample_bytes(), data.len());
        }
    }
}

/// Fuzz entry point for the metadata reader: `data` as `.sigmf-meta` text (lossy UTF-8, as
/// a corrupted file would arrive), then, if it parses, the metadata's datatype applied to the
/// same bytes; must never panic. Driven by the `sdr_meta` cargo-fuzz target and the stable
/// corpus replay test.
pub fn fuzz_parse_meta(data: &[u8]) {
    let path = Path::new("fuzz.sigmf-meta");
    let text = String::from_utf8_lossy(data);
    if let Ok((meta, _)) = parse_meta(&text, path) {
        let _ = data_path(path);
        let _ = decode_samples(data, meta.datatype, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ntn-sdr-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn roundtrip_cf32_and_ci16() {
        let samples: Vec<Complex32> = (0..100)
            .map(|i| {
                Complex32::new(
                    (i as f32 * 0.1).sin() * 0.5,
                    -(i as f32 * 0.07).cos() * 0.25,
                )
            })
            .collect();
        for dt in [Datatype::Cf32Le, Datatype::Ci16Le] {
            let path = tmp(&format!("rt_{}.sigmf-meta", dt.as_str()));
            let meta = SigmfMeta {
                datatype: dt,
                sample_rate_hz: 1.92e6,
                centre_frequency_hz: Some(2.185e9),
                description: Some("test".into()),
            };
            let mut extra = Map::new();
            extra.insert("ntn:cell_id".into(), json!(7));
            write(&path, &meta, &extra, &samples).unwrap();
            let r = read(&path).unwrap();
            assert_eq!(r.meta, meta);
            assert_eq!(r.extra["global"]["ntn:cell_id"], json!(7));
            let tol = if dt == Datatype::Cf32Le {
                0.0
            } else {
                1.0 / 32768.0
            };
            for (a, b) in r.samples.iter().zip(&samples) {
                assert!((a - b).norm() <= tol * 1.5, "{dt:?}");
            }
        }
        let raw = tmp("raw.bin");
        std::fs::write(&raw, encode_samples(&samples, Datatype::Cf32Le)).unwrap();
        assert_eq!(read_raw_cf32(&raw, 1.92e6).unwrap().samples, samples);
        assert!(matches!(
            read_raw_cf32(&raw, 0.0),
            Err(SigmfError::BadSampleRate { .. })
        ));
    }

    #[test]
    fn typed_errors_for_bad_metadata() {
        let p = Path::new("x.sigmf-meta");
        let e = |t: &str| parse_meta(t, p).unwrap_err();
        assert!(matches!(e("{"), SigmfError::Json { .. }));
        assert!(matches!(
            e("{}"),
            SigmfError::MissingField {
                field: "global",
                ..
            }
        ));
        assert!(matches!(
            e(r#"{"global":{"core:sample_rate":1}}"#),
            SigmfError::MissingField {
                field: "global.core:datatype",
                ..
            }
        ));
        assert!(matches!(
            e(r#"{"global":{"core:datatype":"cu8","core:sample_rate":1}}"#),
            SigmfError::UnsupportedDatatype { .. }
        ));
        assert!(matches!(
            e(r#"{"global":{"core:datatype":"cf32_le"}}"#),
            SigmfError::MissingField {
                field: "global.core:sample_rate",
                ..
            }
        ));
        assert!(matches!(
            e(r#"{"global":{"core:datatype":"cf32_le","core:sample_rate":-5}}"#),
            SigmfError::BadSampleRate { .. }
        ));
        assert!(matches!(
            e(
                r#"{"global":{"core:datatype":"cf32_le","core:sample_rate":5,"core:num_channels":2}}"#
            ),
            SigmfError::MultiChannel { channels: 2, .. }
        ));
        assert!(matches!(
            decode_samples(&[0u8; 7], Datatype::Cf32Le, p),
            Err(SigmfError::Truncated { bytes: 7, .. })
        ));
        assert!(matches!(
            data_path(Path::new("a.wav")),
            Err(SigmfError::NotMetaPath(_))
        ));
        assert!(matches!(
            read(Path::new("/nonexistent/q.sigmf-meta")),
            Err(SigmfError::Io { .. })
        ));
        // missing data file beside valid metadata
        let meta = tmp("nodata.sigmf-meta");
        std::fs::write(
            &meta,
            r#"{"global":{"core:datatype":"ci16_le","core:sample_rate":1920000}}"#,
        )
        .unwrap();
        assert!(matches!(read(&meta), Err(SigmfError::Io { .. })));
    }

    #[test]
    fn block_reader_holds_one_block_and_matches_the_whole_read() {
        let samples: Vec<Complex32> = (0..10_007)
            .map(|i| Complex32::new(i as f32, -(i as f32) * 0.5))
            .collect();
        for dt in [Datatype::Cf32Le, Datatype::Ci16Le] {
            let path = tmp(&format!("blocks_{}.sigmf-meta", dt.as_str()));
            let meta = SigmfMeta {
                datatype: dt,
                sample_rate_hz: 1.92e6,
                centre_frequency_hz: None,
                description: None,
            };
            let scaled: Vec<Complex32> = samples.iter().map(|s| s * (1.0 / 16384.0)).collect();
            write(&path, &meta, &Map::new(), &scaled).unwrap();
            let whole = read(&path).unwrap().samples;
            let (_, _, mut r) = open(&path).unwrap();
            assert_eq!(r.len(), 10_007);
            let mut block = vec![Complex32::default(); 1000];
            let mut streamed = Vec::new();
            loop {
                let n = r.read(&mut block).unwrap();
                // the reader's own buffer never grows beyond one block of bytes
                assert!(r.bytes.capacity() <= 1000 * dt.sample_bytes());
                if n == 0 {
                    break;
                }
                streamed.extend_from_slice(&block[..n]);
            }
            assert_eq!(streamed, whole);
            assert_eq!(r.position(), 10_007);
        }
    }

    #[test]
    fn an_unfinished_pair_leaves_the_previous_files() {
        let path = tmp("pair.sigmf-meta");
        let meta = SigmfMeta {
            datatype: Datatype::Cf32Le,
            sample_rate_hz: 1e6,
            centre_frequency_hz: None,
            description: None,
        };
        let old = vec![Complex32::new(0.5, 0.25); 10];
        write(&path, &meta, &Map::new(), &old).unwrap();
        let before_meta = std::fs::read(&path).unwrap();
        let before_data = std::fs::read(data_path(&path).unwrap()).unwrap();
        let mut w = PairWriter::create(&path, Datatype::Cf32Le).unwrap();
        w.write(&[Complex32::new(1.0, 1.0); 100]).unwrap();
        drop(w);
        assert_eq!(std::fs::read(&path).unwrap(), before_meta);
        assert_eq!(
            std::fs::read(data_path(&path).unwrap()).unwrap(),
            before_data
        );
        let dir = path.parent().unwrap();
        let tmps = std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("pair.sigmf")
                    && e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .contains("ntn-tmp")
            })
            .count();
        assert_eq!(tmps, 0);
    }
}
