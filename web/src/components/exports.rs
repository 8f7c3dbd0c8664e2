//! The export menu: the current table or aggregate as CSV and JSON, and the current
//! question as Athena SQL or a Logs Insights query on the clipboard.
//!
//! Files are made in the page: the text goes into a `Blob`, a Blob URL (same-origin, never
//! a request) is handed to an `<a download>` that is clicked, and the URL is revoked soon
//! after. Records are asked of the worker in pages of [`RECORDS_PAGE`], up to
//! [`RECORDS_CAP`], with the same question the table asks.

use crate::export::{
    conversations_csv, conversations_json, histogram_csv, overview_csv, overview_json, records_csv,
    records_json, rejected_csv, rejected_json, translations, Ask, CONVERSATIONS_CAP, RECORDS_CAP,
    RECORDS_PAGE,
};
use crate::numbers::thousands;
use crate::protocol::{
    describe, Answer, Detail, DetailQuery, JobId, OverviewView, RecordRow, RejectedView,
};
use crate::state::{Measure, Tab, TOP_ROWS};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Asks the worker a detail question outside the page's own flow; the answer goes to the
/// callback instead of the page's state.
pub type Fetch = Callback<(DetailQuery, Callback<Answer>)>;

/// Offers `text` as a file named `name` of type `mime`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(describe)?;
    download_blob(name, &blob)
}

/// Offers `blob` as a file named `name`, through a Blob URL and an `<a download>`.
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(describe)?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "not a link")?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The download has started from the URL by the time the click returns; it is revoked a
    // little later all the same, as browsers differ in when they read it.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 30_000);
    Ok(())
}

/// Asks the worker through `fetch` and waits for the answer.
async fn ask(fetch: &Fetch, query: DetailQuery) -> Option<Answer> {
    let slot = Rc::new(RefCell::new(None));
    let promise = {
        let slot = slot.clone();
        js_sys::Promise::new(&mut move |resolve: js_sys::Function, _| {
            let slot = slot.clone();
            fetch.emit((
                query.clone(),
                Callback::from(move |answer: Answer| {
                    *slot.borrow_mut() = Some(answer);
                    let _ = resolve.call0(&JsValue::NULL);
                }),
            ));
        })
    };
    JsFuture::from(promise).await.ok()?;
    let answer = slot.borrow_mut().take();
    answer
}

/// Writes `text` to the clipboard; `Err` when the browser refuses.
async fn copy(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = window.navigator().clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(describe)
}

/// The export menu's properties.
#[derive(Properties, PartialEq)]
pub struct ExportsProps {
    /// The tab shown.
    pub tab: Tab,
    /// The whole filter.
    pub filter: String,
    /// What charts and lists measure.
    pub measure: Measure,
    /// The records table's order.
    pub sort: (String, bool),
    /// The overview shown.
    pub overview: Option<Rc<OverviewView>>,
    /// The rejected traffic shown.
    pub rejected: Option<Rc<RejectedView>>,
    /// The files' names by id, for the records' `_file`.
    pub files: Rc<Vec<(JobId, String)>>,
    /// The layout of the loaded records as a header line, for Logs Insights.
    pub header: Option<String>,
    /// The loaded files' fields that AWS does not document.
    pub others: Rc<Vec<String>>,
    /// Asks the worker for pages of records.
    pub fetch: Fetch,
}

/// A translation that the clipboard refused, shown for copying by hand.
#[derive(Clone, PartialEq)]
struct Fallback {
    title: String,
    text: String,
}

