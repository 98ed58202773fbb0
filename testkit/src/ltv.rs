//! Loopback responders for long-term signatures: a time-stamping authority
//! (RFC 3161 over HTTP), an OCSP responder (RFC 6960), CRLs and CA
//! certificates over HTTP, for the PKI the `ltv` provisioning set makes.
//!
//! OpenSSL does the cryptography (`openssl ts -reply`, `openssl ocsp`,
//! `openssl ca -gencrl`): an implementation independent of Kyso's, so a
//! verifier under test is not checked against itself. The HTTP is ours, on
//! std only, because `openssl ocsp -port` cannot serve as the tests need: in
//! OpenSSL 3.0 it listens on every interface (`[::]`), answers one connection
//! at a time, and rereads a changed index only after the next request. So each
//! OCSP request runs one `openssl ocsp -reqin … -respout …` against the index as
//! it is on disk: a revocation is seen by the very next request.
//!
//! Everything listens on 127.0.0.1 only, and stops when dropped.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use kyso_core::{Certificate, Localized};

use crate::manifest::{LtvEntry, Manifest};

/// The policy the test TSA stamps under (a private-enterprise arc kept for tests).
pub const TSA_POLICY: &str = "1.3.6.1.4.1.99999.1";

/// The revocation reasons an OpenSSL CA database accepts (RFC 5280 §5.3.1 names).
pub const REVOCATION_REASONS: [&str; 7] = [
    "unspecified",
    "keyCompromise",
    "CACompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "certificateHold",
];

/// How long a connection may stay silent before the server gives up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client may take to send its whole request, however it trickles.
const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Request line and headers larger than this are refused.
const MAX_HEAD: usize = 64 * 1024;
/// Request bodies larger than this are refused (queries are a few hundred bytes).
const MAX_BODY: usize = 1 << 20;
/// CRL validity: nextUpdate this many days after thisUpdate.
const CRL_DAYS: u32 = 7;
/// OCSPResponse with status malformedRequest (RFC 6960 §4.2.1), no body.
const OCSP_MALFORMED: [u8; 5] = [0x30, 0x03, 0x0a, 0x01, 0x01];

/// Picks `n` distinct free TCP ports on 127.0.0.1 (bound together, then
/// released): the ports the `ltv` set is provisioned with before its
/// responders start. Another process could take one in between; ports come
/// from the kernel's ephemeral range, where that is unlikely.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string()))
        .collect()
}

/// The port of a `http://127.0.0.1:PORT[/…]` URL; anything not on loopback is
/// refused, so no test server ever listens beyond this machine.
pub fn loopback_port(url: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .ok_or_else(|| format!("{url}: not an http://127.0.0.1:PORT URL"))?;
    let port = rest.split('/').next().unwrap_or_default();
    port.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("{url}: bad port"))
}

/// The serial of `cert` as OpenSSL writes it in a CA database and looks it up
/// for OCSP: upper-case hex of the whole bytes, without leading zero bytes.
pub fn openssl_serial(cert: &Certificate) -> String {
    let bytes = cert.serial();
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    if start == bytes.len() {
        return "00".into();
    }
    hex::encode_upper(&bytes[start..])
}

/// One line of an OpenSSL CA database listing `cert` as valid.
pub fn index_entry(cert: &Certificate) -> Result<String, String> {
    let not_after = cert.not_after().unix_duration().as_secs();
    let subject: String = cert
        .x509()
        .tbs_certificate()
        .subject()
        .iter_rdn()
        .map(|rdn| format!("/{rdn}").replace(['\t', '\n', '\r'], " "))
        .collect();
    Ok(format!(
        "V\t{}\t\t{}\tunknown\t{}\n",
        index_time(not_after)?,
        openssl_serial(cert),
        subject
    ))
}

/// Writes an OpenSSL CA database (`index.txt`) listing `certs` as valid, so an
/// OCSP responder answers "good" for them rather than "unknown".
pub fn write_index(path: &Path, certs: &[&Certificate]) -> Result<(), String> {
    let text = certs
        .iter()
        .map(|c| index_entry(c))
        .collect::<Result<String, _>>()?;
    write_atomically(path, text.as_bytes())
}

