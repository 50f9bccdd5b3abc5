//! The real stacks on the engine: [`CellNode`] wraps `ntn_stack::cell::CellStack`, [`UeNode`]
//! wraps `ntn_stack::ue::UeStack`, both forwarding the air interface unchanged and turning the
//! stacks' events into timeline [`SimEvent`]s. The UE node also plays the terminal's GNSS
//! receiver (true position + Gaussian error, every `gnss_period`) and keeps the terminal on
//! one cell at a time: while it searches it takes the first cell it decodes, then ignores the
//! other satellites' transmissions until a radio link failure sends it searching again.

use super::{RxState, SimEvent, SimNode};
use ntn_orbit::GroundSite;
use ntn_stack::air::{AirNode, AirReception, AirTransmission};
use ntn_stack::cell::{CellEvent, CellStack};
use ntn_stack::ntn::GnssFix;
use ntn_stack::ue::{UeStack, UeStackEvent};
use ntn_types::{Duration, Instant};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The terminal's GNSS receiver: the true position plus a Gaussian error.
#[derive(Clone, Debug)]
pub struct Gnss {
    site: GroundSite,
    std_m: f64,
    period: Duration,
    next: Instant,
    rng: ChaCha8Rng,
}

impl Gnss {
    /// A receiver at `site` with `std_m` of error per axis, a fix every `period`.
    pub fn new(site: GroundSite, std_m: f64, period: Duration, seed: u64) -> Self {
        Gnss {
            site,
            std_m,
            period,
            next: Instant::ZERO,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// When the next fix is due.
    pub fn next(&self) -> Instant {
        self.next
    }

    /// Take the fix due at `now` (north, east and up errors of `std_m` each).
    pub fn fix(&mut self, now: Instant) -> GnssFix {
        let (n, e) = ntn_phy::noise::gaussian_pair_f64(&mut self.rng);
        let (h, _) = ntn_phy::noise::gaussian_pair_f64(&mut self.rng);
        let g = self.site.geodetic();
        let r = 6_371e3;
        let lat = g.lat.0 + n * self.std_m / r;
        let lon = g.lon.0 + e * self.std_m / (r * g.lat.0.cos().max(1e-6));
        self.next = now + self.period;
        GnssFix {
            site: GroundSite::from_degrees(
                lat.to_degrees(),
                lon.to_degrees(),
                g.height.m() + h * self.std_m,
            ),
        }
    }

    /// Restart the fixes (after a loss of the cell).
    pub fn restart(&mut self, now: Instant) {
        self.next = now;
    }
}

/// `CellStack` on the engine.
pub struct CellNode {
    stack: CellStack,
}

impl CellNode {
    /// Wrap a cell stack.
    pub fn new(stack: CellStack) -> Self {
        CellNode { stack }
    }

    /// The stack.
    pub fn stack(&self) -> &CellStack {
        &self.stack
    }
}

impl AirNode for CellNode {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        self.stack.handle_reception(now, rx);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.stack.handle_timeout(now);
    }
    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.stack.poll_transmission()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.stack.poll_timeout()
    }
}

impl SimNode for CellNode {
    fn rx_state(&self, _from: usize, around: Instant) -> Option<RxState> {
        Some(RxState::Tuned(self.stack.ul_tuning(around)))
    }

    fn poll_sim_event(&mut self, _now: Instant) -> Option<SimEvent> {
        while let Some(ev) = self.stack.poll_event() {
            if let CellEvent::UplinkMeasured(m) = ev {
                return Some(SimEvent::UlMeasured {
                    rnti: m.rnti.unwrap_or(0),
                    channel: m.channel,
                    timing_error_s: m.timing_error_s,
                    freq_error_hz: m.freq_offset_hz,
                    snr_db: m.snr_db,
                    decoded: m.accepted,
                });
            }
        }
        None
    }
}

/// `UeStack` on the engine, with its GNSS receiver.
pub struct UeNode {
    stack: UeStack,
    gnss: Gnss,
    /// The cell (engine node) the terminal listens to.
    camped: Option<usize>,
    /// The cell it listened to last (a different one is a reselection).
    last_camped: Option<usize>,
    /// Cells found so far.
    found: usize,
    sib31_reported: bool,
    ra_attempt: u32,
}

