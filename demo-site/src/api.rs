//! The JSON API under `/api/`: the citizen's submission, the staff's Decree
//! 30 documents (a leader approves, a clerk issues), login with the token,
//! the usage dashboard and what the page needs to start. Every PDF that comes
//! in is verified here with kyso-core before anything is stored; the page's
//! own report is never trusted.

use std::sync::Arc;

use kyso_core::auth::AuthToken;
use serde::Deserialize;
use serde_json::json;
use warp::http::{Method, StatusCode};

use crate::error::Error;
use crate::server::{Answer, App, Request};
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

pub async fn route(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    let rest = req.path.strip_prefix("/api/").unwrap_or_default();
    let segments: Vec<&str> = rest.split('/').collect();
    let get = req.method == Method::GET || req.method == Method::HEAD;
    let post = req.method == Method::POST;
    match (segments.as_slice(), get, post) {
        (["config"], true, _) => Ok(config(app)),
        (["stamps", "signature.png"], true, _) => Ok(png(stamps::signature().to_vec())),
        (["stamps", "seal.png"], true, _) => Ok(png(stamps::seal().to_vec())),
        (["submissions"], _, true) => submit(app, req).await,
        (["submissions", id], true, _) => submission(app, id),
        (["submissions", id, "pdf"], true, _) => {
            let pdf = app
                .store
                .submission_pdf(id_of(id)?)?
                .ok_or(Error::NotFound)?;
            Ok(pdf_file(pdf, &format!("ho-so-{id}.pdf")))
        }
        (["login", "nonce"], _, true) => nonce(app),
        (["login"], _, true) => login(app, req),
        (["session"], true, _) => session(app, req),
        (["logout"], _, true) => {
            if let Some(id) = req.cookie() {
                app.logins.logout(id);
            }
            Ok(Answer::JsonWithCookie(json!({}), clear_cookie()))
        }
        (["documents"], true, _) => Ok(ok(json!({ "documents": app.store.documents()? }))),
        (["documents"], _, true) => approve(app, req).await,
        (["documents", id], true, _) => document(app, id),
        (["documents", id, "pdf"], true, _) => {
            let pdf = app.store.document_pdf(id_of(id)?)?.ok_or(Error::NotFound)?;
            Ok(pdf_file(pdf, &format!("van-ban-{id}.pdf")))
        }
        (["documents", id, "preview.png"], true, _) => {
            let pdf = app.store.document_pdf(id_of(id)?)?.ok_or(Error::NotFound)?;
            let page = req
                .query_param("page")
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| (1..=500).contains(p))
                .unwrap_or(1);
            Ok(png(preview::render(&pdf, page).await?))
        }
        (["documents", id, "issue"], _, true) => issue(app, req, id).await,
        (["usage"], true, _) => {
            let days = req
                .query_param("days")
                .and_then(|d| d.parse().ok())
                .unwrap_or(30);
            Ok(ok(serde_json::to_value(usage::dashboard(
                &app.store,
                days,
                unix_now(),
            )?)
            .unwrap_or_default()))
        }
        (
            ["config" | "stamps" | "submissions" | "login" | "session" | "logout" | "documents"
            | "usage", ..],
            _,
            _,
        ) => Err(Error::MethodNotAllowed),
        _ => Err(Error::NotFound),
    }
}

fn ok(value: serde_json::Value) -> Answer {
    Answer::Json(StatusCode::OK, value)
}

fn png(bytes: Vec<u8>) -> Answer {
    Answer::File {
        content_type: "image/png",
        bytes,
        disposition: None,
    }
}

fn pdf_file(bytes: Vec<u8>, name: &str) -> Answer {
    Answer::File {
        content_type: "application/pdf",
        bytes,
        disposition: Some(format!("inline; filename=\"{name}\"")),
    }
}

fn id_of(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::NotFound)
}

