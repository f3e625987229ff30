//! The local web server: one self-contained page and a small JSON API, on 127.0.0.1 only.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | the page (inline CSS and JS, no network assets) |
//! | `GET /api/state` | totals, progress, labels with their keys |
//! | `GET /api/task/N` | the task at position N (decided ones first, then the queue) |
//! | `POST /api/decide` | `{"id", "labels":[…]}` or `{"id", "skip":true}` → `{"next", "state"}` |
//! | `POST /api/decide` with `"group":true` | the same decision for the paragraph's undecided near-duplicates |
//! | `POST /api/rerank` | reload the model file named on the command line, re-order the queue |
//!
//! With live learning, a learner thread ([`crate::learn::run`]) is woken whenever a decision
//! makes a retrain due; it takes the session's lock only to snapshot and to swap, so a
//! decision never waits for training.
//!
//! Defences: every request must name this server in `Host` (and in `Origin`, when sent) as
//! `127.0.0.1:PORT` or `localhost:PORT`, else 403 — a page on another site, or one reached
//! through DNS rebinding, cannot drive it; a request with two `Host` (or `Origin`) headers
//! gets 400; a `Content-Length` over [`BODY_LIMIT`] gets 413 before any of the body is
//! read (and bodies that grow past it, too); a client has [`HEADER_TIMEOUT`] to send its
//! request headers, so none can hold a connection (or a shutdown) open; POST bodies
//! must be JSON (415 otherwise, so no form can post cross-site); label ids are checked
//! (400); and no request names a file: the only file read after start is the model path
//! given on the command line.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::error::{Error, Result};
use crate::session::{suggest_all, DecideRequest, Refusal, Session};

/// The page, embedded at build time.
pub const PAGE: &str = include_str!("page.html");

/// Largest request body accepted (bytes).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Time a client has to send a request's headers; also the longest a shutdown waits for
/// requests in flight.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// When to stop serving.
#[derive(Debug)]
pub enum Stop {
    /// On Ctrl-C (SIGINT).
    CtrlC,
    /// When a message arrives or the sender is dropped (for tests and embedding).
    Channel(std::sync::mpsc::Receiver<()>),
}

#[derive(Clone)]
struct App {
    session: Arc<Mutex<Session>>,
    port: u16,
    model: Option<PathBuf>,
    wake: Option<std::sync::mpsc::Sender<()>>,
}

impl App {
    fn lock(&self) -> MutexGuard<'_, Session> {
        // A panic while holding the lock cannot leave a half-made decision behind (the
        // store writes whole lines), so a poisoned lock is still usable.
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn refuse(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": msg.into() }))).into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Bad(m) => refuse(StatusCode::BAD_REQUEST, m),
            Refusal::NotFound(m) => refuse(StatusCode::NOT_FOUND, m),
            Refusal::Conflict(m) => refuse(StatusCode::CONFLICT, m),
        }
    }
}

/// True when `value` (a `Host` header, or an `Origin` without its `http://`) names this
/// server: `127.0.0.1:PORT` or `localhost:PORT`.
pub fn is_local_authority(value: &str, port: u16) -> bool {
    let Some((host, p)) = value.rsplit_once(':') else {
        return false;
    };
    matches!(
        host.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost"
    ) && p.parse::<u16>() == Ok(port)
}

