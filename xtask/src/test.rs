//! `cargo xtask test`: every check CI runs, in order, failing fast.
//!
//! Cheap checks come first so that a formatting slip fails in seconds, not after the release
//! builds. The browser steps come last: they need the page and the CLI built.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::process::{seconds, Steps};
use crate::setup::{setup, Scope, Tools};
use crate::{root, target_dir, Result};

const WASM: &str = "wasm32-unknown-unknown";
const E2E_CONFIG: &str = "tests/e2e/playwright.config.mjs";
/// Where the GitHub Pages build (served under a sub-path by the end-to-end tests) goes.
const PAGES_DIST: &str = "target/dist-pages";
/// The sub-path it is built for, as GitHub serves a project page.
const PAGES_PATH: &str = "/flowlens/";

/// `cargo xtask test`.
pub fn task() -> Result {
    let start = Instant::now();
    let tools = setup(Scope::Everything)?;
    let plan = plan(&tools)?;
    let total = plan.len();
    let mut steps = Steps::new();
    let mut failure = None;
    for Step {
        name,
        command,
        needs,
    } in plan
    {
        // A missing input fails the step with a message that names it, rather than letting
        // `npx` offer to fetch a package the lock file should have installed.
        let missing = needs.filter(|file| !file.is_file());
        let result = match missing {
            Some(file) => Err(format!("{name}: {} is missing", file.display())),
            None => steps.run(name, command).map(drop),
        };
        if let Err(error) = result {
            failure = Some(error);
            break;
        }
    }

    println!("\nSteps:");
    for (name, took) in steps.done() {
        println!("  ok      {name:<50} {:>10}", seconds(*took));
    }
    let passed = steps.done().len();
    match failure {
        None => {
            println!(
                "\nAll checks passed in {} (setup included)",
                seconds(start.elapsed())
            );
            println!("{passed} passed, 0 failed");
            Ok(())
        }
        Some(error) => {
            println!("  FAILED  {error}");
            let not_run = total - passed - 1;
            println!("\n{passed} passed, 1 failed, {not_run} not run");
            Err(error)
        }
    }
}

/// One check: a command, and a file it cannot run without.
struct Step {
    name: &'static str,
    command: Command,
    needs: Option<PathBuf>,
}

fn step(name: &'static str, command: Command) -> Step {
    Step {
        name,
        command,
        needs: None,
    }
}

/// This very program with `args`, as a step of its own.
fn xtask(args: &[&str]) -> Result<Command> {
    let program = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let mut command = Command::new(program);
    command.current_dir(root()).args(args);
    Ok(command)
}

/// The checks, in order.
fn plan(tools: &Tools) -> Result<Vec<Step>> {
    let root = root();
    let chromedriver = tools
        .chromedriver
        .clone()
        .ok_or("setup found no chromedriver")?;
    let chrome = tools.chrome.clone().ok_or("setup found no Chromium")?;

    let mut browser_unit = tools.cargo(&["test", "-p", "flowlens-web", "--target", WASM]);
    // Do not add `-q`: cargo passes it on to the runner, which rejects it.
    browser_unit.env("CHROMEDRIVER", &chromedriver).env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    );

    let mut end_to_end = tools.command("npx");
    end_to_end
        .args(["--prefix", "tests/e2e", "playwright", "test"])
        .args(["-c", E2E_CONFIG])
        .env("FLOWLENS_DIST", root.join("dist"))
        .env("FLOWLENS_PAGES_DIST", root.join(PAGES_DIST))
        .env("FLOWLENS_CLI", target_dir().join("release/flowlens"))
        .env("CHROME", &chrome);

    // Documentation builds without a warning: broken links fail here, not in a reader's
    // browser. The page's crate documents as it builds, for WebAssembly.
    let mut docs_native = tools.cargo(&[
        "doc",
        "--workspace",
        "--no-deps",
        "--exclude",
        "flowlens-web",
    ]);
    docs_native.env("RUSTDOCFLAGS", "-D warnings");
    let mut docs_web = tools.cargo(&["doc", "-p", "flowlens-web", "--no-deps", "--target", WASM]);
    docs_web.env("RUSTDOCFLAGS", "-D warnings");

    Ok(vec![
        step("format", tools.cargo(&["fmt", "--all", "--check"])),
        step(
            "clippy (native)",
            tools.cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        step(
            "clippy (wasm32)",
            tools.cargo(&[
                "clippy",
                "-p",
                "flowlens-web",
                "-p",
                "flowlog",
                "-p",
                "flowlog-query",
                "--target",
                WASM,
                "--",
                "-D",
                "warnings",
            ]),
        ),
        step("documentation (native)", docs_native),
        step("documentation (wasm32)", docs_web),
        step(
            "unit and integration tests (native)",
            tools.cargo(&["test", "--workspace"]),
        ),
        step(
            "pure crates build for wasm32",
            tools.cargo(&[
                "build",
                "-p",
                "flowlog",
                "-p",
                "flowlog-query",
                "--target",
                WASM,
            ]),
        ),
        step(
            "browser unit tests (wasm-bindgen-test, Chromium)",
            browser_unit,
        ),
        // `cargo xtask dist`: Trunk, then the policy, the single file and the service worker.
        step("page release build (xtask dist)", xtask(&["dist"])?),
        step(
            "page release build under /flowlens/ (GitHub Pages)",
            xtask(&["dist", "--public-url", PAGES_PATH, "--dist", PAGES_DIST])?,
        ),
        step(
            "CLI release build",
            tools.cargo(&["build", "--release", "-p", "flowlens-cli"]),
        ),
        Step {
            name: "end-to-end tests (Playwright, Chromium)",
            command: end_to_end,
            needs: Some(root.join(E2E_CONFIG)),
        },
    ])
}
