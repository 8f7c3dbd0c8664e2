//! Address classes: whether an address is private, shared (carrier-grade NAT), link-local,
//! loopback, multicast, documentation, reserved or public, for IPv4 and IPv6 alike.
//!
//! The question behind it is "did this come from (or go to) the internet?", so every range
//! that is not routed on the internet has a class, and what is left is public. IPv4-mapped
//! IPv6 addresses (`::ffff:a.b.c.d`) take the class of their IPv4 address.

use serde::Serialize;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// The class of an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddrClass {
    /// RFC 1918 (10/8, 172.16/12, 192.168/16); IPv6 unique local fc00::/7.
    Private,
    /// Carrier-grade NAT shared space, RFC 6598 (100.64/10).
    Cgnat,
    /// 169.254/16; IPv6 fe80::/10.
    LinkLocal,
    /// 127/8; IPv6 ::1.
    Loopback,
    /// 224/4; IPv6 ff00::/8.
    Multicast,
    /// RFC 5737 (192.0.2/24, 198.51.100/24, 203.0.113/24); IPv6 2001:db8::/32 and 3fff::/20.
    Documentation,
    /// Not routed and none of the above: 0/8, 192.0.0/24, 198.18/15 (benchmarking), 240/4
    /// and the broadcast address; IPv6 `::`, 64:ff9b:1::/48 and 100::/64.
    Reserved,
    /// Everything else: addresses on the internet.
    Public,
}

impl AddrClass {
    /// Every class, in order.
    pub const ALL: [AddrClass; 8] = [
        AddrClass::Private,
        AddrClass::Cgnat,
        AddrClass::LinkLocal,
        AddrClass::Loopback,
        AddrClass::Multicast,
        AddrClass::Documentation,
        AddrClass::Reserved,
        AddrClass::Public,
    ];

    /// The name used in filters and output (`private`, `link-local`).
    pub fn name(self) -> &'static str {
        match self {
            AddrClass::Private => "private",
            AddrClass::Cgnat => "cgnat",
            AddrClass::LinkLocal => "link-local",
            AddrClass::Loopback => "loopback",
            AddrClass::Multicast => "multicast",
            AddrClass::Documentation => "documentation",
            AddrClass::Reserved => "reserved",
            AddrClass::Public => "public",
        }
    }

    /// Reads a class name in any case; `carrier-grade-nat` and `shared` also name `cgnat`.
    pub fn from_name(name: &str) -> Option<AddrClass> {
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "carrier-grade-nat" | "shared" => return Some(AddrClass::Cgnat),
            _ => {}
        }
        AddrClass::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The class of an address.
    pub fn of(addr: IpAddr) -> AddrClass {
        match addr {
            IpAddr::V4(v4) => AddrClass::of_v4(u32::from(v4)),
            IpAddr::V6(v6) => AddrClass::of_v6(v6),
        }
    }

    /// The class of an IPv4 address given as its 32-bit word.
    #[inline]
    pub fn of_v4(word: u32) -> AddrClass {
        let [a, b, c, _] = word.to_be_bytes();
        match a {
            10 => AddrClass::Private,
            172 if b & 0xf0 == 16 => AddrClass::Private,
            192 if b == 168 => AddrClass::Private,
            100 if b & 0xc0 == 64 => AddrClass::Cgnat,
            169 if b == 254 => AddrClass::LinkLocal,
            127 => AddrClass::Loopback,
            224..=239 => AddrClass::Multicast,
            192 if b == 0 && c == 2 => AddrClass::Documentation,
            198 if b == 51 && c == 100 => AddrClass::Documentation,
            203 if b == 0 && c == 113 => AddrClass::Documentation,
            0 | 240..=255 => AddrClass::Reserved,
            192 if b == 0 && c == 0 => AddrClass::Reserved,
            198 if b & 0xfe == 18 => AddrClass::Reserved,
            _ => AddrClass::Public,
        }
    }

    fn of_v6(addr: Ipv6Addr) -> AddrClass {
        if let Some(v4) = addr.to_ipv4_mapped() {
            return AddrClass::of_v4(u32::from(v4));
        }
        let bits = u128::from(addr);
        let prefix = |len: u32, net: u128| bits >> (128 - len) == net >> (128 - len);
        if bits == 1 {
            AddrClass::Loopback
        } else if bits == 0 || prefix(48, 0x0064_ff9b_0001 << 80) || prefix(64, 0x0100 << 112) {
            AddrClass::Reserved
        } else if prefix(7, 0xfc00 << 112) {
            AddrClass::Private
        } else if prefix(10, 0xfe80 << 112) {
            AddrClass::LinkLocal
        } else if prefix(8, 0xff00 << 112) {
            AddrClass::Multicast
        } else if prefix(32, 0x2001_0db8 << 96) || prefix(20, 0x3fff << 112) {
            AddrClass::Documentation
        } else {
            AddrClass::Public
        }
    }
}

