//! Builders for the RRC messages the procedures send, as generated ASN.1 values (UPER comes
//! from the codec; nothing here packs bits). Used by the UE and cell sides and by tests.

use ntn_rrc_asn1::rasn::types::{BitString, OctetString};
use ntn_rrc_asn1::{
    CQINPDCCHNBR14, DLCCCHMessageNB, DLCCCHMessageTypeNB, DLCCCHMessageTypeNBC1, DLDCCHMessageNB,
    DLDCCHMessageTypeNB, DLDCCHMessageTypeNBC1, DLInformationTransferNB,
    DLInformationTransferNBCriticalExtensions, DLInformationTransferNBCriticalExtensionsC1,
    DLInformationTransferNBR13IEs, DedicatedInfoNAS, EstablishmentCauseNBR13, InitialUEIdentity,
    MMEC, NextHopChainingCount, RRCConnectionRejectNB, RRCConnectionRejectNBCriticalExtensions,
    RRCConnectionRejectNBCriticalExtensionsC1, RRCConnectionRejectNBR13IEs, RRCConnectionReleaseNB,
    RRCConnectionReleaseNBCriticalExtensions, RRCConnectionReleaseNBCriticalExtensionsC1,
    RRCConnectionReleaseNBR13IEs, RRCConnectionRequestNB, RRCConnectionRequestNBCriticalExtensions,
    RRCConnectionRequestNBR13IEs, RRCConnectionResumeCompleteNB,
    RRCConnectionResumeCompleteNBCriticalExtensions, RRCConnectionResumeCompleteNBR13IEs,
    RRCConnectionResumeNB, RRCConnectionResumeNBCriticalExtensions,
    RRCConnectionResumeNBCriticalExtensionsC1, RRCConnectionResumeNBR13IEs,
    RRCConnectionResumeRequestNB, RRCConnectionResumeRequestNBCriticalExtensions,
    RRCConnectionResumeRequestNBR13IEs, RRCConnectionSetupCompleteNB,
    RRCConnectionSetupCompleteNBCriticalExtensions, RRCConnectionSetupCompleteNBR13IEs,
    RRCConnectionSetupNB, RRCConnectionSetupNBCriticalExtensions,
    RRCConnectionSetupNBCriticalExtensionsC1, RRCConnectionSetupNBR13IEs,
    RRCEarlyDataCompleteNBR15, RRCEarlyDataCompleteNBR15CriticalExtensions,
    RRCEarlyDataCompleteNBR15IEs, RRCEarlyDataRequestNBR15,
    RRCEarlyDataRequestNBR15CriticalExtensions, RRCEarlyDataRequestNBR15IEs,
    RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15, RRCTransactionIdentifier,
    RadioResourceConfigDedicatedNBR13, ReleaseCauseNBR13, ResumeIdentityR13, STMSI,
    SecurityAlgorithmConfig, SecurityConfigSMC, SecurityModeCommand,
    SecurityModeCommandCriticalExtensions, SecurityModeCommandCriticalExtensionsC1,
    SecurityModeCommandR8IEs, SecurityModeComplete, SecurityModeCompleteCriticalExtensions,
    SecurityModeCompleteR8IEs, SecurityModeFailure, SecurityModeFailureCriticalExtensions,
    SecurityModeFailureR8IEs, ShortMACI, ULCCCHMessageNB, ULCCCHMessageTypeNB,
    ULCCCHMessageTypeNBC1, ULDCCHMessageNB, ULDCCHMessageTypeNB, ULDCCHMessageTypeNBC1,
    ULInformationTransferNB, ULInformationTransferNBCriticalExtensions,
    ULInformationTransferNBR13IEs,
};

/// S-TMSI (TS 23.003): MME code and M-TMSI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct STmsi {
    /// MMEC (8 bits).
    pub mmec: u8,
    /// M-TMSI (32 bits).
    pub m_tmsi: u32,
}

impl STmsi {
    /// As the ASN.1 `S-TMSI`.
    pub fn to_asn1(self) -> STMSI {
        STMSI::new(
            MMEC(BitString::from_slice(&[self.mmec])),
            BitString::from_slice(&self.m_tmsi.to_be_bytes()),
        )
    }

    /// From the ASN.1 `S-TMSI` (sizes are fixed by the type, so this cannot fail on decoded
    /// values; a hand-built value of the wrong size reads as zero-padded).
    pub fn from_asn1(s: &STMSI) -> Self {
        Self {
            mmec: bits_to_u64(&s.mmec.0) as u8,
            m_tmsi: bits_to_u64(&s.m_tmsi) as u32,
        }
    }
}

