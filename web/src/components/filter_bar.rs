//! The filter bar: the query language typed, its error shown under the exact characters,
//! past filters offered again, field names and keywords completed as the user types, and
//! the chips added by clicking marks.
//!
//! Completion follows the ARIA combobox pattern: the input owns a listbox of suggestions
//! (`aria-controls`, `aria-expanded`), the active one is named by `aria-activedescendant`
//! while focus stays in the input; arrows move, Enter or Tab accepts, Escape closes.

use crate::complete::{complete, Completion};
use crate::protocol::FilterProblem;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The id of the suggestions' listbox.
const SUGGESTIONS: &str = "filter-suggestions";

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
    /// Field names to complete: AWS's, `addr`, `port`, `time`, and the loaded files' own.
    #[prop_or_default]
    pub fields: Rc<Vec<String>>,
}

/// The suggestions shown and the one chosen with the arrows.
#[derive(Clone, Default, PartialEq)]
struct Suggesting {
    completion: Completion,
    active: Option<usize>,
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
    let suggesting = use_state(Suggesting::default);
    let oninput = {
        let draft = draft.clone();
        let suggesting = suggesting.clone();
        let fields = props.fields.clone();
        Callback::from(move |event: InputEvent| {
            let element: HtmlInputElement = event.target_unchecked_into();
            let text = element.value();
            // The cursor is in UTF-16 units; the completion counts characters.
            let cursor16 = element.selection_start().ok().flatten().unwrap_or(0) as usize;
            let cursor = char_offset(&text, cursor16);
            suggesting.set(Suggesting {
                completion: complete(&text, cursor, &fields),
                active: None,
            });
            draft.set(text);
        })
    };
    let accept = {
        let draft = draft.clone();
        let suggesting = suggesting.clone();
        let input = input.clone();
        Rc::new(move |word: &str| {
            let Some(element) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let (text, cursor) = suggesting.completion.accept(&element.value(), word);
            element.set_value(&text);
            let at = utf16_offset(&text, cursor) as u32;
            let _ = element.set_selection_range(at, at);
            let _ = element.focus();
            draft.set(text);
            suggesting.set(Suggesting::default());
        })
    };
    let words = suggesting.completion.words.clone();
    let open = !words.is_empty();
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
        let suggesting = suggesting.clone();
        let accept = accept.clone();
        let words = words.clone();
        Callback::from(move |event: KeyboardEvent| {
            let key = event.key();
            if open {
                let n = words.len();
                let active = suggesting.active;
                match key.as_str() {
                    "ArrowDown" | "ArrowUp" => {
                        event.prevent_default();
                        let next = match (active, key == "ArrowDown") {
                            (None, true) => 0,
                            (None, false) => n - 1,
                            (Some(i), true) => (i + 1) % n,
                            (Some(i), false) => (i + n - 1) % n,
                        };
                        suggesting.set(Suggesting {
                            active: Some(next),
                            ..(*suggesting).clone()
                        });
                        return;
                    }
                    // Tab takes the first suggestion when none is chosen; Enter only takes
                    // one that was chosen, so that Enter still applies what is typed.
                    "Tab" | "Enter" if active.is_some() || key == "Tab" => {
                        event.prevent_default();
                        accept(&words[active.unwrap_or(0)]);
                        return;
                    }
                    "Escape" => {
                        event.prevent_default();
                        suggesting.set(Suggesting::default());
                        return;
                    }
                    _ => {}
                }
            }
            if key == "Enter" {
                suggesting.set(Suggesting::default());
            }
            if key == "Escape" {
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
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls={SUGGESTIONS}
                    aria-expanded={open.to_string()}
                    aria-activedescendant={suggesting.active.map(|i| format!("{SUGGESTIONS}-{i}"))}
                    value={(*draft).clone()}
                    oninput={oninput}
                    onkeydown={onkeydown}
                    onblur={{
                        let suggesting = suggesting.clone();
                        Callback::from(move |_: FocusEvent| suggesting.set(Suggesting::default()))
                    }}
                />
                <ul id={SUGGESTIONS} class={classes!("suggestions", open.then_some("open"))} role="listbox" aria-label="Suggestions">
                    { for words.iter().enumerate().map(|(i, word)| {
                        // Mouse down, not click: a click would blur the input first, which
                        // closes the list before the click lands.
                        let onmousedown = {
                            let accept = accept.clone();
                            let word = word.clone();
                            Callback::from(move |event: MouseEvent| {
                                event.prevent_default();
                                accept(&word);
                            })
                        };
                        let active = suggesting.active == Some(i);
                        html! {
                            <li id={format!("{SUGGESTIONS}-{i}")} role="option"
                                class={classes!("suggestion", active.then_some("active"))}
                                aria-selected={active.to_string()} onmousedown={onmousedown}>
                                { word.clone() }
                            </li>
                        }
                    }) }
                </ul>
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

/// The character offset of the UTF-16 offset `units` in `text`.
fn char_offset(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.chars().enumerate() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.chars().count()
}

/// The UTF-16 offset of the character offset `chars` in `text`.
fn utf16_offset(text: &str, chars: usize) -> usize {
    text.chars().take(chars).map(char::len_utf16).sum()
}