fn config(app: &App) -> Answer {
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
    ok(json!({
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

async fn submit(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    let form: SubmissionForm = parse_json(&req.body)?;
    let cccd = text(&form.cccd, "cccd", ("Citizen ID", "số CCCD"), 12, false)?;
    if cccd.len() != 12 || !cccd.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::field(
            "cccd",
            "The citizen ID (CCCD) has 12 digits",
            "Số CCCD gồm 12 chữ số",
        ));
    }
    let agency = text(
        &form.agency,
        "agency",
        ("Receiving office", "cơ quan tiếp nhận"),
        120,
        false,
    )?;
    if !AGENCIES.contains(&agency.as_str()) {
        return Err(Error::field(
            "agency",
            "Choose a receiving office from the list",
            "Hãy chọn cơ quan tiếp nhận trong danh sách",
        ));
    }
    let registration = Registration {
        full_name: text(
            &form.full_name,
            "fullName",
            ("Full name", "họ và tên"),
            120,
            false,
        )?,
        cccd,
        business_name: text(
            &form.business_name,
            "businessName",
            ("Business name", "tên hộ kinh doanh"),
            200,
            false,
        )?,
        address: text(&form.address, "address", ("Address", "địa chỉ"), 300, false)?,
        business_line: text(
            &form.business_line,
            "businessLine",
            ("Line of business", "ngành nghề kinh doanh"),
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

fn submission(app: &App, id: &str) -> Result<Answer, Error> {
    let s = app.store.submission(id_of(id)?)?.ok_or(Error::NotFound)?;
    let mut body = serde_json::to_value(&s).unwrap_or_default();
    if let Ok(report) = serde_json::from_value(s.report.clone()) {
        body["signatures"] =
            serde_json::to_value(SignatureSummary::of(&report)).unwrap_or_default();
    }
    Ok(ok(body))
}

/// The page may send more (the file's name); only these are kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovedDraft {
    title: String,
    organization: String,
    pdf: String,
}

/// The leader's signature on a draft: one valid signature, from staff who
/// logged in with their token.
async fn approve(app: &Arc<App>, req: &Request) -> Result<Answer, Error> {
    logged_in(app, req)?;
    let form: ApprovedDraft = parse_json(&req.body)?;
    let title = text(&form.title, "title", ("Title", "trích yếu"), 300, false)?;
    let organization = text(
        &form.organization,
        "organization",
        ("Issuing body", "cơ quan ban hành"),
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

/// The clerk's signature: the approved file byte for byte, one more
/// revision, every signature valid and nothing but a signature changed.
async fn issue(app: &Arc<App>, req: &Request, id: &str) -> Result<Answer, Error> {
    logged_in(app, req)?;
    let id = id_of(id)?;
    let form: IssuedDocument = parse_json(&req.body)?;
    let doc_number = text(
        &form.doc_number,
        "docNumber",
        ("Document number", "số, ký hiệu"),
        60,
        false,
    )?;
    let issued_date = text(
        &form.issued_date,
        "issuedDate",
        ("Issue date", "ngày ban hành"),
        40,
        false,
    )?;
    let doc = app.store.document(id)?.ok_or(Error::NotFound)?;
    if doc.status != "approved" {
        return Err(Error::WrongState {
            en: "The document has been issued already".into(),
            vi: "Văn bản đã được ban hành".into(),
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
    Ok(ok(report_body(&report)))
}

fn document(app: &App, id: &str) -> Result<Answer, Error> {
    let d = app.store.document(id_of(id)?)?.ok_or(Error::NotFound)?;
    let mut body = serde_json::to_value(&d).unwrap_or_default();
    if let Some(report) = d.report.and_then(|r| serde_json::from_value(r).ok()) {
        body["signatures"] =
            serde_json::to_value(SignatureSummary::of(&report)).unwrap_or_default();
    }
    Ok(ok(body))
}

fn nonce(app: &App) -> Result<Answer, Error> {
    let (nonce, expires) = app.logins.issue_nonce(unix_now())?;
    Ok(ok(json!({ "nonce": nonce, "expiresAt": expires })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginForm {
    nonce: String,
    token: AuthToken,
}

fn login(app: &App, req: &Request) -> Result<Answer, Error> {
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

fn session(app: &App, req: &Request) -> Result<Answer, Error> {
    Ok(ok(json!({ "user": logged_in(app, req)? })))
}

/// The user of the request's session cookie.
fn logged_in(app: &App, req: &Request) -> Result<crate::login::User, Error> {
    req.cookie()
        .and_then(|id| app.logins.session(id, unix_now()))
        .ok_or(Error::NotLoggedIn)
}

fn clear_cookie() -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        crate::login::COOKIE
    )
}
