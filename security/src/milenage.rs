//! MILENAGE (TS 35.206) and the AKA values built on it (TS 33.102 §6.3).
//!
//! MILENAGE with the standard constants r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 and
//! c1..c5 = 0, 1, 2, 4, 8 (TS 35.206 §4.1), block cipher AES-128 (Rijndael).

use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};

use crate::Key128;

/// OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1).
pub fn opc_from_op(k: &Key128, op: &Key128) -> Key128 {
    let aes = Aes128::new(k.into());
    let mut b = *op;
    aes.encrypt_block((&mut b).into());
    xor16(&b, op)
}

/// The outputs of f1..f5* for one RAND (TS 35.206 §4.1).
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct MilenageOutput {
    /// f1: network authentication code MAC-A (64 bits).
    pub mac_a: [u8; 8],
    /// f1*: resynchronisation authentication code MAC-S (64 bits).
    pub mac_s: [u8; 8],
    /// f2: response RES (64 bits).
    pub res: [u8; 8],
    /// f3: cipher key CK.
    pub ck: Key128,
    /// f4: integrity key IK.
    pub ik: Key128,
    /// f5: anonymity key AK (48 bits).
    pub ak: [u8; 6],
    /// f5*: resynchronisation anonymity key AK* (48 bits).
    pub ak_star: [u8; 6],
}

/// A MILENAGE instance for one subscriber key K and operator constant OPc.
#[derive(Clone)]
pub struct Milenage {
    aes: Aes128,
    opc: Key128,
}

impl core::fmt::Debug for Milenage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Milenage { .. }")
    }
}

impl Milenage {
    /// From K and OPc.
    pub fn new(k: &Key128, opc: &Key128) -> Self {
        Self {
            aes: Aes128::new(k.into()),
            opc: *opc,
        }
    }

    /// From K and OP (computes OPc, TS 35.206 §4.1).
    pub fn with_op(k: &Key128, op: &Key128) -> Self {
        Self::new(k, &opc_from_op(k, op))
    }

    /// OPc in use.
    pub fn opc(&self) -> &Key128 {
        &self.opc
    }

    fn e(&self, mut b: [u8; 16]) -> [u8; 16] {
        self.aes.encrypt_block((&mut b).into());
        b
    }

    /// OUTk = E_K(rot(TEMP ⊕ OPc, r) ⊕ c) ⊕ OPc for the given input (TS 35.206 §4.1).
    fn out(&self, input: &[u8; 16], r_bytes: usize, c: u8) -> [u8; 16] {
        let x = xor16(input, &self.opc);
        let mut rot = [0u8; 16];
        for (i, v) in rot.iter_mut().enumerate() {
            *v = x[(i + r_bytes) % 16];
        }
        rot[15] ^= c;
        xor16(&self.e(rot), &self.opc)
    }

    fn temp(&self, rand: &[u8; 16]) -> [u8; 16] {
        self.e(xor16(rand, &self.opc))
    }

