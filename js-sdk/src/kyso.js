// Kyso JS SDK: sign with a Vietnamese USB token from a web page, through the
// Kyso agent on 127.0.0.1, with the WebAssembly module for formats and
// verification. Dependency-free ES module; types in kyso.d.ts.

import init, * as wasm from "./kyso_wasm.js";

const DEFAULT_PORTS = [27182, 27183, 27184];
const API_VERSION = 1;
// Above this size Kyso.hash streams through wasm instead of reading the whole
// file for WebCrypto: memory stays flat (one chunk) for large files.
export const STREAM_THRESHOLD = 512 * 1024 * 1024;
/** The digests WebCrypto has; SHA-224 and SHA-3 go through the wasm hasher. */
const WEBCRYPTO_DIGESTS = new Set(["SHA-1", "SHA-256", "SHA-384", "SHA-512"]);

/** The simple report drops the building blocks the detailed one keeps. */
function shaped(report, kind = "simple") {
  if (kind !== "detailed") for (const s of report.signatures) delete s.validation;
  return report;
}
const CHUNK = 4 * 1024 * 1024;

const TEXT = {
  AGENT_NOT_FOUND: [
    "The Kyso signing agent is not running. Install it or start it, then reload the page.",
    "Chưa chạy phần mềm ký số Kyso. Hãy cài đặt hoặc khởi động phần mềm rồi tải lại trang.",
  ],
  LOCAL_NETWORK_ACCESS_DENIED: [
    "The browser blocked this site from reaching the signing agent on this computer. Allow \"local network\" / \"loopback network\" access for this site in the browser's site settings (the icon left of the address bar), then reload.",
    "Trình duyệt đang chặn trang này kết nối tới phần mềm ký số trên máy. Hãy cho phép quyền truy cập \"mạng cục bộ\" (local network / loopback network) cho trang này trong phần cài đặt trang web (biểu tượng bên trái thanh địa chỉ), rồi tải lại trang.",
  ],
  VERSION_MISMATCH: [
    "The signing agent speaks another API version; update Kyso.",
    "Phần mềm ký số dùng phiên bản giao tiếp khác; hãy cập nhật Kyso.",
  ],
  CONTEXT_INSECURE: [
    "Signing needs a secure page (https).",
    "Chức năng ký số cần trang web bảo mật (https).",
  ],
  TIMEOUT: [
    "The signing agent did not answer in time.",
    "Phần mềm ký số không phản hồi kịp thời.",
  ],
  BAD_INPUT: ["Invalid input.", "Dữ liệu đầu vào không hợp lệ."],
};

/** A failure with a stable code and messages in English and Vietnamese. */
export class KysoError extends Error {
  constructor(code, message, messageVi, details) {
    super(message);
    this.name = "KysoError";
    this.code = code;
    this.messageVi = messageVi;
    this.details = details;
  }
  static of(code, details) {
    const [en, vi] = TEXT[code] ?? [code, code];
    return new KysoError(code, en, vi, details);
  }
  /** Wraps what the wasm module or the agent threw. */
  static from(e) {
    if (e instanceof KysoError) return e;
    if (e && typeof e === "object" && typeof e.code === "string") {
      return new KysoError(e.code, e.message ?? e.code, e.messageVi ?? e.message ?? e.code, e);
    }
    return new KysoError("INTERNAL_ERROR", String(e?.message ?? e), String(e?.message ?? e));
  }
}

let wasmReady;
function loadWasm() {
  wasmReady ??= init({ module_or_path: new URL("./kyso_wasm_bg.wasm", import.meta.url) });
  return wasmReady;
}

// PAdES lives in a second, larger module, loaded the first time a PDF is
// signed or verified.
let pdfReady;
function loadPdf() {
  pdfReady ??= import("./kyso_wasm_pdf.js").then(async (m) => {
    await m.default({ module_or_path: new URL("./kyso_wasm_pdf_bg.wasm", import.meta.url) });
    return m;
  });
  return pdfReady;
}

