//! The detail drawer: one record explained in AWS's terms, beside the table.
//!
//! It is a non-modal dialog: the table stays usable, Escape or the close button closes it,
//! and it takes the keyboard focus when it opens so that a keyboard user lands in it.

use crate::explain::explain;
use crate::numbers::when;
use crate::protocol::RecordRow;
use crate::query::condition;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The drawer's properties.
#[derive(Properties, PartialEq)]
pub struct DrawerProps {
    /// The record.
    pub row: Rc<RecordRow>,
    /// The names of its values, in order.
    pub columns: Rc<Vec<String>>,
    /// The name of its file.
    pub file: String,
    /// Times in the browser's zone.
    pub local_time: bool,
    /// Called when the drawer closes.
    pub on_close: Callback<()>,
    /// Called with a filter condition when a value is clicked.
    pub on_chip: Callback<String>,
}

/// The drawer.
#[component(Drawer)]
pub fn drawer(props: &DrawerProps) -> Html {
    let panel = use_node_ref();
    {
        let panel = panel.clone();
        use_effect_with(props.row.clone(), move |_| {
            if let Some(element) = panel.cast::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
        });
    }
    let (fields, caveats) = explain(&props.columns, &props.row.values);
    let on_close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let on_key = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_close.emit(());
                refocus_table();
            }
        })
    };
    let items = fields.iter().map(|item| {
        let shown = match (&item.value, item.field.as_str()) {
            (Some(v), "start" | "end") if props.local_time => v
                .parse::<u64>()
                .map_or_else(|_| v.clone(), |s| format!("{v} ({})", when(s, true))),
            (Some(v), _) => v.clone(),
            (None, _) => "-".to_owned(),
        };
        let filter = {
            let on_chip = props.on_chip.clone();
            let field = item.field.clone();
            let value = item.value.clone();
            Callback::from(move |event: MouseEvent| {
                let exclude = crate::components::chart::excludes(&event);
                on_chip.emit(condition(&field, std::slice::from_ref(&value), exclude));
            })
        };
        html! {
            <div class="fact" data-field={item.field.clone()}>
                <dt>{ item.field.clone() }</dt>
                <dd>
                    <button type="button" class="link value" onclick={filter}
                        title="Click to filter to it; Alt- or Shift-click to exclude it.">
                        { shown }
                    </button>
                    if let Some(meaning) = &item.meaning {
                        <span class="meaning">{ meaning.clone() }</span>
                    }
                    if item.value.is_none() {
                        <span class="meaning">{ "missing: `-` in the log, or not in this file's format" }</span>
                    }
                </dd>
            </div>
        }
    });
    html! {
        <aside class="drawer" role="dialog" aria-modal="false" aria-labelledby="drawer-title"
            tabindex="-1" ref={panel} onkeydown={on_key}>
            <header class="drawer-head">
                <h2 id="drawer-title">{ "Record" }</h2>
                <p class="drawer-where">{ format!("{} line {}", props.file, props.row.line) }</p>
                <button type="button" class="remove" aria-label="Close the record" onclick={on_close}>
                    { "×" }
                </button>
            </header>
            <dl class="facts">{ for items }</dl>
            <h3>{ "Read with care" }</h3>
            <ul class="caveats">
                { for caveats.iter().map(|c| html! { <li>{ c.clone() }</li> }) }
            </ul>
        </aside>
    }
}

/// Gives the focus back to the records table after the drawer closes.
fn refocus_table() {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".records-scroll").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
