//! The files, each with its progress while being read, then its records and issues.

use crate::numbers::{bytes, elapsed, middle_ellipsis, thousands};
use crate::protocol::{IssueExample, JobId};
use crate::state::{FileEntry, FileStatus, Severity};
use std::rc::Rc;
use yew::prelude::*;

/// The longest file name a row shows whole; S3 key names run past it, and both their
/// beginning (account) and end (time and hash) tell files apart.
const NAME_CHARS: usize = 30;

/// The file list's properties.
#[derive(Properties, PartialEq)]
pub struct FileListProps {
    /// The files, in the order they were added.
    pub files: Rc<Vec<FileEntry>>,
    /// Called with a file's id when the user removes it.
    pub on_remove: Callback<JobId>,
}

/// The list of files.
#[component(FileList)]
pub fn file_list(props: &FileListProps) -> Html {
    html! {
        <ul class="files">
            { for props.files.iter().map(|file| html! {
                <FileRow key={file.id} file={file.clone()} on_remove={props.on_remove.clone()} />
            }) }
        </ul>
    }
}

/// One row's properties.
#[derive(Properties, PartialEq)]
pub struct FileRowProps {
    /// The file.
    pub file: FileEntry,
    /// Called with the file's id when the user removes it.
    pub on_remove: Callback<JobId>,
}

/// One file: name, then a progress bar or its counts, then what went wrong, if anything.
#[component(FileRow)]
pub fn file_row(props: &FileRowProps) -> Html {
    let file = &props.file;
    let on_remove = {
        let on_remove = props.on_remove.clone();
        let id = file.id;
        Callback::from(move |_: MouseEvent| on_remove.emit(id))
    };
    let (status, records, issues) = match &file.status {
        FileStatus::Reading {
            records, issues, ..
        } => ("reading", *records, *issues),
        FileStatus::Done(result) => ("done", result.totals.records, result.issues),
        FileStatus::Failed(_) => ("failed", 0, 0),
    };
    let body = match &file.status {
        FileStatus::Reading { bytes_read, .. } => {
            let percent = bytes_read
                .saturating_mul(100)
                .checked_div(file.size)
                .map_or(100, |p| p.min(100));
            html! {
                <>
                    <progress
                        max={file.size.max(1).to_string()}
                        value={(*bytes_read).min(file.size).to_string()}
                        aria-label={format!("Reading {}", file.name)}
                    />
                    <p class="file-stats">
                        { format!("Reading… {percent}% · {} records", thousands(records)) }
                    </p>
                </>
            }
        }
        FileStatus::Done(result) => {
            // How the records were read only means something when there are records.
            let mut details = Vec::new();
            if records > 0 {
                details.push(result.wrapper.clone());
                details.extend(result.formats.iter().map(|f| f.description.clone()));
            }
            details.push(bytes(file.size));
            if result.worker_ms > 0.0 {
                details.push(format!("read in {}", elapsed(result.worker_ms)));
            }
            html! {
                <>
                    <p class="file-stats">
                        <span class="count">{ format!("{} records", thousands(records)) }</span>
                        { " · " }
                        <span class={classes!("count", (issues > 0).then_some("has-issues"))}>
                            { format!("{} {}", thousands(issues), if issues == 1 { "issue" } else { "issues" }) }
                        </span>
                    </p>
                    <p class="file-format">{ details.join(" · ") }</p>
                </>
            }
        }
        FileStatus::Failed(_) => html! {},
    };
    let note = file.note().map(|note| {
        let class = match note.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        html! { <p class={classes!("note", class)} role="status">{ note.text }</p> }
    });
    html! {
        <li
            class={classes!("file", status)}
            data-file={file.name.clone()}
            data-status={status}
            data-records={records.to_string()}
            data-issues={issues.to_string()}
            data-worker-ms={match &file.status {
                FileStatus::Done(result) => Some(format!("{:.0}", result.worker_ms)),
                _ => None,
            }}
        >
            <div class="file-head">
                <span class="file-name" title={file.name.clone()}>
                    { middle_ellipsis(short_name(&file.name), NAME_CHARS) }
                </span>
                <button
                    class="remove"
                    type="button"
                    title="Remove this file"
                    aria-label={format!("Remove {}", file.name)}
                    onclick={on_remove}
                >
                    { "×" }
                </button>
            </div>
            { body }
            { for note }
            if let FileStatus::Done(result) = &file.status {
                { first_issue(result.examples.iter().find(|i| i.line > 0)) }
            }
        </li>
    }
}

/// The first line that could not be read, folded away: where it is, why, and how it starts.
/// Whole-file problems (line 0) are already said in full by the row's note.
fn first_issue(issue: Option<&IssueExample>) -> Html {
    let Some(issue) = issue.filter(|i| i.line > 0) else {
        return html! {};
    };
    html! {
        <details class="issue">
            <summary>{ format!("First issue: line {}", thousands(issue.line)) }</summary>
            <p>{ format!("{}: {}", issue.kind.replace('-', " "), issue.message) }</p>
            if !issue.excerpt.is_empty() {
                <code>{ issue.excerpt.clone() }</code>
            }
        </details>
    }
}

/// The last part of a path: rows are narrow, and the full path is in the tooltip.
fn short_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
