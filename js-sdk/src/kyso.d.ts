// Types of the Kyso JS SDK (kyso.js). The SDK's contract is docs/sdk.md; the
// agent's objects (Cert, AuthToken, error codes) are in docs/agent-api.md and
// the validation report in docs/reports.md.

/** Blob, File, ArrayBuffer or bytes. */
export type BinaryInput = Blob | ArrayBuffer | ArrayBufferView;
export type DigestName = "SHA-256" | "SHA-384" | "SHA-512";

/** Files above this size are hashed in a stream (wasm) instead of WebCrypto. */
export const STREAM_THRESHOLD: number;

export class KysoError extends Error {
  /** Stable code: AGENT_NOT_FOUND, LOCAL_NETWORK_ACCESS_DENIED, VERSION_MISMATCH,
   * CONTEXT_INSECURE, TIMEOUT, the agent's codes (ORIGIN_NOT_ALLOWED, PIN_INCORRECT,
   * USER_CANCELLED…) and the wasm module's (MALFORMED_INPUT, KEY_MISMATCH…). */
  readonly code: string;
  readonly messageVi: string;
  /** TSA_UNAVAILABLE / REVOCATION_UNAVAILABLE after the token signed carry
   * `level` and `result` (see `signCms`); other codes what they have. */
  readonly details?: KysoErrorDetails;
}

export interface KysoErrorDetails {
  /** The level reached when a long-term step failed. */
  level?: Level;
  /** The signature at `level`: `cms` (signCms, signBatch) or `pdf` (signPdf, extend). */
  result?: { cms?: Uint8Array; pdf?: Uint8Array; report: ValidationReport };
  [key: string]: unknown;
}

export interface AgentInfo {
  name: "kyso-agent";
  version: string;
  api: number;
  originAllowed: boolean;
  /** Only for allowed origins. */
  tokens?: number;
}

export interface Cert {
  id: string;
  certificate: string;
  chain: string[];
  token: { label: string; serial: string; manufacturer: string };
  /** null for a key type Kyso cannot sign with. */
  keyType: "RSA" | "EC" | null;
  keyBits: number;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  identifiers: { mst?: string; cccd?: string; cmnd?: string; hc?: string; mns?: string };
}

export interface CertFilter {
  /** Substring of the issuer name. */
  issuer?: string;
  /** "MST:0102005769", "CCCD:…", or just the number. */
  identifier?: string;
  keyType?: "RSA" | "EC";
  /** Valid now. */
  valid?: boolean;
  validAt?: Date;
}

/** CAdES/PAdES baseline levels (ETSI EN 319 122-1, EN 319 142-1). */
export type Level = "B-B" | "B-T" | "B-LT" | "B-LTA";

export interface Finding { code: string; message: string; messageVi: string }

export interface SignatureReport {
  indication: "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";
  subIndication?: string;
  signer?: Record<string, unknown>;
  chain: Record<string, unknown>[];
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  claimedSigningTime?: string;
  provenSigningTime?: string;
  level?: string;
  errors: Finding[];
  warnings: Finding[];
  /** PDF signatures only. */
  pdf?: PdfSignatureDetails;
  /** Detailed reports only: the building blocks, in order. */
  validation?: BuildingBlock[];
  /** The time-stamps over this signature (B-T and up). */
  timestamps?: TimestampReport[];
  /** The revocation status found for each certificate of the path. */
  revocation?: RevocationReport[];
}

export interface TimestampReport {
  kind: "SIGNATURE" | "DOCUMENT" | "ARCHIVE";
  indication: "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";
  subIndication?: string;
  /** The TSA's genTime, ISO 8601 UTC. */
  genTime?: string;
  tsa?: Record<string, unknown>;
  errors: Finding[];
}

export interface RevocationReport {
  certificate: string;
  serialNumber: string;
  status: "GOOD" | "REVOKED" | "UNKNOWN";
  revocationTime?: string;
  revocationReason?: string;
  source: "OCSP" | "CRL";
  /** SIGNATURE (embedded in the CMS), DSS (a PDF's store) or ONLINE. */
  origin: "SIGNATURE" | "DSS" | "ONLINE";
  issuer: string;
  thisUpdate: string;
  nextUpdate?: string;
  producedAt?: string;
}

export interface BuildingBlock {
  /** FC, ISC, VCI, CV, SAV or XCV (ETSI EN 319 102-1 §5.2). */
  block: "FC" | "ISC" | "VCI" | "CV" | "SAV" | "XCV";
  title: string;
  titleVi: string;
  indication: "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";
  subIndication?: string;
  constraints: {
    code: string;
    status: "OK" | "NOT_OK" | "WARNING";
    message: string;
    messageVi: string;
  }[];
}

export interface PdfSignatureDetails {
  field: string;
  subFilter: string;
  byteRange: number[];
  /** The last signature covers the whole file. */
  coversWholeFile: boolean;
  /** The revision signed (1-based) and how many the file has. */
  revision: number;
  revisions: number;
  certificationLevel?: number;
  /** What later revisions changed beyond signatures, form data and DSS. */
  modifications: string[];
}

export interface ValidationReport {
  indication: "TOTAL_PASSED" | "TOTAL_FAILED" | "INDETERMINATE";
  format: string;
  validationTime: string;
  signatures: SignatureReport[];
}

