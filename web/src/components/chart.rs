//! The canvas glue of the charts: size the `<canvas>` in device pixels, pick the theme, and
//! hand a plotters drawing area to `flowlog-charts`, which does all the drawing.
//!
//! Each chart also renders its numbers as a visually hidden table (`data-` attributes with
//! exact values), which is what screen readers read and what tests compare with the CLI;
//! its rows carry buttons, so every mark is reachable by keyboard too.
//!
//! The time chart also takes a brush: dragging across it selects a time range (shown while
//! dragging, Escape cancels), which becomes the time filter. Every chart offers its PNG (the
//! canvas as drawn, on the page's background) and its SVG (the same drawing code on
//! plotters' SVG backend).

use crate::components::exports::{download_blob, download_text};
use flowlog_charts::{
    bars_svg_on, draw_bars, draw_time, time_svg_on, BarChart, Frame, Theme, TimeChart,
};
use plotters::coord::Shift;
use plotters::drawing::DrawingArea;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

/// The theme for the page's colour scheme, at the screen's pixel density.
pub fn theme() -> Theme {
    let window = web_sys::window();
    let scale = window
        .as_ref()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let dark = window
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Theme::dark(scale)
    } else {
        Theme::light(scale)
    }
}

/// Draws on `canvas` at its CSS size times `devicePixelRatio`; returns where the data went.
fn paint(
    canvas: &HtmlCanvasElement,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, &Theme) -> Result<Frame, String>,
) -> Frame {
    let theme = theme();
    let width = (f64::from(canvas.client_width()) * theme.scale).round() as u32;
    let height = (f64::from(canvas.client_height()) * theme.scale).round() as u32;
    if width == 0 || height == 0 {
        return Frame::default();
    }
    canvas.set_width(width);
    canvas.set_height(height);
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        return Frame::default();
    };
    let area = backend.into_drawing_area();
    match draw(&area, &theme).and_then(|f| area.present().map(|()| f).map_err(|e| format!("{e:?}")))
    {
        Ok(frame) => {
            // How many times the canvas was painted: tests and the benchmark wait for it,
            // since a canvas is painted after the page around it is drawn.
            let paints = canvas.get_attribute("data-paints");
            let paints = paints.and_then(|p| p.parse::<u64>().ok()).unwrap_or(0) + 1;
            let _ = canvas.set_attribute("data-paints", &paints.to_string());
            frame
        }
        Err(error) => {
            web_sys::console::warn_1(
                &format!("flowlens: a chart could not be drawn: {error}").into(),
            );
            Frame::default()
        }
    }
}

/// Draws a chart on a canvas of its own size, for [`use_painted`].
type Draw<C> = fn(&DrawingArea<CanvasBackend, Shift>, &C, &Theme) -> Result<Frame, String>;

/// What a canvas was last asked to show, and whether it has been painted with it.
struct Painting<C> {
    chart: Rc<C>,
    size: u32,
    painted: bool,
}

/// Paints `canvas` with `draw` each time `chart` or `size` changes, and returns where the
/// data went, for the pointer handlers.
///
/// The canvas is painted by whichever comes first: the next animation frame, or the effect
/// that follows the render. The effect alone is not enough: Yew yields to the browser
/// when a render has taken 16 ms, before the effects, and the browser then draws a frame
/// with the page in place and every chart still empty; the effects paint 20–60 ms later,
/// and the charts need a frame of their own. An animation frame's callbacks run before
/// the frame is drawn, so the charts come with the page.
#[hook]
fn use_painted<C: 'static>(
    canvas: &NodeRef,
    chart: &Rc<C>,
    size: u32,
    draw: Draw<C>,
) -> Rc<RefCell<Frame>> {
    let frame = use_mut_ref(Frame::default);
    let painting = use_mut_ref(|| None::<Painting<C>>);
    // Paints what the canvas was last asked to show, unless that is painted already.
    let paint_if_due = {
        let canvas = canvas.clone();
        let frame = frame.clone();
        let painting = painting.clone();
        move || {
            let due = match painting.borrow_mut().as_mut() {
                Some(p) if !p.painted => {
                    p.painted = true;
                    p.chart.clone()
                }
                _ => return,
            };
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                *frame.borrow_mut() = paint(&canvas, |area, theme| draw(area, &due, theme));
            }
        }
    };
    let asked_before = painting
        .borrow()
        .as_ref()
        .is_some_and(|p| Rc::ptr_eq(&p.chart, chart) && p.size == size);
    if !asked_before {
        *painting.borrow_mut() = Some(Painting {
            chart: chart.clone(),
            size,
            painted: false,
        });
        if let Some(window) = web_sys::window() {
            let callback = Closure::once_into_js(paint_if_due.clone());
            let _ = window.request_animation_frame(callback.unchecked_ref());
        }
    }
    // After every render: nothing is painted twice.
    use_effect(paint_if_due);
    frame
}

