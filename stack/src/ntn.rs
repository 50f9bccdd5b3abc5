//! UE-side NTN pre-compensation (TS 36.213 §16.1.2 / TS 38.213 §4.2 timing; TS 38.300
//! §16.14.2 frequency) and the uplink-synchronisation validity of the serving-satellite
//! information (SIB31 `ul-SyncValidityDuration`, TS 36.331; T430 in TS 38.331).
//!
//! Truth and knowledge stay apart: this entity only ever sees what a terminal knows — its
//! own GNSS fix and the broadcast ephemeris and common-TA parameters — never the
//! simulator's orbit. Its outputs (timing advance, uplink frequency offset, expected
//! downlink Doppler) are compared against the truth by the simulator to report residuals.
//!
//! Drive it like every ntn entity:
//! ```
//! use ntn_orbit::{GroundSite, TimeBase, UtcTime};
//! use ntn_stack::ntn::{NtnConfig, NtnUe, GnssFix};
//! use ntn_types::{Hz, Instant};
//! let origin: UtcTime = "2024-03-01T00:00:00Z".parse()?;
//! let mut ue = NtnUe::new(NtnConfig::default(), TimeBase::new(origin));
//! ue.handle_gnss_fix(Instant::ZERO, GnssFix { site: GroundSite::from_degrees(45.5, -73.6, 50.0) });
//! assert!(ue.precompensation(Instant::ZERO, Hz(2.185e9), Hz(1.995e9)).is_err()); // no SIB31 yet
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use ntn_orbit::ephemeris::{Ephemeris, EphemerisError, UePropagator};
use ntn_orbit::geometry::{doppler_downlink, doppler_uplink};
use ntn_orbit::timing::{CommonTa, TimingAdvance, ue_specific_ta};
use ntn_orbit::{GroundSite, TimeBase};
use ntn_types::{Duration, Hz, Instant, MetresPerSecond};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The serving-satellite information of SIB31 (NB-IoT) / SIB19 (NR) in physical units, as
/// the UE holds it after decoding.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServingSatelliteInfo {
    /// Ephemeris and its epoch (epochTime resolved to UTC).
    pub ephemeris: Ephemeris,
    /// Common TA (nta-Common / ta-Common with drift and drift variation).
    pub common_ta: CommonTa,
    /// ul-SyncValidityDuration, seconds from the epoch.
    pub ul_sync_validity_s: u32,
    /// k-Offset (ms; NR: slots of 15 kHz).
    pub k_offset_ms: u16,
    /// k-Mac (ms), 0 when absent.
    pub k_mac_ms: u16,
}

/// A position fix from the terminal's GNSS receiver.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GnssFix {
    /// The terminal's position as the receiver reports it (with its error).
    pub site: GroundSite,
}

/// Configuration of the NTN behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NtnConfig {
    /// Apply timing and frequency pre-compensation (off: show what fails without it).
    pub precompensate: bool,
    /// How the UE propagates the broadcast ephemeris.
    pub propagator: UePropagator,
    /// Start re-acquiring SIB31 this long before the validity ends.
    pub reacquire_margin: Duration,
}

impl Default for NtnConfig {
    fn default() -> Self {
        NtnConfig {
            precompensate: true,
            propagator: UePropagator::J2,
            reacquire_margin: Duration::from_secs(2),
        }
    }
}

/// What the UE applies to its uplink and expects on its downlink at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Precompensation {
    /// The timing advance terms (common from SIB31, UE-specific from GNSS + ephemeris).
    pub timing_advance: TimingAdvance,
    /// Offset to add to the nominal uplink carrier so the satellite receives it on frequency
    /// (the negative of the predicted uplink Doppler), Hz.
    pub ul_frequency_offset: Hz,
    /// Downlink Doppler the UE expects from its own prediction, Hz.
    pub expected_dl_doppler: Hz,
    /// Age of the ephemeris used, seconds.
    pub ephemeris_age_s: f64,
}

/// Why no pre-compensation can be given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NtnError {
    /// No serving-satellite information yet.
    #[error("no SIB31 / SIB19 serving-satellite information received")]
    NoSatelliteInfo,
    /// No GNSS fix yet.
    #[error("no GNSS fix")]
    NoGnssFix,
    /// The validity duration has run out: uplink synchronisation is lost.
    #[error("uplink synchronisation lost: the satellite information expired {0:.3} s ago")]
    Expired(f64),
    /// The ephemeris could not be propagated.
    #[error(transparent)]
    Ephemeris(#[from] EphemerisError),
}

