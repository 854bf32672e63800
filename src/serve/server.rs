//! HTTP for `serve`: answers every request from the in-memory [`Site`] and upgrades
//! [`SOCKET_PATH`] to the live-reload websocket.
//!
//! Requests are confined to the site by construction: a path is percent-decoded and checked
//! (no `.` or `..` segment, no backslash, no NUL, valid UTF-8), then looked up as a key in the
//! site's map. Nothing is ever read from the file system, so a path like `/../Cargo.toml` has
//! nothing to reach (Zola's CVE-2023-40274 was a path traversal in its `serve`). Requests whose
//! `Host` is not this machine are refused, so a web page cannot read the brief through DNS
//! rebinding.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;

use super::reload::{SOCKET_PATH, error_page, inject};
use super::site::{Site, SiteCell};

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub site: Arc<SiteCell>,
    /// One message per finished rebuild; each open page's socket forwards it as `reload`.
    pub reload: broadcast::Sender<()>,
    /// The port served, to recognise this server's own `Host` header.
    pub port: u16,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(SOCKET_PATH, get(reload_socket))
        .fallback(site_file)
        .with_state(state)
}

async fn site_file(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if !is_local_host(&headers, state.port) {
        return plain(
            StatusCode::FORBIDDEN,
            "casefile serve answers only 127.0.0.1 and localhost\n",
        );
    }
    if method != Method::GET && method != Method::HEAD {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "casefile serve only reads\n",
        );
    }
    let Some(key) = site_key(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "bad path\n");
    };
    respond(&state.site.current(), &key, uri.path())
}

fn respond(site: &Site, key: &str, raw_path: &str) -> Response {
    if let Some(bytes) = site.file(key) {
        return file_response(StatusCode::OK, key, bytes, site);
    }
    if !site.has_pages()
        && let Some(errors) = site.errors()
    {
        return html_response(StatusCode::SERVICE_UNAVAILABLE, error_page(errors));
    }
    // `/people` → `/people/`, as a static host serving the folder would.
    if !key.ends_with("index.html") && site.file(&format!("{key}/index.html")).is_some() {
        let location = format!("{raw_path}/");
        if let Ok(value) = HeaderValue::from_str(&location) {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            return response;
        }
    }
    match site.file("404.html") {
        Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", bytes, site),
        None => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn file_response(status: StatusCode, key: &str, bytes: &Bytes, site: &Site) -> Response {
    let content_type = content_type(key);
    if content_type.starts_with("text/html") {
        return html_response(status, inject(bytes, site.errors()));
    }
    with_headers(status, content_type, Body::from(bytes.clone()))
}

fn html_response(status: StatusCode, html: Vec<u8>) -> Response {
    with_headers(status, "text/html; charset=utf-8", Body::from(html))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    with_headers(status, "text/plain; charset=utf-8", Body::from(text))
}

fn with_headers(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Every save changes the site; a cached copy would hide the change after a reload.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The site key for a request path (`/people/x/` → `people/x/index.html`), or `None` for a
/// path that tries to leave the site or cannot name a file in it.
pub fn site_key(raw_path: &str) -> Option<String> {
    let decoded = String::from_utf8(percent_decode(raw_path.as_bytes())?).ok()?;
    if !decoded.starts_with('/') || decoded.contains(['\\', '\0']) {
        return None;
    }
    let relative = &decoded[1..];
    if relative
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return None;
    }
    if relative.is_empty() || relative.ends_with('/') {
        Some(format!("{relative}index.html"))
    } else {
        Some(relative.to_string())
    }
}

/// `%XX` escapes decoded; `None` for a malformed escape.
fn percent_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            let hex = input.get(i + 1..i + 3)?;
            let high = (hex[0] as char).to_digit(16)?;
            let low = (hex[1] as char).to_digit(16)?;
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    Some(out)
}

fn is_local_host(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        // HTTP/1.0 clients may omit Host; they cannot be a browser doing DNS rebinding.
        return true;
    };
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| {
        host.eq_ignore_ascii_case(name) || host.eq_ignore_ascii_case(&format!("{name}:{port}"))
    })
}

/// By the file's extension; unknown kinds are sent as bytes.
fn content_type(key: &str) -> &'static str {
    let extension = key.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

async fn reload_socket(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !is_local_host(&headers, state.port) {
        return plain(
            StatusCode::FORBIDDEN,
            "casefile serve answers only 127.0.0.1 and localhost\n",
        );
    }
    let rebuilds = state.reload.subscribe();
    upgrade.on_upgrade(move |socket| forward_reloads(socket, rebuilds))
}

/// Sends `reload` after each rebuild until the page goes away.
async fn forward_reloads(mut socket: WebSocket, mut rebuilds: broadcast::Receiver<()>) {
    loop {
        tokio::select! {
            rebuilt = rebuilds.recv() => match rebuilt {
                // A page that missed some rebuilds still needs exactly one reload.
                Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    if socket.send(Message::Text("reload".into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_map_to_their_index_page() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_key("/people/ruoming-pang/").as_deref(),
            Some("people/ruoming-pang/index.html")
        );
        assert_eq!(site_key("/style.css").as_deref(), Some("style.css"));
        assert_eq!(
            site_key("/tags/talent%20race/").as_deref(),
            Some("tags/talent race/index.html")
        );
    }

    #[test]
    fn paths_that_try_to_leave_the_site_are_refused() {
        for path in [
            "/../Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/%2E%2E/Cargo.toml",
            "/..%2fCargo.toml",
            "/people/..%5c..%5cCargo.toml",
            "/people/%5cCargo.toml",
            "/a/./b",
            "/index.html%00.css",
            "/%zz",
            "/%e9",
        ] {
            assert_eq!(site_key(path), None, "{path} should be refused");
        }
    }

    #[test]
    fn only_local_host_names_on_this_port_are_served() {
        let host = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::HOST,
                HeaderValue::from_str(value).expect("valid header"),
            );
            headers
        };
        assert!(is_local_host(&host("127.0.0.1:1111"), 1111));
        assert!(is_local_host(&host("localhost:1111"), 1111));
        assert!(is_local_host(&host("[::1]:1111"), 1111));
        assert!(!is_local_host(&host("evil.example:1111"), 1111));
        assert!(!is_local_host(&host("127.0.0.1:2222"), 1111));
        assert!(!is_local_host(&host("evil.example"), 1111));
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type("people/x/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type("graph.svg"), "image/svg+xml");
        assert_eq!(content_type("casefile.json"), "application/json");
        assert_eq!(
            content_type("pagefind/x.pf_meta"),
            "application/octet-stream"
        );
    }
}
