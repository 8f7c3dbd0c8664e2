//! Reading a file ahead of the decoder, on a thread of its own.
//!
//! A worker that reads a file slice by slice with `Blob.arrayBuffer()` takes in the bytes
//! only between its own tasks: while it decodes one slice, the browser cannot hand it the
//! next, so reading and decoding take turns instead of overlapping. The decoding worker
//! therefore starts a small worker of its own (the few lines of [`READER_SCRIPT`], from a
//! Blob URL, so nothing is fetched) that reads the slices and transfers each `ArrayBuffer`
//! to it, [`AHEAD`] slices ahead of the decoder and no further, so that memory holds a few
//! slices at a time however large the file. Where a worker cannot start one (an old
//! browser), the slices are read in place as before.

use crate::ingest::Ingest;
use crate::protocol::describe;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, MessageEvent};

/// How many slices the reader may have read and not yet handed over.
const AHEAD: u32 = 3;

/// The reader: given `{blob, chunk, ahead}`, it reads `ahead` slices of `chunk` bytes and
/// posts each `ArrayBuffer` (transferred); every number it receives allows that many more.
/// A failed read is posted as `{error}`.
const READER_SCRIPT: &str = r#""use strict";
let blob = null, chunk = 0, next = 0, credit = 0, busy = false;
onmessage = (event) => {
  if (typeof event.data === "number") {
    credit += event.data;
  } else {
    ({ blob, chunk } = event.data);
    credit += event.data.ahead;
  }
  pump();
};
async function pump() {
  if (busy) return;
  busy = true;
  while (blob && credit > 0 && next < blob.size) {
    credit -= 1;
    const end = Math.min(blob.size, next + chunk);
    let buffer;
    try {
      buffer = await blob.slice(next, end).arrayBuffer();
    } catch (error) {
      postMessage({ error: String(error) });
      return;
    }
    next = end;
    postMessage(buffer, [buffer]);
  }
  busy = false;
}
"#;

/// Reads `blob` in slices of `chunk_bytes` and feeds each to `ingest`, calling `on_chunk`
/// after each; `on_chunk` returns false to stop. Returns whether the whole blob was read.
///
/// Slices are read as bytes, never as text: bytes are what the decoder takes, and browsers
/// return an empty string, without an error, for text past ~512 MB.
pub async fn read_blob(
    blob: &Blob,
    ingest: &mut Ingest,
    chunk_bytes: u64,
    mut on_chunk: impl FnMut(&Ingest) -> bool,
) -> Result<bool, String> {
    let chunk_bytes = chunk_bytes.max(1);
    if let Ok(reader) = Reader::start(blob, chunk_bytes) {
        match reader.feed(blob, ingest, &mut on_chunk).await {
            Fed::All => return Ok(true),
            Fed::Stopped => return Ok(false),
            Fed::Failed(message) => return Err(message),
            // The reader could not run here; nothing was fed, so reading in place is safe.
            Fed::NotStarted => {}
        }
    }
    read_in_place(blob, ingest, chunk_bytes, on_chunk).await
}

/// How feeding from the reader ended.
enum Fed {
    All,
    Stopped,
    Failed(String),
    NotStarted,
}

/// What the reader has sent and the decoder not yet taken, and the decoder's wake-up call
/// when it waits for more.
#[derive(Default)]
struct Inbox {
    arrived: VecDeque<Result<js_sys::ArrayBuffer, String>>,
    waiting: Option<js_sys::Function>,
}

impl Inbox {
    fn deliver(inbox: &RefCell<Inbox>, item: Result<js_sys::ArrayBuffer, String>) {
        let waiting = {
            let mut inbox = inbox.borrow_mut();
            inbox.arrived.push_back(item);
            inbox.waiting.take()
        };
        if let Some(wake) = waiting {
            let _ = wake.call0(&JsValue::NULL);
        }
    }
}

/// A running reader; dropping it ends the reader's worker and frees its URL.
struct Reader {
    worker: web_sys::Worker,
    url: String,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Reader {
    fn start(blob: &Blob, chunk_bytes: u64) -> Result<Reader, JsValue> {
        let parts = js_sys::Array::of1(&JsValue::from_str(READER_SCRIPT));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let script = Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&script)?;
        let worker = match web_sys::Worker::new(&url) {
            Ok(worker) => worker,
            Err(error) => {
                let _ = web_sys::Url::revoke_object_url(&url);
                return Err(error);
            }
        };
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let on_message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let item = match data.dyn_into::<js_sys::ArrayBuffer>() {
                    Ok(buffer) => Ok(buffer),
                    Err(data) => Err(js_sys::Reflect::get(&data, &"error".into())
                        .ok()
                        .and_then(|e| e.as_string())
                        .unwrap_or_else(|| "the file reader sent something else".into())),
                };
                Inbox::deliver(&inbox, item);
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                Inbox::deliver(&inbox, Err("the file reader stopped".into()));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let reader = Reader {
            worker,
            url,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        };
        let start = js_sys::Object::new();
        js_sys::Reflect::set(&start, &"blob".into(), blob)?;
        js_sys::Reflect::set(&start, &"chunk".into(), &(chunk_bytes as f64).into())?;
        js_sys::Reflect::set(&start, &"ahead".into(), &AHEAD.into())?;
        reader.worker.post_message(&start)?;
        Ok(reader)
    }

    /// The next slice, waiting for it if it has not arrived.
    async fn next(&self) -> Result<js_sys::ArrayBuffer, String> {
        loop {
            if let Some(item) = self.inbox.borrow_mut().arrived.pop_front() {
                return item;
            }
            let inbox = self.inbox.clone();
            let arrival = js_sys::Promise::new(&mut |wake, _| {
                inbox.borrow_mut().waiting = Some(wake);
            });
            JsFuture::from(arrival).await.map_err(describe)?;
        }
    }

    async fn feed(
        self,
        blob: &Blob,
        ingest: &mut Ingest,
        on_chunk: &mut impl FnMut(&Ingest) -> bool,
    ) -> Fed {
        let size = blob.size() as u64;
        let mut scratch = Vec::new();
        let mut received = 0u64;
        while received < size {
            let buffer = match self.next().await {
                Ok(buffer) => buffer,
                Err(_) if received == 0 => return Fed::NotStarted,
                Err(message) => {
                    return Fed::Failed(format!("the browser could not read it ({message})"))
                }
            };
            received += u64::from(buffer.byte_length());
            // One more slice may be read while this one is decoded.
            let _ = self.worker.post_message(&JsValue::from(1));
            ingest.feed_js(&js_sys::Uint8Array::new(&buffer), &mut scratch);
            if !on_chunk(ingest) {
                return Fed::Stopped;
            }
        }
        Fed::All
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

/// Reads the slices on this thread, one after the other.
async fn read_in_place(
    blob: &Blob,
    ingest: &mut Ingest,
    chunk_bytes: u64,
    mut on_chunk: impl FnMut(&Ingest) -> bool,
) -> Result<bool, String> {
    let size = blob.size() as u64;
    let mut scratch = Vec::new();
    let mut start = 0u64;
    while start < size {
        let end = size.min(start + chunk_bytes);
        let slice = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(describe)?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|e| format!("the browser could not read it ({})", describe(e)))?;
        ingest.feed_js(&js_sys::Uint8Array::new(&buffer), &mut scratch);
        start = end;
        if !on_chunk(ingest) {
            return Ok(false);
        }
    }
    Ok(true)
}
