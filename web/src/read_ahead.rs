//! Reading a file ahead of the decoder, on a thread of its own.
//!
//! A worker that reads a file slice by slice with `Blob.arrayBuffer()` takes in the bytes
//! only between its own tasks: while it decodes one slice, the browser cannot hand it the
//! next, so reading and decoding take turns instead of overlapping. The decoding worker
//! therefore starts a small worker of its own (the few lines of `READER_SCRIPT`, from a
//! Blob URL, so nothing is fetched) that reads the slices and transfers each `ArrayBuffer`
//! to it, `AHEAD` slices ahead of the decoder and no further, so that memory holds a few
//! slices at a time however large the file. The decoder gives each slice back once it
//! has copied it in, and the reader fills the same memory again where the browser lets
//! it. Where a worker cannot start one (an old browser), and for a file of one chunk,
//! which it would take longer to start than to read, the slices are read in place.

use crate::ingest::{copy_in, Ingest};
use crate::protocol::describe;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, MessageEvent};

/// How many slices the reader may have read and the decoder not yet copied out.
const AHEAD: u32 = 4;

/// The most bytes the reader reads at once with `Blob.arrayBuffer()`, as a multiple of the
/// decoder's chunk.
///
/// Each `Blob.arrayBuffer()` costs the browser a fixed amount of work beside the copying,
/// on the threads that decoding needs too. Reading a 114 MB file in headless Chromium
/// on two cores took 250–320 ms of processor time in slices of 4 MB and about 200 ms in
/// slices of 16 MB (the sum over the browser's processes, medians of 5).
const MOST_CHUNKS_PER_SLICE: u64 = 4;

/// The reader: given `{blob, chunk, most, ahead, inflate, sniff, reuse}`, it reads `ahead`
/// slices and posts each `ArrayBuffer` (transferred). The decoder posts every slice back once it
/// has copied it out, and each one given back allows one more.
///
/// With `reuse`, where the browser's file stream can be read into a given buffer (a "byob"
/// reader), the slices are `chunk` bytes (the last one shorter) and the buffers given
/// back are filled again: reading 1.14 GB that way took 1.2 s of processor time in
/// headless Chromium, against 1.8 s in new `Blob.arrayBuffer()` slices of 16 MB, whose
/// fresh memory the system must hand out and clear every time (medians of 5).
///
/// Otherwise the slices come from `Blob.arrayBuffer()`: the first is `chunk` bytes, so
/// that decoding starts early; each next one is twice the one before, up to `most` bytes,
/// but at most half of what is left (rounded up to whole chunks), so that the last slice,
/// decoded after all reading is done, is short again.
///
/// Either way every slice but the last is whole chunks, so the decoder, which takes a
/// slice a chunk at a time, gets the file in chunks of `chunk` bytes.
///
/// With `inflate`, the slices are the file's content inflated by the browser's
/// `DecompressionStream` in batches of `chunk` bytes (into the buffers given back),
/// posted as `{buffer, consumed}` (the compressed bytes read so far) and ended by
/// `{end: true}`. A failure is posted as `{error}`.
///
/// With `sniff`, the decoder does not know yet whether the file is gzip: the reader looks
/// at the first two bytes it reads. If they are gzip's, it posts `{gzip: size}` (the
/// content's size from the trailer, as [`gzip_size`] reads it) and inflates from the
/// start instead; the buffer it was filling, never posted, is kept for reuse.
const READER_SCRIPT: &str = r#""use strict";
let blob = null, chunk = 0, most = 0, size = 0, next = 0, credit = 0, busy = false;
let inflating = false, sniffing = false, wake = null, stream = null;
const spare = [];
onmessage = (event) => {
  if (event.data instanceof ArrayBuffer) {
    credit += 1;
    if (event.data.byteLength === chunk && (stream || inflating)) spare.push(event.data);
  } else {
    ({ blob, chunk, most, inflate: inflating, sniff: sniffing } = event.data);
    size = chunk;
    credit += event.data.ahead;
    if (inflating) {
      inflate().catch((error) => postMessage({ error: String(error) }));
      return;
    }
    try {
      stream = event.data.reuse ? blob.stream().getReader({ mode: "byob" }) : null;
    } catch {
      stream = null;
    }
  }
  if (!inflating) {
    pump().catch((error) => postMessage({ error: String(error) }));
  } else if (wake) {
    wake();
    wake = null;
  }
};
async function pump() {
  if (busy) return;
  busy = true;
  while (credit > 0 && next < blob.size) {
    credit -= 1;
    const buffer = await (stream ? fill() : slice());
    if (sniffing && isGzip(buffer)) {
      await inflateInstead(buffer);
      return;
    }
    sniffing = false;
    postMessage(buffer, [buffer]);
  }
  busy = false;
}
function isGzip(buffer) {
  const head = new Uint8Array(buffer, 0, Math.min(2, buffer.byteLength));
  return head[0] === 0x1f && head[1] === 0x8b;
}
async function inflateInstead(first) {
  if (stream) stream.cancel().catch(() => {});
  stream = null;
  inflating = true;
  credit += 1;
  sniffing = false;
  if (first.byteLength === chunk) spare.push(first);
  const trailer = new DataView(await blob.slice(blob.size - 4).arrayBuffer());
  postMessage({ gzip: trailer.getUint32(0, true) });
  await inflate();
}
async function fill() {
  const want = Math.min(chunk, blob.size - next);
  let buffer = spare.pop();
  if (!buffer || buffer.byteLength !== want) buffer = new ArrayBuffer(want);
  let filled = 0;
  while (filled < want) {
    const { done, value } = await stream.read(new Uint8Array(buffer, filled, want - filled));
    if (done) {
      const read = next + filled;
      throw new Error(`the file ended after ${read} of its ${blob.size} bytes; was it changed?`);
    }
    buffer = value.buffer;
    filled += value.byteLength;
    // Gzip is told from the first bytes the stream gives, not from a whole slice.
    if (sniffing && filled >= 2 && isGzip(buffer)) return buffer;
  }
  next += want;
  return buffer;
}
async function slice() {
  const left = blob.size - next;
  const half = Math.ceil(left / 2 / chunk) * chunk;
  const end = next + Math.min(left, Math.max(chunk, Math.min(size, half)));
  size = Math.min(most, size * 2);
  const buffer = await blob.slice(next, end).arrayBuffer();
  next = end;
  return buffer;
}
async function inflate() {
  let consumed = 0;
  const counted = blob.stream().pipeThrough(new TransformStream({
    transform(part, out) {
      consumed += part.byteLength;
      out.enqueue(part);
    },
  }));
  const source = counted.pipeThrough(new DecompressionStream("gzip")).getReader();
  const fresh = () => new Uint8Array(spare.pop() || new ArrayBuffer(chunk));
  let batch = fresh(), filled = 0;
  const send = async (buffer) => {
    while (credit <= 0) await new Promise((resolve) => { wake = resolve; });
    credit -= 1;
    postMessage({ buffer, consumed }, [buffer]);
  };
  for (;;) {
    const { done, value } = await source.read();
    if (done) break;
    let at = 0;
    while (at < value.length) {
      const n = Math.min(value.length - at, chunk - filled);
      batch.set(value.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === chunk) {
        await send(batch.buffer);
        batch = fresh();
        filled = 0;
      }
    }
  }
  if (filled > 0) await send(batch.slice(0, filled).buffer);
  postMessage({ end: true });
}
"#;

