//! Output of the CLI: tables rendered as aligned text, CSV or JSON; files written atomically
//! (through [`ntn_sdr::atomic`]) after a check, before any work, that no output is an input;
//! resource budgets ([`Budget`], `--max-memory`); Ctrl-C ([`interruptible`],
//! [`check_interrupt`]).

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use ntn_sdr::atomic;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Output format of a table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    #[default]
    #[value(alias = "text")]
    Table,
    /// JSON: an object with the summary and an array of rows.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Options every table-printing command takes.
#[derive(Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The plot option of the commands that draw one (the others do not take `--plot`).
#[derive(Args, Clone, Debug, Default)]
pub struct PlotArgs {
    /// Also draw a plot to this file (.png or .svg).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
}

/// A column: header and unit (the unit goes in the text/CSV header and the JSON key).
#[derive(Clone, Debug)]
pub struct Column {
    pub name: &'static str,
    pub unit: &'static str,
}

/// A cell: a number with its printed precision, or text.
#[derive(Clone, Debug)]
pub enum Cell {
    Num(f64, usize),
    Int(i64),
    Text(String),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Num(v, p) => format!("{v:.p$}", p = *p),
            Cell::Int(v) => v.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Num(v, p) => {
                // Round to the printed precision so JSON and text agree.
                let k = 10f64.powi(*p as i32);
                serde_json::Number::from_f64((v * k).round() / k)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
            Cell::Int(v) => Value::from(*v),
            Cell::Text(s) => Value::from(s.clone()),
        }
    }
}

