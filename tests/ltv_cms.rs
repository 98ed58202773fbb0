//! CAdES B-T and B-LT made by `kyso sign cms --level` against real loopback
//! servers (an `openssl ts` TSA, an OpenSSL OCSP responder, CRLs over HTTP,
//! all issued by the test PKI whose certificates point at them), judged by
//! Kyso, OpenSSL and EU DSS (default policy, no fetching).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kyso_core::cms::unsigned_attrs;
use kyso_testkit::ltv::hanging_server;
use kyso_tests::ltv::fixture as ltv_fixture;
use kyso_tests::{ltv, Fixture};

fn sign(
    fx: &Fixture,
    signer: &str,
    level: &str,
    tsa: &str,
    name: &str,
) -> (PathBuf, PathBuf, std::process::Output) {
    let work = fx.scratch(name);
    let data = work.join("to-khai.xml");
    std::fs::write(&data, format!("<ToKhai><Ky>{name}</Ky></ToKhai>")).unwrap();
    let p7s = work.join("to-khai.p7s");
    let out = ltv::kyso_sign(fx, "cms", signer, &data, &p7s, level, tsa);
    (data, p7s, out)
}

fn dss_default(fx: &Fixture, p7s: &Path, data: &Path) -> serde_json::Value {
    ltv::dss_default(fx, p7s, Some(data))
}