/// When a reader's worker is ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderEnd {
    /// Once the file is read (or reading it stopped), in a worker that goes on to read
    /// other files.
    WithFile,
    /// With this worker, in a worker that the page ends once it has the file's table.
    ///
    /// Ending the reader's worker from here just before the page ended this one left it,
    /// now and then, among Chromium's workers for as long as the page stayed open, started
    /// and answering nothing (3 loads in 20 where a file was removed near the end of its
    /// reading). A reader's worker ended together with this one, by the browser, was
    /// never left.
    WithWorker,
}

/// What a plain file's slices are read into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slices {
    /// The buffers the decoder gives back, filled again from the file's byte stream; new
    /// buffers, as with [`Slices::New`], where the browser has no byte stream to read into
    /// them.
    Reused,
    /// A new buffer from `Blob.arrayBuffer()` for every slice.
    New,
}

/// Reads `blob` and feeds it to `ingest` in chunks of `chunk_bytes`, calling `on_chunk`
/// after each; `on_chunk` returns false to stop. Returns whether the whole blob was read.
/// A reader's worker, if one reads it, is ended as `end` says.
///
/// Slices are read as bytes, never as text: bytes are what the decoder takes, and browsers
/// return an empty string, without an error, for text past ~512 MB.
///
/// A gzip file is inflated by the reader with the browser's `DecompressionStream`, so that
/// inflating and decoding run on two threads. That inflater reads one gzip member and
/// stops with an error on anything after it, and says less about damage than the
/// decoder's own; so when it fails for any reason, what it gave is thrown away and the
/// file is read again as compressed bytes, inflated by the decoder (which reads every
/// member and reports where damage starts). Either way the records and issues are the same.
///
/// A file whose content (inflated, for gzip) is no larger than one chunk is read here, in
/// one read of the whole file, as is: a reader's worker took 30–40 ms to start and hand
/// over its first slice, many times what reading or inflating that much takes, and a
/// folder of small files would pay it for every one. So a file of one chunk or less is
/// read here first, and goes to the reader only if it is gzip whose content is larger; a
/// larger file goes to the reader at once, which tells gzip by its first bytes itself:
/// looking here first took 2–8 ms before the reader was asked.
///
/// `asked`, if given, is the whole file's content already asked for with [`ask_whole`]: a
/// file of one chunk or less is then taken from it instead of being read again.
pub async fn read_blob(
    blob: &Blob,
    asked: Option<AskedWhole>,
    ingest: &mut Ingest,
    chunk_bytes: u64,
    slices: Slices,
    end: ReaderEnd,
    mut on_chunk: impl FnMut(&Ingest) -> bool,
) -> Result<bool, String> {
    let chunk_bytes = chunk_bytes.max(1);
    let size = blob.size() as u64;
    let first_reader = if size <= chunk_bytes {
        let whole = match read_whole(asked.unwrap_or_else(|| ask_whole(blob, chunk_bytes))).await? {
            Whole::Bytes(whole) => whole,
            Whole::Inflated(content, consumed) => {
                ingest.take_inflated(u64::from(content.length()));
                let mut scratch = Vec::new();
                copy_in(&content, &mut scratch);
                ingest.feed_inflated(&scratch, consumed);
                return Ok(on_chunk(ingest));
            }
        };
        match gzip_content_size(&whole) {
            Some(inflated_size) if inflated_size > chunk_bytes => {
                Reader::start(blob, chunk_bytes, Start::Inflate, slices, end)
                    .ok()
                    .map(|reader| (reader, Some(inflated_size)))
            }
            _ => {
                ingest.feed_js(&whole, &mut Vec::new());
                return Ok(on_chunk(ingest));
            }
        }
    } else {
        match Reader::start(blob, chunk_bytes, Start::Sniff, slices, end) {
            Ok(reader) => {
                reader.make_memory_ready(size).await;
                let inflated_size = reader.gzip_found().await;
                Some((reader, inflated_size))
            }
            Err(_) => None,
        }
    };
    // The reader of the file's bytes: the sniffing one if it found no gzip, or else a new
    // one (after the browser failed to inflate the file, or if no reader started).
    let reader = match first_reader {
        Some((reader, Some(inflated_size))) => {
            ingest.take_inflated(inflated_size);
            reader.make_memory_ready(inflated_size).await;
            match reader.feed_inflated(ingest, &mut on_chunk).await {
                Fed::All => return Ok(true),
                Fed::Stopped => return Ok(false),
                // Read again below as compressed bytes, which the decoder inflates.
                Fed::Failed(_) | Fed::NotStarted => ingest.start_over(),
            }
            None
        }
        Some((reader, None)) => Some(reader),
        None => None,
    };
    let reader = match reader {
        Some(reader) => Some(reader),
        None => match Reader::start(blob, chunk_bytes, Start::Plain, slices, end) {
            Ok(reader) => {
                reader.make_memory_ready(size).await;
                Some(reader)
            }
            Err(_) => None,
        },
    };
    if let Some(reader) = reader {
        match reader.feed(blob, ingest, chunk_bytes, &mut on_chunk).await {
            Fed::All => return Ok(true),
            Fed::Stopped => return Ok(false),
            Fed::Failed(message) => return Err(message),
            // The reader could not run here; nothing was fed, so reading in place is safe.
            Fed::NotStarted => {}
        }
    }
    read_in_place(blob, ingest, chunk_bytes, on_chunk).await
}