// The stamp font (Liberation Serif, SIL OFL) is fetched only when a visible
// PDF signature needs it, so pages that never stamp do not download it.
let fontReady;
function loadFont() {
  fontReady ??= fetch(new URL("./LiberationSerif-Regular.ttf", import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`font: HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((b) => new Uint8Array(b))
    .catch((e) => {
      fontReady = undefined;
      throw new KysoError(
        "FONT_UNAVAILABLE",
        `The stamp font could not be loaded beside kyso.js (${e.message}); serve LiberationSerif-Regular.ttf with the SDK`,
        `Không tải được phông chữ cho hình chữ ký (${e.message}); hãy đặt LiberationSerif-Regular.ttf cạnh kyso.js`,
      );
    });
  return fontReady;
}

function call(f) {
  try {
    return f();
  } catch (e) {
    throw KysoError.from(e);
  }
}

async function bytesOf(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof Blob !== "undefined" && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw KysoError.of("BAD_INPUT", "expected Blob, File, ArrayBuffer or Uint8Array");
}

function isPdf(bytes) {
  return bytes.length >= 5 && String.fromCharCode(...bytes.subarray(0, 5)) === "%PDF-";
}

function sizeOf(data) {
  return typeof Blob !== "undefined" && data instanceof Blob ? data.size : data.byteLength;
}

const b64 = {
  encode(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  },
  decode(text) {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  },
};

function concat(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The browser's Local Network Access permission state, when it has one. */
async function loopbackPermission() {
  try {
    return (await navigator.permissions.query({ name: "loopback-network" })).state;
  } catch {
    return undefined; // no such permission in this browser
  }
}

export class Kyso {
  #base;
  #timeoutMs;
  #approvalTimeoutMs;
  #certificates;
  #anchors;

  constructor(base, info, { timeoutMs, approvalTimeoutMs }, lang, anchors) {
    this.#base = base;
    this.#timeoutMs = timeoutMs;
    this.#approvalTimeoutMs = approvalTimeoutMs;
    this.#anchors = anchors;
    /** The agent's /v1/info answer. */
    this.info = info;
    this.lang = lang;
  }

  /** Finds the agent on its ports and checks the API version. */
  static async connect({
    ports = DEFAULT_PORTS,
    timeoutMs = 3000,
    approvalTimeoutMs = 300_000,
    lang = "vi",
    trustAnchors = [],
  } = {}) {
    if (typeof isSecureContext !== "undefined" && !isSecureContext) throw KysoError.of("CONTEXT_INSECURE");
    const wasmLoading = loadWasm();
    let blocked = false;
    for (const port of ports) {
      const base = `http://127.0.0.1:${port}`;
      try {
        const info = await request(base, "GET", "/v1/info", undefined, Math.min(timeoutMs, 1500));
        if (info.name !== "kyso-agent") continue;
        if (info.api !== API_VERSION) throw KysoError.of("VERSION_MISMATCH", info);
        await wasmLoading;
        const timeouts = { timeoutMs, approvalTimeoutMs };
        return new Kyso(base, info, timeouts, lang, trustAnchors.map(toPem).join("\n"));
      } catch (e) {
        if (e instanceof KysoError && e.code === "VERSION_MISMATCH") throw e;
        if (e instanceof KysoError && e.code === "TIMEOUT") blocked = true;
      }
    }
    // Chromium fails a blocked loopback fetch at once with the permission
    // "denied"; Firefox lets it hang while the permission is still "prompt".
    // A refused connection with neither is simply no agent.
    const permission = await loopbackPermission();
    if (permission === "denied" || (blocked && permission === "prompt")) {
      throw KysoError.of("LOCAL_NETWORK_ACCESS_DENIED", { permission });
    }
    throw KysoError.of("AGENT_NOT_FOUND", { ports });
  }

  /** Asks the user to allow this site (https sites only). */
  async pair() {
    return this.#ask("POST", "/v1/pair", {});
  }

  /**
   * The signing certificates on the plugged-in tokens. `filter` keeps those
   * matching every given criterion.
   */
  async certificates({ filter } = {}) {
    const { certificates } = await this.#send("GET", "/v1/certificates");
    this.#certificates = certificates;
    return certificates.filter((c) => matches(c, filter ?? {}));
  }

  /**
   * Signs `data` (CAdES at `level`: B-B, B-T, B-LT or B-LTA); returns the .p7s and
   * its validation report. B-T and B-LT use the agent's TSAs and the
   * certificates' responders; if they fail after the token signed, the
   * error carries the signature reached so far in `details.result`.
   */
  async signCms(data, { certificateId, detached = true, digest = "SHA-256", documentName = "document", level = "B-B", onProgress } = {}) {
    checkLevel(level, CMS_LEVELS);
    const cert = await this.#certificate(certificateId);
    const bytes = detached ? undefined : await bytesOf(data);
    const contentDigest = detached ? await Kyso.hash(data, { algorithm: digest, onProgress }) : undefined;
    const prepared = call(() =>
      wasm.prepareCms(b64.decode(cert.certificate), concat(cert.chain.map(b64.decode)), digest, contentDigest, bytes, Date.now()),
    );
    const answer = await this.#ask("POST", "/v1/sign", {
      certificateId: cert.id,
      signedAttributes: b64.encode(call(() => prepared.signedAttributes())),
      digestAlgorithm: digest,
      documentName,
    });
    const verify = (cms) =>
      detached
        ? shaped(JSON.parse(call(() => wasm.verifyCmsDigest(cms, digest, contentDigest, this.#anchors, Date.now()))))
        : shaped(JSON.parse(call(() => wasm.verifyCms(cms, new Uint8Array(), this.#anchors, Date.now()))));
    const signed = call(() => prepared.finish(b64.decode(answer.signature), answer.signatureAlgorithm));
    const cms = await this.#climb(signed, level, cmsSteps(this, wasm, cert, digest, contentDigest), (cms) => ({ cms, report: verify(cms) }));
    return { cms, report: verify(cms) };
  }

  /**
   * Signs a PDF (PAdES-B-B, incremental: earlier signatures stay valid).
   * With `role` (approved | issued | copy | appendix | incoming), `page`,
   * `rect` or an image the signature is visible per Decree 30/2020;
   * otherwise invisible. Returns the signed PDF and its validation report.
   */
  async signPdf(
    pdf,
    {
      certificateId,
      role,
      page,
      rect,
      image,
      seal,
      reason,
      location,
      organization,
      docNumber,
      issuedDate,
      level = "B-B",
      digest = "SHA-256",
      documentName = "document.pdf",
      onProgress,
    } = {},
  ) {
    checkLevel(level, PDF_LEVELS);
    const cert = await this.#certificate(certificateId);
    const bytes = await bytesOf(pdf);
    onProgress?.(bytes.length, bytes.length);
    const visible = Boolean(role || page || rect || image || seal);
    const options = { role, page, rect, reason, location, organization, docNumber, issuedDate };
    const [pdfWasm, font, imageBytes, sealBytes] = await Promise.all([
      loadPdf(),
      visible ? loadFont() : undefined,
      image === undefined ? undefined : bytesOf(image),
      seal === undefined ? undefined : bytesOf(seal),
    ]);
    const prepared = call(() =>
      pdfWasm.preparePdf(
        bytes,
        b64.decode(cert.certificate),
        concat(cert.chain.map(b64.decode)),
        digest,
        JSON.stringify(options),
        imageBytes,
        sealBytes,
        font,
        Date.now(),
      ),
    );
    try {
      const answer = await this.#ask("POST", "/v1/sign", {
        certificateId: cert.id,
        signedAttributes: b64.encode(call(() => prepared.signedAttributes())),
        digestAlgorithm: digest,
        documentName,
      });
      const verify = (pdf) => shaped(JSON.parse(call(() => pdfWasm.verifyPdf(pdf, this.#anchors, Date.now()))));
      const bb = call(() => prepared.finish(b64.decode(answer.signature), answer.signatureAlgorithm));
      const signed = await this.#climb(bb, level, pdfSteps(this, pdfWasm, true), (pdf) => ({ pdf, report: verify(pdf) }));
      return { pdf: signed, report: verify(signed) };
    } finally {
      prepared.free();
    }
  }

  /**
   * Signs many files with one approval and one PIN; detached CAdES each, at
   * `level`. An item whose time-stamp or validation data fails carries the
   * error with the signature reached in `error.details.result`.
   */
  async signBatch(items, { certificateId, digest = "SHA-256", level = "B-B", onProgress } = {}) {
    checkLevel(level, CMS_LEVELS);
    const cert = await this.#certificate(certificateId);
    const prepared = [];
    // Progress counts bytes over the whole batch: fifty small files and one
    // large one both move the bar evenly.
    const total = items.reduce((n, item) => n + sizeOf(item.data), 0);
    let before = 0;
    for (const item of items) {
      const at = before;
      const contentDigest = await Kyso.hash(item.data, {
        algorithm: digest,
        onProgress: onProgress && ((done) => onProgress(at + done, total)),
      });
      before += sizeOf(item.data);
      prepared.push({
        contentDigest,
        cms: call(() =>
          wasm.prepareCms(b64.decode(cert.certificate), concat(cert.chain.map(b64.decode)), digest, contentDigest, undefined, Date.now()),
        ),
      });
    }
    const answer = await this.#ask("POST", "/v1/sign-batch", {
      certificateId: cert.id,
      digestAlgorithm: digest,
      items: items.map((item, i) => ({
        signedAttributes: b64.encode(call(() => prepared[i].cms.signedAttributes())),
        documentName: item.documentName ?? `document-${i + 1}`,
      })),
    });
    const results = [];
    for (const [i, s] of answer.signatures.entries()) {
      if (s.error) {
        results.push({ error: KysoError.from(s.error) });
        continue;
      }
      const verify = (cms) =>
        shaped(JSON.parse(call(() => wasm.verifyCmsDigest(cms, digest, prepared[i].contentDigest, this.#anchors, Date.now()))));
      const signed = call(() => prepared[i].cms.finish(b64.decode(s.signature), answer.signatureAlgorithm));
      try {
        const steps = cmsSteps(this, wasm, cert, digest, prepared[i].contentDigest);
        const cms = await this.#climb(signed, level, steps, (cms) => ({ cms, report: verify(cms) }));
        results.push({ cms, report: verify(cms) });
      } catch (e) {
        results.push({ error: KysoError.from(e) });
      }
    }
    return results;
  }

  /**
   * Brings a signed PDF — made by Kyso or any other tool — to B-LT (a /DSS
   * with what its signatures need) or B-LTA (and a document time-stamp over
   * it), through `kyso` (connected here when not given): the agent's TSAs
   * and the responders the certificates name. Run again on a B-LTA file, it
   * renews the archive time-stamp.
   */
  static async extend(pdf, { level = "B-LTA", kyso, ...connect } = {}) {
    checkLevel(level, ["B-LT", "B-LTA"]);
    const agent = kyso ?? (await Kyso.connect(connect));
    const [pdfWasm, bytes] = await Promise.all([loadPdf(), bytesOf(pdf)]);
    const verify = (pdf) => shaped(JSON.parse(call(() => pdfWasm.verifyPdf(pdf, agent.#anchors, Date.now()))));
    // B-T is the signatures' own business; extending starts at B-LT.
    const steps = pdfSteps(agent, pdfWasm, false);
    // When nothing could be added, the error names the level the file had.
    const had = verify(bytes).signatures?.find((sig) => sig.level !== "DOC-TIMESTAMP")?.level ?? "B-B";
    const extended = await agent.#climb(bytes, level, steps, (pdf) => ({ pdf, report: verify(pdf) }), "B-T", had);
    return { pdf: extended, report: verify(extended) };
  }

  // These two wait on servers outside the agent: it bounds them itself
  // (timestamp.timeout_seconds per TSA, revocation.timeout_seconds per
  // request, default 10 s, more than timeoutMs), so they get the long
  // timeout and its TSA_UNAVAILABLE / REVOCATION_UNAVAILABLE arrives.

  /** A time-stamp of `digest` (made with `algorithm`) from the agent's TSAs. */
  async timestampToken(digest, algorithm = "SHA-256") {
    const { timeStampToken } = await this.#ask("POST", "/v1/timestamp", { digest: b64.encode(digest), digestAlgorithm: algorithm });
    return b64.decode(timeStampToken);
  }

  /** OCSP responses and CRLs for `certificates` (concatenated DER), each concatenated DER. */
  async revocationData(certificates) {
    const { ocsp, crls } = await this.#ask("POST", "/v1/revocation", { certificates: splitDer(certificates).map(b64.encode) });
    return { ocsp: concat(ocsp.map(b64.decode)), crls: concat(crls.map(b64.decode)) };
  }

  /**
   * Runs `steps` above `from` up to `level`. When one fails, the error
   * carries what was reached (`result(bytes)`) in `details.result`: nothing
   * the user signed is lost.
   */
  async #climb(bytes, level, steps, result, from = "B-B", reachedBefore = from) {
    let reached = reachedBefore;
    for (const [stepLevel, step] of steps) {
      if (LEVELS.indexOf(stepLevel) <= LEVELS.indexOf(from) || LEVELS.indexOf(stepLevel) > LEVELS.indexOf(level)) continue;
      try {
        bytes = await step(bytes);
        reached = stepLevel;
      } catch (e) {
        const err = KysoError.from(e);
        err.details = { ...(err.details ?? {}), level: reached, result: result(bytes) };
        throw err;
      }
    }
    return bytes;
  }

  /** A kyso-auth:1 login token for `nonce` (base64url, ≥ 32 bytes from the server). */
  async authenticate(nonce, { certificateId } = {}) {
    return this.#ask("POST", "/v1/authenticate", certificateId ? { nonce, certificateId } : { nonce });
  }

  /** Verifies a .p7s in the page; no agent needed. */
  static async verify(file, { content, trustAnchors = [], report = "simple", online = false, kyso } = {}) {
    if (report !== "simple" && report !== "detailed") {
      throw new KysoError("BAD_REQUEST", `report must be "simple" or "detailed", not ${report}`, `report phải là "simple" hoặc "detailed"`);
    }
    await loadWasm();
    const sig = await bytesOf(file);
    const pem = trustAnchors.map(toPem).join("\n");
    const pdfWasm = isPdf(sig) ? await loadPdf() : undefined;
    // Online: the agent fetches what the file lacks from the responders its
    // trusted certificates name (never a URL from the page). A signature the
    // agent's roots do not cover gets nothing; the report then says so.
    let fetched = {};
    if (online) {
      const agent = kyso ?? (await Kyso.connect());
      const certificates = call(() => (pdfWasm ? pdfWasm.pdfCertificates(sig) : wasm.cmsCertificates(sig)));
      fetched = await agent.revocationData(certificates).catch((e) => {
        if (KysoError.from(e).code === "AGENT_NOT_FOUND") throw e;
        return {};
      });
    }
    const { ocsp, crls } = fetched;
    let json;
    if (pdfWasm) {
      json = call(() => pdfWasm.verifyPdf(sig, pem, Date.now(), ocsp, crls));
    } else if (content !== undefined && sizeOf(content) > STREAM_THRESHOLD) {
      const [alg] = call(() => wasm.cmsDigestAlgorithms(sig));
      const d = await Kyso.hash(content, { algorithm: alg ?? "SHA-256" });
      json = call(() => wasm.verifyCmsDigest(sig, alg ?? "SHA-256", d, pem, Date.now(), ocsp, crls));
    } else {
      const data = content === undefined ? new Uint8Array() : await bytesOf(content);
      json = call(() => wasm.verifyCms(sig, data, pem, Date.now(), ocsp, crls));
    }
    return shaped(JSON.parse(json), report);
  }

  /**
   * Digest of a file. Up to STREAM_THRESHOLD bytes: WebCrypto over the whole
   * buffer (native speed). Larger: wasm over 4 MiB slices, so memory stays flat.
   */
  static async hash(file, { algorithm = "SHA-256", onProgress, streamAbove = STREAM_THRESHOLD } = {}) {
    const size = sizeOf(file);
    if (size <= streamAbove && WEBCRYPTO_DIGESTS.has(algorithm) && globalThis.crypto?.subtle) {
      const buf = await bytesOf(file);
      const d = new Uint8Array(await crypto.subtle.digest(algorithm, buf));
      onProgress?.(size, size);
      return d;
    }
    await loadWasm();
    const hasher = call(() => new wasm.Hasher(algorithm));
    try {
      for (let at = 0; at < size; at += CHUNK) {
        const part = file instanceof Blob ? new Uint8Array(await file.slice(at, at + CHUNK).arrayBuffer()) : (await bytesOf(file)).subarray(at, at + CHUNK);
        call(() => hasher.update(part));
        onProgress?.(Math.min(at + CHUNK, size), size);
      }
      return call(() => hasher.finalize());
    } finally {
      hasher.free();
    }
  }

  async #certificate(id) {
    const list = this.#certificates ?? (await this.certificates());
    const cert = id ? list.find((c) => c.id === id) : list.length === 1 ? list[0] : undefined;
    if (!cert) {
      throw new KysoError(
        "CERTIFICATE_NOT_FOUND",
        id ? `Certificate ${id} is not on any plugged-in token` : "Choose a certificate (certificateId)",
        id ? `Không tìm thấy chứng thư số ${id} trên thiết bị` : "Hãy chọn chứng thư số (certificateId)",
      );
    }
    return cert;
  }

  #send(method, path, body) {
    return request(this.#base, method, path, body, this.#timeoutMs);
  }

  /** A call that waits for the person at the token (consent, PIN): the
   * agent bounds it with its own approver timeout (USER_TIMEOUT); this only
   * catches an agent that stopped answering. */
  #ask(method, path, body) {
    return request(this.#base, method, path, body, this.#approvalTimeoutMs);
  }
}

const LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"];
const CMS_LEVELS = LEVELS;
const PDF_LEVELS = LEVELS;

function checkLevel(level, allowed) {
  if (!allowed.includes(level)) {
    throw new KysoError(
      "BAD_REQUEST",
      `level must be one of ${allowed.join(", ")}`,
      `Mức chữ ký phải là một trong ${allowed.join(", ")}`,
    );
  }
}

/** B-T, B-LT and B-LTA for a CMS: the agent time-stamps and fetches, wasm embeds. */
function cmsSteps(kyso, w, cert, digest, contentDigest) {
  return [
    ["B-T", async (cms) => {
      const token = await kyso.timestampToken(call(() => w.cmsTimestampImprint(cms)));
      return call(() => w.cmsAddTimestamp(cms, token));
    }],
    ["B-LT", async (cms) => {
      const certificates = concat([call(() => w.cmsCertificates(cms)), ...cert.chain.map(b64.decode)]);
      const { ocsp, crls } = await kyso.revocationData(certificates);
      return call(() => w.cmsAddValidationData(cms, certificates, ocsp, crls));
    }],
    ["B-LTA", async (cms) => {
      const prepared = call(() => w.prepareArchiveTimestamp(cms, digest, contentDigest));
      try {
        const token = await kyso.timestampToken(call(() => prepared.imprint()), digest);
        return call(() => prepared.finish(token));
      } finally {
        prepared.free();
      }
    }],
  ];
}

/** B-T, B-LT and B-LTA for a PDF (B-T only right after signing). */
function pdfSteps(kyso, w, justSigned) {
  const steps = [
    ["B-LT", async (pdf) => {
      const certificates = call(() => w.pdfCertificates(pdf));
      const { ocsp, crls } = await kyso.revocationData(certificates);
      return call(() => w.pdfAddDss(pdf, certificates, ocsp, crls));
    }],
    ["B-LTA", async (pdf) => {
      const prepared = call(() => w.prepareDocumentTimestamp(pdf));
      try {
        const token = await kyso.timestampToken(call(() => prepared.imprint()));
        return call(() => prepared.finish(token));
      } finally {
        prepared.free();
      }
    }],
  ];
  if (!justSigned) return steps;
  return [
    ["B-T", async (pdf) => {
      const token = await kyso.timestampToken(call(() => w.pdfTimestampImprint(pdf)));
      return call(() => w.pdfAddTimestamp(pdf, token));
    }],
    ...steps,
  ];
}

/** Concatenated DER elements, one by one (definite lengths). */
function splitDer(bytes) {
  const out = [];
  let at = 0;
  while (at < bytes.length) {
    let len = bytes[at + 1];
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + bytes[at + 2 + i];
      head += n;
    }
    out.push(bytes.subarray(at, at + head + len));
    at += head + len;
  }
  return out;
}

function toPem(anchor) {
  if (typeof anchor === "string") return anchor;
  return `-----BEGIN CERTIFICATE-----\n${b64.encode(anchor)}\n-----END CERTIFICATE-----`;
}

function matches(cert, filter) {
  if (filter.issuer && !cert.issuer.includes(filter.issuer)) return false;
  if (filter.identifier) {
    const ids = Object.entries(cert.identifiers ?? {}).map(([k, v]) => `${k.toUpperCase()}:${v}`);
    if (!ids.some((i) => i === filter.identifier || i.endsWith(`:${filter.identifier}`))) return false;
  }
  if (filter.keyType && cert.keyType !== filter.keyType) return false;
  const at = filter.validAt ?? (filter.valid ? new Date() : undefined);
  if (at && !(new Date(cert.notBefore) <= at && at <= new Date(cert.notAfter))) return false;
  return true;
}

async function request(base, method, path, body, timeoutMs) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
    });
  } catch (e) {
    clearTimeout(timer);
    throw KysoError.of(abort.signal.aborted ? "TIMEOUT" : "AGENT_NOT_FOUND", String(e));
  }
  // The body too is bounded: an agent that stalls after its headers aborts.
  const json = await response.json().catch(() => ({}));
  clearTimeout(timer);
  if (abort.signal.aborted) throw KysoError.of("TIMEOUT", "the agent stopped answering");
  if (!response.ok) throw KysoError.from(json.error ?? { code: `HTTP_${response.status}` });
  return json;
}
