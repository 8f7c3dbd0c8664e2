//! The Overview tab: the measure switch, traffic over time, and the top lists, all drawn
//! from the worker's last answer.

use crate::components::chart::{BarsCanvas, ChartActions, Drawing, TimeCanvas};
use crate::export::{histogram_csv, top_csv};
use crate::numbers::{bytes, local_offset, middle_ellipsis, thousands, utc, when};
use crate::protocol::{Counts, OverviewView, TopView};
use crate::query::condition;
use crate::state::{AbsentFields, Measure};
use flowlog_charts::{Bar, BarChart, TimeBucket, TimeChart, Unit};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The longest label a bar shows whole; interface ids and IPv6 addresses are cut in the
/// middle, where they differ least.
const LABEL_CHARS: usize = 22;

/// The overview's properties.
#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    /// The worker's answer.
    pub view: Rc<OverviewView>,
    /// What the charts measure.
    pub measure: Measure,
    /// Called when the user switches the measure.
    pub on_measure: Callback<Measure>,
    /// Called with a filter condition when the user clicks a mark.
    pub on_chip: Callback<String>,
    /// Called with a time range (`from..to`, Unix seconds) brushed on the time chart.
    pub on_zoom: Callback<(u64, u64)>,
    /// Whether times are shown in the browser's time zone.
    pub local_time: bool,
    /// Changes when the charts should be drawn again (the window was resized).
    pub size: u32,
    /// What records without an action are called, after the layouts read (see
    /// [`crate::state::State::no_action_label`]).
    pub no_action: &'static str,
    /// Fields no record read has: the legend and the top lists leave them out.
    #[prop_or_default]
    pub absent: AbsentFields,
}

fn unit(measure: Measure) -> Unit {
    match measure {
        Measure::Bytes => Unit::Bytes,
        Measure::Packets => Unit::Packets,
        Measure::Records => Unit::Records,
    }
}

/// A value of a measure in words, exact.
fn exact(measure: Measure, n: u64) -> String {
    match measure {
        Measure::Bytes => format!("{} ({} bytes)", bytes(n), thousands(n)),
        Measure::Packets => format!("{} packets", thousands(n)),
        Measure::Records => format!("{} records", thousands(n)),
    }
}

/// The time chart's numbers as a visually hidden table, as HTML text: a row per bucket
/// with its exact counts in `data-` attributes, and a button that filters to the bucket
/// (the figure's click handler reads its range from `data-from` and `data-to`).
///
/// Text rather than Yew's elements: a day in 15-minute buckets is about a thousand nodes,
/// and made one by one they took the page's thread about 30 ms before the first chart of a
/// file could be painted, where the browser parses the text in a few. The table holds
/// only numbers and times that the page formats itself, and its text is escaped all the
/// same.
fn time_table_html(view: &OverviewView, measure: Measure, local: bool) -> String {
    use std::fmt::Write;
    let at = measure.index();
    let width = view.width;
    let mut html = String::with_capacity(300 + 260 * view.buckets.len());
    let _ = write!(
        html,
        "<table class=\"visually-hidden\" data-chart=\"time\" data-width=\"{width}\">\
         <caption>{}</caption>\
         <tr><th>start</th><th>ACCEPT</th><th>REJECT</th><th>no action</th></tr>",
        escape(&format!("{} per {width} seconds, UTC", measure.name())),
    );
    for b in &view.buckets {
        let (from, to) = (b.start, b.start + width.max(1));
        let _ = write!(
            html,
            "<tr data-start=\"{from}\" data-accept=\"{}\" data-reject=\"{}\" data-none=\"{}\">\
             <td><button type=\"button\" class=\"link\" data-from=\"{from}\" data-to=\"{to}\" \
             aria-label=\"{}\">{}</button></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.accept[at],
            b.reject[at],
            b.none[at],
            escape(&format!(
                "Filter to the {width} seconds from {}",
                when(b.start, local)
            )),
            escape(&utc(b.start)),
            thousands(b.accept[at]),
            thousands(b.reject[at]),
            thousands(b.none[at]),
        );
    }
    html.push_str("</table>");
    html
}

/// Text made safe to put in HTML, in an element or a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A top list's title.
fn title(by: &str) -> &'static str {
    match by {
        "srcaddr" => "Top sources",
        "dstaddr" => "Top destinations",
        "pair" => "Top pairs",
        "dstport" => "Top destination ports",
        "protocol" => "Protocols",
        "interface-id" => "Top interfaces",
        "tgw-attachment-id" => "Top transit gateway attachments",
        _ => "Top values",
    }
}

/// A group's key as a label: `22 ssh`, `6 TCP`, `10.0.0.1 → 8.8.8.8`, `(missing)`.
fn key_label(key: &[Option<String>], label: Option<&str>) -> String {
    let values: Vec<&str> = key
        .iter()
        .map(|v| v.as_deref().unwrap_or("(missing)"))
        .collect();
    let text = values.join(" → ");
    match label {
        Some(label) => format!("{text} {label}"),
        None => text,
    }
}

