//! The one vocabulary for "this input value is unusable": [`InvalidValue`] names the file,
//! the key path and the value, and says why, e.g.
//! `scenario.toml: [ue] position[0] = 91: latitude must be within ±90°`.
//!
//! The checks here are comparisons on numbers, nothing more: finite, inside a physical
//! range, positive. Every crate that reads a configuration (sim scenarios, coverage, orbit
//! sites and shells, the CLI) uses these, so that every message has the same form.

use std::fmt;
use std::ops::RangeInclusive;

/// An input value that cannot be used: where it came from, what it was, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    /// The file (or other source) the value was read from, when known.
    pub file: Option<String>,
    /// The key path inside that file, e.g. `[ue] position[0]`.
    pub key: String,
    /// The value as written (or as parsed).
    pub value: String,
    /// What is wrong, e.g. `latitude must be within ±90°`.
    pub reason: String,
}

impl InvalidValue {
    /// An invalid value of `key`.
    pub fn new(
        key: impl Into<String>,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        InvalidValue {
            file: None,
            key: key.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// The same error, naming the file the value came from (kept if already set).
    pub fn in_file(mut self, file: impl fmt::Display) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_string());
        }
        self
    }

    /// The same error with `prefix` put before the key path (a table or array element the
    /// checked value sits in), e.g. `[[satellites]] 1` + `gateway[0]`.
    pub fn under(mut self, prefix: &str) -> Self {
        self.key = format!("{prefix} {}", self.key);
        self
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        write!(f, "{} = {}: {}", self.key, self.value, self.reason)
    }
}

impl std::error::Error for InvalidValue {}

/// `v` if it is finite (not NaN, not ±∞).
pub fn finite(key: &str, v: f64) -> Result<f64, InvalidValue> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(InvalidValue::new(key, v, "must be a finite number"))
    }
}

/// `v` if it is finite and within `range` (both ends included); else `reason`.
pub fn within(
    key: &str,
    v: f64,
    range: RangeInclusive<f64>,
    reason: &str,
) -> Result<f64, InvalidValue> {
    finite(key, v)?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(InvalidValue::new(key, v, reason))
    }
}

/// `v` if it is finite and strictly positive.
pub fn positive(key: &str, v: f64) -> Result<f64, InvalidValue> {
    finite(key, v)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(InvalidValue::new(key, v, "must be positive"))
    }
}

/// `v` if it is finite and not negative.
pub fn non_negative(key: &str, v: f64) -> Result<f64, InvalidValue> {
    finite(key, v)?;
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(InvalidValue::new(key, v, "must not be negative"))
    }
}

/// Latitudes of ground points, degrees.
pub const LATITUDE_DEG: RangeInclusive<f64> = -90.0..=90.0;
/// Longitudes of ground points, degrees (−180…180; 0…360 is not accepted, so that one
/// place has one spelling).
pub const LONGITUDE_DEG: RangeInclusive<f64> = -180.0..=180.0;
/// Heights of terminals and gateways above the WGS-84 ellipsoid, metres: from the Dead Sea
/// shore (≈ −430 m) with margin up to 20 km (aircraft and high-altitude platforms carry
/// terminals; the same bound as the command line's `--site`).
pub const GROUND_HEIGHT_M: RangeInclusive<f64> = -500.0..=20_000.0;
/// Elevation masks, degrees.
pub const ELEVATION_MASK_DEG: RangeInclusive<f64> = 0.0..=90.0;

/// A ground position `[lat °, lon °, height m]` under `key`: each element checked against
/// [`LATITUDE_DEG`], [`LONGITUDE_DEG`] and [`GROUND_HEIGHT_M`]; the error names the element
/// (`key[0]`, `key[1]`, `key[2]`).
pub fn ground_position(key: &str, p: [f64; 3]) -> Result<[f64; 3], InvalidValue> {
    within(
        &format!("{key}[0]"),
        p[0],
        LATITUDE_DEG,
        "latitude must be within ±90°",
    )?;
    within(
        &format!("{key}[1]"),
        p[1],
        LONGITUDE_DEG,
        "longitude must be within ±180°",
    )?;
    within(
        &format!("{key}[2]"),
        p[2],
        GROUND_HEIGHT_M,
        "height must be within −500 m … 20 km of the WGS-84 ellipsoid",
    )?;
    Ok(p)
}

