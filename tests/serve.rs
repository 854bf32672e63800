//! `casefile serve` end to end: the real binary serving a tiny brief written into a temporary
//! folder, spoken to with a minimal HTTP/1.1 client over `TcpStream` (and a raw websocket
//! handshake). Proves live reload after an edit, the error overlay over the last good site,
//! the page shown when the first build fails, and that requests cannot leave the site.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const RELOAD_TIMEOUT: Duration = Duration::from_secs(10);

const CONFIG: &str = "title: Serve test brief\n";
const FRONT_PAGE: &str = "---\ntitle: Serve test brief\nsummary: Who joined Acme.\n---\n\
[[Ann Smith]] joined Acme [@daily, \"joined Acme Corp in July 2025\"].\n";
const SOURCE: &str = "---\ntitle: Ann Smith moves to Acme Corp\npublisher: The Daily\n\
date: \"2025-07-07\"\n---\nAnn Smith, a researcher, joined Acme Corp in July 2025 after five \
years at Globex.\n";
/// A secret beside the brief's content that no request may reach.
const SECRET: &str = "[package]\nname = \"SECRET-CARGO-TOML\"\n";

/// The person note; `body` is its only paragraph, on line 5.
fn person(body: &str) -> String {
    format!("---\ntitle: Ann Smith\nsummary: A researcher.\n---\n{body}\n")
}

fn cited(marker: &str) -> String {
    format!("{marker}: Ann Smith joined Acme [@daily, \"joined Acme Corp in July 2025\"].")
}

/// A brief written into a temporary folder.
fn brief(person_body: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    write(root, "casefile.yaml", CONFIG);
    write(root, "Cargo.toml", SECRET);
    write(root, "content/_index.md", FRONT_PAGE);
    write(root, "content/sources/daily.md", SOURCE);
    write(root, "content/people/ann-smith.md", &person(person_body));
    dir
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(&path, text).expect("write file");
}

/// A running `casefile serve`; killed when dropped, so a failing test leaves no server behind.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
    dir: TempDir,
}

impl Server {
    fn start(dir: TempDir) -> Server {
        Server::start_with(dir, &[])
    }

