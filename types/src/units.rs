//! Physical-unit newtypes for values that cross a crate boundary (style.md §9.7).
//! Each wraps an SI value; the accessor names the unit.

use serde::{Deserialize, Serialize};
use std::ops::{Add, Mul, Neg, Sub};

macro_rules! unit {
    ($(#[$m:meta])* $name:ident, $inner:ty, $get:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The value in this type's unit.
            pub const fn $get(self) -> $inner {
                self.0
            }
        }

        impl Add for $name {
            type Output = $name;
            fn add(self, o: $name) -> $name {
                $name(self.0 + o.0)
            }
        }

        impl Sub for $name {
            type Output = $name;
            fn sub(self, o: $name) -> $name {
                $name(self.0 - o.0)
            }
        }

        impl Neg for $name {
            type Output = $name;
            fn neg(self) -> $name {
                $name(-self.0)
            }
        }

        impl Mul<$inner> for $name {
            type Output = $name;
            fn mul(self, k: $inner) -> $name {
                $name(self.0 * k)
            }
        }
    };
}

unit!(
    /// Frequency in hertz.
    Hz, f64, hz
);
unit!(
    /// Length in metres.
    Metres, f64, m
);
unit!(
    /// Speed in metres per second.
    MetresPerSecond, f64, mps
);
unit!(
    /// A duration in seconds, for geometry results (not the master clock; see [`crate::Duration`]).
    Seconds, f64, s
);
unit!(
    /// Angle in radians.
    Radians, f64, rad
);
unit!(
    /// Angle in degrees (user-facing input and output only; compute in [`Radians`]).
    Degrees, f64, deg
);
unit!(
    /// A ratio in decibels.
    Db, f64, db
);
unit!(
    /// A power in dB relative to 1 mW.
    Dbm, f64, dbm
);

impl Hz {
    /// From megahertz.
    pub fn from_mhz(mhz: f64) -> Hz {
        Hz(mhz * 1e6)
    }
}

impl Metres {
    /// From kilometres.
    pub fn from_km(km: f64) -> Metres {
        Metres(km * 1e3)
    }
    /// In kilometres.
    pub fn km(self) -> f64 {
        self.0 * 1e-3
    }
}

impl Degrees {
    /// In radians.
    pub fn to_radians(self) -> Radians {
        Radians(self.0.to_radians())
    }
}

impl Radians {
    /// In degrees.
    pub fn to_degrees(self) -> Degrees {
        Degrees(self.0.to_degrees())
    }
}

impl Db {
    /// The linear power ratio 10^(dB/10).
    pub fn linear(self) -> f64 {
        10f64.powf(self.0 / 10.0)
    }
    /// From a linear power ratio.
    pub fn from_linear(x: f64) -> Db {
        Db(10.0 * x.log10())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(Hz::from_mhz(2185.0).hz(), 2.185e9);
        assert_eq!(Metres::from_km(600.0).m(), 600_000.0);
        assert!((Degrees(180.0).to_radians().rad() - std::f64::consts::PI).abs() < 1e-15);
        assert!((Db(3.0).linear() - 1.9953).abs() < 1e-4);
        assert!((Db::from_linear(100.0).db() - 20.0).abs() < 1e-12);
        assert_eq!((Metres(1.0) + Metres(2.0)) * 2.0, Metres(6.0));
    }
}