/// A table with a title and summary lines (key, value) printed above it.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub title: String,
    pub summary: Vec<(String, Value)>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[(&'static str, &'static str)]) -> Self {
        Table {
            title: title.into(),
            summary: Vec::new(),
            columns: columns
                .iter()
                .map(|&(name, unit)| Column { name, unit })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn summary(&mut self, key: &str, value: impl Into<Value>) {
        self.summary.push((key.to_owned(), value.into()));
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    fn key(c: &Column) -> String {
        if c.unit.is_empty() {
            c.name.to_owned()
        } else {
            format!("{}_{}", c.name, c.unit.replace('/', "_per_"))
        }
    }

    fn header(c: &Column) -> String {
        if c.unit.is_empty() {
            c.name.to_owned()
        } else {
            format!("{} [{}]", c.name, c.unit)
        }
    }

    /// Render in the chosen format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Table => self.render_text(),
            Format::Csv => self.render_csv(),
            Format::Json => self.render_json(),
        }
    }

    fn render_text(&self) -> String {
        let mut s = String::new();
        if !self.title.is_empty() {
            s.push_str(&format!("{}\n", self.title));
        }
        for (k, v) in &self.summary {
            let v = match v {
                Value::String(t) => t.clone(),
                other => other.to_string(),
            };
            s.push_str(&format!("  {k}: {v}\n"));
        }
        if self.columns.is_empty() {
            return s;
        }
        if !self.title.is_empty() || !self.summary.is_empty() {
            s.push('\n');
        }
        let headers: Vec<String> = self.columns.iter().map(Self::header).collect();
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        let widths: Vec<usize> = (0..headers.len())
            .map(|i| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([headers[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |items: &[String]| -> String {
            items
                .iter()
                .zip(&widths)
                .map(|(t, w)| format!("{t:>w$}", w = *w))
                .collect::<Vec<_>>()
                .join("  ")
        };
        s.push_str(&line(&headers));
        s.push('\n');
        for r in &cells {
            s.push_str(&line(r));
            s.push('\n');
        }
        s
    }

    fn render_csv(&self) -> String {
        let esc = |t: String| {
            if t.contains([',', '"', '\n']) {
                format!("\"{}\"", t.replace('"', "\"\""))
            } else {
                t
            }
        };
        let mut s = self
            .columns
            .iter()
            .map(|c| esc(Self::key(c)))
            .collect::<Vec<_>>()
            .join(",");
        s.push('\n');
        for r in &self.rows {
            s.push_str(
                &r.iter()
                    .map(|c| esc(c.text()))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            s.push('\n');
        }
        s
    }

    /// The JSON value (summary fields, then "rows").
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        if !self.title.is_empty() {
            o.insert("title".into(), Value::from(self.title.clone()));
        }
        for (k, v) in &self.summary {
            o.insert(k.clone(), v.clone());
        }
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut m = Map::new();
                for (c, cell) in self.columns.iter().zip(r) {
                    m.insert(Self::key(c), cell.json());
                }
                Value::Object(m)
            })
            .collect();
        if !self.columns.is_empty() {
            o.insert("rows".into(), Value::Array(rows));
        }
        Value::Object(o)
    }

    fn render_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Write `text` to `--out` (atomically) or standard output.
pub fn emit(args: &OutputArgs, text: &str) -> Result<()> {
    match &args.out {
        Some(path) => write_file(path, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

/// Writes a whole file atomically (temporary in the same directory, fsync, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    atomic::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Checks, before any work starts, that every output can be written and none of them is an
/// input (same path after resolving links, or same file).
pub fn check_outputs<'a>(
    outputs: impl IntoIterator<Item = &'a Path>,
    inputs: &[&Path],
) -> Result<()> {
    for o in outputs {
        atomic::check_output(o, inputs)?;
    }
    Ok(())
}

/// The `--max-memory` option of the commands whose memory grows with their inputs.
#[derive(Args, Clone, Copy, Debug)]
pub struct MemoryArgs {
    /// Refuse to start when the memory estimate exceeds this (e.g. 512MiB, 8GiB, 1e9).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_memory: u64,
}

impl Default for MemoryArgs {
    fn default() -> Self {
        MemoryArgs {
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// The default `--max-memory`: 4 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;

/// A byte count: a number (scientific notation allowed) with an optional suffix B, KB, MB,
/// GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 512MiB, 8GiB, 2e9)"))?;
    let mul = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        u => {
            return Err(format!(
                "{s:?}: unknown unit {u:?} (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            ));
        }
    };
    let bytes = v * mul;
    if !(1.0..1.8e19).contains(&bytes) {
        return Err(format!(
            "{s:?}: a size must be at least 1 byte and below 16 EiB"
        ));
    }
    Ok(bytes as u64)
}

/// A byte count for people: 1.5 GiB.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// One resource a command estimates before it starts, and its limit.
pub struct Budget<'a> {
    /// What is estimated: "memory", "trials", "search span".
    pub resource: &'a str,
    /// How the estimate was made, for the message ("1e12-sample blocks × 24 bytes").
    pub basis: String,
    /// The estimate.
    pub estimate: f64,
    /// The limit in force.
    pub limit: f64,
    /// How a value is printed.
    pub show: fn(f64) -> String,
    /// The flag that raises the limit.
    pub flag: &'a str,
}

impl Budget<'_> {
    /// A memory budget against `--max-memory`.
    pub fn memory(basis: String, bytes: f64, limit: &MemoryArgs) -> Budget<'static> {
        Budget {
            resource: "memory",
            basis,
            estimate: bytes,
            limit: limit.max_memory as f64,
            show: human_bytes,
            flag: "--max-memory",
        }
    }

    /// Refuses, with the estimate, the limit and the flag that raises it, when the estimate
    /// is above the limit (or not a number).
    pub fn check(&self) -> Result<()> {
        if self.estimate.is_finite() && self.estimate <= self.limit {
            return Ok(());
        }
        let show = self.show;
        bail!(
            "this run needs about {} of {} ({}), above the limit of {}: refusing to start; \
             raise the limit with {} {} if you mean it",
            show(self.estimate),
            self.resource,
            self.basis,
            show(self.limit),
            self.flag,
            if self.estimate.is_finite() {
                show(self.estimate * 1.1).replace(' ', "")
            } else {
                "(no finite limit fits)".into()
            }
        )
    }
}

/// The Ctrl-C flag, once a command has asked for it.
static INTERRUPT: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// A command that checks [`check_interrupt`] in its long loops calls this first: from then on
/// Ctrl-C (SIGINT) sets a flag instead of killing the process, so the command can stop,
/// remove its temporaries and say what it left; a second Ctrl-C exits at once (130).
pub fn interruptible() {
    INTERRUPT.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        // Registration only fails for a forbidden signal; SIGINT is not one. Failing to
        // install the handler leaves the default behaviour (the process is killed).
        let _ = signal_hook::flag::register_conditional_shutdown(
            signal_hook::consts::SIGINT,
            130,
            Arc::clone(&flag),
        );
        let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&flag));
        flag
    });
}

/// True once Ctrl-C was pressed (after [`interruptible`]).
pub fn interrupted() -> bool {
    INTERRUPT.get().is_some_and(|f| f.load(Ordering::Relaxed))
}

/// `Err(Interrupted)` once Ctrl-C was pressed: the long loops of the commands call it.
pub fn check_interrupt() -> Result<()> {
    if interrupted() {
        return Err(Interrupted.into());
    }
    Ok(())
}

/// The error of a command stopped by Ctrl-C (exit status 130).
#[derive(Debug, Clone, Copy)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted (Ctrl-C)")
    }
}

