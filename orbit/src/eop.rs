//! Earth orientation parameters (UT1 − UTC, polar motion, length of day) from IERS tables.
//!
//! The crate bundles a compact table extracted from the IERS Bulletin A file
//! `finals2000A.all` (the same data Skyfield and Astropy use): one row per day from
//! 2006-01-01 to the end of the IERS predictions in the file, made by
//! `vectors/gen/iers_eop.py` (its header names the source package, version and SHA-256).
//! IERS data are freely usable with the IERS acknowledged as their source.
//!
//! [`EopTable::at`] interpolates linearly between the daily rows (0h UTC). Across a leap
//! second UT1 − UTC jumps by one second; the interpolation takes the jump out so that the
//! value stays continuous in UT1 − TAI, and the new value holds from 0h UTC after the leap.
//! Outside the table the nearest row is used and [`EopValue::span`] says so: the caller
//! (the CLI) warns once. A newer table in the IERS's own `finals2000A` (or `finals.all`)
//! format loads with [`EopTable::parse`].

use crate::frames::EarthOrientation;
use crate::time::UtcTime;
use nom::Parser;
use nom::character::complete::{i64 as nom_i64, space0, space1};
use nom::combinator::all_consuming;
use nom::multi::separated_list1;
use nom::sequence::delimited;
use std::sync::OnceLock;
use thiserror::Error;

/// MJD of J2000.0 (2000-01-01T12:00:00).
const MJD_J2000: f64 = 51_544.5;
const ARCSEC_RAD: f64 = std::f64::consts::PI / (180.0 * 3600.0);
/// A day-to-day UT1 − UTC change above this is a leap second, not Earth rotation.
const LEAP_JUMP_S: f64 = 0.5;

/// The compact table bundled with the crate (see the module docs).
const BUNDLED: &str = include_str!("../data/eop_finals2000A.txt");

/// A malformed Earth orientation table.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum EopError {
    /// A field that is missing, not a number or out of its physical range.
    #[error("line {line}: {field} = {value:?}: {reason}")]
    Field {
        /// 1-based line number.
        line: usize,
        /// Which column.
        field: &'static str,
        /// The text found.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A line of the compact format that is not five integers.
    #[error("line {line}: expected five integers (MJD xp yp dut1 lod), found {text:?}")]
    Compact {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// Rows out of order or repeated.
    #[error("line {line}: MJD {mjd} does not follow MJD {previous}")]
    Order {
        /// 1-based line number.
        line: usize,
        /// This row's MJD.
        mjd: f64,
        /// The previous row's MJD.
        previous: f64,
    },
    /// Nothing usable in the text.
    #[error("no Earth orientation rows found")]
    Empty,
}

/// One daily row, at 0h UTC of `mjd`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EopRow {
    /// Modified Julian Date (UTC), whole days.
    pub mjd: f64,
    /// Polar motion x_p, arcseconds.
    pub xp_arcsec: f64,
    /// Polar motion y_p, arcseconds.
    pub yp_arcsec: f64,
    /// UT1 − UTC, seconds.
    pub dut1_s: f64,
    /// Excess length of day, seconds (0 where the source has none).
    pub lod_s: f64,
}

/// Where an instant falls relative to the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EopSpan {
    /// Inside the table: interpolated.
    Inside,
    /// Before the first row: the first row's values are used.
    Before,
    /// After the last row: the last row's values are used.
    After,
}

/// Earth orientation at an instant, and whether it came from inside the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EopValue {
    /// The parameters.
    pub eop: EarthOrientation,
    /// Inside the table, or clamped to its first/last row.
    pub span: EopSpan,
}

/// A daily Earth orientation table.
#[derive(Clone, Debug, PartialEq)]
pub struct EopTable {
    rows: Vec<EopRow>,
}

