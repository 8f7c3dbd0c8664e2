//! `flowlens.html`: the whole app in one file that works when opened from `file://`.
//!
//! Browsers give a page opened from disk the `null` origin: module scripts and `fetch` of
//! the wasm next to it are refused, so Trunk's build cannot run there. This file therefore
//! holds everything inline and asks for nothing:
//!
//! - the app's JavaScript as a classic script (wasm-bindgen's `no-modules` output, made here
//!   from the same compiled wasm Trunk used), with the loader below it;
//! - both wasm binaries and the sample files, gzip-compressed and base64-encoded in
//!   `<script type="application/octet-stream">` data blocks, which browsers never run;
//!   `DecompressionStream` inflates them in the page;
//! - the worker's script (Trunk's `no-modules` worker) in a data block too: the loader makes
//!   a Blob URL of it, with its wasm, and the page starts its worker from that URL;
//! - the style sheet in a `<style>` element.
//!
//! Its Content-Security-Policy allows exactly the one inline script and the one style (by
//! hash), WebAssembly, workers from Blob URLs, images from `data:` (the icon), and no
//! connection at all.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::dist::{csp_hash, insert_policy, policy, read, write};
use crate::setup::Tools;
use crate::{root, target_dir, Result};

/// The file's name inside `dist/`.
pub const NAME: &str = "flowlens.html";

const POLICY: &[(&str, &str)] = &[
    ("default-src", "'none'"),
    ("script-src", "'wasm-unsafe-eval'"),
    ("style-src", ""),
    ("img-src", "data:"),
    ("connect-src", "'none'"),
    ("worker-src", "blob:"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
    ("object-src", "'none'"),
];

/// Starts the app from the data blocks. Classic script, run after the blocks are parsed.
const LOADER: &str = r#"
// The app, from this file alone: nothing below asks the network for anything.
(() => {
  "use strict";
  const block = (id) => document.getElementById(id).textContent.trim();
  const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const inflate = (data) =>
    new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  // The worker's script and its wasm become one Blob URL; the page's loader (web/src/loader.rs)
  // starts its worker from it instead of from a file next to the page.
  const startWorker = (base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
    wasm_bindgen({ module_or_path: new Response(stream).arrayBuffer() });
  };
  const worker = [
    block("flowlens-worker-js"),
    "\n;(", startWorker.toString(), ")(", JSON.stringify(block("flowlens-worker-wasm")), ");\n",
  ];
  window.flowlensWorkerUrl = URL.createObjectURL(new Blob(worker, { type: "text/javascript" }));
  // "Try sample data" reads the samples from here rather than fetching them.
  window.flowlensInlineSamples = () =>
    Promise.all(
      JSON.parse(block("flowlens-samples")).map(async ({ name, gzip, base64 }) => {
        const data = gzip ? await inflate(bytes(base64)) : bytes(base64);
        return [name, new Blob([data])];
      }),
    );
  wasm_bindgen({ module_or_path: inflate(bytes(block("flowlens-app-wasm"))) });
})();
"#;

/// Builds `dist/flowlens.html` from the wasm Trunk compiled and the files in `dist/`, and
/// returns a line saying how large it is.
pub fn build(tools: &Tools, dist: &Path) -> Result<String> {
    let out = target_dir().join("single-file");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let compiled = target_dir().join("wasm32-unknown-unknown/release/app.wasm");
    if !compiled.is_file() {
        return Err(format!(
            "{} is missing: run trunk build first",
            compiled.display()
        ));
    }
    let mut bindgen = tools.command("wasm-bindgen");
    bindgen
        .args([
            "--target",
            "no-modules",
            "--no-typescript",
            "--out-name",
            "app",
        ])
        .arg("--out-dir")
        .arg(&out)
        .arg(&compiled);
    run(bindgen)?;
    let optimized = out.join("app_bg.opt.wasm");
    let mut opt = tools.command("wasm-opt");
    opt.arg("-Oz")
        .arg(out.join("app_bg.wasm"))
        .arg("-o")
        .arg(&optimized);
    run(opt)?;

    let app_js = read(&out.join("app.js"))?;
    let app_wasm = std::fs::read(&optimized).map_err(|e| e.to_string())?;
    let worker_js = read(&dist.join("worker.js"))?;
    let worker_wasm = std::fs::read(dist.join("worker_bg.wasm")).map_err(|e| e.to_string())?;
    let css = read(&find(dist, "style-", ".css")?)?;
    let samples = samples(dist)?;
    let template = read(&root().join("index.html"))?;

    let html = assemble(&Parts {
        template: &template,
        css: &css,
        app_js: &app_js,
        app_wasm: &app_wasm,
        worker_js: &worker_js,
        worker_wasm: &worker_wasm,
        samples: &samples,
    })?;
    let path = dist.join(NAME);
    write(&path, html.as_bytes())?;
    let kb = |n: usize| format!("{:.0} KB", n as f64 / 1000.0);
    Ok(format!(
        "  {NAME}: {} ({} gzip); app wasm {}, worker wasm {}",
        kb(html.len()),
        kb(gzip(html.as_bytes()).len()),
        kb(app_wasm.len()),
        kb(worker_wasm.len()),
    ))
}

/// What goes into the file.
pub struct Parts<'a> {
    pub template: &'a str,
    pub css: &'a str,
    pub app_js: &'a str,
    pub app_wasm: &'a [u8],
    pub worker_js: &'a str,
    pub worker_wasm: &'a [u8],
    /// The sample list as the loader reads it (JSON).
    pub samples: &'a str,
}

