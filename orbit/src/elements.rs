//! Element sets in: TLE (2- and 3-line, whole catalog files) and OMM (CelesTrak JSON and CSV).
//!
//! Every malformed input returns an [`ElementsError`] that names the line (and, for TLEs, the
//! field and columns) and why it was rejected; nothing here panics on any input. Parsed
//! element sets are `sgp4::Elements`, the type the propagator takes.

use chrono::NaiveDateTime;
use serde::Deserialize;
use std::fmt;

/// Why an element set was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ElementsError {
    /// A TLE line is malformed.
    #[error("{source_line}TLE line {tle_line}: {field} (columns {first_col}-{last_col}): {reason}")]
    TleField {
        /// " line N of the input: " prefix for catalogs (empty for a single element set).
        source_line: SourceLine,
        /// 1 or 2.
        tle_line: u8,
        /// Field name as in the TLE format description.
        field: &'static str,
        /// First column (1-based) of the field.
        first_col: usize,
        /// Last column (1-based) of the field.
        last_col: usize,
        /// What is wrong.
        reason: String,
    },
    /// The structure of a TLE or catalog is wrong (missing lines, wrong order).
    #[error("{source_line}{reason}")]
    TleStructure {
        /// Where in the input.
        source_line: SourceLine,
        /// What is wrong.
        reason: String,
    },
    /// An OMM record is malformed.
    #[error("OMM {record}: {field}: {reason}")]
    Omm {
        /// Which record ("record 3", "CSV row 5").
        record: String,
        /// The OMM keyword or CSV column.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The input holds no element set.
    #[error("no element sets found in the input")]
    Empty,
}

/// A position in a multi-line input, for error messages; prints "line N: " or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceLine(pub Option<usize>);

impl fmt::Display for SourceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "line {n}: "),
            None => Ok(()),
        }
    }
}

/// One field of a TLE line: name and 1-based inclusive columns.
struct Field(&'static str, usize, usize);

const L1_SATNUM: Field = Field("satellite catalog number", 3, 7);
const L1_CLASS: Field = Field("classification", 8, 8);
const L1_INTL: Field = Field("international designator", 10, 17);
const L1_EPOCH_YEAR: Field = Field("epoch year", 19, 20);
const L1_EPOCH_DAY: Field = Field("epoch day of year", 21, 32);
const L1_NDOT: Field = Field("first derivative of mean motion", 34, 43);
const L1_NDDOT: Field = Field("second derivative of mean motion", 45, 52);
const L1_BSTAR: Field = Field("B* drag term", 54, 61);
const L1_EPHTYPE: Field = Field("ephemeris type", 63, 63);
const L1_ELSET: Field = Field("element set number", 65, 68);
const L2_SATNUM: Field = Field("satellite catalog number", 3, 7);
const L2_INCL: Field = Field("inclination", 9, 16);
const L2_RAAN: Field = Field("right ascension of the ascending node", 18, 25);
const L2_ECC: Field = Field("eccentricity", 27, 33);
const L2_ARGP: Field = Field("argument of perigee", 35, 42);
const L2_MA: Field = Field("mean anomaly", 44, 51);
const L2_MM: Field = Field("mean motion", 53, 63);
const L2_REVS: Field = Field("revolution number at epoch", 64, 68);
const CHECKSUM: Field = Field("checksum", 69, 69);

struct LineCtx<'a> {
    text: &'a str,
    tle_line: u8,
    source_line: SourceLine,
}

