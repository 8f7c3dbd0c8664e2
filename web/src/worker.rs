//! The worker: takes files from the page, reads them in chunks of bytes, decodes them and
//! reports progress and totals.
//!
//! The worker also answers the page's questions ([`ToWorker::Query`], [`ToWorker::Detail`])
//! over every table it holds. One worker, the first the page starts, holds every table:
//! the tables must be where the questions are answered. Files read while it is busy go to
//! more workers of the same script, one per file (see `crate::loader`), which decode the
//! file and ship the table back as one `ArrayBuffer` ([`flowlog::FlowTable::to_image`]);
//! the page hands it to the first worker ([`ToWorker::Adopt`]) and ends the other, which
//! frees its memory.
//!
//! Files are read one at a time, in the order they arrive, so that progress means something
//! and memory holds one file's buffers at a time. The decoded tables stay here, in the
//! worker, because the dataset belongs next to the code that will filter it; the page only
//! ever receives small messages.

use crate::ingest::Ingest;
use crate::protocol::{
    describe, read_request, to_js, with_attachment, FileResult, FromWorker, JobId, JsImage,
    LoadRequest, ToWorker, IMAGE,
};
use crate::read_ahead::{
    ask_whole, next_task, prepare_inflater, prepare_reader, read_blob, AskedWhole, ReaderEnd,
    Slices,
};
use crate::warm_up::WarmUp;
use flowlog::FlowTable;
use flowlog_query::TableIndex;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// How many bytes are read from a file at a time: large enough that the cost of each read
/// (a promise, a copy into WebAssembly memory, a progress message) vanishes, small enough
/// that progress moves several times a second.
pub const CHUNK_BYTES: u64 = 4 << 20;

/// How long a file is read before its first progress message, in milliseconds: a file read
/// sooner than this needs no bar moving, and each message makes the page draw again while
/// the two threads that read and decode want the machine's cores.
const FIRST_PROGRESS_AFTER_MS: f64 = 250.0;

/// The least time between two progress messages for one file after the first, in
/// milliseconds: ten moves of the bar a second.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// The worker's state.
#[derive(Default)]
struct Worker {
    queue: RefCell<VecDeque<LoadRequest>>,
    busy: Cell<bool>,
    /// Files the page no longer wants, checked between chunks.
    forgotten: RefCell<HashSet<JobId>>,
    tables: RefCell<Vec<(JobId, FlowTable)>>,
    /// The index of each table, by the table's id, built when the table arrives.
    indexes: RefCell<HashMap<JobId, TableIndex>>,
    /// The overview merged for the last answer, for the next to start from.
    merged: RefCell<crate::query::MergedOverview>,
}

/// Starts the worker: installs the message handler, then tells the page it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        // The page marks the files in flight as failed instead of waiting for ever.
        post(&FromWorker::Crashed { message });
    }));
    let worker = Rc::new(Worker::default());
    let worker_for_warm_up = worker.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        on_message(&worker, event.data());
    });
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    // The handler lives as long as the worker does.
    handler.forget();
    post(&FromWorker::Ready);
    wasm_bindgen_futures::spawn_local(warm_up(worker_for_warm_up));
}

/// Runs the [`WarmUp`] a step per task, so that a file that arrives meanwhile is read at
/// once: the warm-up then stops where it is.
async fn warm_up(worker: Rc<Worker>) {
    let wanted = || !worker.busy.get() && worker.queue.borrow().is_empty();
    next_task().await;
    if !wanted() {
        return;
    }
    // The first file's reader is ready before the file is.
    prepare_reader();
    let mut warm_up = WarmUp::default();
    loop {
        next_task().await;
        if !wanted() {
            return;
        }
        if !warm_up.step() {
            break;
        }
    }
    next_task().await;
    if wanted() {
        warm_up.finish();
    }
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    match to_js(message) {
        Ok(value) => {
            if let Err(error) = scope().post_message(&value) {
                web_sys::console::error_1(&error);
            }
        }
        Err(error) => web_sys::console::error_1(&error.into()),
    }
}