    fn start_with(dir: TempDir, extra_args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casefile"))
            .args(["serve", "--port", "0", "--root"])
            .arg(dir.path())
            .args(extra_args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start casefile serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_pipe = child.stderr.take().expect("stderr piped");
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut text = collected.lock().unwrap_or_else(|e| e.into_inner());
                text.push_str(&line);
                text.push('\n');
            }
        });
        let stdout_pipe = child.stdout.take().expect("stdout piped");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout_pipe).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    return;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
            dir,
        };
        // The first build of a debug binary can take a while on a busy machine.
        let deadline = Instant::now() + Duration::from_secs(120);
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = line
                        .strip_prefix("serving http://127.0.0.1:")
                        .and_then(|rest| rest.strip_suffix('/'))
                        .and_then(|port| port.parse().ok())
                    {
                        server.port = port;
                    }
                }
                Err(_) => panic!(
                    "casefile serve printed no URL; stderr:\n{}",
                    server.stderr()
                ),
            }
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, path, &format!("127.0.0.1:{}", self.port))
    }

    fn write(&self, relative: &str, text: &str) {
        write(self.dir.path(), relative, text);
    }

    /// Polls `path` until `done` holds for the response; panics after [`RELOAD_TIMEOUT`].
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + RELOAD_TIMEOUT;
        loop {
            let response = self.get(path);
            if done(&response) {
                return response;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what} at {path}; last status {}; stderr:\n{}",
                    response.status,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Response {
    status: u16,
    headers: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One HTTP/1.1 GET with the request target sent exactly as given (no normalisation).
fn request(port: u16, target: &str, host: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("set timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let (status_line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers = headers.replace("\r\n", "\n");
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[..end]);
        let size = usize::from_str_radix(size_text.trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

#[test]
fn serves_pages_with_the_reload_script_and_the_sites_404() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    let page = server.get("/people/ann-smith/");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("ORIGINAL-MARKER"), "{}", page.body);
    let script = page
        .body
        .find("<script data-casefile=\"live-reload\">")
        .expect("reload script injected");
    assert!(page.body[script..].contains("/__casefile/ws"));
    assert!(
        script < page.body.rfind("</body>").expect("page has </body>"),
        "script goes inside the body"
    );
    assert!(!page.body.contains("casefile-error"));
    // Links point at the server, not at the configured base_url.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("/people/ann-smith/"), "{}", home.body);

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("data-kind=\"error\""),
        "the site's 404.html: {}",
        missing.body
    );
    assert!(missing.body.contains("/__casefile/ws"));

    let folder = server.get("/people/ann-smith");
    assert_eq!(folder.status, 308);
    assert_eq!(folder.header("location"), Some("/people/ann-smith/"));
}

#[test]
fn edits_reload_and_errors_show_over_the_last_good_site_until_fixed() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    let page = "/people/ann-smith/";
    assert!(server.get(page).body.contains("ORIGINAL-MARKER"));

    server.write(
        "content/people/ann-smith.md",
        &person(&cited("EDITED-MARKER")),
    );
    server.wait_for(page, "the edited text", |r| {
        r.body.contains("EDITED-MARKER")
    });
    assert!(
        server.stderr().contains("rebuilt in "),
        "{}",
        server.stderr()
    );

    // An unknown link on line 5, column 17 of the note.
    let broken = format!("BROKEN-MARKER [[No Such Person]] {}", cited("X"));
    server.write("content/people/ann-smith.md", &person(&broken));
    let shown = server.wait_for(page, "the error overlay", |r| {
        r.body.contains("id=\"casefile-error\"")
    });
    assert!(
        shown
            .body
            .contains("<div id=\"casefile-error\" role=\"alert\"")
    );
    assert!(
        shown.body.contains("content/people/ann-smith.md:5:"),
        "the overlay names file and line: {}",
        shown.body
    );
    assert!(shown.body.contains("No Such Person"));
    assert!(
        shown.body.contains("EDITED-MARKER"),
        "the last good page is still served"
    );
    // The broken text appears only in the overlay's snippet, never as the page's content.
    let page_part = &shown.body[..shown.body.find("<div id=\"casefile-error\"").unwrap_or(0)];
    assert!(page_part.contains("EDITED-MARKER"));
    assert!(!page_part.contains("BROKEN-MARKER"));
    // Every HTML page carries the overlay, not only the one with the error.
    assert!(server.get("/").body.contains("id=\"casefile-error\""));
    assert!(
        server.stderr().contains("build failed with 1 error"),
        "{}",
        server.stderr()
    );

    server.write(
        "content/people/ann-smith.md",
        &person(&cited("FIXED-MARKER")),
    );
    let fixed = server.wait_for(page, "the fixed text", |r| r.body.contains("FIXED-MARKER"));
    assert!(
        !fixed.body.contains("casefile-error"),
        "the overlay is gone once fixed"
    );
}

#[test]
fn a_first_build_with_errors_serves_the_errors_until_fixed() {
    let server = Server::start(brief("Ann Smith knows [[Nobody Here]]."));
    let page = server.get("/people/ann-smith/");
    assert_eq!(page.status, 503);
    assert!(page.body.contains("id=\"casefile-error\""), "{}", page.body);
    assert!(
        page.body.contains("content/people/ann-smith.md:5:"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("/__casefile/ws"),
        "the error page live-reloads too"
    );

    server.write(
        "content/people/ann-smith.md",
        &person(&cited("FIXED-MARKER")),
    );
    let fixed = server.wait_for("/people/ann-smith/", "the first good build", |r| {
        r.status == 200
    });
    assert!(fixed.body.contains("FIXED-MARKER"));
    assert!(!fixed.body.contains("casefile-error"));
}

#[test]
fn requests_cannot_leave_the_site() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    for target in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/%2E%2E/Cargo.toml",
        "/..%2fCargo.toml",
        "/people/..%5c..%5cCargo.toml",
        "/people/../../Cargo.toml",
        "/Cargo.toml",
        "/content/people/ann-smith.md",
        "/casefile.yaml",
        "/index.html%00.css",
    ] {
        let response = server.get(target);
        assert!(
            matches!(response.status, 400 | 404),
            "{target}: status {}",
            response.status
        );
        assert!(
            !response.body.contains("SECRET-CARGO-TOML"),
            "{target} leaked the file"
        );
        assert!(
            !response.body.contains("title: Serve test brief"),
            "{target} leaked the config"
        );
    }
    let rebinding = request(server.port, "/", "attacker.example");
    assert_eq!(
        rebinding.status, 403,
        "a foreign Host is refused (DNS rebinding)"
    );
}