/// The export menu.
#[component(Exports)]
pub fn exports(props: &ExportsProps) -> Html {
    let status = use_state(String::new);
    let busy = use_state(|| false);
    let fallback = use_state(|| None::<Fallback>);
    let menu = use_node_ref();
    let close_menu = {
        let menu = menu.clone();
        move || {
            if let Some(menu) = menu.cast::<web_sys::Element>() {
                let _ = menu.remove_attribute("open");
            }
        }
    };

    let say = {
        let status = status.clone();
        move |text: String| status.set(text)
    };

    let export = |json: bool| {
        let tab = props.tab;
        let filter = props.filter.clone();
        let measure = props.measure.name();
        let sort = props.sort.clone();
        let overview = props.overview.clone();
        let rejected = props.rejected.clone();
        let files = props.files.clone();
        let fetch = props.fetch.clone();
        let say = say.clone();
        let busy = busy.clone();
        let close_menu = close_menu.clone();
        Callback::from(move |_: MouseEvent| {
            close_menu();
            let (ext, mime) = if json {
                ("json", "application/json")
            } else {
                ("csv", "text/csv")
            };
            let done = |name: String, text: String, what: String| match download_text(
                &name, mime, &text,
            ) {
                Ok(()) => say(format!("Saved {what} as {name}.")),
                Err(error) => say(format!("Could not save {name}: {error}.")),
            };
            match tab {
                Tab::Overview => {
                    let Some(view) = &overview else {
                        return say("Nothing to export yet.".into());
                    };
                    if json {
                        done(
                            format!("flowlens-overview.{ext}"),
                            overview_json(view, &filter, measure),
                            "the overview".into(),
                        );
                    } else {
                        done(
                            format!("flowlens-top-lists.{ext}"),
                            overview_csv(view),
                            "the top lists".into(),
                        );
                    }
                }
                Tab::Conversations | Tab::Rejected | Tab::Records => {
                    let filter = filter.clone();
                    let fetch = fetch.clone();
                    let files = files.clone();
                    let sort = sort.clone();
                    let say = say.clone();
                    let busy = busy.clone();
                    let rejected = rejected.clone();
                    busy.set(true);
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = match tab {
                            Tab::Records => {
                                export_records(&fetch, &filter, &sort, &files, json, &say).await
                            }
                            Tab::Conversations => {
                                let query = DetailQuery {
                                    filter: filter.clone(),
                                    detail: Detail::Conversations {
                                        measure: measure.into(),
                                        limit: CONVERSATIONS_CAP,
                                    },
                                };
                                match ask(&fetch, query).await {
                                    Some(Answer::Conversations(view)) => Ok((
                                        format!("flowlens-conversations.{ext}"),
                                        if json {
                                            conversations_json(&view, &filter, measure)
                                        } else {
                                            conversations_csv(&view)
                                        },
                                        format!(
                                            "{} conversations",
                                            thousands(view.rows.len() as u64)
                                        ),
                                    )),
                                    _ => Err("the filter could not be read".into()),
                                }
                            }
                            _ => match rejected.as_deref() {
                                Some(view) => Ok((
                                    format!("flowlens-rejected.{ext}"),
                                    if json {
                                        rejected_json(view, &filter, measure)
                                    } else {
                                        rejected_csv(view)
                                    },
                                    "the rejected traffic".into(),
                                )),
                                None => Err("nothing to export yet".into()),
                            },
                        };
                        match result {
                            Ok((name, text, what)) => match download_text(&name, mime, &text) {
                                Ok(()) => say(format!("Saved {what} as {name}.")),
                                Err(error) => say(format!("Could not save {name}: {error}.")),
                            },
                            Err(error) => say(format!("Nothing exported: {error}.")),
                        }
                        busy.set(false);
                    });
                }
                Tab::Quality => say("The parse-quality tab has nothing to export.".into()),
            }
        })
    };

    let translate = |athena: bool| {
        let tab = props.tab;
        let filter = props.filter.clone();
        let measure = props.measure.name().to_owned();
        let header = props.header.clone();
        let others = props.others.clone();
        let say = say.clone();
        let fallback = fallback.clone();
        let close_menu = close_menu.clone();
        Callback::from(move |_: MouseEvent| {
            close_menu();
            // The tab's aggregate where one maps: the rejected tab's sources are the top
            // sources of REJECT records; every other tab asks for the totals.
            let (filter, ask) = match tab {
                Tab::Rejected => (
                    if filter.is_empty() {
                        "action = REJECT".to_owned()
                    } else {
                        format!("{filter} and action = REJECT")
                    },
                    Ask::Top {
                        by: "srcaddr".into(),
                        measure: measure.clone(),
                        limit: TOP_ROWS as usize,
                    },
                ),
                _ => (filter.clone(), Ask::Matched),
            };
            let others: Vec<&str> = others.iter().map(String::as_str).collect();
            let text = match translations(&filter, &ask, header.as_deref(), &others) {
                Ok((sql, logs)) => {
                    if athena {
                        sql
                    } else {
                        logs
                    }
                }
                Err(error) => {
                    return say(format!(
                        "Nothing copied: the filter could not be read ({error})."
                    ))
                }
            };
            let title = if athena {
                "Athena SQL"
            } else {
                "Logs Insights query"
            };
            let say = say.clone();
            let fallback = fallback.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match copy(&text).await {
                    Ok(()) => say(format!("Copied the {title} to the clipboard.")),
                    Err(_) => {
                        say(format!(
                            "The clipboard was refused: copy the {title} from the box below."
                        ));
                        fallback.set(Some(Fallback {
                            title: title.into(),
                            text,
                        }));
                    }
                }
            });
        })
    };

    let dialog = fallback.as_ref().map(|f| {
        let close = {
            let fallback = fallback.clone();
            Callback::from(move |_: MouseEvent| fallback.set(None))
        };
        let onkeydown = {
            let fallback = fallback.clone();
            Callback::from(move |event: KeyboardEvent| {
                if event.key() == "Escape" {
                    fallback.set(None);
                }
            })
        };
        html! {
            <div class="copy-dialog" role="dialog" aria-modal="false" aria-label={f.title.clone()} onkeydown={onkeydown}>
                <p>{ format!("Copy the {} by hand (Ctrl-C or ⌘-C): it is selected.", f.title) }</p>
                <SelectedText text={f.text.clone()} />
                <button type="button" class="button" onclick={close}>{ "Close" }</button>
            </div>
        }
    });

    let records_note = (props.tab == Tab::Records).then(|| {
        html! { <p class="menu-note">{ format!("Records: the first {} of the filter, in the table's order, every column.", thousands(RECORDS_CAP)) }</p> }
    });
    let (csv_label, json_label) = match props.tab {
        Tab::Overview => ("Export top lists as CSV", "Export overview as JSON"),
        Tab::Records => ("Export records as CSV", "Export records as JSON"),
        Tab::Conversations => (
            "Export conversations as CSV",
            "Export conversations as JSON",
        ),
        Tab::Rejected => (
            "Export rejected traffic as CSV",
            "Export rejected traffic as JSON",
        ),
        Tab::Quality => ("Export CSV", "Export JSON"),
    };
    let can_export = props.tab != Tab::Quality && !*busy;
    let histogram = props.overview.clone().filter(|_| props.tab == Tab::Overview).map(|view| {
        let say = say.clone();
        let close_menu = close_menu.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            close_menu();
            let name = "flowlens-histogram.csv";
            match download_text(name, "text/csv", &histogram_csv(&view)) {
                Ok(()) => say(format!("Saved the traffic over time as {name}.")),
                Err(error) => say(format!("Could not save {name}: {error}.")),
            }
        });
        html! { <li><button type="button" role="menuitem" data-export="histogram-csv" onclick={onclick}>{ "Export traffic over time as CSV" }</button></li> }
    });

    html! {
        <div class="exports">
            <details class="menu" ref={menu}>
                <summary class="button" aria-haspopup="menu">{ "Export" }</summary>
                <ul class="menu-list" role="menu" aria-label="Export">
                    <li><button type="button" role="menuitem" data-export="csv" disabled={!can_export} onclick={export(false)}>{ csv_label }</button></li>
                    <li><button type="button" role="menuitem" data-export="json" disabled={!can_export} onclick={export(true)}>{ json_label }</button></li>
                    { for histogram }
                    <li><button type="button" role="menuitem" data-export="athena" onclick={translate(true)}>{ "Copy as Athena SQL" }</button></li>
                    <li><button type="button" role="menuitem" data-export="insights" onclick={translate(false)}>{ "Copy as Logs Insights query" }</button></li>
                    { for records_note }
                </ul>
            </details>
            <p class="export-status" role="status" aria-live="polite">{ (*status).clone() }</p>
            { for dialog }
        </div>
    }
}

