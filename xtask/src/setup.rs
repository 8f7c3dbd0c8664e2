//! `cargo xtask setup`: installs the pinned tools, checking first so that a warm machine
//! spends a second or two here.
//!
//! Everything comes from package registries: crates.io (`cargo install --locked`), npm and
//! apt. Versions are pinned where the build depends on them: trunk here, wasm-bindgen by the
//! crate version in Cargo.lock (crate and CLI must agree exactly), wasm-opt by the version
//! Trunk.toml names (Trunk only uses a tool on PATH that reports exactly that version).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::process::{describe, output, seconds, Steps};
use crate::{root, Result};

/// The Trunk release that builds with the Rust in use here (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// How much to install.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What building the page needs.
    Build,
    /// Also a browser and the end-to-end test packages.
    Everything,
}

/// The installed tools, and how to run them.
pub struct Tools {
    root: PathBuf,
    /// PATH with the tool folders first, so that Trunk finds the pinned wasm-opt and
    /// wasm-bindgen rather than any other on the machine.
    path: OsString,
    trunk: PathBuf,
    /// The browser and its driver, when set up for tests.
    pub chrome: Option<PathBuf>,
    pub chromedriver: Option<PathBuf>,
}

impl Tools {
    /// A command run from the repository's top folder with the tools on PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.current_dir(&self.root).env("PATH", &self.path);
        command
    }

    /// `cargo` with the given arguments.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut command = self.command(cargo());
        command.args(args);
        command
    }

    /// `trunk build --release --offline`, written exactly so: `trunk --offline build` would
    /// take `build` as the value of `--offline`.
    pub fn trunk_build(&self, public_url: Option<&str>) -> Command {
        let mut command = self.command(&self.trunk);
        command.args(["build", "--release", "--offline"]);
        if let Some(url) = public_url {
            command.args(["--public-url", url]);
        }
        command
    }
}

/// The cargo that runs this task, so that every step uses the same toolchain.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Installs what `scope` needs and returns how to run it.
pub fn setup(scope: Scope) -> Result<Tools> {
    let start = Instant::now();
    let root = root();
    let cargo_bin = cargo_home()?.join("bin");
    let binaryen_version = wasm_opt_version(&root)?;
    let binaryen_dir = cache_dir()?.join(format!("binaryen-{binaryen_version}"));
    let binaryen_bin = binaryen_dir.join("node_modules").join(".bin");
    let mut dirs = vec![binaryen_bin.clone(), cargo_bin.clone()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(dirs).map_err(|e| format!("PATH: {e}"))?;

    println!(
        "Setting up (tools go to {} and {})",
        cargo_bin.display(),
        binaryen_dir.display()
    );
    let mut steps = Steps::new();
    steps.time(&format!("Rust target {WASM_TARGET}"), wasm_target)?;
    let trunk = steps.time(&format!("trunk {TRUNK_VERSION}"), || {
        let want = format!("trunk {TRUNK_VERSION}");
        cargo_install(&path, "trunk", &want, &format!("trunk@{TRUNK_VERSION}"))
    })?;
    let bindgen_version = wasm_bindgen_version(&root)?;
    steps.time(&format!("wasm-bindgen-cli {bindgen_version}"), || {
        let want = format!("wasm-bindgen {bindgen_version}");
        let spec = format!("wasm-bindgen-cli@{bindgen_version}");
        cargo_install(&path, "wasm-bindgen", &want, &spec).map(drop)
    })?;
    steps.time(
        &format!("wasm-opt {binaryen_version} (npm binaryen)"),
        || wasm_opt(&path, &binaryen_dir, &binaryen_bin, &binaryen_version),
    )?;
    steps.time("crates for offline builds (cargo fetch)", || {
        let mut fetch = Command::new(cargo());
        fetch.arg("fetch").current_dir(&root).env("PATH", &path);
        check(fetch)
    })?;

    let mut tools = Tools {
        root: root.clone(),
        path,
        trunk,
        chrome: None,
        chromedriver: None,
    };
    if scope == Scope::Everything {
        let (chrome, driver) = steps.time("Chromium and chromedriver", || browser(&tools.path))?;
        tools.chrome = Some(chrome);
        tools.chromedriver = Some(driver);
        steps.time("end-to-end test packages (npm ci)", || e2e_packages(&root))?;
    }
    println!("\nSetup done in {}", seconds(start.elapsed()));
    Ok(tools)
}

/// Runs a command, showing it, and turns failure into an error.
fn check(mut command: Command) -> Result {
    println!("    $ {}", describe(&command));
    let status = command
        .status()
        .map_err(|e| format!("could not start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(&command)))
    }
}

fn home() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .ok_or_else(|| "HOME is not set".to_owned())
}

fn cargo_home() -> Result<PathBuf> {
    match std::env::var_os("CARGO_HOME") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(home()?.join(".cargo")),
    }
}

