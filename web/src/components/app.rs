//! The whole page: the intro while it is empty, then the files and their totals.

use crate::complete::field_names;
use crate::components::cards::SummaryCards;
use crate::components::conversations::ConversationsTab;
use crate::components::drawer::Drawer;
use crate::components::drop_zone::{take_drop, DropZone};
use crate::components::exports::{Exports, Fetch};
use crate::components::file_list::FileList;
use crate::components::filter_bar::{FilterBar, FILTER_INPUT};
use crate::components::intro::Intro;
use crate::components::overview::OverviewTab;
use crate::components::quality::QualityTab;
use crate::components::records::RecordsTab;
use crate::components::rejected::RejectedTab;
use crate::components::saved_views::SavedViews;
use crate::components::tabs::{panel_id, tab_id, Tabs};
use crate::components::Picked;
use crate::export::unknown_fields;
use crate::loader::{register_service_worker, worker_url, Loader};
use crate::numbers::thousands;
use crate::protocol::{Answer, DetailQuery, FromWorker, JobId, RecordRow};
use crate::samples;
use crate::state::{ends_a_file, reply_wait_ms, Action, FileStatus, Measure, State, Tab, View};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

/// Renders the app into the element `#app`, replacing the text shown while it loads.
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
    register_service_worker();
    crate::rehearsal::schedule();
}

