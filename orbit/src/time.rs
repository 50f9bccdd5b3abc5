//! Calendar time for propagation: [`UtcTime`], the mapping from run time ([`TimeBase`]),
//! and Greenwich mean sidereal time.
//!
//! `UtcTime` counts nanoseconds since J2000.0 (2000-01-01 12:00:00 UTC) on the UTC time line
//! with 86 400-second days, i.e. leap seconds are not counted. That is the convention of the
//! SGP4 element sets and of the published SGP4 verification output (minutes since epoch are
//! differences of UTC Julian dates), so a TLE epoch and a look-up time subtract exactly.
//! Conversions to TAI/GPS go through `hifitime`, which knows the leap seconds.

use hifitime::Epoch;
use ntn_types::{Duration, Instant};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Nanoseconds in one (UTC, 86 400 s) day.
const NS_PER_DAY: i64 = 86_400_000_000_000;
/// Julian date of J2000.0.
pub const JD_J2000: f64 = 2_451_545.0;

/// An instant on the UTC time line, nanoseconds since J2000.0 (2000-01-01 12:00:00 UTC),
/// days of 86 400 s (leap seconds not counted). Range ±292 years around 2000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UtcTime {
    ns_j2000: i64,
}

/// Errors from reading a time.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The text is not an ISO-8601 / RFC 3339 UTC time.
    #[error("cannot read {text:?} as a UTC time (expected e.g. 2024-03-01T12:00:00Z): {reason}")]
    Unparsable {
        /// The text given.
        text: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A field of a calendar date is out of range.
    #[error("date/time field out of range: {0}")]
    OutOfRange(String),
}

impl UtcTime {
    /// J2000.0, 2000-01-01 12:00:00 UTC.
    pub const J2000: UtcTime = UtcTime { ns_j2000: 0 };

    /// From nanoseconds since J2000.0.
    pub const fn from_ns_since_j2000(ns: i64) -> Self {
        UtcTime { ns_j2000: ns }
    }

    /// Nanoseconds since J2000.0.
    pub const fn ns_since_j2000(self) -> i64 {
        self.ns_j2000
    }

    /// Seconds since J2000.0 as `f64` (0.1 µs resolution over this century).
    pub fn secs_since_j2000(self) -> f64 {
        self.ns_j2000 as f64 * 1e-9
    }

    /// From a calendar date and time of day (UTC). `sec` may carry a fraction; `sec` < 60
    /// (a leap second 23:59:60 is not representable on this time line).
    pub fn from_calendar(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        sec: f64,
    ) -> Result<Self, TimeError> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || !(0.0..60.0).contains(&sec)
        {
            return Err(TimeError::OutOfRange(format!(
                "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{sec}"
            )));
        }
        let days = days_from_civil(year, month, day) - days_from_civil(2000, 1, 1);
        let ns = days as i128 * NS_PER_DAY as i128 - NS_PER_DAY as i128 / 2
            + (hour as i128 * 3600 + minute as i128 * 60) * 1_000_000_000
            + (sec * 1e9).round() as i128;
        i64::try_from(ns)
            .map(UtcTime::from_ns_since_j2000)
            .map_err(|_| TimeError::OutOfRange(format!("year {year} is beyond ±292 years of 2000")))
    }

    /// The calendar date and time of day: (year, month, day, hour, minute, second with fraction).
    pub fn to_calendar(self) -> (i32, u32, u32, u32, u32, f64) {
        let ns_from_midnight_2000 = self.ns_j2000 as i128 + NS_PER_DAY as i128 / 2;
        let day_index = ns_from_midnight_2000.div_euclid(NS_PER_DAY as i128) as i64;
        let ns_of_day = ns_from_midnight_2000.rem_euclid(NS_PER_DAY as i128) as i64;
        let (y, m, d) = civil_from_days(day_index + days_from_civil(2000, 1, 1));
        let hour = (ns_of_day / 3_600_000_000_000) as u32;
        let minute = ((ns_of_day / 60_000_000_000) % 60) as u32;
        let sec = (ns_of_day % 60_000_000_000) as f64 * 1e-9;
        (y, m, d, hour, minute, sec)
    }

    /// From a (two-part) UTC Julian date, `jd_whole + jd_fraction`.
    pub fn from_jd(jd_whole: f64, jd_fraction: f64) -> Self {
        let days = (jd_whole - JD_J2000) + jd_fraction;
        let whole_days = days.floor();
        let frac = days - whole_days;
        UtcTime {
            ns_j2000: whole_days as i64 * NS_PER_DAY + (frac * NS_PER_DAY as f64).round() as i64,
        }
    }

    /// The UTC Julian date as `f64`.
    pub fn jd(self) -> f64 {
        JD_J2000 + self.ns_j2000 as f64 / NS_PER_DAY as f64
    }

    /// Days since J2000.0 as `f64`.
    pub fn days_since_j2000(self) -> f64 {
        self.ns_j2000 as f64 / NS_PER_DAY as f64
    }

    /// The span from `earlier` to `self`.
    pub fn duration_since(self, earlier: UtcTime) -> Duration {
        Duration::from_nanos(self.ns_j2000 - earlier.ns_j2000)
    }

    /// Seconds from `earlier` to `self` as `f64`.
    pub fn secs_since(self, earlier: UtcTime) -> f64 {
        (self.ns_j2000 - earlier.ns_j2000) as f64 * 1e-9
    }

    /// `self` shifted by `secs` seconds (rounded to the nanosecond).
    pub fn add_secs(self, secs: f64) -> UtcTime {
        self + Duration::from_secs_f64(secs)
    }

    /// As a `hifitime` epoch (which knows leap seconds), for TAI/GPS conversions.
    pub fn to_hifitime(self) -> Epoch {
        let (y, mo, d, h, mi, s) = self.to_calendar();
        let whole = s.floor();
        let ns = ((s - whole) * 1e9).round().min(999_999_999.0) as u32;
        Epoch::from_gregorian_utc(y, mo as u8, d as u8, h as u8, mi as u8, whole as u8, ns)
    }

    /// From a `hifitime` epoch (its UTC calendar reading).
    pub fn from_hifitime(e: Epoch) -> Result<Self, TimeError> {
        let (y, mo, d, h, mi, s, ns) = e.to_gregorian_utc();
        // A leap second reads as :60; fold it onto :59.999999999 of the same minute.
        let sec = if s >= 60 {
            59.999_999_999
        } else {
            s as f64 + ns as f64 * 1e-9
        };
        UtcTime::from_calendar(y, mo as u32, d as u32, h as u32, mi as u32, sec)
    }

    /// From a chrono UTC date-time (the type `sgp4` uses for element-set epochs).
    pub fn from_chrono(dt: &chrono::NaiveDateTime) -> Result<Self, TimeError> {
        use chrono::{Datelike, Timelike};
        UtcTime::from_calendar(
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second() as f64 + dt.nanosecond().min(999_999_999) as f64 * 1e-9,
        )
    }
}