impl EopTable {
    /// The table bundled with the crate.
    pub fn bundled() -> Result<&'static EopTable, EopError> {
        static TABLE: OnceLock<Result<EopTable, EopError>> = OnceLock::new();
        TABLE
            .get_or_init(|| EopTable::parse(BUNDLED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// From rows sorted by strictly increasing MJD.
    pub fn from_rows(rows: Vec<EopRow>) -> Result<Self, EopError> {
        if rows.is_empty() {
            return Err(EopError::Empty);
        }
        for (i, w) in rows.windows(2).enumerate() {
            if w[1].mjd <= w[0].mjd {
                return Err(EopError::Order {
                    line: i + 2,
                    mjd: w[1].mjd,
                    previous: w[0].mjd,
                });
            }
        }
        Ok(EopTable { rows })
    }

    /// Parse either format: the compact bundled one (five integers a line, `#` comments) or
    /// the IERS fixed-column `finals2000A.all` / `finals.all` / `finals2000A.daily`.
    pub fn parse(text: &str) -> Result<Self, EopError> {
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.starts_with('#'));
        match first {
            None => Err(EopError::Empty),
            Some(l) if l.len() >= 68 => EopTable::parse_finals(text),
            Some(_) => EopTable::parse_compact(text),
        }
    }

    /// The compact format written by `vectors/gen/iers_eop.py`: per line
    /// `MJD xp[µas] yp[µas] dut1[0.1 µs] lod[0.1 µs]`, integers; `#` starts a comment line.
    pub fn parse_compact(text: &str) -> Result<Self, EopError> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed: nom::IResult<&str, Vec<i64>> =
                all_consuming(delimited(space0, separated_list1(space1, nom_i64), space0))
                    .parse(line);
            let bad = || EopError::Compact {
                line: i + 1,
                text: line.chars().take(80).collect(),
            };
            let v = match parsed {
                Ok((_, v)) if v.len() == 5 => v,
                _ => return Err(bad()),
            };
            let row = EopRow {
                mjd: v[0] as f64,
                xp_arcsec: v[1] as f64 * 1e-6,
                yp_arcsec: v[2] as f64 * 1e-6,
                dut1_s: v[3] as f64 * 1e-7,
                lod_s: v[4] as f64 * 1e-7,
            };
            check_row(&row, i + 1)?;
            rows.push(row);
        }
        EopTable::from_rows(rows)
    }

    /// The IERS fixed-column format (`finals2000A.all`, Bulletin A columns: MJD 8–15,
    /// x_p 19–27, y_p 38–46, UT1 − UTC 59–68, LOD 80–86). Rows without a UT1 − UTC value
    /// (the file's blank future days) end the table.
    pub fn parse_finals(text: &str) -> Result<Self, EopError> {
        let mut rows = Vec::new();
        let mut ended_at: Option<usize> = None;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let dut1 = column(line, n, 59, 68, "UT1-UTC (columns 59-68)")?;
            if dut1.is_empty() {
                ended_at.get_or_insert(n);
                continue;
            }
            if ended_at.is_some() {
                return Err(EopError::Field {
                    line: n,
                    field: "UT1-UTC (columns 59-68)",
                    value: dut1.to_owned(),
                    reason: "a value after a row without one (a gap in the table)",
                });
            }
            let num = |a, b, field| -> Result<f64, EopError> {
                let s = column(line, n, a, b, field)?;
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| EopError::Field {
                        line: n,
                        field,
                        value: s.to_owned(),
                        reason: "not a number",
                    })
            };
            let lod_text = column(line, n, 80, 86, "LOD (columns 80-86)")?;
            let row = EopRow {
                mjd: num(8, 15, "MJD (columns 8-15)")?,
                xp_arcsec: num(19, 27, "x_p (columns 19-27)")?,
                yp_arcsec: num(38, 46, "y_p (columns 38-46)")?,
                dut1_s: num(59, 68, "UT1-UTC (columns 59-68)")?,
                lod_s: if lod_text.is_empty() {
                    0.0
                } else {
                    num(80, 86, "LOD (columns 80-86)")? * 1e-3
                },
            };
            check_row(&row, n)?;
            rows.push(row);
        }
        EopTable::from_rows(rows)
    }

    /// The rows.
    pub fn rows(&self) -> &[EopRow] {
        &self.rows
    }

    /// First and last instant of the table (0h UTC of the first and last row).
    pub fn span(&self) -> (UtcTime, UtcTime) {
        let first = self.rows.first().map_or(0.0, |r| r.mjd);
        let last = self.rows.last().map_or(0.0, |r| r.mjd);
        (utc_of_mjd(first), utc_of_mjd(last))
    }

    /// Earth orientation at UTC `t`: linear between the daily rows; the nearest row outside
    /// the table (with [`EopSpan::Before`] / [`EopSpan::After`]).
    pub fn at(&self, t: UtcTime) -> EopValue {
        let mjd = t.days_since_j2000() + MJD_J2000;
        let rows = &self.rows;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return EopValue {
                eop: EarthOrientation::default(),
                span: EopSpan::After,
            };
        };
        if mjd < first.mjd {
            return EopValue {
                eop: first.orientation(),
                span: EopSpan::Before,
            };
        }
        if mjd > last.mjd {
            return EopValue {
                eop: last.orientation(),
                span: EopSpan::After,
            };
        }
        // The last row at or before `mjd`.
        let k = rows.partition_point(|r| r.mjd <= mjd).saturating_sub(1);
        let a = rows[k];
        let Some(b) = rows.get(k + 1).copied() else {
            return EopValue {
                eop: a.orientation(),
                span: EopSpan::Inside,
            };
        };
        let f = (mjd - a.mjd) / (b.mjd - a.mjd);
        let lerp = |x: f64, y: f64| x + (y - x) * f;
        // A leap second at the end of day a: UT1 − UTC jumps by ±1 s at 0h of day b.
        // Interpolate towards b's value with the jump removed (continuous UT1 − TAI).
        let jump = b.dut1_s - a.dut1_s;
        let b_dut1 = if jump.abs() > LEAP_JUMP_S {
            b.dut1_s - jump.round()
        } else {
            b.dut1_s
        };
        let row = EopRow {
            mjd,
            xp_arcsec: lerp(a.xp_arcsec, b.xp_arcsec),
            yp_arcsec: lerp(a.yp_arcsec, b.yp_arcsec),
            dut1_s: lerp(a.dut1_s, b_dut1),
            lod_s: lerp(a.lod_s, b.lod_s),
        };
        EopValue {
            eop: row.orientation(),
            span: EopSpan::Inside,
        }
    }
}

