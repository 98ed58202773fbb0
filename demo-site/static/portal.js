// Shared code of the demo portal's pages: the site frame and login box,
// errors and result states, calls to the portal's API, the connection to
// Kyso Agent and certificate pickers. Pages import everything from here;
// ui.js and report.js are re-exported.

import { reportView } from "/static/report.js";
import {
  $, applyStatic, commonName, formatBytes, formatDate, getLang, h, identifiers, setLang, show, t, textOf,
} from "/static/ui.js";

export * from "/static/report.js";
export * from "/static/ui.js";

/** The portal's upload limit: checked here so a doomed upload is never sent. */
export const MAX_FILE = 50 * 1024 * 1024;
// Finding the agent and listing certificates; signing waits for the person
// under the SDK's own approval timeout.
const AGENT_TIMEOUT_MS = 4000;
const API_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------- errors and tasks

/** The uniform error of the portal: the shape of the agent's, the SDK's and the server's. */
export class PortalError extends Error {
  constructor(code, message, messageVi, extra = {}) {
    super(message);
    this.name = "PortalError";
    this.code = code;
    this.messageVi = messageVi;
    this.field = extra.field;
    this.report = extra.report;
  }

  /** An error whose text is the dictionary entry `key`. */
  static of(code, key, vars, extra) {
    return new PortalError(code, t(key, vars, "en"), t(key, vars, "vi"), extra);
  }
}

/** Any thrown value as `{code, message, messageVi, field?, report?}`. */
export function toError(e) {
  if (e && typeof e.code === "string") {
    return {
      code: e.code,
      message: e.message || e.code,
      messageVi: e.messageVi || e.message || e.code,
      field: e.field ?? e.details?.field,
      report: e.report ?? e.details?.report,
    };
  }
  console.error(e); // a bug here, not a user's mistake: keep the stack
  const text = String(e?.message ?? e);
  return { code: "INTERNAL_ERROR", message: text, messageVi: text };
}

/** An error's code and message, and the report when the server's verification failed. */
export function errorView(err) {
  return h("div", { class: "error", role: "alert" },
    h("p", {}, h("strong", {}, `${t("errorLabel")} `), h("code", {}, err.code), " ", textOf(err)),
    err.report ? reportView(err.report) : null);
}

/** Shows `e` in `el` with `data-state="error"` and `data-code`. */
export function showError(el, e) {
  const err = toError(e);
  show(el, () => errorView(err));
  el.dataset.code = err.code;
  el.dataset.state = "error";
  return err;
}

/**
 * Runs one user action. `el` carries `data-state` working → done | error
 * (with `data-code`); `out` (default `el`) shows a spinner, then what the
 * render function returned by `work(step)` draws, or the error. `step(key)`
 * changes the spinner's text. The controls are disabled meanwhile.
 * @returns {Promise<boolean>} whether it succeeded
 */
export async function task(el, controls, work, out = el) {
  const disabled = [controls].flat().filter(Boolean);
  const step = (key) => show(out, () => h("span", { class: "spinner" }, t(key)));
  el.removeAttribute("data-code");
  el.dataset.state = "working";
  el.setAttribute("aria-busy", "true");
  step("working");
  for (const c of disabled) c.disabled = true;
  try {
    const render = await work(step);
    show(out, render ?? (() => null));
    el.dataset.state = "done";
    return true;
  } catch (e) {
    const err = toError(e);
    show(out, () => errorView(err));
    el.dataset.code = err.code;
    el.dataset.state = "error";
    markField(err.field);
    agentLost(err);
    return false;
  } finally {
    for (const c of disabled) c.disabled = false;
    el.removeAttribute("aria-busy");
  }
}

// A form field named by an error (ours or the server's BAD_FIELD) is marked
// until the user edits it; the listener is in initPage.
function markField(id) {
  const input = id && document.getElementById(id);
  if (!input) return;
  input.setAttribute("aria-invalid", "true");
  input.focus();
}