impl LineCtx<'_> {
    fn err(&self, f: &Field, reason: impl Into<String>) -> ElementsError {
        ElementsError::TleField {
            source_line: self.source_line,
            tle_line: self.tle_line,
            field: f.0,
            first_col: f.1,
            last_col: f.2,
            reason: reason.into(),
        }
    }

    fn raw(&self, f: &Field) -> &str {
        // Lines were checked to be ASCII and ≥ 69 columns before any field is read.
        self.text.get(f.1 - 1..f.2).unwrap_or("")
    }

    fn trimmed(&self, f: &Field) -> &str {
        self.raw(f).trim()
    }

    fn float(&self, f: &Field, min: f64, max: f64) -> Result<f64, ElementsError> {
        let s = self.trimmed(f);
        let v: f64 = s
            .parse()
            .map_err(|_| self.err(f, format!("{s:?} is not a decimal number")))?;
        if !v.is_finite() || v < min || v > max {
            return Err(self.err(f, format!("{v} is outside [{min}, {max}]")));
        }
        Ok(v)
    }

    fn uint(&self, f: &Field, allow_blank: bool) -> Result<u64, ElementsError> {
        let s = self.trimmed(f);
        if s.is_empty() && allow_blank {
            return Ok(0);
        }
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(f, format!("{s:?} is not an unsigned integer")));
        }
        s.parse()
            .map_err(|_| self.err(f, format!("{s:?} is too large")))
    }

    /// The TLE "assumed decimal point" exponent form: ±NNNNN±E meaning ±0.NNNNN·10^±E.
    fn exp_float(&self, f: &Field) -> Result<f64, ElementsError> {
        let s = self.trimmed(f);
        if s.is_empty() {
            return Ok(0.0);
        }
        let bad = || {
            self.err(
                f,
                format!("{s:?} is not in the TLE exponent form ±NNNNN±E (e.g. 12345-3)"),
            )
        };
        let (sign, body) = match s.as_bytes()[0] {
            b'-' => (-1.0, &s[1..]),
            b'+' => (1.0, &s[1..]),
            _ => (1.0, s),
        };
        let split = body.rfind(['-', '+']).ok_or_else(bad)?;
        let (mant, exp) = body.split_at(split);
        if mant.is_empty()
            || !mant.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || exp.len() != 2
            || !exp.as_bytes()[1].is_ascii_digit()
        {
            return Err(bad());
        }
        let mant = mant.trim_start_matches('.');
        let m: f64 = format!("0.{mant}").parse().map_err(|_| bad())?;
        let e: i32 = exp.parse().map_err(|_| bad())?;
        Ok(sign * m * 10f64.powi(e))
    }
}

/// The TLE checksum of a line's first 68 columns: digits count their value, '-' counts 1.
pub fn tle_checksum(line: &str) -> u32 {
    line.bytes()
        .take(68)
        .map(|b| match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'-' => 1,
            _ => 0,
        })
        .sum::<u32>()
        % 10
}

fn check_line<'a>(
    text: &'a str,
    tle_line: u8,
    source_line: SourceLine,
    checksum: Checksum,
) -> Result<LineCtx<'a>, ElementsError> {
    let text = text.trim_end();
    let ctx = LineCtx {
        text,
        tle_line,
        source_line,
    };
    let structure = |reason: String| ElementsError::TleStructure {
        source_line,
        reason: format!("TLE line {tle_line}: {reason}"),
    };
    if !text.is_ascii() {
        return Err(structure("contains non-ASCII characters".into()));
    }
    if text.len() != 69 {
        return Err(structure(format!(
            "has {} columns, a TLE line has 69",
            text.len()
        )));
    }
    let first = text.as_bytes()[0];
    if first != b'0' + tle_line || text.as_bytes()[1] != b' ' {
        return Err(structure(format!(
            "must start with \"{tle_line} \", found {:?}",
            &text[..2]
        )));
    }
    let want = tle_checksum(text);
    let got = ctx.raw(&CHECKSUM);
    if checksum == Checksum::Verify && got != want.to_string() {
        return Err(ctx.err(
            &CHECKSUM,
            format!("found {got:?}, the line's checksum is {want}"),
        ));
    }
    Ok(ctx)
}

fn parse_satnum(ctx: &LineCtx<'_>, f: &Field) -> Result<u64, ElementsError> {
    let s = ctx.trimmed(f);
    // Alpha-5: a leading letter (I and O excluded) stands for 10..33 ten-thousands.
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_uppercase() && c != 'I' && c != 'O' => {
            let rest = chars.as_str();
            if rest.len() != 4 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ctx.err(f, format!("{s:?} is not a catalog number")));
            }
            let mut hi = c as u64 - 'A' as u64 + 10;
            if c > 'I' {
                hi -= 1;
            }
            if c > 'O' {
                hi -= 1;
            }
            Ok(hi * 10_000 + rest.parse::<u64>().unwrap_or(0))
        }
        _ => ctx.uint(f, false),
    }
}

/// Parse one TLE (an optional name line, then lines 1 and 2) with field-level checks.
///
/// `first_source_line` is the 1-based line number of line 1 in its file, for messages.
pub fn parse_tle(
    name: Option<&str>,
    line1: &str,
    line2: &str,
    first_source_line: Option<usize>,
) -> Result<sgp4::Elements, ElementsError> {
    parse_tle_with(name, line1, line2, first_source_line, Checksum::Verify)
}

