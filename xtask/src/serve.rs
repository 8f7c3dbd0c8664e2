//! `cargo xtask serve`: builds the page and serves `dist/` on 127.0.0.1.
//!
//! A few dozen lines of std networking rather than a server crate: the page is static, the
//! server only ever talks to the local browser, and what matters is the right MIME types
//! (`application/wasm` for streaming compilation, `text/javascript` for module scripts).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::process::Steps;
use crate::setup::{setup, Scope};
use crate::{root, value, Result};

/// `cargo xtask serve [--port N]`.
pub fn task(rest: &[String]) -> Result {
    let mut port = 8080u16;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let text = value(&mut args, arg)?;
                port = text
                    .parse()
                    .map_err(|_| format!("--port: `{text}` is not a port number"))?;
            }
            other => {
                return Err(format!(
                    "unexpected argument `{other}`; usage: serve [--port N]"
                ))
            }
        }
    }
    let tools = setup(Scope::Build)?;
    let mut steps = Steps::new();
    steps.run("trunk build", tools.trunk_build(None))?;

    let dist = root().join("dist");
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e} (try --port)"))?;
    println!("\nflowlens is served at http://127.0.0.1:{port}/");
    println!("Open it and click \"Try sample data\", or drop your own flow logs. Ctrl-C stops.");
    serve_forever(listener, dist);
    Ok(())
}

/// Answers requests for files under `dir`, one thread per connection.
pub fn serve_forever(listener: TcpListener, dir: PathBuf) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let dir = dir.clone();
        std::thread::spawn(move || {
            // A client that goes away mid-answer is not the server's problem.
            let _ = answer(stream, &dir);
        });
    }
}

fn answer(stream: TcpStream, dir: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // The headers say nothing this server needs, but they must be read before answering.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            b"GET or HEAD only\n",
        );
    }
    let Some(path) = resolve(dir, target) else {
        return respond(&mut out, "404 Not Found", "text/plain", b"not found\n");
    };
    let file = File::open(&path)?;
    let length = file.metadata()?.len();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {length}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n",
        mime_type(&path)
    )?;
    if method == "GET" {
        io::copy(&mut BufReader::new(file), &mut out)?;
    }
    out.flush()
}

fn respond(out: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) -> io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

/// The file a request target names, or `None` when there is none or the target tries to
/// leave `dir`. `/` and folders mean their `index.html`.
fn resolve(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let decoded = percent_decode(path.strip_prefix('/')?)?;
    let mut file = dir.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            _ if segment.contains('\\') || segment.contains('\0') => return None,
            _ => file.push(segment),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file, by its extension.
fn mime_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "log" | "csv" => "text/plain; charset=utf-8",
        // Sent as is, never with Content-Encoding, so the page receives the gzip bytes that
        // a user's own `.log.gz` file would hold.
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn site() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("flowlens-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("samples")).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        std::fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(dir.join("samples/a b.log"), "2 x\n").unwrap();
        dir
    }

    fn get(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn serves_files_with_their_types_and_nothing_outside() {
        let dir = site();
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = dir.clone();
        std::thread::spawn(move || serve_forever(listener, root));

        let index = get(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8\r\n"));
        assert!(index.ends_with("\r\n\r\n<!doctype html>"));

        let wasm = get(port, "GET /app_bg.wasm?v=1 HTTP/1.1\r\n\r\n");
        assert!(
            wasm.contains("Content-Type: application/wasm\r\n"),
            "{wasm}"
        );
        assert!(wasm.contains("Content-Length: 8\r\n"));

        let spaced = get(port, "GET /samples/a%20b.log HTTP/1.1\r\n\r\n");
        assert!(spaced.ends_with("\r\n\r\n2 x\n"), "{spaced}");

        let head = get(port, "HEAD /samples/a%20b.log HTTP/1.1\r\n\r\n");
        assert!(head.ends_with("Connection: close\r\n\r\n"), "{head}");

        for escape in [
            "/../Cargo.toml",
            "/samples/%2e%2e/%2e%2e/etc/passwd",
            "/missing.js",
        ] {
            let response = get(port, &format!("GET {escape} HTTP/1.1\r\n\r\n"));
            assert!(response.starts_with("HTTP/1.1 404"), "{escape}: {response}");
        }
        let post = get(port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 405"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mime_types_cover_what_trunk_writes() {
        assert_eq!(
            mime_type(Path::new("a/app-1a2b.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("app_bg.WASM")), "application/wasm");
        assert_eq!(mime_type(Path::new("x.log.gz")), "application/gzip");
        assert_eq!(mime_type(Path::new("index.json")), "application/json");
        assert_eq!(mime_type(Path::new("LICENSE")), "application/octet-stream");
    }
}
