//! The NTN channel: sample-time-keyed propagation along the true orbit, TR 38.811 large-scale
//! loss, NTN-TDL fading and AWGN.

pub mod interp;
pub mod large_scale;
pub mod propagation;
pub mod tdl;