/// The UE identity of an RRCConnectionRequest-NB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UeIdentity {
    /// The S-TMSI from NAS, when the UE is registered.
    STmsi(STmsi),
    /// A 40-bit random value (the low 40 bits are used).
    Random(u64),
}

impl UeIdentity {
    /// As the ASN.1 `InitialUE-Identity`.
    pub fn to_asn1(self) -> InitialUEIdentity {
        match self {
            UeIdentity::STmsi(s) => InitialUEIdentity::STMSI(s.to_asn1()),
            UeIdentity::Random(v) => {
                InitialUEIdentity::RandomValue(BitString::from_slice(&v.to_be_bytes()[3..]))
            }
        }
    }

    /// From the ASN.1 `InitialUE-Identity`.
    pub fn from_asn1(id: &InitialUEIdentity) -> Self {
        match id {
            InitialUEIdentity::STMSI(s) => UeIdentity::STmsi(STmsi::from_asn1(s)),
            InitialUEIdentity::RandomValue(b) => UeIdentity::Random(bits_to_u64(b)),
        }
    }
}

/// Big-endian value of a bit string of at most 64 bits (longer strings keep the low 64).
pub(crate) fn bits_to_u64(b: &BitString) -> u64 {
    b.iter().fold(0u64, |acc, bit| (acc << 1) | u64::from(*bit))
}

fn nas(bytes: &[u8]) -> DedicatedInfoNAS {
    DedicatedInfoNAS(OctetString::from_slice(bytes))
}

fn tid(transaction: u8) -> RRCTransactionIdentifier {
    RRCTransactionIdentifier(transaction & 3)
}

fn ul_ccch(c1: ULCCCHMessageTypeNBC1) -> ULCCCHMessageNB {
    ULCCCHMessageNB::new(ULCCCHMessageTypeNB::C1(c1))
}

fn dl_ccch(c1: DLCCCHMessageTypeNBC1) -> DLCCCHMessageNB {
    DLCCCHMessageNB::new(DLCCCHMessageTypeNB::C1(c1))
}

fn ul_dcch(c1: ULDCCHMessageTypeNBC1) -> ULDCCHMessageNB {
    ULDCCHMessageNB::new(ULDCCHMessageTypeNB::C1(c1))
}

fn dl_dcch(c1: DLDCCHMessageTypeNBC1) -> DLDCCHMessageNB {
    DLDCCHMessageNB::new(DLDCCHMessageTypeNB::C1(c1))
}

/// RRCConnectionRequest-NB (UL-CCCH).
pub fn connection_request(identity: UeIdentity, cause: EstablishmentCauseNBR13) -> ULCCCHMessageNB {
    let ies = RRCConnectionRequestNBR13IEs::new(
        identity.to_asn1(),
        cause,
        None,
        None,
        false,
        CQINPDCCHNBR14::NoMeasurements,
        BitString::repeat(false, 17),
    );
    ul_ccch(ULCCCHMessageTypeNBC1::RrcConnectionRequestR13(
        RRCConnectionRequestNB::new(
            RRCConnectionRequestNBCriticalExtensions::RrcConnectionRequestR13(ies),
        ),
    ))
}

/// RRCConnectionResumeRequest-NB (UL-CCCH). `resume_identity` is the 40-bit resumeIdentity from
/// the release that suspended the connection; `short_resume_mac_i` is computed by PDCP.
pub fn resume_request(
    resume_identity: [u8; 5],
    short_resume_mac_i: [u8; 2],
    cause: EstablishmentCauseNBR13,
) -> ULCCCHMessageNB {
    let ies = RRCConnectionResumeRequestNBR13IEs::new(
        ResumeIdentityR13(BitString::from_slice(&resume_identity)),
        ShortMACI(BitString::from_slice(&short_resume_mac_i)),
        cause,
        false,
        CQINPDCCHNBR14::NoMeasurements,
        false,
        BitString::repeat(false, 3),
    );
    ul_ccch(ULCCCHMessageTypeNBC1::RrcConnectionResumeRequestR13(
        RRCConnectionResumeRequestNB::new(
            RRCConnectionResumeRequestNBCriticalExtensions::RrcConnectionResumeRequestR13(ies),
        ),
    ))
}

