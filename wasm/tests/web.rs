//! kyso-wasm in real browsers (wasm-bindgen-test, headless Chromium and
//! Firefox): hashing, CAdES prepare/finish with a key held by the test, and
//! verification against OpenSSL-made and Kyso-made signatures.

// Browser tests: on other targets there is no page to run them in.
#![cfg(target_arch = "wasm32")]

use p256::ecdsa::signature::hazmat::PrehashSigner;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

use kyso_wasm::*;

wasm_bindgen_test_configure!(run_in_browser);

const CERT: &[u8] = include_bytes!("data/signer.der");
const CERT_PEM: &str = include_str!("data/signer.pem");
const KEY_HEX: &str = include_str!("data/signer.key.hex");
const CONTENT: &[u8] = include_bytes!("data/content.txt");
const OPENSSL_P7S: &[u8] = include_bytes!("data/openssl.p7s");

fn now() -> f64 {
    js_sys::Date::now()
}

fn report(json: &str) -> serde_json::Value {
    serde_json::from_str(json).expect("report is JSON")
}

fn verdict(r: &serde_json::Value) -> (String, String) {
    let s = &r["signatures"][0];
    (
        s["indication"].as_str().unwrap_or_default().into(),
        s["subIndication"].as_str().unwrap_or_default().into(),
    )
}

