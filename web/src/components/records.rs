//! The Records tab: every record the filter keeps, in a table that scrolls over millions of
//! rows, sortable by any column, with a column chooser.
//!
//! # Virtual scrolling
//!
//! Only the rows on screen exist in the page. The worker sends a window of
//! [`RECORD_WINDOW`] rows around them; scrolling past the window asks for another. A sizer
//! inside the scroll box has the height all rows would have, so that the scroll bar means
//! what it should, and the table sticks to the top of the box (CSS `position: sticky`)
//! showing the rows at the scroll position. Browsers cap an element's height (Chromium at
//! about 33 million pixels, 1.2 million rows), so past [`MAX_PIXELS`] the scroll position
//! maps to rows in proportion instead of one row per 28 pixels.
//!
//! Heights are set through the style object (CSSOM), never a `style` attribute, which the
//! page's Content-Security-Policy forbids.

use crate::numbers::{middle_ellipsis, thousands, when};
use crate::protocol::{JobId, RecordRow, RecordsView};
use crate::query::{condition, SORTED_DEPTH};
use crate::state::{first_row, MAX_PIXELS, RECORD_WINDOW, ROW_PIXELS};
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long scrolling must pause before a new window of rows is asked for.
const SCROLL_PAUSE_MS: i32 = 60;
/// The columns shown until the user chooses: the questions people ask first.
const DEFAULT_COLUMNS: [&str; 11] = [
    "start",
    "interface-id",
    "srcaddr",
    "srcport",
    "dstaddr",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "action",
    "log-status",
];

/// The records tab's properties.
#[derive(Properties, PartialEq)]
pub struct RecordsProps {
    /// The last window of rows received.
    pub view: Option<Rc<RecordsView>>,
    /// The order: a field and whether largest first.
    pub sort: (String, bool),
    /// The whole filter; when it changes the table goes back to the top.
    pub filter: String,
    /// The files' names by id, for the "file:line" of each row.
    pub files: Rc<Vec<(JobId, String)>>,
    /// Times in the browser's zone.
    pub local_time: bool,
    /// Called with a field's name when its header is clicked.
    pub on_sort: Callback<String>,
    /// Called with the first row of the window wanted.
    pub on_window: Callback<u64>,
    /// Called when a row is opened in the drawer.
    pub on_open: Callback<Rc<RecordRow>>,
    /// Called with a filter condition when a cell is clicked.
    pub on_chip: Callback<String>,
}

