//! A tiny HTTP/1.1 server on 127.0.0.1 for the tests: it answers a fixed
//! list of connections with canned replies, records what it was sent, and
//! ends by itself after the last reply or [`LIFETIME`], whichever comes
//! first.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server waits for connections before it stops.
const LIFETIME: Duration = Duration::from_secs(5);

/// One connection's answer.
pub(crate) enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// Read the request, answer nothing, hold the connection until the
    /// client gives up (or [`LIFETIME`]).
    Hang,
}

impl Reply {
    /// 200 with this content type and a `Content-Length`.
    pub(crate) fn ok(content_type: &str, body: &[u8]) -> Reply {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        Reply::Raw([head.as_bytes(), body].concat())
    }

    /// 200 whose body ends when the connection closes (no length given).
    pub(crate) fn close_delimited(content_type: Option<&str>, body: &[u8]) -> Reply {
        let ct = content_type
            .map(|t| format!("Content-Type: {t}\r\n"))
            .unwrap_or_default();
        let head = format!("HTTP/1.1 200 OK\r\n{ct}Connection: close\r\n\r\n");
        Reply::Raw([head.as_bytes(), body].concat())
    }

    /// A status with an empty body.
    pub(crate) fn status(status: u16) -> Reply {
        Reply::Raw(
            format!("HTTP/1.1 {status} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        )
    }

    /// 302 to `location`.
    pub(crate) fn redirect(location: &str) -> Reply {
        Reply::Raw(
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes(),
        )
    }
}

/// What the server was sent.
#[derive(Debug)]
pub(crate) struct Seen {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// A running test server.
pub(crate) struct Server {
    port: u16,
    seen: Receiver<Seen>,
}

impl Server {
    /// Serves one connection per reply, in order.
    pub(crate) fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        listener.set_nonblocking(true).expect("non-blocking");
        let (tx, seen) = channel();
        thread::spawn(move || serve(listener, replies, tx));
        Server { port, seen }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The requests received so far.
    pub(crate) fn requests(&self) -> Vec<Seen> {
        self.seen.try_iter().collect()
    }
}

fn serve(listener: TcpListener, replies: Vec<Reply>, tx: Sender<Seen>) {
    let deadline = Instant::now() + LIFETIME;
    let mut replies = replies.into_iter();
    let mut next = replies.next();
    while let Some(reply) = next.take() {
        match listener.accept() {
            Ok((stream, _)) => {
                answer(stream, reply, &tx, deadline);
                next = replies.next();
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                next = Some(reply);
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return,
        }
    }
}

fn answer(mut stream: TcpStream, reply: Reply, tx: &Sender<Seen>, deadline: Instant) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if let Some(seen) = read_request(&mut stream) {
        let _ = tx.send(seen);
    }
    match reply {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Reply::Hang => {
            // Until the client closes (read gives 0) or the server's time is up.
            let mut buf = [0u8; 64];
            while Instant::now() < deadline {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => break,
                }
            }
        }
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Seen {
        method,
        path,
        content_type: header("content-type"),
        body,
    })
}

/// A loopback URL nothing listens on: connecting is refused.
pub(crate) fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}
