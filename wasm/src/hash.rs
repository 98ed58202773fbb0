//! Hashing in the page: one-shot, and streaming for files too large to hold
//! in memory (the SDK feeds `Blob` slices; memory stays at one chunk).

use wasm_bindgen::prelude::*;

use kyso_core::digest::{HashAlgorithm, Hasher as CoreHasher};
use kyso_core::DigestAlgorithm;

use crate::error;

pub(crate) fn algorithm(name: &str) -> Result<DigestAlgorithm, JsValue> {
    name.parse().map_err(error::to_js)
}

/// Any digest the page may need to verify with (SHA-1, SHA-2, SHA-3).
pub(crate) fn hash_algorithm(name: &str) -> Result<HashAlgorithm, JsValue> {
    HashAlgorithm::from_name(name)
        .ok_or_else(|| error::to_js(kyso_core::Error::UnsupportedAlgorithm(name.into())))
}

/// A streaming SHA-256/384/512.
#[wasm_bindgen]
pub struct Hasher {
    inner: Option<CoreHasher>,
}

#[wasm_bindgen]
impl Hasher {
    /// `algorithm`: "SHA-256", "SHA-384" or "SHA-512".
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm_name: &str) -> Result<Hasher, JsValue> {
        Ok(Hasher {
            inner: Some(CoreHasher::new(hash_algorithm(algorithm_name)?)),
        })
    }

    /// Feeds the next chunk; fails once the digest was taken.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.inner
            .as_mut()
            .ok_or_else(|| error::bad_input("hasher already finalized"))?
            .update(chunk);
        Ok(())
    }

    /// The digest; the hasher cannot be used afterwards.
    pub fn finalize(&mut self) -> Result<Vec<u8>, JsValue> {
        Ok(self
            .inner
            .take()
            .ok_or_else(|| error::bad_input("hasher already finalized"))?
            .finalize())
    }
}

/// One-shot digest of `data`.
#[wasm_bindgen]
pub fn digest(algorithm_name: &str, data: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(hash_algorithm(algorithm_name)?.digest(data))
}
