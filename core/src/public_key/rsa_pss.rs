//! RSASSA-PSS verification with independent message and MGF1 hashes.
//!
//! RFC 4055 §3.1 lets a PSS AlgorithmIdentifier name one hash for the message
//! and another for MGF1, and defaults both to SHA-1; signers in the field use
//! SHA-256 with MGF1-SHA-256, but also SHA-256 with MGF1-SHA-1 and odd salt
//! lengths. The `rsa` crate ties MGF1 to the message hash, so the encoding
//! check of RFC 8017 §9.1.2 (EMSA-PSS-VERIFY) is written here over the crate's
//! raw public-key operation (RSAVP1, §5.2.2).
//!
//! ```text
//! RSASSA-PSS-params ::= SEQUENCE {
//!     hashAlgorithm      [0] HashAlgorithm      DEFAULT sha1,
//!     maskGenAlgorithm   [1] MaskGenAlgorithm   DEFAULT mgf1SHA1,
//!     saltLength         [2] INTEGER            DEFAULT 20,
//!     trailerField       [3] TrailerField       DEFAULT trailerFieldBC }
//! ```

use crypto_bigint::BoxedUint;
use rsa::traits::PublicKeyParts;

use crate::digest::{HashAlgorithm, Hasher};
use crate::Error;

/// Verifies an RSASSA-PSS `signature` over `m_hash` (the message digest made
/// with `hash`), with MGF1 over `mgf_hash` and a salt of `salt_len` bytes.
pub(super) fn verify(
    key: &rsa::PublicKey,
    hash: HashAlgorithm,
    mgf_hash: HashAlgorithm,
    salt_len: usize,
    m_hash: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let k = key.size();
    if signature.len() != k || m_hash.len() != hash.output_len() {
        return Err(Error::KeyMismatch);
    }
    // RSAVP1: s must be an integer below n.
    let precision = key.n_bits_precision();
    let s = BoxedUint::from_be_slice(signature, precision).map_err(|_| Error::KeyMismatch)?;
    if s >= *key.n().as_ref() {
        return Err(Error::KeyMismatch);
    }
    let m = rsa::hazmat::rsa_encrypt(key, &s).map_err(|_| Error::KeyMismatch)?;
    let mod_bits = key.n().as_ref().bit_width() as usize;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let m = m.to_be_bytes();
    // I2OSP(m, emLen): the integer must fit; leading bytes beyond emLen are 0.
    let (high, em) = m.split_at(m.len() - em_len);
    if high.iter().any(|b| *b != 0) {
        return Err(Error::KeyMismatch);
    }
    emsa_pss_verify(m_hash, em, em_bits, hash, mgf_hash, salt_len)
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2), steps 3–14.
fn emsa_pss_verify(
    m_hash: &[u8],
    em: &[u8],
    em_bits: usize,
    hash: HashAlgorithm,
    mgf_hash: HashAlgorithm,
    salt_len: usize,
) -> Result<(), Error> {
    let bad = Err(Error::KeyMismatch);
    let h_len = hash.output_len();
    let em_len = em.len();
    if em_len < h_len + salt_len + 2 || em[em_len - 1] != 0xbc {
        return bad;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let zero_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(zero_bits as u32).unwrap_or(0);
    if masked_db[0] & !top_mask != 0 {
        return bad;
    }
    let mut db = mgf1(mgf_hash, h, masked_db.len());
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    db[0] &= top_mask;
    let ps_len = em_len - h_len - salt_len - 2;
    if db[..ps_len].iter().any(|b| *b != 0) || db[ps_len] != 0x01 {
        return bad;
    }
    let salt = &db[db.len() - salt_len..];
    let mut h2 = Hasher::new(hash);
    h2.update(&[0u8; 8]);
    h2.update(m_hash);
    h2.update(salt);
    if h2.finalize() != h {
        return bad;
    }
    Ok(())
}

/// MGF1 (RFC 8017 §B.2.1).
fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter = 0u32;
    while out.len() < len {
        let mut h = Hasher::new(hash);
        h.update(seed);
        h.update(&counter.to_be_bytes());
        out.extend(h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1), for the round trip below.
    fn encode(
        m_hash: &[u8],
        em_bits: usize,
        hash: HashAlgorithm,
        mgf: HashAlgorithm,
        salt: &[u8],
    ) -> Vec<u8> {
        let em_len = em_bits.div_ceil(8);
        let h_len = hash.output_len();
        let mut hh = Hasher::new(hash);
        hh.update(&[0; 8]);
        hh.update(m_hash);
        hh.update(salt);
        let h = hh.finalize();
        let mut db = vec![0u8; em_len - salt.len() - h_len - 2];
        db.push(1);
        db.extend(salt);
        let mask = mgf1(mgf, &h, db.len());
        for (d, m) in db.iter_mut().zip(mask) {
            *d ^= m;
        }
        db[0] &= 0xff >> (8 * em_len - em_bits);
        [db, h, vec![0xbc]].concat()
    }

    #[test]
    fn encoding_round_trips_with_mixed_hashes_and_tampering_fails() {
        let m_hash = HashAlgorithm::Sha256.digest(b"van ban");
        for (mgf, salt_len, em_bits) in [
            (HashAlgorithm::Sha1, 20, 2047),
            (HashAlgorithm::Sha256, 32, 2047),
            (HashAlgorithm::Sha3_256, 0, 3071),
            (HashAlgorithm::Sha512, 64, 2048 + 7),
        ] {
            let salt: Vec<u8> = (0..salt_len as u8).collect();
            let em = encode(&m_hash, em_bits, HashAlgorithm::Sha256, mgf, &salt);
            let check = |em: &[u8], mgf| {
                emsa_pss_verify(&m_hash, em, em_bits, HashAlgorithm::Sha256, mgf, salt_len)
            };
            assert!(check(&em, mgf).is_ok(), "{mgf} salt {salt_len}");
            let other = if mgf == HashAlgorithm::Sha1 {
                HashAlgorithm::Sha256
            } else {
                HashAlgorithm::Sha1
            };
            assert!(check(&em, other).is_err(), "wrong MGF hash accepted");
            let mut bad = em.clone();
            bad[em.len() / 2] ^= 1;
            assert!(check(&bad, mgf).is_err(), "tampered EM accepted");
            let mut bad = em.clone();
            *bad.last_mut().unwrap() = 0xbd;
            assert!(check(&bad, mgf).is_err(), "bad trailer accepted");
        }
    }
}