/// Whether to verify the TLE line checksums.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Checksum {
    /// Reject a line whose column 69 does not match (the default).
    #[default]
    Verify,
    /// Accept any column 69 (hand-edited element sets, e.g. SGP4 error-path test cases).
    Ignore,
}

/// [`parse_tle`] with a checksum policy.
pub fn parse_tle_with(
    name: Option<&str>,
    line1: &str,
    line2: &str,
    first_source_line: Option<usize>,
    checksum: Checksum,
) -> Result<sgp4::Elements, ElementsError> {
    let l1 = check_line(line1, 1, SourceLine(first_source_line), checksum)?;
    let l2 = check_line(
        line2,
        2,
        SourceLine(first_source_line.map(|n| n + 1)),
        checksum,
    )?;

    let satnum1 = parse_satnum(&l1, &L1_SATNUM)?;
    let satnum2 = parse_satnum(&l2, &L2_SATNUM)?;
    if satnum1 != satnum2 {
        return Err(l2.err(
            &L2_SATNUM,
            format!("{satnum2} differs from line 1's {satnum1}"),
        ));
    }
    let class = l1.raw(&L1_CLASS);
    if !matches!(class, "U" | "C" | "S" | " ") {
        return Err(l1.err(&L1_CLASS, format!("{class:?} is not U, C or S")));
    }
    let year = l1.uint(&L1_EPOCH_YEAR, false)?;
    let day = l1.float(&L1_EPOCH_DAY, 1.0, 367.0)?;
    let full_year = if year < 57 { 2000 + year } else { 1900 + year } as i32;
    let leap = (full_year % 4 == 0 && full_year % 100 != 0) || full_year % 400 == 0;
    if day >= if leap { 367.0 } else { 366.0 } {
        return Err(l1.err(
            &L1_EPOCH_DAY,
            format!("{day} is past the end of {full_year}"),
        ));
    }
    let ndot = l1.float(&L1_NDOT, -1.0, 1.0)?;
    let nddot = l1.exp_float(&L1_NDDOT)?;
    let bstar = l1.exp_float(&L1_BSTAR)?;
    let ephtype = l1.uint(&L1_EPHTYPE, true)?;
    let elset = l1.uint(&L1_ELSET, true)?;

    let incl = l2.float(&L2_INCL, 0.0, 180.0)?;
    let raan = l2.float(&L2_RAAN, 0.0, 360.0)?;
    let ecc_raw = l2.raw(&L2_ECC);
    if !ecc_raw.bytes().all(|b| b.is_ascii_digit() || b == b' ') || ecc_raw.trim().is_empty() {
        return Err(l2.err(
            &L2_ECC,
            format!("{ecc_raw:?} is not 7 digits with an assumed leading decimal point"),
        ));
    }
    let ecc: f64 = format!("0.{}", ecc_raw.trim()).parse().unwrap_or(f64::NAN);
    if !(0.0..1.0).contains(&ecc) {
        return Err(l2.err(&L2_ECC, format!("{ecc} is not in [0, 1)")));
    }
    let argp = l2.float(&L2_ARGP, 0.0, 360.0)?;
    let ma = l2.float(&L2_MA, 0.0, 360.0)?;
    let mm = l2.float(&L2_MM, 0.0, 20.0)?;
    if mm <= 0.0 {
        return Err(l2.err(&L2_MM, "must be positive (revolutions per day)"));
    }
    let revs = l2.uint(&L2_REVS, true)?;

    let whole_day = day.floor();
    let date = chrono::NaiveDate::from_yo_opt(full_year, whole_day as u32)
        .ok_or_else(|| l1.err(&L1_EPOCH_DAY, format!("{day} is not a day of {full_year}")))?;
    let ns = ((day - whole_day) * 86_400e9).round() as i64;
    let datetime = date
        .and_hms_opt(0, 0, 0)
        .and_then(|d| d.checked_add_signed(chrono::Duration::nanoseconds(ns)))
        .ok_or_else(|| l1.err(&L1_EPOCH_DAY, format!("{day} gives no valid time")))?;

    // "98067A" → "1998-067A", as OMM's OBJECT_ID writes it.
    let intl_raw = l1.trimmed(&L1_INTL);
    let intl = match (intl_raw.get(..2), intl_raw.get(2..5), intl_raw.get(5..)) {
        (Some(yy), Some(launch), Some(piece)) if yy.bytes().all(|b| b.is_ascii_digit()) => {
            let century = if yy < "57" { "20" } else { "19" };
            format!("{century}{yy}-{launch}{piece}")
        }
        _ => intl_raw.to_owned(),
    };
    Ok(sgp4::Elements {
        object_name: name.map(|n| n.trim().trim_start_matches("0 ").trim().to_owned()),
        international_designator: (!intl.is_empty()).then_some(intl),
        norad_id: satnum1,
        classification: match class {
            "C" => sgp4::Classification::Classified,
            "S" => sgp4::Classification::Secret,
            _ => sgp4::Classification::Unclassified,
        },
        datetime,
        mean_motion_dot: ndot,
        mean_motion_ddot: nddot,
        drag_term: bstar,
        element_set_number: elset,
        inclination: incl,
        right_ascension: raan,
        eccentricity: ecc,
        argument_of_perigee: argp,
        mean_anomaly: ma,
        mean_motion: mm,
        revolution_number: revs,
        ephemeris_type: ephtype.min(9) as u8,
    })
}

