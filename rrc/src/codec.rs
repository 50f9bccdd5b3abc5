//! Typed UPER decode and encode of the NB-IoT RRC messages.

use ntn_rrc_asn1::{
    BCCHBCHMessageNB, BCCHDLSCHMessageNB, DLCCCHMessageNB, DLDCCHMessageNB, PCCHMessageNB,
    SystemInformationBlockType1NB, SystemInformationBlockType31NBR17, ULCCCHMessageNB,
    ULDCCHMessageNB,
};
use rasn::{Decode, Encode};

/// Why an RRC message could not be decoded or encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RrcError {
    /// The bytes are not a valid UPER encoding of the message type.
    #[error("cannot decode {message}: {reason}")]
    Decode {
        /// The ASN.1 type that was expected.
        message: &'static str,
        /// The codec's description of the failure.
        reason: String,
    },
    /// The value breaks a constraint of its type (e.g. a list longer than its SIZE).
    #[error("cannot encode {message}: {reason}")]
    Encode {
        /// The ASN.1 type being encoded.
        message: &'static str,
        /// The codec's description of the failure.
        reason: String,
    },
}

fn decode_as<T: Decode>(message: &'static str, bytes: &[u8]) -> Result<T, RrcError> {
    rasn::uper::decode::<T>(bytes).map_err(|e| RrcError::Decode {
        message,
        reason: e.to_string(),
    })
}

/// Like [`decode_as`] for the channels whose PDUs fill a transport block with RRC-level
/// padding (TS 36.331 §8.5: PCCH and BCCH; zero bits, a multiple of 8): trailing zero octets
/// after the message are accepted, anything else after it is an error.
fn decode_padded<T: Decode>(message: &'static str, bytes: &[u8]) -> Result<T, RrcError> {
    let (value, rest) =
        rasn::uper::decode_with_remainder::<T>(bytes).map_err(|e| RrcError::Decode {
            message,
            reason: e.to_string(),
        })?;
    if rest.iter().any(|&b| b != 0) {
        return Err(RrcError::Decode {
            message,
            reason: format!(
                "{} octets after the message are not zero padding",
                rest.len()
            ),
        });
    }
    Ok(value)
}

/// UPER-encodes any generated RRC value; `message` names it in the error.
pub fn encode<T: Encode>(message: &'static str, value: &T) -> Result<Vec<u8>, RrcError> {
    rasn::uper::encode(value).map_err(|e| RrcError::Encode {
        message,
        reason: e.to_string(),
    })
}

/// Decodes a BCCH-BCH-Message-NB (MIB-NB). Zero padding after it is accepted (§8.5).
pub fn decode_bcch_bch(bytes: &[u8]) -> Result<BCCHBCHMessageNB, RrcError> {
    decode_padded("BCCH-BCH-Message-NB", bytes)
}

/// Decodes a BCCH-DL-SCH-Message-NB (SystemInformation-NB or SystemInformationBlockType1-NB).
/// Zero padding to the transport block size after it is accepted (§8.5).
pub fn decode_bcch_dl_sch(bytes: &[u8]) -> Result<BCCHDLSCHMessageNB, RrcError> {
    decode_padded("BCCH-DL-SCH-Message-NB", bytes)
}

/// Decodes a bare SystemInformationBlockType1-NB (as carried in an RRC container).
pub fn decode_sib1(bytes: &[u8]) -> Result<SystemInformationBlockType1NB, RrcError> {
    decode_as("SystemInformationBlockType1-NB", bytes)
}

/// Decodes a bare SystemInformationBlockType31-NB-r17 (as in dedicated signalling).
pub fn decode_sib31(bytes: &[u8]) -> Result<SystemInformationBlockType31NBR17, RrcError> {
    decode_as("SystemInformationBlockType31-NB-r17", bytes)
}

/// Decodes a DL-CCCH-Message-NB (RRCConnectionSetup-NB, -Reject, -Reestablishment, EDT…).
pub fn decode_dl_ccch(bytes: &[u8]) -> Result<DLCCCHMessageNB, RrcError> {
    decode_as("DL-CCCH-Message-NB", bytes)
}

/// Decodes a UL-CCCH-Message-NB (RRCConnectionRequest-NB, -ResumeRequest, EarlyDataRequest…).
pub fn decode_ul_ccch(bytes: &[u8]) -> Result<ULCCCHMessageNB, RrcError> {
    decode_as("UL-CCCH-Message-NB", bytes)
}

/// Decodes a DL-DCCH-Message-NB (DLInformationTransfer-NB, RRCConnectionRelease-NB,
/// SecurityModeCommand…).
pub fn decode_dl_dcch(bytes: &[u8]) -> Result<DLDCCHMessageNB, RrcError> {
    decode_as("DL-DCCH-Message-NB", bytes)
}

/// Decodes a UL-DCCH-Message-NB (RRCConnectionSetupComplete-NB, ULInformationTransfer-NB,
/// SecurityModeComplete…).
pub fn decode_ul_dcch(bytes: &[u8]) -> Result<ULDCCHMessageNB, RrcError> {
    decode_as("UL-DCCH-Message-NB", bytes)
}

/// Decodes a PCCH-Message-NB (Paging-NB). Zero padding after it is accepted (§8.5).
pub fn decode_pcch(bytes: &[u8]) -> Result<PCCHMessageNB, RrcError> {
    decode_padded("PCCH-Message-NB", bytes)
}

/// The SIB31-NB entries of a BCCH-DL-SCH-Message-NB (an SI message may carry several SIBs).
pub fn sib31_in(
    msg: &ntn_rrc_asn1::BCCHDLSCHMessageNB,
) -> impl Iterator<Item = &SystemInformationBlockType31NBR17> {
    use ntn_rrc_asn1::{
        BCCHDLSCHMessageTypeNB, BCCHDLSCHMessageTypeNBC1, SystemInformationNBCriticalExtensions,
        SystemInformationNBR13IEsSibTypeAndInfoR13Item as Sib,
    };
    let sibs: &[Sib] = match &msg.message {
        BCCHDLSCHMessageTypeNB::C1(BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si)) => {
            match &si.critical_extensions {
                SystemInformationNBCriticalExtensions::SystemInformationR13(ies) => {
                    &ies.sib_type_and_info_r13
                }
                SystemInformationNBCriticalExtensions::CriticalExtensionsFuture(_) => &[],
            }
        }
        _ => &[],
    };
    sibs.iter().filter_map(|s| match s {
        Sib::Sib31V1700(sib) => Some(sib),
        _ => None,
    })
}