    /// f1 and f1*: (MAC-A, MAC-S) for SQN and AMF (TS 35.206 §4.1).
    pub fn f1_f1star(&self, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> ([u8; 8], [u8; 8]) {
        let temp = self.temp(rand);
        // IN1 = SQN || AMF || SQN || AMF; OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc.
        let mut in1 = [0u8; 16];
        in1[..6].copy_from_slice(sqn);
        in1[6..8].copy_from_slice(amf);
        in1[8..14].copy_from_slice(sqn);
        in1[14..].copy_from_slice(amf);
        let x = xor16(&in1, &self.opc);
        let mut rot = [0u8; 16];
        for (i, v) in rot.iter_mut().enumerate() {
            *v = x[(i + 8) % 16]; // r1 = 64 bits
        }
        let out1 = xor16(&self.e(xor16(&temp, &rot)), &self.opc);
        let mut mac_a = [0u8; 8];
        let mut mac_s = [0u8; 8];
        mac_a.copy_from_slice(&out1[..8]);
        mac_s.copy_from_slice(&out1[8..]);
        (mac_a, mac_s)
    }

    /// f2, f3, f4, f5 and f5* for RAND (TS 35.206 §4.1); MAC-A/MAC-S need SQN and AMF, so
    /// [`Milenage::compute`] returns everything.
    pub fn f2345(&self, rand: &[u8; 16]) -> ([u8; 8], Key128, Key128, [u8; 6], [u8; 6]) {
        let temp = self.temp(rand);
        let out2 = self.out(&temp, 0, 1);
        let out3 = self.out(&temp, 4, 2);
        let out4 = self.out(&temp, 8, 4);
        let out5 = self.out(&temp, 12, 8);
        let mut res = [0u8; 8];
        res.copy_from_slice(&out2[8..]);
        let mut ak = [0u8; 6];
        ak.copy_from_slice(&out2[..6]);
        let mut ak_star = [0u8; 6];
        ak_star.copy_from_slice(&out5[..6]);
        (res, out3, out4, ak, ak_star)
    }

    /// All seven functions.
    pub fn compute(&self, rand: &[u8; 16], sqn: &[u8; 6], amf: &[u8; 2]) -> MilenageOutput {
        let (mac_a, mac_s) = self.f1_f1star(rand, sqn, amf);
        let (res, ck, ik, ak, ak_star) = self.f2345(rand);
        MilenageOutput {
            mac_a,
            mac_s,
            res,
            ck,
            ik,
            ak,
            ak_star,
        }
    }

    /// AUTN = SQN ⊕ AK || AMF || MAC-A (TS 33.102 §6.3.2), with the other outputs.
    pub fn generate_autn(
        &self,
        rand: &[u8; 16],
        sqn: &[u8; 6],
        amf: &[u8; 2],
    ) -> ([u8; 16], MilenageOutput) {
        let o = self.compute(rand, sqn, amf);
        let mut autn = [0u8; 16];
        for i in 0..6 {
            autn[i] = sqn[i] ^ o.ak[i];
        }
        autn[6..8].copy_from_slice(amf);
        autn[8..].copy_from_slice(&o.mac_a);
        (autn, o)
    }

    /// Checks AUTN on the USIM side (TS 33.102 §6.3.3): recovers SQN with AK, recomputes
    /// MAC-A. Returns the SQN carried in AUTN and the outputs when the MAC matches; the
    /// freshness of SQN is the caller's decision (USIM model).
    pub fn verify_autn(
        &self,
        rand: &[u8; 16],
        autn: &[u8; 16],
    ) -> Result<([u8; 6], MilenageOutput), AuthFailure> {
        let (_, _, _, ak, _) = self.f2345(rand);
        let mut sqn = [0u8; 6];
        for i in 0..6 {
            sqn[i] = autn[i] ^ ak[i];
        }
        let amf = [autn[6], autn[7]];
        let o = self.compute(rand, &sqn, &amf);
        if o.mac_a[..] != autn[8..] {
            return Err(AuthFailure::MacFailure);
        }
        Ok((sqn, o))
    }

    /// AUTS = SQN_MS ⊕ AK* || MAC-S, with MAC-S = f1*(SQN_MS || RAND || AMF = 0x0000)
    /// (TS 33.102 §6.3.3, §6.3.5).
    pub fn generate_auts(&self, rand: &[u8; 16], sqn_ms: &[u8; 6]) -> [u8; 14] {
        let (_, mac_s) = self.f1_f1star(rand, sqn_ms, &[0, 0]);
        let (_, _, _, _, ak_star) = self.f2345(rand);
        let mut auts = [0u8; 14];
        for i in 0..6 {
            auts[i] = sqn_ms[i] ^ ak_star[i];
        }
        auts[6..].copy_from_slice(&mac_s);
        auts
    }

    /// The network side of resynchronisation (TS 33.102 §6.3.5): recovers SQN_MS from AUTS
    /// and checks MAC-S. Returns SQN_MS.
    pub fn verify_auts(&self, rand: &[u8; 16], auts: &[u8; 14]) -> Result<[u8; 6], AuthFailure> {
        let (_, _, _, _, ak_star) = self.f2345(rand);
        let mut sqn_ms = [0u8; 6];
        for i in 0..6 {
            sqn_ms[i] = auts[i] ^ ak_star[i];
        }
        let (_, mac_s) = self.f1_f1star(rand, &sqn_ms, &[0, 0]);
        if mac_s[..] != auts[6..] {
            return Err(AuthFailure::MacFailure);
        }
        Ok(sqn_ms)
    }
}

/// Why an authentication token was rejected.
#[derive(Clone, Copy, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// MAC-A (or MAC-S) does not match.
    #[error("MAC failure")]
    MacFailure,
}

fn xor16(a: &[u8; 16], b: &[u8; 16]) -> [u8; 16] {
    let mut o = [0u8; 16];
    for i in 0..16 {
        o[i] = a[i] ^ b[i];
    }
    o
}
