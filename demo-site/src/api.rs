//! The handlers of the JSON API under `/api/` (the routes module says which
//! answers what): the citizen's submission, the staff's Decree 30 documents
//! (a leader approves, a clerk issues), login with the token, the usage
//! dashboard and what the page needs to start. Every PDF that comes in is
//! verified here with kyso-core before anything is stored; the page's own
//! report is never trusted.

use std::sync::Arc;

use kyso_core::auth::AuthToken;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;

use crate::app::App;
use crate::error::Error;
use crate::http::{Answer, Request};
use crate::store::Registration;
use crate::uploads::{decode_pdf, file_name, parse_json, text, verified};
use crate::usage;
use crate::verification::{unix_now, SignatureSummary};
use crate::{preview, stamps};

/// The receiving offices the citizen's form offers.
pub const AGENCIES: &[&str] = &[
    "UBND phường Bến Nghé",
    "UBND phường Hàng Trống",
    "UBND xã Tân Phú",
    "Phòng Tài chính – Kế hoạch quận 1",
];

/// `GET /api/stamps/signature.png`: the leader's signature image.
pub fn signature_image() -> Answer {
    Answer::png(stamps::signature().to_vec())
}

/// `GET /api/stamps/seal.png`: the organisation's seal.
pub fn seal_image() -> Answer {
    Answer::png(stamps::seal().to_vec())
}

fn id_of(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::NotFound)
}

/// `GET /api/config`: what the page needs to start.
pub fn config(app: &App) -> Answer {
    let mut samples = Vec::new();
    if let Some(dir) = &app.samples_dir {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".pdf"))
            .collect();
        names.sort();
        for name in names {
            // Drafts are what a leader approves; anything else is a citizen's
            // attachment.
            let purpose = if name.starts_with("du-thao") {
                "draft"
            } else {
                "citizen"
            };
            samples.push(
                json!({ "name": name, "url": format!("/samples/{name}"), "purpose": purpose }),
            );
        }
    }
    Answer::ok(json!({
        "origin": app.logins.origins().first(),
        "agentPorts": if app.agent_ports.is_empty() { vec![27182, 27183, 27184] } else { app.agent_ports.clone() },
        "trustAnchors": app.verifier.extra_pem(),
        "agencies": AGENCIES,
        "samples": samples,
    }))
}

/// A report and what the receipt shows of it.
fn report_body(report: &kyso_core::report::ValidationReport) -> serde_json::Value {
    json!({ "report": report, "signatures": SignatureSummary::of(report) })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SubmissionForm {
    full_name: String,
    cccd: String,
    business_name: String,
    address: String,
    business_line: String,
    agency: String,
    #[serde(default)]
    file_name: String,
    pdf: String,
}

/// `POST /api/submissions`: the citizen's signed registration.
pub async fn submit(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    let form: SubmissionForm = parse_json(&req.body)?;
    let cccd = text(&form.cccd, "cccd", ("số CCCD", "Citizen ID"), 12, false)?;
    if cccd.len() != 12 || !cccd.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::field(
            "cccd",
            "Số CCCD gồm 12 chữ số",
            "The citizen ID (CCCD) has 12 digits",
        ));
    }
    let agency = text(
        &form.agency,
        "agency",
        ("cơ quan tiếp nhận", "Receiving office"),
        120,
        false,
    )?;
    if !AGENCIES.contains(&agency.as_str()) {
        return Err(Error::field(
            "agency",
            "Hãy chọn cơ quan tiếp nhận trong danh sách",
            "Choose a receiving office from the list",
        ));
    }
    let registration = Registration {
        full_name: text(
            &form.full_name,
            "fullName",
            ("họ và tên", "Full name"),
            120,
            false,
        )?,
        cccd,
        business_name: text(
            &form.business_name,
            "businessName",
            ("tên hộ kinh doanh", "Business name"),
            200,
            false,
        )?,
        address: text(&form.address, "address", ("địa chỉ", "Address"), 300, false)?,
        business_line: text(
            &form.business_line,
            "businessLine",
            ("ngành nghề kinh doanh", "Line of business"),
            300,
            false,
        )?,
        agency,
        file_name: file_name(&form.file_name, "ho-so.pdf"),
    };
    let (pdf, report) = verified(app, decode_pdf(&form.pdf)?, 1).await?;
    let now = unix_now();
    let usage = usage::newest_signature(&report, "citizen", &registration.agency, now);
    let report_json = serde_json::to_value(&report).unwrap_or_default();
    let id = app
        .store
        .add_submission(now, &registration, &pdf, &report_json, &usage)?;
    let mut body = report_body(&report);
    body["id"] = id.into();
    Ok(Answer::Json(StatusCode::CREATED, body))
}

