//! Reading one token as the value of one field, with the field's range checked.

use crate::column::same_bytes;
use crate::field::FieldKind;
use crate::issue::IssueKind;
use crate::table::Parsed;
use std::net::Ipv6Addr;

/// The largest start/end read as seconds; anything larger is taken for milliseconds, as
/// peers have seen in exported data.
pub const MAX_SECONDS: u64 = 1 << 31;

/// A time in Unix seconds from a value in seconds or, above [`MAX_SECONDS`], milliseconds;
/// `None` when even as milliseconds it is out of range.
#[inline(always)]
pub(crate) fn seconds(value: u64) -> Option<u64> {
    let seconds = if value > MAX_SECONDS {
        value / 1000
    } else {
        value
    };
    (seconds <= MAX_SECONDS).then_some(seconds)
}

/// Why a token is not a value of its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub kind: IssueKind,
    pub expected: &'static str,
}

fn reject(kind: IssueKind, expected: &'static str) -> Rejection {
    Rejection { kind, expected }
}

/// Reads `token` as a value of `kind`. `-` is a missing value for every kind. Text comes back
/// as the byte range `at..at + token.len()`.
#[inline(always)]
pub(crate) fn parse(kind: FieldKind, token: &str, at: u32) -> Result<Parsed, Rejection> {
    if token == "-" {
        return Ok(Parsed::Missing);
    }
    match kind {
        FieldKind::Int { max } => {
            let value = parse_u64(token.as_bytes())?;
            if value > max {
                return Err(reject(IssueKind::OutOfRange, range_text(max)));
            }
            Ok(Parsed::Int(value))
        }
        FieldKind::Time => match seconds(parse_u64(token.as_bytes())?) {
            Some(seconds) => Ok(Parsed::Int(seconds)),
            None => Err(reject(
                IssueKind::OutOfRange,
                "Unix seconds or milliseconds",
            )),
        },
        FieldKind::Addr => parse_addr(token, at),
        FieldKind::Enum(words) => match words
            .iter()
            .position(|w| same_bytes(w.as_bytes(), token.as_bytes()))
        {
            Some(i) => Ok(Parsed::Int(i as u64)),
            None => Err(reject(IssueKind::BadValue, enum_text(words))),
        },
        FieldKind::Text => Ok(Parsed::Text {
            start: at,
            end: at + token.len() as u32,
        }),
    }
}

#[inline(always)]
fn parse_u64(digits: &[u8]) -> Result<u64, Rejection> {
    // Up to 19 digits cannot overflow a u64, so the common case needs no overflow checks.
    if !digits.is_empty() && digits.len() <= 19 {
        let mut value: u64 = 0;
        let mut bad = false;
        for &b in digits {
            let digit = b.wrapping_sub(b'0');
            bad |= digit > 9;
            value = value.wrapping_mul(10).wrapping_add(digit as u64);
        }
        if !bad {
            return Ok(value);
        }
        return Err(reject(IssueKind::BadNumber, "a whole number or `-`"));
    }
    if digits.is_empty() || digits.len() > 20 {
        return Err(
            if digits.iter().all(u8::is_ascii_digit) && !digits.is_empty() {
                reject(IssueKind::OutOfRange, "a number below 2^64")
            } else {
                reject(IssueKind::BadNumber, "a whole number or `-`")
            },
        );
    }
    let mut value: u64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return Err(reject(IssueKind::BadNumber, "a whole number or `-`"));
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit as u64))
            .ok_or_else(|| reject(IssueKind::OutOfRange, "a number below 2^64"))?;
    }
    Ok(value)
}

#[inline]
fn parse_addr(token: &str, at: u32) -> Result<Parsed, Rejection> {
    if let Some(word) = parse_ipv4(token.as_bytes()) {
        return Ok(Parsed::V4(word));
    }
    match parse_ipv6(token.as_bytes()) {
        Some(_) => Ok(Parsed::V6 {
            start: at,
            end: at + token.len() as u32,
        }),
        None => Err(reject(IssueKind::BadAddress, "an IPv4 or IPv6 address")),
    }
}

