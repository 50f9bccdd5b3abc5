//! The RRC-NB messages the two stacks exchange (TS 36.331 Rel-17), built and read with the
//! types `ntn-rrc` generates from the spec's ASN.1 and its UPER codec — nothing here packs
//! bits by hand.
//!
//! Only what the connection needs: MIB-NB, SIB1-NB, the SystemInformation-NB message that
//! carries SIB31-NB, RRCConnectionRequest-NB, RRCConnectionSetup-NB,
//! RRCConnectionSetupComplete-NB, DL/ULInformationTransfer-NB and RRCConnectionRelease-NB.
//! The RRC *procedures* (SI validity bookkeeping, timers) live in the stacks that use them.

use ntn_rrc::asn1::rasn::types::{BitString, OctetString};
use ntn_rrc::asn1::{
    BCCHBCHMessageNB, BCCHBCHMessageTypeNB, BCCHDLSCHMessageNB, BCCHDLSCHMessageTypeNB,
    BCCHDLSCHMessageTypeNBC1, CQINPDCCHNBR14, CellIdentity, DLCCCHMessageNB, DLCCCHMessageTypeNB,
    DLCCCHMessageTypeNBC1, DLDCCHMessageNB, DLDCCHMessageTypeNB, DLDCCHMessageTypeNBC1,
    DLInformationTransferNB, DLInformationTransferNBCriticalExtensions,
    DLInformationTransferNBCriticalExtensionsC1, DLInformationTransferNBR13IEs, DedicatedInfoNAS,
    EstablishmentCauseNBR13, FreqBandIndicatorNBR13, InitialUEIdentity, MCC, MCCMNCDigit, MNC,
    MasterInformationBlockNB, MasterInformationBlockNBOperationModeInfoR13,
    MasterInformationBlockNBPartEARFCN17, PLMNIdentity, PLMNIdentityInfoNBR13,
    PLMNIdentityInfoNBR13CellReservedForOperatorUseR13, PLMNIdentityListNBR13, QQualMinR9,
    QRxLevMin, RRCConnectionReleaseNB, RRCConnectionReleaseNBCriticalExtensions,
    RRCConnectionReleaseNBCriticalExtensionsC1, RRCConnectionReleaseNBR13IEs,
    RRCConnectionRequestNB, RRCConnectionRequestNBCriticalExtensions, RRCConnectionRequestNBR13IEs,
    RRCConnectionSetupCompleteNB, RRCConnectionSetupCompleteNBCriticalExtensions,
    RRCConnectionSetupCompleteNBR13IEs, RRCConnectionSetupNB,
    RRCConnectionSetupNBCriticalExtensions, RRCConnectionSetupNBCriticalExtensionsC1,
    RRCConnectionSetupNBR13IEs, RRCTransactionIdentifier, RadioResourceConfigDedicatedNBR13,
    ReleaseCauseNBR13, SIBMappingInfoNBR13, SchedulingInfoListNBR13, SchedulingInfoNBR13,
    SchedulingInfoNBR13SiPeriodicityR13, SchedulingInfoNBR13SiRepetitionPatternR13,
    SchedulingInfoNBR13SiTBR13, StandaloneNBR13, SystemInformationBlockType1NB,
    SystemInformationBlockType1NBCellAccessRelatedInfoR13,
    SystemInformationBlockType1NBCellAccessRelatedInfoR13CellBarredR13,
    SystemInformationBlockType1NBCellAccessRelatedInfoR13IntraFreqReselectionR13,
    SystemInformationBlockType1NBCellSelectionInfoR13,
    SystemInformationBlockType1NBSiWindowLengthR13, SystemInformationBlockType31NBR17,
    SystemInformationNB, SystemInformationNBCriticalExtensions, SystemInformationNBR13IEs,
    SystemInformationNBR13IEsSibTypeAndInfoR13Item, TrackingAreaCode, ULCCCHMessageNB,
    ULCCCHMessageTypeNB, ULCCCHMessageTypeNBC1, ULDCCHMessageNB, ULDCCHMessageTypeNB,
    ULDCCHMessageTypeNBC1, ULInformationTransferNB, ULInformationTransferNBCriticalExtensions,
    ULInformationTransferNBR13IEs,
};
use ntn_rrc::{RrcError, encode};