impl UeNode {
    /// Wrap a UE stack.
    pub fn new(stack: UeStack, gnss: Gnss) -> Self {
        UeNode {
            stack,
            gnss,
            camped: None,
            last_camped: None,
            found: 0,
            sib31_reported: false,
            ra_attempt: 0,
        }
    }

    /// The stack.
    pub fn stack(&self) -> &UeStack {
        &self.stack
    }

    fn map(&mut self, ev: UeStackEvent, now: Instant) -> Option<SimEvent> {
        Some(match ev {
            UeStackEvent::CellFound => {
                self.found += 1;
                self.sib31_reported = false;
                SimEvent::CellFound { cell: self.found }
            }
            UeStackEvent::Sib31Decoded { epoch } if !self.sib31_reported => {
                self.sib31_reported = true;
                SimEvent::Sib31Read {
                    epoch_age_s: (now - epoch).as_secs_f64(),
                }
            }
            UeStackEvent::RaStarted => {
                self.ra_attempt += 1;
                SimEvent::RaStarted {
                    attempt: self.ra_attempt,
                }
            }
            UeStackEvent::RaSucceeded { .. } => {
                self.ra_attempt = 0;
                SimEvent::RaCompleted
            }
            UeStackEvent::RaFailed { attempts } => {
                self.ra_attempt = 0;
                SimEvent::RaFailed {
                    reason: format!("random-access problem after {attempts} preambles"),
                }
            }
            UeStackEvent::Connected => SimEvent::Connected,
            UeStackEvent::Authenticated => SimEvent::Authenticated,
            UeStackEvent::SecurityActivated => SimEvent::SecurityActivated,
            UeStackEvent::Attached => SimEvent::Attached,
            UeStackEvent::AttachFailed => SimEvent::AttachFailed,
            UeStackEvent::DataExchanged {
                bytes,
                round_trip_s,
            } => SimEvent::DataExchange {
                ul_bytes: bytes as u32,
                dl_bytes: bytes as u32,
                latency_s: round_trip_s,
            },
            UeStackEvent::Released => SimEvent::Released,
            UeStackEvent::RadioLinkFailure { cause } => {
                self.camped = None;
                self.gnss.restart(now);
                SimEvent::RadioLinkFailure { reason: cause }
            }
            UeStackEvent::UlSyncLost => SimEvent::UlSyncLost,
            // Lost while idle (no RLF): search again, for any satellite.
            UeStackEvent::CellLost => {
                self.camped = None;
                self.gnss.restart(now);
                return None;
            }
            _ => return None,
        })
    }
}

impl AirNode for UeNode {
    fn handle_reception(&mut self, now: Instant, rx: AirReception) {
        self.stack.handle_reception(now, rx);
    }
    fn handle_timeout(&mut self, now: Instant) {
        if self.gnss.next() <= now {
            let fix = self.gnss.fix(now);
            self.stack.handle_gnss_fix(now, fix);
        }
        if self.stack.poll_timeout().is_some_and(|t| t <= now) {
            self.stack.handle_timeout(now);
        }
    }
    fn poll_transmission(&mut self) -> Option<AirTransmission> {
        self.stack.poll_transmission()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        let g = self.gnss.next();
        Some(self.stack.poll_timeout().map_or(g, |t| t.min(g)))
    }
}

impl SimNode for UeNode {
    fn rx_state(&self, from: usize, around: Instant) -> Option<RxState> {
        Some(match self.camped {
            Some(c) if c != from => RxState::Deaf,
            None => RxState::Searching,
            Some(_) => self
                .stack
                .dl_tuning(around)
                .map_or(RxState::Searching, RxState::Tuned),
        })
    }

    fn handle_reception_from(&mut self, now: Instant, from: usize, rx: AirReception) {
        match self.camped {
            Some(c) if c != from => {}
            Some(_) => self.stack.handle_reception(now, rx),
            None => {
                if rx.decoded {
                    if self.last_camped.is_some_and(|c| c != from) {
                        self.stack.reselect();
                    }
                    self.camped = Some(from);
                    self.last_camped = Some(from);
                    self.stack.handle_reception(now, rx);
                }
            }
        }
    }

    fn poll_sim_event(&mut self, now: Instant) -> Option<SimEvent> {
        while let Some(ev) = self.stack.poll_event() {
            if let Some(s) = self.map(ev, now) {
                return Some(s);
            }
        }
        None
    }
}
