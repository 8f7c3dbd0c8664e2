//! One flow record and how it is written as a line of text.

use std::io::Write as _;
use std::net::Ipv6Addr;

use crate::layout::Field;
use crate::world::{Attachment, Interface, TransitGateway};

/// An IPv4 or IPv6 address, kept as an integer so that writing it is cheap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Addr {
    V4(u32),
    V6(u128),
}

impl Addr {
    pub(crate) fn v4(a: u8, b: u8, c: u8, d: u8) -> Addr {
        Addr::V4(u32::from_be_bytes([a, b, c, d]))
    }
}

/// The `log-status` of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Ok,
    NoData,
    SkipData,
}

/// The `action` of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Accept,
    Reject,
}

/// What a transit-gateway record says beyond an interface record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TgwHop<'w> {
    pub(crate) gateway: &'w TransitGateway,
    pub(crate) resource_type: &'static str,
    pub(crate) from: &'w Attachment,
    pub(crate) to: &'w Attachment,
    pub(crate) lost_no_route: u64,
    pub(crate) lost_blackhole: u64,
    /// Whether the packets leave the transit gateway through `to` (else they enter from `from`).
    pub(crate) egress: bool,
}

/// One flow in one aggregation window, as seen by one interface (or transit-gateway hop).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record<'w> {
    pub(crate) iface: &'w Interface,
    pub(crate) status: Status,
    pub(crate) src: Addr,
    pub(crate) dst: Addr,
    /// The addresses in the packet; they differ from `src`/`dst` behind a NAT gateway.
    pub(crate) pkt_src: Addr,
    pub(crate) pkt_dst: Addr,
    pub(crate) src_port: u16,
    pub(crate) dst_port: u16,
    pub(crate) protocol: u8,
    pub(crate) packets: u64,
    pub(crate) bytes: u64,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) action: Action,
    pub(crate) tcp_flags: u8,
    /// `traffic-path`, written as `-` when zero (AWS gives it for egress only).
    pub(crate) traffic_path: u8,
    pub(crate) src_service: &'static str,
    pub(crate) dst_service: &'static str,
    pub(crate) tgw: Option<TgwHop<'w>>,
}

impl<'w> Record<'w> {
    /// A NODATA or SKIPDATA record: only the interface and the window are known.
    pub(crate) fn gap(iface: &'w Interface, status: Status, start: u64, end: u64) -> Record<'w> {
        Record {
            iface,
            status,
            src: Addr::V4(0),
            dst: Addr::V4(0),
            pkt_src: Addr::V4(0),
            pkt_dst: Addr::V4(0),
            src_port: 0,
            dst_port: 0,
            protocol: 0,
            packets: 0,
            bytes: 0,
            start,
            end,
            action: Action::Accept,
            tcp_flags: 0,
            traffic_path: 0,
            src_service: "-",
            dst_service: "-",
            tgw: None,
        }
    }

    /// A bare record of one accepted packet, to be filled in by the caller.
    pub(crate) fn flow(
        iface: &'w Interface,
        (src, src_port): (Addr, u16),
        (dst, dst_port): (Addr, u16),
        protocol: u8,
    ) -> Record<'w> {
        Record {
            status: Status::Ok,
            src,
            dst,
            pkt_src: src,
            pkt_dst: dst,
            src_port,
            dst_port,
            protocol,
            packets: 1,
            bytes: 40,
            ..Record::gap(iface, Status::Ok, 0, 0)
        }
    }

    /// Egress when the interface sent the packets, ingress when it received them.
    pub(crate) fn is_egress(&self) -> bool {
        match self.tgw {
            Some(hop) => hop.egress,
            None => match self.src {
                Addr::V4(ip) => ip == self.iface.ip,
                Addr::V6(ip) => Some(ip) == self.iface.ip6,
            },
        }
    }

