//! The canvas glue of the charts: size the `<canvas>` in device pixels, pick the theme, and
//! hand a plotters drawing area to `flowlog-charts`, which does all the drawing.
//!
//! Each chart also renders its numbers as a visually hidden table (`data-` attributes with
//! exact values), which is what screen readers read and what tests compare with the CLI;
//! its rows carry buttons, so every mark is reachable by keyboard too.

use flowlog_charts::{draw_bars, draw_time, BarChart, Frame, Theme, TimeChart};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// The theme for the page's colour scheme, at the screen's pixel density.
fn theme() -> Theme {
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
    draw: impl FnOnce(
        &plotters::drawing::DrawingArea<CanvasBackend, plotters::coord::Shift>,
        &Theme,
    ) -> Result<Frame, String>,
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
        Ok(frame) => frame,
        Err(error) => {
            web_sys::console::warn_1(
                &format!("flowlens: a chart could not be drawn: {error}").into(),
            );
            Frame::default()
        }
    }
}

/// The pointer's position in the canvas's device pixels.
fn pointer(canvas: &HtmlCanvasElement, event: &MouseEvent) -> (i32, i32) {
    let rect = canvas.get_bounding_client_rect();
    let scale = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(1.0);
    let x = (f64::from(event.client_x()) - rect.left()) * scale;
    let y = (f64::from(event.client_y()) - rect.top()) * scale;
    (x.round() as i32, y.round() as i32)
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
}

/// Traffic over time, on a canvas.
#[component(TimeCanvas)]
pub fn time_canvas(props: &TimeCanvasProps) -> Html {
    let canvas = use_node_ref();
    let frame = use_mut_ref(Frame::default);
    {
        let canvas = canvas.clone();
        let frame = frame.clone();
        use_effect_with((props.chart.clone(), props.size), move |(chart, _)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                *frame.borrow_mut() = paint(&canvas, |area, theme| draw_time(area, chart, theme));
            }
        });
    }
    let onmousemove = {
        let canvas = canvas.clone();
        let chart = props.chart.clone();
        let describe = props.describe.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(element) = canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            let (x, _) = pointer(&element, &event);
            let title = frame
                .borrow()
                .bucket_at(&chart, x)
                .map(|i| describe.emit(i))
                .unwrap_or_default();
            element.set_title(&title);
        })
    };
    html! {
        <canvas
            ref={canvas}
            class="chart-canvas time-canvas"
            role="img"
            aria-label="Traffic over time, stacked by action"
            onmousemove={onmousemove}
        />
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
    let frame = use_mut_ref(Frame::default);
    let hovered = use_mut_ref(|| Cell::new(None::<usize>));
    {
        let canvas = canvas.clone();
        let frame = frame.clone();
        use_effect_with((props.chart.clone(), props.size), move |(chart, _)| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                *frame.borrow_mut() = paint(&canvas, |area, theme| draw_bars(area, chart, theme));
            }
        });
    }
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
