//! Partial results (one shard: a sample range × a row range), their exact merge, their
//! binary file form, and the statistics derived from a complete result.

use crate::accum::CellAccum;
use crate::config::CoverageConfig;
use crate::constellation::Constellation;
use crate::error::CoverageError;
use crate::grid::{Grid, GridSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::ops::Range;

/// What every shard of one run shares; shards merge only when their headers are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunHeader {
    /// Version of the partial-result layout.
    pub format_version: u32,
    /// The run's configuration.
    pub config: CoverageConfig,
    /// The grid.
    pub grid: GridSpec,
    /// Grid rows.
    pub rows: u32,
    /// Grid columns.
    pub cols: u32,
    /// Number of satellites.
    pub satellites: u32,
    /// [`Constellation::fingerprint`].
    pub constellation_fingerprint: u64,
    /// Sampling step, ns.
    pub step_ns: i64,
    /// Samples in the whole window.
    pub samples: u32,
}

/// Layout version written by this crate: 2 adds the SHA-256 of the header and payload at
/// the end of the file (version 1 files carry none and are refused).
pub const FORMAT_VERSION: u32 = 2;

impl RunHeader {
    /// The header of a run.
    pub fn new(
        constellation: &Constellation,
        grid: &Grid,
        config: &CoverageConfig,
    ) -> Result<Self, CoverageError> {
        let (step_ns, samples) = config.window.steps()?;
        Ok(RunHeader {
            format_version: FORMAT_VERSION,
            config: config.clone(),
            grid: *grid.spec(),
            rows: grid.rows(),
            cols: grid.cols(),
            satellites: constellation.len() as u32,
            constellation_fingerprint: constellation.fingerprint(),
            step_ns,
            samples,
        })
    }

    /// Check a header read from a file: its configuration is valid and its derived numbers
    /// (sampling step, sample count) follow from it.
    pub fn check(&self) -> Result<(), CoverageError> {
        self.config.validate()?;
        let (step_ns, samples) = self.config.window.steps()?;
        let grid = Grid::new(self.grid)?;
        if (step_ns, samples, grid.rows(), grid.cols())
            != (self.step_ns, self.samples, self.rows, self.cols)
        {
            return Err(CoverageError::Format(format!(
                "header: step {} ns × {} samples on a {}×{} grid does not follow from its window \
                 and grid (step {step_ns} ns × {samples} samples on {}×{})",
                self.step_ns,
                self.samples,
                self.rows,
                self.cols,
                grid.rows(),
                grid.cols()
            )));
        }
        Ok(())
    }

    /// The sampling step, seconds.
    pub fn step_s(&self) -> f64 {
        self.step_ns as f64 / 1e9
    }
}

/// The accumulated state of one shard: samples `samples` of the window × grid rows `rows`.
/// A complete result is a partial with all samples and all rows.
#[derive(Clone, Debug, PartialEq)]
pub struct CoveragePartial {
    /// The run's header.
    pub header: RunHeader,
    /// Sample indices covered.
    pub samples: Range<u32>,
    /// Grid rows covered.
    pub rows: Range<u32>,
    /// One accumulator per cell of `rows`, row-major.
    pub cells: Vec<CellAccum>,
    /// Visible-count histogram, `visible_bins` per cell.
    pub visible_hist: Vec<u32>,
    /// C/N histogram, `cn_bins` per cell (empty without a link budget).
    pub cn_hist: Vec<u32>,
    /// Covered cells per row at each sample, sample-major: `[sample][row]`.
    pub covered_cells_per_row: Vec<u32>,
    /// Satellites whose propagation failed, per sample.
    pub failed_per_sample: Vec<u32>,
    /// Catalog numbers of the satellites that failed at least once, sorted.
    pub failed_ids: Vec<u64>,
}

impl CoveragePartial {
    /// A partial with nothing recorded yet.
    pub fn empty(header: RunHeader, samples: Range<u32>, rows: Range<u32>) -> Self {
        let n_rows = rows.len();
        let n_samples = samples.len();
        CoveragePartial {
            header,
            samples,
            rows,
            cells: Vec::new(),
            visible_hist: Vec::new(),
            cn_hist: Vec::new(),
            covered_cells_per_row: Vec::with_capacity(n_rows * n_samples),
            failed_per_sample: Vec::with_capacity(n_samples),
            failed_ids: Vec::new(),
        }
    }

