//! CAdES B-T, B-LT and B-LTA made by `kyso sign cms --level` against real loopback
//! servers (an `openssl ts` TSA, an OpenSSL OCSP responder, CRLs over HTTP,
//! all issued by the test PKI whose certificates point at them), judged by
//! Kyso, OpenSSL and EU DSS (default policy, no fetching).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kyso_core::cms::{archive_timestamp, unsigned_attrs};
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

/// [`sign`], which must succeed.
fn signed(fx: &Fixture, signer: &str, level: &str, tsa: &str, name: &str) -> (PathBuf, PathBuf) {
    let (data, p7s, out) = sign(fx, signer, level, tsa, name);
    assert!(
        out.status.success(),
        "kyso sign: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (data, p7s)
}

fn dss_default(fx: &Fixture, p7s: &Path, data: &Path) -> serde_json::Value {
    ltv::dss_default(fx, p7s, Some(data))
}

#[test]
fn b_lt_is_made_checked_by_openssl_and_dss_and_holds_offline() {
    let (fx, mut responders) = ltv_fixture("lt");
    let tsa = &responders.entry().tsa_url.clone();
    let (data, p7s) = signed(&fx, "ltv", "B-LT", tsa, "b-lt");
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
fn b_lta_holds_offline_dss_reads_cades_baseline_lta_and_tampered_data_is_caught() {
    let (fx, mut responders) = ltv_fixture("lta");
    let tsa = &responders.entry().tsa_url.clone();
    let (data, p7s) = signed(&fx, "ltv", "B-LTA", tsa, "b-lta");
    assert_eq!(
        responders.hits("/tsa"),
        2,
        "a signature and an archive time-stamp"
    );
    let cms = std::fs::read(&p7s).unwrap();
    let archive =
        unsigned_attrs::values(&cms, archive_timestamp::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3).unwrap();
    assert_eq!(archive.len(), 1);
    assert_eq!(
        unsigned_attrs::values(&archive[0], archive_timestamp::ID_AA_ATS_HASH_INDEX_V3)
            .unwrap()
            .len(),
        1,
        "the token carries its ats-hash-index-v3"
    );

    // Nothing is fetched: the responders are gone.
    responders.stop();
    let sig = &kyso_b_lta(&fx, &p7s, &data);
    let kinds: Vec<(&str, &str)> = sig["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap(),
                t["indication"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("SIGNATURE", "TOTAL_PASSED"), ("ARCHIVE", "TOTAL_PASSED")],
        "{sig:#}"
    );

    // DSS, its own default policy, nothing fetched.
    let dss = dss_default(&fx, &p7s, &data);
    let s = &dss["signatures"][0];
    assert_eq!(
        (s["indication"].as_str(), s["signatureFormat"].as_str()),
        (Some("TOTAL_PASSED"), Some("CAdES-BASELINE-LTA")),
        "{dss:#}"
    );
    assert!(
        dss["timestamps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["type"] == "ARCHIVE_TIMESTAMP" && t["indication"] == "PASSED"),
        "{dss:#}"
    );

    // A byte of an embedded CRL or OCSP answer changes: the archive
    // time-stamp no longer covers the signature as it stands.
    let view = kyso_core::cms::SignedDataView::parse(&cms).unwrap();
    for (what, item) in [("crl", &view.crls[0]), ("ocsp", &view.ocsp_responses[0])] {
        let at = cms
            .windows(item.len())
            .position(|w| w == item.as_slice())
            .expect("the item is in the file");
        let mut bad = cms.clone();
        bad[at + item.len() - 1] ^= 0x01;
        let bad_path = p7s.with_extension(format!("{what}.p7s"));
        std::fs::write(&bad_path, &bad).unwrap();
        let (_, report) = fx.verify(&bad_path, Some(&data), true);
        let sig = &report["signatures"][0];
        let archive = sig["timestamps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "ARCHIVE")
            .expect("the archive time-stamp is listed");
        assert_eq!(archive["subIndication"], "HASH_FAILURE", "{what}: {sig:#}");
        assert_ne!(sig["level"], "B-LTA", "{what}: {sig:#}");
        assert!(
            sig["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "ARCHIVE_TIMESTAMP_INVALID"),
            "{what}: {sig:#}"
        );
    }
}

/// The other way round: a CAdES-B-LTA made by DSS (its own
/// archive-time-stamp-v3 and ats-hash-index-v3 encoder) is B-LTA to Kyso.
/// The TSA's key signs the document: it is the one key of this PKI kept as
/// a file, and its certificate's status is in the intermediate's CRL.
#[test]
fn a_dss_made_cades_b_lta_is_b_lta_to_kyso() {
    let (fx, responders) = ltv_fixture("dss-lta");
    let ltv = responders.entry().clone();
    let work = fx.scratch("dss-lta");
    let data = work.join("to-khai.xml");
    std::fs::write(&data, "<ToKhai><Ky>DSS</Ky></ToKhai>").unwrap();
    let p7s = work.join("dss-lta.p7s");
    let crl = |ca: &str| ltv.state_dir.join("crl").join(format!("{ca}.crl"));
    kyso_tests::dss::sign(
        "sign-cades",
        &data,
        &p7s,
        serde_json::json!({
            "key": ltv.tsa_key_pem, "cert": ltv.tsa_cert_pem,
            "chain": [&fx.manifest.intermediate_pem, &fx.manifest.root_pem],
            "level": "B-LTA", "tsa-key": ltv.tsa_key_pem, "tsa-cert": ltv.tsa_cert_pem,
            "tsa-chain": [&fx.manifest.intermediate_pem, &fx.manifest.root_pem],
            "crl": [crl("intermediate"), crl("root")], "trust": [&fx.manifest.root_pem],
        }),
    );
    let dss = dss_default(&fx, &p7s, &data);
    assert_eq!(
        dss["signatures"][0]["signatureFormat"], "CAdES-BASELINE-LTA",
        "{dss:#}"
    );
    kyso_b_lta(&fx, &p7s, &data);
}

/// Kyso's verdict on `p7s`, which must pass at B-LTA with an archive
/// time-stamp that holds: the signature's report.
fn kyso_b_lta(fx: &Fixture, p7s: &Path, data: &Path) -> serde_json::Value {
    let (code, report) = fx.verify(p7s, Some(data), true);
    let sig = report["signatures"][0].clone();
    assert_eq!(
        (code, sig["level"].as_str()),
        (0, Some("B-LTA")),
        "{report:#}"
    );
    assert!(
        sig["timestamps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "ARCHIVE" && t["indication"] == "TOTAL_PASSED"),
        "{sig:#}"
    );
    sig
}

#[test]
fn b_t_passes_and_a_tampered_imprint_is_caught() {
    let (fx, responders) = ltv_fixture("t");
    let (data, p7s) = signed(&fx, "ltv", "B-T", &responders.entry().tsa_url, "b-t");
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
    let (data, p7s) = signed(
        &fx,
        "ltv-revoked",
        "B-LT",
        &responders.entry().tsa_url,
        "revoked",
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