/// The overview.
#[component(OverviewTab)]
pub fn overview_tab(props: &OverviewProps) -> Html {
    let view = &props.view;
    let measure = props.measure;
    let at = measure.index();

    let local = props.local_time;
    let time = use_memo((view.clone(), measure, local), |(view, measure, local)| {
        TimeChart {
            // One offset for the whole axis, that of its first bucket: a change of daylight
            // saving time inside the range shifts the later labels by an hour, as most
            // plotting tools do.
            offset: match (local, view.buckets.first()) {
                (true, Some(b)) => local_offset(b.start),
                _ => 0,
            },
            unit: unit(*measure),
            width: view.width,
            buckets: view
                .buckets
                .iter()
                .map(|b| TimeBucket {
                    start: b.start,
                    accept: b.accept[measure.index()],
                    reject: b.reject[measure.index()],
                    none: b.none[measure.index()],
                })
                .collect(),
        }
    });
    let describe_bucket = {
        let view = view.clone();
        Callback::from(move |i: usize| {
            let Some(b) = view.buckets.get(i) else {
                return String::new();
            };
            format!(
                "{}, {} s\nACCEPT: {}\nREJECT: {}\nno action: {}\nDrag across the chart to filter to a time range.",
                when(b.start, local),
                view.width,
                exact(measure, b.accept[at]),
                exact(measure, b.reject[at]),
                exact(measure, b.none[at]),
            )
        })
    };

    let switch = Measure::ALL.iter().map(|m| {
        let on_measure = props.on_measure.clone();
        let m = *m;
        let onchange = Callback::from(move |_: Event| on_measure.emit(m));
        html! {
            <label class={classes!("segment", (m == measure).then_some("on"))}>
                <input type="radio" name="measure" value={m.name()} checked={m == measure} onchange={onchange} />
                { m.name() }
            </label>
        }
    });

    // A click on one of the time table's buttons (see `time_table_html`), found by the
    // range it carries.
    let zoom_from_table = {
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |event: MouseEvent| {
            let button = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("button[data-from][data-to]").ok().flatten());
            let range = button.and_then(|b| {
                let from = b.get_attribute("data-from")?.parse().ok()?;
                let to = b.get_attribute("data-to")?.parse().ok()?;
                Some((from, to))
            });
            if let Some(range) = range {
                on_zoom.emit(range);
            }
        })
    };
    let time_table = use_memo((view.clone(), measure, local), |(view, measure, local)| {
        Html::from_html_unchecked(time_table_html(view, *measure, *local).into())
    });

    html! {
        <section class="overview-charts" aria-label="Charts" data-measure={measure.name()}>
            <div class="chart-head">
                <h2 class="chart-title">{ "Traffic over time" }</h2>
                <div class="legend" aria-hidden="true">
                    if !props.absent.action {
                        <span class="swatch accept" />{ "ACCEPT" }
                        <span class="swatch reject" />{ "REJECT" }
                    }
                    <span class="swatch none" />{ props.no_action }
                </div>
                <ChartActions
                    name="flowlens-traffic-over-time"
                    title="traffic over time"
                    drawing={Drawing::Time(time.clone())}
                    csv={{
                        let view = view.clone();
                        Callback::from(move |()| histogram_csv(&view))
                    }}
                />
                <fieldset class="segments">
                    <legend class="visually-hidden">{ "Measure" }</legend>
                    { for switch }
                </fieldset>
            </div>
            <figure class="chart time-chart" onclick={zoom_from_table}>
                <TimeCanvas chart={time} size={props.size} describe={describe_bucket} on_zoom={props.on_zoom.clone()} />
                { (*time_table).clone() }
            </figure>
            <div class="tops">
                { for view.tops.iter().map(|top| if top.by == "interface-id" && props.absent.interface {
                    // One "(missing)" bar would say nothing; the list says why it is empty.
                    html! {
                        <figure key={top.by.clone()} class="chart top-chart" data-top={top.by.clone()} data-absent="true">
                            <figcaption><span class="chart-title">{ title(&top.by) }</span></figcaption>
                            <p class="placeholder">{ AbsentFields::NO_INTERFACE }</p>
                        </figure>
                    }
                } else {
                    html! {
                        <TopChart
                            key={top.by.clone()}
                            top={Rc::new(top.clone())}
                            measure={measure}
                            size={props.size}
                            on_chip={props.on_chip.clone()}
                        />
                    }
                }) }
            </div>
        </section>
    }
}