impl std::error::Error for Interrupted {}

/// For a command whose library loop cannot be stopped (the pass search, the end-to-end run):
/// called from its progress callback, it ends the process after Ctrl-C with the same report
/// and exit status as a stopped loop. Those commands write their outputs after the loop, so no
/// temporary file is open here and the previous files are still whole.
pub fn exit_if_interrupted() {
    if interrupted() {
        eprintln!("{}", interrupted_report());
        std::process::exit(130);
    }
}

/// What an interrupted command tells the user about its outputs.
pub fn interrupted_report() -> String {
    let j = atomic::journal();
    let mut s = String::from("interrupted (Ctrl-C): stopped; temporary files removed");
    if !j.pending.is_empty() || !j.abandoned.is_empty() {
        let names: Vec<String> = j
            .abandoned
            .iter()
            .chain(&j.pending)
            .map(|p| p.display().to_string())
            .collect();
        s.push_str(&format!(
            "\n  unchanged (the previous file, or none if there was none): {}",
            names.join(", ")
        ));
    }
    if j.committed.is_empty() {
        s.push_str("\n  no output was written");
    } else {
        let names: Vec<String> = j
            .committed
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        s.push_str(&format!(
            "\n  complete new files written before the interruption: {}",
            names.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_three_ways() {
        let mut t = Table::new("demo", &[("time", ""), ("doppler", "Hz")]);
        t.summary("satellite", "CBERS 2");
        t.push(vec![Cell::Text("a,b".into()), Cell::Num(1.234_56, 2)]);
        let text = t.render(Format::Table);
        assert!(text.contains("doppler [Hz]") && text.contains("1.23"));
        assert_eq!(t.render(Format::Csv), "time,doppler_Hz\n\"a,b\",1.23\n");
        let j: Value = serde_json::from_str(&t.render(Format::Json)).unwrap();
        assert_eq!(j["rows"][0]["doppler_Hz"], 1.23);
        assert_eq!(j["satellite"], "CBERS 2");
    }

    #[test]
    fn sizes_and_budgets() {
        assert_eq!(parse_size("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_size("1e9").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("512 MB").unwrap(), 512_000_000);
        for bad in ["", "x", "-1GiB", "0", "nan", "1e30", "3 parsecs"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
        let m = MemoryArgs::default();
        assert!(Budget::memory("x".into(), 1e6, &m).check().is_ok());
        let e = Budget::memory("1e12-sample blocks".into(), 2.4e13, &m)
            .check()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--max-memory") && e.contains("21.8 TiB") && e.contains("4.0 GiB"),
            "{e}"
        );
        assert!(Budget::memory("x".into(), f64::NAN, &m).check().is_err());
    }
}