/// An FDD satellite band of NB-IoT NTN / NR NTN: uplink and downlink edges, Hz
/// (TS 38.101-5 / TS 36.102; ntn-reference.md §4.7).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NtnBand {
    /// Band name (`n256`, …).
    pub name: &'static str,
    /// Uplink edges, Hz.
    pub ul_hz: (f64, f64),
    /// Downlink edges, Hz.
    pub dl_hz: (f64, f64),
}

/// The NTN bands the stack knows.
pub const NTN_BANDS: [NtnBand; 3] = [
    NtnBand {
        name: "n254",
        ul_hz: (1610.0e6, 1626.5e6),
        dl_hz: (2483.5e6, 2500.0e6),
    },
    NtnBand {
        name: "n255",
        ul_hz: (1626.5e6, 1660.5e6),
        dl_hz: (1525.0e6, 1559.0e6),
    },
    NtnBand {
        name: "n256",
        ul_hz: (1980.0e6, 2010.0e6),
        dl_hz: (2170.0e6, 2200.0e6),
    },
];

/// The NTN band holding both carriers, or an error naming the downlink key with both values
/// and the bands.
pub fn ntn_band(
    dl_key: &str,
    dl_hz: f64,
    ul_key: &str,
    ul_hz: f64,
) -> Result<&'static NtnBand, InvalidValue> {
    positive(dl_key, dl_hz)?;
    positive(ul_key, ul_hz)?;
    let inside = |x: f64, (lo, hi): (f64, f64)| (lo..=hi).contains(&x);
    NTN_BANDS
        .iter()
        .find(|b| inside(dl_hz, b.dl_hz) && inside(ul_hz, b.ul_hz))
        .ok_or_else(|| {
            let bands: Vec<String> = NTN_BANDS
                .iter()
                .map(|b| {
                    format!(
                        "{} DL {}–{} MHz / UL {}–{} MHz",
                        b.name,
                        b.dl_hz.0 / 1e6,
                        b.dl_hz.1 / 1e6,
                        b.ul_hz.0 / 1e6,
                        b.ul_hz.1 / 1e6
                    )
                })
                .collect();
            InvalidValue::new(
                dl_key,
                dl_hz,
                format!(
                    "with {ul_key} = {ul_hz}, not a carrier pair of one NTN band ({})",
                    bands.join("; ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_file_key_and_value() {
        let e = ground_position("[ue] position", [91.0, 0.0, 0.0])
            .unwrap_err()
            .in_file("scenario.toml");
        assert_eq!(
            e.to_string(),
            "scenario.toml: [ue] position[0] = 91: latitude must be within ±90°"
        );
        let e = ground_position("gw", [0.0, 0.0, -1e9]).unwrap_err();
        assert_eq!(e.key, "gw[2]");
        assert_eq!(e.value, "-1000000000");
        let e = ground_position("gw", [0.0, 181.0, 0.0]).unwrap_err();
        assert_eq!(e.key, "gw[1]");
    }

    #[test]
    fn non_finite_and_ranges() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = finite("x", v).unwrap_err();
            assert!(e.to_string().contains("finite"), "{e}");
            assert!(positive("x", v).is_err());
            assert!(within("x", v, -1e300..=1e300, "r").is_err());
        }
        assert!(positive("x", 0.0).is_err());
        assert_eq!(positive("x", 1e-9), Ok(1e-9));
        assert!(non_negative("x", -1e-9).is_err());
        assert_eq!(non_negative("x", 0.0), Ok(0.0));
        let e = within("[a] b", 2.0, 0.0..=1.0, "must be a fraction").unwrap_err();
        assert_eq!(e.under("[[c]] 3").key, "[[c]] 3 [a] b");
        assert_eq!(
            ground_position("p", [-90.0, 180.0, -500.0]),
            Ok([-90.0, 180.0, -500.0])
        );
    }

    #[test]
    fn carrier_pairs_must_share_a_band() {
        assert_eq!(ntn_band("dl", 2185e6, "ul", 1995e6).unwrap().name, "n256");
        assert_eq!(ntn_band("dl", 1540e6, "ul", 1640e6).unwrap().name, "n255");
        // DL of n256 with UL of n255.
        let e = ntn_band("dl_hz", 2185e6, "ul_hz", 1640e6).unwrap_err();
        assert_eq!(e.key, "dl_hz");
        assert!(e.reason.contains("ul_hz = 1640000000"), "{e}");
        assert_eq!(
            ntn_band("dl", f64::NAN, "ul", 1995e6).unwrap_err().key,
            "dl"
        );
        assert_eq!(ntn_band("dl", 2185e6, "ul", -1.0).unwrap_err().key, "ul");
    }
}
