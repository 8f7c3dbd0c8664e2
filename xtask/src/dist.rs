//! `cargo xtask dist`: the release build of the page, finished with what Trunk cannot do.
//!
//! Trunk writes `dist/`; three steps then make the page private and offline by construction:
//!
//! 1. A Content-Security-Policy goes into `index.html` as a `<meta>` tag (GitHub Pages sends
//!    no headers). It lists the page's own origin only and the SHA-256 of every inline script
//!    Trunk wrote, which can only be known once the page is built.
//! 2. `sw.js`, the service worker (from `web/sw.js`), gets the list of the build's files and
//!    a cache name made from their digest, so that a new build always means a new cache.
//! 3. `flowlens.html`, the whole app in one file that works from `file://` (see
//!    [`crate::single_file`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::process::Steps;
use crate::setup::{setup, Scope, Tools};
use crate::{root, single_file, value, Result};

/// The policy of the served page. `'self'` is the page's origin; `'wasm-unsafe-eval'` lets
/// WebAssembly compile and nothing else; inline scripts need their hash, added at build time.
const POLICY: &[(&str, &str)] = &[
    ("default-src", "'none'"),
    ("script-src", "'self' 'wasm-unsafe-eval'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data:"),
    ("connect-src", "'self'"),
    // `blob:` for the workers that read files in parallel: they are started from a Blob
    // URL of the worker's script, fetched once while the page loads, so that reading a
    // file makes no request.
    ("worker-src", "'self' blob:"),
    ("manifest-src", "'self'"),
    ("base-uri", "'self'"),
    ("form-action", "'none'"),
    ("object-src", "'none'"),
];

/// Where the policy goes: first thing after the character set, before any script or link.
const CHARSET: &str = "<meta charset=\"utf-8\" />";

/// `cargo xtask dist [--public-url PATH] [--dist DIR]`.
pub fn task(rest: &[String]) -> Result {
    let mut public_url = None;
    let mut dist = root().join("dist");
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--public-url" => public_url = Some(value(&mut args, arg)?.to_owned()),
            "--dist" => dist = root().join(value(&mut args, arg)?),
            other => {
                return Err(format!(
                    "unexpected argument `{other}`; usage: dist [--public-url PATH] [--dist DIR]"
                ))
            }
        }
    }
    let tools = setup(Scope::Build)?;
    let mut steps = Steps::new();
    build(&tools, &mut steps, public_url.as_deref(), &dist)?;
    println!("The page is in {}", dist.display());
    Ok(())
}

/// `trunk build` into `dist`, then [`finish`].
pub fn build(tools: &Tools, steps: &mut Steps, public_url: Option<&str>, dist: &Path) -> Result {
    let mut trunk = tools.trunk_build(public_url);
    trunk.arg("--dist").arg(dist);
    steps.run("trunk build", trunk)?;
    finish(tools, steps, dist)
}

/// The steps after Trunk, on a freshly built `dist`.
pub fn finish(tools: &Tools, steps: &mut Steps, dist: &Path) -> Result {
    steps.time("content security policy", || content_security_policy(dist))?;
    let size = steps.time("single file flowlens.html", || {
        single_file::build(tools, dist)
    })?;
    println!("{size}");
    steps.time("service worker", || service_worker(dist))?;
    Ok(())
}

/// Writes the policy into `dist/index.html`, with the hashes of its inline scripts.
fn content_security_policy(dist: &Path) -> Result {
    let path = dist.join("index.html");
    let html = read(&path)?;
    if html.contains("Content-Security-Policy") {
        return Err(format!("{} already has a policy", path.display()));
    }
    let hashes: Vec<String> = inline_scripts(&html).into_iter().map(csp_hash).collect();
    let policy = policy(POLICY, &[("script-src", &hashes)]);
    let html = insert_policy(&html, &policy)?;
    write(&path, html.as_bytes())
}

/// The policy as the `content` of its meta tag, with `extra` sources added to directives.
pub fn policy(base: &[(&str, &str)], extra: &[(&str, &[String])]) -> String {
    let mut out = String::new();
    for (directive, sources) in base {
        if !out.is_empty() {
            out.push_str("; ");
        }
        write!(out, "{directive} {sources}").expect("a String takes any write");
        for (name, more) in extra {
            if name == directive {
                for source in *more {
                    write!(out, " {source}").expect("a String takes any write");
                }
            }
        }
    }
    out
}

