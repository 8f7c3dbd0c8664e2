//! The JavaScript boundary, in a real browser: bytes from JavaScript buffers and blobs
//! through the same code the worker runs, and the messages between page and worker.
//!
//! Run with `wasm-bindgen-test-runner` in headless Chromium (see `tests/e2e/README.md`).

#![cfg(target_arch = "wasm32")]

use flowlens_web::ingest::Ingest;
use flowlens_web::protocol::{
    load_request, read_reply, read_request, to_js, with_attachment, FileResult, FormatView,
    FromWorker, IssueExample, JsImage, ToWorker, Totals, IMAGE,
};
use flowlens_web::read_ahead::{
    ask_whole, inflater_runs, next_task, prepare_inflater, prepare_reader, read_blob, ReaderEnd,
    Slices,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The AWS guide's default-format examples, behind a header line.
const GUIDE: &str = "\
version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA
2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA
2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK
2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK
";

/// What the engine says about `bytes` when given them whole, natively in the same module.
fn whole(bytes: &[u8]) -> FileResult {
    let mut ingest = Ingest::new(1, "guide.log", bytes.len() as u64, None).unwrap();
    ingest.feed(bytes);
    ingest.finish().1
}

fn blob_of(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

#[wasm_bindgen_test]
fn bytes_from_a_uint8array_decode_like_rust_bytes() {
    let array = js_sys::Uint8Array::from(GUIDE.as_bytes());
    let expected = whole(GUIDE.as_bytes());
    assert_eq!(expected.totals.records, 7);
    assert_eq!(expected.totals.bytes, 18_025);
    assert_eq!(expected.totals.packets, 102);
    assert_eq!(expected.issues, 0);

    // Views into one JavaScript buffer, cut at awkward places (inside fields, inside a
    // line ending), as `arrayBuffer()` slices of a file can be.
    for step in [1u32, 7, 64, 1000] {
        let mut ingest = Ingest::new(1, "guide.log", u64::from(array.length()), None).unwrap();
        let mut scratch = Vec::new();
        let mut start = 0;
        while start < array.length() {
            let end = array.length().min(start + step);
            ingest.feed_js(&array.subarray(start, end), &mut scratch);
            start = end;
        }
        assert_eq!(ingest.finish().1, expected, "chunks of {step} bytes");
    }
}

/// Reads `file` through `read_blob` in chunks of `chunk` bytes, to its end; returns what
/// the page is told and the progress after each chunk.
async fn read_in_slices(
    name: &str,
    file: &[u8],
    chunk: u64,
    slices: Slices,
) -> (FileResult, Vec<u64>) {
    let blob = blob_of(file);
    let mut ingest = Ingest::new(1, name, blob.size() as u64, None).unwrap();
    let mut progress = Vec::new();
    let complete = read_blob(
        &blob,
        None,
        &mut ingest,
        chunk,
        slices,
        ReaderEnd::WithFile,
        |ingest| {
            progress.push(ingest.bytes_read());
            true
        },
    )
    .await
    .unwrap();
    assert!(complete);
    (ingest.finish().1, progress)
}

#[wasm_bindgen_test]
async fn a_blob_is_read_in_slices_with_progress() {
    // Reused buffers are many more than the reader holds at once (the guide is 9 chunks);
    // new slices grow past a chunk. Either way the decoder gets whole chunks.
    for slices in [Slices::Reused, Slices::New] {
        let (result, progress) = read_in_slices("guide.log", GUIDE.as_bytes(), 100, slices).await;
        let len = GUIDE.len() as u64;
        assert_eq!(progress.len() as u64, len.div_ceil(100), "{slices:?}");
        assert_eq!(progress.last(), Some(&len), "{slices:?}");
        assert!(
            progress
                .windows(2)
                .all(|w| w[1] - w[0] == 100 || w[1] == len),
            "{slices:?}"
        );
        assert_eq!(result, whole(GUIDE.as_bytes()), "{slices:?}");
    }
}

#[wasm_bindgen_test]
async fn files_read_by_spare_readers_are_read_whole() {
    // A spare is taken by the next file, and one prepared after it by the file after that;
    // a spare prepared twice is still one.
    for _ in 0..2 {
        prepare_reader();
        prepare_reader();
        let (result, progress) =
            read_in_slices("guide.log", GUIDE.as_bytes(), 100, Slices::Reused).await;
        assert_eq!(progress.last(), Some(&(GUIDE.len() as u64)));
        assert_eq!(result, whole(GUIDE.as_bytes()));
    }
}

#[wasm_bindgen_test]
async fn a_blob_of_one_chunk_is_read_whole() {
    let (result, progress) =
        read_in_slices("guide.log", GUIDE.as_bytes(), 1 << 20, Slices::Reused).await;
    assert_eq!(progress, [GUIDE.len() as u64]);
    assert_eq!(result, whole(GUIDE.as_bytes()));
}

#[wasm_bindgen_test]
async fn a_small_file_asked_for_ahead_is_read_from_what_was_asked() {
    // The blob read is not the one asked for: what was asked must be what is decoded,
    // read by the browser here, then (once the inflater is prepared) read, and inflated
    // for gzip, by the inflater; the page is told the same either way.
    let guide = GUIDE.as_bytes();
    let zipped = gzip(&[guide]);
    let two_members = gzip(&[&guide[..500], &guide[500..]]);
    let files = [
        ("guide.log", guide),
        ("guide.log.gz", &zipped[..]),
        ("guide.log.gz", &two_members[..]),
    ];
    for inflater in [false, true] {
        if inflater {
            prepare_inflater();
            for _ in 0..100_000 {
                if inflater_runs() {
                    break;
                }
                next_task().await;
            }
        }
        assert_eq!(inflater_runs(), inflater);
        for (name, asked) in files {
            let mut ingest = Ingest::new(1, name, asked.len() as u64, None).unwrap();
            let other = blob_of(&vec![b'#'; asked.len()]);
            let complete = read_blob(
                &other,
                Some(ask_whole(&blob_of(asked), 1 << 20)),
                &mut ingest,
                1 << 20,
                Slices::Reused,
                ReaderEnd::WithFile,
                |_| true,
            )
            .await
            .unwrap();
            assert!(complete, "{name}");
            let expected = {
                let mut ingest = Ingest::new(1, name, asked.len() as u64, None).unwrap();
                ingest.feed(asked);
                ingest.finish().1
            };
            assert_eq!(expected.totals.records, 7, "{name}");
            assert_eq!(expected.issues, 0, "{name}");
            assert_eq!(ingest.finish().1, expected, "{name} (inflater: {inflater})");
        }
    }
}

#[wasm_bindgen_test]
async fn reading_stops_when_told() {
    let blob = blob_of(GUIDE.as_bytes());
    let mut ingest = Ingest::new(1, "guide.log", blob.size() as u64, None).unwrap();
    let complete = read_blob(
        &blob,
        None,
        &mut ingest,
        64,
        Slices::Reused,
        ReaderEnd::WithFile,
        |_| false,
    )
    .await
    .unwrap();
    assert!(!complete);
    assert_eq!(ingest.bytes_read(), 64);
}

#[wasm_bindgen_test]
async fn an_empty_blob_is_an_empty_file() {
    let blob = blob_of(b"");
    let mut ingest = Ingest::new(1, "empty.log", 0, None).unwrap();
    assert!(read_blob(
        &blob,
        None,
        &mut ingest,
        64,
        Slices::Reused,
        ReaderEnd::WithFile,
        |_| true
    )
    .await
    .unwrap());
    let result = ingest.finish().1;
    assert_eq!(result.totals.records, 0);
    assert_eq!(result.issues, 0);
}

/// `members` as one gzip file, a member each.
fn gzip(members: &[&[u8]]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for member in members {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Default::default());
        encoder.write_all(member).unwrap();
        out.extend(encoder.finish().unwrap());
    }
    out
}

#[wasm_bindgen_test]
async fn a_gzip_file_is_inflated_by_the_browser_beside_the_decoder() {
    let file = gzip(&[GUIDE.as_bytes()]);
    let expected = {
        let mut ingest = Ingest::new(1, "guide.log.gz", file.len() as u64, None).unwrap();
        ingest.feed(&file);
        ingest.finish().1
    };
    assert_eq!(expected.wrapper, "gzip");
    assert_eq!(expected.totals.records, 7);
    let (result, progress) = read_in_slices("guide.log.gz", &file, 100, Slices::Reused).await;
    assert_eq!(result, expected);
    // Slices of 100 inflated bytes, not of 100 compressed bytes: the browser inflated it.
    // The file is larger than a chunk, so the reader found it was gzip by its first bytes.
    assert_eq!(progress.len(), GUIDE.len().div_ceil(100));
    assert_eq!(progress.last(), Some(&(file.len() as u64)));

    // A file of one chunk whose content is larger is found to be gzip before a reader is
    // asked, and inflated by the browser all the same.
    let chunk = file.len() as u64;
    assert!(GUIDE.len() as u64 > chunk);
    let (result, progress) = read_in_slices("guide.log.gz", &file, chunk, Slices::Reused).await;
    assert_eq!(progress.len() as u64, (GUIDE.len() as u64).div_ceil(chunk));
    assert_eq!(result, expected);
}

#[wasm_bindgen_test]
async fn gzip_the_browser_cannot_read_is_read_again_by_the_decoder() {
    let guide = GUIDE.as_bytes();
    let two_members = gzip(&[&guide[..500], &guide[500..]]);
    let whole = gzip(&[guide]);
    let cut_short = whole[..whole.len() - 30].to_vec();
    let mut bad_check = whole.clone();
    let at = bad_check.len() - 8;
    bad_check[at] ^= 0xff;
    for (what, file) in [
        ("two members", two_members),
        ("cut short", cut_short),
        ("a wrong checksum", bad_check),
    ] {
        let expected = {
            let mut ingest = Ingest::new(1, "guide.log.gz", file.len() as u64, None).unwrap();
            ingest.feed(&file);
            ingest.finish().1
        };
        let (result, _) = read_in_slices("guide.log.gz", &file, 100, Slices::Reused).await;
        assert_eq!(result, expected, "{what}");
    }
}

#[wasm_bindgen_test]
fn replies_survive_the_boundary_with_exact_large_numbers() {
    let reply = FromWorker::Done {
        id: 7,
        result: Box::new(FileResult {
            bytes_read: 1 << 40,
            issues: 2,
            issue_kinds: vec![("too-few-fields".into(), 2)],
            examples: vec![IssueExample {
                line: 3,
                kind: "too-few-fields".into(),
                message: "3 fields, the format has 14".into(),
                excerpt: "2 123 eni-1".into(),
            }],
            formats: vec![FormatView {
                description: "default v2 (14 fields)".into(),
                header: "version account-id".into(),
                source: "guessed".into(),
                confidence: Some(0.75),
                records: 3,
            }],
            wrapper: "gzip".into(),
            headerless: true,
            source: Some("account 123456789012, us-east-1".into()),
            totals: Totals {
                records: 3,
                // Above 2^53: a JavaScript number would round it.
                bytes: u64::MAX - 1,
                packets: (1 << 53) + 1,
                accepted: 2,
                rejected: 1,
                first_start: Some(1_418_530_010),
                last_end: None,
            },
            worker_ms: 272.5,
        }),
    };
    let value = to_js(&reply).unwrap();
    let (read, image) = read_reply(value).unwrap();
    assert_eq!(read, reply);
    assert!(image.is_none());
}

#[wasm_bindgen_test]
fn a_table_crosses_to_another_worker_as_its_image() {
    let mut ingest = Ingest::new(1, "guide.log", GUIDE.len() as u64, None).unwrap();
    ingest.feed(GUIDE.as_bytes());
    let (table, result) = ingest.finish();
    let image = js_sys::Uint8Array::from(&table.to_image()[..]).buffer();
    let adopt = ToWorker::Adopt {
        id: 3,
        result: Box::new(result.clone()),
    };
    let message = with_attachment(&adopt, IMAGE, &image).unwrap();
    let (request, blob, carried) = read_request(message).unwrap();
    assert_eq!(request, adopt);
    assert!(blob.is_none());
    // Read the way the worker reads it: from the JavaScript buffer, a piece at a time.
    let carried = JsImage(js_sys::Uint8Array::new(&carried.unwrap()));
    let moved = flowlog::FlowTable::from_image(&carried).unwrap();
    assert_eq!(moved.len(), table.len());
    assert_eq!(
        flowlog_query::Summary::of(&moved),
        flowlog_query::Summary::of(&table)
    );
}

#[wasm_bindgen_test]
fn a_load_request_carries_its_blob() {
    let blob = blob_of(GUIDE.as_bytes());
    let message =
        load_request(4, "AWSLogs/123/x.log", Some("srcaddr dstaddr"), true, &blob).unwrap();
    let (request, carried, image) = read_request(message).unwrap();
    assert_eq!(
        request,
        ToWorker::Load {
            id: 4,
            name: "AWSLogs/123/x.log".into(),
            format: Some("srcaddr dstaddr".into()),
            ship: true,
        }
    );
    assert_eq!(carried.unwrap().size(), blob.size());
    assert!(image.is_none());

    let forget = to_js(&ToWorker::Forget { id: 4 }).unwrap();
    let (request, carried, _) = read_request(forget).unwrap();
    assert_eq!(request, ToWorker::Forget { id: 4 });
    assert!(carried.is_none());
}
