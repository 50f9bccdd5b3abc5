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

/// Why a NAS message could not be encoded.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A value is longer than its length field can say (LV: 255 octets, LV-E: 65535,
    /// TS 24.007 §11.2.1).
    #[error("{what}: {len} octets do not fit its length field (at most {max})")]
    TooLong {
        /// The field: "LV value", "LV-E value", or an optional IE.
        what: &'static str,
        /// IEI of the optional IE, if it is one.
        iei: Option<u8>,
        /// Octets given.
        len: usize,
        /// Most the length field can carry.
        max: usize,
    },
}

/// Why a NAS entity did not send a message.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The message does not encode.
    #[error("not encoded: {0}")]
    Encode(#[from] EncodeError),
    /// The security context refused to protect it (e.g. the NAS COUNT is exhausted).
    #[error("not protected: {0}")]
    Security(#[from] crate::eps::security::SecurityFailure),
}
