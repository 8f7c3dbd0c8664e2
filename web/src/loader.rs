//! The page's handle on its workers: starts them, sends them files, and passes their replies
//! on as if from one worker.

use crate::protocol::{
    describe, load_request, read_reply, to_js, with_attachment, DetailQuery, FromWorker, JobId,
    Query, ToWorker, IMAGE,
};
use crate::state::{
    adopted_estimate, home_may_read, memory_estimate, worth_a_reader, would_not_fit,
    would_not_fit_adopted, SMALL_FILES_AHEAD,
};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};

/// The worker's script, next to the page. Trunk writes it (a loader shim for the `worker`
/// binary) without a content hash, so the name is fixed. The URL is relative, so it resolves
/// against the document's base URL and works under any public path.
pub const WORKER_URL: &str = "./worker_loader.js";
/// The worker's wasm-bindgen glue, which [`WORKER_URL`] loads.
const WORKER_SCRIPT: &str = "./worker.js";
/// The worker's WebAssembly, which [`WORKER_URL`] loads.
const WORKER_WASM: &str = "./worker_bg.wasm";

/// Where the worker's script is: [`WORKER_URL`], unless the page was opened as the single
/// file `flowlens.html`, whose loader puts the worker (script and wasm, which cannot be
/// fetched from `file://`) in a Blob URL named by `window.flowlensWorkerUrl`.
pub fn worker_url() -> String {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("flowlensWorkerUrl"))
        .ok()
        .and_then(|url| url.as_string())
        .unwrap_or_else(|| WORKER_URL.to_owned())
}

/// Registers the service worker that keeps the page for offline use (`sw.js`, written by
/// `cargo xtask dist`). Only pages served over HTTP(S) can have one; from `file://` there is
/// nothing to do. A failure only means no offline copy, so it is logged, not shown.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let protocol = window.location().protocol().unwrap_or_default();
    if protocol != "https:" && protocol != "http:" {
        return;
    }
    let navigator = window.navigator();
    let has_container =
        js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !has_container {
        return;
    }
    // Relative to the document's base URL, so that the worker's scope is the app's folder
    // under any public path.
    let registered = navigator.service_worker().register("./sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(registered).await {
            web_sys::console::warn_2(&"flowlens: no offline copy:".into(), &error);
        }
    });
}

/// An event handler passed to JavaScript.
type Handler = Closure<dyn FnMut(JsValue)>;

/// The most workers that read files at once, whatever the machine says it has: each holds
/// a file's table while it decodes it.
const MOST_READERS: usize = 8;

/// The page's workers. Cloning gives another handle on the same workers.
///
/// The first worker (`home`) holds every table and answers every question; it also reads
/// files. When a file arrives while `home` is reading another, it goes to a worker of its
/// own (a `reader`), as long as fewer readers than the machine's cores are running; the
/// reader decodes it and ships the table back as an image, which is passed to `home`
/// (transferred, not copied), and the reader is ended. Files beyond that wait their turn.
/// The rest of the page sees one worker: replies arrive through one callback.
#[derive(Clone)]
pub struct Loader {
    inner: Rc<Inner>,
}

struct Inner {
    /// How readers are started, once known: see [`ReaderSource`].
    reader_source: RefCell<Option<ReaderSource>>,
    /// Set when readers cannot be started (their script could not be fetched): every
    /// file is then read by `home`, whatever its size.
    no_readers: Cell<bool>,
    home: Channel,
    /// Files `home` is reading or has queued, in the order sent, each with whether it is
    /// small (see [`worth_a_reader`]).
    home_reading: RefCell<Vec<(JobId, bool)>>,
    /// One reader per file being read apart, with the file's id.
    readers: RefCell<Vec<(JobId, Channel)>>,
    /// Files waiting for a free worker.
    waiting: RefCell<VecDeque<Waiting>>,
    /// How many files may be read at once: the machine's cores.
    parallel: usize,
    /// The memory the first worker said it holds, in bytes.
    memory: Cell<u64>,
    /// The memory each file sent and not yet read will probably take.
    coming: RefCell<HashMap<JobId, u64>>,
    on_reply: Rc<dyn Fn(FromWorker)>,
}

