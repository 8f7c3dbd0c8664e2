//! The filter bar: the query language typed, its error shown under the exact characters,
//! past filters offered again, and the chips added by clicking marks.

use crate::protocol::FilterProblem;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The id of the filter input, which `/` and Ctrl/⌘-K focus.
pub const FILTER_INPUT: &str = "filter-input";

/// The filter bar's properties.
#[derive(Properties, PartialEq)]
pub struct FilterBarProps {
    /// The filter applied.
    pub typed: AttrValue,
    /// Conditions added by clicks.
    pub chips: Vec<String>,
    /// Past filters, most recent first.
    pub history: Vec<String>,
    /// Why the filter could not be read, if it could not.
    pub error: Option<FilterProblem>,
    /// Called with the text when the user applies it (Enter).
    pub on_filter: Callback<String>,
    /// Called with a chip's position when the user removes it.
    pub on_remove_chip: Callback<usize>,
}

/// The filter bar.
#[component(FilterBar)]
pub fn filter_bar(props: &FilterBarProps) -> Html {
    let input = use_node_ref();
    // What is in the box but not applied yet; reset when the applied filter changes.
    let draft = use_state(|| props.typed.to_string());
    {
        let draft = draft.clone();
        use_effect_with(props.typed.clone(), move |typed| {
            draft.set(typed.to_string())
        });
    }
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let element: HtmlInputElement = event.target_unchecked_into();
            draft.set(element.value());
        })
    };
    let onsubmit = {
        let on_filter = props.on_filter.clone();
        let input = input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(element) = input.cast::<HtmlInputElement>() {
                on_filter.emit(element.value());
            }
        })
    };
    let onkeydown = {
        let on_filter = props.on_filter.clone();
        let typed = props.typed.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                // Escape gives back the applied filter.
                let element: HtmlInputElement = event.target_unchecked_into();
                element.set_value(&typed);
                let _ = element.blur();
                on_filter.emit(typed.to_string());
            }
        })
    };
    let error = props.error.as_ref().map(|problem| {
        let text: Vec<char> = props.typed.chars().collect();
        let start = problem.start.min(text.len());
        let end = problem.end.clamp(start, text.len());
        let before: String = text[..start].iter().collect();
        let bad: String = text[start..end].iter().collect();
        let after: String = text[end..].iter().collect();
        html! {
            <div class="filter-error" role="alert" data-start={start.to_string()} data-end={end.to_string()}>
                <code class="filter-echo">
                    { before }
                    <mark>{ if bad.is_empty() { "\u{2038}".to_owned() } else { bad } }</mark>
                    { after }
                </code>
                <span>{ format!("Column {}: {}.", start + 1, problem.message) }</span>
            </div>
        }
    });
    let chips = props.chips.iter().enumerate().map(|(i, chip)| {
        let on_remove = props.on_remove_chip.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_remove.emit(i));
        html! {
            <li class={classes!("chip", chip.starts_with("not ").then_some("exclude"))} data-chip={chip.clone()}>
                <code>{ chip.clone() }</code>
                <button type="button" class="remove" aria-label={format!("Remove filter {chip}")} onclick={onclick}>{ "×" }</button>
            </li>
        }
    });
    html! {
        <div class="filter-bar">
            <form class="filter-form" role="search" onsubmit={onsubmit}>
                <label for={FILTER_INPUT} class="visually-hidden">{ "Filter" }</label>
                <input
                    ref={input}
                    id={FILTER_INPUT}
                    class={classes!("filter-input", props.error.is_some().then_some("invalid"))}
                    type="search"
                    list="filter-history"
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="Filter, e.g. action = REJECT and dstport in (22, 3389)"
                    aria-invalid={props.error.is_some().to_string()}
                    value={(*draft).clone()}
                    oninput={oninput}
                    onkeydown={onkeydown}
                />
                <datalist id="filter-history">
                    { for props.history.iter().map(|h| html! { <option value={h.clone()} /> }) }
                </datalist>
                <button type="submit" class="button">{ "Apply" }</button>
                <kbd class="shortcut" title="Press / or Ctrl-K to focus the filter">{ "/" }</kbd>
            </form>
            { for error }
            if !props.chips.is_empty() {
                <ul class="chips" aria-label="Active filters">{ for chips }</ul>
            }
        </div>
    }
}
