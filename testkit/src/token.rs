//! Provisioning a PKCS#11 token: initialise it, generate key pairs on it, import
//! certificates beside the keys (same CKA_ID), as a CA's registration office does.

use der::asn1::{BitString, ObjectIdentifier};
use der::{Any, Decode, Encode};
use kyso_token::cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use kyso_token::cryptoki::mechanism::Mechanism;
use kyso_token::cryptoki::object::{Attribute, CertificateType, ObjectClass, ObjectHandle};
use kyso_token::cryptoki::session::{Session, UserType};
use kyso_token::cryptoki::slot::Slot;
use kyso_token::cryptoki::types::AuthPin;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use kyso_core::Certificate;

/// The kinds of key a test signer can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySpec {
    /// RSA with a modulus of this many bits.
    Rsa(u64),
    /// ECDSA on P-256.
    P256,
    /// ECDSA on P-384.
    P384,
}

impl KeySpec {
    /// `RSA` or `EC`, as the manifest and kyso's certificate info write it.
    pub fn type_name(self) -> &'static str {
        match self {
            KeySpec::Rsa(_) => "RSA",
            _ => "EC",
        }
    }

    /// Modulus or curve size.
    pub fn bits(self) -> usize {
        match self {
            KeySpec::Rsa(b) => b as usize,
            KeySpec::P256 => 256,
            KeySpec::P384 => 384,
        }
    }
    fn curve(self) -> Option<ObjectIdentifier> {
        match self {
            KeySpec::P256 => Some(const_oid::db::rfc5912::SECP_256_R_1),
            KeySpec::P384 => Some(const_oid::db::rfc5912::SECP_384_R_1),
            KeySpec::Rsa(_) => None,
        }
    }
}

/// A loaded PKCS#11 module.
pub struct Module {
    pkcs11: Pkcs11,
}

fn err(what: &str) -> impl Fn(kyso_token::cryptoki::error::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

impl Module {
    /// Loads the module at `path` and calls `C_Initialize`.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let pkcs11 = Pkcs11::new(path).map_err(err("loading module"))?;
        pkcs11
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(err("C_Initialize"))?;
        Ok(Module { pkcs11 })
    }

    /// Initialises a fresh token in the first free slot and sets its user PIN.
    /// Returns the token's serial number.
    pub fn init_token(&self, label: &str, so_pin: &str, user_pin: &str) -> Result<String, String> {
        let free = self
            .pkcs11
            .get_slots_with_token()
            .map_err(err("C_GetSlotList"))?
            .into_iter()
            .find(|s| {
                self.pkcs11
                    .get_token_info(*s)
                    .map(|t| !t.token_initialized())
                    .unwrap_or(false)
            })
            .ok_or("no free slot for a new token")?;
        self.pkcs11
            .init_token(free, &AuthPin::from(so_pin), label)
            .map_err(err("C_InitToken"))?;
        let slot = self.slot_by_label(label)?;
        let session = self.login(slot, UserType::So, so_pin)?;
        session
            .init_pin(&AuthPin::from(user_pin))
            .map_err(err("C_InitPIN"))?;
        let serial = self
            .pkcs11
            .get_token_info(slot)
            .map_err(err("C_GetTokenInfo"))?
            .serial_number()
            .trim()
            .to_string();
        Ok(serial)
    }

    /// The slot holding the initialised token labelled `label`.
    pub fn slot_by_label(&self, label: &str) -> Result<Slot, String> {
        self.pkcs11
            .get_slots_with_initialized_token()
            .map_err(err("C_GetSlotList"))?
            .into_iter()
            .find(|s| {
                self.pkcs11
                    .get_token_info(*s)
                    .map(|t| t.label().trim() == label)
                    .unwrap_or(false)
            })
            .ok_or_else(|| format!("no token labelled {label}"))
    }

    /// A logged-in read-write session on the token labelled `label`.
    pub fn session(&self, label: &str, user_pin: &str) -> Result<Session, String> {
        self.login(self.slot_by_label(label)?, UserType::User, user_pin)
    }

    fn login(&self, slot: Slot, user: UserType, pin: &str) -> Result<Session, String> {
        let session = self
            .pkcs11
            .open_rw_session(slot)
            .map_err(err("C_OpenSession"))?;
        session
            .login(user, Some(&AuthPin::from(pin)))
            .map_err(err("C_Login"))?;
        Ok(session)
    }
}

