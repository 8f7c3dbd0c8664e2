//! Where files come in: a drop target with file and folder pickers.
//!
//! A drop may hold folders (an `AWSLogs/` tree synced from S3). Their entries must be taken
//! from the event while it is being handled (the browser empties the data transfer
//! afterwards); the folders are then walked asynchronously and their files delivered as a
//! second batch, each named by its path so that the S3 key layout stays visible.

use crate::components::Picked;
use crate::protocol::describe;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, DragEvent, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry,
    HtmlInputElement,
};
use yew::prelude::*;

/// The drop zone's properties.
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Receives the files dropped or picked, in batches.
    pub on_files: Callback<Vec<Picked>>,
    /// Receives a sentence when part of a dropped folder could not be read.
    pub on_error: Callback<String>,
    /// Draws a small "add files" target instead of the large first-contact one.
    #[prop_or_default]
    pub compact: bool,
}

/// A drop target with "Choose files" and "Choose a folder" pickers.
#[component(DropZone)]
pub fn drop_zone(props: &DropZoneProps) -> Html {
    let hover = use_state(|| false);

    let on_drag_over = {
        let hover = hover.clone();
        Callback::from(move |event: DragEvent| {
            // Without this the browser opens the file instead of letting the page have it.
            event.prevent_default();
            if let Some(transfer) = event.data_transfer() {
                transfer.set_drop_effect("copy");
            }
            if !*hover {
                hover.set(true);
            }
        })
    };
    let on_drag_leave = {
        let hover = hover.clone();
        Callback::from(move |_: DragEvent| hover.set(false))
    };
    let on_drop = {
        let hover = hover.clone();
        let on_files = props.on_files.clone();
        let on_error = props.on_error.clone();
        Callback::from(move |event: DragEvent| {
            // The page behind also takes drops; this one is handled here, once.
            event.stop_propagation();
            hover.set(false);
            take_drop(&event, &on_files, &on_error);
        })
    };

    let on_pick = {
        let on_files = props.on_files.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let files = picked(&input);
            // Clearing the input lets the same file be picked again later.
            input.set_value("");
            if !files.is_empty() {
                on_files.emit(files);
            }
        })
    };

    let class = classes!(
        "drop-zone",
        props.compact.then_some("compact"),
        hover.then_some("hover")
    );
    let heading = if props.compact {
        html! { <p class="drop-title">{ "Drop more files here" }</p> }
    } else {
        html! {
            <p class="drop-title">
                { "Drop VPC Flow Logs: .log, .log.gz, CloudWatch exports, or a whole AWSLogs/ folder" }
            </p>
        }
    };
    html! {
        <section
            class={class}
            data-testid="drop-zone"
            aria-label="Add flow-log files"
            ondragenter={on_drag_over.clone()}
            ondragover={on_drag_over}
            ondragleave={on_drag_leave}
            ondrop={on_drop}
        >
            { heading }
            <div class="pickers">
                <label class="button primary">
                    <input
                        id="file-input"
                        class="visually-hidden"
                        type="file"
                        multiple=true
                        onchange={on_pick.clone()}
                    />
                    { if props.compact { "Add files" } else { "Choose files" } }
                </label>
                <label class="button">
                    <input
                        id="folder-input"
                        class="visually-hidden"
                        type="file"
                        webkitdirectory=true
                        multiple=true
                        onchange={on_pick}
                    />
                    { "Choose a folder" }
                </label>
            </div>
        </section>
    }
}

/// Takes the files and folders of a drop: files are delivered at once, the files inside
/// folders once the folders have been walked.
pub fn take_drop(event: &DragEvent, on_files: &Callback<Vec<Picked>>, on_error: &Callback<String>) {
    // Without this the browser opens the file in place of the page.
    event.prevent_default();
    let Some(transfer) = event.data_transfer() else {
        return;
    };
    let (files, folders) = take_dropped(&transfer);
    if !files.is_empty() {
        on_files.emit(files);
    }
    if folders.is_empty() {
        return;
    }
    let on_files = on_files.clone();
    let on_error = on_error.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut files = Vec::new();
        for folder in folders {
            if let Err(error) = walk(folder, &mut files).await {
                on_error.emit(format!(
                    "Part of the dropped folder could not be read: {error}"
                ));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        if !files.is_empty() {
            on_files.emit(files);
        }
    });
}

/// The files of a picker, named by their path inside a picked folder when there is one.
fn picked(input: &HtmlInputElement) -> Vec<Picked> {
    let Some(list) = input.files() else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|file| {
            let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
                .ok()
                .and_then(|p| p.as_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| file.name());
            (path, file.into())
        })
        .filter(|(path, _)| !is_hidden(path))
        .collect()
}

/// Splits a drop into files and folders. Must run while the drop event is handled.
fn take_dropped(transfer: &DataTransfer) -> (Vec<Picked>, Vec<FileSystemDirectoryEntry>) {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let items = transfer.items();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        // `webkitGetAsEntry` is the only way to tell a folder from a file; where it is
        // missing (or for files made by a script) the item is a plain file.
        if let Ok(Some(entry)) = item.webkit_get_as_entry() {
            if entry.is_directory() {
                folders.push(entry.unchecked_into());
                continue;
            }
        }
        if let Ok(Some(file)) = item.get_as_file() {
            files.push((file.name(), file.into()));
        }
    }
    // Some browsers give files but no items.
    if files.is_empty() && folders.is_empty() {
        if let Some(list) = transfer.files() {
            for file in (0..list.length()).filter_map(|i| list.get(i)) {
                files.push((file.name(), file.into()));
            }
        }
    }
    (files, folders)
}

/// Collects every file under `folder`, depth first, skipping hidden files (`.DS_Store`).
async fn walk(folder: FileSystemDirectoryEntry, out: &mut Vec<Picked>) -> Result<(), String> {
    let mut stack = vec![folder];
    while let Some(folder) = stack.pop() {
        let reader = folder.create_reader();
        // A directory reader returns its entries in batches until it returns none.
        loop {
            let batch = JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
                if let Err(error) =
                    reader.read_entries_with_callback_and_callback(&resolve, &reject)
                {
                    let _ = reject.call1(&JsValue::NULL, &error);
                }
            }))
            .await
            .map_err(describe)?;
            let batch: js_sys::Array = batch.unchecked_into();
            if batch.length() == 0 {
                break;
            }
            for entry in batch.iter() {
                let entry: FileSystemEntry = entry.unchecked_into();
                let path = entry.full_path().trim_start_matches('/').to_owned();
                if is_hidden(&path) {
                    continue;
                }
                if entry.is_directory() {
                    stack.push(entry.unchecked_into());
                } else {
                    let entry: FileSystemFileEntry = entry.unchecked_into();
                    let file = JsFuture::from(js_sys::Promise::new(&mut |resolve, reject| {
                        entry.file_with_callback_and_callback(&resolve, &reject);
                    }))
                    .await
                    .map_err(describe)?;
                    let file: File = file.unchecked_into();
                    out.push((path, file.into()));
                }
            }
        }
    }
    Ok(())
}

/// Whether the last part of a path starts with a dot.
fn is_hidden(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.starts_with('.'))
}
