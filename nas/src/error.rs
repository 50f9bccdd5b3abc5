//! Decoding errors.

/// Why a NAS PDU (or a part of it) could not be decoded.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The PDU ended inside a field.
    #[error("truncated in {0}")]
    Truncated(&'static str),
    /// A length field is outside the range the specification allows for the IE.
    #[error("length {len} of {ie} outside {min}..={max}")]
    BadLength {
        /// IE name.
        ie: &'static str,
        /// Received length.
        len: usize,
        /// Minimum allowed.
        min: usize,
        /// Maximum allowed.
        max: usize,
    },
    /// A field holds a value the specification does not allow.
    #[error("invalid value {value:#x} in {field}")]
    InvalidValue {
        /// Field name.
        field: &'static str,
        /// Received value.
        value: u32,
    },
    /// The protocol discriminator is not EMM (7) or ESM (2).
    #[error("protocol discriminator {0} is not EPS NAS")]
    UnknownProtocol(u8),
    /// Bytes left over after the last information element (never produced by the optional-IE
    /// parser, which consumes everything; kept for fixed-format messages).
    #[error("{0} trailing bytes")]
    TrailingBytes(usize),
}