/// An SI periodicity of SIB1-NB's schedulingInfoList (radio frames).
pub const SI_PERIODS_RF: [u16; 7] = [64, 128, 256, 512, 1024, 2048, 4096];

fn bits(value: u64, n: usize) -> BitString {
    (0..n).rev().map(|i| (value >> i) & 1 == 1).collect()
}

fn bits_value(b: &BitString) -> u64 {
    b.iter().fold(0u64, |acc, bit| (acc << 1) | u64::from(*bit))
}

/// What the UE learns from MIB-NB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MibInfo {
    /// The 4 MSBs of the SFN (the NPBCH TTI gives the 6 LSBs: it starts at SFN mod 64 = 0).
    pub sfn_msb4: u8,
    /// The 2 LSBs of the H-SFN.
    pub hsfn_lsb2: u8,
    /// schedulingInfoSIB1-r13.
    pub sib1_scheduling: u8,
    /// systemInfoValueTag-r13.
    pub value_tag: u8,
}

impl MibInfo {
    /// The SFN of the frame in which this MIB's TTI starts.
    pub fn sfn(&self) -> u16 {
        u16::from(self.sfn_msb4) << 6
    }
}

/// BCCH-BCH-Message-NB for the TTI starting at `sfn` (a multiple of 64) of `hsfn`.
pub fn mib(sfn: u16, hsfn: u16, sib1_scheduling: u8, value_tag: u8) -> Result<Vec<u8>, RrcError> {
    let m = MasterInformationBlockNB::new(
        bits(u64::from(sfn >> 6) & 0xf, 4),
        bits(u64::from(hsfn) & 0x3, 2),
        sib1_scheduling & 0xf,
        value_tag & 0x1f,
        false,
        MasterInformationBlockNBOperationModeInfoR13::StandaloneR13(StandaloneNBR13::new(bits(
            0, 5,
        ))),
        false,
        false,
        MasterInformationBlockNBPartEARFCN17::Spare(bits(0, 2)),
        bits(0, 6),
    );
    encode(
        "BCCH-BCH-Message-NB",
        &BCCHBCHMessageNB::new(BCCHBCHMessageTypeNB(m)),
    )
}

/// Reads a MIB-NB.
pub fn read_mib(bytes: &[u8]) -> Result<MibInfo, RrcError> {
    let m = ntn_rrc::decode_bcch_bch(bytes)?.message.0;
    Ok(MibInfo {
        sfn_msb4: bits_value(&m.system_frame_number_msb_r13) as u8,
        hsfn_lsb2: bits_value(&m.hyper_sfn_lsb_r13) as u8,
        sib1_scheduling: m.scheduling_info_sib1_r13,
        value_tag: m.system_info_value_tag_r13,
    })
}

/// The cell parameters SIB1-NB carries here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sib1Info {
    /// The 8 MSBs of the H-SFN.
    pub hsfn_msb8: u8,
    /// cellIdentity (28 bits).
    pub cell_id: u32,
    /// trackingAreaCode.
    pub tac: u16,
    /// freqBandIndicator.
    pub band: u16,
    /// si-Periodicity of the (only) SI message, radio frames.
    pub si_period_rf: u16,
    /// PLMN as MCC and MNC digits (3 + 2).
    pub plmn: [u8; 5],
}

fn digits(d: &[u8]) -> Vec<MCCMNCDigit> {
    d.iter().map(|&x| MCCMNCDigit(x % 10)).collect()
}

