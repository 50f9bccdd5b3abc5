//! proptest round trip of every message issue 6 lists, one property per type: proptest draws
//! the seed, the generated `RandomValue` impl draws a valid value of the type from it, and
//! UPER encode → decode must give the value back (proptest shrinks the seed on failure).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ntn_rrc::asn1::{
    DLInformationTransferNB, MasterInformationBlockNB, RRCConnectionReleaseNB,
    RRCConnectionRequestNB, RRCConnectionResumeNB, RRCConnectionSetupCompleteNB,
    RRCConnectionSetupNB, RRCEarlyDataRequestNBR15, RandomSource, RandomValue, SecurityModeCommand,
    SecurityModeComplete, SystemInformationBlockType1NB, SystemInformationBlockType2NBR13,
    SystemInformationBlockType31NBR17, SystemInformationBlockType32NBR17, ULInformationTransferNB,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rasn::{Decode, Encode};

struct Src(ChaCha8Rng);

impl RandomSource for Src {
    fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n.max(1))
    }
}

fn round_trips<T>(seed: u64) -> Result<(), TestCaseError>
where
    T: RandomValue + Encode + Decode + PartialEq + std::fmt::Debug,
{
    let v = T::random(&mut Src(ChaCha8Rng::seed_from_u64(seed)));
    let bytes = rasn::uper::encode(&v).map_err(|e| TestCaseError::fail(format!("encode: {e}")))?;
    let back: T =
        rasn::uper::decode(&bytes).map_err(|e| TestCaseError::fail(format!("decode: {e}")))?;
    prop_assert_eq!(back, v);
    Ok(())
}

macro_rules! round_trip {
    ($($name:ident: $ty:ty),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            $(
                #[test]
                fn $name(seed in any::<u64>()) {
                    round_trips::<$ty>(seed)?;
                }
            )*
        }
    };
}

round_trip! {
    mib_nb: MasterInformationBlockNB,
    sib1_nb: SystemInformationBlockType1NB,
    sib2_nb: SystemInformationBlockType2NBR13,
    sib31_nb: SystemInformationBlockType31NBR17,
    sib32_nb: SystemInformationBlockType32NBR17,
    rrc_connection_request_nb: RRCConnectionRequestNB,
    rrc_connection_setup_nb: RRCConnectionSetupNB,
    rrc_connection_setup_complete_nb: RRCConnectionSetupCompleteNB,
    rrc_connection_release_nb: RRCConnectionReleaseNB,
    dl_information_transfer_nb: DLInformationTransferNB,
    ul_information_transfer_nb: ULInformationTransferNB,
    security_mode_command: SecurityModeCommand,
    security_mode_complete: SecurityModeComplete,
    rrc_connection_resume_nb: RRCConnectionResumeNB,
    rrc_early_data_request_nb: RRCEarlyDataRequestNBR15,
}
