//! The Parse quality tab: for each file, how it was read (wrapper, layouts and how each was
//! learned, with the guess's confidence), what could not be read (counts by kind, examples
//! with their line), and, for a file without a header line, a field to give its format and
//! read it again.

use crate::numbers::{bytes, thousands};
use crate::protocol::JobId;
use crate::state::{FileEntry, FileStatus};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The quality tab's properties.
#[derive(Properties, PartialEq)]
pub struct QualityProps {
    /// The files.
    pub files: Rc<Vec<FileEntry>>,
    /// Called with a file and the format the user gave for it.
    pub on_reparse: Callback<(JobId, String)>,
}

/// The quality report.
#[component(QualityTab)]
pub fn quality_tab(props: &QualityProps) -> Html {
    html! {
        <section class="quality" aria-label="Parse quality">
            { for props.files.iter().map(|file| html! {
                <FileQuality key={file.id} file={file.clone()} on_reparse={props.on_reparse.clone()} />
            }) }
        </section>
    }
}

/// One file's report's properties.
#[derive(Properties, PartialEq)]
pub struct FileQualityProps {
    /// The file.
    pub file: FileEntry,
    /// Called with the file and the format the user gave for it.
    pub on_reparse: Callback<(JobId, String)>,
}

/// One file's report.
#[component(FileQuality)]
pub fn file_quality(props: &FileQualityProps) -> Html {
    let file = &props.file;
    let input = use_node_ref();
    let problem = use_state(|| None::<String>);
    let head = html! {
        <h3 class="quality-name" title={file.name.clone()}>{ file.name.clone() }
            <span class="muted">{ format!(" · {}", bytes(file.size)) }</span>
        </h3>
    };
    let result = match &file.status {
        FileStatus::Reading { .. } => {
            return html! {
                <article class="quality-file" data-file={file.name.clone()}>
                    { head }<p class="muted">{ "Still being read." }</p>
                </article>
            }
        }
        FileStatus::Failed(message) => {
            return html! {
                <article class="quality-file" data-file={file.name.clone()}>
                    { head }<p class="note error">{ format!("Could not read this file: {message}.") }</p>
                </article>
            }
        }
        FileStatus::Done(result) => result.clone(),
    };

    let on_submit = {
        let input = input.clone();
        let problem = problem.clone();
        let on_reparse = props.on_reparse.clone();
        let id = file.id;
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(text) = input.cast::<HtmlInputElement>().map(|i| i.value()) else {
                return;
            };
            let text = text.trim().to_owned();
            // Read here first, so that a typo is said at once rather than after a reload.
            match flowlog::Format::parse(&text) {
                Ok(_) => {
                    problem.set(None);
                    on_reparse.emit((id, text));
                }
                Err(error) => problem.set(Some(format!("This format cannot be used: {error}."))),
            }
        })
    };

    let formats = result.formats.iter().map(|f| {
        let how = match f.confidence {
            Some(c) => format!("{} ({:.0}% of sampled lines fit)", f.source, c * 100.0),
            None => f.source.clone(),
        };
        html! {
            <tr>
                <td>{ f.description.clone() }</td>
                <td>{ how }</td>
                <td class="num">{ thousands(f.records) }</td>
                <td><code class="header-line">{ f.header.clone() }</code></td>
            </tr>
        }
    });
    let kinds = result.issue_kinds.iter().map(|(kind, n)| {
        html! {
            <tr data-kind={kind.clone()} data-count={n.to_string()}>
                <td>{ kind.replace('-', " ") }</td>
                <td class="num">{ thousands(*n) }</td>
            </tr>
        }
    });
    let short = file
        .name
        .rsplit('/')
        .next()
        .unwrap_or(&file.name)
        .to_owned();
    let examples = result.examples.iter().map(|e| {
        let place = if e.line == 0 {
            format!("{short} (whole file)")
        } else {
            format!("{short}:{}", e.line)
        };
        html! {
            <li data-line={e.line.to_string()} data-kind={e.kind.clone()}>
                <span class="where">{ place }</span>
                { format!(" {}: {}", e.kind.replace('-', " "), e.message) }
                if !e.excerpt.is_empty() {
                    <code>{ e.excerpt.clone() }</code>
                }
            </li>
        }
    });
    let shown = result.examples.len() as u64;
    html! {
        <article class="quality-file" data-file={file.name.clone()} data-issues={result.issues.to_string()}>
            { head }
            <p>
                { format!("Wrapper: {}. {} records, {} not read.", result.wrapper, thousands(result.totals.records), if result.issues == 1 { "1 line".to_owned() } else { format!("{} lines", thousands(result.issues)) }) }
                if let Some(source) = &result.source {
                    { format!(" From its S3 key: {source}.") }
                }
            </p>
            if !result.formats.is_empty() {
                <table class="data-table formats">
                    <thead><tr>
                        <th scope="col">{ "Layout" }</th><th scope="col">{ "Learned from" }</th>
                        <th scope="col" class="num">{ "Records" }</th><th scope="col">{ "Fields" }</th>
                    </tr></thead>
                    <tbody>{ for formats }</tbody>
                </table>
            }
            if result.headerless {
                <form class="reparse" onsubmit={on_submit}>
                    <label for={format!("format-{}", file.id)}>
                        { "This file has no header line. If its layout was not recognised, give it here (a ${field} … string from the flow log's settings, or a header line) and read the file again:" }
                    </label>
                    <div class="reparse-row">
                        <input id={format!("format-{}", file.id)} ref={input} class="filter-input"
                            type="text" spellcheck="false" autocomplete="off"
                            placeholder="${version} ${account-id} ${interface-id} ${srcaddr} …"
                            value={file.format.clone().unwrap_or_default()} />
                        <button type="submit" class="button">{ "Read again" }</button>
                    </div>
                    if let Some(problem) = &*problem {
                        <p class="filter-error" role="alert">{ problem.clone() }</p>
                    }
                </form>
            }
            if result.issues > 0 {
                <table class="data-table kinds">
                    <thead><tr><th scope="col">{ "Issue" }</th><th scope="col" class="num">{ "Lines" }</th></tr></thead>
                    <tbody>{ for kinds }</tbody>
                </table>
                <details class="examples-box" open={shown <= 5}>
                    <summary>{ if result.issues > shown { format!("The first {} lines not read, with their line numbers", shown) } else { "Every line not read, with its line number".to_owned() } }</summary>
                    <ul class="examples">{ for examples }</ul>
                </details>
            }
        </article>
    }
}