fn on_message(worker: &Rc<Worker>, data: JsValue) {
    let (message, blob, image) = match read_request(data) {
        Ok(request) => request,
        Err(error) => {
            web_sys::console::error_1(&format!("flowlens worker: bad request: {error}").into());
            return;
        }
    };
    match (message, blob) {
        (
            ToWorker::Load {
                id,
                name,
                format,
                ship,
            },
            Some(blob),
        ) => {
            worker.queue.borrow_mut().push_back(LoadRequest {
                id,
                name,
                format,
                ship,
                blob,
            });
            if !worker.busy.replace(true) {
                wasm_bindgen_futures::spawn_local(drain(worker.clone()));
            }
        }
        (ToWorker::Load { id, .. }, None) => post(&FromWorker::Failed {
            id,
            message: "the request carried no file".into(),
        }),
        (ToWorker::Query { seq, query }, _) => {
            let tables = worker.tables.borrow();
            let indexes = worker.indexes.borrow();
            let with_indexes: Vec<_> = tables
                .iter()
                .filter_map(|(id, t)| Some((*id, t, indexes.get(id)?)))
                .collect();
            let answer = crate::query::answer_keeping(
                &with_indexes,
                &query,
                &mut worker.merged.borrow_mut(),
            );
            // Answering can grow the memory (the first count of pairs codes every row's
            // pair), so the page hears of it before the answer.
            post_memory();
            post(&FromWorker::Answer {
                seq,
                answer: Box::new(answer),
            });
        }
        (ToWorker::Adopt { id, result }, _) => adopt(worker, id, result, image),
        (ToWorker::Detail { seq, query }, _) => {
            let answer = crate::query::detail(&worker.tables.borrow(), &query);
            post(&FromWorker::Answer {
                seq,
                answer: Box::new(answer),
            });
        }
        (ToWorker::Forget { id }, _) => {
            worker.forgotten.borrow_mut().insert(id);
            worker.queue.borrow_mut().retain(|r| r.id != id);
            worker.tables.borrow_mut().retain(|(t, _)| *t != id);
            worker.indexes.borrow_mut().remove(&id);
            // The overview kept for the next answer may hold parts of that table.
            *worker.merged.borrow_mut() = Default::default();
            post_memory();
        }
    }
}

/// Reads queued files until none is left.
///
/// While one file is read, the whole of the next is asked for if it is small (one chunk or
/// less, read in one piece anyway), so that it is read, and inflated, on other threads
/// meanwhile (see [`ask_whole`]). The inflater is started by the first small file that
/// waits its turn, and kept.
async fn drain(worker: Rc<Worker>) {
    let mut stays = true;
    let mut asked: Option<(JobId, AskedWhole)> = None;
    loop {
        let next = worker.queue.borrow_mut().pop_front();
        let Some(request) = next else { break };
        stays = !request.ship;
        let bytes = asked
            .take()
            .and_then(|(id, bytes)| (id == request.id).then_some(bytes));
        asked = worker
            .queue
            .borrow()
            .front()
            .filter(|next| next.blob.size() as u64 <= CHUNK_BYTES)
            .map(|next| {
                // Small files come by the hundred, in folders: they are worth an inflater.
                prepare_inflater();
                (next.id, ask_whole(&next.blob, CHUNK_BYTES))
            });
        load(&worker, request, bytes).await;
    }
    worker.busy.set(false);
    // A worker that keeps its tables will read more files: their reader is made ready
    // now, while nothing else is read. One that ships its table is ended by the page.
    if stays {
        prepare_reader();
    }
}

/// Tells the page how much memory this worker's WebAssembly instance holds.
fn post_memory() {
    let pages = core::arch::wasm32::memory_size(0) as u64;
    post(&FromWorker::Memory {
        bytes: pages * 65_536,
    });
}