/// The most memory [`Reader::make_memory_ready`] touches: about what it can touch in the
/// time a reader takes to hand over its first slice (in headless Chromium on two cores,
/// 12–20 ms after it is asked for; touching 38 MB took 15–26 ms).
const MOST_MEMORY_MADE_READY: usize = 32 << 20;

/// How much memory [`Reader::make_memory_ready`] touches in one task: about half a
/// millisecond's work, so that the reader's first slice is taken soon after it comes.
const MEMORY_MADE_READY_PER_TASK: usize = 1 << 20;

/// Resolves in a task of its own, after the messages already waiting have been handled.
pub async fn next_task() {
    // A message to itself, not a timer: browsers make nested timers wait 4 ms each, which
    // would stretch many short steps for nothing.
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Ok(channel) = web_sys::MessageChannel::new() else {
            let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
            let _ = scope.set_timeout_with_callback(&resolve);
            return;
        };
        channel.port1().set_onmessage(Some(&resolve));
        let _ = channel.port2().post_message(&JsValue::NULL);
    });
    let _ = JsFuture::from(promise).await;
}

/// The inflater: given `{n, blob, most}`, it reads the whole blob and, if it is gzip whose
/// content is at most `most` bytes by its trailer, inflates it with the browser's
/// `DecompressionStream` and posts `{n, inflated, consumed}` (the content, and the file's
/// size); otherwise, and whenever inflating fails or gives other than the trailer's size,
/// it posts `{n, raw}`, the file's bytes as they are. Both buffers are transferred. A file
/// it cannot read is `{n, error}`. Several files may be asked for at once. It posts
/// `{ready: true}` once it runs.
const INFLATER_SCRIPT: &str = r#""use strict";
postMessage({ ready: true });
onmessage = async (event) => {
  const { n, blob, most } = event.data;
  let raw;
  try {
    raw = await blob.arrayBuffer();
  } catch (error) {
    postMessage({ n, error: String(error) });
    return;
  }
  const inflated = await inflate(raw, most).catch(() => null);
  if (inflated) postMessage({ n, inflated, consumed: raw.byteLength }, [inflated]);
  else postMessage({ n, raw }, [raw]);
};
async function inflate(raw, most) {
  const bytes = new Uint8Array(raw);
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return null;
  const size = new DataView(raw, bytes.length - 4).getUint32(0, true);
  if (size > most) return null;
  const content = new Uint8Array(size);
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const reader = source.pipeThrough(new DecompressionStream("gzip")).getReader();
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (filled + value.length > size) {
      reader.cancel().catch(() => {});
      return null;
    }
    content.set(value, filled);
    filled += value.length;
  }
  return filled === size ? content.buffer : null;
}
"#;