/// The single file, from `index.html` (Trunk's source, not its output) and the parts.
pub fn assemble(parts: &Parts) -> Result<String> {
    let script = format!("\n{}\n{LOADER}", parts.app_js);
    for (what, text) in [
        ("the app's script", script.as_str()),
        ("the worker's script", parts.worker_js),
        ("the style sheet", parts.css),
        ("the sample list", parts.samples),
    ] {
        // Inside a raw-text element only its end tag (and, for scripts, a comment start)
        // would change how the rest of the file is read.
        let lower = text.to_ascii_lowercase();
        if lower.contains("</script") || lower.contains("</style") || lower.contains("<!--") {
            return Err(format!(
                "{what} holds text that would end its element early"
            ));
        }
    }
    let style = format!("\n{}\n", parts.css);
    let mut head = String::new();
    let mut body_end = String::new();
    head.push_str(&format!("    <style>{style}</style>\n  "));
    let blocks = [
        (
            "flowlens-app-wasm",
            "application/octet-stream",
            base64(&gzip(parts.app_wasm)),
        ),
        (
            "flowlens-worker-js",
            "text/plain",
            parts.worker_js.to_owned(),
        ),
        (
            "flowlens-worker-wasm",
            "application/octet-stream",
            base64(&gzip(parts.worker_wasm)),
        ),
        (
            "flowlens-samples",
            "application/json",
            parts.samples.to_owned(),
        ),
    ];
    for (id, kind, text) in blocks {
        body_end.push_str(&format!(
            "    <script id=\"{id}\" type=\"{kind}\">\n{text}\n</script>\n"
        ));
    }
    body_end.push_str(&format!("    <script>{script}</script>\n  "));

    let mut html = without_trunk_links(parts.template);
    let head_end = html.find("</head>").ok_or("index.html has no </head>")?;
    html.insert_str(head_end, &head);
    let body_close = html.rfind("</body>").ok_or("index.html has no </body>")?;
    html.insert_str(body_close, &body_end);

    let scripts = vec![csp_hash(&script)];
    let styles = vec![csp_hash(&style)];
    let policy = policy(POLICY, &[("script-src", &scripts), ("style-src", &styles)]);
    let policy = policy.replace("style-src  ", "style-src ");
    insert_policy(&html, &policy)
}