/// BCCH-DL-SCH-Message-NB carrying SIB1-NB. One SI message is scheduled; it carries SIB31-NB
/// (its mapping is signalled by the Rel-17 extension this builder leaves out, see the module
/// docs of the stacks).
pub fn sib1(info: &Sib1Info) -> Result<Vec<u8>, RrcError> {
    let period = match info.si_period_rf {
        64 => SchedulingInfoNBR13SiPeriodicityR13::Rf64,
        128 => SchedulingInfoNBR13SiPeriodicityR13::Rf128,
        256 => SchedulingInfoNBR13SiPeriodicityR13::Rf256,
        512 => SchedulingInfoNBR13SiPeriodicityR13::Rf512,
        1024 => SchedulingInfoNBR13SiPeriodicityR13::Rf1024,
        2048 => SchedulingInfoNBR13SiPeriodicityR13::Rf2048,
        4096 => SchedulingInfoNBR13SiPeriodicityR13::Rf4096,
        _ => {
            return Err(RrcError::Encode {
                message: "SystemInformationBlockType1-NB",
                reason: format!("si-Periodicity of {} frames", info.si_period_rf),
            });
        }
    };
    let plmn = PLMNIdentity::new(
        Some(MCC(digits(&info.plmn[..3]))),
        MNC(digits(&info.plmn[3..])),
    );
    let access = SystemInformationBlockType1NBCellAccessRelatedInfoR13::new(
        PLMNIdentityListNBR13(vec![PLMNIdentityInfoNBR13::new(
            plmn,
            PLMNIdentityInfoNBR13CellReservedForOperatorUseR13::NotReserved,
            None,
        )]),
        TrackingAreaCode(bits(u64::from(info.tac), 16)),
        CellIdentity(bits(u64::from(info.cell_id) & 0x0fff_ffff, 28)),
        SystemInformationBlockType1NBCellAccessRelatedInfoR13CellBarredR13::NotBarred,
        SystemInformationBlockType1NBCellAccessRelatedInfoR13IntraFreqReselectionR13::Allowed,
    );
    let sched = SchedulingInfoNBR13::new(
        period,
        SchedulingInfoNBR13SiRepetitionPatternR13::Every2ndRF,
        SIBMappingInfoNBR13(vec![]),
        SchedulingInfoNBR13SiTBR13::B440,
    );
    let s = SystemInformationBlockType1NB::new(
        bits(u64::from(info.hsfn_msb8), 8),
        access,
        SystemInformationBlockType1NBCellSelectionInfoR13::new(QRxLevMin(-70), QQualMinR9(-34)),
        None,
        FreqBandIndicatorNBR13(info.band.clamp(1, 256)),
        None,
        None,
        None,
        None,
        None,
        SchedulingInfoListNBR13(vec![sched]),
        SystemInformationBlockType1NBSiWindowLengthR13::Ms160,
        None,
        None,
        None,
        None,
    );
    encode(
        "BCCH-DL-SCH-Message-NB",
        &BCCHDLSCHMessageNB::new(BCCHDLSCHMessageTypeNB::C1(
            BCCHDLSCHMessageTypeNBC1::SystemInformationBlockType1R13(s),
        )),
    )
}

/// A BCCH-DL-SCH message as the UE sorts it.
#[derive(Clone, Debug, PartialEq)]
pub enum BcchDlSch {
    /// SIB1-NB.
    Sib1(Sib1Info),
    /// A SystemInformation-NB message; its SIB31-NB if it carries one.
    Si(Option<Box<SystemInformationBlockType31NBR17>>),
}

/// Reads a BCCH-DL-SCH-Message-NB.
pub fn read_bcch_dl_sch(bytes: &[u8]) -> Result<BcchDlSch, RrcError> {
    let msg = ntn_rrc::decode_bcch_dl_sch(bytes)?;
    if let BCCHDLSCHMessageTypeNB::C1(BCCHDLSCHMessageTypeNBC1::SystemInformationBlockType1R13(s)) =
        &msg.message
    {
        let a = &s.cell_access_related_info_r13;
        let mut plmn = [0u8; 5];
        if let Some(p) = a.plmn_identity_list_r13.0.first() {
            let id = &p.plmn_identity_r13;
            let mcc = id.mcc.as_ref().map(|m| m.0.clone()).unwrap_or_default();
            for (k, d) in mcc.iter().chain(id.mnc.0.iter()).take(5).enumerate() {
                plmn[k] = d.0;
            }
        }
        let period =
            s.scheduling_info_list_r13
                .0
                .first()
                .map_or(0, |x| match x.si_periodicity_r13 {
                    SchedulingInfoNBR13SiPeriodicityR13::Rf64 => 64,
                    SchedulingInfoNBR13SiPeriodicityR13::Rf128 => 128,
                    SchedulingInfoNBR13SiPeriodicityR13::Rf256 => 256,
                    SchedulingInfoNBR13SiPeriodicityR13::Rf512 => 512,
                    SchedulingInfoNBR13SiPeriodicityR13::Rf1024 => 1024,
                    SchedulingInfoNBR13SiPeriodicityR13::Rf2048 => 2048,
                    _ => 4096,
                });
        return Ok(BcchDlSch::Sib1(Sib1Info {
            hsfn_msb8: bits_value(&s.hyper_sfn_msb_r13) as u8,
            cell_id: bits_value(&a.cell_identity_r13.0) as u32,
            tac: bits_value(&a.tracking_area_code_r13.0) as u16,
            band: s.freq_band_indicator_r13.0,
            si_period_rf: period,
            plmn,
        }));
    }
    Ok(BcchDlSch::Si(
        ntn_rrc::sib31_in(&msg).next().cloned().map(Box::new),
    ))
}

