//! How far from its epoch an element set is used, and whether that is still meaningful.
//!
//! SGP4 element sets are fits to recent tracking: a LEO set loses kilometres a day to drag
//! and model error, a deep-space set degrades more slowly. The limits here:
//!
//! | orbit (SGP4 class) | warn beyond | refuse beyond |
//! |---|---|---|
//! | near-Earth (period < 225 min, "LEO") | 3 days | 1 year |
//! | deep space (period ≥ 225 min: MEO, GEO, HEO) | 30 days | 10 years |
//!
//! A refusal is an [`ElementAgeError`]; the CLI lets the user override it explicitly.

use crate::satellite::Satellite;
use crate::time::UtcTime;
use thiserror::Error;

/// SGP4's boundary between near-Earth and deep-space element sets, seconds (225 min).
pub const DEEP_SPACE_PERIOD_S: f64 = 225.0 * 60.0;
const DAY_S: f64 = 86_400.0;

/// Warning and refusal ages for one orbit class, days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AgeLimits {
    /// Warn when used further than this from the epoch, days.
    pub warn_days: f64,
    /// Refuse when used further than this from the epoch, days.
    pub refuse_days: f64,
}

/// The limits for a satellite's orbit class (see the module table).
pub fn age_limits(sat: &Satellite) -> AgeLimits {
    if sat.period_s() < DEEP_SPACE_PERIOD_S {
        AgeLimits {
            warn_days: 3.0,
            refuse_days: 365.0,
        }
    } else {
        AgeLimits {
            warn_days: 30.0,
            refuse_days: 3_652.5,
        }
    }
}

/// An element set used far from its epoch, but within the refusal limit.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleElements {
    /// The satellite's name.
    pub name: String,
    /// The element-set epoch.
    pub epoch: UtcTime,
    /// The largest distance from the epoch in the window, days.
    pub age_days: f64,
    /// The warning limit that was exceeded, days.
    pub warn_days: f64,
}

impl std::fmt::Display for StaleElements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the element set of {} (epoch {}) is used {:.1} days from its epoch \
             (beyond {} days its positions degrade; use a fresher element set)",
            self.name, self.epoch, self.age_days, self.warn_days
        )
    }
}

/// An element set used absurdly far from its epoch.
#[derive(Clone, Debug, Error, PartialEq)]
#[error(
    "the element set of {name} (epoch {epoch}) would be used {age_days:.1} days from its \
     epoch, beyond the {refuse_days}-day limit for its orbit class: the result would be \
     meaningless"
)]
pub struct ElementAgeError {
    /// The satellite's name.
    pub name: String,
    /// The element-set epoch.
    pub epoch: UtcTime,
    /// The largest distance from the epoch in the window, days.
    pub age_days: f64,
    /// The refusal limit, days.
    pub refuse_days: f64,
}

/// The largest distance (days) between the epoch and the window `[start, end]`.
pub fn max_age_days(sat: &Satellite, start: UtcTime, end: UtcTime) -> f64 {
    let e = sat.epoch();
    start.secs_since(e).abs().max(end.secs_since(e).abs()) / DAY_S
}

/// Check a window of use: `Err` beyond the refusal limit, `Ok(Some(_))` beyond the warning
/// limit, `Ok(None)` when the element set is fresh enough.
pub fn check_element_age(
    sat: &Satellite,
    start: UtcTime,
    end: UtcTime,
) -> Result<Option<StaleElements>, ElementAgeError> {
    let limits = age_limits(sat);
    let age_days = max_age_days(sat, start, end);
    if age_days > limits.refuse_days {
        return Err(ElementAgeError {
            name: sat.name().to_owned(),
            epoch: sat.epoch(),
            age_days,
            refuse_days: limits.refuse_days,
        });
    }
    Ok((age_days > limits.warn_days).then(|| StaleElements {
        name: sat.name().to_owned(),
        epoch: sat.epoch(),
        age_days,
        warn_days: limits.warn_days,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elements::parse_tle;

    fn cbers2() -> Satellite {
        let el = parse_tle(
            Some("CBERS 2"),
            "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
            "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
            None,
        )
        .unwrap();
        Satellite::new(el).unwrap()
    }

    #[test]
    fn leo_thresholds() {
        let s = cbers2();
        let e = s.epoch();
        assert_eq!(check_element_age(&s, e, e.add_secs(86_400.0)), Ok(None));
        let w = check_element_age(&s, e, e.add_secs(10.0 * 86_400.0))
            .unwrap()
            .unwrap();
        assert!((w.age_days - 10.0).abs() < 1e-9);
        assert!(w.to_string().contains("CBERS 2"), "{w}");
        // The case: a 2006 element set propagated to 2200.
        let far = UtcTime::from_calendar(2200, 1, 1, 0, 0, 0.0).unwrap();
        let err = check_element_age(&s, far, far.add_secs(60.0)).unwrap_err();
        assert!(err.age_days > 365.0 * 190.0);
        assert!(err.to_string().contains("365-day limit"), "{err}");
        // Before the epoch counts too.
        assert!(check_element_age(&s, e.add_secs(-400.0 * 86_400.0), e).is_err());
    }
}