/** A BAD_FIELD error for form field `id`, named by its label in both languages. */
export function fieldError(id, key = "errRequired") {
  const label = document.querySelector(`label[for="${id}"]`)?.dataset.i18n;
  const field = (language) => (label ? t(label, {}, language) : id);
  return new PortalError("BAD_FIELD", t(key, { field: field("en") }, "en"), t(key, { field: field("vi") }, "vi"), { field: id });
}

/** The trimmed value of input `id`, or a BAD_FIELD error when it is empty. */
export function required(id, key = "errRequired") {
  const value = document.getElementById(id).value.trim();
  if (!value) throw fieldError(id, key);
  return value;
}

// ---------------------------------------------------------------- server API

async function send(path, init = {}) {
  try {
    return await fetch(path, { ...init, credentials: "same-origin", signal: AbortSignal.timeout(API_TIMEOUT_MS) });
  } catch (e) {
    throw e?.name === "TimeoutError"
      ? PortalError.of("SERVER_TIMEOUT", "errServerTimeout")
      : PortalError.of("NETWORK_ERROR", "errNetwork");
  }
}

async function serverError(response) {
  const e = (await response.json().catch(() => undefined))?.error;
  if (e && typeof e.code === "string") {
    return new PortalError(e.code, e.message || e.code, e.messageVi || e.message || e.code, e);
  }
  return PortalError.of(`HTTP_${response.status}`, "errHttp", { status: response.status });
}

/**
 * Calls the portal's JSON API; `body` is sent as JSON.
 * @throws {PortalError} the server's `error` object, or NETWORK_ERROR, SERVER_TIMEOUT, HTTP_nnn, BAD_RESPONSE
 */