/// BCCH-DL-SCH-Message-NB: a SystemInformation-NB carrying `sib31`.
pub fn si_with_sib31(sib31: SystemInformationBlockType31NBR17) -> Result<Vec<u8>, RrcError> {
    let si = SystemInformationNB::new(SystemInformationNBCriticalExtensions::SystemInformationR13(
        SystemInformationNBR13IEs::new(
            vec![SystemInformationNBR13IEsSibTypeAndInfoR13Item::Sib31V1700(
                sib31,
            )],
            None,
            None,
        ),
    ));
    encode(
        "BCCH-DL-SCH-Message-NB",
        &BCCHDLSCHMessageNB::new(BCCHDLSCHMessageTypeNB::C1(
            BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si),
        )),
    )
}

/// UL-CCCH-Message-NB: RRCConnectionRequest-NB with a 40-bit random ue-Identity, mo-Data.
pub fn connection_request(random_id: u64) -> Result<Vec<u8>, RrcError> {
    let ies = RRCConnectionRequestNBR13IEs::new(
        InitialUEIdentity::RandomValue(bits(random_id & 0xff_ffff_ffff, 40)),
        EstablishmentCauseNBR13::MoData,
        None,
        None,
        false,
        CQINPDCCHNBR14::NoMeasurements,
        bits(0, 17),
    );
    let req = RRCConnectionRequestNB::new(
        RRCConnectionRequestNBCriticalExtensions::RrcConnectionRequestR13(ies),
    );
    encode(
        "UL-CCCH-Message-NB",
        &ULCCCHMessageNB::new(ULCCCHMessageTypeNB::C1(
            ULCCCHMessageTypeNBC1::RrcConnectionRequestR13(req),
        )),
    )
}

/// Whether a UL-CCCH message is an RRCConnectionRequest-NB.
pub fn is_connection_request(bytes: &[u8]) -> Result<bool, RrcError> {
    Ok(matches!(
        ntn_rrc::decode_ul_ccch(bytes)?.message,
        ULCCCHMessageTypeNB::C1(ULCCCHMessageTypeNBC1::RrcConnectionRequestR13(_))
    ))
}

/// DL-CCCH-Message-NB: RRCConnectionSetup-NB (SRB1bis with the default configuration of
/// TS 36.331 §9.2.1, nothing dedicated).
pub fn connection_setup(transaction: u8) -> Result<Vec<u8>, RrcError> {
    let rr = RadioResourceConfigDedicatedNBR13::new(None, None, None, None, None, None, None, None);
    let setup = RRCConnectionSetupNB::new(
        RRCTransactionIdentifier(transaction & 3),
        RRCConnectionSetupNBCriticalExtensions::C1(
            RRCConnectionSetupNBCriticalExtensionsC1::RrcConnectionSetupR13(
                RRCConnectionSetupNBR13IEs::new(rr, None, None),
            ),
        ),
    );
    encode(
        "DL-CCCH-Message-NB",
        &DLCCCHMessageNB::new(DLCCCHMessageTypeNB::C1(
            DLCCCHMessageTypeNBC1::RrcConnectionSetupR13(setup),
        )),
    )
}

/// The transaction identifier of an RRCConnectionSetup-NB, if that is what the bytes are.
pub fn read_connection_setup(bytes: &[u8]) -> Result<Option<u8>, RrcError> {
    Ok(match ntn_rrc::decode_dl_ccch(bytes)?.message {
        DLCCCHMessageTypeNB::C1(DLCCCHMessageTypeNBC1::RrcConnectionSetupR13(s)) => {
            Some(s.rrc_transaction_identifier.0)
        }
        _ => None,
    })
}

