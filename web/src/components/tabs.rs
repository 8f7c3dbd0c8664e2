//! The tab bar: Overview, Records, Conversations, Rejected, Parse quality.
//!
//! It follows the WAI-ARIA tabs pattern, so that it works from the keyboard as people
//! expect: Tab reaches the selected tab, the arrow keys (and Home, End) move between tabs
//! and select them, and each tab names the panel it controls.

use crate::state::Tab;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The tab bar's properties.
#[derive(Properties, PartialEq)]
pub struct TabsProps {
    /// The tab shown.
    pub current: Tab,
    /// Called when the user picks a tab.
    pub on_tab: Callback<Tab>,
    /// A count shown beside a tab's title, e.g. the issues beside "Parse quality".
    #[prop_or_default]
    pub badges: Vec<(Tab, String)>,
}

/// The id of a tab's button, for `aria-labelledby`.
pub fn tab_id(tab: Tab) -> String {
    format!("tab-{}", tab.name())
}

/// The id of a tab's panel, for `aria-controls`.
pub fn panel_id(tab: Tab) -> String {
    format!("panel-{}", tab.name())
}

/// The tab bar.
#[component(Tabs)]
pub fn tabs(props: &TabsProps) -> Html {
    let on_key = {
        let on_tab = props.on_tab.clone();
        let current = props.current;
        Callback::from(move |event: KeyboardEvent| {
            let at = Tab::ALL.iter().position(|t| *t == current).unwrap_or(0);
            let last = Tab::ALL.len() - 1;
            let next = match event.key().as_str() {
                "ArrowRight" => (at + 1) % Tab::ALL.len(),
                "ArrowLeft" => (at + last) % Tab::ALL.len(),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            event.prevent_default();
            let tab = Tab::ALL[next];
            on_tab.emit(tab);
            focus(&tab_id(tab));
        })
    };
    let buttons = Tab::ALL.iter().map(|tab| {
        let tab = *tab;
        let selected = tab == props.current;
        let onclick = {
            let on_tab = props.on_tab.clone();
            Callback::from(move |_: MouseEvent| on_tab.emit(tab))
        };
        let badge = props
            .badges
            .iter()
            .find(|(t, _)| *t == tab)
            .map(|(_, text)| text.clone());
        html! {
            <button
                type="button"
                role="tab"
                id={tab_id(tab)}
                class={classes!("tab", selected.then_some("on"))}
                data-tab={tab.name()}
                aria-selected={selected.to_string()}
                aria-controls={panel_id(tab)}
                tabindex={if selected { "0" } else { "-1" }}
                onclick={onclick}
            >
                { tab.title() }
                if let Some(badge) = badge {
                    <span class="badge">{ badge }</span>
                }
            </button>
        }
    });
    html! {
        <div class="tabs" role="tablist" aria-label="Views" onkeydown={on_key}>
            { for buttons }
        </div>
    }
}

/// Moves the keyboard focus to the element `id`, once it exists.
fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