/// `GET /api/submissions/ID`: a submission and its report.
pub fn submission(app: &App, id: &str) -> Result<Answer, Error> {
    let s = app.store.submission(id_of(id)?)?.ok_or(Error::NotFound)?;
    let mut body = serde_json::to_value(&s).unwrap_or_default();
    if let Ok(report) = serde_json::from_value(s.report.clone()) {
        body["signatures"] =
            serde_json::to_value(SignatureSummary::of(&report)).unwrap_or_default();
    }
    Ok(Answer::ok(body))
}

/// `GET /api/submissions/ID/pdf`: the file the citizen signed.
pub fn submission_pdf(app: &App, id: &str) -> Result<Answer, Error> {
    let pdf = app
        .store
        .submission_pdf(id_of(id)?)?
        .ok_or(Error::NotFound)?;
    Ok(Answer::pdf(pdf, &format!("ho-so-{id}.pdf")))
}

/// The page may send more (the file's name); only these are kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovedDraft {
    title: String,
    organization: String,
    pdf: String,
}

/// `POST /api/documents`: the leader's signature on a draft: one valid
/// signature, from staff who logged in with their token.
pub async fn approve(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    logged_in(app, req)?;
    let form: ApprovedDraft = parse_json(&req.body)?;
    let title = text(&form.title, "title", ("trích yếu", "Title"), 300, false)?;
    let organization = text(
        &form.organization,
        "organization",
        ("cơ quan ban hành", "Issuing body"),
        200,
        false,
    )?;
    let (pdf, report) = verified(app, decode_pdf(&form.pdf)?, 1).await?;
    let now = unix_now();
    let usage = usage::newest_signature(&report, "approved", &organization, now);
    let report_json = serde_json::to_value(&report).unwrap_or_default();
    let id = app
        .store
        .add_document(now, &title, &organization, &pdf, &report_json, &usage)?;
    let mut body = report_body(&report);
    body["id"] = id.into();
    Ok(Answer::Json(StatusCode::CREATED, body))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IssuedDocument {
    doc_number: String,
    issued_date: String,
    pdf: String,
}

/// `POST /api/documents/ID/issue`: the clerk's signature: the approved file
/// byte for byte, one more revision, every signature valid and nothing but a
/// signature changed.
pub async fn issue(app: &Arc<App>, req: &Request, id: &str) -> Result<Answer, Error> {
    logged_in(app, req)?;
    let id = id_of(id)?;
    let form: IssuedDocument = parse_json(&req.body)?;
    let doc_number = text(
        &form.doc_number,
        "docNumber",
        ("số, ký hiệu", "Document number"),
        60,
        false,
    )?;
    let issued_date = text(
        &form.issued_date,
        "issuedDate",
        ("ngày ban hành", "Issue date"),
        40,
        false,
    )?;
    let doc = app.store.document(id)?.ok_or(Error::NotFound)?;
    if doc.status != "approved" {
        return Err(Error::WrongState {
            vi: "Văn bản đã được ban hành".into(),
            en: "The document has been issued already".into(),
        });
    }
    let approved = app.store.document_pdf(id)?.ok_or(Error::NotFound)?;
    let pdf = decode_pdf(&form.pdf)?;
    if pdf.len() <= approved.len() || !pdf.starts_with(&approved) {
        return Err(Error::NotAnUpdate);
    }
    // Core fails the leader's signature if the clerk's revision changed
    // anything but a signature (PDF_MODIFIED_AFTER_SIGNING).
    let approved_signatures = doc
        .report
        .as_ref()
        .and_then(|r| r["signatures"].as_array())
        .map_or(1, Vec::len);
    let (pdf, report) = verified(app, pdf, approved_signatures + 1).await?;
    let covers_all = report
        .signatures
        .last()
        .and_then(|s| s.pdf.as_ref())
        .is_some_and(|p| p.covers_whole_file);
    if report.signatures.len() != approved_signatures + 1 || !covers_all {
        return Err(Error::NotAnUpdate);
    }
    let now = unix_now();
    let usage = usage::newest_signature(&report, "issued", &doc.organization, now);
    let report_json = serde_json::to_value(&report).unwrap_or_default();
    app.store.issue_document(
        id,
        &approved,
        &doc_number,
        &issued_date,
        &pdf,
        &report_json,
        &usage,
    )?;
    Ok(Answer::ok(report_body(&report)))
}

/// `GET /api/documents`: every document, newest first, without reports.
pub fn documents(app: &App) -> Result<Answer, Error> {
    Ok(Answer::ok(json!({ "documents": app.store.documents()? })))
}

/// `GET /api/documents/ID`: a document and its report.
pub fn document(app: &App, id: &str) -> Result<Answer, Error> {
    let d = app.store.document(id_of(id)?)?.ok_or(Error::NotFound)?;
    let mut body = serde_json::to_value(&d).unwrap_or_default();
    if let Some(report) = d.report.and_then(|r| serde_json::from_value(r).ok()) {
        body["signatures"] =
            serde_json::to_value(SignatureSummary::of(&report)).unwrap_or_default();
    }
    Ok(Answer::ok(body))
}

/// `GET /api/documents/ID/pdf`: the approved or issued file.
pub fn document_pdf(app: &App, id: &str) -> Result<Answer, Error> {
    let pdf = app.store.document_pdf(id_of(id)?)?.ok_or(Error::NotFound)?;
    Ok(Answer::pdf(pdf, &format!("van-ban-{id}.pdf")))
}

/// `GET /api/documents/ID/preview.png?page=N`: a picture of a page.
pub async fn page_preview(app: &App, req: &Request, id: &str) -> Result<Answer, Error> {
    let pdf = app.store.document_pdf(id_of(id)?)?.ok_or(Error::NotFound)?;
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|p| (1..=500).contains(p))
        .unwrap_or(1);
    Ok(Answer::png(preview::render(&pdf, page).await?))
}