/// Where downloaded tools live between runs: outside the repository, so that a fresh clone
/// of the same machine reuses them.
fn cache_dir() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => home()?.join(".cache"),
    };
    Ok(base.join("flowlens"))
}

/// The first `name` on `path`, like `which`.
pub fn find_in(path: &OsString, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn wasm_target() -> Result {
    let sysroot = output(rustc_command(["--print", "sysroot"]))
        .ok_or("could not run `rustc --print sysroot`")?;
    let lib = Path::new(&sysroot).join("lib/rustlib").join(WASM_TARGET);
    if lib.is_dir() {
        println!("    already installed");
        return Ok(());
    }
    let mut add = Command::new("rustup");
    add.args(["target", "add", WASM_TARGET]);
    check(add).map_err(|e| {
        format!("{e}\n    without rustup, install the Rust standard library for {WASM_TARGET}")
    })
}

fn rustc_command<const N: usize>(args: [&str; N]) -> Command {
    let mut command = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    command.args(args);
    command
}

/// Installs a crate's binary unless `binary --version` already prints `want`.
fn cargo_install(path: &OsString, binary: &str, want: &str, spec: &str) -> Result<PathBuf> {
    if let Some(found) = find_in(path, binary) {
        let mut version = Command::new(&found);
        version.arg("--version");
        if output(version).as_deref() == Some(want) {
            println!("    already installed: {}", found.display());
            return Ok(found);
        }
    }
    let mut install = Command::new(cargo());
    install
        .args(["install", "--locked", spec])
        .env("PATH", path);
    check(install)?;
    find_in(path, binary).ok_or_else(|| format!("{binary} is not on PATH after installing it"))
}

/// The exact version of the `wasm-bindgen` crate in Cargo.lock.
fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_owned())
}

fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")?
                .strip_suffix('"')
                .map(str::to_owned);
        }
    }
    None
}