/// A time as a CA database writes it: UTCTime `YYMMDDHHMMSSZ` until 2049.
fn index_time(secs: u64) -> Result<String, String> {
    let t =
        der::DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(|e| e.to_string())?;
    let tail = format!(
        "{:02}{:02}{:02}{:02}{:02}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    );
    Ok(if t.year() < 2050 {
        format!("{:02}{tail}", t.year() % 100)
    } else {
        format!("{:04}{tail}", t.year())
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Replaces `path` by renaming a sibling over it: readers (a concurrent
/// `openssl ocsp`, a CRL download) see the old file or the new one, never half.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run_openssl(args: &[&std::ffi::OsStr]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.first()
                .map(|a| a.to_string_lossy().into_owned())
                .unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// One CA of the test PKI as `openssl ca` sees it.
struct CaFiles {
    /// `root` or `intermediate`: names the CRL and certificate paths.
    name: &'static str,
    config: PathBuf,
    index: PathBuf,
    cert_der: Vec<u8>,
    crl: PathBuf,
}

/// What the request handlers share.
struct State {
    entry: LtvEntry,
    intermediate_pem: PathBuf,
    tsa_config: PathBuf,
    tmp: PathBuf,
    cas: [CaFiles; 2],
    /// Requests per path on the front, and on the OCSP port under [`OCSP_KEY`].
    hits: Mutex<HashMap<String, usize>>,
    /// Serialises whatever rewrites the state: the TSA serial file, the CA
    /// databases, the CRLs.
    write_lock: Mutex<()>,
    counter: AtomicU64,
}

/// Where OCSP requests are counted in the hit table (no front path looks like it).
const OCSP_KEY: &str = "ocsp:";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A handler that panicked leaves nothing half-done worth refusing over.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    fn count(&self, key: &str) {
        *lock(&self.hits).entry(key.to_string()).or_default() += 1;
    }

    /// A fresh pair of scratch files for one request.
    fn scratch(&self, kind: &str) -> (PathBuf, PathBuf) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (
            self.tmp.join(format!("{kind}-{n}.req")),
            self.tmp.join(format!("{kind}-{n}.resp")),
        )
    }

    fn gencrl(&self, ca: &CaFiles) -> Result<(), String> {
        let pem = ca.crl.with_extension("crl.pem");
        run_openssl(&[
            "ca".as_ref(),
            "-gencrl".as_ref(),
            "-batch".as_ref(),
            "-config".as_ref(),
            ca.config.as_os_str(),
            "-out".as_ref(),
            pem.as_os_str(),
        ])?;
        let der = ca.crl.with_extension("crl.tmp");
        run_openssl(&[
            "crl".as_ref(),
            "-in".as_ref(),
            pem.as_os_str(),
            "-outform".as_ref(),
            "DER".as_ref(),
            "-out".as_ref(),
            der.as_os_str(),
        ])?;
        std::fs::rename(&der, &ca.crl).map_err(|e| format!("{}: {e}", ca.crl.display()))
    }

    fn timestamp(&self, query: &[u8]) -> Result<Vec<u8>, String> {
        let (req, resp) = self.scratch("tsa");
        std::fs::write(&req, query).map_err(|e| e.to_string())?;
        let result = {
            let _serial = lock(&self.write_lock);
            run_openssl(&[
                "ts".as_ref(),
                "-reply".as_ref(),
                "-queryfile".as_ref(),
                req.as_os_str(),
                "-config".as_ref(),
                self.tsa_config.as_os_str(),
                "-section".as_ref(),
                "tsa".as_ref(),
                "-out".as_ref(),
                resp.as_os_str(),
            ])
        };
        let answer = result.and_then(|()| std::fs::read(&resp).map_err(|e| e.to_string()));
        let _ = std::fs::remove_file(&req);
        let _ = std::fs::remove_file(&resp);
        answer
    }

    fn ocsp(&self, request: &[u8]) -> Vec<u8> {
        let (req, resp) = self.scratch("ocsp");
        let answer = std::fs::write(&req, request)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                run_openssl(&[
                    "ocsp".as_ref(),
                    "-index".as_ref(),
                    self.entry.intermediate_index.as_os_str(),
                    "-CA".as_ref(),
                    self.intermediate_pem.as_os_str(),
                    "-rsigner".as_ref(),
                    self.entry.ocsp_cert_pem.as_os_str(),
                    "-rkey".as_ref(),
                    self.entry.ocsp_key_pem.as_os_str(),
                    "-ndays".as_ref(),
                    "1".as_ref(),
                    "-reqin".as_ref(),
                    req.as_os_str(),
                    "-respout".as_ref(),
                    resp.as_os_str(),
                ])
            })
            .and_then(|()| std::fs::read(&resp).map_err(|e| e.to_string()));
        let _ = std::fs::remove_file(&req);
        let _ = std::fs::remove_file(&resp);
        answer.unwrap_or_else(|_| OCSP_MALFORMED.to_vec())
    }

    fn front(&self, req: &Request) -> Response {
        self.count(&req.path);
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/tsa") => {
                if req.content_type() != Some("application/timestamp-query") {
                    return Response::text(415, "expected application/timestamp-query");
                }
                match self.timestamp(&req.body) {
                    Ok(reply) => Response::new(200, "application/timestamp-reply", reply),
                    Err(e) => Response::text(400, &e),
                }
            }
            (_, "/tsa") => Response::text(405, "POST a timestamp-query"),
            ("GET", path) => {
                for ca in &self.cas {
                    if path == format!("/crl/{}.crl", ca.name) {
                        let _reading = lock(&self.write_lock);
                        return match std::fs::read(&ca.crl) {
                            Ok(der) => Response::new(200, "application/pkix-crl", der),
                            Err(e) => Response::text(500, &e.to_string()),
                        };
                    }
                    if path == format!("/ca/{}.cer", ca.name) {
                        return Response::new(200, "application/pkix-cert", ca.cert_der.clone());
                    }
                }
                Response::text(404, "not found")
            }
            _ => Response::text(404, "not found"),
        }
    }

    fn ocsp_front(&self, req: &Request) -> Response {
        self.count(OCSP_KEY);
        let der = match req.method.as_str() {
            "POST" if req.content_type() == Some("application/ocsp-request") => {
                Some(req.body.clone())
            }
            // RFC 6960 appendix A.1: GET {url}/{url-encoding of base64 of DER}.
            "GET" => percent_decode(req.path.trim_start_matches('/')).and_then(|b64| {
                base64::engine::general_purpose::STANDARD
                    .decode(b64.as_bytes())
                    .ok()
            }),
            _ => None,
        };
        match der {
            Some(der) => Response::new(200, "application/ocsp-response", self.ocsp(&der)),
            None => Response::new(200, "application/ocsp-response", OCSP_MALFORMED.to_vec()),
        }
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The TSA, the OCSP responder and the CRL/certificate server of a provisioned
/// `ltv` set, listening on the ports its certificates name.
///
/// ```no_run
/// # fn main() -> Result<(), String> {
/// let exe = std::path::Path::new("target/debug/kyso-testkit");
/// let dir = std::env::temp_dir().join("ltv-example");
/// let ports = kyso_testkit::ltv::free_ports(2)?;
/// let front = format!("http://127.0.0.1:{}", ports[0]);
/// let ocsp = format!("http://127.0.0.1:{}", ports[1]);
/// let manifest = kyso_testkit::provision_with(exe, &dir, "ltv",
///     &["--responders", &front, "--ocsp", &ocsp])?;
/// let responders = kyso_testkit::ltv::Responders::start(&manifest)?;
/// responders.revoke(&manifest.signer("ltv-revoked").cert_pem, "keyCompromise")?;
/// # Ok(()) }
/// ```
pub struct Responders {
    state: Arc<State>,
    front: Option<HttpServer>,
    ocsp: Option<HttpServer>,
}

impl Responders {
    /// Writes the OpenSSL configurations, issues fresh CRLs and starts serving
    /// on the ports of `manifest.ltv`. The ports accept connections when this
    /// returns.
    pub fn start(manifest: &Manifest) -> Result<Self, String> {
        let entry = manifest
            .ltv
            .clone()
            .ok_or("the manifest has no ltv section (provision --set ltv)")?;
        let state_dir = entry.state_dir.clone();
        let tmp = state_dir.join("tmp");
        let crl_dir = state_dir.join("crl");
        for d in [&tmp, &crl_dir] {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        let tsa_config = state_dir.join("ts.cnf");
        let tsa_serial = state_dir.join("tsa.serial");
        let text = format!(
            "[ tsa ]\n\
             serial = {serial}\n\
             crypto_device = builtin\n\
             signer_cert = {cert}\n\
             certs = {chain}\n\
             signer_key = {key}\n\
             signer_digest = sha256\n\
             default_policy = {policy}\n\
             digests = sha256, sha384, sha512\n\
             accuracy = secs:1\n\
             clock_precision_digits = 0\n\
             ordering = no\n\
             tsa_name = yes\n\
             ess_cert_id_chain = no\n\
             ess_cert_id_alg = sha256\n",
            serial = conf_path(&tsa_serial)?,
            cert = conf_path(&entry.tsa_cert_pem)?,
            chain = conf_path(&manifest.intermediate_pem)?,
            key = conf_path(&entry.tsa_key_pem)?,
            policy = entry.tsa_policy,
        );
        std::fs::write(&tsa_config, text).map_err(|e| e.to_string())?;
        if !tsa_serial.exists() {
            std::fs::write(&tsa_serial, "01\n").map_err(|e| e.to_string())?;
        }
        let cas = [
            ca_files(
                "root",
                &state_dir,
                &manifest.root_pem,
                &entry.root_key_pem,
                &entry.root_index,
            )?,
            ca_files(
                "intermediate",
                &state_dir,
                &manifest.intermediate_pem,
                &entry.intermediate_key_pem,
                &entry.intermediate_index,
            )?,
        ];
        let front_port = loopback_port(&entry.base_url)?;
        let ocsp_port = loopback_port(&entry.ocsp_url)?;
        let state = Arc::new(State {
            entry,
            intermediate_pem: manifest.intermediate_pem.clone(),
            tsa_config,
            tmp,
            cas,
            hits: Mutex::new(HashMap::new()),
            write_lock: Mutex::new(()),
            counter: AtomicU64::new(0),
        });
        for ca in &state.cas {
            state.gencrl(ca)?;
        }
        let s = state.clone();
        let front = HttpServer::bind(front_port, Arc::new(move |r: &Request| s.front(r)))?;
        let s = state.clone();
        let ocsp = HttpServer::bind(ocsp_port, Arc::new(move |r: &Request| s.ocsp_front(r)))?;
        Ok(Responders {
            state,
            front: Some(front),
            ocsp: Some(ocsp),
        })
    }

    /// What the responders serve.
    pub fn entry(&self) -> &LtvEntry {
        &self.state.entry
    }

    /// How many requests the HTTP front received for `path` (`/tsa`,
    /// `/crl/intermediate.crl`, …; any path, served or not).
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.state.hits).get(path).copied().unwrap_or(0)
    }

    /// How many requests the OCSP responder received.
    pub fn ocsp_hits(&self) -> usize {
        self.hits(OCSP_KEY)
    }

    /// Forgets every count, for a test that measures one step.
    pub fn reset_hits(&self) {
        lock(&self.state.hits).clear();
    }

    /// Revokes the certificate in `cert_pem` now, for `reason` (one of
    /// [`REVOCATION_REASONS`]): marks it revoked in its issuer's database and
    /// issues a new CRL. The next OCSP request already answers "revoked".
    pub fn revoke(&self, cert_pem: &Path, reason: &str) -> Result<(), String> {
        self.revoke_at(cert_pem, reason, now())
    }

    /// As [`Responders::revoke`], the revocation dated `at` (seconds since the
    /// Unix epoch), e.g. before a signature's time-stamp.
    pub fn revoke_at(&self, cert_pem: &Path, reason: &str, at: u64) -> Result<(), String> {
        if !REVOCATION_REASONS.contains(&reason) {
            return Err(format!(
                "unknown revocation reason {reason} ({})",
                REVOCATION_REASONS.join(", ")
            ));
        }
        let pem = std::fs::read(cert_pem).map_err(|e| format!("{}: {e}", cert_pem.display()))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| e.message())?;
        let serial = openssl_serial(&cert);
        let revoked_at = index_time(at)?;
        let _writing = lock(&self.state.write_lock);
        for ca in &self.state.cas {
            let text = std::fs::read_to_string(&ca.index)
                .map_err(|e| format!("{}: {e}", ca.index.display()))?;
            let mut found = false;
            let mut lines = Vec::new();
            for line in text.lines() {
                let mut fields: Vec<String> = line.split('\t').map(str::to_string).collect();
                if fields.len() == 6 && fields[3] == serial {
                    if fields[0] != "V" {
                        return Err(format!("serial {serial} is already revoked"));
                    }
                    fields[0] = "R".into();
                    fields[2] = format!("{revoked_at},{reason}");
                    found = true;
                }
                lines.push(fields.join("\t") + "\n");
            }
            if found {
                write_atomically(&ca.index, lines.concat().as_bytes())?;
                return self.state.gencrl(ca);
            }
        }
        Err(format!(
            "serial {serial} ({}) is in no CA database of this PKI",
            cert_pem.display()
        ))
    }

    /// Stops both servers: afterwards their ports refuse connections.
    pub fn stop(&mut self) {
        // Dropping a server stops it and waits for its connections.
        self.front = None;
        self.ocsp = None;
    }
}

