//! NAS for the ntn stack: EPS NAS (TS 24.301) codecs and NAS security; 5GS NAS (TS 24.501)
//! later.
//!
//! What is here:
//! - [`eps`]: the EPS NAS message layer. [`eps::NasMessage::parse`] splits a received PDU into
//!   plain EMM / ESM messages or a security-protected envelope (TS 24.301 §9.1, §9.3.1);
//!   every EMM message type of TS 24.301 table 9.8.1 typed (attach, detach, TAU, service
//!   request / extended / control plane, service accept/reject, GUTI reallocation,
//!   authentication incl. AUTS, security mode, identity, EMM information/status, CS service
//!   notification, (generic) NAS transport), and the ESM messages for PDN connectivity and ESM
//!   DATA TRANSPORT (CIoT data over NAS), each with `parse` and `emit`.
//! - [`eps::security`]: the EPS NAS security context: MAC check and ciphering with NAS COUNT,
//!   overflow and replay handling (TS 24.301 §4.4.3, TS 33.401 §8), on `ntn-security`.
//!
//! Decoders take untrusted bytes and return [`DecodeError`]; they never panic. Optional
//! information elements are kept in the order received, whether known or not, so `emit`
//! reproduces what `parse` saw; typed getters read the known ones. Unknown message types
//! decode to `Unknown` variants.
//!
//! - [`eps::ue`], [`eps::usim`]: the UE side of attach (AKA on a USIM model with SQN
//!   management, security mode control, T3410), ESM DATA TRANSPORT, tracking area update
//!   (periodic on T3412, normal on a new TA), service request (CONTROL PLANE SERVICE REQUEST
//!   with partial ciphering, SERVICE REQUEST with short MAC), paging response, GUTI
//!   reallocation; sans-IO on virtual time, timer values per access ([`timers`], NTN).
//! - [`eps::mme`]: a minimal MME + HSS peer for the simulator, any number of UEs on
//!   caller-named connections (AKA vectors, resynchronisation from AUTS, SMC, attach accept
//!   with a default bearer, TAU, service request, paging of idle UEs, T3450/T3460/T3413,
//!   data echo).
//!
//! - [`fivegs`]: 5GS NAS (TS 24.501) codecs: 25 5GMM and 7 5GSM message types, the 5GS mobile
//!   identity (SUCI null scheme, 5G-GUTI, 5G-S-TMSI); the same security context in its 5GS
//!   flavour; [`fivegs::procedures`]: UE registration with 5G AKA, SMC and a PDU session,
//!   mobility and periodic registration update (T3512), service request and paging, against a
//!   minimal multi-UE AMF + AUSF + UDM with the same connection surface as the MME.
//!
//! Not here yet: the detach / deregistration procedure state machines (the messages are
//! typed), 5GS CIoT user data over NAS.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod conformance;
mod connections;
pub mod eps;
mod error;
pub mod fivegs;
pub mod ie;
mod reader;
mod retransmit;
pub mod timers;

pub use error::{DecodeError, EncodeError, SendError};

/// The specification's name of a message (TS 24.301 tables 9.8.1/9.8.2, TS 24.501 tables
/// 9.7.1/9.7.2), e.g. "ATTACH REQUEST", from its (extended) protocol discriminator — EMM 0x07,
/// ESM 0x02, 5GMM 0x7E, 5GSM 0x2E — and message type; `None` for types we do not know.
pub fn message_name(discriminator: u8, message_type: u8) -> Option<&'static str> {
    let names = match discriminator {
        0x07 => eps::emm::message_type::NAMES,
        0x02 => eps::esm::message_type::NAMES,
        0x7e => fivegs::mm::message_type::NAMES,
        0x2e => fivegs::sm::message_type::NAMES,
        _ => return None,
    };
    names
        .iter()
        .find(|(t, _)| *t == message_type)
        .map(|(_, n)| *n)
}