/// Starts a worker of `script` from a Blob URL, so nothing is fetched; returns it with the
/// URL, which its owner revokes when it ends the worker.
fn worker_of_script(script: &str) -> Result<(web_sys::Worker, String), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let script = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&script)?;
    match web_sys::Worker::new(&url) {
        Ok(worker) => Ok((worker, url)),
        Err(error) => {
            let _ = web_sys::Url::revoke_object_url(&url);
            Err(error)
        }
    }
}

/// The `resolve` and `reject` of the promise of each file asked of the inflater, by number,
/// until its reply comes.
type Asked = Rc<RefCell<HashMap<u32, (js_sys::Function, js_sys::Function)>>>;

/// A worker of [`INFLATER_SCRIPT`] and the files asked of it.
struct Inflater {
    worker: web_sys::Worker,
    url: String,
    next: std::cell::Cell<u32>,
    /// Set once the worker runs: until then a file asked of it would wait for it to start.
    ready: Rc<std::cell::Cell<bool>>,
    waiting: Asked,
    /// Set once the worker has failed (its script refused, say): files are then read here.
    failed: Rc<std::cell::Cell<bool>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    /// This worker's inflater, once prepared.
    static INFLATER: RefCell<Option<Inflater>> = const { RefCell::new(None) };
}

impl Inflater {
    /// Starts an inflater's worker of [`INFLATER_SCRIPT`].
    fn start() -> Result<Inflater, JsValue> {
        let (worker, url) = worker_of_script(INFLATER_SCRIPT)?;
        let waiting: Asked = Rc::default();
        let failed = Rc::new(std::cell::Cell::new(false));
        let ready = Rc::new(std::cell::Cell::new(false));
        let on_message = {
            let waiting = waiting.clone();
            let ready = ready.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let get = |key: &str| js_sys::Reflect::get(&data, &key.into()).unwrap_or_default();
                if get("ready").is_truthy() {
                    ready.set(true);
                    return;
                }
                let Some(n) = get("n").as_f64() else { return };
                let Some((resolve, reject)) = waiting.borrow_mut().remove(&(n as u32)) else {
                    return;
                };
                let error = get("error");
                let _ = if error.is_undefined() {
                    resolve.call1(&JsValue::NULL, &data)
                } else {
                    reject.call1(&JsValue::NULL, &error)
                };
            })
        };
        let on_error = {
            let waiting = waiting.clone();
            let failed = failed.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                failed.set(true);
                for (_, (_, reject)) in waiting.borrow_mut().drain() {
                    let _ = reject.call1(&JsValue::NULL, &"the inflater stopped".into());
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Inflater {
            worker,
            url,
            next: std::cell::Cell::new(0),
            ready,
            waiting,
            failed,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Asks for `blob`'s content, inflated if it is gzip of at most `most` bytes; `None` if
    /// the inflater is not running yet, or has failed.
    fn ask(&self, blob: &Blob, most: u64) -> Option<js_sys::Promise> {
        if !self.ready.get() || self.failed.get() {
            return None;
        }
        let n = self.next.get();
        self.next.set(n.wrapping_add(1));
        let request = js_sys::Object::new();
        js_sys::Reflect::set(&request, &"n".into(), &n.into()).ok()?;
        js_sys::Reflect::set(&request, &"blob".into(), blob).ok()?;
        js_sys::Reflect::set(&request, &"most".into(), &(most as f64).into()).ok()?;
        let waiting = self.waiting.clone();
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            waiting.borrow_mut().insert(n, (resolve, reject));
        });
        if self.worker.post_message(&request).is_err() {
            self.waiting.borrow_mut().remove(&n);
            return None;
        }
        Some(promise)
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

/// Starts this worker's inflater, if it has none, so that the small files it reads next
/// are inflated on another thread (see [`ask_whole`]) once the inflater runs: a worker
/// takes 30–40 ms to start, and the files asked for meanwhile are read here.
pub fn prepare_inflater() {
    INFLATER.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Inflater::start().ok();
        }
    });
}