/// The pointer's position in the canvas's device pixels.
fn pointer(canvas: &HtmlCanvasElement, event: &MouseEvent) -> (i32, i32) {
    let rect = canvas.get_bounding_client_rect();
    let scale = scale();
    let x = (f64::from(event.client_x()) - rect.left()) * scale;
    let y = (f64::from(event.client_y()) - rect.top()) * scale;
    (x.round() as i32, y.round() as i32)
}

/// Device pixels per CSS pixel, as the charts are drawn.
fn scale() -> f64 {
    web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0)
}

/// Whether a click should exclude what it hits rather than keep it: Alt or Shift held.
pub fn excludes(event: &MouseEvent) -> bool {
    event.alt_key() || event.shift_key()
}

/// The time chart's properties.
#[derive(Properties, PartialEq)]
pub struct TimeCanvasProps {
    /// What to draw.
    pub chart: Rc<TimeChart>,
    /// Changes when the canvas should be drawn again at a new size.
    pub size: u32,
    /// What the exact value of a bucket reads as, for the hover text.
    pub describe: Callback<usize, String>,
    /// Called with a time range (`from..to`, Unix seconds, on bucket edges) brushed by the
    /// user.
    pub on_zoom: Callback<(u64, u64)>,
}

/// Shows the brush from `a` to `b` (device pixels), kept inside the plotting area, or hides
/// it. Positions are set through the CSS object model: the page's policy refuses inline
/// `style` attributes.
fn show_brush(brush: &NodeRef, frame: &Frame, span: Option<(i32, i32)>) {
    let Some(element) = brush.cast::<HtmlElement>() else {
        return;
    };
    let Some((a, b)) = span else {
        element.set_class_name("brush");
        return;
    };
    let scale = scale();
    let lo = a.min(b).clamp(frame.left, frame.right);
    let hi = a.max(b).clamp(frame.left, frame.right);
    let style = element.style();
    let _ = style.set_property("left", &format!("{}px", f64::from(lo) / scale));
    let _ = style.set_property("width", &format!("{}px", f64::from(hi - lo) / scale));
    let _ = style.set_property("top", &format!("{}px", f64::from(frame.top) / scale));
    let _ = style.set_property(
        "height",
        &format!("{}px", f64::from(frame.bottom - frame.top) / scale),
    );
    element.set_class_name("brush on");
}