impl std::ops::Add<Duration> for UtcTime {
    type Output = UtcTime;
    /// `self` shifted by `d`, saturating ±292 years from J2000 (where i64 nanoseconds end;
    /// the element-set age limits refuse such instants long before).
    fn add(self, d: Duration) -> UtcTime {
        UtcTime {
            ns_j2000: self.ns_j2000.saturating_add(d.as_nanos()),
        }
    }
}

impl FromStr for UtcTime {
    type Err = TimeError;

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fff][Z| UTC]` (a space may replace the `T`), or a date alone.
    fn from_str(text: &str) -> Result<Self, TimeError> {
        let bad = |reason: &str| TimeError::Unparsable {
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        let s = text.trim();
        let s = s
            .strip_suffix(" UTC")
            .or_else(|| s.strip_suffix('Z'))
            .or_else(|| s.strip_suffix("+00:00"))
            .unwrap_or(s);
        let (date, time) = match s.split_once(['T', ' ']) {
            Some((d, t)) => (d, t),
            None => (s, "00:00:00"),
        };
        let mut dp = date.split('-');
        let (Some(y), Some(mo), Some(d), None) = (dp.next(), dp.next(), dp.next(), dp.next())
        else {
            return Err(bad("the date is not YYYY-MM-DD"));
        };
        let mut tp = time.split(':');
        let (Some(h), Some(mi), sec, None) = (tp.next(), tp.next(), tp.next(), tp.next()) else {
            return Err(bad("the time of day is not HH:MM[:SS[.fff]]"));
        };
        let num = |f: &str, what: &str| -> Result<u32, TimeError> {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(&format!("the {what} {f:?} is not a number")));
            }
            f.parse()
                .map_err(|_| bad(&format!("the {what} {f:?} is too large")))
        };
        let year = num(y, "year")?;
        let sec = match sec {
            None => 0.0,
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit() || b == b'.') => f
                .parse::<f64>()
                .map_err(|_| bad("the seconds are not a number"))?,
            Some(_) => return Err(bad("the seconds are not a number")),
        };
        let year = i32::try_from(year).map_err(|_| bad("the year is too large"))?;
        UtcTime::from_calendar(
            year,
            num(mo, "month")?,
            num(d, "day")?,
            num(h, "hour")?,
            num(mi, "minute")?,
            sec,
        )
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_calendar();
        // Truncate to milliseconds so that 59.9996 never prints as 60.000.
        let ms = (s * 1e3 + 1e-6).floor() / 1e3;
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{ms:06.3}Z")
    }
}

/// Maps run time ([`Instant`], nanoseconds since the run's origin) to [`UtcTime`].
/// The simulator and the realtime runner each hold one; protocol code never reads a clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBase {
    /// UTC at `Instant::ZERO`.
    pub origin: UtcTime,
}

impl TimeBase {
    /// A time base whose run origin is `origin`.
    pub fn new(origin: UtcTime) -> Self {
        TimeBase { origin }
    }

    /// UTC at run time `t`.
    pub fn utc(&self, t: Instant) -> UtcTime {
        UtcTime::from_ns_since_j2000(self.origin.ns_since_j2000() + t.as_nanos())
    }

    /// Run time at UTC `u`.
    pub fn instant(&self, u: UtcTime) -> Instant {
        Instant::from_nanos(u.ns_since_j2000() - self.origin.ns_since_j2000())
    }
}

/// Greenwich mean sidereal time, IAU 1982 model (Vallado, *Fundamentals of Astrodynamics*,
/// eq. 3-47), in radians in [0, 2π), for a UT1 instant given as a Julian date pair.
///
/// θ_GMST = 67310.54841 s + (876600 h + 8640184.812866 s)·T + 0.093104 s·T² − 6.2·10⁻⁶ s·T³,
/// T = (JD_UT1 − 2451545.0)/36525.
pub fn gmst82(jd_ut1_whole: f64, jd_ut1_fraction: f64) -> f64 {
    gmst82_unreduced((jd_ut1_whole - JD_J2000) + jd_ut1_fraction).rem_euclid(std::f64::consts::TAU)
}

/// GMST-82 in radians, not reduced to [0, 2π), for UT1 days since J2000.0. Fine as an
/// argument of sin/cos: at ~10⁴ rad this century its f64 resolution is ~10⁻¹² rad, the same
/// as after reduction, and skipping the reduction saves a division on the per-state path.
pub(crate) fn gmst82_unreduced(days_ut1: f64) -> f64 {
    let t = days_ut1 / 36_525.0;
    // In f64 the seconds reach ~10⁹ this century: 10⁻⁷ s resolution, 10⁻⁶ arcsec.
    let secs = 67_310.548_41 + (876_600.0 * 3600.0 + 8_640_184.812_866) * t + 0.093_104 * t * t
        - 6.2e-6 * t * t * t;
    (secs / 240.0).to_radians()
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic-Gregorian date (era-based day count).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn j2000_and_calendar_round_trip() {
        let t = UtcTime::from_calendar(2000, 1, 1, 12, 0, 0.0).unwrap();
        assert_eq!(t, UtcTime::J2000);
        assert_eq!(t.jd(), JD_J2000);
        let t = UtcTime::from_calendar(2024, 2, 29, 23, 59, 59.25).unwrap();
        let (y, mo, d, h, mi, s) = t.to_calendar();
        assert_eq!((y, mo, d, h, mi), (2024, 2, 29, 23, 59));
        assert!((s - 59.25).abs() < 1e-9);
        let t = UtcTime::from_calendar(1957, 10, 4, 19, 28, 34.0).unwrap();
        assert_eq!(t.to_calendar(), (1957, 10, 4, 19, 28, 34.0));
    }

    #[test]
    fn julian_dates() {
        // 2024-03-01 00:00 UTC = JD 2460370.5
        let t: UtcTime = "2024-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(t.jd(), 2_460_370.5);
        assert_eq!(UtcTime::from_jd(2_460_370.5, 0.25), t.add_secs(21_600.0));
    }

    #[test]
    fn parse_and_print() {
        let t: UtcTime = "2024-03-01 06:07:08.5 UTC".parse().unwrap();
        assert_eq!(t.to_string(), "2024-03-01T06:07:08.500Z");
        assert!("2024-13-01T00:00:00Z".parse::<UtcTime>().is_err());
        assert!("2024-02-30".parse::<UtcTime>().is_err());
        assert!("yesterday".parse::<UtcTime>().is_err());
        assert!("2024-01-01T00:00:xx".parse::<UtcTime>().is_err());
    }

    #[test]
    fn hifitime_round_trip_and_leap_seconds() {
        let t: UtcTime = "2017-01-01T00:00:10Z".parse().unwrap();
        let e = t.to_hifitime();
        assert_eq!(UtcTime::from_hifitime(e).unwrap(), t);
        // Across the 2016-12-31 leap second hifitime counts one more SI second than UTC days.
        let before: UtcTime = "2016-12-31T23:59:50Z".parse().unwrap();
        let tai = |x: Epoch| x.to_time_scale(hifitime::TimeScale::TAI);
        let si = (tai(e) - tai(before.to_hifitime())).to_seconds();
        assert!((si - 21.0).abs() < 1e-6, "{si}");
        assert_eq!(t.secs_since(before), 20.0);
    }

    #[test]
    fn gmst_reference_value() {
        // Vallado example 3-5: 1992-08-20 12:14 UT1 → GMST = 152.578787810°.
        let t = UtcTime::from_calendar(1992, 8, 20, 12, 14, 0.0).unwrap();
        let g = gmst82(t.jd(), 0.0).to_degrees();
        assert!((g - 152.578_787_810).abs() < 1e-6, "{g}");
    }

    #[test]
    fn time_base_maps_both_ways() {
        let tb = TimeBase::new("2024-03-01T00:00:00Z".parse().unwrap());
        let i = Instant::from_nanos(1_500_000_000);
        assert_eq!(tb.instant(tb.utc(i)), i);
        assert_eq!(tb.utc(i).to_string(), "2024-03-01T00:00:01.500Z");
    }
}