/// UL-DCCH-Message-NB: RRCConnectionSetupComplete-NB carrying the first NAS message.
pub fn setup_complete(transaction: u8, nas: &[u8]) -> Result<Vec<u8>, RrcError> {
    let ies = RRCConnectionSetupCompleteNBR13IEs::new(
        1,
        None,
        None,
        DedicatedInfoNAS(OctetString::from(nas.to_vec())),
        None,
        None,
        None,
        None,
    );
    let m = RRCConnectionSetupCompleteNB::new(
        RRCTransactionIdentifier(transaction & 3),
        RRCConnectionSetupCompleteNBCriticalExtensions::RrcConnectionSetupCompleteR13(ies),
    );
    encode(
        "UL-DCCH-Message-NB",
        &ULDCCHMessageNB::new(ULDCCHMessageTypeNB::C1(
            ULDCCHMessageTypeNBC1::RrcConnectionSetupCompleteR13(m),
        )),
    )
}

/// UL-DCCH-Message-NB: ULInformationTransfer-NB.
pub fn ul_information_transfer(nas: &[u8]) -> Result<Vec<u8>, RrcError> {
    let m = ULInformationTransferNB::new(
        ULInformationTransferNBCriticalExtensions::UlInformationTransferR13(
            ULInformationTransferNBR13IEs::new(
                DedicatedInfoNAS(OctetString::from(nas.to_vec())),
                None,
                None,
            ),
        ),
    );
    encode(
        "UL-DCCH-Message-NB",
        &ULDCCHMessageNB::new(ULDCCHMessageTypeNB::C1(
            ULDCCHMessageTypeNBC1::UlInformationTransferR13(m),
        )),
    )
}

/// What the cell does with a UL-DCCH message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UlDcch {
    /// RRCConnectionSetupComplete-NB with its NAS PDU.
    SetupComplete(Vec<u8>),
    /// ULInformationTransfer-NB with its NAS PDU.
    Nas(Vec<u8>),
    /// Anything else.
    Other,
}

/// Reads a UL-DCCH-Message-NB.
pub fn read_ul_dcch(bytes: &[u8]) -> Result<UlDcch, RrcError> {
    use ntn_rrc::asn1::{
        RRCConnectionSetupCompleteNBCriticalExtensions as Sc,
        ULInformationTransferNBCriticalExtensions as Ul,
    };
    Ok(match ntn_rrc::decode_ul_dcch(bytes)?.message {
        ULDCCHMessageTypeNB::C1(ULDCCHMessageTypeNBC1::RrcConnectionSetupCompleteR13(m)) => {
            match m.critical_extensions {
                Sc::RrcConnectionSetupCompleteR13(ies) => {
                    UlDcch::SetupComplete(ies.dedicated_info_nas_r13.0.to_vec())
                }
                _ => UlDcch::Other,
            }
        }
        ULDCCHMessageTypeNB::C1(ULDCCHMessageTypeNBC1::UlInformationTransferR13(m)) => {
            match m.critical_extensions {
                Ul::UlInformationTransferR13(ies) => {
                    UlDcch::Nas(ies.dedicated_info_nas_r13.0.to_vec())
                }
                _ => UlDcch::Other,
            }
        }
        _ => UlDcch::Other,
    })
}

/// DL-DCCH-Message-NB: DLInformationTransfer-NB.
pub fn dl_information_transfer(transaction: u8, nas: &[u8]) -> Result<Vec<u8>, RrcError> {
    let m = DLInformationTransferNB::new(
        RRCTransactionIdentifier(transaction & 3),
        DLInformationTransferNBCriticalExtensions::C1(
            DLInformationTransferNBCriticalExtensionsC1::DlInformationTransferR13(
                DLInformationTransferNBR13IEs::new(
                    DedicatedInfoNAS(OctetString::from(nas.to_vec())),
                    None,
                    None,
                ),
            ),
        ),
    );
    encode(
        "DL-DCCH-Message-NB",
        &DLDCCHMessageNB::new(DLDCCHMessageTypeNB::C1(
            DLDCCHMessageTypeNBC1::DlInformationTransferR13(m),
        )),
    )
}

