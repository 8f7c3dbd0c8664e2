//! Group keys: what records are grouped by, and the value that names each group.
//!
//! A key is a value, never a dictionary code, because groups from different files (whose
//! dictionaries differ) must merge. Keys order the way the CLI's JSON reads: numbers
//! numerically, text and addresses by the code points of their printed form, `null` last.

use crate::class::AddrClass;
use flowlog::{Field, FieldKind, FieldRef};
use serde::ser::{Serialize, SerializeTuple, Serializer};
use std::cmp::Ordering;
use std::fmt::{self, Write};
use std::net::IpAddr;

/// The value that names a group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A number: a port, a protocol, a count, a time.
    Int(u64),
    /// Text, or a closed-list word such as `ACCEPT`.
    Text(Box<str>),
    /// An address.
    Addr(IpAddr),
    /// Two keys, as for a source and destination pair.
    Pair(Box<(Key, Key)>),
    /// The field was missing.
    Null,
}

/// Formats an address into a stack buffer, so that comparing keys does not allocate.
struct Printed {
    buf: [u8; 48],
    len: usize,
}

impl Write for Printed {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn printed(addr: &IpAddr) -> Printed {
    let mut p = Printed {
        buf: [0; 48],
        len: 0,
    };
    write!(p, "{addr}").expect("an address fits in 48 bytes");
    p
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        use Key::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Int(a), Int(b)) => a.cmp(b),
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Addr(a), Addr(b)) => {
                let (a, b) = (printed(a), printed(b));
                a.buf[..a.len].cmp(&b.buf[..b.len])
            }
            (Pair(a), Pair(b)) => a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)),
            // Keys of one group-by share a kind; across kinds any fixed order will do.
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Int(_) => 0,
            Key::Text(_) => 1,
            Key::Addr(_) => 2,
            Key::Pair(_) => 3,
            Key::Null => 4,
        }
    }

    /// A key for an optional address.
    pub fn addr(addr: Option<IpAddr>) -> Key {
        addr.map_or(Key::Null, Key::Addr)
    }
}

impl fmt::Display for Key {
    /// The key as text: `null`, a number, an address, text, or `a → b` for pairs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(n) => write!(f, "{n}"),
            Key::Text(t) => f.write_str(t),
            Key::Addr(a) => write!(f, "{a}"),
            Key::Pair(p) => write!(f, "{} → {}", p.0, p.1),
            Key::Null => f.write_str("null"),
        }
    }
}

impl Serialize for Key {
    /// As `flowlens records` prints the value: numbers as numbers, addresses and text as
    /// strings, `null` for missing; a pair as a two-element array.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::Int(n) => s.serialize_u64(*n),
            Key::Text(t) => s.serialize_str(t),
            Key::Addr(a) => s.collect_str(a),
            Key::Pair(p) => {
                let mut t = s.serialize_tuple(2)?;
                t.serialize_element(&p.0)?;
                t.serialize_element(&p.1)?;
                t.end()
            }
            Key::Null => s.serialize_unit(),
        }
    }
}

/// What records are grouped by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// One field's value.
    Field(FieldRef),
    /// `pair`: the source and destination addresses together.
    Pair,
    /// `srcaddr-class`, `dstaddr-class`, …: the class of an address field.
    Class(Field),
}

impl GroupBy {
    /// Reads a group-by name: a field name as in the AWS header (or one of `others`, the
    /// table's undocumented columns), `pair`, or an address field followed by `-class`.
    pub fn from_name(name: &str, others: &[&str]) -> Option<GroupBy> {
        let lower = name.to_ascii_lowercase();
        if lower == "pair" {
            return Some(GroupBy::Pair);
        }
        if let Some(field) = lower.strip_suffix("-class").and_then(Field::from_name) {
            return (field.kind() == FieldKind::Addr).then_some(GroupBy::Class(field));
        }
        if let Some(field) = Field::from_name(&lower) {
            return Some(GroupBy::Field(FieldRef::Known(field)));
        }
        others
            .iter()
            .find(|o| **o == name)
            .map(|o| GroupBy::Field(FieldRef::Other((*o).into())))
    }

    /// The name, as [`GroupBy::from_name`] reads it.
    pub fn name(&self) -> String {
        match self {
            GroupBy::Field(field) => field.name().to_owned(),
            GroupBy::Pair => "pair".to_owned(),
            GroupBy::Class(field) => format!("{}-class", field.name()),
        }
    }

    /// A readable label for a key of this group-by, where one exists: the service of a
    /// port, the name of a protocol.
    pub fn label(&self, key: &Key) -> Option<&'static str> {
        let Key::Int(n) = key else { return None };
        match self {
            GroupBy::Field(FieldRef::Known(Field::SrcPort | Field::DstPort)) => {
                crate::names::service_name(*n)
            }
            GroupBy::Field(FieldRef::Known(Field::Protocol)) => crate::names::protocol_name(*n),
            _ => None,
        }
    }

    /// The key of a class, for [`GroupBy::Class`].
    pub fn class_key(class: AddrClass) -> Key {
        Key::Text(class.name().into())
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_their_json_reads() {
        let addr = |s: &str| Key::Addr(s.parse().unwrap());
        let mut keys = vec![
            Key::Null,
            addr("10.0.0.9"),
            addr("10.0.0.10"),
            addr("::1"),
            addr("9.0.0.1"),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                addr("10.0.0.10"),
                addr("10.0.0.9"),
                addr("9.0.0.1"),
                addr("::1"),
                Key::Null
            ]
        );
        let mut ints = vec![Key::Null, Key::Int(10), Key::Int(9)];
        ints.sort();
        assert_eq!(ints, [Key::Int(9), Key::Int(10), Key::Null]);
        let mut text = vec![
            Key::Text("b".into()),
            Key::Text("B".into()),
            Key::Text("é".into()),
        ];
        text.sort();
        assert_eq!(
            text,
            [
                Key::Text("B".into()),
                Key::Text("b".into()),
                Key::Text("é".into())
            ]
        );
    }

    #[test]
    fn group_by_names() {
        assert_eq!(GroupBy::from_name("pair", &[]), Some(GroupBy::Pair));
        assert_eq!(
            GroupBy::from_name("dstaddr-class", &[]),
            Some(GroupBy::Class(Field::DstAddr))
        );
        assert_eq!(GroupBy::from_name("dstport-class", &[]), None);
        assert_eq!(
            GroupBy::from_name("log_status", &[]).map(|g| g.name()),
            Some("log-status".to_owned())
        );
        assert_eq!(
            GroupBy::from_name("colour", &["colour"]).map(|g| g.name()),
            Some("colour".to_owned())
        );
        assert_eq!(GroupBy::from_name("colour", &[]), None);
    }
}