/// The records table.
#[component(RecordsTab)]
pub fn records_tab(props: &RecordsProps) -> Html {
    let scroller = use_node_ref();
    let sizer = use_node_ref();
    // The first row on screen, and how many fit.
    let first = use_state(|| 0u64);
    let visible = use_state(|| 20u64);
    // `None` until the user chooses; then the names of the columns shown.
    let chosen = use_state(|| None::<BTreeSet<String>>);

    let matched = props.view.as_ref().map_or(0, |v| v.matched);
    let sorted_deep = matched > SORTED_DEPTH;

    // The sizer's height follows the number of rows.
    {
        let sizer = sizer.clone();
        use_effect_with(matched, move |matched| {
            if let Some(element) = sizer.cast::<web_sys::HtmlElement>() {
                let pixels = (matched * ROW_PIXELS).min(MAX_PIXELS) + ROW_PIXELS;
                let _ = element
                    .style()
                    .set_property("height", &format!("{pixels}px"));
            }
        });
    }
    // A new filter or order starts at the top.
    {
        let scroller = scroller.clone();
        let first = first.clone();
        use_effect_with((props.filter.clone(), props.sort.clone()), move |_| {
            if let Some(element) = scroller.cast::<web_sys::Element>() {
                element.set_scroll_top(0);
            }
            first.set(0);
        });
    }
    // How many rows fit, measured once shown and on every resize.
    {
        let scroller = scroller.clone();
        let visible = visible.clone();
        use_effect_with((), move |_| {
            if let Some(element) = scroller.cast::<web_sys::Element>() {
                let rows = (element.client_height().max(0) as u64).div_ceil(ROW_PIXELS);
                visible.set(rows.max(1));
            }
        });
    }

    // The window asked for while scrolling: asked once the scrolling pauses, so that a
    // fling across a million rows asks once, not once per frame.
    let timer = use_mut_ref(|| None::<Timeout>);
    let on_scroll = {
        let scroller = scroller.clone();
        let first = first.clone();
        let visible = visible.clone();
        let timer = timer.clone();
        let on_window = props.on_window.clone();
        let window = props.view.as_ref().map(|v| (v.offset, v.rows.len() as u64));
        Callback::from(move |_: Event| {
            let Some(element) = scroller.cast::<web_sys::Element>() else {
                return;
            };
            let top = element.scroll_top().max(0) as u64;
            let height = element.client_height().max(0) as u64;
            let rows_on_screen = height.div_ceil(ROW_PIXELS).max(1);
            visible.set(rows_on_screen);
            let row = first_row(top, height, matched);
            first.set(row);
            // Ask for a new window when the screen leaves the one held.
            let held = window.is_some_and(|(offset, len)| {
                let end = (offset + len).min(matched);
                row >= offset && (row + rows_on_screen <= end || end == matched)
            });
            // A window asked for a moment ago, for a place the screen has already left, is
            // cancelled: it would move the rows away from the screen.
            *timer.borrow_mut() = if held {
                None
            } else {
                let margin = u64::from(RECORD_WINDOW) / 4;
                let on_window = on_window.clone();
                let start = row.saturating_sub(margin);
                Timeout::start(SCROLL_PAUSE_MS, move || on_window.emit(start))
            };
        })
    };

    let Some(view) = props.view.clone() else {
        return html! {
            <section class="records" aria-label="Records" aria-busy="true">
                <p class="placeholder">{ "Reading the records…" }</p>
            </section>
        };
    };

    let shown: Vec<usize> = {
        let mut shown: Vec<usize> = match &*chosen {
            Some(names) => (0..view.columns.len())
                .filter(|i| names.contains(&view.columns[*i]))
                .collect(),
            // The defaults, and the columns no AWS version names (a team's own fields),
            // which are there because someone wanted them.
            None => (0..view.columns.len())
                .filter(|i| {
                    let name = view.columns[*i].as_str();
                    DEFAULT_COLUMNS.contains(&name) || flowlog::Field::from_name(name).is_none()
                })
                .collect(),
        };
        // Time first, as in any log viewer; then AWS's order.
        shown.sort_by_key(|i| (!matches!(view.columns[*i].as_str(), "start" | "end"), *i));
        shown
    };
    let numeric: Vec<bool> = view
        .columns
        .iter()
        .map(|name| {
            !matches!(name.as_str(), "start" | "end")
                && flowlog::FieldRef::from_name(name).kind().is_numeric()
        })
        .collect();

    let header = shown.iter().map(|&i| {
        let name = view.columns[i].clone();
        let order = match &props.sort {
            (field, true) if *field == name => "descending",
            (field, false) if *field == name => "ascending",
            _ => "none",
        };
        let arrow = match order {
            "descending" => " ▼",
            "ascending" => " ▲",
            _ => "",
        };
        let onclick = {
            let on_sort = props.on_sort.clone();
            let name = name.clone();
            Callback::from(move |_: MouseEvent| on_sort.emit(name.clone()))
        };
        html! {
            <th scope="col" aria-sort={order} data-column={name.clone()}
                class={classes!(numeric[i].then_some("num"))}>
                <button type="button" class="sort" onclick={onclick}
                    title={format!("Sort by {name}; click again to reverse")}>
                    { name.clone() }{ arrow }
                </button>
            </th>
        }
    });

    let rows_on_screen = *visible + 1;
    let body = (*first..(*first + rows_on_screen).min(view.matched)).map(|index| {
        let row = index
            .checked_sub(view.offset)
            .and_then(|i| view.rows.get(i as usize));
        match row {
            Some(row) => record_row(props, &view, &shown, &numeric, index, row),
            None => html! {
                <tr class="pending-row" data-index={index.to_string()}>
                    <td class="where">{ "…" }</td>
                    { for shown.iter().map(|_| html! { <td /> }) }
                </tr>
            },
        }
    });

    let chooser = {
        let chosen = chosen.clone();
        let shown_names: BTreeSet<String> =
            shown.iter().map(|&i| view.columns[i].clone()).collect();
        let boxes = view.columns.iter().map(|name| {
            let on = shown_names.contains(name);
            let onchange = {
                let chosen = chosen.clone();
                let shown_names = shown_names.clone();
                let name = name.clone();
                Callback::from(move |_: Event| {
                    let mut next = shown_names.clone();
                    if !next.remove(&name) {
                        next.insert(name.clone());
                    }
                    chosen.set(Some(next));
                })
            };
            html! {
                <label class="column-choice">
                    <input type="checkbox" checked={on} onchange={onchange} data-column={name.clone()} />
                    { name.clone() }
                </label>
            }
        });
        let all = {
            let chosen = chosen.clone();
            let columns = view.columns.clone();
            Callback::from(move |_: MouseEvent| chosen.set(Some(columns.iter().cloned().collect())))
        };
        let reset = {
            let chosen = chosen.clone();
            Callback::from(move |_: MouseEvent| chosen.set(None))
        };
        html! {
            <details class="column-chooser">
                <summary>{ format!("Columns ({} of {})", shown.len(), view.columns.len()) }</summary>
                <div class="column-list">
                    { for boxes }
                </div>
                <div class="column-actions">
                    <button type="button" class="button small" onclick={all}>{ "All" }</button>
                    <button type="button" class="button small" onclick={reset}>{ "Defaults" }</button>
                </div>
            </details>
        }
    };

    let status = if view.matched == 0 {
        "No record matches the filter.".to_owned()
    } else {
        let last = (*first + rows_on_screen - 1).min(view.matched);
        format!(
            "Rows {}–{} of {} matching records",
            thousands(*first + 1),
            thousands(last),
            thousands(view.matched)
        )
    };

    html! {
        <section class="records" aria-label="Records" data-matched={view.matched.to_string()}
            data-offset={view.offset.to_string()}>
            <div class="records-head">
                <p class="records-status" aria-live="polite">{ status }</p>
                if sorted_deep || view.unsorted {
                    <p class="records-note">
                        { format!("The order holds for the first {} matches; further down, rows are shown in file order. Narrow the filter to order all of them.", thousands(SORTED_DEPTH)) }
                    </p>
                }
                { chooser }
            </div>
            <div class="records-scroll" ref={scroller} onscroll={on_scroll} tabindex="0"
                aria-label="Records table; scroll with the arrow keys or Page Up and Page Down">
                <div class="records-sizer" ref={sizer}>
                    <table class="records-table">
                        <thead>
                            <tr>
                                <th scope="col" class="where">{ "file:line" }</th>
                                { for header }
                            </tr>
                        </thead>
                        <tbody>{ for body }</tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}

/// One record's row: its place (a button that opens the drawer) and its cells, each a
/// button that filters to its value (Alt- or Shift-click excludes it).
fn record_row(
    props: &RecordsProps,
    view: &RecordsView,
    shown: &[usize],
    numeric: &[bool],
    index: u64,
    row: &RecordRow,
) -> Html {
    let file = props
        .files
        .iter()
        .find(|(id, _)| *id == row.file)
        .map_or("?", |(_, name)| short(name));
    let open = {
        let on_open = props.on_open.clone();
        let row = Rc::new(row.clone());
        Callback::from(move |_: MouseEvent| on_open.emit(row.clone()))
    };
    let cells = shown.iter().map(|&i| {
        let field = &view.columns[i];
        let value = row.values.get(i).cloned().flatten();
        let text = match (&value, field.as_str()) {
            (Some(v), "start" | "end") => v
                .parse::<u64>()
                .map_or_else(|_| v.clone(), |s| when(s, props.local_time)),
            (Some(v), _) => v.clone(),
            (None, _) => "-".to_owned(),
        };
        let onclick = {
            let on_chip = props.on_chip.clone();
            let field = field.clone();
            let value = value.clone();
            Callback::from(move |event: MouseEvent| {
                let exclude = crate::components::chart::excludes(&event);
                on_chip.emit(condition(&field, std::slice::from_ref(&value), exclude));
            })
        };
        html! {
            <td class={classes!(value.is_none().then_some("missing"), numeric[i].then_some("num"))}
                data-column={field.clone()}>
                <button type="button" class="cell" onclick={onclick} tabindex="-1"
                    title={format!("{field} = {text}\nClick to filter to it; Alt- or Shift-click to exclude it.")}>
                    { text }
                </button>
            </td>
        }
    });
    html! {
        <tr data-index={index.to_string()} data-file={row.file.to_string()} data-line={row.line.to_string()}>
            <td class="where" title={format!("{file}:{}", row.line)}>
                <button type="button" class="link" onclick={open}
                    aria-label={format!("Explain the record at {file} line {}", row.line)}>
                    { format!("{}:{}", middle_ellipsis(file, 24), row.line) }
                </button>
            </td>
            { for cells }
        </tr>
    }
}

/// A callback run once after a delay, cancelled when dropped (replaced by a newer one).
struct Timeout {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    fn start(ms: i32, f: impl FnOnce() + 'static) -> Option<Timeout> {
        let mut f = Some(f);
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(f) = f.take() {
                f();
            }
        });
        let id = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                ms,
            )
            .ok()?;
        Some(Timeout {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.id);
        }
    }
}

/// The last part of a path.
fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
