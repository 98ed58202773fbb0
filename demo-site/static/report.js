// The validation report (the SDK's or the server's) as a readable table,
// shared by the receipt, staff and verify pages, and the server's one-line
// signature summaries.

import { commonName, formatDate, formatTime, h, identifiers, t, textOf } from "/static/ui.js";

const MARK = { TOTAL_PASSED: "✓", TOTAL_FAILED: "✗", INDETERMINATE: "?" };

/** A coloured badge for an indication. */
export const badge = (indication) =>
  h("span", { class: `badge ${String(indication).toLowerCase()}` }, `${MARK[indication] ?? ""} ${t(indication)}`);

function findings(list) {
  if (!list?.length) return t("repNone");
  return h("ul", { class: "findings" }, list.map((f) => h("li", {}, h("code", {}, f.code), " ", textOf(f))));
}

function signatureTable(sig, index) {
  const signer = sig.signer ?? {};
  const pdf = sig.pdf;
  const rows = [
    ["repIndication", [badge(sig.indication), sig.subIndication && ` ${t(sig.subIndication)} (${sig.subIndication})`]],
    ["repSigner", signer.commonName ?? signer.subject],
    ["repOrg", signer.organization],
    ["repIds", identifiers(signer.identifiers)],
    ["repIssuer", signer.issuerCommonName ?? signer.issuer],
    ["repValidity", signer.notBefore && `${formatDate(signer.notBefore)} – ${formatDate(signer.notAfter)}`],
    ["repSigningTime", sig.claimedSigningTime && formatTime(sig.claimedSigningTime)],
    ["repProvenTime", sig.provenSigningTime && formatTime(sig.provenSigningTime)],
    ["repLevel", sig.level],
    ["repAlgorithms", [sig.digestAlgorithm, sig.signatureAlgorithm].filter(Boolean).join(", ")],
    ["repRevision", pdf && t("repRevisionOf", { r: pdf.revision, n: pdf.revisions })],
    ["repCoverage", pdf && t(pdf.coversWholeFile ? "repCoversAll" : "repCoversPart")],
    ["repModifications", pdf?.modifications?.length && h("ul", {}, pdf.modifications.map((m) => h("li", {}, m)))],
    ["repErrors", findings(sig.errors)],
    ["repWarnings", findings(sig.warnings)],
  ].filter(([, value]) => value);
  return h("table", { class: "kv signature", "data-indication": sig.indication },
    h("caption", {}, t("repSignature", { n: index + 1 }), pdf?.field ? ` — ${pdf.field}` : ""),
    h("tbody", {}, rows.map(([key, value]) => h("tr", {}, h("th", { scope: "row" }, t(key)), h("td", {}, value)))));
}

/** A ValidationReport (the SDK's or the server's) as a readable table. */
export function reportView(report) {
  const signatures = report.signatures ?? [];
  return h("div", { class: "report", "data-indication": report.indication },
    h("p", { class: "verdict" }, h("span", {}, `${t("repResult")}: `), badge(report.indication),
      h("span", { class: "meta" }, ` ${t("repFormat")}: ${report.format ?? "—"} · ${t("repTime")}: ${formatTime(report.validationTime)}`)),
    signatures.length ? signatures.map(signatureTable) : h("p", {}, t("repNoSignatures")));
}

/** The server's per-signature summaries (submission, approval, issue answers), one line each. */
export function summariesView(list = []) {
  return h("ol", { class: "summaries" }, list.map((s) => h("li", { "data-indication": s.indication },
    badge(s.indication), s.subIndication ? ` ${t(s.subIndication)}` : "", " ", h("strong", {}, s.signerName),
    [s.organization, identifiers({ mst: s.mst, cccd: s.cccd }), `${t("repIssuer")}: ${commonName(s.issuer)}`,
      s.signingTime && `${t("repSigningTime")}: ${formatTime(s.signingTime)}`,
      s.revision && `${t("repRevisionShort")} ${s.revision}`].filter(Boolean).map((part) => [" · ", part]))));
}