/// Events for the layers above (RRC re-acquires system information; MAC stops uplink).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NtnEvent {
    /// The validity ends soon: read SIB31 / SIB19 again.
    ReacquireSatelliteInfo,
    /// The validity has ended without new information: uplink synchronisation is lost
    /// (TS 38.331 T430 expiry; the NB-IoT UE likewise stops uplink until it re-reads SIB31).
    UlSyncLost,
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtnStats {
    /// SIB31 / SIB19 receptions.
    pub satellite_info_updates: u64,
    /// GNSS fixes taken.
    pub gnss_fixes: u64,
    /// Times uplink sync was lost.
    pub ul_sync_lost: u64,
}

/// The terminal's NTN context.
#[derive(Clone, Debug)]
pub struct NtnUe {
    config: NtnConfig,
    time_base: TimeBase,
    info: Option<ServingSatelliteInfo>,
    fix: Option<GnssFix>,
    /// Run time at which the current information stops being valid.
    valid_until: Option<Instant>,
    reacquire_signalled: bool,
    lost_signalled: bool,
    events: VecDeque<NtnEvent>,
    stats: NtnStats,
}

impl NtnUe {
    /// A context with no information yet. `time_base` maps run time to UTC (the UE knows UTC
    /// from GNSS).
    pub fn new(config: NtnConfig, time_base: TimeBase) -> Self {
        NtnUe {
            config,
            time_base,
            info: None,
            fix: None,
            valid_until: None,
            reacquire_signalled: false,
            lost_signalled: false,
            events: VecDeque::new(),
            stats: NtnStats::default(),
        }
    }

    /// New serving-satellite information (SIB31 / SIB19 decoded, epochTime resolved). Restarts
    /// the validity timer from the epoch.
    pub fn handle_satellite_info(&mut self, now: Instant, info: ServingSatelliteInfo) {
        let epoch = self.time_base.instant(info.ephemeris.epoch);
        self.valid_until = Some(epoch + Duration::from_secs(i64::from(info.ul_sync_validity_s)));
        self.info = Some(info);
        self.reacquire_signalled = false;
        self.lost_signalled = false;
        self.stats.satellite_info_updates += 1;
        self.handle_timeout(now);
    }

    /// A new GNSS fix.
    pub fn handle_gnss_fix(&mut self, _now: Instant, fix: GnssFix) {
        self.fix = Some(fix);
        self.stats.gnss_fixes += 1;
    }

