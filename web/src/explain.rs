//! A record explained in AWS's terms, for the detail drawer: what each value means, and the
//! caveats that change how the record should be read.
//!
//! Everything here works on the values as `flowlens records` prints them (text), so that
//! the drawer explains exactly what the table shows. Pure, and tested natively.

use flowlog_query::{names, AddrClass};
use std::net::IpAddr;

/// One field of a record with its meaning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// The field's AWS name.
    pub field: String,
    /// The value as printed; `None` is missing.
    pub value: Option<String>,
    /// What the value means, where there is more to say than the value itself.
    pub meaning: Option<String>,
}

/// Explains every field of a record (`columns` and `values` side by side), and lists the
/// caveats that apply to it.
pub fn explain(columns: &[String], values: &[Option<String>]) -> (Vec<Explained>, Vec<String>) {
    let get = |name: &str| {
        columns
            .iter()
            .position(|c| c == name)
            .and_then(|i| values.get(i).cloned().flatten())
    };
    let fields = columns
        .iter()
        .zip(values)
        .map(|(field, value)| Explained {
            field: field.clone(),
            value: value.clone(),
            meaning: value.as_deref().and_then(|v| meaning(field, v, &get)),
        })
        .collect();
    (fields, caveats(&get))
}

/// What one value means, or `None` when the value says it all.
fn meaning(field: &str, value: &str, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let number = value.parse::<u64>().ok();
    match field {
        "srcaddr" | "dstaddr" | "pkt-srcaddr" | "pkt-dstaddr" => {
            let addr: IpAddr = value.parse().ok()?;
            Some(class_words(AddrClass::of(addr)).to_owned())
        }
        "srcport" | "dstport" => {
            let port = number?;
            let icmp = matches!(get("protocol").as_deref(), Some("1" | "58"));
            if icmp {
                return Some("ICMP has no ports; AWS writes 0".into());
            }
            names::service_name(port).map(|s| format!("{s} (well-known port)"))
        }
        "protocol" => {
            let name = names::protocol_name(number?)?;
            Some(format!("{} (IANA protocol {value})", name.to_uppercase()))
        }
        "tcp-flags" => Some(tcp_flags(number?)),
        "traffic-path" => traffic_path(number?).map(str::to_owned),
        "flow-direction" => match value {
            "ingress" => Some("into the interface".into()),
            "egress" => Some("out of the interface".into()),
            _ => None,
        },
        "action" => match value {
            "ACCEPT" => Some("allowed by the security groups and network ACLs".into()),
            "REJECT" => Some(
                "not allowed by a security group or network ACL, or packets that arrived after \
                 the connection closed"
                    .into(),
            ),
            _ => None,
        },
        "log-status" => match value {
            "OK" => Some("data is logging normally".into()),
            "NODATA" => Some("no traffic to or from the interface in this window".into()),
            "SKIPDATA" => Some(
                "some records were skipped in this window (capacity or an internal error)".into(),
            ),
            _ => None,
        },
        "start" | "end" => number.map(|n| format!("{} UTC", crate::numbers::utc(n))),
        "bytes" => number.map(crate::numbers::bytes),
        "encryption-status" => match number? {
            0 => Some("not encrypted in transit".into()),
            1 => Some("encrypted by the Nitro system".into()),
            2 => Some("encrypted by the application".into()),
            3 => Some("encrypted by both Nitro and the application".into()),
            _ => None,
        },
        "reject-reason" => match value {
            "BPA" => Some("rejected by VPC Block Public Access".into()),
            "EC" => Some("rejected by VPC encryption controls".into()),
            _ => None,
        },
        "account-id" if value == "unknown" => {
            Some("the interface belongs to an AWS service, not to an account of yours".into())
        }
        "type" => match value {
            "EFA" => Some("Elastic Fabric Adapter traffic".into()),
            _ => None,
        },
        _ => None,
    }
}

/// An address class in words.
fn class_words(class: AddrClass) -> &'static str {
    match class {
        AddrClass::Private => "private address (RFC 1918 / unique local)",
        AddrClass::Cgnat => "carrier-grade NAT shared address (RFC 6598)",
        AddrClass::LinkLocal => "link-local address (e.g. the instance metadata service)",
        AddrClass::Loopback => "loopback address",
        AddrClass::Multicast => "multicast address",
        AddrClass::Documentation => "documentation address (never routed)",
        AddrClass::Reserved => "reserved address (not routed on the internet)",
        AddrClass::Public => "public address: on the internet",
    }
}

/// `tcp-flags` decoded. AWS ORs the flags seen over the aggregation window, and logs only
/// FIN, SYN, RST and SYN-ACK; ACK or PSH alone give 0.
fn tcp_flags(bits: u64) -> String {
    if bits == 0 {
        return "no FIN, SYN or RST seen (ACK and PSH alone are logged as 0)".into();
    }
    let mut words = Vec::new();
    if bits & 18 == 18 {
        words.push("SYN-ACK");
    } else if bits & 2 != 0 {
        words.push("SYN");
    }
    if bits & 1 != 0 {
        words.push("FIN");
    }
    if bits & 4 != 0 {
        words.push("RST");
    }
    if bits & 18 != 18 && bits & 16 != 0 {
        words.push("ACK");
    }
    let known = 1 | 2 | 4 | 16;
    if bits & !known != 0 {
        words.push("other bits");
    }
    format!(
        "{}; flags are OR-ed over the aggregation window",
        words.join(" + ")
    )
}

