//! The few RRC-NB helpers the stacks need around `ntn_rrc::procedures` (which owns the RRC
//! messages and procedures): the SFN a MIB-NB gives the physical layer, the SI message that
//! carries a freshly generated SIB31-NB, and field conversions for the cell's SIB1-NB.

use ntn_rrc::asn1::rasn::types::BitString;
use ntn_rrc::asn1::{
    BCCHDLSCHMessageNB, BCCHDLSCHMessageTypeNB, BCCHDLSCHMessageTypeNBC1,
    SchedulingInfoNBR13SiPeriodicityR13, SystemInformationBlockType31NBR17,
    SystemInformationNBR13IEsSibTypeAndInfoR13Item as SibItem,
};
use ntn_rrc::procedures::defaults::si_message;
use ntn_rrc::{RrcError, encode};

/// The si-Periodicity values of SIB1-NB's schedulingInfoList, radio frames.
pub const SI_PERIODS_RF: [u16; 7] = [64, 128, 256, 512, 1024, 2048, 4096];

/// `value`'s low `n` bits, MSB first.
pub(crate) fn bits(value: u64, n: usize) -> BitString {
    (0..n).rev().map(|i| (value >> i) & 1 == 1).collect()
}

fn bits_value(b: &BitString) -> u64 {
    b.iter().fold(0u64, |acc, bit| (acc << 1) | u64::from(*bit))
}

/// The si-Periodicity code point for `rf` radio frames.
pub fn si_periodicity(rf: u16) -> Option<SchedulingInfoNBR13SiPeriodicityR13> {
    Some(match rf {
        64 => SchedulingInfoNBR13SiPeriodicityR13::Rf64,
        128 => SchedulingInfoNBR13SiPeriodicityR13::Rf128,
        256 => SchedulingInfoNBR13SiPeriodicityR13::Rf256,
        512 => SchedulingInfoNBR13SiPeriodicityR13::Rf512,
        1024 => SchedulingInfoNBR13SiPeriodicityR13::Rf1024,
        2048 => SchedulingInfoNBR13SiPeriodicityR13::Rf2048,
        4096 => SchedulingInfoNBR13SiPeriodicityR13::Rf4096,
        _ => return None,
    })
}

/// What the physical layer takes from MIB-NB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MibInfo {
    /// The 4 MSBs of the SFN (the NPBCH TTI gives the 6 LSBs: it starts at SFN mod 64 = 0).
    pub sfn_msb4: u8,
    /// The 2 LSBs of the H-SFN.
    pub hsfn_lsb2: u8,
}

impl MibInfo {
    /// The SFN of the frame in which this MIB's TTI starts.
    pub fn sfn(&self) -> u16 {
        u16::from(self.sfn_msb4) << 6
    }
}

/// Reads the timing fields of a BCCH-BCH-Message-NB.
pub fn read_mib(bytes: &[u8]) -> Result<MibInfo, RrcError> {
    let m = ntn_rrc::decode_bcch_bch(bytes)?.message.0;
    Ok(MibInfo {
        sfn_msb4: bits_value(&m.system_frame_number_msb_r13) as u8,
        hsfn_lsb2: bits_value(&m.hyper_sfn_lsb_r13) as u8,
    })
}

/// BCCH-DL-SCH-Message-NB: a SystemInformation-NB carrying only `sib31`.
pub fn si_with_sib31(sib31: SystemInformationBlockType31NBR17) -> Result<Vec<u8>, RrcError> {
    encode(
        "BCCH-DL-SCH-Message-NB",
        &BCCHDLSCHMessageNB::new(BCCHDLSCHMessageTypeNB::C1(
            BCCHDLSCHMessageTypeNBC1::SystemInformationR13(si_message(vec![SibItem::Sib31V1700(
                sib31,
            )])),
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntn_rrc::procedures::defaults::example_mib;

    #[test]
    fn mib_gives_the_sfn_of_its_tti() {
        let mut m = example_mib().expect("built in");
        m.system_frame_number_msb_r13 = bits(0b1010, 4);
        m.hyper_sfn_lsb_r13 = bits(0b01, 2);
        let b = encode(
            "BCCH-BCH-Message-NB",
            &ntn_rrc::asn1::BCCHBCHMessageNB::new(ntn_rrc::asn1::BCCHBCHMessageTypeNB(m)),
        )
        .expect("encodes");
        let info = read_mib(&b).expect("decodes");
        assert_eq!(info.sfn(), 640);
        assert_eq!(info.hsfn_lsb2, 1);
    }

    #[test]
    fn periodicities_and_bits() {
        for rf in SI_PERIODS_RF {
            assert!(si_periodicity(rf).is_some(), "{rf}");
        }
        assert!(si_periodicity(100).is_none());
        assert_eq!(bits_value(&bits(0x0abc_def1, 28)), 0x0abc_def1);
    }
}
