//! Conversations: both directions of a flow in one row.
//!
//! A flow log has one record per direction (and per interface and window); people think in
//! conversations. Two records belong to the same conversation when they share protocol and
//! the same two endpoints (address and port) in either order. Addresses are those in the
//! packet: `pkt-srcaddr` and `pkt-dstaddr` where the record has them (so a flow through a
//! NAT gateway is named by its real peer), `srcaddr` and `dstaddr` otherwise.
//!
//! Side A is the client as far as ports tell: the endpoint with the higher port, since
//! clients use ephemeral ports; with equal ports, the endpoint that orders first. Records
//! without a source or destination address (`NODATA`, `SKIPDATA`) belong to no conversation.

use crate::key::Key;
use crate::selection::Selection;
use crate::totals::{Counts, Measure, Totals};
use flowlog::column::AddrColumn;
use flowlog::{Field, FlowTable};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::cmp::Ordering;
use std::net::IpAddr;

/// One side of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Endpoint {
    /// The address in the packet.
    pub addr: IpAddr,
    /// The port, if recorded.
    pub port: Option<u16>,
}

impl Endpoint {
    fn order(&self, other: &Endpoint) -> Ordering {
        Key::Addr(self.addr)
            .cmp(&Key::Addr(other.addr))
            .then_with(|| self.port.cmp(&other.port))
    }
}

/// The identity of a conversation: protocol and both endpoints, client first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ConversationKey {
    /// IANA protocol number, if recorded.
    pub protocol: Option<u8>,
    /// Side A, the client.
    pub a: Endpoint,
    /// Side B, the server.
    pub b: Endpoint,
}

impl ConversationKey {
    /// The key of a record from `src` to `dst`, and whether the record goes from A to B.
    pub fn of(protocol: Option<u8>, src: Endpoint, dst: Endpoint) -> (ConversationKey, bool) {
        let src_is_a = match src.port.cmp(&dst.port) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => src.order(&dst) != Ordering::Greater,
        };
        let (a, b) = if src_is_a { (src, dst) } else { (dst, src) };
        (ConversationKey { protocol, a, b }, src_is_a)
    }
}

/// What was seen of one conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Conversation {
    /// Records, bytes and packets from A to B.
    pub a_to_b: Totals,
    /// Records, bytes and packets from B to A.
    pub b_to_a: Totals,
    /// The earliest `start`.
    pub first_seen: Option<u64>,
    /// The latest `end`.
    pub last_seen: Option<u64>,
}

impl Conversation {
    /// Both directions together.
    pub fn total(&self) -> Totals {
        let mut t = self.a_to_b;
        t.merge(&self.b_to_a);
        t
    }

    /// Seconds from first seen to last seen.
    pub fn duration(&self) -> Option<u64> {
        Some(self.last_seen?.saturating_sub(self.first_seen?))
    }

    fn merge(&mut self, other: &Conversation) {
        self.a_to_b.merge(&other.a_to_b);
        self.b_to_a.merge(&other.b_to_a);
        self.first_seen = match (self.first_seen, other.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_seen = self.last_seen.max(other.last_seen);
    }
}

/// Every conversation of some records. Mergeable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conversations {
    map: FxHashMap<ConversationKey, Conversation>,
}

impl Conversations {
    /// The conversations of the selected rows of `table`.
    pub fn of(table: &FlowTable, selection: &Selection) -> Conversations {
        let mut out = Conversations::default();
        let (Some(src), Some(dst)) = (table.addr(Field::SrcAddr), table.addr(Field::DstAddr))
        else {
            return out;
        };
        let pkt_src = table.addr(Field::PktSrcAddr);
        let pkt_dst = table.addr(Field::PktDstAddr);
        let in_packet = |pkt: Option<&AddrColumn>, own: &AddrColumn, row: usize| {
            pkt.and_then(|c| c.get(row)).or_else(|| own.get(row))
        };
        let port =
            |field: Field, row: usize| table.int(field).and_then(|c| c.get(row)).map(|p| p as u16);
        let protocol = table.int(Field::Protocol);
        let start = table.int(Field::Start);
        let end = table.int(Field::End);
        let counts = Counts::of(table);
        selection.for_each(|row| {
            let (Some(s), Some(d)) = (in_packet(pkt_src, src, row), in_packet(pkt_dst, dst, row))
            else {
                return;
            };
            let (key, forward) = ConversationKey::of(
                protocol.and_then(|c| c.get(row)).map(|p| p as u8),
                Endpoint {
                    addr: s,
                    port: port(Field::SrcPort, row),
                },
                Endpoint {
                    addr: d,
                    port: port(Field::DstPort, row),
                },
            );
            let mut seen = Conversation {
                first_seen: start.and_then(|c| c.get(row)),
                last_seen: end.and_then(|c| c.get(row)),
                ..Conversation::default()
            };
            counts.add(
                if forward {
                    &mut seen.a_to_b
                } else {
                    &mut seen.b_to_a
                },
                row,
            );
            out.map.entry(key).or_default().merge(&seen);
        });
        out
    }

    /// Adds another part's conversations.
    pub fn merge(&mut self, other: &Conversations) {
        for (key, c) in &other.map {
            self.map.entry(*key).or_default().merge(c);
        }
    }

    /// How many conversations there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The conversation of a key.
    pub fn get(&self, key: &ConversationKey) -> Option<&Conversation> {
        self.map.get(key)
    }

    /// The `n` largest conversations by `measure` over both directions; ties by A's
    /// address and port, then B's, then protocol.
    pub fn top(&self, n: usize, measure: Measure) -> Vec<(ConversationKey, Conversation)> {
        let mut all: Vec<(ConversationKey, Conversation)> =
            self.map.iter().map(|(k, c)| (*k, *c)).collect();
        all.sort_unstable_by(|x, y| {
            y.1.total()
                .get(measure)
                .cmp(&x.1.total().get(measure))
                .then_with(|| x.0.a.order(&y.0.a))
                .then_with(|| x.0.b.order(&y.0.b))
                .then_with(|| x.0.protocol.cmp(&y.0.protocol))
        });
        all.truncate(n);
        all
    }
}