#[test]
fn open_websockets_receive_reload_after_a_rebuild() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    let mut socket = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    socket
        .set_read_timeout(Some(RELOAD_TIMEOUT))
        .expect("set timeout");
    write!(
        socket,
        "GET /__casefile/ws HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\r\n",
        server.port
    )
    .expect("send handshake");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte).expect("handshake response");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    // RFC 6455's example key and its accept value.
    assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");

    server.write(
        "content/people/ann-smith.md",
        &person(&cited("EDITED-MARKER")),
    );
    let mut frame = [0u8; 8];
    socket
        .read_exact(&mut frame)
        .expect("a frame after the rebuild");
    // FIN + text opcode, unmasked, length 6, "reload".
    assert_eq!(&frame, b"\x81\x06reload", "{}", server.stderr());
}

#[test]
fn polling_watcher_also_rebuilds_on_save() {
    let server = Server::start_with(brief(&cited("ORIGINAL-MARKER")), &["--poll"]);
    assert!(
        server
            .get("/people/ann-smith/")
            .body
            .contains("ORIGINAL-MARKER")
    );
    // Polling compares modification times; make sure the edit lands on a later one.
    std::thread::sleep(Duration::from_millis(1100));
    server.write(
        "content/people/ann-smith.md",
        &person(&cited("POLLED-MARKER")),
    );
    server.wait_for("/people/ann-smith/", "the edit seen by polling", |r| {
        r.body.contains("POLLED-MARKER")
    });
    server.write("casefile.yaml", "title: Renamed by polling\n");
    server.wait_for("/", "the config change seen by polling", |r| {
        r.body.contains("Renamed by polling")
    });
}

#[test]
fn a_broken_template_shows_in_the_overlay_and_a_new_templates_folder_is_watched() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    let page = "/people/ann-smith/";
    assert!(server.get(page).body.contains("ORIGINAL-MARKER"));
    // templates/ did not exist when the server started.
    server.write("templates/note.html", "<html><body>{% if %}</body></html>");
    let broken = server.wait_for(page, "the template error", |r| {
        r.body.contains("id=\"casefile-error\"")
    });
    assert!(broken.body.contains("template"), "{}", broken.body);
    assert!(
        broken.body.contains("ORIGINAL-MARKER"),
        "the last good page is kept"
    );

    server.write(
        "templates/note.html",
        "<!DOCTYPE html><html><body><p>TEMPLATE-MARKER</p></body></html>",
    );
    let fixed = server.wait_for(page, "the overriding template", |r| {
        r.body.contains("TEMPLATE-MARKER")
    });
    assert!(!fixed.body.contains("casefile-error"));
}

#[test]
fn an_edit_is_rebuilt_incrementally_and_casefile_json_catches_up() {
    let server = Server::start(brief(&cited("ORIGINAL-MARKER")));
    let page = "/people/ann-smith/";
    assert!(server.get(page).body.contains("ORIGINAL-MARKER"));
    // A second citation: casefile.json lists every citation, so it must follow.
    let body = format!("{} {}", cited("EDITED-MARKER"), cited("SECOND-MARKER"));
    server.write("content/people/ann-smith.md", &person(&body));
    server.wait_for(page, "the edited text", |r| {
        r.body.contains("SECOND-MARKER")
    });
    let json = server.wait_for("/casefile.json", "casefile.json caught up", |r| {
        r.body.matches("\"note\": \"ann-smith\"").count() == 2
    });
    assert!(json.body.contains("\"citations\""));
    let log = server.stderr();
    assert!(log.contains("note page"), "an incremental rebuild: {log}");
    assert!(log.contains("caught up site-wide files"), "{log}");
}