impl Drop for Responders {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A path for an OpenSSL configuration file, which has no quoting for spaces
/// or `$`.
fn conf_path(p: &Path) -> Result<String, String> {
    let s = p
        .to_str()
        .ok_or_else(|| format!("{}: not UTF-8", p.display()))?;
    if s.contains(['$', '#', '"', '\n']) {
        return Err(format!("{s}: unusable in an OpenSSL configuration"));
    }
    Ok(s.to_string())
}

fn ca_files(
    name: &'static str,
    state_dir: &Path,
    cert_pem: &Path,
    key_pem: &Path,
    index: &Path,
) -> Result<CaFiles, String> {
    let crlnumber = state_dir.join(format!("{name}.crlnumber"));
    if !crlnumber.exists() {
        std::fs::write(&crlnumber, "01\n").map_err(|e| e.to_string())?;
    }
    let config = state_dir.join(format!("ca-{name}.cnf"));
    let text = format!(
        "[ ca ]\n\
         default_ca = this_ca\n\
         [ this_ca ]\n\
         database = {index}\n\
         crlnumber = {crlnumber}\n\
         certificate = {cert}\n\
         private_key = {key}\n\
         default_md = sha256\n\
         default_crl_days = {CRL_DAYS}\n\
         unique_subject = no\n\
         crl_extensions = crl_ext\n\
         [ crl_ext ]\n\
         authorityKeyIdentifier = keyid:always\n",
        index = conf_path(index)?,
        crlnumber = conf_path(&crlnumber)?,
        cert = conf_path(cert_pem)?,
        key = conf_path(key_pem)?,
    );
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    let pem = std::fs::read(cert_pem).map_err(|e| format!("{}: {e}", cert_pem.display()))?;
    let cert_der = Certificate::from_pem(&pem)
        .map_err(|e| e.message())?
        .der()
        .to_vec();
    Ok(CaFiles {
        name,
        config,
        index: index.to_path_buf(),
        cert_der,
        crl: state_dir.join("crl").join(format!("{name}.crl")),
    })
}

/// A listener that accepts connections and never answers: a TSA or OCSP
/// responder that hangs, for timeout tests. Stops (closing every connection)
/// when dropped.
pub struct HangingServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts a [`HangingServer`] on a free port of 127.0.0.1 and returns the port.
pub fn hanging_server() -> Result<(u16, HangingServer), String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("hanging-server".into())
        .spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                match conn {
                    Ok(conn) => held.push(conn),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok((
        port,
        HangingServer {
            port,
            stop,
            thread: Some(thread),
        },
    ))
}

impl HangingServer {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for HangingServer {
    fn drop(&mut self) {
        stop_accepting(self.port, &self.stop, self.thread.take());
    }
}

/// Sets the stop flag, wakes the blocking `accept` with a connection of our
/// own, and waits for the accept loop (and so the listener) to end.
fn stop_accepting(port: u16, stop: &AtomicBool, thread: Option<JoinHandle<()>>) {
    stop.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        Duration::from_secs(1),
    );
    if let Some(t) = thread {
        let _ = t.join();
    }
}

/// One HTTP/1.1 request, as much of it as the responders look at.
struct Request {
    method: String,
    /// The path without its query string.
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type, without parameters.
    fn content_type(&self) -> Option<&str> {
        self.header("content-type")
            .map(|v| v.split(';').next().unwrap_or_default().trim())
    }
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Response {
            status,
            content_type,
            body,
        }
    }