    /// True when the partial holds the whole window and the whole grid.
    pub fn is_complete(&self) -> bool {
        self.samples == (0..self.header.samples) && self.rows == (0..self.header.rows)
    }

    fn check_shape(&self) -> Result<(), CoverageError> {
        let h = &self.header;
        let cells = self.rows.len() * h.cols as usize;
        let ok = self.samples.end <= h.samples
            && self.rows.end <= h.rows
            && !self.samples.is_empty()
            && !self.rows.is_empty()
            && self.cells.len() == cells
            && self.visible_hist.len() == cells * h.config.visible_bins as usize
            && self.cn_hist.len() == cells * h.config.cn_bins_used()
            && self.covered_cells_per_row.len() == self.samples.len() * self.rows.len()
            && self.failed_per_sample.len() == self.samples.len();
        if ok {
            Ok(())
        } else {
            Err(CoverageError::Format(format!(
                "partial for samples {:?} × rows {:?} has inconsistent array sizes",
                self.samples, self.rows
            )))
        }
    }
}

/// Merge partial results into one. The partials must share one header and form a
/// rectangle: for every sample range present, the same row ranges, contiguous; the sample
/// ranges contiguous. The result equals (bit for bit) the partial a single run over the
/// rectangle produces, because every accumulator merges exactly.
pub fn merge(mut parts: Vec<CoveragePartial>) -> Result<CoveragePartial, CoverageError> {
    let Some(first) = parts.first() else {
        return Err(CoverageError::Merge("nothing to merge".into()));
    };
    let header = first.header.clone();
    for p in &parts {
        p.check_shape()?;
        if p.header != header {
            return Err(CoverageError::Merge(format!(
                "partial for samples {:?} × rows {:?} comes from a different run \
                 (configuration, grid or constellation differ)",
                p.samples, p.rows
            )));
        }
    }
    // Group by sample range, in time order; within a group, order by rows.
    let mut groups: BTreeMap<(u32, u32), Vec<CoveragePartial>> = BTreeMap::new();
    for p in parts.drain(..) {
        groups
            .entry((p.samples.start, p.samples.end))
            .or_default()
            .push(p);
    }
    let mut by_time = Vec::with_capacity(groups.len());
    for (_, mut tiles) in groups {
        tiles.sort_by_key(|p| p.rows.start);
        by_time.push(merge_rows(tiles)?);
    }
    let mut iter = by_time.into_iter();
    // `groups` was non-empty because `parts` was.
    let mut acc = iter
        .next()
        .ok_or_else(|| CoverageError::Merge("nothing to merge".into()))?;
    for next in iter {
        acc = merge_time(acc, next)?;
    }
    Ok(acc)
}

fn merge_rows(tiles: Vec<CoveragePartial>) -> Result<CoveragePartial, CoverageError> {
    let mut iter = tiles.into_iter();
    let mut acc = iter
        .next()
        .ok_or_else(|| CoverageError::Merge("empty tile group".into()))?;
    for t in iter {
        if t.rows.start != acc.rows.end {
            return Err(CoverageError::Merge(format!(
                "samples {:?}: rows {:?} do not follow rows {:?} (missing or overlapping tile)",
                acc.samples, t.rows, acc.rows
            )));
        }
        if t.failed_per_sample != acc.failed_per_sample {
            return Err(CoverageError::Merge(format!(
                "samples {:?}: tiles disagree on propagation failures",
                acc.samples
            )));
        }
        let (ra, rb) = (acc.rows.len(), t.rows.len());
        let mut covered =
            Vec::with_capacity(acc.covered_cells_per_row.len() + t.covered_cells_per_row.len());
        for s in 0..acc.samples.len() {
            covered.extend_from_slice(&acc.covered_cells_per_row[s * ra..(s + 1) * ra]);
            covered.extend_from_slice(&t.covered_cells_per_row[s * rb..(s + 1) * rb]);
        }
        acc.covered_cells_per_row = covered;
        acc.cells.extend(t.cells);
        acc.visible_hist.extend(t.visible_hist);
        acc.cn_hist.extend(t.cn_hist);
        acc.rows = acc.rows.start..t.rows.end;
    }
    Ok(acc)
}