/// The page.
#[component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State {
        view: View::from_fragment(&fragment()),
        ..State::default()
    });

    // Questions asked for an export rather than for the page: their answers go to the
    // export that waits for them, by number, and never into the page's state.
    let exporting = use_mut_ref(HashMap::<u32, Callback<Answer>>::new);
    // One worker for the life of the page; its replies become actions, a batch at a time
    // (see `ReplyBatch`).
    let loader = {
        let dispatcher = state.dispatcher();
        let exporting = exporting.clone();
        use_memo((), move |_| {
            let batch = ReplyBatch::new(dispatcher);
            let on_reply = Rc::new(move |reply: FromWorker| {
                if let FromWorker::Answer { seq, answer } = reply {
                    let waiting = exporting.borrow_mut().remove(&seq);
                    match waiting {
                        Some(callback) => callback.emit(*answer),
                        None => batch.now(FromWorker::Answer { seq, answer }),
                    }
                } else {
                    batch.soon(reply);
                }
            });
            Loader::start(&worker_url(), on_reply)
        })
    };
    {
        // A worker that cannot even be created fails like one that crashed.
        let dispatcher = state.dispatcher();
        let error = loader.as_ref().as_ref().err().cloned();
        use_effect_with(error, move |error| {
            if let Some(message) = error {
                dispatcher.dispatch(Action::Reply(FromWorker::Crashed {
                    message: message.clone(),
                }));
            }
        });
    }

    // Every change of the files read or of the view asks the worker again; the answer
    // carries the question's number, and only the latest is shown. The overview and the
    // tab's rows are asked apart, numbered from one count. Nothing is asked before there
    // is something to answer about (see `State::worth_asking`).
    let asking = !state.files.is_empty() && state.worth_asking();
    let seq = use_mut_ref(|| 0u32);
    let fetch: Fetch = {
        let loader = loader.clone();
        let seq = seq.clone();
        let exporting = exporting.clone();
        Callback::from(move |(query, answer): (DetailQuery, Callback<Answer>)| {
            let Ok(loader) = loader.as_ref() else {
                return;
            };
            let next = {
                let mut seq = seq.borrow_mut();
                *seq += 1;
                *seq
            };
            exporting.borrow_mut().insert(next, answer);
            loader.detail(next, query);
        })
    };
    {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        let seq = seq.clone();
        let question = asking.then(|| state.detail_question()).flatten();
        use_effect_with(question, move |question| {
            if let (Some((_, query)), Ok(loader)) = (question, loader.as_ref()) {
                let next = {
                    let mut seq = seq.borrow_mut();
                    *seq += 1;
                    *seq
                };
                loader.detail(next, query.clone());
                dispatcher.dispatch(Action::AskedDetail(next));
            }
        });
    }
    {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        let seq = seq.clone();
        let question = asking.then(|| state.question());
        use_effect_with(question, move |question| {
            if let (Some((_, query)), Ok(loader)) = (question, loader.as_ref()) {
                let next = {
                    let mut seq = seq.borrow_mut();
                    *seq += 1;
                    *seq
                };
                loader.query(next, query.clone());
                dispatcher.dispatch(Action::Asked(next));
            }
        });
    }

    // The view lives in the URL fragment, replaced in place: no request, no history entry
    // per keystroke.
    use_effect_with(state.view.clone(), |view| set_fragment(&view.to_fragment()));

    // `/` and Ctrl/⌘-K focus the filter; a resize redraws the charts.
    let size = use_state(|| 0u32);
    {
        let size = size.clone();
        use_effect_with((), move |_| {
            let on_key = Closure::<dyn FnMut(KeyboardEvent)>::new(on_shortcut);
            let counter = std::cell::Cell::new(0u32);
            let on_resize = Closure::<dyn FnMut()>::new(move || {
                counter.set(counter.get() + 1);
                size.set(counter.get());
            });
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window
                    .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
                let _ = window
                    .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "keydown",
                        on_key.as_ref().unchecked_ref(),
                    );
                    let _ = window.remove_event_listener_with_callback(
                        "resize",
                        on_resize.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let on_filter = {
        let dispatcher = state.dispatcher();
        Callback::from(move |text: String| dispatcher.dispatch(Action::Filter(text)))
    };
    let on_chip = {
        let dispatcher = state.dispatcher();
        Callback::from(move |chip: String| dispatcher.dispatch(Action::AddChip(chip)))
    };
    let on_remove_chip = {
        let dispatcher = state.dispatcher();
        Callback::from(move |i: usize| dispatcher.dispatch(Action::RemoveChip(i)))
    };
    let on_measure = {
        let dispatcher = state.dispatcher();
        Callback::from(move |m: Measure| dispatcher.dispatch(Action::Measure(m)))
    };
    let on_tab = {
        let dispatcher = state.dispatcher();
        Callback::from(move |tab: Tab| dispatcher.dispatch(Action::Tab(tab)))
    };
    let on_sort = {
        let dispatcher = state.dispatcher();
        Callback::from(move |field: String| dispatcher.dispatch(Action::Sort(field)))
    };
    let on_window = {
        let dispatcher = state.dispatcher();
        Callback::from(move |offset: u64| dispatcher.dispatch(Action::RecordsWindow(offset)))
    };
    let on_open = {
        let dispatcher = state.dispatcher();
        Callback::from(move |row: Rc<RecordRow>| dispatcher.dispatch(Action::Drawer(Some(row))))
    };
    let on_close_drawer = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(Action::Drawer(None)))
    };
    let on_zoom = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(from, to): (u64, u64)| dispatcher.dispatch(Action::Zoom(from, to)))
    };
    let on_open_view = {
        let dispatcher = state.dispatcher();
        Callback::from(move |view: View| dispatcher.dispatch(Action::Restore(view)))
    };
    let on_local_time = {
        let dispatcher = state.dispatcher();
        let local = state.view.local_time;
        Callback::from(move |_: Event| dispatcher.dispatch(Action::LocalTime(!local)))
    };

    // Ids are the page's, so that every file gets a row even when no worker runs.
    let next_id = use_mut_ref(|| 1 as JobId);
    // Each file's name and contents, kept so that it can be read again with a format the
    // user gives. A `File` is a reference to the file on disk, not a copy.
    let blobs = use_mut_ref(HashMap::<JobId, (String, web_sys::Blob)>::new);

    // Hands files to the worker and gives each a row, drawn once for all of them.
    let send = {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        let blobs = blobs.clone();
        Rc::new(move |files: Vec<(String, web_sys::Blob, Option<String>)>| {
            let mut actions = Vec::with_capacity(files.len());
            let mut failed = Vec::new();
            for (name, blob, format) in files {
                // Asked once: `File.size` can cost the browser a look at the file on disk.
                let size = blob.size() as u64;
                let id = {
                    let mut next = next_id.borrow_mut();
                    *next += 1;
                    *next - 1
                };
                let sent = match loader.as_ref() {
                    Ok(loader) => loader.load(id, &name, format.as_deref(), &blob, size),
                    // The row says why: the worker's failure has already been reported.
                    Err(_) => Ok(()),
                };
                blobs.borrow_mut().insert(id, (name.clone(), blob));
                actions.push(Action::Add {
                    id,
                    name,
                    size,
                    format,
                });
                if let Err(message) = sent {
                    failed.push(Action::Reply(FromWorker::Failed { id, message }));
                }
            }
            // Each file's row first, then what went wrong with any of them.
            actions.extend(failed);
            dispatcher.dispatch(Action::All(actions));
        })
    };

    let on_files = {
        let send = send.clone();
        Callback::from(move |files: Vec<Picked>| {
            send(
                files
                    .into_iter()
                    .map(|(name, blob)| (name, blob, None))
                    .collect(),
            )
        })
    };

    let on_sample = {
        let dispatcher = state.dispatcher();
        let on_files = on_files.clone();
        Callback::from(move |()| {
            dispatcher.dispatch(Action::SamplesLoading);
            let dispatcher = dispatcher.clone();
            let on_files = on_files.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match samples::fetch_all().await {
                    Ok(files) => {
                        on_files.emit(files);
                        dispatcher.dispatch(Action::SamplesLoaded);
                    }
                    Err(message) => dispatcher.dispatch(Action::SamplesFailed(message)),
                }
            });
        })
    };

    let on_remove = {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        let blobs = blobs.clone();
        Callback::from(move |id: JobId| {
            if let Ok(loader) = loader.as_ref() {
                loader.forget(id);
            }
            blobs.borrow_mut().remove(&id);
            dispatcher.dispatch(Action::Remove(id));
        })
    };

    // Reading a file again with a format: its records are dropped and it is read anew
    // under a new id, so that a late reply about the old reading cannot mix in.
    let on_reparse = {
        let on_remove = on_remove.clone();
        let blobs = blobs.clone();
        Callback::from(move |(id, format): (JobId, String)| {
            let Some((name, blob)) = blobs.borrow().get(&id).cloned() else {
                return;
            };
            on_remove.emit(id);
            send(vec![(name, blob, Some(format))]);
        })
    };

    let on_error = {
        let dispatcher = state.dispatcher();
        Callback::from(move |message: String| dispatcher.dispatch(Action::Notice(message)))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::DismissNotice))
    };

    // The whole page takes drops, so that a file dropped beside the drop zone is read
    // rather than opened by the browser in place of the page.
    let on_page_drag_over = Callback::from(|event: DragEvent| event.prevent_default());
    let on_page_drop = {
        let on_files = on_files.clone();
        let on_error = on_error.clone();
        Callback::from(move |event: DragEvent| take_drop(&event, &on_files, &on_error))
    };

    let names: Rc<Vec<(JobId, String)>> =
        Rc::new(state.files.iter().map(|f| (f.id, f.name.clone())).collect());
    let issues: u64 = state
        .files
        .iter()
        .map(|f| match &f.status {
            FileStatus::Done(result) => result.issues,
            _ => 0,
        })
        .sum();
    // The layout of the first file read, for the Logs Insights query, and every field the
    // files carry that AWS does not document, for completion and the translations.
    let formats: Vec<&str> = state
        .files
        .iter()
        .filter_map(|f| match &f.status {
            FileStatus::Done(result) => Some(result.formats.iter().map(|f| f.header.as_str())),
            _ => None,
        })
        .flatten()
        .collect();
    let header = formats.first().map(|h| (*h).to_owned());
    let mut others: Vec<String> = Vec::new();
    for name in formats.iter().flat_map(|h| unknown_fields(h)) {
        if !others.contains(&name) {
            others.push(name);
        }
    }
    let fields = Rc::new(field_names(&others));
    let others = Rc::new(others);
    let badges = if issues > 0 {
        vec![(Tab::Quality, thousands(issues))]
    } else {
        vec![]
    };
    let absent = state.absent_fields();
    let panel = match state.view.tab {
        Tab::Overview => match &state.overview {
            Some(view) => html! {
                <OverviewTab
                    view={view.clone()}
                    measure={state.view.measure}
                    on_measure={on_measure}
                    on_chip={on_chip.clone()}
                    on_zoom={on_zoom}
                    local_time={state.view.local_time}
                    size={*size}
                    no_action={state.no_action_label()}
                    absent={absent}
                />
            },
            None if state.pending() > 0 => html! {
                <section aria-label="Overview" aria-busy="true">
                    <p class="placeholder">{ "The charts appear as soon as the first file is read." }</p>
                </section>
            },
            None => html! {},
        },
        Tab::Records => html! {
            <RecordsTab
                view={state.records.clone()}
                sort={state.sort()}
                filter={state.view.filter()}
                files={names.clone()}
                local_time={state.view.local_time}
                on_sort={on_sort}
                on_window={on_window}
                on_open={on_open}
                on_chip={on_chip.clone()}
            />
        },
        Tab::Conversations => html! {
            <ConversationsTab
                view={state.conversations.clone()}
                measure={state.view.measure}
                local_time={state.view.local_time}
                on_chip={on_chip.clone()}
            />
        },
        Tab::Rejected => html! {
            <RejectedTab
                view={state.rejected.clone()}
                measure={state.view.measure}
                size={*size}
                on_chip={on_chip.clone()}
                absent={absent}
            />
        },
        Tab::Quality => html! {
            <QualityTab files={state.files.clone()} on_reparse={on_reparse} />
        },
    };

    let body = if state.files.is_empty() {
        html! {
            <Intro
                on_files={on_files}
                on_error={on_error}
                on_sample={on_sample}
                samples={state.samples.clone()}
            />
        }
    } else {
        html! {
            <div class="workspace">
                <aside class="sidebar" aria-label="Files">
                    <h2 class="sidebar-title">
                        { match state.files.len() {
                            0 | 1 => "Files".to_owned(),
                            n => format!("Files · {}", thousands(n as u64)),
                        } }
                    </h2>
                    <FileList files={state.files.clone()} on_remove={on_remove} />
                    <DropZone on_files={on_files} on_error={on_error} compact=true />
                </aside>
                <main class="overview">
                    <FilterBar
                        typed={state.view.typed.clone()}
                        chips={state.view.chips.clone()}
                        history={state.history.clone()}
                        error={state.filter_error.clone()}
                        on_filter={on_filter}
                        on_remove_chip={on_remove_chip}
                        fields={fields}
                    />
                    <SummaryCards
                        totals={state.overview.as_ref().map_or_else(|| state.totals(), |o| o.totals)}
                        interfaces={state.overview.as_ref().map(|o| o.interfaces)}
                        attachments={state.overview.as_ref().and_then(|o| o.attachments)}
                        filtered={state.answered_for.as_ref().is_some_and(|(_, q)| !q.filter.is_empty())}
                        done={state.done()}
                        pending={state.pending()}
                        updating={state.totals_stale()}
                        local_time={state.view.local_time}
                        absent={absent}
                    />
                    <div class="tab-row">
                        <Tabs current={state.view.tab} on_tab={on_tab} badges={badges} />
                        <div class="view-tools">
                            <label class="switch">
                                <input type="checkbox" checked={state.view.local_time} onchange={on_local_time} />
                                { "Local time" }
                            </label>
                            <SavedViews view={state.view.clone()} on_open={on_open_view} />
                            <Exports
                                tab={state.view.tab}
                                filter={state.view.filter()}
                                measure={state.view.measure}
                                sort={state.sort()}
                                overview={state.overview.clone()}
                                rejected={state.rejected.clone()}
                                files={names.clone()}
                                header={header}
                                others={others}
                                fetch={fetch}
                            />
                        </div>
                    </div>
                    <div class="panel" role="tabpanel" id={panel_id(state.view.tab)}
                        aria-labelledby={tab_id(state.view.tab)} data-tab={state.view.tab.name()}>
                        { panel }
                    </div>
                </main>
                if let (Some(row), Some(records)) = (&state.drawer, &state.records) {
                    <Drawer
                        row={row.clone()}
                        columns={Rc::new(records.columns.clone())}
                        file={file_name(&names, row.file)}
                        local_time={state.view.local_time}
                        on_close={on_close_drawer}
                        on_chip={on_chip.clone()}
                    />
                }
            </div>
        }
    };

    html! {
        <div
            class="app"
            data-files={state.files.len().to_string()}
            data-pending={(state.pending() + usize::from(state.stale())).to_string()}
            data-wasm-memory={state.worker_memory.to_string()}
            ondragover={on_page_drag_over}
            ondrop={on_page_drop}
        >
            <header class="topbar">
                <h1 class="brand">{ "flowlens" }</h1>
                <p class="tagline">{ "VPC Flow Logs, analysed in your browser" }</p>
                <p class="promise">
                    <svg class="lock" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                        <path
                            d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7zm2 0h4V5a2 2 0 0 0-4 0z"
                            fill="currentColor"
                        />
                    </svg>
                    { "Your files never leave this computer." }
                </p>
            </header>
            if let Some(notice) = &state.notice {
                <div class="notice" role="alert">
                    <span>{ notice.clone() }</span>
                    <button class="remove" type="button" aria-label="Dismiss" onclick={on_dismiss}>
                        { "×" }
                    </button>
                </div>
            }
            { body }
        </div>
    }
}