/// Dotted-quad IPv4 on bytes, the hot path of every record. Accepts exactly what
/// `std::net::Ipv4Addr` accepts (no leading zeros, four octets of at most 255); a test checks
/// the two agree.
#[inline]
pub(crate) fn parse_ipv4(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < 7 || bytes.len() > 15 {
        return None;
    }
    let mut word: u32 = 0;
    let mut octets = 0;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let mut octet: u32 = 0;
        // At most four digits are read, which is enough to reject an octet and cannot
        // overflow.
        while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 4 {
            octet = octet * 10 + (bytes[i] - b'0') as u32;
            i += 1;
        }
        let len = i - start;
        if len == 0 || len > 3 || octet > 255 || (len > 1 && bytes[start] == b'0') {
            return None;
        }
        word = word << 8 | octet;
        octets += 1;
        if i < bytes.len() {
            if bytes[i] != b'.' || octets == 4 {
                return None;
            }
            i += 1;
            if i == bytes.len() {
                return None;
            }
        }
    }
    (octets == 4).then_some(word)
}

/// An IPv6 address on bytes: what `std::net::Ipv6Addr` accepts, with the same value.
///
/// The common form (groups of one to four hex digits, at most one `::`) is read here,
/// without a string; std's parser, which also tries every group as the start of an
/// embedded IPv4 address, took most of the time of a file of IPv6 traffic. Anything else
/// (an embedded IPv4 address, a token this reading refuses) goes to std, so that the two
/// never disagree; a test checks that they do not.
#[inline]
pub(crate) fn parse_ipv6(bytes: &[u8]) -> Option<u128> {
    if let Some(word) = ipv6_hex_groups(bytes) {
        return Some(word);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    text.parse::<Ipv6Addr>().ok().map(u128::from)
}

/// An IPv6 address written as hex groups only, by std's rules: one to four digits a group,
/// eight groups, or fewer around one `::` that stands for at least one group of zeros.
/// `None` for anything else, valid or not.
fn ipv6_hex_groups(bytes: &[u8]) -> Option<u128> {
    let len = bytes.len();
    if !(2..=39).contains(&len) {
        return None;
    }
    let mut groups = [0u16; 8];
    let mut count = 0;
    // How many groups come before the `::`, if there is one.
    let mut gap = None;
    let mut i = 0;
    if bytes.starts_with(b"::") {
        gap = Some(0);
        i = 2;
        if i == len {
            return Some(0);
        }
    }
    loop {
        let start = i;
        let mut group = 0u32;
        // Five digits at most are read: enough to refuse a group of more than four.
        while i < len && i - start < 5 {
            match (bytes[i] as char).to_digit(16) {
                Some(digit) => group = group << 4 | digit,
                None => break,
            }
            i += 1;
        }
        if !(1..=4).contains(&(i - start)) || count == 8 {
            return None;
        }
        groups[count] = group as u16;
        count += 1;
        if i == len {
            break;
        }
        if bytes[i] != b':' {
            return None;
        }
        i += 1;
        if i < len && bytes[i] == b':' {
            if gap.is_some() {
                return None;
            }
            gap = Some(count);
            i += 1;
            if i == len {
                break;
            }
        } else if i == len {
            return None;
        }
    }
    match gap {
        None if count == 8 => {}
        // The `::` stands for at least one group: the groups after it move to the end.
        Some(before) if count < 8 => {
            let after = count - before;
            groups.copy_within(before..count, 8 - after);
            groups[before..8 - after].fill(0);
        }
        _ => return None,
    }
    Some(
        groups
            .iter()
            .fold(0u128, |word, &group| word << 16 | u128::from(group)),
    )
}

fn range_text(max: u64) -> &'static str {
    match max {
        3 => "0 to 3",
        8 => "0 to 8",
        255 => "0 to 255",
        65535 => "0 to 65535",
        _ => "a number below 2^64",
    }
}

