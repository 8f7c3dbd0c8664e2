//! The page's counterpart of [`crate::warm_up`]: a made-up overview, read as the worker's
//! answer is read and drawn out of sight, while the page waits for its first file.
//!
//! The browser compiles a WebAssembly function when it is first called, with its quick
//! compiler, and compiles it again, optimised, once it has run enough. The first overview
//! of a file is the first call of much of the page's code: reading an answer, the
//! overview's components, the time table, and every chart's drawing. Measured on a
//! 1M-record file, the time from the answer's arrival to its charts painted was 59–70 ms
//! for a page's first file and 24–39 ms for the same file loaded again in the same page;
//! with the rehearsal, the first file took 34–55 ms (median 42).
//!
//! The rehearsal is drawn in a closed shadow root of an element that is hidden, inert and
//! out of the accessibility tree, and removed a second later: neither the user, nor a
//! screen reader, nor a query of the page's document ever finds it.

use crate::protocol::{Counts, HistRow, OverviewView, TopItem, TopView, Totals};
use crate::query::TOP_LISTS;

/// An overview like that of a day of records: a bucket every 15 minutes, and every top
/// list of the page, ten rows each, with the shapes real keys take (address pairs, ports
/// and protocols with their names).
pub fn made_up_overview() -> OverviewView {
    const START: u64 = 1_700_000_000;
    const WIDTH: u64 = 900;
    let counts = |n: u64| -> Counts { [n, n * 1_200, n * 9] };
    let buckets = (0..96)
        .map(|i| HistRow {
            start: START + i * WIDTH,
            accept: counts(1_000 + i * 7),
            reject: counts(40 + i % 13),
            none: counts(i % 3),
        })
        .collect();
    let tops = TOP_LISTS
        .iter()
        .map(|&by| TopView {
            by: by.into(),
            rows: (0..10)
                .map(|i| {
                    let address = |side: u64| Some(format!("10.0.{side}.{}", 10 + i));
                    let (key, label) = match by {
                        "pair" => (vec![address(0), address(1)], None),
                        "dstport" => (vec![Some((440 + i).to_string())], Some("https".into())),
                        "protocol" => (vec![Some("6".into())], Some("tcp".into())),
                        "interface-id" => (vec![Some(format!("eni-0a97{i:013x}"))], None),
                        _ => (vec![address(0)], None),
                    };
                    TopItem {
                        key,
                        label,
                        counts: counts(500 - i * 20),
                    }
                })
                .collect(),
            other: counts(1_000),
            groups: 40,
        })
        .collect();
    OverviewView {
        totals: Totals {
            records: 100_000,
            bytes: 120_000_000,
            packets: 900_000,
            accepted: 96_000,
            rejected: 4_000,
            first_start: Some(START),
            last_end: Some(START + 96 * WIDTH),
        },
        interfaces: 10,
        attachments: None,
        addresses: 40,
        width: WIDTH,
        buckets,
        no_time: counts(0),
        tops,
    }
}

#[cfg(target_arch = "wasm32")]
pub use rehearse::schedule;

#[cfg(target_arch = "wasm32")]
mod rehearse {
    use super::made_up_overview;
    use crate::components::overview::{OverviewProps, OverviewTab};
    use crate::protocol::{read_reply, to_js, Answer, FromWorker};
    use crate::state::{AbsentFields, Measure};
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{ShadowRootInit, ShadowRootMode};
    use yew::Callback;

    /// How long the rehearsal stays in the document: time enough for its charts, which
    /// are painted after it is rendered.
    const KEPT_MS: i32 = 1_000;

    /// When the browser has nothing else to do, and in any case within this many
    /// milliseconds, the rehearsal runs (where the browser cannot say when it is idle, it
    /// runs after this long).
    const AT_THE_LATEST_MS: i32 = 1_000;

    /// Runs the rehearsal once the page is idle.
    pub fn schedule() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let run = Closure::once_into_js(rehearse);
        let options = web_sys::IdleRequestOptions::new();
        options.set_timeout(AT_THE_LATEST_MS as u32);
        if window
            .request_idle_callback_with_options(run.unchecked_ref(), &options)
            .is_err()
        {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                run.unchecked_ref(),
                AT_THE_LATEST_MS,
            );
        }
    }

    /// Reads and draws the made-up overview, unless the page already has a file: its own
    /// first overview is then on its way, and would only wait behind the rehearsal.
    fn rehearse() {
        // Every step either works or leaves the page as it was: the rehearsal is only ever
        // a saving of time, so a step that fails ends it without a word.
        let _ = try_rehearse();
    }

    /// [`rehearse`], ended by the first step that cannot be taken.
    fn try_rehearse() -> Option<()> {
        let window = web_sys::window()?;
        let document = window.document()?;
        document.query_selector(".app[data-files='0']").ok()??;
        // Through the same reading as the worker's answers.
        let message = FromWorker::Answer {
            seq: 0,
            answer: Box::new(Answer::Overview(made_up_overview())),
        };
        let (FromWorker::Answer { answer, .. }, _) = to_js(&message).and_then(read_reply).ok()?
        else {
            return None;
        };
        let Answer::Overview(view) = *answer else {
            return None;
        };
        let host = document.create_element("div").ok()?;
        host.set_class_name("rehearsal");
        host.set_attribute("aria-hidden", "true").ok()?;
        host.set_attribute("inert", "").ok()?;
        let shadow = host
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Closed))
            .ok()?;
        let root = document.create_element("div").ok()?;
        shadow.append_child(&root).ok()?;
        document.body()?.append_child(&host).ok()?;
        let props = OverviewProps {
            view: Rc::new(view),
            measure: Measure::Bytes,
            on_measure: Callback::noop(),
            on_chip: Callback::noop(),
            on_zoom: Callback::noop(),
            local_time: false,
            size: 0,
            no_action: "no action",
            absent: AbsentFields::default(),
        };
        let app = yew::Renderer::<OverviewTab>::with_root_and_props(root, props).render();
        let end = Closure::once_into_js(move || {
            app.destroy();
            host.remove();
        });
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(end.unchecked_ref(), KEPT_MS)
            .ok()?;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_made_up_overview_has_every_top_list_and_the_shapes_of_their_keys() {
        let view = made_up_overview();
        let lists: Vec<&str> = view.tops.iter().map(|t| t.by.as_str()).collect();
        assert_eq!(lists, TOP_LISTS);
        for top in &view.tops {
            assert_eq!(top.rows.len(), 10, "{}", top.by);
            let sides = if top.by == "pair" { 2 } else { 1 };
            assert!(top.rows.iter().all(|r| r.key.len() == sides), "{}", top.by);
        }
        assert!(view.tops.iter().any(|t| t.rows[0].label.is_some()));
        assert_eq!(view.buckets.len(), 96);
        let last = view.buckets.last().unwrap().start;
        assert_eq!(view.totals.last_end, Some(last + view.width));
    }
}