/// The worker's replies on their way to the page's state.
///
/// Replies are applied in batches, as [`reply_wait_ms`] says: a batch applies every reply
/// waiting, in order. Every answer to a question is applied at once (with those waiting
/// before it): nobody waits longer for a chart.
#[derive(Clone)]
struct ReplyBatch {
    inner: Rc<BatchInner>,
}

struct BatchInner {
    dispatcher: UseReducerDispatcher<State>,
    waiting: std::cell::RefCell<Vec<FromWorker>>,
    /// Whether a timer will apply the replies waiting.
    timer_set: std::cell::Cell<bool>,
    /// When the last batch was applied (`Date.now()`).
    last: std::cell::Cell<f64>,
    /// Whether the last batch ended a file (see [`reply_wait_ms`]).
    last_ended_a_file: std::cell::Cell<bool>,
}

impl ReplyBatch {
    fn new(dispatcher: UseReducerDispatcher<State>) -> ReplyBatch {
        ReplyBatch {
            inner: Rc::new(BatchInner {
                dispatcher,
                waiting: Default::default(),
                timer_set: Default::default(),
                last: std::cell::Cell::new(f64::NEG_INFINITY),
                last_ended_a_file: Default::default(),
            }),
        }
    }

    /// Applies `reply` and every reply waiting, now.
    fn now(&self, reply: FromWorker) {
        self.inner.waiting.borrow_mut().push(reply);
        self.apply();
    }