/// RRCEarlyDataRequest-NB (UL-CCCH): control-plane EDT with the NAS message inside.
pub fn early_data_request(
    s_tmsi: STmsi,
    cause: RRCEarlyDataRequestNBR15IEsEstablishmentCauseR15,
    nas_pdu: &[u8],
) -> ULCCCHMessageNB {
    let ies = RRCEarlyDataRequestNBR15IEs::new(s_tmsi.to_asn1(), cause, None, nas(nas_pdu), None);
    ul_ccch(ULCCCHMessageTypeNBC1::RrcEarlyDataRequestR15(
        RRCEarlyDataRequestNBR15::new(
            RRCEarlyDataRequestNBR15CriticalExtensions::RrcEarlyDataRequestR15(ies),
        ),
    ))
}

/// RRCConnectionSetup-NB (DL-CCCH).
pub fn connection_setup(
    transaction: u8,
    config: RadioResourceConfigDedicatedNBR13,
) -> DLCCCHMessageNB {
    let ies = RRCConnectionSetupNBR13IEs::new(config, None, None);
    dl_ccch(DLCCCHMessageTypeNBC1::RrcConnectionSetupR13(
        RRCConnectionSetupNB::new(
            tid(transaction),
            RRCConnectionSetupNBCriticalExtensions::C1(
                RRCConnectionSetupNBCriticalExtensionsC1::RrcConnectionSetupR13(ies),
            ),
        ),
    ))
}

/// RRCConnectionReject-NB (DL-CCCH) with extendedWaitTime in seconds (1..=1800).
pub fn connection_reject(extended_wait_time_s: u16) -> DLCCCHMessageNB {
    let ies =
        RRCConnectionRejectNBR13IEs::new(extended_wait_time_s.clamp(1, 1800), None, None, None);
    dl_ccch(DLCCCHMessageTypeNBC1::RrcConnectionRejectR13(
        RRCConnectionRejectNB::new(RRCConnectionRejectNBCriticalExtensions::C1(
            RRCConnectionRejectNBCriticalExtensionsC1::RrcConnectionRejectR13(ies),
        )),
    ))
}

/// RRCEarlyDataComplete-NB (DL-CCCH), optionally with a downlink NAS message.
pub fn early_data_complete(nas_pdu: Option<&[u8]>) -> DLCCCHMessageNB {
    let ies = RRCEarlyDataCompleteNBR15IEs::new(nas_pdu.map(nas), None, None, None, None);
    dl_ccch(DLCCCHMessageTypeNBC1::RrcEarlyDataCompleteR15(
        RRCEarlyDataCompleteNBR15::new(
            RRCEarlyDataCompleteNBR15CriticalExtensions::RrcEarlyDataCompleteR15(ies),
        ),
    ))
}

/// RRCConnectionSetupComplete-NB (UL-DCCH) carrying the initial NAS message.
pub fn setup_complete(transaction: u8, selected_plmn: u8, nas_pdu: &[u8]) -> ULDCCHMessageNB {
    let ies = RRCConnectionSetupCompleteNBR13IEs::new(
        selected_plmn.clamp(1, 6),
        None,
        None,
        nas(nas_pdu),
        None,
        None,
        None,
        None,
    );
    ul_dcch(ULDCCHMessageTypeNBC1::RrcConnectionSetupCompleteR13(
        RRCConnectionSetupCompleteNB::new(
            tid(transaction),
            RRCConnectionSetupCompleteNBCriticalExtensions::RrcConnectionSetupCompleteR13(ies),
        ),
    ))
}

/// RRCConnectionResume-NB (DL-DCCH).
pub fn connection_resume(
    transaction: u8,
    config: Option<RadioResourceConfigDedicatedNBR13>,
    next_hop_chaining_count: u8,
) -> DLDCCHMessageNB {
    let ies = RRCConnectionResumeNBR13IEs::new(
        config,
        NextHopChainingCount(next_hop_chaining_count & 7),
        None,
        None,
        None,
    );
    dl_dcch(DLDCCHMessageTypeNBC1::RrcConnectionResumeR13(
        RRCConnectionResumeNB::new(
            tid(transaction),
            RRCConnectionResumeNBCriticalExtensions::C1(
                RRCConnectionResumeNBCriticalExtensionsC1::RrcConnectionResumeR13(ies),
            ),
        ),
    ))
}