/// Parse a TLE catalog: any mix of 2-line and 3-line (name line first) element sets, blank
/// lines allowed. The first malformed set stops the parse with an error naming its line.
pub fn parse_tle_catalog(text: &str) -> Result<Vec<sgp4::Elements>, ElementsError> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (n, l) = lines[i];
        let (name, l1_idx) = if l.starts_with("1 ") && l.trim_end().len() == 69 {
            (None, i)
        } else if l.starts_with("2 ") && l.trim_end().len() == 69 {
            return Err(ElementsError::TleStructure {
                source_line: SourceLine(Some(n)),
                reason: "TLE line 2 without a line 1 before it".into(),
            });
        } else {
            (Some(l), i + 1)
        };
        let Some(&(n1, l1)) = lines.get(l1_idx) else {
            return Err(ElementsError::TleStructure {
                source_line: SourceLine(Some(n)),
                reason: "element set is cut short: line 1 and line 2 are missing".into(),
            });
        };
        let Some(&(_, l2)) = lines.get(l1_idx + 1) else {
            return Err(ElementsError::TleStructure {
                source_line: SourceLine(Some(n1)),
                reason: "element set is cut short: line 2 is missing".into(),
            });
        };
        out.push(parse_tle(name, l1, l2, Some(n1))?);
        i = l1_idx + 2;
    }
    if out.is_empty() {
        return Err(ElementsError::Empty);
    }
    Ok(out)
}

/// Parse OMM in CelesTrak's JSON form: one object or an array of objects.
pub fn parse_omm_json(text: &str) -> Result<Vec<sgp4::Elements>, ElementsError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ElementsError::Omm {
        record: "document".into(),
        field: format!("JSON syntax at line {} column {}", e.line(), e.column()),
        reason: e.to_string(),
    })?;
    let records = match value {
        serde_json::Value::Array(a) => a,
        v @ serde_json::Value::Object(_) => vec![v],
        _ => {
            return Err(ElementsError::Omm {
                record: "document".into(),
                field: "top level".into(),
                reason: "expected an OMM object or an array of them".into(),
            });
        }
    };
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.into_iter().enumerate() {
        let record = format!("record {}", i + 1);
        let el = sgp4::Elements::deserialize(&r).map_err(|e| {
            let msg = e.to_string();
            let (field, reason) = diagnose_omm(&r).unwrap_or_else(|| (omm_field_of(&msg), msg));
            ElementsError::Omm {
                record: record.clone(),
                field,
                reason,
            }
        })?;
        validate_omm(&el, &record)?;
        out.push(el);
    }
    if out.is_empty() {
        return Err(ElementsError::Empty);
    }
    Ok(out)
}

