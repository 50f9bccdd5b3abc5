//! A ready-made NB-IoT NTN cell configuration for simulations and tests: MIB-NB, SIB1-NB that
//! schedules SIB2-NB (SI message 1) and SIB31-NB (SI message 2), SIB2-NB with the NTN common
//! configuration (T318), and a default RadioResourceConfigDedicated-NB.
//!
//! The values start from real encodings, decoded here by our codec: SIB2-NB is the one a
//! commercial Rel-13 eNB (Amarisoft, NCellID 0) broadcast in the capture
//! `../shared/vectors/srsran-captures/signal_nbiot_amari_nid0_sfn514_sib2.bin` (decoded by
//! `phy/tests/nbiot_capture_vectors.rs`); MIB-NB, SIB1-NB and the setup are pycrate reference
//! vectors of `vectors/data/rrc/nb_pycrate.json` (`mib_standalone`, `sib1_ntn`,
//! `rrc_conn_setup_default`). The NTN-specific parts are then set field by field.

use ntn_rrc_asn1::{
    BCCHDLSCHMessageTypeNB, BCCHDLSCHMessageTypeNBC1, DLCCCHMessageTypeNB, DLCCCHMessageTypeNBC1,
    MasterInformationBlockNB, RRCConnectionSetupNBCriticalExtensions,
    RRCConnectionSetupNBCriticalExtensionsC1, RadioResourceConfigCommonSIBNBR13Ext6,
    RadioResourceConfigCommonSIBNBR13Ext6NtnConfigCommonR17,
    RadioResourceConfigCommonSIBNBR13Ext6NtnConfigCommonR17T318R17,
    RadioResourceConfigDedicatedNBR13, SIBMappingInfoNBR13, SIBMappingInfoNBV1530, SIBTypeNBV1530,
    SchedulingInfoListNBV1530, SchedulingInfoNBR13, SchedulingInfoNBR13SiPeriodicityR13,
    SchedulingInfoNBR13SiRepetitionPatternR13, SchedulingInfoNBR13SiTBR13, SchedulingInfoNBV1530,
    SystemInformationBlockType1NB, SystemInformationBlockType1NBV1350,
    SystemInformationBlockType1NBV1430, SystemInformationBlockType1NBV1450,
    SystemInformationBlockType1NBV1530, SystemInformationBlockType1NBV1610,
    SystemInformationBlockType2NBR13, SystemInformationBlockType31NBR17, SystemInformationNB,
    SystemInformationNBCriticalExtensions, SystemInformationNBR13IEs,
    SystemInformationNBR13IEsSibTypeAndInfoR13Item as SibItem,
};
use ntn_types::time::Instant;

use super::cell::CellRrcConfig;
use crate::{RrcError, codec};

/// BCCH-DL-SCH-Message-NB with SIB2-NB from the Amarisoft capture (208-bit transport block).
const AMARISOFT_SIB2_SI: &str = "000003303d040104a40c2f100000bb1006380700000000000000";
/// pycrate `mib_standalone`.
const MIB: &str = "58e3c00000";
/// pycrate `sib1_ntn` (SystemInformationBlockType1-NB).
const SIB1: &str = "00694200201891a055e6f7c003fc00082a59";
/// pycrate `rrc_conn_setup_default` (DL-CCCH-Message-NB).
const SETUP: &str = "30123e";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

fn bad(message: &'static str) -> RrcError {
    RrcError::Decode {
        message,
        reason: "unexpected message in the built-in example".into(),
    }
}

/// The Amarisoft SIB2-NB (Rel-13: T300 2.5 s…, no NTN configuration).
pub fn amarisoft_sib2() -> Result<SystemInformationBlockType2NBR13, RrcError> {
    let msg = codec::decode_bcch_dl_sch(&hex(AMARISOFT_SIB2_SI))?;
    if let BCCHDLSCHMessageTypeNB::C1(BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si)) =
        msg.message
        && let SystemInformationNBCriticalExtensions::SystemInformationR13(ies) =
            si.critical_extensions
    {
        for item in ies.sib_type_and_info_r13 {
            if let SibItem::Sib2R13(sib2) = item {
                return Ok(sib2);
            }
        }
    }
    Err(bad("SystemInformationBlockType2-NB-r13"))
}

/// MIB-NB of a standalone carrier.
pub fn example_mib() -> Result<MasterInformationBlockNB, RrcError> {
    Ok(codec::decode_bcch_bch(&hex(MIB))?.message.0)
}