/// RRCConnectionResumeComplete-NB (UL-DCCH), optionally with a NAS message.
pub fn resume_complete(
    transaction: u8,
    selected_plmn: u8,
    nas_pdu: Option<&[u8]>,
) -> ULDCCHMessageNB {
    let ies = RRCConnectionResumeCompleteNBR13IEs::new(
        Some(selected_plmn.clamp(1, 6)),
        nas_pdu.map(nas),
        None,
        None,
    );
    ul_dcch(ULDCCHMessageTypeNBC1::RrcConnectionResumeCompleteR13(
        RRCConnectionResumeCompleteNB::new(
            tid(transaction),
            RRCConnectionResumeCompleteNBCriticalExtensions::RrcConnectionResumeCompleteR13(ies),
        ),
    ))
}

/// DLInformationTransfer-NB (DL-DCCH) carrying a NAS message.
pub fn dl_information_transfer(transaction: u8, nas_pdu: &[u8]) -> DLDCCHMessageNB {
    let ies = DLInformationTransferNBR13IEs::new(nas(nas_pdu), None, None);
    dl_dcch(DLDCCHMessageTypeNBC1::DlInformationTransferR13(
        DLInformationTransferNB::new(
            tid(transaction),
            DLInformationTransferNBCriticalExtensions::C1(
                DLInformationTransferNBCriticalExtensionsC1::DlInformationTransferR13(ies),
            ),
        ),
    ))
}

/// ULInformationTransfer-NB (UL-DCCH) carrying a NAS message.
pub fn ul_information_transfer(nas_pdu: &[u8]) -> ULDCCHMessageNB {
    let ies = ULInformationTransferNBR13IEs::new(nas(nas_pdu), None, None);
    ul_dcch(ULDCCHMessageTypeNBC1::UlInformationTransferR13(
        ULInformationTransferNB::new(
            ULInformationTransferNBCriticalExtensions::UlInformationTransferR13(ies),
        ),
    ))
}

/// RRCConnectionRelease-NB (DL-DCCH). `resume_identity` is included when the cause is
/// `rrc-Suspend`; `extended_wait_time_s` (1..=1800) is optional.
pub fn connection_release(
    transaction: u8,
    cause: ReleaseCauseNBR13,
    resume_identity: Option<[u8; 5]>,
    extended_wait_time_s: Option<u16>,
) -> DLDCCHMessageNB {
    let ies = RRCConnectionReleaseNBR13IEs::new(
        cause,
        resume_identity.map(|r| ResumeIdentityR13(BitString::from_slice(&r))),
        extended_wait_time_s.map(|w| w.clamp(1, 1800)),
        None,
        None,
        None,
    );
    dl_dcch(DLDCCHMessageTypeNBC1::RrcConnectionReleaseR13(
        RRCConnectionReleaseNB::new(
            tid(transaction),
            RRCConnectionReleaseNBCriticalExtensions::C1(
                RRCConnectionReleaseNBCriticalExtensionsC1::RrcConnectionReleaseR13(ies),
            ),
        ),
    ))
}

/// SecurityModeCommand (DL-DCCH) selecting the AS algorithms.
pub fn security_mode_command(
    transaction: u8,
    algorithms: SecurityAlgorithmConfig,
) -> DLDCCHMessageNB {
    let ies = SecurityModeCommandR8IEs::new(SecurityConfigSMC::new(algorithms), None);
    dl_dcch(DLDCCHMessageTypeNBC1::SecurityModeCommandR13(
        SecurityModeCommand::new(
            tid(transaction),
            SecurityModeCommandCriticalExtensions::C1(
                SecurityModeCommandCriticalExtensionsC1::SecurityModeCommandR8(ies),
            ),
        ),
    ))
}

/// SecurityModeComplete (UL-DCCH).
pub fn security_mode_complete(transaction: u8) -> ULDCCHMessageNB {
    ul_dcch(ULDCCHMessageTypeNBC1::SecurityModeCompleteR13(
        SecurityModeComplete::new(
            tid(transaction),
            SecurityModeCompleteCriticalExtensions::SecurityModeCompleteR8(
                SecurityModeCompleteR8IEs::new(None),
            ),
        ),
    ))
}

/// SecurityModeFailure (UL-DCCH).
pub fn security_mode_failure(transaction: u8) -> ULDCCHMessageNB {
    ul_dcch(ULDCCHMessageTypeNBC1::SecurityModeFailureR13(
        SecurityModeFailure::new(
            tid(transaction),
            SecurityModeFailureCriticalExtensions::SecurityModeFailureR8(
                SecurityModeFailureR8IEs::new(None),
            ),
        ),
    ))
}
