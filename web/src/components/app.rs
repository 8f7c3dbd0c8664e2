//! The whole page: the intro while it is empty, then the files and their totals.

use crate::components::cards::SummaryCards;
use crate::components::drop_zone::{take_drop, DropZone};
use crate::components::file_list::FileList;
use crate::components::intro::Intro;
use crate::components::Picked;
use crate::loader::{register_service_worker, worker_url, Loader};
use crate::protocol::{FromWorker, JobId};
use crate::samples;
use crate::state::{Action, State};
use std::rc::Rc;
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
    let state = use_reducer(State::default);

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
                    <SummaryCards
                        totals={state.totals()}
                        done={state.done()}
                        pending={state.pending()}
                    />
                </main>
            </div>
        }
    };

    html! {
        <div
            class="app"
            data-files={state.files.len().to_string()}
            data-pending={state.pending().to_string()}
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