/// `POST /api/login/nonce`: a single-use challenge for the token.
pub fn nonce(app: &App) -> Result<Answer, Error> {
    let (nonce, expires) = app.logins.issue_nonce(unix_now())?;
    Ok(Answer::ok(json!({ "nonce": nonce, "expiresAt": expires })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    nonce: String,
    token: AuthToken,
}

/// `POST /api/login`: the token's signature of a nonce opens a session.
pub fn login(app: &App, req: &Request) -> Result<Answer, Error> {
    let form: LoginForm = parse_json(&req.body)?;
    let now = unix_now();
    let (session, user) =
        app.logins
            .login(&form.token, &form.nonce, app.verifier.anchors(), now)?;
    let agency = usage::agency_of("", user.organization.as_deref());
    app.store.add_usage(&[crate::store::UsageEvent {
        at: now,
        kind: "login",
        issuer: user.issuer.clone(),
        agency,
        signer: user.name.clone(),
    }])?;
    // Secure once the portal is https (a real deployment); the demo on
    // http://127.0.0.1 could not log in with it.
    let secure = if form.token.origin.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={session}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        crate::login::COOKIE,
        crate::login::SESSION_TTL_SECS
    );
    Ok(Answer::JsonWithCookie(json!({ "user": user }), cookie))
}

/// `GET /api/session`: who is logged in.
pub fn session(app: &App, req: &Request) -> Result<Answer, Error> {
    Ok(Answer::ok(json!({ "user": logged_in(app, req)? })))
}

/// The user of the request's session cookie.
fn logged_in(app: &App, req: &Request) -> Result<crate::login::User, Error> {
    req.cookie()
        .and_then(|id| app.logins.session(id, unix_now()))
        .ok_or(Error::NotLoggedIn)
}

/// `POST /api/logout`: ends the session, clears the cookie.
pub fn logout(app: &App, req: &Request) -> Answer {
    if let Some(id) = req.cookie() {
        app.logins.logout(id);
    }
    Answer::JsonWithCookie(json!({}), clear_cookie())
}

fn clear_cookie() -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        crate::login::COOKIE
    )
}

/// `GET /api/usage?days=N`: the dashboard's counts.
pub fn dashboard(app: &App, req: &Request) -> Result<Answer, Error> {
    let days = req
        .query_param("days")
        .and_then(|d| d.parse().ok())
        .unwrap_or(30);
    Ok(Answer::ok(
        serde_json::to_value(usage::dashboard(&app.store, days, unix_now())?).unwrap_or_default(),
    ))
}
