//! Saved views: the current view (filter, chips, tab, measure, order, time zone) kept under
//! a name in `localStorage`, listed, opened and deleted.
//!
//! `localStorage` can be missing or throw on every access (private windows of some
//! browsers, storage disabled by policy, a full quota); the menu then says so in words and
//! the rest of the page is unaffected.

use crate::saved::{self, SavedView, STORAGE_KEY};
use crate::state::View;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The browser's storage, or why there is none.
fn storage() -> Result<web_sys::Storage, String> {
    const WHY: &str = "this browser does not let the page keep data here (a private window, or storage turned off)";
    web_sys::window()
        .ok_or_else(|| WHY.to_owned())?
        .local_storage()
        .ok()
        .flatten()
        .ok_or_else(|| WHY.to_owned())
}

/// The saved views, or why they cannot be read.
fn load() -> Result<Vec<SavedView>, String> {
    let storage = storage()?;
    let text = storage
        .get_item(STORAGE_KEY)
        .map_err(|_| "reading the saved views was refused by the browser".to_owned())?;
    Ok(saved::parse(text.as_deref()))
}

/// Keeps `views`, or says why they could not be kept.
fn store(views: &[SavedView]) -> Result<(), String> {
    storage()?
        .set_item(STORAGE_KEY, &saved::serialize(views))
        .map_err(|_| "the browser refused to keep it (storage full or turned off)".to_owned())
}

/// The menu's properties.
#[derive(Properties, PartialEq)]
pub struct SavedViewsProps {
    /// The view shown now, which "Save" keeps.
    pub view: View,
    /// Called with a saved view when the user opens it.
    pub on_open: Callback<View>,
}

/// The saved-views menu.
#[component(SavedViews)]
pub fn saved_views(props: &SavedViewsProps) -> Html {
    let views = use_state(|| load().unwrap_or_default());
    let message = use_state(|| {
        load()
            .err()
            .map(|why| format!("Views cannot be saved: {why}."))
    });
    let name = use_node_ref();

    let onsubmit = {
        let views = views.clone();
        let message = message.clone();
        let name = name.clone();
        let view = props.view.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(input) = name.cast::<HtmlInputElement>() else {
                return;
            };
            let entry = SavedView::new(&input.value(), &view);
            if entry.name.is_empty() {
                message.set(Some("Give the view a name first.".into()));
                let _ = input.focus();
                return;
            }
            let mut next = match load() {
                Ok(list) => list,
                Err(why) => return message.set(Some(format!("The view was not saved: {why}."))),
            };
            let title = entry.name.clone();
            saved::upsert(&mut next, entry);
            match store(&next) {
                Ok(()) => {
                    input.set_value("");
                    message.set(Some(format!("Saved “{title}”.")));
                    views.set(next);
                }
                Err(why) => message.set(Some(format!("The view was not saved: {why}."))),
            }
        })
    };

    let items = views.iter().map(|entry| {
        let open = {
            let on_open = props.on_open.clone();
            let view = entry.view();
            Callback::from(move |_: MouseEvent| on_open.emit(view.clone()))
        };
        let delete = {
            let views = views.clone();
            let message = message.clone();
            let title = entry.name.clone();
            Callback::from(move |_: MouseEvent| {
                let mut next = (*views).clone();
                saved::remove(&mut next, &title);
                match store(&next) {
                    Ok(()) => {
                        message.set(Some(format!("Deleted “{title}”.")));
                        views.set(next);
                    }
                    Err(why) => message.set(Some(format!("The view was not deleted: {why}."))),
                }
            })
        };
        html! {
            <li class="saved-view" data-view={entry.name.clone()}>
                <button type="button" class="link open-view" title={entry.fragment.clone()}
                    aria-label={format!("Open view {}", entry.name)} onclick={open}>
                    { entry.name.clone() }
                </button>
                <button type="button" class="remove" aria-label={format!("Delete view {}", entry.name)}
                    onclick={delete}>{ "×" }</button>
            </li>
        }
    });

    html! {
        <details class="menu saved-views">
            <summary class="button">{ "Saved views" }</summary>
            <div class="menu-list">
                <form class="save-view" onsubmit={onsubmit}>
                    <label for="view-name">{ "Name this view" }</label>
                    <div class="save-row">
                        <input ref={name} id="view-name" type="text" maxlength="80"
                            autocomplete="off" placeholder="e.g. SSH knocks" />
                        <button type="submit" class="button">{ "Save" }</button>
                    </div>
                </form>
                if views.is_empty() {
                    <p class="menu-note">{ "No saved views yet. A view keeps the filter, chips, tab, measure, order and time zone, in this browser only." }</p>
                } else {
                    <ul class="saved-list" aria-label="Saved views">{ for items }</ul>
                }
                if let Some(text) = &*message {
                    <p class="menu-note saved-message" role="status">{ text.clone() }</p>
                }
            </div>
        </details>
    }
}