/// Whether this worker's inflater runs (see [`prepare_inflater`]).
pub fn inflater_runs() -> bool {
    INFLATER.with(|slot| {
        slot.borrow()
            .as_ref()
            .is_some_and(|inflater| inflater.ready.get() && !inflater.failed.get())
    })
}

/// A whole file's content, asked for and not yet come: see [`ask_whole`].
pub struct AskedWhole {
    blob: Blob,
    promise: js_sys::Promise,
}

/// Asks for a small file's whole content, which comes while this thread goes on.
///
/// A folder of S3 objects holds hundreds of small gzip files. Where the inflater runs
/// (see [`prepare_inflater`]), it reads the file and inflates it, if it is gzip of at most
/// `most` bytes, with the browser's `DecompressionStream` on a thread of its own: inflating
/// in WebAssembly was a third of the decoding worker's time over such a folder. Otherwise
/// the file's bytes are read by the browser (`Blob.arrayBuffer()`). Either way, asking
/// for the next file while the one before is decoded keeps the decoder from waiting for
/// every read in turn.
pub fn ask_whole(blob: &Blob, most: u64) -> AskedWhole {
    let promise = INFLATER
        .with(|slot| {
            slot.borrow()
                .as_ref()
                .and_then(|inflater| inflater.ask(blob, most))
        })
        .unwrap_or_else(|| blob.array_buffer());
    AskedWhole {
        blob: blob.clone(),
        promise,
    }
}

/// A small file's whole content.
enum Whole {
    /// The file's bytes, as they are.
    Bytes(js_sys::Uint8Array),
    /// A gzip file's content, inflated, and the file's size.
    Inflated(js_sys::Uint8Array, u64),
}

/// A small file's content, in one read of the whole file: a folder of S3 objects holds
/// hundreds of them, and each `Blob.slice` and `Blob.arrayBuffer()` of a file on disk costs
/// the browser a round trip to the process that reads it.
async fn read_whole(asked: AskedWhole) -> Result<Whole, String> {
    let reply = match JsFuture::from(asked.promise).await {
        Ok(reply) => reply,
        // The inflater could not read it, or stopped: read here, which says why if the
        // browser cannot read the file.
        Err(_) => JsFuture::from(asked.blob.array_buffer())
            .await
            .map_err(|e| format!("the browser could not read it ({})", describe(e)))?,
    };
    let reply = match reply.dyn_into::<js_sys::ArrayBuffer>() {
        Ok(buffer) => return Ok(Whole::Bytes(js_sys::Uint8Array::new(&buffer))),
        Err(reply) => reply,
    };
    let get = |key: &str| js_sys::Reflect::get(&reply, &key.into()).unwrap_or_default();
    match (
        get("inflated").dyn_into::<js_sys::ArrayBuffer>(),
        get("consumed").as_f64(),
    ) {
        (Ok(content), Some(consumed)) => Ok(Whole::Inflated(
            js_sys::Uint8Array::new(&content),
            consumed as u64,
        )),
        _ => get("raw")
            .dyn_into::<js_sys::ArrayBuffer>()
            .map(|raw| Whole::Bytes(js_sys::Uint8Array::new(&raw)))
            .map_err(|_| "the file reader sent something else".to_owned()),
    }
}

/// The size of a gzip file's content, from its trailer, if `bytes` (the whole file) start
/// like gzip.
///
/// The trailer holds the last member's size modulo 4 GiB: exact for the usual file of one
/// member under 4 GiB, and only used to size the columns, which grow past it if need be.
fn gzip_content_size(bytes: &js_sys::Uint8Array) -> Option<u64> {
    let size = bytes.length();
    // A header of 10 bytes and a trailer of 8 at the least.
    if size < 18 || bytes.get_index(0) != 0x1f || bytes.get_index(1) != 0x8b {
        return None;
    }
    let trailer: [u8; 4] = std::array::from_fn(|i| bytes.get_index(size - 4 + i as u32));
    Some(u64::from(u32::from_le_bytes(trailer)))
}

