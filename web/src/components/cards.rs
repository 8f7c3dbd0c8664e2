//! The summary cards: records, bytes, packets, accepted and rejected, and the time span.
//!
//! Each card carries its metric's name in `data-metric` and the exact integer in
//! `data-value`, so that tests and scripts read the number the page computed, not a
//! rounded rendering of it.

use crate::numbers::{bytes, duration, thousands, when};
use crate::protocol::Totals;
use crate::state::AbsentFields;
use yew::prelude::*;

/// The cards' properties.
#[derive(Properties, PartialEq)]
pub struct SummaryCardsProps {
    /// Totals over the records the filter keeps, in the files read so far.
    pub totals: Totals,
    /// Distinct interfaces, once the worker has answered.
    pub interfaces: Option<u64>,
    /// Distinct transit gateway attachments, once the worker has answered, when some file
    /// read has the field.
    #[prop_or_default]
    pub attachments: Option<u64>,
    /// Whether a filter is applied, so that the totals are of a part of the records.
    pub filtered: bool,
    /// Files read to their end.
    pub done: usize,
    /// Files still being read.
    pub pending: usize,
    /// Whether `totals` are an earlier answer's, for other files or another filter, while
    /// the answer for the current ones is on its way.
    #[prop_or_default]
    pub updating: bool,
    /// Whether times are shown in the browser's time zone.
    #[prop_or_default]
    pub local_time: bool,
    /// Fields no record read has, whose cards say so instead of showing 0.
    #[prop_or_default]
    pub absent: AbsentFields,
}

/// One card's properties.
#[derive(Properties, PartialEq)]
pub struct CardProps {
    /// The metric's stable name, for `data-metric`.
    pub metric: AttrValue,
    /// What the card shows, in words.
    pub label: AttrValue,
    /// The exact value.
    pub value: u64,
    /// The value as people read it.
    pub text: AttrValue,
    /// The exact value in words, shown on hover.
    pub tooltip: AttrValue,
    /// Whether no record read has the field counted, so that the value means nothing.
    #[prop_or_default]
    pub absent: bool,
}

/// One number with its label.
#[component(Card)]
pub fn card(props: &CardProps) -> Html {
    // The value's size follows the card's width (see `.card-value` in the style sheet), for
    // ten characters; longer ones, such as a count of packets in the hundreds of millions
    // (eleven, which in bold wrapped at a laptop's width) or the billions, are set smaller
    // rather than wrapped. Classes, not a style attribute: the page's
    // Content-Security-Policy allows no inline style.
    let length = match props.text.chars().count() {
        0..=10 => None,
        11..=13 => Some("long"),
        _ => Some("longer"),
    };
    html! {
        <div
            class={classes!("card", format!("card-{}", props.metric))}
            data-metric={props.metric.clone()}
            data-value={props.value.to_string()}
            data-absent={props.absent.then_some("true")}
            title={props.tooltip.clone()}
        >
            <div class="card-label">{ props.label.clone() }</div>
            <div class={classes!("card-value", length)}>{ props.text.clone() }</div>
        </div>
    }
}

/// The cards and the time span of the records.
#[component(SummaryCards)]
pub fn summary_cards(props: &SummaryCardsProps) -> Html {
    let t = &props.totals;
    let count = |metric: &'static str, label: &'static str, n: u64| {
        html! {
            <Card
                metric={metric}
                label={label}
                value={n}
                text={thousands(n)}
                tooltip={format!("{} {}", thousands(n), label.to_lowercase())}
            />
        }
    };
    // A count of a field no record has is 0, which would read as an answer ("nothing
    // rejected"): the card says instead that the logs do not tell.
    let absent = |metric: &'static str, label: &'static str, why: &'static str| {
        html! {
            <Card metric={metric} label={label} value={0} text="—" tooltip={why} absent=true />
        }
    };
    let span = match (t.first_start, t.last_end) {
        (Some(first), Some(last)) if last >= first => html! {
            <p class="span">
                { "From " }<time>{ when(first, props.local_time) }</time>
                { " to " }<time>{ when(last, props.local_time) }</time>
                { format!(" ({})", duration(last - first)) }
            </p>
        },
        _ => html! {},
    };
    let status = match (props.done, props.pending) {
        (0, pending) => format!("Reading {} {}…", pending, files(pending)),
        (done, 0) if props.updating => {
            format!("Updating the totals for {} {}…", done, files(done))
        }
        (done, 0) if props.filtered => {
            format!(
                "Totals of the records the filter keeps, over {} {}.",
                done,
                files(done)
            )
        }
        (done, 0) => format!("Totals over {} {}.", done, files(done)),
        (done, pending) => format!(
            "Totals over {} {}; {} more being read.",
            done,
            files(done),
            pending
        ),
    };
    let busy = props.pending > 0 || props.updating;
    html! {
        <section
            class={classes!("summary", busy.then_some("busy"))}
            aria-label="Totals"
            aria-busy={busy.to_string()}
        >
            <div class="cards">
                { count("records", "Records", t.records) }
                <Card
                    metric="bytes"
                    label="Bytes"
                    value={t.bytes}
                    text={bytes(t.bytes)}
                    tooltip={format!("{} bytes (KB, MB, GB are powers of 1000)", thousands(t.bytes))}
                />
                { count("packets", "Packets", t.packets) }
                if props.absent.action {
                    { absent("accepted", "Accepted", AbsentFields::NO_ACTION) }
                    { absent("rejected", "Rejected", AbsentFields::NO_ACTION) }
                } else {
                    { count("accepted", "Accepted", t.accepted) }
                    { count("rejected", "Rejected", t.rejected) }
                }
                // Transit gateway logs alone count their attachments in the interfaces'
                // place; beside VPC logs, both are counted.
                if !props.absent.interface {
                    if let Some(n) = props.interfaces {
                        { count("interfaces", "Interfaces", n) }
                    }
                } else if props.attachments.is_none() {
                    { absent("interfaces", "Interfaces", AbsentFields::NO_INTERFACE) }
                }
                if let Some(n) = props.attachments {
                    { count("attachments", "Attachments", n) }
                }
            </div>
            { span }
            <p class="summary-status" aria-live="polite">{ status }</p>
        </section>
    }
}

fn files(n: usize) -> &'static str {
    if n == 1 {
        "file"
    } else {
        "files"
    }
}