impl EopRow {
    /// The row as rotation parameters.
    pub fn orientation(&self) -> EarthOrientation {
        EarthOrientation {
            dut1_s: self.dut1_s,
            xp_rad: self.xp_arcsec * ARCSEC_RAD,
            yp_rad: self.yp_arcsec * ARCSEC_RAD,
            lod_s: self.lod_s,
        }
    }
}

/// Earth orientation at `t` from the bundled table (nearest row outside it). For callers
/// with no table of their own; the CLI uses [`EopTable::at`] to warn outside the span.
pub fn bundled_at(t: UtcTime) -> EarthOrientation {
    EopTable::bundled().map_or_else(|_| EarthOrientation::default(), |table| table.at(t).eop)
}

fn utc_of_mjd(mjd: f64) -> UtcTime {
    UtcTime::from_ns_since_j2000(((mjd - MJD_J2000) * 86_400e9).round() as i64)
}

/// Columns `a..=b` (1-based) of a fixed-column line, trimmed; "" when the line is shorter.
fn column<'a>(
    line: &'a str,
    n: usize,
    a: usize,
    b: usize,
    field: &'static str,
) -> Result<&'a str, EopError> {
    let end = b.min(line.len());
    if a > end {
        return Ok("");
    }
    line.get(a - 1..end)
        .map(str::trim)
        .ok_or_else(|| EopError::Field {
            line: n,
            field,
            value: line.chars().take(80).collect(),
            reason: "not ASCII text in the fixed columns",
        })
}