fn merge_time(a: CoveragePartial, b: CoveragePartial) -> Result<CoveragePartial, CoverageError> {
    if b.samples.start != a.samples.end {
        return Err(CoverageError::Merge(format!(
            "samples {:?} do not follow samples {:?} (missing or overlapping time part)",
            b.samples, a.samples
        )));
    }
    if a.rows != b.rows {
        return Err(CoverageError::Merge(format!(
            "samples {:?} cover rows {:?} but samples {:?} cover rows {:?}",
            a.samples, a.rows, b.samples, b.rows
        )));
    }
    let add = |x: &[u32], y: &[u32]| x.iter().zip(y).map(|(p, q)| p + q).collect::<Vec<_>>();
    let mut failed_ids = a.failed_ids.clone();
    failed_ids.extend_from_slice(&b.failed_ids);
    failed_ids.sort_unstable();
    failed_ids.dedup();
    let mut covered = a.covered_cells_per_row;
    covered.extend(b.covered_cells_per_row);
    let mut failed = a.failed_per_sample;
    failed.extend(b.failed_per_sample);
    Ok(CoveragePartial {
        header: a.header,
        samples: a.samples.start..b.samples.end,
        rows: a.rows,
        cells: a
            .cells
            .iter()
            .zip(&b.cells)
            .map(|(x, y)| x.then(y))
            .collect(),
        visible_hist: add(&a.visible_hist, &b.visible_hist),
        cn_hist: add(&a.cn_hist, &b.cn_hist),
        covered_cells_per_row: covered,
        failed_per_sample: failed,
        failed_ids,
    })
}

// ---------------------------------------------------------------------------------------
// Binary form: "NTNCOVP2", u32 header length, header JSON, then the ranges and arrays,
// little-endian, each array preceded by its u64 length; last, the SHA-256 of every byte
// before it (magic included), so that a truncated or edited file is refused on merge.
// ---------------------------------------------------------------------------------------

const MAGIC: &[u8; 8] = b"NTNCOVP2";
/// The magic of every layout version: "NTNCOVP" and the version digit.
const MAGIC_STEM: &[u8; 7] = b"NTNCOVP";
/// Length of the trailing checksum, bytes.
const CHECKSUM_LEN: usize = 32;