/// Find the OMM keyword at fault in a record that failed to deserialise.
fn diagnose_omm(r: &serde_json::Value) -> Option<(String, String)> {
    let obj = r.as_object()?;
    const NUMBERS: [&str; 9] = [
        "MEAN_MOTION",
        "ECCENTRICITY",
        "INCLINATION",
        "RA_OF_ASC_NODE",
        "ARG_OF_PERICENTER",
        "MEAN_ANOMALY",
        "BSTAR",
        "MEAN_MOTION_DOT",
        "MEAN_MOTION_DDOT",
    ];
    for key in NUMBERS.iter().chain(&["EPOCH", "NORAD_CAT_ID"]) {
        match obj.get(*key) {
            None => return Some(((*key).into(), "missing field".into())),
            Some(v) if NUMBERS.contains(key) => {
                let ok =
                    v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<f64>().is_ok());
                if !ok {
                    return Some(((*key).into(), format!("{v} is not a number")));
                }
            }
            Some(_) => {}
        }
    }
    let epoch = obj.get("EPOCH")?;
    let text = epoch.as_str().unwrap_or_default();
    if NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_err() {
        return Some((
            "EPOCH".into(),
            format!("{epoch} is not YYYY-MM-DDTHH:MM:SS.ffffff"),
        ));
    }
    None
}

fn omm_field_of(msg: &str) -> String {
    msg.split('`')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_else(|| "value".into())
}

fn validate_omm(el: &sgp4::Elements, record: &str) -> Result<(), ElementsError> {
    let bad = |field: &str, reason: String| ElementsError::Omm {
        record: record.to_owned(),
        field: field.to_owned(),
        reason,
    };
    let range = |field: &str, v: f64, min: f64, max: f64| {
        if v.is_finite() && v >= min && v <= max {
            Ok(())
        } else {
            Err(bad(field, format!("{v} is outside [{min}, {max}]")))
        }
    };
    range("INCLINATION", el.inclination, 0.0, 180.0)?;
    range("RA_OF_ASC_NODE", el.right_ascension, 0.0, 360.0)?;
    range("ARG_OF_PERICENTER", el.argument_of_perigee, 0.0, 360.0)?;
    range("MEAN_ANOMALY", el.mean_anomaly, 0.0, 360.0)?;
    range("BSTAR", el.drag_term, -1.0, 1.0)?;
    range("MEAN_MOTION_DOT", el.mean_motion_dot, -1.0, 1.0)?;
    if !(el.eccentricity.is_finite() && (0.0..1.0).contains(&el.eccentricity)) {
        return Err(bad(
            "ECCENTRICITY",
            format!("{} is not in [0, 1)", el.eccentricity),
        ));
    }
    if !(el.mean_motion.is_finite() && el.mean_motion > 0.0 && el.mean_motion < 20.0) {
        return Err(bad(
            "MEAN_MOTION",
            format!("{} rev/day is not in (0, 20)", el.mean_motion),
        ));
    }
    Ok(())
}

