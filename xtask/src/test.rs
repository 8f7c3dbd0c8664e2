//! `cargo xtask test`: every check CI runs, in order, failing fast.
//!
//! Cheap checks come first so that a formatting slip fails in seconds, not after the release
//! builds. The browser steps come last: they need the page and the CLI built.

use std::process::Command;
use std::time::Instant;

use crate::process::{seconds, Steps};
use crate::setup::{setup, Scope, Tools};
use crate::{root, target_dir, Result};

const WASM: &str = "wasm32-unknown-unknown";

/// `cargo xtask test`.
pub fn task() -> Result {
    let start = Instant::now();
    let tools = setup(Scope::Everything)?;
    let plan = plan(&tools)?;
    let total = plan.len();
    let mut steps = Steps::new();
    let mut failure = None;
    for (name, command) in plan {
        if let Err(error) = steps.run(name, command) {
            failure = Some(error);
            break;
        }
    }

    println!("\nSteps:");
    for (name, took) in steps.done() {
        println!("  ok      {name:<44} {:>10}", seconds(*took));
    }
    let passed = steps.done().len();
    let result = match failure {
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
    };
    result
}

/// The checks, in order.
fn plan(tools: &Tools) -> Result<Vec<(&'static str, Command)>> {
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
        .args(["-c", "tests/e2e/playwright.config.mjs"])
        .env("FLOWLENS_DIST", root.join("dist"))
        .env("FLOWLENS_CLI", target_dir().join("release/flowlens"))
        .env("CHROME", &chrome);

    Ok(vec![
        ("format", tools.cargo(&["fmt", "--all", "--check"])),
        (
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
        (
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
        (
            "unit and integration tests (native)",
            tools.cargo(&["test", "--workspace"]),
        ),
        (
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
        (
            "browser unit tests (wasm-bindgen-test, Chromium)",
            browser_unit,
        ),
        ("page release build (trunk)", tools.trunk_build(None)),
        (
            "CLI release build",
            tools.cargo(&["build", "--release", "-p", "flowlens-cli"]),
        ),
        ("end-to-end tests (Playwright, Chromium)", end_to_end),
    ])
}