/// How a reader worker is started without a request: opening a worker by URL would fetch
/// its script and wasm again (from the cache, but a request all the same), and the page
/// promises none after it has loaded.
#[derive(Clone)]
enum ReaderSource {
    /// The single file `flowlens.html`: its worker is already a Blob URL with everything
    /// inlined.
    Inlined(String),
    /// A served page: a Blob URL of the worker's script with a bootstrap that waits for the
    /// compiled module, fetched and compiled once while the page loads.
    Bootstrap {
        /// The Blob URL.
        url: String,
        /// The compiled `WebAssembly.Module`, posted to each new reader.
        module: JsValue,
    },
}

/// Appended to the worker's script (wasm-bindgen's no-modules glue, which defines
/// `wasm_bindgen`): the first message is the compiled module; the worker's own handler
/// takes over once it runs.
const BOOTSTRAP: &str = "\n;self.onmessage = (event) => { self.onmessage = null; \
wasm_bindgen({ module_or_path: event.data }); };\n";

/// Fetches the worker's script and wasm (next to the page) once, and makes the
/// [`ReaderSource::Bootstrap`] of them.
async fn bootstrap() -> Result<ReaderSource, String> {
    let window = web_sys::window().ok_or("no window")?;
    let fetch = |url: &'static str| {
        let promise = window.fetch_with_str(url);
        async move {
            let response: web_sys::Response = JsFuture::from(promise)
                .await
                .map_err(describe)?
                .unchecked_into();
            if !response.ok() {
                return Err(format!("{url}: HTTP {}", response.status()));
            }
            Ok::<_, String>(response)
        }
    };
    let script = fetch(WORKER_SCRIPT).await?;
    let script = JsFuture::from(script.text().map_err(describe)?)
        .await
        .map_err(describe)?
        .as_string()
        .unwrap_or_default();
    let wasm = fetch(WORKER_WASM).await?;
    let bytes = JsFuture::from(wasm.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    let module = JsFuture::from(js_sys::WebAssembly::compile(&bytes))
        .await
        .map_err(describe)?;
    let parts = js_sys::Array::of2(&script.into(), &BOOTSTRAP.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(describe)?;
    Ok(ReaderSource::Bootstrap { url, module })
}

/// A file waiting for a worker.
struct Waiting {
    id: JobId,
    name: String,
    format: Option<String>,
    blob: Blob,
    /// The blob's size, asked once: each `File.size` can cost the browser a look at the
    /// file on disk, and a folder's files wait through many turns of [`Inner::dispatch`].
    size: u64,
}

/// A message for a worker, with the objects it hands over rather than copies.
type Outgoing = (JsValue, Option<js_sys::Array>);

/// One worker: its messages before it is ready are held back, because a message that
/// arrives before the worker's handler is set is lost.
struct Channel {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    held: Rc<RefCell<Vec<Outgoing>>>,
    /// The event handlers, kept alive as long as the worker.
    _handlers: [Handler; 2],
}

impl Channel {
    /// Starts a worker at `url`; its messages (with the image a shipped table carries) go
    /// to `on_message`, and a failure to start or an uncaught error to `on_error`.
    fn start(
        url: &str,
        on_message: impl Fn(FromWorker, Option<js_sys::ArrayBuffer>) + 'static,
        on_error: impl Fn(String) + 'static,
    ) -> Result<Channel, String> {
        let worker = Worker::new(url).map_err(describe)?;
        let ready = Rc::new(Cell::new(false));
        let held: Rc<RefCell<Vec<Outgoing>>> = Rc::default();
        let message_handler = {
            let ready = ready.clone();
            let held = held.clone();
            let worker = worker.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let data = event.unchecked_into::<MessageEvent>().data();
                match read_reply(data) {
                    Ok((FromWorker::Ready, _)) => {
                        ready.set(true);
                        for (message, transfer) in held.take() {
                            post(&worker, &message, transfer.as_ref());
                        }
                    }
                    Ok((message, image)) => on_message(message, image),
                    Err(error) => web_sys::console::error_1(
                        &format!("flowlens: unreadable message from a worker: {error}").into(),
                    ),
                }
            })
        };
        // An error event means the worker could not start (its script or wasm failed to
        // load) or died on an uncaught error: either way no reply will come.
        let error_handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let message = event
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the worker could not be started".into());
            on_error(message);
        });
        worker.set_onmessage(Some(message_handler.as_ref().unchecked_ref()));
        worker.set_onerror(Some(error_handler.as_ref().unchecked_ref()));
        Ok(Channel {
            worker,
            ready,
            held,
            _handlers: [message_handler, error_handler],
        })
    }

    /// Sends a message, handing over the objects in `transfer` instead of copying them.
    fn send(&self, message: JsValue, transfer: Option<js_sys::Array>) -> Result<(), String> {
        if self.ready.get() {
            match &transfer {
                Some(t) => self.worker.post_message_with_transfer(&message, t),
                None => self.worker.post_message(&message),
            }
            .map_err(describe)
        } else {
            self.held.borrow_mut().push((message, transfer));
            Ok(())
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn post(worker: &Worker, message: &JsValue, transfer: Option<&js_sys::Array>) {
    let sent = match transfer {
        Some(t) => worker.post_message_with_transfer(message, t),
        None => worker.post_message(message),
    };
    if let Err(error) = sent {
        web_sys::console::error_1(&error);
    }
}

impl Loader {
    /// Starts the first worker at `url`; every reply (and a worker's failure, as
    /// `Crashed` for the first worker and `Failed` for a file's own) goes to `on_reply`.
    pub fn start(url: &str, on_reply: Rc<dyn Fn(FromWorker)>) -> Result<Loader, String> {
        let cores = web_sys::window()
            .map(|w| w.navigator().hardware_concurrency() as usize)
            .unwrap_or(1);
        // The first worker's replies go through the loader, which is made after it.
        let loader: Rc<RefCell<Weak<Inner>>> = Rc::default();
        let home = {
            let loader = loader.clone();
            let on_reply = on_reply.clone();
            let on_error = on_reply.clone();
            Channel::start(
                url,
                move |message, _| match loader.borrow().upgrade() {
                    Some(inner) => inner.from_home(message),
                    None => on_reply(message),
                },
                move |message| on_error(FromWorker::Crashed { message }),
            )?
        };
        let inlined = url != WORKER_URL;
        let inner = Rc::new(Inner {
            reader_source: RefCell::new(inlined.then(|| ReaderSource::Inlined(url.to_owned()))),
            no_readers: Cell::new(false),
            home,
            home_reading: RefCell::default(),
            readers: RefCell::default(),
            waiting: RefCell::default(),
            parallel: cores.clamp(1, MOST_READERS),
            memory: Cell::new(0),
            coming: RefCell::default(),
            on_reply,
        });
        *loader.borrow_mut() = Rc::downgrade(&inner);
        if !inlined {
            // Made while the page loads; until then files are read by the first worker.
            let weak = Rc::downgrade(&inner);
            wasm_bindgen_futures::spawn_local(async move {
                let source = bootstrap().await;
                let Some(inner) = weak.upgrade() else { return };
                match source {
                    Ok(source) => {
                        *inner.reader_source.borrow_mut() = Some(source);
                        let _ = inner.dispatch();
                    }
                    Err(error) => {
                        web_sys::console::warn_1(
                            &format!("flowlens: files will be read one at a time ({error})").into(),
                        );
                        inner.no_readers.set(true);
                        let _ = inner.dispatch();
                    }
                }
            });
        }
        Ok(Loader { inner })
    }

    /// Sends a file to be decoded, in the layout `format` if one is given; its replies
    /// will carry `id`. A file whose records would not fit in memory beside those loaded
    /// and coming is refused with the reason (see [`would_not_fit`]). `size` is the blob's.
    pub fn load(
        &self,
        id: JobId,
        name: &str,
        format: Option<&str>,
        blob: &Blob,
        size: u64,
    ) -> Result<(), String> {
        let coming: u64 = self.inner.coming.borrow().values().sum();
        if let Some(reason) = would_not_fit(name, size, self.inner.memory.get(), coming) {
            return Err(reason);
        }
        self.inner
            .coming
            .borrow_mut()
            .insert(id, memory_estimate(name, size));
        self.inner.waiting.borrow_mut().push_back(Waiting {
            id,
            name: name.to_owned(),
            format: format.map(str::to_owned),
            blob: blob.clone(),
            size,
        });
        self.inner.dispatch()
    }

    /// Stops reading a file, or drops its records. A file read by a worker of its own ends
    /// that worker at once.
    pub fn forget(&self, id: JobId) {
        let inner = &self.inner;
        inner.coming.borrow_mut().remove(&id);
        inner.waiting.borrow_mut().retain(|w| w.id != id);
        let reader = {
            let mut readers = inner.readers.borrow_mut();
            let at = readers.iter().position(|(r, _)| *r == id);
            at.map(|at| readers.remove(at))
        };
        if let Some((_, channel)) = reader {
            drop(channel);
            let _ = inner.dispatch();
            return;
        }
        // The first worker stops reading it at its next chunk and says nothing more about
        // it, so it counts as free now; files sent meanwhile wait in its own queue.
        inner.home_reading.borrow_mut().retain(|(r, _)| *r != id);
        let _ = inner.dispatch();
        if let Err(error) = to_js(&ToWorker::Forget { id }).and_then(|m| inner.home.send(m, None)) {
            web_sys::console::error_1(&error.into());
        }
    }

    /// Asks a question; the answer will carry `seq`.
    pub fn query(&self, seq: u32, query: Query) {
        let sent =
            to_js(&ToWorker::Query { seq, query }).and_then(|m| self.inner.home.send(m, None));
        if let Err(error) = sent {
            web_sys::console::error_1(&error.into());
        }
    }

    /// Asks about one tab's rows; the answer will carry `seq`.
    pub fn detail(&self, seq: u32, query: DetailQuery) {
        let sent =
            to_js(&ToWorker::Detail { seq, query }).and_then(|m| self.inner.home.send(m, None));
        if let Err(error) = sent {
            web_sys::console::error_1(&error.into());
        }
    }
}

impl Inner {
    /// Starts waiting files, in the order they came, while workers are free: `home` first,
    /// then readers of their own, up to the machine's cores.
    ///
    /// A small file (see [`worth_a_reader`]) is never worth a reader: while `home` reads
    /// only small files, it is sent up to [`SMALL_FILES_AHEAD`] of them, which it reads in
    /// turn from its own queue, and the next waits for room there. A larger file goes to
    /// `home` when it is idle, or else to a reader. `home` takes a file only if decoding it
    /// cannot run out of memory beside the tables it holds (see [`home_may_read`]): that
    /// would lose them all, while a reader that runs out loses only its own file. Such a
    /// file waits for a reader, unless readers cannot be started at all.
    fn dispatch(self: &Rc<Self>) -> Result<(), String> {
        loop {
            let (home_busy, home_small_only, home_full) = {
                let reading = self.home_reading.borrow();
                (
                    !reading.is_empty(),
                    reading.iter().all(|&(_, small)| small),
                    reading.len() >= SMALL_FILES_AHEAD,
                )
            };
            let busy = usize::from(home_busy) + self.readers.borrow().len();
            let readers = self.reader_source.borrow().is_some();
            let (to_home, small, waits_for_home) = match self.waiting.borrow().front() {
                None => return Ok(()),
                Some(next) => {
                    let small = !worth_a_reader(&next.name, next.size);
                    let may = self.no_readers.get() || self.home_may_read(next);
                    // A small file joins `home`'s queue of small files, or waits for room.
                    let queued = may && small && home_small_only;
                    // An idle `home` counts among the cores like a reader.
                    let idle = !home_busy && busy < self.parallel;
                    (may && (idle || (queued && !home_full)), small, queued)
                }
            };
            if !to_home && (waits_for_home || busy >= self.parallel || !readers) {
                return Ok(());
            }
            let Some(next) = self.waiting.borrow_mut().pop_front() else {
                return Ok(());
            };
            let Waiting {
                id,
                name,
                format,
                blob,
                ..
            } = next;
            let sent = if to_home {
                self.home_reading.borrow_mut().push((id, small));
                load_request(id, &name, format.as_deref(), false, &blob)
                    .and_then(|m| self.home.send(m, None))
            } else {
                self.start_reader(id, &name, format.as_deref(), &blob)
            };
            if let Err(message) = sent {
                self.home_reading.borrow_mut().retain(|(r, _)| *r != id);
                (self.on_reply)(FromWorker::Failed { id, message });
            }
        }
    }

    /// Whether `home` may decode the waiting file `next` itself: its peak fits beside the
    /// tables held and the estimates of the other files being read.
    fn home_may_read(&self, next: &Waiting) -> bool {
        let coming = self.coming.borrow();
        let others: u64 = coming
            .iter()
            .filter(|(id, _)| **id != next.id)
            .map(|(_, bytes)| bytes)
            .sum();
        home_may_read(&next.name, next.size, self.memory.get(), others)
    }

    /// Starts a worker of its own for one file.
    fn start_reader(
        self: &Rc<Self>,
        id: JobId,
        name: &str,
        format: Option<&str>,
        blob: &Blob,
    ) -> Result<(), String> {
        let on_message = {
            let weak = Rc::downgrade(self);
            move |message, image| {
                if let Some(inner) = weak.upgrade() {
                    inner.from_reader(id, message, image);
                }
            }
        };
        let on_error = {
            let weak = Rc::downgrade(self);
            move |message: String| {
                if let Some(inner) = weak.upgrade() {
                    inner.from_reader(id, FromWorker::Crashed { message }, None);
                }
            }
        };
        let source = self.reader_source.borrow().clone();
        let channel = match source {
            Some(ReaderSource::Inlined(url)) => Channel::start(&url, on_message, on_error)?,
            Some(ReaderSource::Bootstrap { url, module }) => {
                let channel = Channel::start(&url, on_message, on_error)?;
                // Not held back like other messages: the worker's bootstrap waits for it.
                channel.worker.post_message(&module).map_err(describe)?;
                channel
            }
            None => return Err("no worker is ready to read it".into()),
        };
        channel.send(load_request(id, name, format, true, blob)?, None)?;
        self.readers.borrow_mut().push((id, channel));
        Ok(())
    }

    /// A message from the first worker.
    fn from_home(self: &Rc<Self>, message: FromWorker) {
        if let FromWorker::Memory { bytes } = &message {
            self.memory.set(*bytes);
        }
        if let FromWorker::Done { id, .. } | FromWorker::Failed { id, .. } = &message {
            self.coming.borrow_mut().remove(id);
            let was_reading = {
                let mut reading = self.home_reading.borrow_mut();
                let before = reading.len();
                reading.retain(|(r, _)| r != id);
                reading.len() != before
            };
            (self.on_reply)(message);
            if was_reading {
                let _ = self.dispatch();
            }
            return;
        }
        (self.on_reply)(message);
    }

    /// A message from the reader of file `id`.
    fn from_reader(
        self: &Rc<Self>,
        id: JobId,
        message: FromWorker,
        image: Option<js_sys::ArrayBuffer>,
    ) {
        let finished = match message {
            FromWorker::Done { id, result } => {
                // The table in hand replaces the estimate made from the file's size.
                self.coming.borrow_mut().remove(&id);
                let adopt = image
                    .ok_or_else(|| "the decoded table did not arrive".to_owned())
                    .and_then(|image| {
                        let coming = self.coming.borrow().values().sum();
                        let size = u64::from(image.byte_length());
                        if let Some(reason) = would_not_fit_adopted(size, self.memory.get(), coming)
                        {
                            return Err(reason);
                        }
                        self.coming.borrow_mut().insert(id, adopted_estimate(size));
                        let transfer = js_sys::Array::of1(&image);
                        let message =
                            with_attachment(&ToWorker::Adopt { id, result }, IMAGE, &image)?;
                        self.home.send(message, Some(transfer))
                    });
                // Until adopted, the file counts by its image; once adopted, in the first
                // worker's memory (its `Done` settles it); if refused, nowhere.
                if let Err(message) = adopt {
                    self.coming.borrow_mut().remove(&id);
                    (self.on_reply)(FromWorker::Failed { id, message });
                }
                true
            }
            // A reader that stops takes only its own file with it.
            FromWorker::Crashed { message } => {
                self.coming.borrow_mut().remove(&id);
                (self.on_reply)(FromWorker::Failed {
                    id,
                    message: format!(
                        "the worker reading it stopped ({message}). What is loaded stays. \
                         A very large file may not fit in the 4 GiB a tab's WebAssembly can \
                         hold: split it by lines and load the parts, or query it with the \
                         `flowlens` command, which has no such limit"
                    ),
                });
                true
            }
            message @ FromWorker::Failed { .. } => {
                self.coming.borrow_mut().remove(&id);
                (self.on_reply)(message);
                true
            }
            // Its memory is its own and goes with it.
            FromWorker::Memory { .. } => false,
            message => {
                (self.on_reply)(message);
                false
            }
        };
        if finished {
            // Ended at once: its memory (the file's table and its image) is freed.
            self.readers.borrow_mut().retain(|(r, _)| *r != id);
            let _ = self.dispatch();
        }
    }
}