/// Generates a key pair on the token and returns its public key.
pub fn generate_key(
    session: &Session,
    spec: KeySpec,
    id: &[u8],
    label: &str,
) -> Result<SubjectPublicKeyInfoOwned, String> {
    let common = |private: bool| {
        vec![
            Attribute::Token(true),
            Attribute::Private(private),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
        ]
    };
    let mut public = common(false);
    public.push(Attribute::Verify(true));
    let mut private = common(true);
    private.extend([
        Attribute::Sign(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
    ]);
    let (mechanism, public_handle): (Mechanism, ObjectHandle);
    match spec.curve() {
        None => {
            let KeySpec::Rsa(bits) = spec else {
                unreachable!()
            };
            public.extend([
                Attribute::ModulusBits(bits.into()),
                Attribute::PublicExponent(vec![1, 0, 1]),
            ]);
            mechanism = Mechanism::RsaPkcsKeyPairGen;
        }
        Some(curve) => {
            public.push(Attribute::EcParams(
                curve.to_der().map_err(|e| e.to_string())?,
            ));
            mechanism = Mechanism::EccKeyPairGen;
        }
    }
    (public_handle, _) = session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(err("C_GenerateKeyPair"))?;
    public_key(session, public_handle, spec)
}

/// Reads a public key object back as a SubjectPublicKeyInfo.
fn public_key(
    session: &Session,
    handle: ObjectHandle,
    spec: KeySpec,
) -> Result<SubjectPublicKeyInfoOwned, String> {
    use kyso_token::cryptoki::object::AttributeType;
    let want = match spec {
        KeySpec::Rsa(_) => vec![AttributeType::Modulus, AttributeType::PublicExponent],
        _ => vec![AttributeType::EcPoint],
    };
    let attrs = session
        .get_attributes(handle, &want)
        .map_err(err("C_GetAttributeValue"))?;
    match (spec.curve(), attrs.as_slice()) {
        (None, [Attribute::Modulus(n), Attribute::PublicExponent(e)]) => {
            use rsa::pkcs8::EncodePublicKey;
            let key = rsa::PublicKey::new(
                rsa::BoxedUint::from_be_slice_vartime(n),
                rsa::BoxedUint::from_be_slice_vartime(e),
            )
            .map_err(|e| e.to_string())?;
            let der = key.to_public_key_der().map_err(|e| e.to_string())?;
            SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| e.to_string())
        }
        (Some(curve), [Attribute::EcPoint(point)]) => {
            // CKA_EC_POINT is a DER OCTET STRING around the SEC1 point.
            let point = der::asn1::OctetString::from_der(point).map_err(|e| e.to_string())?;
            Ok(SubjectPublicKeyInfoOwned {
                algorithm: AlgorithmIdentifierOwned {
                    oid: const_oid::db::rfc5912::ID_EC_PUBLIC_KEY,
                    parameters: Some(Any::encode_from(&curve).map_err(|e| e.to_string())?),
                },
                subject_public_key: BitString::from_bytes(point.as_bytes())
                    .map_err(|e| e.to_string())?,
            })
        }
        _ => Err("unexpected public key attributes".into()),
    }
}

/// Stores `cert` on the token beside the key with the same CKA_ID.
pub fn import_certificate(
    session: &Session,
    cert: &Certificate,
    id: &[u8],
    label: &str,
) -> Result<(), String> {
    let tbs = cert.x509().tbs_certificate();
    session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(id.to_vec()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(cert.subject_der()),
            Attribute::Issuer(tbs.issuer().to_der().map_err(|e| e.to_string())?),
            Attribute::SerialNumber(tbs.serial_number().to_der().map_err(|e| e.to_string())?),
            Attribute::Value(cert.der().to_vec()),
        ])
        .map_err(err("C_CreateObject(certificate)"))?;
    Ok(())
}