    /// Appends the record as one line, fields in the order of `fields`.
    pub(crate) fn write_line(&self, fields: &[Field], version: u8, out: &mut Vec<u8>) {
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            self.write_field(*field, version, out);
        }
        out.push(b'\n');
    }

    fn write_field(&self, field: Field, version: u8, out: &mut Vec<u8>) {
        let iface = self.iface;
        // NODATA and SKIPDATA records know the resource and the window, nothing else.
        let traffic_known = self.status == Status::Ok;
        match field {
            Field::Version => put_u64(out, u64::from(version)),
            Field::AccountId => match self.tgw {
                Some(hop) => put_str(out, &hop.gateway.account),
                None => put_str(out, &iface.account),
            },
            Field::InterfaceId => put_str(out, &iface.eni),
            Field::VpcId => put_str(out, &iface.vpc_id),
            Field::SubnetId => put_str(out, &iface.subnet_id),
            Field::InstanceId => put_str(out, &iface.instance_id),
            Field::Region => put_str(out, &iface.region),
            Field::AzId => put_str(out, &iface.az_id),
            Field::SublocationType | Field::SublocationId => out.push(b'-'),
            Field::Start => put_u64(out, self.start),
            Field::End => put_u64(out, self.end),
            Field::LogStatus => put_str(
                out,
                match self.status {
                    Status::Ok => "OK",
                    Status::NoData => "NODATA",
                    Status::SkipData => "SKIPDATA",
                },
            ),
            _ if !traffic_known => out.push(b'-'),
            Field::SrcAddr => put_addr(out, self.src),
            Field::DstAddr => put_addr(out, self.dst),
            Field::PktSrcAddr => put_addr(out, self.pkt_src),
            Field::PktDstAddr => put_addr(out, self.pkt_dst),
            Field::SrcPort => put_u64(out, u64::from(self.src_port)),
            Field::DstPort => put_u64(out, u64::from(self.dst_port)),
            Field::Protocol => put_u64(out, u64::from(self.protocol)),
            Field::Packets => put_u64(out, self.packets),
            Field::Bytes => put_u64(out, self.bytes),
            Field::Action => put_str(
                out,
                match self.action {
                    Action::Accept => "ACCEPT",
                    Action::Reject => "REJECT",
                },
            ),
            Field::TcpFlags => {
                if self.protocol == 6 {
                    put_u64(out, u64::from(self.tcp_flags))
                } else {
                    put_u64(out, 0)
                }
            }
            Field::Type => put_str(
                out,
                match self.src {
                    Addr::V4(_) => "IPv4",
                    Addr::V6(_) => "IPv6",
                },
            ),
            Field::PktSrcAwsService => put_str(out, self.src_service),
            Field::PktDstAwsService => put_str(out, self.dst_service),
            Field::FlowDirection => put_str(
                out,
                if self.is_egress() {
                    "egress"
                } else {
                    "ingress"
                },
            ),
            Field::TrafficPath => match self.traffic_path {
                0 => out.push(b'-'),
                path => put_u64(out, u64::from(path)),
            },
            Field::ResourceType
            | Field::TgwId
            | Field::TgwAttachmentId
            | Field::TgwSrcVpcAccountId
            | Field::TgwDstVpcAccountId
            | Field::TgwSrcVpcId
            | Field::TgwDstVpcId
            | Field::TgwSrcSubnetId
            | Field::TgwDstSubnetId
            | Field::TgwSrcEni
            | Field::TgwDstEni
            | Field::TgwSrcAzId
            | Field::TgwDstAzId
            | Field::TgwPairAttachmentId
            | Field::PacketsLostNoRoute
            | Field::PacketsLostBlackhole
            | Field::PacketsLostMtuExceeded
            | Field::PacketsLostTtlExpired => match self.tgw {
                Some(hop) => write_tgw_field(field, &hop, out),
                None => out.push(b'-'),
            },
        }
    }
}

fn write_tgw_field(field: Field, hop: &TgwHop<'_>, out: &mut Vec<u8>) {
    let (from, to) = (hop.from, hop.to);
    match field {
        Field::ResourceType => put_str(out, hop.resource_type),
        Field::TgwId => put_str(out, &hop.gateway.id),
        Field::TgwAttachmentId => put_str(out, &from.id),
        Field::TgwSrcVpcAccountId => put_str(out, &from.account),
        Field::TgwDstVpcAccountId => put_str(out, &to.account),
        Field::TgwSrcVpcId => put_str(out, &from.vpc_id),
        Field::TgwDstVpcId => put_str(out, &to.vpc_id),
        Field::TgwSrcSubnetId => put_str(out, &from.subnet_id),
        Field::TgwDstSubnetId => put_str(out, &to.subnet_id),
        Field::TgwSrcEni => put_str(out, &from.eni),
        Field::TgwDstEni => put_str(out, &to.eni),
        Field::TgwSrcAzId => put_str(out, &from.az_id),
        Field::TgwDstAzId => put_str(out, &to.az_id),
        Field::TgwPairAttachmentId => put_str(out, &to.id),
        Field::PacketsLostNoRoute => put_u64(out, hop.lost_no_route),
        Field::PacketsLostBlackhole => put_u64(out, hop.lost_blackhole),
        _ => put_u64(out, 0),
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

/// Writes a number without the formatting machinery, which is several times slower.
pub(crate) fn put_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn put_addr(out: &mut Vec<u8>, addr: Addr) {
    match addr {
        Addr::V4(ip) => {
            let [a, b, c, d] = ip.to_be_bytes();
            put_u64(out, u64::from(a));
            out.push(b'.');
            put_u64(out, u64::from(b));
            out.push(b'.');
            put_u64(out, u64::from(c));
            out.push(b'.');
            put_u64(out, u64::from(d));
        }
        // IPv6 is a small share of records, so the standard (compressed) text form is fine.
        Addr::V6(ip) => write!(out, "{}", Ipv6Addr::from(ip)).expect("writing to a Vec"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_addresses_are_written_like_display() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 65535, u64::MAX] {
            out.clear();
            put_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
        out.clear();
        put_addr(&mut out, Addr::v4(172, 31, 0, 255));
        assert_eq!(out, b"172.31.0.255");
        out.clear();
        put_addr(
            &mut out,
            Addr::V6(0x2001_0db8_0000_0000_0000_0000_0000_0001),
        );
        assert_eq!(out, b"2001:db8::1");
    }
}