/// `html` with the policy's meta tag right after its character set.
pub fn insert_policy(html: &str, policy: &str) -> Result<String> {
    let at = html
        .find(CHARSET)
        .ok_or_else(|| format!("index.html has no `{CHARSET}` to put the policy after"))?
        + CHARSET.len();
    let tag = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        policy.replace('"', "&quot;")
    );
    let mut out = html.to_owned();
    out.insert_str(at, &tag);
    Ok(out)
}

/// The text of every `<script>` without a `src`, exactly as the browser hashes it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let tag = &rest[start..open_end];
        let Some(close) = rest[open_end..].find("</script>").map(|i| open_end + i) else {
            break;
        };
        // Data blocks (`type="application/json"` and the like) are never run, so the policy
        // need not name them.
        let runs = match attribute(tag, "type") {
            None => true,
            Some(kind) => matches!(
                kind,
                "module" | "text/javascript" | "application/javascript"
            ),
        };
        if runs && attribute(tag, "src").is_none() {
            scripts.push(&rest[open_end..close]);
        }
        rest = &rest[close + "</script>".len()..];
    }
    scripts
}

/// The value of `name="…"` in a start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// `'sha256-…'` for a script or style text.
pub fn csp_hash(text: &str) -> String {
    use base64::Engine;
    let digest = sha256(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Writes `dist/sw.js` from `web/sw.js`: every file of the build (but the service worker
/// and the single file, which no page asks for) and a cache name from their digest.
fn service_worker(dist: &Path) -> Result {
    let template = read(&root().join("web/sw.js"))?;
    let mut files = Vec::new();
    list_files(dist, dist, &mut files)?;
    files.sort();
    files.retain(|f| f != "sw.js" && f != single_file::NAME);
    let mut all = Vec::new();
    for file in &files {
        all.extend_from_slice(file.as_bytes());
        all.push(0);
        all.extend_from_slice(&sha256(
            &std::fs::read(dist.join(file)).map_err(|e| format!("{file}: {e}"))?,
        ));
    }
    let version: String = sha256(&all)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The page itself is asked for as the folder (`./`) as well as by its name.
    let mut urls = vec!["./".to_owned()];
    urls.extend(
        files
            .iter()
            .map(|f| format!("./{}", percent_encode_path(f))),
    );
    let build = serde_json::json!({ "version": version, "files": urls });
    let marker = "const BUILD = { version: \"dev\", files: [] };";
    if !template.contains(marker) {
        return Err(format!("web/sw.js lacks the line `{marker}`"));
    }
    let script = template.replace(marker, &format!("const BUILD = {build};"));
    write(&dist.join("sw.js"), script.as_bytes())?;
    println!(
        "  service worker cache flowlens-{version}: {} files",
        urls.len()
    );
    Ok(())
}

/// Every file under `dir`, as a path relative to `base` with `/` separators.
fn list_files(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path: PathBuf = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            list_files(base, &path, out)?;
        } else {
            let relative = path.strip_prefix(base).map_err(|e| e.to_string())?;
            let parts: Vec<&str> = relative
                .components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// A relative path as a URL path: every byte but the unreserved ones and `/` escaped.
fn percent_encode_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            write!(out, "%{byte:02X}").expect("a String takes any write");
        }
    }
    out
}

pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// SHA-256 (FIPS 180-4): the digest CSP hashes use. Forty lines here spare the build a
/// cryptography crate for a digest of a few files.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (state, value) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(value);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&vec![b'a'; 1_000_000])),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn the_policy_names_the_inline_scripts_and_comes_first() {
        let html = "<head>\n    <meta charset=\"utf-8\" />\n<script type=\"module\">run()</script>\
                    <script src=\"/a.js\"></script><script type=\"application/json\">{}</script>\
                    <script>\nmore()\n</script></head>";
        assert_eq!(inline_scripts(html), ["run()", "\nmore()\n"]);
        // The hash CSP expects for `alert(1)`, as browsers compute it.
        assert_eq!(
            csp_hash("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        let hashes = vec![csp_hash("run()")];
        let policy = policy(POLICY, &[("script-src", &hashes)]);
        assert!(
            policy.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'sha256-")
        );
        let out = insert_policy(html, &policy).unwrap();
        let meta = out.find("Content-Security-Policy").unwrap();
        assert!(meta < out.find("<script").unwrap());
    }

    #[test]
    fn paths_become_url_paths() {
        assert_eq!(
            percent_encode_path("samples/a b#1.log.gz"),
            "samples/a%20b%231.log.gz"
        );
    }
}