fn enum_text(words: &[&str]) -> &'static str {
    match words.first() {
        Some(&"ACCEPT") => "ACCEPT, REJECT or -",
        Some(&"OK") => "OK, NODATA, SKIPDATA or -",
        Some(&"IPv4") => "IPv4, IPv6, EFA or -",
        Some(&"ingress") => "ingress, egress or -",
        _ => "one of the documented words",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    #[test]
    fn dash_is_missing_for_every_kind() {
        for field in Field::ALL {
            assert!(matches!(parse(field.kind(), "-", 0), Ok(Parsed::Missing)));
        }
    }

    #[test]
    fn numbers_are_checked_against_their_field() {
        let port = Field::SrcPort.kind();
        assert!(matches!(parse(port, "65535", 0), Ok(Parsed::Int(65535))));
        assert_eq!(
            parse(port, "65536", 0).unwrap_err().kind,
            IssueKind::OutOfRange
        );
        assert_eq!(parse(port, "8o", 0).unwrap_err().kind, IssueKind::BadNumber);
        assert_eq!(parse(port, "-1", 0).unwrap_err().kind, IssueKind::BadNumber);
        let bytes = Field::Bytes.kind();
        assert!(matches!(
            parse(bytes, "18446744073709551615", 0),
            Ok(Parsed::Int(u64::MAX))
        ));
        assert_eq!(
            parse(bytes, "18446744073709551616", 0).unwrap_err().kind,
            IssueKind::OutOfRange
        );
        let path = Field::TrafficPath.kind();
        assert_eq!(parse(path, "9", 0).unwrap_err().kind, IssueKind::OutOfRange);
    }

    #[test]
    fn milliseconds_become_seconds() {
        let start = Field::Start.kind();
        assert!(matches!(
            parse(start, "1418530010", 0),
            Ok(Parsed::Int(1418530010))
        ));
        assert!(matches!(
            parse(start, "1418530010999", 0),
            Ok(Parsed::Int(1418530010))
        ));
        assert_eq!(
            parse(start, "1418530010000000", 0).unwrap_err().kind,
            IssueKind::OutOfRange
        );
    }

    #[test]
    fn closed_lists_take_only_their_words() {
        let action = Field::Action.kind();
        assert!(matches!(parse(action, "REJECT", 0), Ok(Parsed::Int(1))));
        assert_eq!(
            parse(action, "accept", 0).unwrap_err().kind,
            IssueKind::BadValue
        );
    }

    #[test]
    fn addresses_of_both_families() {
        let addr = Field::SrcAddr.kind();
        assert!(matches!(
            parse(addr, "10.0.0.1", 0),
            Ok(Parsed::V4(0x0a000001))
        ));
        assert!(matches!(
            parse(addr, "2001:db8::1", 0),
            Ok(Parsed::V6 { .. })
        ));
        assert_eq!(
            parse(addr, "10.0.0", 0).unwrap_err().kind,
            IssueKind::BadAddress
        );
        assert_eq!(
            parse(addr, "eni-1", 0).unwrap_err().kind,
            IssueKind::BadAddress
        );
    }

    proptest! {
        #[test]
        fn ipv4_fast_path_agrees_with_std(s in "[0-9.]{0,16}") {
            let ours = parse_ipv4(s.as_bytes());
            let std = s.parse::<Ipv4Addr>().ok().map(u32::from);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn ipv4_fast_path_reads_every_address(word: u32) {
            let text = Ipv4Addr::from(word).to_string();
            prop_assert_eq!(parse_ipv4(text.as_bytes()), Some(word));
        }

        /// Near-addresses: the characters of IPv6 text in any order, most of them refused.
        #[test]
        fn ipv6_reading_agrees_with_std(s in "[0-9a-fA-F:.]{0,41}") {
            let std = s.parse::<Ipv6Addr>().ok().map(u128::from);
            prop_assert_eq!(parse_ipv6(s.as_bytes()), std);
        }

        /// Addresses as std writes them and as they are written in full, with a digit
        /// case and leading zeros of their own: the hex groups are read without std.
        #[test]
        fn ipv6_hex_groups_read_every_address(
            word: u128,
            zeros in proptest::collection::vec(0usize..4, 8),
            upper: bool,
        ) {
            let address = Ipv6Addr::from(word);
            let short = address.to_string();
            let short = if upper { short.to_uppercase() } else { short };
            if !short.contains('.') {
                prop_assert_eq!(ipv6_hex_groups(short.as_bytes()), Some(word));
            }
            let full: Vec<String> = address
                .segments()
                .iter()
                .zip(&zeros)
                .map(|(group, &width)| format!("{group:0width$x}", width = width.max(1)))
                .collect();
            let full = full.join(":");
            prop_assert_eq!(ipv6_hex_groups(full.as_bytes()), Some(word));
            prop_assert_eq!(full.parse::<Ipv6Addr>().ok().map(u128::from), Some(word));
        }
    }

    #[test]
    fn ipv6_edges_agree_with_std() {
        for text in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::8",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":::",
            "1:::2",
            ":1::2",
            "1::2:",
            "1:2",
            "12345::",
            "0000:0:0:0:0:0:0:1",
            "fFfF::",
            "::ffff:1.2.3.4",
            "1::2.3.4.5",
            "g::1",
            "",
            ":",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
        ] {
            let std = text.parse::<Ipv6Addr>().ok().map(u128::from);
            assert_eq!(parse_ipv6(text.as_bytes()), std, "{text:?}");
            if std.is_none() {
                assert_eq!(ipv6_hex_groups(text.as_bytes()), None, "{text:?}");
            }
        }
    }
}