    fn text(status: u16, text: &str) -> Self {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            411 => "Length Required",
            413 => "Content Too Large",
            415 => "Unsupported Media Type",
            _ => "Internal Server Error",
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A minimal HTTP/1.1 server on 127.0.0.1: one thread per connection, one
/// request per connection, stopped (and its connections finished) on drop.
struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    fn bind(port: u16, handler: Handler) -> Result<Self, String> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map_err(|e| format!("bind 127.0.0.1:{port}: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("http-{port}"))
            .spawn(move || accept_loop(listener, &flag, handler))
            .map_err(|e| e.to_string())?;
        Ok(HttpServer {
            port,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        stop_accepting(self.port, &self.stop, self.thread.take());
    }
}

fn accept_loop(listener: TcpListener, stop: &AtomicBool, handler: Handler) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(conn) = conn else {
            // Out of descriptors or the like: do not spin on it.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        workers.retain(|w| !w.is_finished());
        let handler = handler.clone();
        if let Ok(w) = std::thread::Builder::new()
            .name("http-conn".into())
            .spawn(move || serve(conn, &handler))
        {
            workers.push(w);
        }
    }
    drop(listener);
    // Every connection has I/O timeouts and a deadline, so this wait is bounded.
    for w in workers {
        let _ = w.join();
    }
}

fn serve(mut conn: TcpStream, handler: &Handler) {
    let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
    let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
    let response = match read_request(&mut conn) {
        Ok(req) => handler(&req),
        Err(resp) => resp,
    };
    let _ = response.write_to(&mut conn);
    let _ = conn.shutdown(Shutdown::Both);
}

fn read_request(conn: &mut TcpStream) -> Result<Request, Response> {
    let started = std::time::Instant::now();
    let late = || Response::text(400, "request too slow");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(late());
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(Response::text(413, "request head too large"));
        }
        match conn.read(&mut chunk) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Ok(0) | Err(_) => return Err(Response::text(400, "incomplete request")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (method, target) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) if v.starts_with("HTTP/1.") => (m.to_string(), t),
        _ => return Err(Response::text(400, "bad request line")),
    };
    let path = target.split('?').next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut req = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if req.header("transfer-encoding").is_some() {
        return Err(Response::text(411, "send a Content-Length"));
    }
    let length = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| Response::text(400, "bad Content-Length"))?,
    };
    if length > MAX_BODY {
        return Err(Response::text(413, "request body too large"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        if started.elapsed() > REQUEST_DEADLINE {
            return Err(late());
        }
        match conn.read(&mut chunk) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Ok(0) | Err(_) => return Err(Response::text(400, "incomplete body")),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    req.body = body;
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_times_are_utc_time_until_2050() {
        // 2025-03-14 01:02:03 UTC
        assert_eq!(index_time(1_741_914_123).unwrap(), "250314010203Z");
        // 2050-01-01 00:00:00 UTC
        assert_eq!(index_time(2_524_608_000).unwrap(), "20500101000000Z");
    }

    #[test]
    fn only_loopback_urls_give_a_port() {
        assert_eq!(loopback_port("http://127.0.0.1:8080"), Ok(8080));
        assert_eq!(loopback_port("http://127.0.0.1:8080/tsa"), Ok(8080));
        assert!(loopback_port("http://localhost:8080").is_err());
        assert!(loopback_port("http://0.0.0.0:8080").is_err());
        assert!(loopback_port("http://127.0.0.1:0").is_err());
        assert!(loopback_port("https://127.0.0.1:443").is_err());
    }

    #[test]
    fn free_ports_are_distinct() {
        let ports = free_ports(3).unwrap();
        assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    }

    #[test]
    fn percent_decoding_of_ocsp_get_paths() {
        assert_eq!(
            percent_decode("MEow%2BQ%3D%3D").as_deref(),
            Some("MEow+Q==")
        );
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
    }
}
