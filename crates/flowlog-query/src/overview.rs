//! The overview: everything the page shows at once for one filter, in one pass.
//!
//! Summary, time histogram and the five top lists people look at first (sources,
//! destinations, destination ports, protocols, interfaces). Each part is its own tight loop
//! over the selection (one loop feeding every answer was measured slower: too many live
//! columns for the registers); the distinct addresses of the summary come from the source
//! and destination groups instead of hashing every row twice more. It is the unit the
//! benchmark times and the page asks its worker for; like its parts it merges across
//! files, and a test checks that it equals its parts computed one by one.

use crate::filter::Filter;
use crate::group::Groups;
use crate::histogram::{Histogram, BASE_WIDTH};
use crate::key::{GroupBy, Key};
use crate::selection::Selection;
use crate::summary::Summary;
use flowlog::{Field, FieldRef, FlowTable};

/// The group-bys of the overview's top lists.
pub const OVERVIEW_GROUPS: [Field; 5] = [
    Field::SrcAddr,
    Field::DstAddr,
    Field::DstPort,
    Field::Protocol,
    Field::InterfaceId,
];

/// Summary, histogram (per minute; coarsen it for display) and five groupings of the
/// records a filter keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overview {
    /// Totals, time span, distinct counts, by action and log-status.
    pub summary: Summary,
    /// Records per minute, by action.
    pub histogram: Histogram,
    /// Groups by each of [`OVERVIEW_GROUPS`], in that order.
    pub groups: Vec<Groups>,
}

impl Overview {
    /// The overview of the rows of `table` that `filter` keeps.
    pub fn of(table: &FlowTable, filter: &Filter) -> Overview {
        Overview::of_selection(table, &filter.select(table))
    }

    /// The overview of the selected rows of `table`.
    pub fn of_selection(table: &FlowTable, selection: &Selection) -> Overview {
        let mut summary = Summary::of_selection_with(table, selection, false);
        let groups: Vec<Groups> = OVERVIEW_GROUPS
            .iter()
            .map(|f| Groups::of(table, selection, &GroupBy::Field(FieldRef::Known(*f))))
            .collect();
        // The distinct addresses are the keys of the source and destination groups.
        for groups in &groups[..2] {
            for (key, _) in groups.iter() {
                if let Key::Addr(addr) = key {
                    summary.addresses.insert(*addr);
                }
            }
        }
        Overview {
            summary,
            histogram: Histogram::of(table, selection, BASE_WIDTH),
            groups,
        }
    }

    /// Adds another part's overview.
    pub fn merge(&mut self, other: &Overview) {
        self.summary.merge(&other.summary);
        self.histogram.merge(&other.histogram);
        for (a, b) in self.groups.iter_mut().zip(&other.groups) {
            a.merge(b);
        }
    }
}