/// The records of the current filter, in the table's order, in pages, up to the cap.
async fn export_records(
    fetch: &Fetch,
    filter: &str,
    sort: &(String, bool),
    files: &[(JobId, String)],
    json: bool,
    say: &impl Fn(String),
) -> Result<(String, String, String), String> {
    let mut rows: Vec<RecordRow> = Vec::new();
    let (columns, matched) = loop {
        let query = DetailQuery {
            filter: filter.to_owned(),
            detail: Detail::Records {
                sort: sort.0.clone(),
                descending: sort.1,
                offset: rows.len() as u64,
                limit: RECORDS_PAGE,
            },
        };
        let Some(Answer::Records(page)) = ask(fetch, query).await else {
            return Err("the filter could not be read".into());
        };
        let got = page.rows.len();
        rows.extend(page.rows);
        let wanted = page.matched.min(RECORDS_CAP);
        if got == 0 || rows.len() as u64 >= wanted {
            rows.truncate(wanted as usize);
            break (page.columns, page.matched);
        }
        say(format!(
            "Exporting records: {} of {}…",
            thousands(rows.len() as u64),
            thousands(wanted)
        ));
    };
    let name = |id: u32| {
        files
            .iter()
            .find(|(i, _)| *i == id)
            .map_or_else(String::new, |(_, n)| n.clone())
    };
    let (ext, text) = if json {
        (
            "json",
            records_json(filter, (&sort.0, sort.1), matched, &columns, &rows, name),
        )
    } else {
        ("csv", records_csv(&columns, &rows, name))
    };
    let what = if matched > RECORDS_CAP {
        format!(
            "the first {} of {} records (the most one export holds)",
            thousands(rows.len() as u64),
            thousands(matched)
        )
    } else {
        format!("{} records", thousands(rows.len() as u64))
    };
    Ok((format!("flowlens-records.{ext}"), text, what))
}

/// The text of a refused copy, selected as soon as it is shown.
#[derive(Properties, PartialEq)]
struct SelectedTextProps {
    text: String,
}

#[component(SelectedText)]
fn selected_text(props: &SelectedTextProps) -> Html {
    let area = use_node_ref();
    {
        let area = area.clone();
        use_effect_with(props.text.clone(), move |_| {
            if let Some(area) = area.cast::<HtmlTextAreaElement>() {
                let _ = area.focus();
                area.select();
            }
        });
    }
    html! {
        <textarea ref={area} class="copy-text" readonly=true rows="8" aria-label="Query text"
            value={props.text.clone()} />
    }
}
