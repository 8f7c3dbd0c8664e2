//! The page's handle on the worker: starts it, sends it files, and passes its replies on.

use crate::protocol::{
    describe, load_request, read_reply, to_js, DetailQuery, FromWorker, JobId, Query, ToWorker,
};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};

/// The worker's script, next to the page. Trunk writes it (a loader shim for the `worker`
/// binary) without a content hash, so the name is fixed. The URL is relative, so it resolves
/// against the document's base URL and works under any public path.
pub const WORKER_URL: &str = "./worker_loader.js";

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

/// A running worker. Cloning gives another handle on the same worker.
#[derive(Clone)]
pub struct Loader {
    inner: Rc<Inner>,
}

struct Inner {
    worker: Worker,
    /// Whether the worker has said it is ready.
    ready: Cell<bool>,
    /// Requests made before the worker was ready, in order.
    held: RefCell<Vec<JsValue>>,
    /// The event handlers, kept alive as long as the worker.
    handlers: RefCell<Vec<Handler>>,
}

impl Loader {
    /// Starts the worker at `url`; its replies (and its failure, as `Crashed`) go to
    /// `on_reply`.
    pub fn start(url: &str, on_reply: Rc<dyn Fn(FromWorker)>) -> Result<Loader, String> {
        let worker = Worker::new(url).map_err(describe)?;
        let inner = Rc::new(Inner {
            worker,
            ready: Cell::new(false),
            held: RefCell::new(Vec::new()),
            handlers: RefCell::new(Vec::new()),
        });

        let weak = Rc::downgrade(&inner);
        let reply = on_reply.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let Some(inner) = weak.upgrade() else { return };
            let data = event.unchecked_into::<MessageEvent>().data();
            match read_reply(data) {
                Ok(FromWorker::Ready) => {
                    inner.ready.set(true);
                    for message in inner.held.take() {
                        if let Err(error) = inner.worker.post_message(&message) {
                            web_sys::console::error_1(&error);
                        }
                    }
                }
                Ok(message) => reply(message),
                Err(error) => web_sys::console::error_1(
                    &format!("flowlens: unreadable message from the worker: {error}").into(),
                ),
            }
        });
        // An error event means the worker could not start (its script or wasm failed to
        // load) or died on an uncaught error: either way no reply will come.
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let message = event
                .dyn_ref::<ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "the worker could not be started".into());
            on_reply(FromWorker::Crashed { message });
        });
        inner
            .worker
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        inner
            .worker
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        inner.handlers.borrow_mut().extend([on_message, on_error]);
        Ok(Loader { inner })
    }

    /// Sends a file to be decoded, in the layout `format` if one is given; its replies
    /// will carry `id`.
    pub fn load(
        &self,
        id: JobId,
        name: &str,
        format: Option<&str>,
        blob: &Blob,
    ) -> Result<(), String> {
        load_request(id, name, format, blob).and_then(|message| self.send(message))
    }

    /// Tells the worker to stop reading a file, or to drop its records.
    pub fn forget(&self, id: JobId) {
        if let Err(error) = to_js(&ToWorker::Forget { id }).and_then(|m| self.send(m)) {
            web_sys::console::error_1(&error.into());
        }
    }

    /// Asks the worker a question; the answer will carry `seq`.
    pub fn query(&self, seq: u32, query: Query) {
        if let Err(error) = to_js(&ToWorker::Query { seq, query }).and_then(|m| self.send(m)) {
            web_sys::console::error_1(&error.into());
        }
    }

    /// Asks the worker about one tab's rows; the answer will carry `seq`.
    pub fn detail(&self, seq: u32, query: DetailQuery) {
        if let Err(error) = to_js(&ToWorker::Detail { seq, query }).and_then(|m| self.send(m)) {
            web_sys::console::error_1(&error.into());
        }
    }

    fn send(&self, message: JsValue) -> Result<(), String> {
        if self.inner.ready.get() {
            self.inner.worker.post_message(&message).map_err(describe)
        } else {
            self.inner.held.borrow_mut().push(message);
            Ok(())
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
