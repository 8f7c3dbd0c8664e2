//! Running commands as named, timed steps.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::Result;

/// A sequence of named steps, each timed, stopping at the first failure.
#[derive(Default)]
pub struct Steps {
    done: Vec<(String, Duration)>,
}

impl Steps {
    pub fn new() -> Steps {
        Steps::default()
    }

    /// Runs `command` with its output going straight to the terminal.
    pub fn run(&mut self, name: &str, mut command: Command) -> Result<Duration> {
        println!("\n==> {name}: {}", describe(&command));
        let start = Instant::now();
        let status = command
            .status()
            .map_err(|e| format!("{name}: could not start `{}`: {e}", program(&command)))?;
        let took = start.elapsed();
        if !status.success() {
            let code = status
                .code()
                .map_or("a signal".to_owned(), |c| format!("exit code {c}"));
            return Err(format!("{name} failed with {code} after {}", seconds(took)));
        }
        println!("==> {name}: ok in {}", seconds(took));
        self.done.push((name.to_owned(), took));
        Ok(took)
    }

    /// Runs a step written in Rust, timed like a command.
    pub fn time<T>(&mut self, name: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
        println!("\n==> {name}");
        let start = Instant::now();
        let value = step().map_err(|e| format!("{name}: {e}"))?;
        let took = start.elapsed();
        println!("==> {name}: ok in {}", seconds(took));
        self.done.push((name.to_owned(), took));
        Ok(value)
    }

    /// The steps that succeeded, with their times.
    pub fn done(&self) -> &[(String, Duration)] {
        &self.done
    }
}

/// A duration as people read it: `0.4 s`, `12.3 s`, `8 min 02 s`.
pub fn seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn program(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

/// The command line, with the environment variables it sets (PATH is left out: it is long
/// and always the same).
pub fn describe(command: &Command) -> String {
    let mut parts: Vec<String> = command
        .get_envs()
        .filter(|(key, _)| *key != "PATH")
        .filter_map(|(key, value)| {
            Some(format!(
                "{}={}",
                key.to_string_lossy(),
                value?.to_string_lossy()
            ))
        })
        .collect();
    parts.push(program(command));
    parts.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// The trimmed standard output of a command that succeeded, or `None`.
pub fn output(mut command: Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(seconds(Duration::from_millis(420)), "0.4 s");
        assert_eq!(seconds(Duration::from_secs(482)), "8 min 02 s");
    }

    #[test]
    fn commands_are_described_with_their_environment() {
        let mut command = Command::new("cargo");
        command
            .args(["test", "-p", "x"])
            .env("A", "1")
            .env("PATH", "/bin");
        assert_eq!(describe(&command), "A=1 cargo test -p x");
    }

    #[test]
    fn a_failing_step_stops_with_its_name() {
        let mut steps = Steps::new();
        steps.run("truth", Command::new("true")).unwrap();
        let error = steps.run("lie", Command::new("false")).unwrap_err();
        assert!(error.starts_with("lie failed with exit code 1"), "{error}");
        assert_eq!(steps.done().len(), 1);
    }
}
