//! `cargo xtask samples`: the sample data bundled with the page, in `web/samples/`.
//!
//! The files are generated (by `flowlog_gen::story`) and committed, so that the page works
//! without a build step for them; a test checks that what is committed is exactly what the
//! generator makes.

use std::path::{Path, PathBuf};

use flowlog_gen::story::{sample_files, SampleFile};

use crate::{root, Result};

/// The list of sample files the page reads.
const INDEX: &str = "index.json";

/// `cargo xtask samples [--check]`.
pub fn task(rest: &[String]) -> Result {
    let dir = samples_dir();
    match rest {
        [] => {
            write(&dir)?;
            for (name, bytes) in expected()? {
                println!("{:>9} bytes  {}", bytes.len(), dir.join(name).display());
            }
            Ok(())
        }
        [check] if check == "--check" => {
            let differences = compare(&dir)?;
            if differences.is_empty() {
                println!("web/samples is up to date");
                Ok(())
            } else {
                Err(format!(
                    "web/samples differs from `cargo xtask samples`: {}",
                    differences.join(", ")
                ))
            }
        }
        _ => Err("usage: cargo xtask samples [--check]".into()),
    }
}

fn samples_dir() -> PathBuf {
    root().join("web/samples")
}

/// Every file the folder should hold, index included, with its bytes.
fn expected() -> Result<Vec<(String, Vec<u8>)>> {
    let files: Vec<SampleFile> = sample_files().map_err(|e| e.to_string())?;
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    let mut index = serde_json::to_string_pretty(&names).map_err(|e| e.to_string())?;
    index.push('\n');
    let mut all: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| (f.name.to_owned(), f.contents))
        .collect();
    all.push((INDEX.to_owned(), index.into_bytes()));
    Ok(all)
}

/// Writes the samples and removes any other file from the folder, so that the folder is
/// exactly what the page lists.
fn write(dir: &Path) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let expected = expected()?;
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_file() && !expected.iter().any(|(n, _)| n == name) {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    for (name, bytes) in &expected {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The names of files that are missing, different or extra.
fn compare(dir: &Path) -> Result<Vec<String>> {
    let expected = expected()?;
    let mut differences = Vec::new();
    for (name, bytes) in &expected {
        match std::fs::read(dir.join(name)) {
            Ok(found) if &found == bytes => {}
            Ok(_) => differences.push(format!("{name} differs")),
            Err(_) => differences.push(format!("{name} is missing")),
        }
    }
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if !expected.iter().any(|(n, _)| *n == name) {
            differences.push(format!("{name} is extra"));
        }
    }
    Ok(differences)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_samples_are_what_the_generator_makes() {
        let differences = compare(&samples_dir()).unwrap();
        assert!(
            differences.is_empty(),
            "run `cargo xtask samples` and commit web/samples: {differences:?}"
        );
    }

    #[test]
    fn the_index_lists_the_files_in_order() {
        let all = expected().unwrap();
        let (name, index) = all.last().unwrap();
        assert_eq!(name, INDEX);
        let listed: Vec<String> = serde_json::from_slice(index).unwrap();
        let files: Vec<&String> = all[..all.len() - 1].iter().map(|(n, _)| n).collect();
        assert_eq!(listed.iter().collect::<Vec<_>>(), files);
        let total: usize = all.iter().map(|(_, b)| b.len()).sum();
        assert!(
            total < 1_000_000,
            "the samples should stay small: {total} bytes"
        );
    }
}