/// Parse OMM in CelesTrak's CSV form (header row with OMM keywords, one element set a row).
pub fn parse_omm_csv(text: &str) -> Result<Vec<sgp4::Elements>, ElementsError> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = rows.next() else {
        return Err(ElementsError::Empty);
    };
    let cols: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_uppercase())
        .collect();
    let col = |name: &str| cols.iter().position(|c| c == name);
    const REQUIRED: [&str; 9] = [
        "EPOCH",
        "MEAN_MOTION",
        "ECCENTRICITY",
        "INCLINATION",
        "RA_OF_ASC_NODE",
        "ARG_OF_PERICENTER",
        "MEAN_ANOMALY",
        "NORAD_CAT_ID",
        "BSTAR",
    ];
    for r in REQUIRED {
        if col(r).is_none() {
            return Err(ElementsError::Omm {
                record: "CSV header (line 1)".into(),
                field: r.into(),
                reason: "required column is missing".into(),
            });
        }
    }
    let mut out = Vec::new();
    for (line_no, line) in rows {
        let record = format!("CSV line {line_no}");
        let cells: Vec<&str> = line
            .split(',')
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if cells.len() != cols.len() {
            return Err(ElementsError::Omm {
                record,
                field: "row".into(),
                reason: format!("has {} cells, the header has {}", cells.len(), cols.len()),
            });
        }
        let get = |name: &str| col(name).and_then(|i| cells.get(i).copied()).unwrap_or("");
        let num = |name: &str, default: Option<f64>| -> Result<f64, ElementsError> {
            let s = get(name);
            if s.is_empty()
                && let Some(d) = default
            {
                return Ok(d);
            }
            s.parse::<f64>().map_err(|_| ElementsError::Omm {
                record: record.clone(),
                field: name.into(),
                reason: format!("{s:?} is not a number"),
            })
        };
        let epoch_s = get("EPOCH");
        let datetime =
            NaiveDateTime::parse_from_str(epoch_s, "%Y-%m-%dT%H:%M:%S%.f").map_err(|e| {
                ElementsError::Omm {
                    record: record.clone(),
                    field: "EPOCH".into(),
                    reason: format!("{epoch_s:?} is not YYYY-MM-DDTHH:MM:SS.ffffff ({e})"),
                }
            })?;
        let norad = get("NORAD_CAT_ID");
        let norad_id = norad.parse::<u64>().map_err(|_| ElementsError::Omm {
            record: record.clone(),
            field: "NORAD_CAT_ID".into(),
            reason: format!("{norad:?} is not an unsigned integer"),
        })?;
        let class = get("CLASSIFICATION_TYPE");
        let el = sgp4::Elements {
            object_name: Some(get("OBJECT_NAME").to_owned()).filter(|s| !s.is_empty()),
            international_designator: Some(get("OBJECT_ID").to_owned()).filter(|s| !s.is_empty()),
            norad_id,
            classification: match class {
                "C" => sgp4::Classification::Classified,
                "S" => sgp4::Classification::Secret,
                _ => sgp4::Classification::Unclassified,
            },
            datetime,
            mean_motion_dot: num("MEAN_MOTION_DOT", Some(0.0))?,
            mean_motion_ddot: num("MEAN_MOTION_DDOT", Some(0.0))?,
            drag_term: num("BSTAR", None)?,
            element_set_number: num("ELEMENT_SET_NO", Some(0.0))?.max(0.0) as u64,
            inclination: num("INCLINATION", None)?,
            right_ascension: num("RA_OF_ASC_NODE", None)?,
            eccentricity: num("ECCENTRICITY", None)?,
            argument_of_perigee: num("ARG_OF_PERICENTER", None)?,
            mean_anomaly: num("MEAN_ANOMALY", None)?,
            mean_motion: num("MEAN_MOTION", None)?,
            revolution_number: num("REV_AT_EPOCH", Some(0.0))?.max(0.0) as u64,
            ephemeris_type: num("EPHEMERIS_TYPE", Some(0.0))?.clamp(0.0, 9.0) as u8,
        };
        validate_omm(&el, &record)?;
        out.push(el);
    }
    if out.is_empty() {
        return Err(ElementsError::Empty);
    }
    Ok(out)
}

/// Parse a catalog in any supported format, recognised by its content: JSON (starts with
/// `[` or `{`), CSV (header line starting with an OMM keyword), or TLE.
pub fn parse_catalog(text: &str) -> Result<Vec<sgp4::Elements>, ElementsError> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('[') || head.starts_with('{') {
        parse_omm_json(head)
    } else if head
        .lines()
        .next()
        .is_some_and(|l| l.to_ascii_uppercase().contains("MEAN_MOTION") && l.contains(','))
    {
        parse_omm_csv(head)
    } else {
        parse_tle_catalog(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ISS (ZARYA) element set as printed in the sgp4 crate's documentation.
    const L1: &str = "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992";
    const L2: &str = "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008";

    #[test]
    fn parses_like_the_sgp4_crate() {
        let ours = parse_tle(Some("ISS (ZARYA)"), L1, L2, None).unwrap();
        let theirs =
            sgp4::Elements::from_tle(Some("ISS (ZARYA)".into()), L1.as_bytes(), L2.as_bytes())
                .unwrap();
        assert_eq!(ours.norad_id, theirs.norad_id);
        assert_eq!(ours.datetime, theirs.datetime);
        assert_eq!(ours.drag_term, theirs.drag_term);
        assert_eq!(ours.eccentricity, theirs.eccentricity);
        assert_eq!(ours.mean_motion, theirs.mean_motion);
        assert_eq!(ours.mean_motion_dot, theirs.mean_motion_dot);
        assert_eq!(
            ours.international_designator,
            theirs.international_designator
        );
        assert_eq!(ours.revolution_number, theirs.revolution_number);
    }

    #[test]
    fn checksum() {
        assert_eq!(tle_checksum(L1), 2);
        assert_eq!(tle_checksum(L2), 8);
    }

    #[test]
    fn catalog_mixed_forms() {
        let text = format!("ISS (ZARYA)\n{L1}\n{L2}\n\n{L1}\r\n{L2}\r\n");
        let c = parse_catalog(&text).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].object_name.as_deref(), Some("ISS (ZARYA)"));
        assert_eq!(c[1].object_name, None);
    }
}