export async function api(path, { method = "GET", body } = {}) {
  const response = await send(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await serverError(response);
  try {
    return await response.json();
  } catch {
    throw PortalError.of("BAD_RESPONSE", "errBadResponse");
  }
}

/** A file from the portal (a PDF, a stamp image) as bytes. */
export async function fetchBytes(path) {
  const response = await send(path);
  if (!response.ok) throw await serverError(response);
  return new Uint8Array(await response.arrayBuffer());
}

let configLoad;
/** `/api/config`, fetched once per page. */
export function loadConfig() {
  configLoad ??= api("/api/config").catch((e) => {
    configLoad = undefined;
    throw e;
  });
  return configLoad;
}

let sessionLoad;
/** The logged-in user, or null. */
export function currentUser() {
  sessionLoad ??= api("/api/session").then(
    (r) => r.user ?? null,
    (e) => (e.code === "NOT_LOGGED_IN" ? null : Promise.reject(e)),
  );
  return sessionLoad;
}

// ---------------------------------------------------------------- files

/** Standard base64, in slices so large files do not overflow the call stack. */
export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The PDF chosen in a file input: its File and bytes, checked for presence,
 * size and header (errors name the input as their field).
 */
export async function readPdf(input) {
  const file = input.files[0];
  const fail = (code, key, vars) => PortalError.of(code, key, vars, { field: input.id });
  if (!file) throw fail("NO_FILE", "errNoFile");
  if (file.size > MAX_FILE) throw fail("FILE_TOO_LARGE", "errTooLarge", { size: formatBytes(file.size) });
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (String.fromCharCode(...bytes.subarray(0, 5)) !== "%PDF-") throw fail("NOT_PDF", "errNotPdf", { name: file.name });
  return { file, bytes };
}

/** The config's sample file for `purpose` ("citizen", "draft"), if any. */
export const sampleFor = (config, purpose) => (config.samples ?? []).find((s) => s.purpose === purpose);

/** Puts the portal's sample PDF for `purpose` into a file input, as if the user chose it. */
export async function useSample(input, purpose) {
  const sample = sampleFor(await loadConfig(), purpose);
  if (!sample) throw PortalError.of("NO_SAMPLE", "errNoSample");
  const file = new File([await fetchBytes(sample.url)], sample.name, { type: "application/pdf" });
  const files = new DataTransfer();
  files.items.add(file);
  input.files = files.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  return file;
}

// ---------------------------------------------------------------- agent and certificates

let sdkLoad;
/**
 * The SDK module (`/kyso/kyso.js`), imported on first use so the frame and
 * the pages that never sign still work when it is missing.
 */
export function loadSdk() {
  sdkLoad ??= import("/kyso/kyso.js").catch((e) => {
    sdkLoad = undefined;
    console.error(e);
    throw PortalError.of("SDK_UNAVAILABLE", "errSdk");
  });
  return sdkLoad;
}

let agentOpen;
let certificates = [];
const agent = { state: "connecting", error: null, kyso: null, blocked: null };

/**
 * Connects to Kyso Agent once per page and fills every
 * `select[data-cert-picker]`; `#agent-status` and the hints follow along.
 * Rejects with the KysoError (or ORIGIN_NOT_ALLOWED) the panel shows.
 * @returns {Promise<import("/kyso/kyso.js").Kyso>}
 */
export function connect() {
  agentOpen ??= openAgent().catch((e) => {
    agentOpen = undefined;
    throw e;
  });
  return agentOpen;
}

async function openAgent() {
  setAgent({ state: "connecting", error: null, kyso: null });
  let kyso;
  try {
    const [config, { Kyso }] = await Promise.all([loadConfig(), loadSdk()]);
    kyso = await Kyso.connect({ ports: config.agentPorts, trustAnchors: config.trustAnchors, timeoutMs: AGENT_TIMEOUT_MS, lang: getLang() });
    // A refused origin's certificate call fails like a missing agent (no
    // CORS), so ask to pair before making it.
    if (!kyso.info.originAllowed) throw PortalError.of("ORIGIN_NOT_ALLOWED", "originNotListed", { origin: location.origin });
    await loadCertificates(kyso);
    return kyso;
  } catch (e) {
    const error = toError(e);
    const blocked = error.code === "ORIGIN_NOT_ALLOWED" ? { reason: error, pairable: true } : null;
    setAgent({ state: "error", error, kyso, blocked });
    throw e;
  }
}

// The SDK reports a vanished agent (quit, crashed) as AGENT_NOT_FOUND on any
// call: the panel must stop saying "connected" and offer to retry.
function agentLost(err) {
  if (err.code !== "AGENT_NOT_FOUND" || agent.state !== "ready") return;
  agentOpen = undefined;
  setAgent({ state: "error", error: err });
}

async function loadCertificates(kyso) {
  certificates = await kyso.certificates();
  for (const select of document.querySelectorAll("select[data-cert-picker]")) fillPicker(select);
  setAgent({ state: "ready", error: null, kyso, blocked: null });
}

async function pair() {
  const { kyso } = agent;
  setAgent({ state: "connecting", error: null });
  try {
    await kyso.pair();
    await loadCertificates(kyso);
    agentOpen = Promise.resolve(kyso);
  } catch (e) {
    const error = toError(e);
    // The agent refuses pairing itself (http page, pairing turned off): its
    // reason replaces ours and the button would only fail again.
    const blocked = error.code === "ORIGIN_NOT_ALLOWED" ? { reason: error, pairable: false } : agent.blocked;
    setAgent({ state: "error", error, blocked });
  }
}

function agentPanel() {
  let panel = $("#agent-panel");
  if (panel) return panel;
  const button = (id, key, onclick) => h("button", { id, type: "button", class: "secondary", hidden: true, "data-i18n": key, onclick }, t(key));
  panel = h("section", { id: "agent-panel", class: "agent-panel", "aria-live": "polite" },
    h("p", { id: "agent-status", class: "agent-status" }),
    h("div", { id: "install-hint", class: "hint", hidden: true }, h("p", { "data-i18n": "installHint" }, t("installHint"))),
    h("div", { id: "lna-hint", class: "hint", hidden: true },
      h("p", { "data-i18n": "lnaTitle" }, t("lnaTitle")),
      h("ul", {}, ["lnaChrome", "lnaFirefox", "lnaFrame"].map((k) => h("li", { "data-i18n": k }, t(k))))),
    h("div", { id: "origin-hint", class: "hint", hidden: true }),
    h("p", { class: "actions" },
      button("agent-retry", "agentRetry", () => connect().catch(() => {})),
      button("refresh-certs", "agentRefresh", () => loadCertificates(agent.kyso).catch((e) => {
        // "Retry" must connect afresh, not reuse the connection that failed.
        agentOpen = undefined;
        setAgent({ state: "error", error: toError(e) });
      }))));
  ($("#agent-slot") ?? $("main")).prepend(panel);
  return panel;
}

function setAgent(patch) {
  Object.assign(agent, patch);
  const panel = agentPanel();
  const status = panel.querySelector("#agent-status");
  const code = agent.error?.code;
  status.dataset.state = agent.state;
  if (code) status.dataset.code = code;
  else status.removeAttribute("data-code");
  show(status, agentStatusText);
  panel.querySelector("#install-hint").hidden = code !== "AGENT_NOT_FOUND";
  panel.querySelector("#lna-hint").hidden = code !== "LOCAL_NETWORK_ACCESS_DENIED";
  const origin = panel.querySelector("#origin-hint");
  origin.hidden = !agent.blocked;
  show(origin, originHint);
  panel.querySelector("#agent-retry").hidden = agent.state !== "error";
  panel.querySelector("#refresh-certs").hidden = agent.state !== "ready";
}

function agentStatusText() {
  if (agent.state === "connecting") return h("span", { class: "spinner" }, t(agent.kyso ? "pairing" : "agentConnecting"));
  if (agent.state === "error") return [h("strong", {}, `${t("agentError")}: `), h("code", {}, agent.error.code), " ", textOf(agent.error)];
  return [
    t("agentReady", { version: agent.kyso.info.version, n: certificates.length }),
    certificates.length ? null : h("span", { class: "warning-text" }, " ", t("agentNoCerts")),
  ];
}

function originHint() {
  if (!agent.blocked) return null;
  const { reason, pairable } = agent.blocked;
  return [
    h("p", {}, h("strong", {}, t("originTitle", { origin: location.origin }))),
    agent.error === reason ? null : h("p", {}, textOf(reason)), // the status line shows it already
    h("p", {}, t(location.protocol === "https:" ? "originPairHelp" : "originHttp")),
    pairable ? h("button", { id: "pair", type: "button", onclick: pair }, t("pair")) : null,
  ];
}

function certificateOption(cert) {
  const now = Date.now();
  const [from, to] = [Date.parse(cert.notBefore), Date.parse(cert.notAfter)];
  const validity = now > to ? t("certExpired", { date: formatDate(cert.notAfter) })
    : now < from ? t("certNotYet", { date: formatDate(cert.notBefore) })
    : t("certValidTo", { date: formatDate(cert.notAfter) });
  const label = [commonName(cert.subject), identifiers(cert.identifiers), commonName(cert.issuer), validity];
  return h("option", { value: cert.id, title: `${cert.subject}\n${cert.issuer}` }, label.filter(Boolean).join(" · "));
}

function fillPicker(select) {
  show(select, () => (certificates.length ? certificates.map(certificateOption) : h("option", { value: "" }, t("certNone"))));
  // Default to a valid certificate, of the kind the picker prefers (a
  // person's CCCD for a leader, an organisation's MST for the clerk).
  const now = Date.now();
  const valid = certificates.filter((c) => Date.parse(c.notBefore) <= now && now <= Date.parse(c.notAfter));
  const prefer = select.dataset.certPicker;
  const best = valid.find((c) => !prefer || c.identifiers?.[prefer]) ?? valid[0];
  if (best) select.value = best.id;
}

/** The certificate id chosen in a picker. */
export function chosenCertificate(select) {
  // With no certificate at all the user must plug the token in, not choose.
  if (!select.value) throw PortalError.of("NO_CERTIFICATE", certificates.length ? "errNoCert" : "agentNoCerts");
  return select.value;
}

// ---------------------------------------------------------------- page frame and login

const NAV = [["navHome", "/", "home"], ["navCitizen", "/citizen.html", "citizen"], ["navStaff", "/staff.html", "staff"],
  ["navVerify", "/verify.html", "verify"], ["navDashboard", "/dashboard.html", "dashboard"]];

function loginBox() {
  return h("div", { id: "login-box", class: "login-box" },
    h("p", { id: "user-line", class: "user-line", hidden: true },
      h("span", { "data-i18n": "hello" }), " ", h("strong", { id: "user" }), " ",
      h("button", { id: "logout", type: "button", class: "link", "data-i18n": "logout", onclick: logout })),
    h("div", { id: "login-form", class: "login-form" },
      h("label", { for: "login-cert", class: "sr-only", "data-i18n": "loginCert" }),
      h("select", { id: "login-cert", "data-cert-picker": "" }),
      h("button", { id: "login", type: "button", "data-i18n": "login", onclick: login })),
    h("div", { id: "login-result", class: "result", role: "status", "aria-live": "polite" }));
}

function setUser(user) {
  $("#user-line").hidden = !user;
  $("#login-form").hidden = Boolean(user);
  $("#user").textContent = user?.name ?? "";
  $("#user").title = user ? [identifiers({ mst: user.mst, cccd: user.cccd }), commonName(user.issuer)].filter(Boolean).join(" · ") : "";
}

async function login() {
  const select = $("#login-cert");
  await task($("#login-result"), [$("#login")], async (step) => {
    const wasEmpty = !select.value;
    const kyso = await connect();
    // Freshly listed on this click: with several, let the user pick first.
    if (wasEmpty && certificates.length > 1) throw PortalError.of("CHOOSE_CERTIFICATE", "chooseThenLogin");
    const certificateId = chosenCertificate(select);
    step("loggingIn");
    const { nonce } = await api("/api/login/nonce", { method: "POST" });
    const token = await kyso.authenticate(nonce, { certificateId });
    const { user } = await api("/api/login", { method: "POST", body: { nonce, token } });
    sessionLoad = Promise.resolve(user);
    setUser(user);
    return () => t("loggedIn", { issuer: commonName(user.issuer) });
  });
}

async function logout() {
  await task($("#login-result"), [$("#logout")], async () => {
    await api("/api/logout", { method: "POST" });
    sessionLoad = Promise.resolve(null);
    setUser(null);
    return () => t("loggedOut");
  });
}

/**
 * Builds the header (brand, language switch, login box, navigation) and
 * footer, translates the page and shows the session. With `agent`, connects
 * to Kyso Agent at once (the pages that sign); otherwise only when the user
 * logs in.
 */
export function initPage(current, { agent: withAgent = false } = {}) {
  $("#site-header").replaceChildren(
    h("a", { class: "skip", href: "#main", "data-i18n": "skip" }),
    h("div", { class: "band" }, h("div", { class: "wrap band-inner" },
      h("a", { class: "brand", href: "/" }, h("img", { class: "emblem", src: "/static/emblem.svg", alt: "" }),
        h("span", {}, h("strong", { "data-i18n": "site" }), h("small", { "data-i18n": "tagline" }))),
      h("div", { class: "tools" },
        h("button", { id: "lang-switch", type: "button", class: "lang", "data-i18n": "otherLang", "data-i18n-label": "switchLang",
          onclick: () => setLang(getLang() === "vi" ? "en" : "vi") }),
        loginBox()))),
    h("nav", { class: "nav", "data-i18n-label": "navLabel" }, h("ul", { class: "wrap" },
      NAV.map(([key, href, name]) => h("li", {}, h("a", { href, "data-i18n": key, "aria-current": name === current ? "page" : null }))))));
  $("#site-footer").replaceChildren(h("div", { class: "wrap" }, h("p", { "data-i18n": "footer" })));
  applyStatic();
  for (const select of document.querySelectorAll("select[data-cert-picker]")) {
    show(select, () => h("option", { value: "" }, t("certNotConnected")));
  }
  currentUser().then(setUser, () => setUser(null));
  for (const type of ["input", "change"]) {
    document.addEventListener(type, (event) => event.target.removeAttribute?.("aria-invalid"));
  }
  if (withAgent) connect().catch(() => {}); // the agent panel shows why
}