export interface AuthToken {
  format: "kyso-auth:1";
  origin: string;
  certificate: string;
  signatureAlgorithm: string;
  signature: string;
  chain?: string[];
}

export type Progress = (done: number, total: number) => void;

export class Kyso {
  readonly info: AgentInfo;
  readonly lang: "vi" | "en";
  static connect(options?: {
    ports?: number[];
    /** Calls that need no person (finding the agent, certificates). Default 3000. */
    timeoutMs?: number;
    /** Calls that wait for consent and the PIN (pair, sign, signBatch,
     * authenticate) or on a TSA or responder (the long-term levels,
     * timestampToken, revocationData); the agent's own timeouts normally
     * end them first (USER_TIMEOUT, TSA_UNAVAILABLE…). Default 300000. */
    approvalTimeoutMs?: number;
    lang?: "vi" | "en";
    /** Extra anchors (PEM or DER) for the reports of signatures made here. */
    trustAnchors?: (string | Uint8Array)[];
  }): Promise<Kyso>;
  pair(): Promise<{ paired: true }>;
  certificates(options?: { filter?: CertFilter }): Promise<Cert[]>;
  /**
   * CAdES at `level` (default B-B). B-T and B-LT go through the agent's
   * TSAs and the certificates' responders; when they fail after the token
   * signed, the KysoError (TSA_UNAVAILABLE, REVOCATION_UNAVAILABLE) carries
   * `details.result`: the signature at `details.level`.
   */
  signCms(
    data: BinaryInput,
    options?: {
      certificateId?: string;
      detached?: boolean;
      digest?: DigestName;
      documentName?: string;
      level?: Level;
      onProgress?: Progress;
    },
  ): Promise<{ cms: Uint8Array; report: ValidationReport }>;
  signPdf(
    pdf: BinaryInput,
    options?: {
      certificateId?: string;
      /** Decree 30/2020 role of a visible signature; invisible without role, page, rect, image or seal. */
      role?: "approved" | "issued" | "copy" | "appendix" | "incoming";
      /** 1-based. */
      page?: number;
      /** [x, y, width, height] in points from the page's lower-left corner. */
      rect?: [number, number, number, number];
      /** PNG: the handwritten signature (approved). */
      image?: BinaryInput;
      /** PNG: the organisation's seal (issued). */
      seal?: BinaryInput;
      reason?: string;
      location?: string;
      organization?: string;
      docNumber?: string;
      issuedDate?: string;
      /** B-B (default), B-T, B-LT (a /DSS) or B-LTA (and a document time-stamp). */
      level?: Level;
      digest?: DigestName;
      documentName?: string;
      onProgress?: Progress;
    },
  ): Promise<{ pdf: Uint8Array; report: ValidationReport }>;
  signBatch(
    items: { data: BinaryInput; documentName?: string }[],
    /** `onProgress(bytesHashed, totalBytes)` over the whole batch. */
    options?: { certificateId?: string; digest?: DigestName; level?: Level; onProgress?: Progress },
  ): Promise<({ cms: Uint8Array; report: ValidationReport } | { error: KysoError })[]>;
  /**
   * Brings a signed PDF (Kyso's or another tool's) to B-LT or B-LTA (default)
   * in new revisions; renews the archive time-stamp of a B-LTA file. Uses
   * `kyso`, or connects with the other options.
   */
  static extend(
    pdf: BinaryInput,
    options?: { level?: "B-LT" | "B-LTA"; kyso?: Kyso } & NonNullable<Parameters<typeof Kyso.connect>[0]>,
  ): Promise<{ pdf: Uint8Array; report: ValidationReport }>;
  /** A time-stamp token (DER) of `digest` (made with `algorithm`, default SHA-256) from the agent's TSAs. */
  timestampToken(digest: Uint8Array, algorithm?: DigestName): Promise<Uint8Array>;
  /** OCSP responses and CRLs (each concatenated DER) for `certificates` (concatenated DER). */
  revocationData(certificates: Uint8Array): Promise<{ ocsp: Uint8Array; crls: Uint8Array }>;
  authenticate(nonce: string, options?: { certificateId?: string }): Promise<AuthToken>;
  /**
   * Verifies in the page. `report: "detailed"` keeps, per signature, every
   * ETSI EN 319 102-1 building block with its constraints (`validation`).
   */
  static verify(
    file: BinaryInput,
    options?: {
      content?: BinaryInput;
      trustAnchors?: (string | Uint8Array)[];
      report?: "simple" | "detailed";
      /**
       * Ask the agent (`kyso`, or one found with Kyso.connect) for the OCSP
       * answers and CRLs the file lacks; only for certificates that chain
       * to the agent's roots. Default false: the page fetches nothing.
       */
      online?: boolean;
      kyso?: Kyso;
    },
  ): Promise<ValidationReport>;
  /**
   * Up to `streamAbove` bytes (default 512 MiB) WebCrypto digests the whole
   * buffer at native speed; above it wasm hashes 4 MiB slices so memory stays
   * flat, reporting progress after each slice.
   */
  static hash(
    file: BinaryInput,
    options?: { algorithm?: DigestName; onProgress?: Progress; streamAbove?: number },
  ): Promise<Uint8Array>;
}
