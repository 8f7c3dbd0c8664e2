//! Rejected traffic: who is being turned away, on which ports, at which interfaces.
//!
//! The same groupings as top lists, restricted to `action = REJECT`, kept together because
//! the question ("what is being blocked?") is asked as one.

use crate::group::Groups;
use crate::key::GroupBy;
use crate::selection::Selection;
use crate::totals::Totals;
use flowlog::{Field, FieldRef, FlowTable};

/// `REJECT` records by source, destination port, interface and destination. Mergeable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Every rejected record.
    pub totals: Totals,
    /// By `srcaddr`.
    pub by_source: Groups,
    /// By `dstport`.
    pub by_port: Groups,
    /// By `interface-id`.
    pub by_interface: Groups,
    /// By `dstaddr`.
    pub by_destination: Groups,
}

fn by(field: Field) -> GroupBy {
    GroupBy::Field(FieldRef::Known(field))
}

impl Rejected {
    /// The rejected records among the selected rows of `table`.
    pub fn of(table: &FlowTable, selection: &Selection) -> Rejected {
        let reject = flowlog::field::ACTIONS
            .iter()
            .position(|a| *a == "REJECT")
            .expect("REJECT is an action") as u64;
        let mut rejected = match table.int(Field::Action) {
            Some(action) => Selection::from_fn(table.len(), |r| action.get(r) == Some(reject)),
            None => Selection::none(table.len()),
        };
        rejected.and(selection);
        Rejected {
            totals: Totals::of(table, &rejected),
            by_source: Groups::of(table, &rejected, &by(Field::SrcAddr)),
            by_port: Groups::of(table, &rejected, &by(Field::DstPort)),
            by_interface: Groups::of(table, &rejected, &by(Field::InterfaceId)),
            by_destination: Groups::of(table, &rejected, &by(Field::DstAddr)),
        }
    }

    /// Adds another part's rejected records.
    pub fn merge(&mut self, other: &Rejected) {
        self.totals.merge(&other.totals);
        self.by_source.merge(&other.by_source);
        self.by_port.merge(&other.by_port);
        self.by_interface.merge(&other.by_interface);
        self.by_destination.merge(&other.by_destination);
    }
}