/// One top list's properties.
#[derive(Properties, PartialEq)]
pub struct TopChartProps {
    /// The list.
    pub top: Rc<TopView>,
    /// What it is ordered by and what the bars measure.
    pub measure: Measure,
    /// Changes when the chart should be drawn again.
    pub size: u32,
    /// Called with a filter condition when the user clicks a bar.
    pub on_chip: Callback<String>,
    /// The chart's title, when the list's own ("Top sources") is not the right one.
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

/// One top list as a bar chart, with its exact numbers in a hidden table.
#[component(TopChart)]
pub fn top_chart(props: &TopChartProps) -> Html {
    let top = &props.top;
    let measure = props.measure;
    let at = measure.index();
    let chart = use_memo((top.clone(), measure), |(top, measure)| BarChart {
        unit: unit(*measure),
        bars: top
            .rows
            .iter()
            .map(|row| Bar {
                label: shorten(&row.key, name(&top.by, row.label.as_deref()).as_deref()),
                value: row.counts[measure.index()],
            })
            .collect(),
    });
    let describe = {
        let top = top.clone();
        Callback::from(move |i: usize| {
            let Some(row) = top.rows.get(i) else {
                return String::new();
            };
            format!(
                "{}\n{}\nClick to filter to it; Alt- or Shift-click to exclude it.",
                key_label(&row.key, row.label.as_deref()),
                counts_text(&row.counts)
            )
        })
    };
    let pick = {
        let top = top.clone();
        let on_chip = props.on_chip.clone();
        Callback::from(move |(i, exclude): (usize, bool)| {
            if let Some(row) = top.rows.get(i) {
                on_chip.emit(condition(&top.by, &row.key, exclude));
            }
        })
    };
    let rows: Vec<Html> = top.rows.iter().enumerate().map(|(i, row)| {
        let keep = {
            let pick = pick.clone();
            Callback::from(move |event: MouseEvent| pick.emit((i, crate::components::chart::excludes(&event))))
        };
        let name = key_label(&row.key, name(&top.by, row.label.as_deref()).as_deref());
        html! {
            <tr
                data-key={row.key.iter().map(|k| k.clone().unwrap_or_else(|| "null".into())).collect::<Vec<_>>().join(" ")}
                data-records={row.counts[0].to_string()}
                data-bytes={row.counts[1].to_string()}
                data-packets={row.counts[2].to_string()}
            >
                <td>
                    <button type="button" class="link" onclick={keep}
                        aria-label={format!("Filter to {name}")}>{ name.clone() }</button>
                </td>
                <td>{ thousands(row.counts[at]) }</td>
            </tr>
        }
    }).collect();
    let other = top.other[at];
    let heading: AttrValue = props
        .title
        .clone()
        .unwrap_or_else(|| AttrValue::Static(title(&top.by)));
    html! {
        <figure class="chart top-chart" data-top={top.by.clone()} data-groups={top.groups.to_string()}>
            <figcaption>
                <span class="chart-title">{ heading.clone() }</span>
                <span class="chart-note">
                    { format!("by {}", measure.name()) }
                    if other > 0 {
                        { format!(" · {} more groups: {}", thousands(top.groups.saturating_sub(top.rows.len() as u64)), flowlog_charts::compact(unit(measure), other)) }
                    }
                </span>
                <ChartActions
                    name={format!("flowlens-{}-{}", heading.to_lowercase().replace(' ', "-"), top.by)}
                    title={heading.to_lowercase()}
                    drawing={Drawing::Bars(chart.clone())}
                    csv={{
                        let top = top.clone();
                        Callback::from(move |()| top_csv(&top))
                    }}
                />
            </figcaption>
            <BarsCanvas
                chart={chart}
                size={props.size}
                label={heading.clone()}
                describe={describe}
                on_pick={pick}
            />
            <table class="visually-hidden" data-chart={top.by.clone()} data-other={other.to_string()}>
                <caption>{ format!("{}, by {}", heading, measure.name()) }</caption>
                { for rows }
            </table>
        </figure>
    }
}

/// A value's name as shown: protocols in capitals, as people write them (`6 TCP`).
fn name(by: &str, label: Option<&str>) -> Option<String> {
    let label = label?;
    Some(if by == "protocol" {
        label.to_uppercase()
    } else {
        label.to_owned()
    })
}

/// A bar's label, cut to fit.
fn shorten(key: &[Option<String>], label: Option<&str>) -> String {
    let part = |v: &Option<String>, max: usize| match v {
        Some(v) => middle_ellipsis(v, max),
        None => "(missing)".into(),
    };
    let text = match key {
        [a, b] => format!("{} → {}", part(a, 15), part(b, 15)),
        [a] => part(a, LABEL_CHARS),
        _ => String::new(),
    };
    match label {
        Some(label) => format!("{text} {label}"),
        None => text,
    }
}

fn counts_text(c: &Counts) -> String {
    format!(
        "{} records · {} ({} bytes) · {} packets",
        thousands(c[0]),
        bytes(c[1]),
        thousands(c[1]),
        thousands(c[2])
    )
}