/// How feeding from the reader ended.
enum Fed {
    All,
    Stopped,
    Failed(String),
    NotStarted,
}

/// One message from the reader.
enum Arrival {
    /// A slice of the file.
    Slice(js_sys::ArrayBuffer),
    /// Inflated content, and the compressed bytes read for it so far.
    Inflated(js_sys::ArrayBuffer, u64),
    /// The end of the inflated content.
    End,
    /// The file is gzip, and its content this many bytes (see [`Start::Sniff`]).
    Gzip(u64),
    Failed(String),
}

impl Arrival {
    fn of(data: JsValue) -> Arrival {
        let data = match data.dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => return Arrival::Slice(buffer),
            Err(data) => data,
        };
        let get = |key: &str| js_sys::Reflect::get(&data, &key.into()).unwrap_or_default();
        if let Some(error) = get("error").as_string() {
            return Arrival::Failed(error);
        }
        if get("end").is_truthy() {
            return Arrival::End;
        }
        if let Some(size) = get("gzip").as_f64() {
            return Arrival::Gzip(size as u64);
        }
        match (get("buffer").dyn_into(), get("consumed").as_f64()) {
            (Ok(buffer), Some(consumed)) => Arrival::Inflated(buffer, consumed as u64),
            _ => Arrival::Failed("the file reader sent something else".into()),
        }
    }
}

/// What the reader has sent and the decoder not yet taken, and the decoder's wake-up call
/// when it waits for more.
#[derive(Default)]
struct Inbox {
    arrived: VecDeque<Arrival>,
    waiting: Option<js_sys::Function>,
}

impl Inbox {
    fn deliver(inbox: &RefCell<Inbox>, item: Arrival) {
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

/// A reader's worker started before there is a file to read, so that the next file's
/// first slice does not wait for a worker to start: in headless Chromium on two cores,
/// starting one took 30–40 ms before it handed over its first slice.
struct Spare {
    started: ReaderWorker,
    /// Set if the worker failed to start before it was taken (the script refused, say),
    /// whose error event would otherwise be lost; a fresh worker is started instead.
    failed: Rc<std::cell::Cell<bool>>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    /// The spare reader, if one was prepared and not yet taken.
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

impl Spare {
    /// Starts a reader's worker of [`READER_SCRIPT`].
    fn start() -> Result<Spare, JsValue> {
        let (worker, url) = worker_of_script(READER_SCRIPT)?;
        let failed = Rc::new(std::cell::Cell::new(false));
        let on_error = {
            let failed = failed.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                failed.set(true);
            })
        };
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Spare {
            started: ReaderWorker {
                worker,
                url,
                end: ReaderEnd::WithFile,
            },
            failed,
            _on_error: on_error,
        })
    }

    /// The spare reader if there is a sound one, or else a new one. The caller installs its
    /// own handlers in the same task, so no event falls between the two.
    fn take_or_start() -> Result<Spare, JsValue> {
        match SPARE.with(|spare| spare.borrow_mut().take()) {
            Some(spare) if !spare.failed.get() => Ok(spare),
            // A spare that failed is dropped, which ends its worker.
            _ => Spare::start(),
        }
    }
}

/// A reader's worker and the Blob URL of its script; dropping it frees the URL and ends
/// the worker, whether it was still a spare or was reading, unless it is to end with this
/// worker.
struct ReaderWorker {
    worker: web_sys::Worker,
    url: String,
    end: ReaderEnd,
}

impl Drop for ReaderWorker {
    fn drop(&mut self) {
        if self.end == ReaderEnd::WithFile {
            self.worker.terminate();
        }
        let _ = web_sys::Url::revoke_object_url(&self.url);
    }
}

/// Starts a reader's worker now, to be taken by the next file read with one; does nothing
/// if one is waiting already. A worker with nothing to read calls this while idle.
pub fn prepare_reader() {
    SPARE.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Spare::start().ok();
        }
    });
}

/// What a reader is to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    /// The file's bytes as they are.
    Plain,
    /// The content of a gzip file, inflated by the browser.
    Inflate,
    /// The file's bytes, unless the first two are gzip's: then the reader says so with
    /// the content's size ([`Arrival::Gzip`]) and inflates it, as with [`Start::Inflate`].
    Sniff,
}