/// Traffic over time, on a canvas.
#[component(TimeCanvas)]
pub fn time_canvas(props: &TimeCanvasProps) -> Html {
    let canvas = use_node_ref();
    let frame = use_painted(
        &canvas,
        &props.chart,
        props.size,
        draw_time::<CanvasBackend>,
    );
    // Where a drag started and where it is now, in device pixels.
    let drag = use_mut_ref(|| None::<(i32, i32)>);
    let brush = use_node_ref();
    let host = use_node_ref();
    let onmousedown = {
        let canvas = canvas.clone();
        let drag = drag.clone();
        let host = host.clone();
        let frame = frame.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(element) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (x, _) = pointer(&element, &event);
            let f = *frame.borrow();
            if event.button() != 0 || x < f.left || x > f.right {
                return;
            }
            // No text selection while dragging; the host takes focus so that Escape reaches
            // it.
            event.prevent_default();
            if let Some(host) = host.cast::<HtmlElement>() {
                let _ = host.focus();
            }
            *drag.borrow_mut() = Some((x, x));
        })
    };
    let onmousemove = {
        let canvas = canvas.clone();
        let chart = props.chart.clone();
        let describe = props.describe.clone();
        let drag = drag.clone();
        let brush = brush.clone();
        let frame = frame.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(element) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (x, _) = pointer(&element, &event);
            let f = *frame.borrow();
            let span = drag.borrow_mut().as_mut().map(|d| {
                d.1 = x;
                *d
            });
            if span.is_some() {
                show_brush(&brush, &f, span);
            }
            let title = f
                .bucket_at(&chart, x)
                .map(|i| describe.emit(i))
                .unwrap_or_default();
            element.set_title(&title);
        })
    };
    let onmouseup = {
        let chart = props.chart.clone();
        let drag = drag.clone();
        let brush = brush.clone();
        let frame = frame.clone();
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| {
            let Some((a, b)) = drag.borrow_mut().take() else {
                return;
            };
            let f = *frame.borrow();
            show_brush(&brush, &f, None);
            // A click, or a drag of a few pixels, is not a range.
            if (f64::from((a - b).abs()) / scale()) < 4.0 {
                return;
            }
            let (Some(from), Some(to)) = (f.time_at(&chart, a.min(b)), f.time_at(&chart, a.max(b)))
            else {
                return;
            };
            // Ranges snap outwards to bucket edges, which is what the bars show.
            let width = chart.width.max(1);
            on_zoom.emit((from / width * width, to.div_ceil(width) * width));
        })
    };
    let cancel = {
        let drag = drag.clone();
        let brush = brush.clone();
        let frame = frame.clone();
        move || {
            if drag.borrow_mut().take().is_some() {
                show_brush(&brush, &frame.borrow(), None);
            }
        }
    };
    let onkeydown = {
        let cancel = cancel.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                cancel();
            }
        })
    };
    {
        // A drag that ends outside the chart (the button released elsewhere) is cancelled:
        // the chart's own mouseup has already taken any drag that ended on it.
        let cancel = cancel.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut()>::new(cancel);
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window
                    .add_event_listener_with_callback("mouseup", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "mouseup",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    html! {
        <div class="brush-host" ref={host} tabindex="-1" onkeydown={onkeydown}>
            <canvas
                ref={canvas}
                class="chart-canvas time-canvas"
                role="img"
                aria-label="Traffic over time, stacked by action; drag across it to filter to a time range"
                onmousedown={onmousedown}
                onmousemove={onmousemove}
                onmouseup={onmouseup}
            />
            <div class="brush" ref={brush} aria-hidden="true" />
        </div>
    }
}

/// A bar chart's properties.
#[derive(Properties, PartialEq)]
pub struct BarsCanvasProps {
    /// What to draw.
    pub chart: Rc<BarChart>,
    /// Changes when the canvas should be drawn again at a new size.
    pub size: u32,
    /// What the chart shows, for its accessible name.
    pub label: AttrValue,
    /// The exact value of a bar, for the hover text.
    pub describe: Callback<usize, String>,
    /// Called with a bar's position and whether to exclude it, when it is clicked.
    pub on_pick: Callback<(usize, bool)>,
}

/// A top list as bars, on a canvas; a click filters to the bar under the pointer.
#[component(BarsCanvas)]
pub fn bars_canvas(props: &BarsCanvasProps) -> Html {
    let canvas = use_node_ref();
    let frame = use_painted(
        &canvas,
        &props.chart,
        props.size,
        draw_bars::<CanvasBackend>,
    );
    let hovered = use_mut_ref(|| Cell::new(None::<usize>));
    let bar_at = {
        let canvas = canvas.clone();
        let frame = frame.clone();
        let bars = props.chart.bars.len();
        move |event: &MouseEvent| {
            let element = canvas.cast::<HtmlCanvasElement>()?;
            let (x, y) = pointer(&element, event);
            frame.borrow().bar_at(bars, x, y)
        }
    };
    let onmousemove = {
        let bar_at = bar_at.clone();
        let canvas = canvas.clone();
        let describe = props.describe.clone();
        Callback::from(move |event: MouseEvent| {
            let bar = bar_at(&event);
            let previous = hovered.borrow().replace(bar);
            if previous != bar {
                if let Some(element) = canvas.cast::<web_sys::HtmlElement>() {
                    element.set_title(&bar.map(|i| describe.emit(i)).unwrap_or_default());
                    let class = if bar.is_some() {
                        "chart-canvas bars-canvas pickable"
                    } else {
                        "chart-canvas bars-canvas"
                    };
                    element.set_class_name(class);
                }
            }
        })
    };
    let onclick = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(bar) = bar_at(&event) {
                on_pick.emit((bar, excludes(&event)));
            }
        })
    };
    html! {
        <canvas
            ref={canvas}
            class="chart-canvas bars-canvas"
            role="img"
            aria-label={props.label.clone()}
            onmousemove={onmousemove}
            onclick={onclick}
        />
    }
}

/// A chart as it can be exported: its PNG from the canvas shown, its SVG drawn again.
#[derive(Clone, PartialEq)]
pub enum Drawing {
    /// The traffic-over-time chart.
    Time(Rc<TimeChart>),
    /// A top list.
    Bars(Rc<BarChart>),
}