/// The template without Trunk's `<link data-trunk …>` elements, its `<base>` and the web app
/// manifest, none of which means anything in a file opened from disk.
fn without_trunk_links(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    loop {
        let next = ["<link", "<base"]
            .iter()
            .filter_map(|tag| rest.find(tag))
            .min();
        let Some(start) = next else { break };
        let Some(end) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let tag = &rest[start..end];
        let drop =
            tag.contains("data-trunk") || tag.starts_with("<base") || tag.contains("\"manifest\"");
        if drop {
            // The indentation before the element and the line break after it go with it.
            out.push_str(rest[..start].trim_end_matches([' ', '\t']));
            rest = rest[end..].strip_prefix('\n').unwrap_or(&rest[end..]);
        } else {
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The samples Trunk copied to `dist/samples`, as the loader's JSON list: text files are
/// gzipped here (the page inflates them back to the same bytes), gzip files stay as they are.
fn samples(dist: &Path) -> Result<String> {
    let folder = dist.join("samples");
    let index = read(&folder.join("index.json"))?;
    let value: serde_json::Value =
        serde_json::from_str(&index).map_err(|e| format!("samples/index.json: {e}"))?;
    let entries = match &value {
        serde_json::Value::Array(list) => list.clone(),
        serde_json::Value::Object(map) => match map.get("files") {
            Some(serde_json::Value::Array(list)) => list.clone(),
            _ => return Err("samples/index.json has no `files` list".into()),
        },
        _ => return Err("samples/index.json is neither a list nor an object".into()),
    };
    let mut list = Vec::new();
    for entry in entries {
        let name = match &entry {
            serde_json::Value::String(name) => name.clone(),
            other => other
                .get("name")
                .and_then(|n| n.as_str())
                .ok_or("a sample without a name")?
                .to_owned(),
        };
        let bytes = std::fs::read(folder.join(&name)).map_err(|e| format!("{name}: {e}"))?;
        let is_gzip = bytes.starts_with(&[0x1f, 0x8b]);
        let stored = if is_gzip { bytes } else { gzip(&bytes) };
        list.push(serde_json::json!({
            "name": name,
            "gzip": !is_gzip,
            "base64": base64(&stored),
        }));
    }
    Ok(serde_json::Value::Array(list).to_string())
}

/// The one file in `dir` whose name starts with `prefix` and ends with `suffix`.
fn find(dir: &Path, prefix: &str, suffix: &str) -> Result<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let found: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {prefix}*{suffix} in {}, found {}",
            dir.display(),
            found.len()
        )),
    }
}

fn run(mut command: std::process::Command) -> Result {
    let output = command
        .output()
        .map_err(|e| format!("could not start {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}",
            command.get_program(),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder.finish().expect("writing to a Vec cannot fail")
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::inline_scripts;

    const TEMPLATE: &str = "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\" />\n\
        <base data-trunk-public-url />\n    <link rel=\"icon\" href=\"data:,\" />\n\
        <link rel=\"manifest\" href=\"manifest.webmanifest\" />\n\
        <link\n      data-trunk\n      rel=\"rust\"\n    />\n  </head>\n  <body>\n    <div id=\"app\"></div>\n  </body>\n</html>\n";

    fn parts<'a>(app_js: &'a str) -> Parts<'a> {
        Parts {
            template: TEMPLATE,
            css: "body { color: red }",
            app_js,
            app_wasm: b"\0asm",
            worker_js: "let wasm_bindgen = 1;",
            worker_wasm: b"\0asm",
            samples: "[]",
        }
    }

    #[test]
    fn one_inline_script_its_hash_in_the_policy_and_no_trunk_links() {
        let html = assemble(&parts("let wasm_bindgen = 2;")).unwrap();
        let scripts = inline_scripts(&html);
        assert_eq!(scripts.len(), 1, "data blocks are not scripts");
        assert!(html.contains(&csp_hash(scripts[0])));
        assert!(html.contains("connect-src 'none'"));
        assert!(html.contains("<link rel=\"icon\""));
        for gone in ["data-trunk", "<base", "manifest"] {
            assert!(!html.contains(gone), "{gone} left in:\n{html}");
        }
        let policy = html.find("Content-Security-Policy").unwrap();
        assert!(policy < html.find("<style>").unwrap());
        assert!(html.find("id=\"flowlens-samples\"").unwrap() < html.rfind("<script>").unwrap());
    }

    #[test]
    fn a_script_that_would_end_its_element_is_refused() {
        assert!(assemble(&parts("x = '</script>';")).is_err());
    }
}