/// A running reader; dropping it ends the reader's worker and frees its URL.
struct Reader {
    started: ReaderWorker,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Reader {
    /// Starts a reader of `blob` as `start_as` says, in the spare reader's worker if there
    /// is one (see [`prepare_reader`]).
    fn start(
        blob: &Blob,
        chunk_bytes: u64,
        start_as: Start,
        slices: Slices,
        end: ReaderEnd,
    ) -> Result<Reader, JsValue> {
        let Spare { mut started, .. } = Spare::take_or_start()?;
        started.end = end;
        let worker = &started.worker;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let on_message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                Inbox::deliver(&inbox, Arrival::of(event.data()));
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                Inbox::deliver(&inbox, Arrival::Failed("the file reader stopped".into()));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let reader = Reader {
            started,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        };
        let start = js_sys::Object::new();
        js_sys::Reflect::set(&start, &"blob".into(), blob)?;
        js_sys::Reflect::set(&start, &"chunk".into(), &(chunk_bytes as f64).into())?;
        let most = chunk_bytes.saturating_mul(MOST_CHUNKS_PER_SLICE);
        js_sys::Reflect::set(&start, &"most".into(), &(most as f64).into())?;
        js_sys::Reflect::set(&start, &"ahead".into(), &AHEAD.into())?;
        let inflate = start_as == Start::Inflate;
        js_sys::Reflect::set(&start, &"inflate".into(), &inflate.into())?;
        let sniff = start_as == Start::Sniff;
        js_sys::Reflect::set(&start, &"sniff".into(), &sniff.into())?;
        let reuse = slices == Slices::Reused;
        js_sys::Reflect::set(&start, &"reuse".into(), &reuse.into())?;
        reader.started.worker.post_message(&start)?;
        Ok(reader)
    }

    /// Makes memory ready for the table of `content_bytes` of text while the reader reads
    /// the first slice, time in which the decoder would otherwise wait.
    ///
    /// WebAssembly memory comes from the system as pages that are cleared on first use,
    /// and in Chromium first use costs about half a millisecond per MB: a 1M-record file
    /// (114 MB of text, a table of about 35 MB) spent 20–25 ms of its decoding on it. The
    /// memory is allocated, each 4 KiB page written once, and freed; the allocator hands
    /// the same memory to the columns. At most a third of the text is touched: in the
    /// default format the table takes 0.29 bytes per byte of text, and the decoder a chunk
    /// besides, so the memory would have been taken anyway. Longer lines and JSON exports
    /// make smaller tables for their size and may leave part of it unused, but never more
    /// than 32 MB, kept with the tab as all WebAssembly memory is.
    ///
    /// The touching gives way to the worker's other tasks after every MB, and stops when
    /// the first slice arrives: touched in one go, it ran up to 7 ms past the slice's
    /// arrival, and kept the page's messages (a file removed, say) waiting as long.
    async fn make_memory_ready(&self, content_bytes: u64) {
        let bytes = usize::try_from(content_bytes / 3)
            .unwrap_or(usize::MAX)
            .min(MOST_MEMORY_MADE_READY);
        let mut block: Vec<u8> = Vec::with_capacity(bytes);
        let mut touched = 0;
        while touched < bytes && self.inbox.borrow().arrived.is_empty() {
            let end = bytes.min(touched + MEMORY_MADE_READY_PER_TASK);
            for page in block.spare_capacity_mut()[touched..end].chunks_mut(4096) {
                page[0].write(0);
            }
            touched = end;
            next_task().await;
        }
        // Without this, writes to memory freed unread could be left out as useless.
        std::hint::black_box(&mut block);
    }

    /// Waits for the reader's first message and, if it says the file is gzip (see
    /// [`Start::Sniff`]), takes it and returns the content's size; any other message is
    /// left for the feeding to take.
    async fn gzip_found(&self) -> Option<u64> {
        match self.next().await {
            Arrival::Gzip(size) => Some(size),
            other => {
                self.inbox.borrow_mut().arrived.push_front(other);
                None
            }
        }
    }

    /// The next message, waiting for it if it has not arrived.
    async fn next(&self) -> Arrival {
        loop {
            if let Some(item) = self.inbox.borrow_mut().arrived.pop_front() {
                return item;
            }
            let inbox = self.inbox.clone();
            let arrival = js_sys::Promise::new(&mut |wake, _| {
                inbox.borrow_mut().waiting = Some(wake);
            });
            if let Err(error) = JsFuture::from(arrival).await {
                return Arrival::Failed(describe(error));
            }
        }
    }

    /// Gives a slice back to the reader once it has been copied out, which lets the reader
    /// read one more (into the same memory, where it can).
    fn give_back(&self, buffer: &js_sys::ArrayBuffer) {
        let _ = self
            .started
            .worker
            .post_message_with_transfer(buffer, &js_sys::Array::of1(buffer));
    }

    async fn feed(
        self,
        blob: &Blob,
        ingest: &mut Ingest,
        chunk_bytes: u64,
        on_chunk: &mut impl FnMut(&Ingest) -> bool,
    ) -> Fed {
        let chunk_bytes = u32::try_from(chunk_bytes).unwrap_or(u32::MAX);
        let size = blob.size() as u64;
        let mut scratch = Vec::new();
        let mut received = 0u64;
        while received < size {
            let buffer = match self.next().await {
                Arrival::Slice(buffer) => buffer,
                Arrival::Failed(_) if received == 0 => return Fed::NotStarted,
                Arrival::Failed(message) => {
                    return Fed::Failed(format!("the browser could not read it ({message})"))
                }
                Arrival::Inflated(..) | Arrival::End | Arrival::Gzip(_) => {
                    return Fed::Failed("the file reader sent something else".into())
                }
            };
            received += u64::from(buffer.byte_length());
            // A slice goes into WebAssembly memory a chunk at a time: that memory never
            // shrinks, so the scratch buffer stays the size of a chunk however large the
            // slices are. The slice goes back to the reader as soon as its last chunk is
            // copied out, so that the reader fills it again while that chunk is decoded.
            let slice = js_sys::Uint8Array::new(&buffer);
            let length = slice.length();
            let mut at = 0;
            while at < length {
                let end = length.min(at.saturating_add(chunk_bytes));
                copy_in(&slice.subarray(at, end), &mut scratch);
                if end == length {
                    self.give_back(&buffer);
                }
                ingest.feed(&scratch);
                at = end;
                if !on_chunk(ingest) {
                    return Fed::Stopped;
                }
            }
        }
        Fed::All
    }

    /// Feeds the inflated content to `ingest` until the reader says it has ended.
    async fn feed_inflated(
        self,
        ingest: &mut Ingest,
        on_chunk: &mut impl FnMut(&Ingest) -> bool,
    ) -> Fed {
        let mut scratch = Vec::new();
        loop {
            let (buffer, consumed) = match self.next().await {
                Arrival::Inflated(buffer, consumed) => (buffer, consumed),
                Arrival::End => return Fed::All,
                Arrival::Failed(message) => return Fed::Failed(message),
                Arrival::Slice(_) | Arrival::Gzip(_) => {
                    return Fed::Failed("the file reader sent bytes".into())
                }
            };
            copy_in(&js_sys::Uint8Array::new(&buffer), &mut scratch);
            self.give_back(&buffer);
            ingest.feed_inflated(&scratch, consumed);
            if !on_chunk(ingest) {
                return Fed::Stopped;
            }
        }
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

#[cfg(all(test, target_arch = "wasm32"))]
mod in_the_browser {
    use super::*;
    use crate::ingest::gzip;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn blob_of(bytes: &[u8]) -> Blob {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        Blob::new_with_u8_array_sequence(&parts).unwrap()
    }

    /// What the inflater made of `file`: `Some(content)` if it inflated it, `None` if it
    /// gave the bytes back as they are (which it must do exactly).
    async fn asked(file: &[u8], most: u64) -> Option<Vec<u8>> {
        prepare_inflater();
        for _ in 0..100_000 {
            if inflater_runs() {
                break;
            }
            next_task().await;
        }
        assert!(inflater_runs(), "the inflater never ran");
        match read_whole(ask_whole(&blob_of(file), most)).await.unwrap() {
            Whole::Inflated(content, consumed) => {
                assert_eq!(consumed, file.len() as u64);
                Some(content.to_vec())
            }
            Whole::Bytes(bytes) => {
                assert_eq!(bytes.to_vec(), file);
                None
            }
        }
    }

    #[wasm_bindgen_test]
    async fn the_inflater_inflates_only_what_it_can_inflate_whole() {
        let text = b"2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1 61 ACCEPT OK\n"
            .repeat(50);
        let one = gzip(&[&text]);
        assert!(asked(&one, 1 << 20).await == Some(text.clone()), "inflated");
        assert!(
            asked(&gzip(&[b""]), 1 << 20).await == Some(Vec::new()),
            "empty"
        );
        // Larger than asked for, by its trailer: read in slices by a reader instead.
        assert!(
            asked(&one, text.len() as u64 - 1).await.is_none(),
            "too large"
        );
        // Not gzip, two members (the browser's inflater reads one), a wrong checksum, cut
        // short: the decoder reads them, and says where the damage is.
        assert!(asked(&text, 1 << 20).await.is_none(), "not gzip");
        let two = gzip(&[&text[..100], &text[100..]]);
        assert!(asked(&two, 1 << 20).await.is_none(), "two members");
        let mut bad_check = one.clone();
        let at = bad_check.len() - 8;
        bad_check[at] ^= 0xff;
        assert!(
            asked(&bad_check, 1 << 20).await.is_none(),
            "a wrong checksum"
        );
        let cut = &one[..one.len() - 30];
        assert!(asked(cut, 1 << 20).await.is_none(), "cut short");
    }
}