/// The export buttons of one chart.
#[derive(Properties, PartialEq)]
pub struct ChartActionsProps {
    /// The files' name without extension, e.g. `flowlens-top-dstport`.
    pub name: AttrValue,
    /// What the chart is, for the buttons' accessible names.
    pub title: AttrValue,
    /// The chart, for its SVG.
    pub drawing: Drawing,
    /// The chart's numbers as CSV, if it has a table.
    #[prop_or_default]
    pub csv: Option<Callback<(), String>>,
}

/// The canvas of the figure that holds the button clicked.
fn canvas_of(event: &MouseEvent) -> Option<HtmlCanvasElement> {
    let button: web_sys::Element = event.target()?.dyn_into().ok()?;
    // A top list's buttons are in its figure; the time chart's are in the head of the
    // section whose first canvas it is.
    let figure = match button.closest("figure").ok()? {
        Some(figure) => figure,
        None => button.closest("section").ok()??,
    };
    figure.query_selector("canvas").ok()??.dyn_into().ok()
}

/// Saves the canvas as a PNG on the page's background (the canvas itself is transparent).
fn save_png(source: &HtmlCanvasElement, name: &str) -> Result<(), String> {
    let describe = crate::protocol::describe;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let copy: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "not a canvas")?;
    copy.set_width(source.width());
    copy.set_height(source.height());
    let context: web_sys::CanvasRenderingContext2d = copy
        .get_context("2d")
        .map_err(describe)?
        .ok_or("no 2d context")?
        .dyn_into()
        .map_err(|_| "not a 2d context")?;
    let bg = theme().background;
    context.set_fill_style_str(&format!("rgb({},{},{})", bg.0, bg.1, bg.2));
    context.fill_rect(
        0.0,
        0.0,
        f64::from(source.width()),
        f64::from(source.height()),
    );
    context
        .draw_image_with_html_canvas_element(source, 0.0, 0.0)
        .map_err(describe)?;
    let name = name.to_owned();
    let done = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            if let Err(error) = download_blob(&name, &blob) {
                web_sys::console::warn_1(&format!("flowlens: {error}").into());
            }
        }
    });
    copy.to_blob(done.unchecked_ref()).map_err(describe)
}

/// CSV, PNG and SVG of one chart.
#[component(ChartActions)]
pub fn chart_actions(props: &ChartActionsProps) -> Html {
    let name = props.name.clone();
    let png = {
        let name = name.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(canvas) = canvas_of(&event) {
                if let Err(error) = save_png(&canvas, &format!("{name}.png")) {
                    web_sys::console::warn_1(&format!("flowlens: {error}").into());
                }
            }
        })
    };
    let svg = {
        let name = name.clone();
        let drawing = props.drawing.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(canvas) = canvas_of(&event) else {
                return;
            };
            // The SVG has the canvas's size in CSS pixels, in the page's colours.
            let theme = Theme {
                scale: 1.0,
                ..theme()
            };
            let (w, h) = (
                canvas.client_width().max(1) as u32,
                canvas.client_height().max(1) as u32,
            );
            let text = match &drawing {
                Drawing::Time(chart) => time_svg_on(chart, &theme, w, h, Some(theme.background)),
                Drawing::Bars(chart) => bars_svg_on(chart, &theme, w, h, Some(theme.background)),
            };
            let result =
                text.and_then(|text| download_text(&format!("{name}.svg"), "image/svg+xml", &text));
            if let Err(error) = result {
                web_sys::console::warn_1(&format!("flowlens: {error}").into());
            }
        })
    };
    let csv = props.csv.clone().map(|csv| {
        let name = name.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if let Err(error) = download_text(&format!("{name}.csv"), "text/csv", &csv.emit(())) {
                web_sys::console::warn_1(&format!("flowlens: {error}").into());
            }
        });
        html! {
            <button type="button" class="mini" data-save="csv" onclick={onclick}
                aria-label={format!("Save {} as CSV", props.title)}>{ "CSV" }</button>
        }
    });
    html! {
        <span class="chart-actions">
            { for csv }
            <button type="button" class="mini" data-save="png" onclick={png}
                aria-label={format!("Save {} as PNG", props.title)}>{ "PNG" }</button>
            <button type="button" class="mini" data-save="svg" onclick={svg}
                aria-label={format!("Save {} as SVG", props.title)}>{ "SVG" }</button>
        </span>
    }
}
