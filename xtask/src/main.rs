//! `cargo xtask …`: the project's tasks, in Rust rather than shell scripts, so that they run
//! the same on every machine and can be tested like the rest of the code.
//!
//! - `setup`: installs the pinned tools the other tasks need (idempotent, quick when warm).
//! - `serve [--port N]`: builds the page and serves it on http://127.0.0.1:N (default 8080).
//! - `test`: every check CI runs, in order, failing fast.
//! - `gen …`: writes synthetic flow logs (see `cargo xtask gen --help`).
//! - `samples [--check]`: regenerates (or checks) the sample data bundled with the page.
//! - `dist [--public-url /repo/]`: the release build of the page for GitHub Pages, with its
//!   security policy, service worker and the single-file `flowlens.html`.
//! - `bench-decode [--records N]`: flowlog's decoder beside DuckDB's CSV reader.
//! - `bench-query [--records N]`: filter + overview aggregates beside DuckDB's SQL.

mod bench;
mod bench_query;
mod bench_web;
mod dist;
mod gen;
mod process;
mod samples;
mod serve;
mod setup;
mod single_file;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  setup                      install the pinned tools (wasm target, trunk, wasm-bindgen,
                             wasm-opt, Chromium and chromedriver, end-to-end test packages)
  serve [--port N]           build the page and serve it on http://127.0.0.1:N (default 8080)
  test                       run every check CI runs, in order, failing fast
  gen --records N -o FILE    write synthetic flow logs (gen --help for the options)
  samples [--check]          regenerate the page's sample data in web/samples (or check it)
  dist [--public-url PATH]   release build of the page into dist/ (PATH e.g. /flowlens/),
       [--dist DIR]          with its policy, service worker and single-file flowlens.html
  bench-decode [--records N] decoding speed beside DuckDB's CSV reader (bench-decode --help)
  bench-query [--records N]  filter + overview aggregates beside DuckDB (bench-query --help)
  bench-web [--quick]        the page beside DuckDB-WASM in headless Chromium (bench-web --help)
";

/// An error that ends the task, with a message for the person who ran it.
pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((task, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let result = match task.as_str() {
        "setup" => no_options(rest).and_then(|()| setup::setup(setup::Scope::Everything).map(drop)),
        "serve" => serve::task(rest),
        "test" => no_options(rest).and_then(|()| test::task()),
        "gen" => gen::task(rest),
        "samples" => samples::task(rest),
        "dist" => dist::task(rest),
        "bench-decode" => bench::task(rest),
        "bench-query" => bench_query::task(rest),
        "bench-web" => bench_web::task(rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn no_options(rest: &[String]) -> Result {
    match rest.first() {
        None => Ok(()),
        Some(option) => Err(format!("unexpected argument `{option}`\n\n{USAGE}")),
    }
}

/// The repository's top folder (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask lives inside the repository")
        .to_path_buf()
}

/// Cargo's output folder: `CARGO_TARGET_DIR` when set (relative to the repository), else
/// `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// The value after an option, or an error naming the option.
pub fn value<'a>(args: &mut impl Iterator<Item = &'a String>, option: &str) -> Result<&'a str> {
    args.next()
        .map(String::as_str)
        .ok_or_else(|| format!("{option} needs a value"))
}