impl fmt::Display for AddrClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> AddrClass {
        AddrClass::of(text.parse().unwrap())
    }

    #[test]
    fn ipv4_ranges_and_their_edges() {
        assert_eq!(class("10.255.255.255"), AddrClass::Private);
        assert_eq!(class("11.0.0.0"), AddrClass::Public);
        assert_eq!(class("172.15.255.255"), AddrClass::Public);
        assert_eq!(class("172.16.0.0"), AddrClass::Private);
        assert_eq!(class("172.31.255.255"), AddrClass::Private);
        assert_eq!(class("172.32.0.0"), AddrClass::Public);
        assert_eq!(class("192.168.1.1"), AddrClass::Private);
        assert_eq!(class("100.63.255.255"), AddrClass::Public);
        assert_eq!(class("100.64.0.0"), AddrClass::Cgnat);
        assert_eq!(class("100.127.255.255"), AddrClass::Cgnat);
        assert_eq!(class("100.128.0.0"), AddrClass::Public);
        assert_eq!(class("169.254.169.254"), AddrClass::LinkLocal);
        assert_eq!(class("127.0.0.1"), AddrClass::Loopback);
        assert_eq!(class("224.0.0.1"), AddrClass::Multicast);
        assert_eq!(class("239.255.255.255"), AddrClass::Multicast);
        assert_eq!(class("203.0.113.12"), AddrClass::Documentation);
        assert_eq!(class("198.51.100.1"), AddrClass::Documentation);
        assert_eq!(class("192.0.2.1"), AddrClass::Documentation);
        assert_eq!(class("198.18.0.1"), AddrClass::Reserved);
        assert_eq!(class("198.20.0.1"), AddrClass::Public);
        assert_eq!(class("255.255.255.255"), AddrClass::Reserved);
        assert_eq!(class("0.0.0.0"), AddrClass::Reserved);
        assert_eq!(class("52.95.128.179"), AddrClass::Public);
    }

    #[test]
    fn ipv6_ranges() {
        assert_eq!(class("::1"), AddrClass::Loopback);
        assert_eq!(class("::"), AddrClass::Reserved);
        assert_eq!(class("fd12:3456::1"), AddrClass::Private);
        assert_eq!(class("fe80::1"), AddrClass::LinkLocal);
        assert_eq!(class("febf::1"), AddrClass::LinkLocal);
        assert_eq!(class("fec0::1"), AddrClass::Public);
        assert_eq!(class("ff02::1"), AddrClass::Multicast);
        assert_eq!(class("2001:db8:1234::1"), AddrClass::Documentation);
        assert_eq!(class("2001:db9::1"), AddrClass::Public);
        assert_eq!(class("2600:1f18::1"), AddrClass::Public);
        assert_eq!(class("::ffff:10.0.0.1"), AddrClass::Private);
    }

    #[test]
    fn names_round_trip() {
        for class in AddrClass::ALL {
            assert_eq!(AddrClass::from_name(class.name()), Some(class));
        }
        assert_eq!(AddrClass::from_name("PUBLIC"), Some(AddrClass::Public));
        assert_eq!(AddrClass::from_name("shared"), Some(AddrClass::Cgnat));
        assert_eq!(AddrClass::from_name("internet"), None);
    }
}
