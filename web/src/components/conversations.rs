//! The Conversations tab, as in Wireshark: both directions of each flow in one row, with
//! A→B and B→A bytes and packets, when it was first seen, how long it lasted, and a bar
//! placing it in time.
//!
//! The bars are SVG rectangles whose position is an attribute, not a style, so that they
//! need nothing the page's Content-Security-Policy forbids.

use crate::numbers::{bytes, duration, thousands, when};
use crate::protocol::{ConversationRow, ConversationsView, Counts};
use crate::query::quote;
use crate::state::Measure;
use std::rc::Rc;
use yew::prelude::*;

/// The conversations tab's properties.
#[derive(Properties, PartialEq)]
pub struct ConversationsProps {
    /// The worker's answer.
    pub view: Option<Rc<ConversationsView>>,
    /// What the rows are ordered by.
    pub measure: Measure,
    /// Times in the browser's zone.
    pub local_time: bool,
    /// Called with a filter condition when a row or address is clicked.
    pub on_chip: Callback<String>,
}

/// The conversations table.
#[component(ConversationsTab)]
pub fn conversations_tab(props: &ConversationsProps) -> Html {
    let Some(view) = props.view.clone() else {
        return html! {
            <section class="conversations" aria-label="Conversations" aria-busy="true">
                <p class="placeholder">{ "Stitching conversations…" }</p>
            </section>
        };
    };
    let rows = view
        .rows
        .iter()
        .map(|row| conversation_row(props, &view, row));
    let note = if view.total > view.rows.len() as u64 {
        format!(
            "The {} largest of {} conversations by {}.",
            thousands(view.rows.len() as u64),
            thousands(view.total),
            props.measure.name()
        )
    } else {
        format!(
            "{} conversations, largest first by {}.",
            thousands(view.total),
            props.measure.name()
        )
    };
    html! {
        <section class="conversations" aria-label="Conversations" data-total={view.total.to_string()}>
            <p class="records-status">{ note }
                { " Both directions of a flow are one row; A is the lower address. Through NAT, the addresses in the packet (pkt-srcaddr, pkt-dstaddr) are used when the format has them." }
            </p>
            if view.rows.is_empty() {
                <p class="placeholder">{ "No conversation: no record the filter keeps has both addresses." }</p>
            } else {
                <div class="table-scroll">
                    <table class="data-table conversations-table">
                        <thead>
                            <tr>
                                <th scope="col">{ "A" }</th>
                                <th scope="col">{ "B" }</th>
                                <th scope="col">{ "Protocol" }</th>
                                <th scope="col" class="num">{ "A → B" }</th>
                                <th scope="col" class="num">{ "B → A" }</th>
                                <th scope="col">{ "First seen" }</th>
                                <th scope="col" class="num">{ "Duration" }</th>
                                <th scope="col">{ "Timeline" }</th>
                            </tr>
                        </thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
        </section>
    }
}

fn conversation_row(
    props: &ConversationsProps,
    view: &ConversationsView,
    row: &ConversationRow,
) -> Html {
    let endpoint = |addr: &str, port: Option<u16>| match port {
        Some(port) => format!("{addr}:{port}"),
        None => addr.to_owned(),
    };
    let a = endpoint(&row.a, row.a_port);
    let b = endpoint(&row.b, row.b_port);
    let chip = |condition: String| {
        let on_chip = props.on_chip.clone();
        Callback::from(move |event: MouseEvent| {
            let exclude = crate::components::chart::excludes(&event);
            on_chip.emit(if exclude {
                format!("not ({condition})")
            } else {
                condition.clone()
            });
        })
    };
    let protocol = match (&row.protocol_name, row.protocol) {
        (Some(name), _) => name.to_uppercase(),
        (None, Some(n)) => n.to_string(),
        (None, None) => "-".into(),
    };
    let protocol = match &row.service {
        Some(service) => format!("{protocol} · {service}"),
        None => protocol,
    };
    let seen = match (row.first_seen, row.last_seen) {
        (Some(first), Some(last)) => (
            when(first, props.local_time),
            duration(last.saturating_sub(first)),
        ),
        (Some(first), None) => (when(first, props.local_time), "-".into()),
        _ => ("-".into(), "-".into()),
    };
    html! {
        <tr data-a={row.a.clone()} data-b={row.b.clone()}
            data-a-to-b={counts_attr(&row.a_to_b)} data-b-to-a={counts_attr(&row.b_to_a)}>
            <td>
                <button type="button" class="link" onclick={chip(format!("addr = {}", quote(&row.a)))}
                    title="Click to filter to this address; Alt- or Shift-click to exclude it.">
                    { a }
                </button>
            </td>
            <td>
                <button type="button" class="link" onclick={chip(format!("addr = {}", quote(&row.b)))}
                    title="Click to filter to this address; Alt- or Shift-click to exclude it.">
                    { b }
                </button>
            </td>
            <td>
                <button type="button" class="link" onclick={chip(conversation_filter(row))}
                    title="Click to filter to this conversation; Alt- or Shift-click to exclude it.">
                    { protocol }
                </button>
            </td>
            <td class="num">{ direction(&row.a_to_b) }</td>
            <td class="num">{ direction(&row.b_to_a) }</td>
            <td>{ seen.0 }</td>
            <td class="num">{ seen.1 }</td>
            <td class="timeline">{ timeline(view.span, row) }</td>
        </tr>
    }
}

/// The filter that keeps both directions of a conversation. Conversations are stitched on
/// the addresses in the packet where the format has them (through a NAT gateway they differ
/// from srcaddr and dstaddr), so the filter reads them the same way.
pub fn conversation_filter(row: &ConversationRow) -> String {
    let addr = |field: &str, value: &str| {
        let value = quote(value);
        format!("(pkt-{field} = {value} or (pkt-{field} is missing and {field} = {value}))")
    };
    let side = |src: &str, src_port: Option<u16>, dst: &str, dst_port: Option<u16>| {
        let mut parts = vec![addr("srcaddr", src), addr("dstaddr", dst)];
        if let Some(p) = src_port {
            parts.push(format!("srcport = {p}"));
        }
        if let Some(p) = dst_port {
            parts.push(format!("dstport = {p}"));
        }
        parts.join(" and ")
    };
    let mut text = format!(
        "({}) or ({})",
        side(&row.a, row.a_port, &row.b, row.b_port),
        side(&row.b, row.b_port, &row.a, row.a_port)
    );
    if let Some(p) = row.protocol {
        text = format!("protocol = {p} and ({text})");
    }
    text
}

/// Records, bytes, packets as an attribute for tests: `records bytes packets`.
fn counts_attr(c: &Counts) -> String {
    format!("{} {} {}", c[0], c[1], c[2])
}

/// One direction's bytes and packets.
fn direction(c: &Counts) -> Html {
    if c[0] == 0 {
        return html! { <span class="muted">{ "—" }</span> };
    }
    html! {
        <span title={format!("{} bytes, {} packets, {} records", thousands(c[1]), thousands(c[2]), thousands(c[0]))}>
            { bytes(c[1]) }<br />
            <span class="muted">{ format!("{} pkts", thousands(c[2])) }</span>
        </span>
    }
}

/// A bar from first to last seen, on the scale of every row shown.
fn timeline(span: Option<(u64, u64)>, row: &ConversationRow) -> Html {
    let (Some((from, to)), Some(first)) = (span, row.first_seen) else {
        return html! {};
    };
    let last = row.last_seen.unwrap_or(first).max(first);
    let whole = (to.saturating_sub(from)).max(1) as f64;
    let x = (first.saturating_sub(from)) as f64 / whole * 100.0;
    let width = ((last - first) as f64 / whole * 100.0).max(0.8);
    html! {
        <svg class="timeline-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img"
            aria-label={format!("from {}% to {}% of the time shown", x.round(), (x + width).min(100.0).round())}>
            <rect class="timeline-track" x="0" y="3" width="100" height="4" />
            <rect class="timeline-span" x={format!("{x:.2}")} y="1" width={format!("{width:.2}")} height="8" />
        </svg>
    }
}