/// SIB1-NB scheduling SIB2-NB in SI message 1 (every `sib2_period`) and SIB31-NB in SI message 2
/// (every `sib31_period`), with the NTN cell-access information of Rel-17.
pub fn example_sib1(
    sib2_period: SchedulingInfoNBR13SiPeriodicityR13,
    sib31_period: SchedulingInfoNBR13SiPeriodicityR13,
) -> Result<SystemInformationBlockType1NB, RrcError> {
    let mut sib1 = codec::decode_sib1(&hex(SIB1))?;
    let entry = |p| {
        SchedulingInfoNBR13::new(
            p,
            SchedulingInfoNBR13SiRepetitionPatternR13::Every2ndRF,
            SIBMappingInfoNBR13(Vec::new()),
            SchedulingInfoNBR13SiTBR13::B440,
        )
    };
    sib1.scheduling_info_list_r13.0 = vec![entry(sib2_period), entry(sib31_period)];
    // Keep the v1700 NTN extension of the vector; add schedulingInfoList-v1530 on the way.
    let v1700 = sib1
        .non_critical_extension
        .take()
        .and_then(|e| e.non_critical_extension)
        .and_then(|e| e.non_critical_extension)
        .and_then(|e| e.non_critical_extension)
        .and_then(|e| e.non_critical_extension)
        .and_then(|e| e.non_critical_extension);
    let list = SchedulingInfoListNBV1530(vec![
        SchedulingInfoNBV1530::new(None),
        SchedulingInfoNBV1530::new(Some(SIBMappingInfoNBV1530(vec![
            SIBTypeNBV1530::SibType31NBR17,
        ]))),
    ]);
    let v1530 = SystemInformationBlockType1NBV1530::new(
        None,
        Some(list),
        Some(SystemInformationBlockType1NBV1610::new(None, v1700)),
    );
    sib1.non_critical_extension = Some(SystemInformationBlockType1NBV1350::new(
        None,
        Some(SystemInformationBlockType1NBV1430::new(
            None,
            Some(SystemInformationBlockType1NBV1450::new(None, Some(v1530))),
        )),
    ));
    Ok(sib1)
}

/// The Amarisoft SIB2-NB with `ntn-ConfigCommon-r17` (T318 `t318`) added.
pub fn example_sib2(
    t318: RadioResourceConfigCommonSIBNBR13Ext6NtnConfigCommonR17T318R17,
) -> Result<SystemInformationBlockType2NBR13, RrcError> {
    let mut sib2 = amarisoft_sib2()?;
    sib2.radio_resource_config_common_r13.ext6 =
        Some(RadioResourceConfigCommonSIBNBR13Ext6::new(Some(
            RadioResourceConfigCommonSIBNBR13Ext6NtnConfigCommonR17::new(
                None, t318, None, None, None,
            ),
        )));
    Ok(sib2)
}

/// RadioResourceConfigDedicated-NB with SRB1 and MAC on their default values.
pub fn example_dedicated() -> Result<RadioResourceConfigDedicatedNBR13, RrcError> {
    let msg = codec::decode_dl_ccch(&hex(SETUP))?;
    if let DLCCCHMessageTypeNB::C1(DLCCCHMessageTypeNBC1::RrcConnectionSetupR13(s)) = msg.message
        && let RRCConnectionSetupNBCriticalExtensions::C1(
            RRCConnectionSetupNBCriticalExtensionsC1::RrcConnectionSetupR13(ies),
        ) = s.critical_extensions
    {
        return Ok(ies.radio_resource_config_dedicated_r13);
    }
    Err(bad("RRCConnectionSetup-NB"))
}

/// An SI message carrying the given SIBs.
pub fn si_message(sibs: Vec<SibItem>) -> SystemInformationNB {
    SystemInformationNB::new(SystemInformationNBCriticalExtensions::SystemInformationR13(
        SystemInformationNBR13IEs::new(sibs, None, None),
    ))
}

/// A complete NTN cell: SIB2-NB every 64 frames (T318 = 1 s), SIB31-NB every 128 frames,
/// connections accepted with [`example_dedicated`]. `t0` is the instant of H-SFN 0, SFN 0.
pub fn example_ntn_cell(
    t0: Instant,
    sib31: SystemInformationBlockType31NBR17,
) -> Result<CellRrcConfig, RrcError> {
    Ok(CellRrcConfig {
        mib: example_mib()?,
        sib1: example_sib1(
            SchedulingInfoNBR13SiPeriodicityR13::Rf64,
            SchedulingInfoNBR13SiPeriodicityR13::Rf128,
        )?,
        si_messages: vec![
            si_message(vec![SibItem::Sib2R13(example_sib2(
                RadioResourceConfigCommonSIBNBR13Ext6NtnConfigCommonR17T318R17::Ms1000,
            )?)]),
            si_message(vec![SibItem::Sib31V1700(sib31)]),
        ],
        t0,
        dedicated: example_dedicated()?,
        accept_connections: true,
    })
}