/// DL-DCCH-Message-NB: RRCConnectionRelease-NB, cause other.
pub fn connection_release(transaction: u8) -> Result<Vec<u8>, RrcError> {
    let m = RRCConnectionReleaseNB::new(
        RRCTransactionIdentifier(transaction & 3),
        RRCConnectionReleaseNBCriticalExtensions::C1(
            RRCConnectionReleaseNBCriticalExtensionsC1::RrcConnectionReleaseR13(
                RRCConnectionReleaseNBR13IEs::new(
                    ReleaseCauseNBR13::Other,
                    None,
                    None,
                    None,
                    None,
                    None,
                ),
            ),
        ),
    );
    encode(
        "DL-DCCH-Message-NB",
        &DLDCCHMessageNB::new(DLDCCHMessageTypeNB::C1(
            DLDCCHMessageTypeNBC1::RrcConnectionReleaseR13(m),
        )),
    )
}

/// What the UE does with a DL-DCCH message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DlDcch {
    /// DLInformationTransfer-NB with its NAS PDU.
    Nas(Vec<u8>),
    /// RRCConnectionRelease-NB.
    Release,
    /// Anything else.
    Other,
}

/// Reads a DL-DCCH-Message-NB.
pub fn read_dl_dcch(bytes: &[u8]) -> Result<DlDcch, RrcError> {
    use ntn_rrc::asn1::{
        DLInformationTransferNBCriticalExtensions as Dl,
        DLInformationTransferNBCriticalExtensionsC1 as DlC1,
    };
    Ok(match ntn_rrc::decode_dl_dcch(bytes)?.message {
        DLDCCHMessageTypeNB::C1(DLDCCHMessageTypeNBC1::DlInformationTransferR13(m)) => {
            match m.critical_extensions {
                Dl::C1(DlC1::DlInformationTransferR13(ies)) => {
                    DlDcch::Nas(ies.dedicated_info_nas_r13.0.to_vec())
                }
                _ => DlDcch::Other,
            }
        }
        DLDCCHMessageTypeNB::C1(DLDCCHMessageTypeNBC1::RrcConnectionReleaseR13(_)) => {
            DlDcch::Release
        }
        _ => DlDcch::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mib_round_trips_its_timing_fields() {
        let b = mib(640, 0x2fd, 2, 7).expect("encodes");
        let m = read_mib(&b).expect("decodes");
        assert_eq!(m.sfn(), 640);
        assert_eq!(m.hsfn_lsb2, 0x1);
        assert_eq!((m.sib1_scheduling, m.value_tag), (2, 7));
    }

    #[test]
    fn sib1_round_trips_the_cell_parameters() {
        let info = Sib1Info {
            hsfn_msb8: 0xbf,
            cell_id: 0x0abc_def1,
            tac: 0x1234,
            band: 256,
            si_period_rf: 128,
            plmn: [0, 0, 1, 0, 1],
        };
        let b = sib1(&info).expect("encodes");
        assert_eq!(
            read_bcch_dl_sch(&b).expect("decodes"),
            BcchDlSch::Sib1(info)
        );
    }

    #[test]
    fn dedicated_messages_carry_nas_both_ways() {
        let nas = [0x17, 0x42, 0x00, 0x01, 0xff];
        let b = setup_complete(1, &nas).expect("encodes");
        assert_eq!(
            read_ul_dcch(&b).expect("decodes"),
            UlDcch::SetupComplete(nas.to_vec())
        );
        let b = ul_information_transfer(&nas).expect("encodes");
        assert_eq!(
            read_ul_dcch(&b).expect("decodes"),
            UlDcch::Nas(nas.to_vec())
        );
        let b = dl_information_transfer(2, &nas).expect("encodes");
        assert_eq!(
            read_dl_dcch(&b).expect("decodes"),
            DlDcch::Nas(nas.to_vec())
        );
        let b = connection_release(3).expect("encodes");
        assert_eq!(read_dl_dcch(&b).expect("decodes"), DlDcch::Release);
        let b = connection_request(0x12_3456_789a).expect("encodes");
        assert!(is_connection_request(&b).expect("decodes"));
        // The contention-resolution identity needs 48 bits of CCCH SDU (TS 36.321 §6.1.3.4).
        assert!(b.len() >= 6, "{}", b.len());
        let b = connection_setup(1).expect("encodes");
        assert_eq!(read_connection_setup(&b).expect("decodes"), Some(1));
    }
}
