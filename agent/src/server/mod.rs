//! The loopback HTTP API (docs/agent-api.md; its controls: SECURITY.md). One
//! catch-all warp filter hands every request to [`router::handle`], which
//! applies the controls in a fixed order: Host, route, Origin and CORS, rate
//! limit, body limit, JSON, queue, then the approved token operation on a
//! blocking thread with a timeout.
//!
//! Direction: this module binds and serves → `router` checks and dispatches
//! → `pairing_handler` and the service do the work → `state`, `guard` and
//! `pairing` are what they share.

mod guard;
mod pairing;
mod pairing_handler;
mod router;
mod state;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use warp::Filter;

use crate::config::Config;
use crate::service::Service;

pub use pairing::Pairing;
use state::State;

/// Binds 127.0.0.1 (and ::1 when available) on the configured port or its two
/// fallbacks, then serves until the process ends. `on_ready` receives the port.
pub async fn run(
    config: Config,
    service: Arc<Service>,
    pairing: Arc<Pairing>,
    on_ready: impl FnOnce(u16),
) -> Result<(), String> {
    let (v4, port) = bind_v4(config.server.port).await?;
    let v6 = TcpListener::bind(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port))
        .await
        .ok();
    let state = Arc::new(State {
        service,
        port,
        guard: guard::Guard::new(&config.limits),
        config,
        pairing,
    });
    let routes = {
        let state = state.clone();
        warp::any()
            .map(move || state.clone())
            .and(warp::method())
            .and(warp::path::full())
            .and(warp::header::headers_cloned())
            .and(warp::body::stream())
            .then(router::handle)
    };
    on_ready(port);
    let serve_v4 = warp::serve(routes.clone()).incoming(v4).run();
    match v6 {
        Some(v6) => {
            let serve_v6 = warp::serve(routes).incoming(v6).run();
            tokio::join!(serve_v4, serve_v6);
        }
        None => serve_v4.await,
    }
    Ok(())
}

async fn bind_v4(port: u16) -> Result<(TcpListener, u16), String> {
    let candidates: Vec<u16> = if port == 0 {
        vec![0]
    } else {
        (0..3).filter_map(|i| port.checked_add(i)).collect()
    };
    let mut last = String::new();
    for p in candidates {
        match TcpListener::bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p)).await {
            Ok(l) => {
                let bound = l.local_addr().map_err(|e| e.to_string())?.port();
                return Ok((l, bound));
            }
            Err(e) => last = format!("127.0.0.1:{p}: {e}"),
        }
    }
    Err(format!("server.port: no free port ({last})"))
}