/// `traffic-path` in words (egress traffic only).
fn traffic_path(code: u64) -> Option<&'static str> {
    Some(match code {
        1 => "through another resource in the same VPC",
        2 => "through an internet gateway or a gateway VPC endpoint",
        3 => "through a virtual private gateway",
        4 => "through an intra-Region VPC peering connection",
        5 => "through an inter-Region VPC peering connection",
        6 => "through a local gateway",
        7 => "through a gateway VPC endpoint (Nitro-based instances)",
        8 => "through an internet gateway (Nitro-based instances)",
        _ => return None,
    })
}

/// The caveats that matter for this record.
fn caveats(get: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out = Vec::new();
    match get("action").as_deref() {
        Some("REJECT") => out.push(
            "REJECT can also mean packets that arrived after the connection had closed \
             (for example a late FIN or RST), not only a blocked connection attempt."
                .into(),
        ),
        None if get("log-status").is_some_and(|s| s != "OK") => out.push(
            "This record reports on logging itself, not on traffic: it has no addresses, \
             ports or counts."
                .into(),
        ),
        _ => {}
    }
    out.push(
        "A record sums the packets of one flow over an aggregation window (up to 10 minutes, \
         or 1 minute when configured); start and end bound the window, not the connection."
            .into(),
    );
    if let (Some(src), Some(pkt)) = (get("srcaddr"), get("pkt-srcaddr")) {
        if src != pkt {
            out.push(format!(
                "The packet's source ({pkt}) differs from srcaddr ({src}): the traffic passed \
                 through a NAT gateway, a transit gateway or a secondary address (e.g. an EKS \
                 pod)."
            ));
        }
    }
    if let (Some(dst), Some(pkt)) = (get("dstaddr"), get("pkt-dstaddr")) {
        if dst != pkt {
            out.push(format!(
                "The packet's destination ({pkt}) differs from dstaddr ({dst}): the traffic \
                 was addressed through a NAT gateway, a transit gateway or a secondary address."
            ));
        }
    }
    if get("traffic-path").is_none() && get("flow-direction").as_deref() == Some("ingress") {
        out.push("traffic-path is only logged for egress traffic.".into());
    }
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, &str)]) -> (Vec<String>, Vec<Option<String>>) {
        let columns = pairs.iter().map(|(f, _)| f.to_string()).collect();
        let values = pairs
            .iter()
            .map(|(_, v)| (*v != "-").then(|| v.to_string()))
            .collect();
        (columns, values)
    }

    fn meaning_of<'a>(fields: &'a [Explained], field: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|e| e.field == field)
            .and_then(|e| e.meaning.as_deref())
    }

    #[test]
    fn a_rejected_ssh_attempt_is_explained() {
        let (columns, values) = record(&[
            ("srcaddr", "203.0.113.12"),
            ("dstaddr", "172.31.16.139"),
            ("srcport", "49761"),
            ("dstport", "22"),
            ("protocol", "6"),
            ("tcp-flags", "2"),
            ("action", "REJECT"),
            ("log-status", "OK"),
            ("account-id", "unknown"),
        ]);
        let (fields, caveats) = explain(&columns, &values);
        assert_eq!(
            meaning_of(&fields, "srcaddr"),
            Some("documentation address (never routed)")
        );
        assert_eq!(
            meaning_of(&fields, "dstaddr"),
            Some("private address (RFC 1918 / unique local)")
        );
        assert_eq!(
            meaning_of(&fields, "dstport"),
            Some("ssh (well-known port)")
        );
        assert_eq!(
            meaning_of(&fields, "protocol"),
            Some("TCP (IANA protocol 6)")
        );
        assert!(meaning_of(&fields, "tcp-flags")
            .unwrap()
            .starts_with("SYN;"));
        assert!(meaning_of(&fields, "account-id")
            .unwrap()
            .contains("AWS service"));
        assert!(caveats[0].contains("after the connection had closed"));
    }

    #[test]
    fn tcp_flags_and_traffic_paths_in_words() {
        assert!(tcp_flags(19).starts_with("SYN-ACK + FIN;"));
        assert!(tcp_flags(3).starts_with("SYN + FIN;"));
        assert!(tcp_flags(4).starts_with("RST;"));
        assert!(tcp_flags(0).contains("ACK and PSH alone"));
        assert!(tcp_flags(64).starts_with("other bits"));
        assert_eq!(
            traffic_path(2),
            Some("through an internet gateway or a gateway VPC endpoint")
        );
        assert_eq!(traffic_path(9), None);
    }

    #[test]
    fn icmp_ports_nat_and_nodata_have_their_caveats() {
        let (columns, values) = record(&[
            ("srcaddr", "10.0.0.5"),
            ("pkt-srcaddr", "10.0.9.9"),
            ("dstport", "0"),
            ("protocol", "1"),
            ("action", "ACCEPT"),
            ("flow-direction", "ingress"),
            ("traffic-path", "-"),
        ]);
        let (fields, caveats) = explain(&columns, &values);
        assert_eq!(
            meaning_of(&fields, "dstport"),
            Some("ICMP has no ports; AWS writes 0")
        );
        assert_eq!(meaning_of(&fields, "traffic-path"), None);
        assert!(caveats.iter().any(|c| c.contains("10.0.9.9")));
        assert!(caveats.iter().any(|c| c.contains("only logged for egress")));

        let (columns, values) = record(&[("action", "-"), ("log-status", "NODATA")]);
        let (fields, caveats) = explain(&columns, &values);
        assert!(meaning_of(&fields, "log-status")
            .unwrap()
            .contains("no traffic"));
        assert!(caveats[0].contains("reports on logging itself"));
    }
}