/// Physical ranges: |UT1 − UTC| ≤ 0.9 s (plus margin), |x_p|, |y_p| < 2″, |LOD| < 10 ms,
/// MJD within 1900–2200.
fn check_row(r: &EopRow, line: usize) -> Result<(), EopError> {
    let checks: [(&'static str, f64, bool, &'static str); 5] = [
        (
            "MJD",
            r.mjd,
            (15_020.0..=124_593.0).contains(&r.mjd),
            "outside 1900-2200",
        ),
        (
            "x_p",
            r.xp_arcsec,
            r.xp_arcsec.abs() < 2.0,
            "polar motion stays within ±2 arcseconds",
        ),
        (
            "y_p",
            r.yp_arcsec,
            r.yp_arcsec.abs() < 2.0,
            "polar motion stays within ±2 arcseconds",
        ),
        (
            "UT1-UTC",
            r.dut1_s,
            r.dut1_s.abs() <= 1.0,
            "UT1 - UTC stays within ±0.9 s",
        ),
        (
            "LOD",
            r.lod_s,
            r.lod_s.abs() < 0.01,
            "the excess length of day stays within ±10 ms",
        ),
    ];
    for (field, value, ok, reason) in checks {
        if !(ok && value.is_finite()) {
            return Err(EopError::Field {
                line,
                field,
                value: value.to_string(),
                reason,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Two lines of finals2000A.all (2025-01-01/02), Bulletin A values.
    const FINALS: &str = "\
25 1 1 60676.00 I  0.144063 0.000013  0.305108 0.000015  I 0.0462673 0.0000128 -0.2145 0.0090  I     0.403    0.566    -0.196    0.184  0.144124  0.305086  0.0463221     0.301    -0.349  
25 1 2 60677.00 I  0.142470 0.000013  0.304876 0.000015  I 0.0463979 0.0000096 -0.0993 0.0081  I     0.382    0.566    -0.163    0.184  0.142513  0.304837  0.0464595     0.288    -0.359  
271231 61770.00                                                                                                                                                                            
";

    #[test]
    fn bundled_table_parses_and_spans_2006_to_2027() {
        let t = EopTable::bundled().unwrap();
        let (a, b) = t.span();
        assert_eq!(a.to_calendar().0, 2006);
        assert!(b.to_calendar().0 >= 2027, "{b}");
        assert!(t.rows().len() > 7_000);
    }

    #[test]
    fn finals_format_reads_bulletin_a_columns() {
        let t = EopTable::parse(FINALS).unwrap();
        assert_eq!(t.rows().len(), 2);
        let r = t.rows()[0];
        assert_eq!(r.mjd, 60_676.0);
        assert_eq!(r.xp_arcsec, 0.144_063);
        assert_eq!(r.yp_arcsec, 0.305_108);
        assert_eq!(r.dut1_s, 0.046_267_3);
        assert!((r.lod_s + 0.214_5e-3).abs() < 1e-12);
        // The bundled table holds the same day with the same values.
        let bundled = EopTable::bundled().unwrap();
        let same = bundled.rows().iter().find(|b| b.mjd == r.mjd).unwrap();
        assert!((same.dut1_s - r.dut1_s).abs() < 1e-12);
        assert!((same.xp_arcsec - r.xp_arcsec).abs() < 1e-12);
    }

    #[test]
    fn interpolates_linearly_and_clamps_outside() {
        let t = EopTable::parse(FINALS).unwrap();
        let noon = UtcTime::from_calendar(2025, 1, 1, 12, 0, 0.0).unwrap();
        let v = t.at(noon);
        assert_eq!(v.span, EopSpan::Inside);
        assert!((v.eop.dut1_s - 0.5 * (0.046_267_3 + 0.046_397_9)).abs() < 1e-12);
        let before = t.at(UtcTime::from_calendar(2024, 6, 1, 0, 0, 0.0).unwrap());
        assert_eq!(before.span, EopSpan::Before);
        assert_eq!(before.eop.dut1_s, 0.046_267_3);
        let after = t.at(UtcTime::from_calendar(2030, 6, 1, 0, 0, 0.0).unwrap());
        assert_eq!(after.span, EopSpan::After);
        assert_eq!(after.eop.dut1_s, 0.046_397_9);
    }

    #[test]
    fn leap_second_jump_is_not_smeared_over_the_day() {
        // 2016-12-31 → 2017-01-01: UT1 − UTC −0.4077601 → +0.5912821 (leap second).
        let t = EopTable::bundled().unwrap();
        let evening = UtcTime::from_calendar(2016, 12, 31, 18, 0, 0.0).unwrap();
        let v = t.at(evening).eop.dut1_s;
        assert!((-0.409..=-0.407).contains(&v), "{v}");
        let after = UtcTime::from_calendar(2017, 1, 1, 0, 0, 0.0).unwrap();
        assert!((t.at(after).eop.dut1_s - 0.591_282_1).abs() < 1e-9);
    }

    #[test]
    fn malformed_tables_are_typed_errors() {
        assert_eq!(EopTable::parse(""), Err(EopError::Empty));
        assert!(matches!(
            EopTable::parse("53736 1 2 3\n"),
            Err(EopError::Compact { line: 1, .. })
        ));
        assert!(matches!(
            EopTable::parse("53736 1 2 3 x\n"),
            Err(EopError::Compact { line: 1, .. })
        ));
        assert!(matches!(
            EopTable::parse("53736 1 2 30000000 0\n"),
            Err(EopError::Field {
                field: "UT1-UTC",
                ..
            })
        ));
        assert!(matches!(
            EopTable::parse("53737 1 2 3 0\n53736 1 2 3 0\n"),
            Err(EopError::Order { line: 2, .. })
        ));
        let bad = FINALS.replacen("0.0462673", "0.04x2673", 1);
        assert!(matches!(
            EopTable::parse(&bad),
            Err(EopError::Field { line: 1, .. })
        ));
        let nan = FINALS.replacen("0.144063", "     NaN", 1);
        assert!(EopTable::parse(&nan).is_err());
        // A non-ASCII character inside the fixed columns is an error, never a panic.
        let mut odd = FINALS.to_owned();
        odd.replace_range(20..21, "é");
        assert!(EopTable::parse(&odd).is_err());
    }
}
