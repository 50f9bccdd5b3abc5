//! USIM model for EPS AKA (TS 33.102 §6.3.3, Annex C; TS 33.401 §6.1.1): K, OPc, IMSI and
//! the highest accepted sequence number SQN_MS, with MILENAGE as f1..f5*.

use ntn_security::Key128;
use ntn_security::milenage::Milenage;

/// Outcome of a successful authentication on the USIM.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AkaResult {
    /// RES to return in AUTHENTICATION RESPONSE.
    pub res: Vec<u8>,
    /// CK.
    pub ck: Key128,
    /// IK.
    pub ik: Key128,
    /// SQN ⊕ AK as carried in AUTN (input to KASME).
    pub sqn_xor_ak: [u8; 6],
}

/// Why the USIM rejected AUTN.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum AuthReject {
    /// MAC-A wrong: EMM cause #20.
    MacFailure,
    /// SQN not fresh: EMM cause #21 with AUTS.
    SynchFailure {
        /// AUTS = SQN_MS ⊕ AK* || MAC-S.
        auts: [u8; 14],
    },
    /// The AMF separation bit is 0, so the vector is not for E-UTRAN: EMM cause #26
    /// (TS 33.401 §6.1.1).
    NonEpsAuthenticationUnacceptable,
}

/// Largest accepted jump of SQN above SQN_MS (TS 33.102 §C.2.2 Δ; 2^28 is the example value).
pub const SQN_DELTA: u64 = 1 << 28;

/// The USIM.
#[derive(Clone, Debug)]
pub struct Usim {
    /// IMSI digits.
    pub imsi: String,
    milenage: Milenage,
    sqn_ms: u64,
}

/// SQN as a 48-bit integer.
pub(crate) fn sqn_from_bytes(b: &[u8; 6]) -> u64 {
    let mut v = [0u8; 8];
    v[2..].copy_from_slice(b);
    u64::from_be_bytes(v)
}

/// SQN as 6 octets.
pub(crate) fn sqn_to_bytes(v: u64) -> [u8; 6] {
    let b = v.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

impl Usim {
    /// A USIM with subscriber key K, OPc and the highest SQN it has accepted so far.
    pub fn new(imsi: &str, k: &Key128, opc: &Key128, sqn_ms: u64) -> Self {
        Self {
            imsi: imsi.to_string(),
            milenage: Milenage::new(k, opc),
            sqn_ms,
        }
    }

    /// SQN_MS.
    pub fn sqn_ms(&self) -> u64 {
        self.sqn_ms
    }

    /// Runs AKA on RAND and AUTN (TS 33.102 §6.3.3): checks MAC-A, the AMF separation bit and
    /// the freshness of SQN; on success accepts SQN as the new SQN_MS.
    pub fn authenticate(
        &mut self,
        rand: &[u8; 16],
        autn: &[u8; 16],
    ) -> Result<AkaResult, AuthReject> {
        let (sqn, o) = self
            .milenage
            .verify_autn(rand, autn)
            .map_err(|_| AuthReject::MacFailure)?;
        if autn[6] & 0x80 == 0 {
            return Err(AuthReject::NonEpsAuthenticationUnacceptable);
        }
        let sqn = sqn_from_bytes(&sqn);
        if sqn <= self.sqn_ms || sqn - self.sqn_ms > SQN_DELTA {
            return Err(AuthReject::SynchFailure {
                auts: self
                    .milenage
                    .generate_auts(rand, &sqn_to_bytes(self.sqn_ms)),
            });
        }
        self.sqn_ms = sqn;
        let mut sqn_xor_ak = [0u8; 6];
        sqn_xor_ak.copy_from_slice(&autn[..6]);
        Ok(AkaResult {
            res: o.res.to_vec(),
            ck: o.ck,
            ik: o.ik,
            sqn_xor_ak,
        })
    }
}