    /// Fire what is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(until) = self.valid_until else {
            return;
        };
        if !self.reacquire_signalled && now >= until - self.config.reacquire_margin {
            self.reacquire_signalled = true;
            self.events.push_back(NtnEvent::ReacquireSatelliteInfo);
        }
        if !self.lost_signalled && now >= until {
            self.lost_signalled = true;
            self.stats.ul_sync_lost += 1;
            self.events.push_back(NtnEvent::UlSyncLost);
        }
    }

    /// The next instant [`NtnUe::handle_timeout`] has something to do.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let until = self.valid_until?;
        if !self.reacquire_signalled {
            Some(until - self.config.reacquire_margin)
        } else if !self.lost_signalled {
            Some(until)
        } else {
            None
        }
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<NtnEvent> {
        self.events.pop_front()
    }

    /// Whether the uplink is synchronised (valid information) at `now`.
    pub fn ul_synchronised(&self, now: Instant) -> bool {
        self.valid_until.is_some_and(|u| now < u) && self.fix.is_some()
    }

    /// The last GNSS fix.
    pub fn gnss_fix(&self) -> Option<GnssFix> {
        self.fix
    }

    /// K_offset and K_mac of the current information, ms.
    pub fn scheduling_offsets_ms(&self) -> Option<(u16, u16)> {
        self.info.map(|i| (i.k_offset_ms, i.k_mac_ms))
    }

    /// Counters.
    pub fn stats(&self) -> &NtnStats {
        &self.stats
    }

    /// The instant the serving-satellite information stops being valid (`None`: none held,
    /// or no end).
    pub fn valid_until(&self) -> Option<Instant> {
        self.valid_until
    }

    /// Whether [`NtnUe::precompensation`] has what it needs at `now` — serving-satellite
    /// information within its validity and a GNSS fix — without propagating anything.
    pub fn has_precompensation(&self, now: Instant) -> bool {
        self.info.is_some() && self.fix.is_some() && self.valid_until.is_none_or(|u| now < u)
    }

    /// The pre-compensation at `now` for uplink carrier `f_ul` and downlink carrier `f_dl`.
    /// With pre-compensation switched off, every term is zero (the UE behaves as a
    /// terrestrial one).
    pub fn precompensation(
        &self,
        now: Instant,
        f_dl: Hz,
        f_ul: Hz,
    ) -> Result<Precompensation, NtnError> {
        let info = self.info.ok_or(NtnError::NoSatelliteInfo)?;
        let fix = self.fix.ok_or(NtnError::NoGnssFix)?;
        if let Some(until) = self.valid_until
            && now >= until
        {
            return Err(NtnError::Expired((now - until).as_secs_f64()));
        }
        let t = self.time_base.utc(now);
        let age_s = t.secs_since(info.ephemeris.epoch);
        if !self.config.precompensate {
            return Ok(Precompensation {
                timing_advance: TimingAdvance::default(),
                ul_frequency_offset: Hz(0.0),
                expected_dl_doppler: Hz(0.0),
                ephemeris_age_s: age_s,
            });
        }
        let sat = info.ephemeris.propagate(t, self.config.propagator)?;
        let look = fix.site.look(&sat);
        let rr = MetresPerSecond(look.range_rate.mps());
        Ok(Precompensation {
            timing_advance: TimingAdvance {
                common_s: info.common_ta.two_way_s(age_s).s(),
                ue_specific_s: ue_specific_ta(&sat.position, &fix.site.ecef()).s(),
                ..Default::default()
            },
            ul_frequency_offset: Hz(-doppler_uplink(rr, f_ul).hz()),
            expected_dl_doppler: doppler_downlink(rr, f_dl),
            ephemeris_age_s: age_s,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ntn_orbit::ephemeris::EphemerisForm;
    use ntn_orbit::{EarthOrientation, LinkConfig, Satellite, UtcTime, elements::parse_tle};

    /// CBERS 2 over Montréal: the satellite, a time base, the site, the pass's middle.
    pub(crate) fn setup() -> (Satellite, TimeBase, GroundSite, UtcTime) {
        let sat = Satellite::new(
            parse_tle(
                None,
                "1 28057U 03049A   06177.78615833  .00000060  00000-0  35940-4 0  1836",
                "2 28057  98.4283 247.6961 0000884  88.1964 271.9322 14.35478080140550",
                None,
            )
            .unwrap(),
        )
        .unwrap();
        let tb = TimeBase::new("2006-06-27T01:40:00Z".parse().unwrap());
        let site = GroundSite::from_degrees(45.5017, -73.5673, 50.0);
        // The middle of the CBERS 2 pass over Montréal.
        let mid: UtcTime = "2006-06-27T01:47:00Z".parse().unwrap();
        (sat, tb, site, mid)
    }

    /// Serving-satellite information from the true orbit at `epoch`.
    pub(crate) fn info(sat: &Satellite, epoch: UtcTime, validity_s: u32) -> ServingSatelliteInfo {
        ServingSatelliteInfo {
            ephemeris: Ephemeris::from_truth(
                sat,
                epoch,
                EphemerisForm::StateVector,
                &EarthOrientation::default(),
            )
            .unwrap(),
            common_ta: CommonTa::default(),
            ul_sync_validity_s: validity_s,
            k_offset_ms: 20,
            k_mac_ms: 0,
        }
    }

    #[test]
    fn residuals_against_truth_are_small_with_a_fresh_ephemeris_and_perfect_gnss() {
        let (sat, tb, site, mid) = setup();
        let mut ue = NtnUe::new(NtnConfig::default(), tb);
        let now = tb.instant(mid);
        ue.handle_gnss_fix(now, GnssFix { site });
        ue.handle_satellite_info(now, info(&sat, mid, 20));
        let (f_dl, f_ul) = (Hz(2.185e9), Hz(1.995e9));
        let truth = LinkConfig {
            ue: site,
            gateway: None,
            f_dl,
            f_ul,
            eop: EarthOrientation::default(),
        };
        for dt in [0.0, 5.0, 15.0] {
            let t = now + Duration::from_secs_f64(dt);
            let p = ue.precompensation(t, f_dl, f_ul).unwrap();
            let s = truth.snapshot(&sat, tb.utc(t)).unwrap();
            let ta_err = p.timing_advance.total_s() - s.rtt_regenerative.s();
            let f_err = p.ul_frequency_offset.hz() + s.doppler_ul.hz();
            let dl_err = p.expected_dl_doppler.hz() - s.doppler_dl.hz();
            // 1.3 m / 0.06 m/s quantisation and the J2 model: tens of ns, a fraction of a Hz.
            assert!(ta_err.abs() < 50e-9, "Δt {dt}: TA error {ta_err}");
            assert!(
                f_err.abs() < 1.0 && dl_err.abs() < 1.0,
                "Δt {dt}: {f_err} {dl_err}"
            );
        }
        assert_eq!(ue.scheduling_offsets_ms(), Some((20, 0)));
    }

    #[test]
    fn gnss_error_shows_up_in_the_timing_advance() {
        let (sat, tb, site, mid) = setup();
        let now = tb.instant(mid);
        let mut ue = NtnUe::new(NtnConfig::default(), tb);
        // A fix 300 m off along the line of sight changes the round trip by ~2 µs at most.
        let off = GroundSite::from_degrees(45.5017 + 0.0027, -73.5673, 50.0);
        ue.handle_gnss_fix(now, GnssFix { site: off });
        ue.handle_satellite_info(now, info(&sat, mid, 20));
        let p = ue.precompensation(now, Hz(2.185e9), Hz(1.995e9)).unwrap();
        let s = LinkConfig {
            ue: site,
            gateway: None,
            f_dl: Hz(2.185e9),
            f_ul: Hz(1.995e9),
            eop: EarthOrientation::default(),
        }
        .snapshot(&sat, mid)
        .unwrap();
        let err = (p.timing_advance.total_s() - s.rtt_regenerative.s()).abs();
        assert!(err > 1e-8 && err < 2.1e-6, "{err}");
    }

    #[test]
    fn validity_timer_asks_for_sib31_then_declares_sync_lost() {
        let (sat, tb, site, mid) = setup();
        let mut ue = NtnUe::new(NtnConfig::default(), tb);
        let epoch_run = tb.instant(mid);
        ue.handle_gnss_fix(epoch_run, GnssFix { site });
        ue.handle_satellite_info(epoch_run, info(&sat, mid, 10));
        assert!(ue.ul_synchronised(epoch_run));
        assert_eq!(ue.poll_timeout(), Some(epoch_run + Duration::from_secs(8)));
        ue.handle_timeout(epoch_run + Duration::from_secs(8));
        assert_eq!(ue.poll_event(), Some(NtnEvent::ReacquireSatelliteInfo));
        assert_eq!(ue.poll_timeout(), Some(epoch_run + Duration::from_secs(10)));
        let late = epoch_run + Duration::from_secs(10);
        ue.handle_timeout(late);
        assert_eq!(ue.poll_event(), Some(NtnEvent::UlSyncLost));
        assert!(!ue.ul_synchronised(late));
        assert!(matches!(
            ue.precompensation(late, Hz(2e9), Hz(2e9)),
            Err(NtnError::Expired(_))
        ));
        assert_eq!(ue.poll_timeout(), None);
        // A fresh SIB31 restores it.
        let later = mid.add_secs(12.0);
        ue.handle_satellite_info(tb.instant(later), info(&sat, later, 10));
        assert!(ue.ul_synchronised(tb.instant(later)));
        assert_eq!(ue.stats().ul_sync_lost, 1);
        assert_eq!(ue.stats().satellite_info_updates, 2);
    }

    #[test]
    fn switched_off_gives_zero_corrections() {
        let (sat, tb, site, mid) = setup();
        let cfg = NtnConfig {
            precompensate: false,
            ..Default::default()
        };
        let mut ue = NtnUe::new(cfg, tb);
        let now = tb.instant(mid);
        ue.handle_gnss_fix(now, GnssFix { site });
        ue.handle_satellite_info(now, info(&sat, mid, 20));
        let p = ue.precompensation(now, Hz(2e9), Hz(2e9)).unwrap();
        assert_eq!(p.timing_advance.total_s(), 0.0);
        assert_eq!(p.ul_frequency_offset.hz(), 0.0);
    }
}