/// The binaryen release that Trunk.toml pins (`wasm_opt = "version_132"` gives `132`).
fn wasm_opt_version(root: &Path) -> Result<String> {
    let trunk_toml =
        std::fs::read_to_string(root.join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    trunk_toml
        .lines()
        .filter_map(|line| line.trim().strip_prefix("wasm_opt"))
        .filter_map(|rest| rest.trim().strip_prefix('='))
        .filter_map(|value| value.trim().trim_matches('"').strip_prefix("version_"))
        .map(str::to_owned)
        .next()
        .ok_or_else(|| "Trunk.toml does not pin wasm_opt = \"version_N\" under [tools]".into())
}

/// wasm-opt from the npm package `binaryen` (a build that runs on Node), because the
/// binaryen of Linux distributions is too old for what current Rust emits.
fn wasm_opt(path: &OsString, dir: &Path, bin: &Path, version: &str) -> Result {
    let wasm_opt = bin.join("wasm-opt");
    let mut probe = Command::new(&wasm_opt);
    probe.arg("--version");
    let want = format!("wasm-opt version {version} ");
    if output(probe).is_some_and(|v| v.starts_with(&want)) {
        println!("    already installed: {}", wasm_opt.display());
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut install = Command::new("npm");
    install
        .arg("install")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-save", "--no-audit", "--no-fund"])
        .arg(format!("binaryen@{version}.0.0"))
        .env("PATH", path);
    check(install).map_err(|e| format!("{e}\n    wasm-opt needs Node.js 20 and npm"))
}

/// Chromium and chromedriver for the browser tests: from `CHROME` and `CHROMEDRIVER`, from
/// PATH, or installed with apt.
fn browser(path: &OsString) -> Result<(PathBuf, PathBuf)> {
    let find = || {
        let chrome = std::env::var_os("CHROME").map(PathBuf::from).or_else(|| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .iter()
            .find_map(|name| find_in(path, name))
        });
        let driver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_in(path, "chromedriver"));
        (chrome, driver)
    };
    if let (Some(chrome), Some(driver)) = find() {
        println!(
            "    already installed: {} and {}",
            chrome.display(),
            driver.display()
        );
        return Ok((chrome, driver));
    }
    let missing = "Chromium and chromedriver (of the same version) are needed for the browser \
                   tests: install them (on Debian: apt-get install chromium chromium-driver) or \
                   set CHROME and CHROMEDRIVER to their paths";
    if find_in(path, "apt-get").is_none() {
        return Err(missing.into());
    }
    let mut id = Command::new("id");
    id.arg("-u");
    let sudo: &[&str] = if output(id).as_deref() == Some("0") {
        &[]
    } else if Command::new("sudo")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
    {
        &["sudo", "-n"]
    } else {
        return Err(format!("{missing} (installing needs root)"));
    };
    let apt = |args: &[&str]| {
        let all: Vec<&str> = sudo
            .iter()
            .chain(["apt-get"].iter())
            .chain(args)
            .copied()
            .collect();
        let mut command = Command::new(all[0]);
        command
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .env("PATH", path);
        check(command)
    };
    apt(&["update"])?;
    // With the recommended packages: they bring the fonts that pages are drawn with.
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    match find() {
        (Some(chrome), Some(driver)) => Ok((chrome, driver)),
        _ => Err(missing.into()),
    }
}

/// The end-to-end tests' npm packages, from their committed lock file. Playwright's own
/// browser download is skipped: the tests drive the system Chromium.
fn e2e_packages(root: &Path) -> Result {
    let dir = root.join("tests/e2e");
    if !dir.join("package.json").is_file() {
        println!("    tests/e2e has no package.json: nothing to install");
        return Ok(());
    }
    let lock = std::fs::read(dir.join("package-lock.json"))
        .map_err(|e| format!("tests/e2e/package-lock.json: {e} (commit the lock file)"))?;
    // `npm ci` always starts from scratch, so a stamp with the lock file's hash tells
    // whether the installed packages are already the locked ones.
    let stamp = dir.join("node_modules/.flowlens-lock-hash");
    let hash = format!("{:016x}", fnv1a(&lock));
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(hash.as_str()) {
        println!("    already installed from this package-lock.json");
        return Ok(());
    }
    let mut ci = Command::new("npm");
    ci.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    check(ci)?;
    std::fs::write(&stamp, hash).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// FNV-1a, 64 bits: a stable hash without a dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locked_version_is_read_from_the_lock_file() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.129\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.79\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.129")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-futures").as_deref(),
            Some("0.4.79")
        );
        assert_eq!(locked_version(lock, "yew"), None);
    }

    #[test]
    fn the_repository_pins_agree() {
        // Trunk only uses tools on PATH that report exactly the pinned versions, so the
        // crate in Cargo.lock, Trunk.toml and what setup installs must agree.
        let root = root();
        let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml")).unwrap();
        let bindgen = wasm_bindgen_version(&root).unwrap();
        assert!(
            trunk_toml.contains(&format!("wasm_bindgen = \"{bindgen}\"")),
            "Trunk.toml must pin wasm_bindgen = \"{bindgen}\", the version in Cargo.lock"
        );
        assert_eq!(wasm_opt_version(&root).unwrap(), "132");
    }

    #[test]
    fn fnv1a_matches_its_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