/// Why a request is refused before it reaches a route.
fn local_request(
    headers: &HeaderMap,
    port: u16,
) -> std::result::Result<(), (StatusCode, &'static str)> {
    let forbidden = |m| (StatusCode::FORBIDDEN, m);
    if headers.get_all(header::HOST).iter().nth(1).is_some() {
        return Err((StatusCode::BAD_REQUEST, "more than one Host header"));
    }
    if headers.get_all(header::ORIGIN).iter().nth(1).is_some() {
        return Err((StatusCode::BAD_REQUEST, "more than one Origin header"));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or(forbidden("missing Host header"))?;
    if !is_local_authority(host, port) {
        return Err(forbidden("Host is not this local server"));
    }
    if let Some(len) = headers.get(header::CONTENT_LENGTH) {
        match len.to_str().ok().and_then(|l| l.parse::<u64>().ok()) {
            Some(n) if n > BODY_LIMIT as u64 => {
                return Err((StatusCode::PAYLOAD_TOO_LARGE, "request body too large"))
            }
            Some(_) => {}
            None => return Err((StatusCode::BAD_REQUEST, "bad Content-Length")),
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| is_local_authority(o, port));
        if !ok {
            return Err(forbidden("Origin is not this local server"));
        }
    }
    Ok(())
}

async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let mut resp = match local_request(req.headers(), app.port) {
        Ok(()) => next.run(req).await,
        Err((status, why)) => refuse(status, why),
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src data:; frame-ancestors 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn state(State(app): State<App>) -> Response {
    Json(app.lock().state()).into_response()
}

async fn task(State(app): State<App>, Path(n): Path<usize>) -> Response {
    match app.lock().task(n) {
        Some(t) => Json(t).into_response(),
        None => refuse(StatusCode::NOT_FOUND, format!("no task at position {n}")),
    }
}

async fn decide(State(app): State<App>, Json(req): Json<DecideRequest>) -> Response {
    let (answer, due) = {
        let mut s = app.lock();
        let answer = s.decide(req);
        (answer, s.wants_retrain())
    };
    if due {
        if let Some(w) = &app.wake {
            let _ = w.send(());
        }
    }
    match answer {
        Ok(v) => Json(v).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn rerank(State(app): State<App>) -> Response {
    let Some(path) = app.model.clone() else {
        return Refusal::Conflict(
            "re-ranking reloads the --model file; this session was started without one".into(),
        )
        .into_response();
    };
    let texts = app.lock().texts();
    let work = tokio::task::spawn_blocking(move || -> Result<_> {
        let pipeline = policytag_pipeline::Pipeline::load(Some(&path))?;
        let labels = pipeline.labels().to_vec();
        Ok((labels, suggest_all(&pipeline, &texts)))
    })
    .await;
    match work {
        Ok(Ok((labels, suggestions))) => {
            let mut s = app.lock();
            match s.rerank(&labels, suggestions) {
                Ok(()) => Json(s.state()).into_response(),
                Err(r) => r.into_response(),
            }
        }
        Ok(Err(e)) => refuse(StatusCode::CONFLICT, format!("re-loading the model: {e}")),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "re-ranking failed"),
    }
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "no such page")
}

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/state", get(state))
        .route("/api/task/{n}", get(task))
        .route("/api/decide", post(decide))
        .route("/api/rerank", post(rerank))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// What a finished session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Tasks decided in all (this session and earlier ones).
    pub done: usize,
    /// Tasks in the session.
    pub total: usize,
}

/// Serve `session` on `127.0.0.1:port` (0 = any free port) until `stop`. `ready` gets
/// the bound address once the server accepts connections. `model` is the file that
/// `POST /api/rerank` reloads (none: re-ranking is refused).
pub fn serve(
    mut session: Session,
    port: u16,
    model: Option<PathBuf>,
    ready: impl FnOnce(SocketAddr),
    stop: Stop,
) -> Result<Summary> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::Server(format!("starting the runtime: {e}")))?;
    let learner = session.take_learner();
    let session = Arc::new(Mutex::new(session));
    let (wake, learner) = match learner {
        Some(l) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let s = session.clone();
            let handle = std::thread::Builder::new()
                .name("learner".into())
                .spawn(move || crate::learn::run(s, l, rx))
                .map_err(|e| Error::Server(format!("starting the learner: {e}")))?;
            // Decisions already in the out file may make a retrain due at once.
            let _ = tx.send(());
            (Some(tx), Some(handle))
        }
        None => (None, None),
    };
    let served = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AddrInUse => Error::Input(format!(
                    "port {port} on 127.0.0.1 is in use: pick another with --port (0 = any free port)"
                )),
                std::io::ErrorKind::PermissionDenied => Error::Input(format!(
                    "binding 127.0.0.1:{port}: permission denied (ports below 1024 need privileges)"
                )),
                _ => Error::Server(format!("binding 127.0.0.1:{port}: {e}")),
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Server(e.to_string()))?;
        let app = App {
            session: session.clone(),
            port: addr.port(),
            model,
            wake,
        };
        ready(addr);
        let signal = async move {
            match stop {
                Stop::CtrlC => interrupted().await,
                Stop::Channel(rx) => {
                    let _ = tokio::task::spawn_blocking(move || rx.recv()).await;
                }
            }
        };
        run(listener, router(app), signal).await;
        Ok::<(), Error>(())
    });
    // The router (and with it the learner's wake sender) is gone: the learner stops after
    // the retrain it may be running; nothing of it needs saving.
    drop(learner);
    served?;
    let s = session.lock().unwrap_or_else(|p| p.into_inner());
    Ok(Summary {
        done: s.done(),
        total: s.total(),
    })
}

/// Accept connections until `signal`, each served by hyper with [`HEADER_TIMEOUT`] to send
/// its headers; then let requests in flight finish, waiting at most [`HEADER_TIMEOUT`].
async fn run(
    listener: tokio::net::TcpListener,
    router: Router,
    signal: impl std::future::Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let service = hyper_util::service::TowerToHyperService::new(router);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        tokio::select! {
            conn = listener.accept() => {
                let Ok((stream, _)) = conn else { continue };
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service.clone());
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            _ = &mut signal => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(HEADER_TIMEOUT, graceful.shutdown()).await;
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill` and service managers send): either
/// stops the server the same graceful way.
async fn interrupted() {
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    std::future::poll_fn(|cx| {
        if std::future::Future::poll(ctrl_c.as_mut(), cx).is_ready() {
            return std::task::Poll::Ready(());
        }
        #[cfg(unix)]
        if let Some(t) = term.as_mut() {
            if t.poll_recv(cx).is_ready() {
                return std::task::Poll::Ready(());
            }
        }
        std::task::Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_authorities() {
        assert!(is_local_authority("127.0.0.1:8080", 8080));
        assert!(is_local_authority("LOCALHOST:8080", 8080));
        assert!(!is_local_authority("127.0.0.1:8081", 8080));
        assert!(!is_local_authority("127.0.0.1", 8080));
        assert!(!is_local_authority("evil.example:8080", 8080));
        assert!(!is_local_authority("127.0.0.1.evil.example:8080", 8080));
        assert!(!is_local_authority("[::1]:8080", 8080));
    }

    #[test]
    fn the_page_is_self_contained() {
        for needle in ["http://", "https://", "//cdn", "<link", "src="] {
            assert!(!PAGE.contains(needle), "page references {needle}");
        }
        assert!(PAGE.contains("Noto Sans CJK SC"));
    }
}
