//! The whole page: the intro while it is empty, then the files and their totals.

use crate::components::cards::SummaryCards;
use crate::components::drop_zone::{take_drop, DropZone};
use crate::components::file_list::FileList;
use crate::components::filter_bar::{FilterBar, FILTER_INPUT};
use crate::components::intro::Intro;
use crate::components::overview::OverviewTab;
use crate::components::Picked;
use crate::loader::{register_service_worker, worker_url, Loader};
use crate::protocol::{FromWorker, JobId};
use crate::samples;
use crate::state::{Action, Measure, State, View};
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
}

/// The page.
#[component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State {
        view: View::from_fragment(&fragment()),
        ..State::default()
    });

    // One worker for the life of the page; its replies become actions.
    let loader = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            let on_reply =
                Rc::new(move |reply: FromWorker| dispatcher.dispatch(Action::Reply(reply)));
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
    // carries the question's number, and only the latest is shown.
    {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        let seq = use_mut_ref(|| 0u32);
        let question = (!state.files.is_empty()).then(|| state.question());
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

    // Ids are the page's, so that every file gets a row even when no worker runs.
    let next_id = use_mut_ref(|| 1 as JobId);

    let on_files = {
        let dispatcher = state.dispatcher();
        let loader = loader.clone();
        Callback::from(move |files: Vec<Picked>| {
            for (name, blob) in files {
                let size = blob.size() as u64;
                let id = {
                    let mut next = next_id.borrow_mut();
                    *next += 1;
                    *next - 1
                };
                let sent = match loader.as_ref() {
                    Ok(loader) => loader.load(id, &name, &blob),
                    // The row says why: the worker's failure has already been reported.
                    Err(_) => Ok(()),
                };
                dispatcher.dispatch(Action::Add { id, name, size });
                if let Err(message) = sent {
                    dispatcher.dispatch(Action::Reply(FromWorker::Failed { id, message }));
                }
            }
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
        Callback::from(move |id: JobId| {
            if let Ok(loader) = loader.as_ref() {
                loader.forget(id);
            }
            dispatcher.dispatch(Action::Remove(id));
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
                    <h2 class="sidebar-title">{ "Files" }</h2>
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
                    />
                    <SummaryCards
                        totals={state.overview.as_ref().map_or_else(|| state.totals(), |o| o.totals)}
                        interfaces={state.overview.as_ref().map(|o| o.interfaces)}
                        filtered={state.answered_for.as_ref().is_some_and(|(_, q)| !q.filter.is_empty())}
                        done={state.done()}
                        pending={state.pending()}
                    />
                    if let Some(view) = &state.overview {
                        <OverviewTab
                            view={view.clone()}
                            measure={state.view.measure}
                            on_measure={on_measure}
                            on_chip={on_chip}
                            size={*size}
                        />
                    }
                </main>
            </div>
        }
    };

    html! {
        <div
            class="app"
            data-files={state.files.len().to_string()}
            data-pending={(state.pending() + usize::from(state.stale())).to_string()}
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
