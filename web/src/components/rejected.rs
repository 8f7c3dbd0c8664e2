//! The Rejected tab: what was turned away, by source, destination port, interface and
//! destination, each a bar chart that filters on click like the overview's.

use crate::components::overview::TopChart;
use crate::numbers::{bytes, thousands};
use crate::protocol::RejectedView;
use crate::state::{AbsentFields, Measure};
use std::rc::Rc;
use yew::prelude::*;

/// The rejected tab's properties.
#[derive(Properties, PartialEq)]
pub struct RejectedProps {
    /// The worker's answer.
    pub view: Option<Rc<RejectedView>>,
    /// What the lists are ordered by.
    pub measure: Measure,
    /// Changes when the charts should be drawn again.
    pub size: u32,
    /// Called with a filter condition when a bar is clicked.
    pub on_chip: Callback<String>,
    /// Fields no record read has: without `action`, nothing is known to be rejected.
    pub absent: AbsentFields,
}

/// The charts' titles, in the order of [`crate::query::REJECTED_LISTS`].
const TITLES: [&str; 4] = [
    "Rejected sources",
    "Rejected destination ports",
    "Interfaces rejecting",
    "Rejected destinations",
];

/// The rejected-traffic charts.
#[component(RejectedTab)]
pub fn rejected_tab(props: &RejectedProps) -> Html {
    if props.absent.action {
        // "0 rejected records" would read as an answer these logs cannot give.
        return html! {
            <section class="rejected" aria-label="Rejected traffic" data-absent="true">
                <p class="placeholder">{ AbsentFields::NO_ACTION }</p>
            </section>
        };
    }
    let Some(view) = props.view.clone() else {
        return html! {
            <section class="rejected" aria-label="Rejected traffic" aria-busy="true">
                <p class="placeholder">{ "Counting rejected traffic…" }</p>
            </section>
        };
    };
    let [records, total_bytes, packets] = view.totals;
    html! {
        <section class="rejected" aria-label="Rejected traffic"
            data-records={records.to_string()} data-bytes={total_bytes.to_string()}
            data-packets={packets.to_string()}>
            <p class="records-status">
                { format!("{} rejected records, {} in {} packets.", thousands(records), bytes(total_bytes), thousands(packets)) }
                { " REJECT means a security group or network ACL did not allow the traffic, or packets arrived after the connection closed." }
            </p>
            if records == 0 {
                <p class="placeholder">{ "Nothing the filter keeps was rejected." }</p>
            } else {
                <div class="tops">
                    { for view.tops.iter().zip(TITLES).map(|(top, title)| html! {
                        <TopChart
                            key={top.by.clone()}
                            top={Rc::new(top.clone())}
                            measure={props.measure}
                            size={props.size}
                            on_chip={props.on_chip.clone()}
                            title={AttrValue::Static(title)}
                        />
                    }) }
                </div>
            }
        </section>
    }
}