fn sha256(bytes: &[u8]) -> [u8; CHECKSUM_LEN] {
    use sha2::{Digest, Sha256};
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

/// Write a partial result in its binary form.
pub fn write_partial(p: &CoveragePartial, w: &mut dyn Write) -> Result<(), CoverageError> {
    let header =
        serde_json::to_vec(&p.header).map_err(|e| CoverageError::Format(format!("header: {e}")))?;
    let mut buf = Vec::with_capacity(64 + header.len() + p.cells.len() * 64);
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&(header.len() as u32).to_le_bytes());
    buf.extend_from_slice(&header);
    for v in [p.samples.start, p.samples.end, p.rows.start, p.rows.end] {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    buf.extend_from_slice(&(p.cells.len() as u64).to_le_bytes());
    for c in &p.cells {
        buf.extend_from_slice(&c.covered.to_le_bytes());
        buf.push(c.seen_cover as u8);
        buf.extend_from_slice(&c.lead_gap.to_le_bytes());
        buf.extend_from_slice(&c.trail_gap.to_le_bytes());
        buf.extend_from_slice(&c.interior_gaps.to_le_bytes());
        buf.extend_from_slice(&c.interior_gap_samples.to_le_bytes());
        buf.extend_from_slice(&c.longest_interior_gap.to_le_bytes());
        buf.extend_from_slice(&c.visible_sum.to_le_bytes());
        buf.extend_from_slice(&c.elevation_sum_udeg.to_le_bytes());
        for f in [c.max_elevation_deg, c.max_abs_doppler_hz, c.max_delay_s] {
            buf.extend_from_slice(&f.to_bits().to_le_bytes());
        }
    }
    for arr in [
        &p.visible_hist,
        &p.cn_hist,
        &p.covered_cells_per_row,
        &p.failed_per_sample,
    ] {
        buf.extend_from_slice(&(arr.len() as u64).to_le_bytes());
        for v in arr.iter() {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
    buf.extend_from_slice(&(p.failed_ids.len() as u64).to_le_bytes());
    for v in &p.failed_ids {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    let checksum = sha256(&buf);
    buf.extend_from_slice(&checksum);
    w.write_all(&buf)?;
    Ok(())
}

/// Read a partial result written by [`write_partial`]; malformed input is an error, never
/// a panic.
pub fn read_partial(r: &mut dyn Read) -> Result<CoveragePartial, CoverageError> {
    let mut file = Vec::new();
    r.read_to_end(&mut file)?;
    if file.len() < MAGIC.len() || &file[..MAGIC_STEM.len()] != MAGIC_STEM {
        return Err(CoverageError::Format(
            "not an ntn coverage partial (bad magic)".into(),
        ));
    }
    if &file[..MAGIC.len()] != MAGIC {
        return Err(CoverageError::Format(format!(
            "layout version {} (this build reads version {FORMAT_VERSION}, which carries a \
             checksum): run the shard again with this build",
            String::from_utf8_lossy(&file[MAGIC_STEM.len()..MAGIC.len()])
        )));
    }
    let Some(body_len) = file.len().checked_sub(CHECKSUM_LEN) else {
        return Err(CoverageError::Format("truncated (no checksum)".into()));
    };
    let (bytes, stored) = file.split_at(body_len);
    if sha256(bytes)[..] != stored[..] {
        return Err(CoverageError::Format(
            "checksum mismatch: the file was truncated or modified after its shard run wrote it"
                .into(),
        ));
    }
    let mut cur = Cursor { bytes, at: 0 };
    cur.take(MAGIC.len())?;
    let hlen = cur.u32()? as usize;
    let header: RunHeader = serde_json::from_slice(cur.take(hlen)?)
        .map_err(|e| CoverageError::Format(format!("header: {e}")))?;
    if header.format_version != FORMAT_VERSION {
        return Err(CoverageError::Format(format!(
            "layout version {} (this build reads {FORMAT_VERSION})",
            header.format_version
        )));
    }
    header.check()?;
    let samples = cur.u32()?..cur.u32()?;
    let rows = cur.u32()?..cur.u32()?;
    let n = cur.len(61)?;
    let mut cells = Vec::with_capacity(n);
    for _ in 0..n {
        cells.push(CellAccum {
            covered: cur.u32()?,
            seen_cover: cur.take(1)?[0] != 0,
            lead_gap: cur.u32()?,
            trail_gap: cur.u32()?,
            interior_gaps: cur.u32()?,
            interior_gap_samples: cur.u64()?,
            longest_interior_gap: cur.u32()?,
            visible_sum: cur.u64()?,
            elevation_sum_udeg: cur.u64()? as i64,
            max_elevation_deg: f64::from_bits(cur.u64()?),
            max_abs_doppler_hz: f64::from_bits(cur.u64()?),
            max_delay_s: f64::from_bits(cur.u64()?),
        });
    }
    let mut arrays: [Vec<u32>; 4] = Default::default();
    for a in arrays.iter_mut() {
        let n = cur.len(4)?;
        *a = (0..n).map(|_| cur.u32()).collect::<Result<_, _>>()?;
    }
    let n = cur.len(8)?;
    let failed_ids = (0..n).map(|_| cur.u64()).collect::<Result<_, _>>()?;
    if cur.at != bytes.len() {
        return Err(CoverageError::Format("trailing bytes".into()));
    }
    let [
        visible_hist,
        cn_hist,
        covered_cells_per_row,
        failed_per_sample,
    ] = arrays;
    let p = CoveragePartial {
        header,
        samples,
        rows,
        cells,
        visible_hist,
        cn_hist,
        covered_cells_per_row,
        failed_per_sample,
        failed_ids,
    };
    p.check_shape()?;
    Ok(p)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CoverageError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| CoverageError::Format("truncated".into()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, CoverageError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, CoverageError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// An array length, checked against the bytes left (`elem` bytes per element).
    fn len(&mut self, elem: usize) -> Result<usize, CoverageError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.saturating_mul(elem as u64) > left {
            return Err(CoverageError::Format("array longer than the file".into()));
        }
        Ok(n as usize)
    }
}