fn error_code(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

/// Signs `prepared`'s signed attributes with the test key, as the agent would.
fn sign(prepared: &PreparedCms) -> Vec<u8> {
    let key = p256::ecdsa::SigningKey::from_slice(&hex::decode(KEY_HEX.trim()).unwrap()).unwrap();
    let digest = digest("SHA-256", &prepared.signed_attributes().unwrap()).unwrap();
    let sig: p256::ecdsa::Signature = key.sign_prehash(&digest).unwrap();
    sig.to_bytes().to_vec()
}

#[wasm_bindgen_test]
fn digest_known_answer_and_streaming_equals_one_shot() {
    assert_eq!(
        hex::encode(digest("SHA-256", b"abc").unwrap()),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let data: Vec<u8> = (0..(1 << 20)).map(|i| (i * 7 % 251) as u8).collect();
    for alg in ["SHA-256", "SHA-384", "SHA-512"] {
        let mut h = Hasher::new(alg).unwrap();
        for chunk in data.chunks(150_001) {
            h.update(chunk).unwrap();
        }
        assert_eq!(h.finalize().unwrap(), digest(alg, &data).unwrap(), "{alg}");
        assert_eq!(error_code(h.finalize().unwrap_err()), "BAD_REQUEST");
    }
    assert_eq!(
        error_code(Hasher::new("MD5").err().unwrap()),
        "UNSUPPORTED_ALGORITHM"
    );
}

#[wasm_bindgen_test]
fn certificate_info_reads_vietnamese_names_and_identifiers() {
    let info: serde_json::Value = serde_json::from_str(&certificate_info(CERT).unwrap()).unwrap();
    assert_eq!(info["commonName"], "Kiểm thử WebAssembly");
    assert_eq!(info["identifiers"]["cccd"], "079090001111");
    assert_eq!(info["keyType"], "EC");
    let pem: serde_json::Value =
        serde_json::from_str(&certificate_info(CERT_PEM.as_bytes()).unwrap()).unwrap();
    assert_eq!(pem["sha256"], info["sha256"]);
    assert!(certificate_info(b"garbage").is_err());
}

#[wasm_bindgen_test]
fn verifies_an_openssl_signature_and_catches_tampering() {
    let r = report(&verify_cms(OPENSSL_P7S, CONTENT, CERT_PEM, now(), None, None).unwrap());
    assert_eq!(verdict(&r).0, "TOTAL_PASSED", "{r}");
    let r = report(&verify_cms(OPENSSL_P7S, b"Xin chao", CERT_PEM, now(), None, None).unwrap());
    assert_eq!(verdict(&r), ("TOTAL_FAILED".into(), "HASH_FAILURE".into()));
    let r = report(&verify_cms(OPENSSL_P7S, CONTENT, "", now(), None, None).unwrap());
    assert_eq!(
        verdict(&r).1,
        "NO_CERTIFICATE_CHAIN_FOUND",
        "only the bundled roots"
    );
    let r = report(&verify_cms(b"not a signature", CONTENT, CERT_PEM, now(), None, None).unwrap());
    assert_eq!(verdict(&r).1, "FORMAT_FAILURE");
    assert_eq!(
        cms_digest_algorithms(OPENSSL_P7S).unwrap(),
        vec!["SHA-256".to_string()]
    );
}

#[wasm_bindgen_test]
fn detached_verification_from_a_streamed_digest() {
    let d = digest("SHA-256", CONTENT).unwrap();
    let r = report(
        &verify_cms_digest(OPENSSL_P7S, "SHA-256", &d, CERT_PEM, now(), None, None).unwrap(),
    );
    assert_eq!(verdict(&r).0, "TOTAL_PASSED", "{r}");
    let other = digest("SHA-256", b"other").unwrap();
    let r = report(
        &verify_cms_digest(OPENSSL_P7S, "SHA-256", &other, CERT_PEM, now(), None, None).unwrap(),
    );
    assert_eq!(verdict(&r).1, "HASH_FAILURE");
}

#[wasm_bindgen_test]
fn prepare_sign_finish_verify_detached_and_attached() {
    let content_digest = digest("SHA-256", CONTENT).unwrap();
    let mut detached = prepare_cms(
        CERT,
        &[],
        "SHA-256",
        Some(content_digest),
        None,
        Some(now()),
    )
    .unwrap();
    let attrs = detached.signed_attributes().unwrap();
    assert_eq!(attrs[0], 0x31, "a DER SET, as /v1/sign requires");
    let sig = sign(&detached);
    let p7s = detached.finish(&sig, "ecdsa-with-SHA256").unwrap();
    let r = report(&verify_cms(&p7s, CONTENT, CERT_PEM, now(), None, None).unwrap());
    assert_eq!(verdict(&r).0, "TOTAL_PASSED", "{r}");
    assert_eq!(r["signatures"][0]["level"], "B-B");
    assert!(r["signatures"][0]["claimedSigningTime"].is_string());
    assert_eq!(
        error_code(detached.finish(&sig, "ecdsa-with-SHA256").unwrap_err()),
        "BAD_REQUEST"
    );

    let mut attached =
        prepare_cms(CERT, &[], "SHA-256", None, Some(CONTENT.to_vec()), None).unwrap();
    let sig = sign(&attached);
    let p7s = attached.finish(&sig, "ecdsa-with-SHA256").unwrap();
    let r = report(&verify_cms(&p7s, &[], CERT_PEM, now(), None, None).unwrap());
    // A .p7s without signing-time is not CAdES B-B (ETSI EN 319 122-1,
    // and DSS's default policy): the signature verifies, the claim is missing.
    assert_eq!(
        verdict(&r),
        ("INDETERMINATE".into(), "SIG_CONSTRAINTS_FAILURE".into()),
        "{r}"
    );
    assert_eq!(
        r["signatures"][0]["errors"][0]["code"],
        "SIGNING_TIME_MISSING"
    );
    assert!(r["signatures"][0].get("claimedSigningTime").is_none());
}

#[wasm_bindgen_test]
fn a_wrong_signature_value_is_refused_at_finish() {
    let d = digest("SHA-256", CONTENT).unwrap();
    let mut prepared = prepare_cms(CERT, &[], "SHA-256", Some(d.clone()), None, None).unwrap();
    let mut sig = sign(&prepared);
    sig[10] ^= 1;
    assert_eq!(
        error_code(prepared.finish(&sig, "ecdsa-with-SHA256").unwrap_err()),
        "KEY_MISMATCH"
    );
    let mut prepared = prepare_cms(CERT, &[], "SHA-256", Some(d), None, None).unwrap();
    assert_eq!(
        error_code(prepared.finish(&[1, 2, 3], "no-such-alg").unwrap_err()),
        "BAD_REQUEST"
    );
    assert!(prepare_cms(CERT, &[], "SHA-256", None, None, None).is_err());
    assert!(prepare_cms(b"junk", &[], "SHA-256", Some(vec![0; 32]), None, None).is_err());
    assert!(
        prepare_cms(CERT, &[], "SHA-256", Some(vec![0; 5]), None, None).is_err(),
        "digest length"
    );
}