#[test]
fn b_lt_is_made_checked_by_openssl_and_dss_and_holds_offline() {
    let (fx, mut responders) = ltv_fixture("lt");
    let tsa = &responders.entry().tsa_url.clone();
    let (data, p7s, out) = sign(&fx, "ltv", "B-LT", tsa, "b-lt");
    assert!(
        out.status.success(),
        "kyso sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(responders.hits("/tsa"), 1, "one time-stamp was asked for");
    assert!(
        responders.ocsp_hits() >= 2,
        "the signer's and the TSA's status were asked"
    );

    let (code, report) = fx.verify(&p7s, Some(&data), true);
    let sig = &report["signatures"][0];
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(sig["level"], "B-LT", "{sig:#}");
    assert_eq!(sig["timestamps"][0]["kind"], "SIGNATURE");
    assert_eq!(sig["timestamps"][0]["indication"], "TOTAL_PASSED");
    let statuses: Vec<(&str, &str)> = sig["revocation"]
        .as_array()
        .expect("revocation entries")
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["origin"].as_str().unwrap()))
        .collect();
    // Signer (OCSP) and intermediate (CRL), both from the signature itself.
    assert_eq!(
        statuses,
        [("GOOD", "SIGNATURE"), ("GOOD", "SIGNATURE")],
        "{sig:#}"
    );
    assert!(sig["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["code"] != "REVOCATION_NOT_CHECKED"));

    // OpenSSL: the CMS, and the token as a time-stamp of the signature value.
    assert!(fx.openssl_verify(&p7s, Some(&data)));
    let cms = std::fs::read(&p7s).unwrap();
    let work = p7s.parent().unwrap();
    let token = unsigned_attrs::values(&cms, unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .unwrap()
        .remove(0);
    std::fs::write(work.join("token.der"), &token).unwrap();
    std::fs::write(
        work.join("value.bin"),
        unsigned_attrs::signature_value(&cms).unwrap(),
    )
    .unwrap();
    let value = work.join("value.bin");
    kyso_tests::ltv::assert_openssl_ts_verifies(
        &fx,
        &work.join("token.der"),
        &["-data".as_ref(), value.as_os_str()],
    );

    // The responders go away: what is embedded must suffice.
    responders.stop();
    let (code, report) = fx.verify(&p7s, Some(&data), true);
    assert_eq!(
        (code, report["signatures"][0]["level"].as_str()),
        (0, Some("B-LT")),
        "{report:#}"
    );

    // DSS, its own default policy (revocation required), nothing fetched.
    let dss = dss_default(&fx, &p7s, &data);
    let s = &dss["signatures"][0];
    assert_eq!(s["indication"], "TOTAL_PASSED", "{dss:#}");
    assert!(
        s["level"].as_str().unwrap_or_default().contains("LT"),
        "{dss:#}"
    );
}

#[test]
fn b_t_passes_and_a_tampered_imprint_is_caught() {
    let (fx, responders) = ltv_fixture("t");
    let (data, p7s, out) = sign(&fx, "ltv", "B-T", &responders.entry().tsa_url, "b-t");
    assert!(
        out.status.success(),
        "kyso sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report) = fx.verify(&p7s, Some(&data), true);
    let sig = &report["signatures"][0];
    assert_eq!(
        (code, sig["level"].as_str()),
        (0, Some("B-T")),
        "{report:#}"
    );
    assert!(sig["provenSigningTime"].is_string());
    assert!(fx.independently_valid(&p7s, Some(&data)));

    // The same token over another signature value: its imprint no longer matches.
    let cms = std::fs::read(&p7s).unwrap();
    let token = unsigned_attrs::values(&cms, unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .unwrap()
        .remove(0);
    let (_, other, out) = sign(&fx, "ltv", "B-B", &responders.entry().tsa_url, "b-b");
    assert!(out.status.success());
    let other_cms = std::fs::read(&other).unwrap();
    // add_signature_timestamp refuses a token for another signature...
    assert!(unsigned_attrs::add_signature_timestamp(&other_cms, &token).is_err());
    // ...and a verifier catches one smuggled in.
    let forged = smuggle_timestamp(&other_cms, &token);
    let forged_path = other.with_extension("forged.p7s");
    std::fs::write(&forged_path, forged).unwrap();
    let data_b = other.parent().unwrap().join("to-khai.xml");
    let (_, report) = fx.verify(&forged_path, Some(&data_b), true);
    let sig = &report["signatures"][0];
    assert_eq!(sig["level"], "B-B", "{sig:#}");
    assert_eq!(
        sig["timestamps"][0]["subIndication"], "HASH_FAILURE",
        "{sig:#}"
    );
    assert!(sig["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["code"] == "TIMESTAMP_INVALID"));
}

/// Appends a signature-time-stamp attribute holding `token` whatever it
/// stamps, the way a forger would (kyso-core's own API refuses to).
fn smuggle_timestamp(cms: &[u8], token: &[u8]) -> Vec<u8> {
    use cms_forge::append_unsigned;
    append_unsigned(cms, token)
}

mod cms_forge {
    use der::{Decode, Encode};

    pub fn append_unsigned(cms: &[u8], token: &[u8]) -> Vec<u8> {
        let ci = cms::content_info::ContentInfo::from_der(cms).unwrap();
        let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
        let mut signers = sd.signer_infos.0.into_vec();
        let mut attrs = signers[0]
            .unsigned_attrs
            .take()
            .map(|a| a.into_vec())
            .unwrap_or_default();
        attrs.push(x509_cert::attr::Attribute {
            oid: kyso_core::cms::unsigned_attrs::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
            values: der::asn1::SetOfVec::try_from(vec![der::Any::from_der(token).unwrap()])
                .unwrap(),
        });
        signers[0].unsigned_attrs = Some(der::asn1::SetOfVec::try_from(attrs).unwrap());
        sd.signer_infos = cms::signed_data::SignerInfos::try_from(signers).unwrap();
        cms::content_info::ContentInfo {
            content_type: ci.content_type,
            content: der::Any::encode_from(&sd).unwrap(),
        }
        .to_der()
        .unwrap()
    }
}

#[test]
fn a_revoked_signer_timestamped_after_the_revocation_has_no_poe() {
    let (fx, responders) = ltv_fixture("revoked");
    let cert = fx.manifest.signer("ltv-revoked").cert_pem.clone();
    responders.revoke(&cert, "keyCompromise").expect("revoke");
    // Revocation times have one-second precision; the time-stamp must come after.
    std::thread::sleep(Duration::from_millis(1100));
    let (data, p7s, out) = sign(
        &fx,
        "ltv-revoked",
        "B-LT",
        &responders.entry().tsa_url,
        "revoked",
    );
    assert!(
        out.status.success(),
        "kyso sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report) = fx.verify(&p7s, Some(&data), true);
    let sig = &report["signatures"][0];
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(
        (sig["indication"].as_str(), sig["subIndication"].as_str()),
        (Some("INDETERMINATE"), Some("REVOKED_NO_POE"))
    );
    assert_eq!(sig["revocation"][0]["status"], "REVOKED");
    assert_eq!(sig["revocation"][0]["revocationReason"], "keyCompromise");
    let dss = dss_default(&fx, &p7s, &data);
    let verdict = &dss["signatures"][0];
    assert_eq!(
        (
            verdict["indication"].as_str(),
            verdict["subIndication"].as_str()
        ),
        (Some("INDETERMINATE"), Some("REVOKED_NO_POE")),
        "{dss:#}"
    );
}

#[test]
fn a_tsa_that_never_answers_gives_tsa_unavailable_and_keeps_the_b_b_signature() {
    let fx = Fixture::single();
    let (port, _hang) = hanging_server().expect("hanging server");
    let started = Instant::now();
    let (data, p7s, out) = sign(
        fx,
        "rsa2048",
        "B-T",
        &format!("http://127.0.0.1:{port}/tsa"),
        "hang",
    );
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("TSA_UNAVAILABLE"), "{stderr}");
    assert!(took < Duration::from_secs(20), "gave up after {took:?}");
    // The token's signature is not lost: the B-B file is there and valid.
    let (code, report) = fx.verify(&p7s, Some(&data), true);
    assert_eq!(
        (code, report["signatures"][0]["level"].as_str()),
        (0, Some("B-B")),
        "{report:#}"
    );
}