/// Keeps a file's table among the others in the order the page added the files (ids
/// rise), whichever worker finished first, so that records come in the files' order as in
/// `flowlens query`.
fn keep(worker: &Worker, id: JobId, table: FlowTable) {
    worker
        .indexes
        .borrow_mut()
        .insert(id, TableIndex::build(&table));
    let mut tables = worker.tables.borrow_mut();
    let at = tables.partition_point(|(other, _)| *other < id);
    tables.insert(at, (id, table));
}

/// Takes a table another worker decoded, from its image.
fn adopt(worker: &Worker, id: JobId, result: Box<FileResult>, image: Option<js_sys::ArrayBuffer>) {
    if worker.forgotten.borrow().contains(&id) {
        return;
    }
    let Some(image) = image else {
        return post(&FromWorker::Failed {
            id,
            message: "the decoded table did not arrive".into(),
        });
    };
    match FlowTable::from_image(&JsImage(js_sys::Uint8Array::new(&image))) {
        Ok(table) => {
            keep(worker, id, table);
            // The memory first, so that the page never counts this file as neither loaded
            // nor coming.
            post_memory();
            post(&FromWorker::Done { id, result });
        }
        Err(error) => post(&FromWorker::Failed {
            id,
            message: error.to_string(),
        }),
    }
}

/// Reads one file; `asked` is its whole content, if already asked for (see [`drain`]).
async fn load(worker: &Worker, request: LoadRequest, asked: Option<AskedWhole>) {
    let LoadRequest {
        id,
        name,
        format,
        ship,
        blob,
    } = request;
    let taken = js_sys::Date::now();
    let mut ingest = match Ingest::new(id, &name, blob.size() as u64, format.as_deref()) {
        Ok(ingest) => ingest,
        Err(message) => return post(&FromWorker::Failed { id, message }),
    };
    // Progress is posted first after FIRST_PROGRESS_AFTER_MS, then at most every
    // PROGRESS_EVERY_MS: each message costs this thread and the page a little, and a bar
    // needs no more.
    let mut next_progress = js_sys::Date::now() + FIRST_PROGRESS_AFTER_MS;
    let wanted = |ingest: &Ingest| {
        if worker.forgotten.borrow().contains(&id) {
            return false;
        }
        let now = js_sys::Date::now();
        if now >= next_progress {
            next_progress = now + PROGRESS_EVERY_MS;
            post(&ingest.progress());
        }
        true
    };
    // A worker that ships its table is ended by the page, and its reader with it.
    let end = if ship {
        ReaderEnd::WithWorker
    } else {
        ReaderEnd::WithFile
    };
    match read_blob(
        &blob,
        asked,
        &mut ingest,
        CHUNK_BYTES,
        Slices::Reused,
        end,
        wanted,
    )
    .await
    {
        Ok(true) if ship => {
            // The table goes to the worker that holds the others; this worker is then
            // ended by the page, which frees its memory.
            let (table, mut result) = ingest.finish();
            let image = js_sys::Uint8Array::from(&table.to_image()[..]);
            drop(table);
            let buffer = image.buffer();
            result.worker_ms = js_sys::Date::now() - taken;
            let message = FromWorker::Done {
                id,
                result: Box::new(result),
            };
            match with_attachment(&message, IMAGE, &buffer) {
                Ok(value) => {
                    let transfer = js_sys::Array::of1(&buffer);
                    if let Err(error) = scope().post_message_with_transfer(&value, &transfer) {
                        post(&FromWorker::Failed {
                            id,
                            message: describe(error),
                        });
                    }
                }
                Err(message) => post(&FromWorker::Failed { id, message }),
            }
        }
        Ok(true) => {
            let (table, mut result) = ingest.finish();
            if !worker.forgotten.borrow().contains(&id) {
                keep(worker, id, table);
                result.worker_ms = js_sys::Date::now() - taken;
                post_memory();
                post(&FromWorker::Done {
                    id,
                    result: Box::new(result),
                });
            }
        }
        // Forgotten while being read: the page has already removed the row.
        Ok(false) => {}
        Err(message) => post(&FromWorker::Failed { id, message }),
    }
}
