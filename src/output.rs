//! Output of the CLI: tables rendered as aligned text, CSV or JSON.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};
use std::io::Write;
use std::path::PathBuf;

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

/// Write `text` to `--out` or standard output.
pub fn emit(args: &OutputArgs, text: &str) -> Result<()> {
    match &args.out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
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
}