    /// Applies `reply` when [`reply_wait_ms`] says: now, or else with the next batch.
    fn soon(&self, reply: FromWorker) {
        let since_last = js_sys::Date::now() - self.inner.last.get();
        let wait = reply_wait_ms(&reply, since_last, self.inner.last_ended_a_file.get());
        self.inner.waiting.borrow_mut().push(reply);
        if wait <= 0.0 {
            // A timer already set then finds nothing waiting.
            self.apply();
            return;
        }
        if self.inner.timer_set.get() {
            return;
        }
        let batch = self.clone();
        let timer = Closure::once_into_js(move || {
            batch.inner.timer_set.set(false);
            batch.apply();
        });
        let set = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(
                timer.unchecked_ref(),
                wait.ceil() as i32,
            )
        });
        match set {
            Some(Ok(_)) => self.inner.timer_set.set(true),
            // No timer to be had: nothing is held back.
            _ => self.apply(),
        }
    }

    fn apply(&self) {
        let replies = std::mem::take(&mut *self.inner.waiting.borrow_mut());
        if replies.is_empty() {
            return;
        }
        self.inner.last.set(js_sys::Date::now());
        self.inner
            .last_ended_a_file
            .set(replies.iter().any(ends_a_file));
        let actions = replies.into_iter().map(Action::Reply).collect();
        self.inner.dispatcher.dispatch(Action::All(actions));
    }
}

/// A file's name by id.
fn file_name(names: &[(JobId, String)], id: JobId) -> String {
    names
        .iter()
        .find(|(i, _)| *i == id)
        .map_or_else(String::new, |(_, name)| name.clone())
}

/// The URL fragment, without `#`.
fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the URL fragment without adding a history entry. Fragments never leave the
/// browser; `replaceState` makes no request.
fn set_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if fragment == fragment_of(&window) {
        return;
    }
    let url = if fragment.is_empty() {
        let location = window.location();
        format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        )
    } else {
        format!("#{fragment}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

fn fragment_of(window: &web_sys::Window) -> String {
    let hash = window.location().hash().unwrap_or_default();
    hash.trim_start_matches('#').to_owned()
}

/// `/` (outside a text field) and Ctrl/⌘-K focus the filter.
fn on_shortcut(event: KeyboardEvent) {
    let typing = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
    let wanted = (event.key() == "/" && !typing)
        || ((event.ctrl_key() || event.meta_key()) && event.key().eq_ignore_ascii_case("k"));
    if !wanted {
        return;
    }
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(FILTER_INPUT))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        event.prevent_default();
        let _ = input.focus();
    }
}
