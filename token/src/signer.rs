//! A logged-in session bound to one private key: what signs.

use cryptoki::mechanism::MechanismType;
use cryptoki::object::ObjectHandle;
use cryptoki::session::Session;
use kyso_core::{DigestAlgorithm, PublicKey, SignatureScheme};

use crate::{mechanism, Error};

/// A logged-in session bound to one private key.
pub struct Signer {
    session: Session,
    key: ObjectHandle,
    mechanisms: Vec<MechanismType>,
    public_key: PublicKey,
}

impl Signer {
    pub(crate) fn new(
        session: Session,
        key: ObjectHandle,
        mechanisms: Vec<MechanismType>,
        public_key: PublicKey,
    ) -> Signer {
        Signer {
            session,
            key,
            mechanisms,
            public_key,
        }
    }

    /// Signs `data` (the DER of signed attributes): the token hashes it where it
    /// can, else Kyso hashes and the token signs the digest. ECDSA values come
    /// back raw (`r ‖ s`), as PKCS#11 returns them.
    pub fn sign(
        &self,
        data: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>, Error> {
        mechanism::sign(
            &self.session,
            self.key,
            &self.mechanisms,
            &self.public_key,
            data,
            digest,
            scheme,
        )
    }

    /// Signs a digest computed elsewhere (the admin-gated raw-hash endpoint).
    pub fn sign_digest(
        &self,
        digest_value: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>, Error> {
        if digest_value.len() != digest.output_len() {
            return Err(Error::BadRequest(format!(
                "a {} digest has {} bytes",
                digest.name(),
                digest.output_len()
            )));
        }
        mechanism::sign_digest(
            &self.session,
            self.key,
            &self.public_key,
            digest_value,
            digest,
            scheme,
        )
    }

    /// The public key of the certificate this signer is bound to, decoded once.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}

impl Drop for Signer {
    fn drop(&mut self) {
        // Leave the token logged out even if the caller forgets.
        let _ = self.session.logout();
    }
}
