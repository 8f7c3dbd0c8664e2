//! A deliberately naive model of flow-log records for the property tests: each record is
//! its field names and the tokens written for them, and every question is answered by
//! reading those tokens again, one record at a time, with plain maps.
//!
//! Nothing here looks at a `FlowTable`'s columns: the tables under test are decoded from the
//! text this module writes.

use flowlog_query::filter::{Cmp, Cond, Expr, Operand, Subject, Test};
use ipnet::IpNet;
use std::net::IpAddr;

/// A small deterministic generator (SplitMix64), seeded by proptest.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The two layouts the generated files use: the default, and a custom one with v3 and v5
/// fields (NAT addresses, flags, direction) in another order.
pub const DEFAULT: &[&str] = &[
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];
pub const CUSTOM: &[&str] = &[
    "interface-id",
    "vpc-id",
    "srcaddr",
    "dstaddr",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "bytes",
    "packets",
    "start",
    "end",
    "action",
    "tcp-flags",
    "flow-direction",
    "log-status",
];

/// One record: its fields and the token written for each (`-` for missing).
#[derive(Clone, Debug)]
pub struct Rec {
    pub fields: Vec<(&'static str, String)>,
}

impl Rec {
    /// The token of `field`, or `None` where it is `-` or the record's layout lacks it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, token)| token.as_str())
            .filter(|token| *token != "-")
    }

    pub fn num(&self, field: &str) -> Option<u64> {
        self.get(field).map(|t| t.parse().unwrap())
    }

    pub fn addr(&self, field: &str) -> Option<IpAddr> {
        self.get(field).map(|t| t.parse().unwrap())
    }
}

pub const ADDRS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.2",
    "10.0.1.9",
    "10.0.0.10",
    "172.31.16.139",
    "172.32.0.1",
    "192.168.1.5",
    "100.64.3.1",
    "169.254.169.254",
    "127.0.0.1",
    "224.0.0.5",
    "203.0.113.12",
    "198.51.100.7",
    "52.95.128.179",
    "8.8.8.8",
    "0.0.0.0",
    "2001:db8::1",
    "2001:db8:1::2",
    "fd00::5",
    "fe80::1",
    "2600:1f18::9",
    "::1",
    "::ffff:10.0.0.1",
];
pub const PORTS: &[u64] = &[0, 22, 53, 80, 443, 1024, 3389, 5432, 49152, 65535];
const PROTOCOLS: &[u64] = &[1, 6, 6, 6, 17, 17, 58, 47];
const INTERFACES: &[&str] = &["eni-aaa111", "eni-aab222", "eni-b33", "eni-c44"];
const VPCS: &[&str] = &["vpc-01", "vpc-02prod", "vpc-03"];
const ACCOUNTS: &[&str] = &["123456789010", "111122223333"];
pub const BASE_TIME: u64 = 1_700_000_000;
/// Five years after [`BASE_TIME`]: 2.6 million minutes, more than a file of a few
/// thousand records may count in an array of minutes.
const FAR_TIME: u64 = BASE_TIME + 5 * 365 * 86_400;

fn token(rng: &mut Rng, field: &str) -> String {
    if field != "log-status" && rng.chance(8) {
        return "-".into();
    }
    let port = |rng: &mut Rng| {
        if rng.chance(70) {
            *rng.pick(PORTS)
        } else {
            rng.below(65536)
        }
    };
    match field {
        "version" => "2".into(),
        "account-id" => rng.pick(ACCOUNTS).to_string(),
        "interface-id" => rng.pick(INTERFACES).to_string(),
        "vpc-id" => rng.pick(VPCS).to_string(),
        "srcaddr" | "dstaddr" | "pkt-srcaddr" | "pkt-dstaddr" => rng.pick(ADDRS).to_string(),
        "srcport" | "dstport" => port(rng).to_string(),
        "protocol" => rng.pick(PROTOCOLS).to_string(),
        "packets" => (1 + rng.below(50)).to_string(),
        "bytes" => rng
            .pick(&[40, 1500, 4249, 100_000, 7_000_000_000u64])
            .to_string(),
        // Filled in by `record`, which keeps `end` after `start`.
        "start" | "end" => unreachable!(),
        "action" => rng.pick(&["ACCEPT", "REJECT"]).to_string(),
        "log-status" => rng
            .pick(&["OK", "OK", "OK", "NODATA", "SKIPDATA"])
            .to_string(),
        "tcp-flags" => rng.pick(&[0u64, 1, 2, 3, 4, 18, 19, 22]).to_string(),
        "flow-direction" => rng.pick(&["ingress", "egress"]).to_string(),
        other => panic!("no generator for {other}"),
    }
}

fn record(rng: &mut Rng, layout: &'static [&'static str], start: Option<u64>) -> Rec {
    let start = start.unwrap_or_else(|| BASE_TIME + rng.below(4 * 3600));
    let end = start + rng.below(120);
    let fields = layout
        .iter()
        .map(|&field| {
            let value = match field {
                "start" | "end" if rng.chance(5) => "-".into(),
                "start" => start.to_string(),
                "end" => end.to_string(),
                _ => token(rng, field),
            };
            (field, value)
        })
        .collect();
    Rec { fields }
}

/// Random records in one or two layouts, and the file text that holds them (a header line
/// before each run of one layout). Half the files have their records in time order over a
/// short span, as real logs have, so that long runs of rows share a minute.
pub fn file(rng: &mut Rng, max_records: u64) -> (Vec<Rec>, String) {
    let count = rng.below(max_records + 1);
    let mixed = rng.chance(50);
    let span = rng.chance(50).then(|| *rng.pick(&[20u64, 100, 600]));
    // A few files have some records years later, as a corrupt time or AWS's examples of
    // several years give, so that histograms are also counted the way for sparse times.
    let far = rng.chance(10);
    let mut records = Vec::new();
    let mut text = String::new();
    let mut layout: Option<&'static [&'static str]> = None;
    for i in 0..count {
        let wanted = if mixed && i >= count / 2 {
            CUSTOM
        } else {
            DEFAULT
        };
        if layout != Some(wanted) {
            text.push_str(&wanted.join(" "));
            text.push('\n');
            layout = Some(wanted);
        }
        let start = span.map(|span| BASE_TIME + i * span / count.max(1));
        let start = if far && rng.chance(20) {
            Some(FAR_TIME + rng.below(3600))
        } else {
            start
        };
        let rec = record(rng, wanted, start);
        let line: Vec<&str> = rec.fields.iter().map(|(_, t)| t.as_str()).collect();
        text.push_str(&line.join(" "));
        text.push('\n');
        records.push(rec);
    }
    (records, text)
}

/// A random filter, as text, over the generated values.
pub fn filter_text(rng: &mut Rng, depth: u32) -> String {
    if depth > 0 && rng.chance(45) {
        let a = filter_text(rng, depth - 1);
        let b = filter_text(rng, depth - 1);
        return match rng.below(4) {
            0 => format!("({a} and {b})"),
            1 => format!("({a} or {b})"),
            2 => format!("not ({a})"),
            _ => format!("{a} AND NOT {b}"),
        };
    }
    let addr_field = *rng.pick(&["srcaddr", "dstaddr", "addr", "pkt-srcaddr"]);
    let port_field = *rng.pick(&["srcport", "dstport", "port"]);
    let op = *rng.pick(&["=", "!=", "<", "<=", ">", ">="]);
    let eq = *rng.pick(&["=", "!="]);
    let addr = *rng.pick(ADDRS);
    let port = *rng.pick(PORTS);
    match rng.below(20) {
        0 => format!("{addr_field} {eq} {addr}"),
        1 => {
            let net = rng.pick(&[
                "10.0.0.0/8",
                "10.0.0.0/24",
                "172.16.0.0/12",
                "0.0.0.0/0",
                "2001:db8::/32",
                "fd00::/8",
                "::/0",
                "10.0.0.1/32",
            ]);
            format!("{addr_field} in {net}")
        }
        2 => format!(
            "{addr_field} in ({}, {})",
            rng.pick(ADDRS),
            rng.pick(&["192.168.0.0/16", "2600::/12", "8.8.8.8"])
        ),
        3 => {
            let class = rng.pick(&[
                "private",
                "public",
                "cgnat",
                "link-local",
                "loopback",
                "multicast",
                "documentation",
                "reserved",
            ]);
            format!("{addr_field} is {class}")
        }
        4 => format!("{port_field} {op} {port}"),
        5 => format!("{port_field} in (22, https, {port})"),
        6 => format!(
            "protocol {eq} {}",
            rng.pick(&["tcp", "udp", "icmp", "6", "58"])
        ),
        7 => format!("action {eq} {}", rng.pick(&["ACCEPT", "reject"])),
        8 => format!(
            "log-status in ({})",
            rng.pick(&["OK", "NODATA, skipdata", "SKIPDATA"])
        ),
        9 => format!(
            "bytes {op} {}",
            rng.pick(&[0u64, 1500, 4249, 7_000_000_000])
        ),
        10 => format!("packets {op} {}", rng.below(60)),
        11 => format!(
            "tcp-flags has {}",
            rng.pick(&["fin", "syn", "rst", "syn-ack"])
        ),
        12 => format!(
            "interface-id {} {}",
            rng.pick(&["=", "!=", "startswith", "contains", "endswith"]),
            rng.pick(&["eni-aaa111", "eni-a", "b", "44", "eni-zzz"])
        ),
        13 => format!("vpc-id {} prod", rng.pick(&["contains", "endswith", "="])),
        14 => format!("start {op} {}", BASE_TIME + rng.below(4 * 3600)),
        15 => {
            let from = BASE_TIME + rng.below(4 * 3600);
            format!("time in {from}..{}", from + rng.below(3600))
        }
        16 => format!(
            "{} is {}",
            rng.pick(&[
                "action",
                "srcaddr",
                "tcp-flags",
                "vpc-id",
                "addr",
                "port",
                "start"
            ]),
            rng.pick(&["missing", "present"])
        ),
        17 => format!("flow-direction {eq} egress"),
        18 => "account-id in (123456789010, '999')".to_owned(),
        _ => format!("end {op} {}", BASE_TIME + rng.below(4 * 3600 + 120)),
    }
}

/// Whether `rec` passes `expr`, evaluated condition by condition on the record's tokens.
pub fn passes(rec: &Rec, expr: &Expr) -> bool {
    match expr {
        Expr::And(parts) => parts.iter().all(|p| passes(rec, p)),
        Expr::Or(parts) => parts.iter().any(|p| passes(rec, p)),
        Expr::Not(inner) => !passes(rec, inner),
        Expr::Test(test) => test_holds(rec, test),
    }
}

fn test_holds(rec: &Rec, test: &Test) -> bool {
    let pair = |a: &str, b: &str| {
        let first = one_holds(rec, a, &test.cond);
        let second = one_holds(rec, b, &test.cond);
        if matches!(test.cond, Cond::Cmp(Cmp::Ne, _)) {
            first && second
        } else {
            first || second
        }
    };
    match &test.subject {
        Subject::Field(field) => one_holds(rec, field.name(), &test.cond),
        Subject::AnyAddr => pair("srcaddr", "dstaddr"),
        Subject::AnyPort => pair("srcport", "dstport"),
        Subject::Time => match (&test.cond, rec.num("start"), rec.num("end")) {
            (Cond::Range { from, to }, Some(start), Some(end)) => start < *to && end >= *from,
            _ => false,
        },
    }
}

fn one_holds(rec: &Rec, field: &str, cond: &Cond) -> bool {
    let Some(token) = rec.get(field) else {
        return matches!(cond, Cond::Missing);
    };
    let is_addr = field.ends_with("addr");
    let is_num = token.parse::<u64>().is_ok() && !field.ends_with("-id");
    let matches_operand = |operand: &Operand| match operand {
        Operand::Int(n) => is_num && token.parse::<u64>().unwrap() == *n,
        Operand::Word { word, .. } => token == *word,
        Operand::Addr(a) => is_addr && token.parse::<IpAddr>().unwrap() == *a,
        Operand::Net(net) => is_addr && net.contains(&token.parse::<IpAddr>().unwrap()),
        Operand::Text(t) => token == t,
    };
    match cond {
        Cond::Missing => false,
        Cond::Present => true,
        Cond::Cmp(Cmp::Eq, operand) => matches_operand(operand),
        Cond::Cmp(Cmp::Ne, operand) => !matches_operand(operand),
        Cond::Cmp(op, Operand::Int(n)) => {
            let v: u64 = token.parse().unwrap();
            match op {
                Cmp::Lt => v < *n,
                Cmp::Le => v <= *n,
                Cmp::Gt => v > *n,
                Cmp::Ge => v >= *n,
                _ => unreachable!(),
            }
        }
        Cond::Cmp(..) => panic!("ordered comparison on {field}"),
        Cond::In(operands) => operands.iter().any(matches_operand),
        Cond::Range { from, to } => {
            let v: u64 = token.parse().unwrap();
            *from <= v && v < *to
        }
        Cond::Class(class) => class_of(token.parse().unwrap()) == class.name(),
        Cond::Flag(flag) => {
            let v: u64 = token.parse().unwrap();
            let bits = match flag.name() {
                "fin" => 1,
                "syn" => 2,
                "rst" => 4,
                "syn-ack" => 18,
                other => panic!("no reference for flag {other}"),
            };
            v & bits == bits
        }
        Cond::Text(op, pattern) => match op.keyword() {
            "contains" => token.contains(pattern.as_str()),
            "startswith" => token.starts_with(pattern.as_str()),
            _ => token.ends_with(pattern.as_str()),
        },
    }
}

/// The class of an address, looked up in a list of networks in the order the classes are
/// documented.
pub fn class_of(addr: IpAddr) -> &'static str {
    let addr = match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => addr,
        },
        v4 => v4,
    };
    const NETS: &[(&str, &str)] = &[
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("fc00::/7", "private"),
        ("100.64.0.0/10", "cgnat"),
        ("169.254.0.0/16", "link-local"),
        ("fe80::/10", "link-local"),
        ("127.0.0.0/8", "loopback"),
        ("::1/128", "loopback"),
        ("224.0.0.0/4", "multicast"),
        ("ff00::/8", "multicast"),
        ("192.0.2.0/24", "documentation"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("0.0.0.0/8", "reserved"),
        ("240.0.0.0/4", "reserved"),
        ("192.0.0.0/24", "reserved"),
        ("198.18.0.0/15", "reserved"),
        ("::/128", "reserved"),
        ("64:ff9b:1::/48", "reserved"),
        ("100::/64", "reserved"),
    ];
    NETS.iter()
        .find(|(net, _)| net.parse::<IpNet>().unwrap().contains(&addr))
        .map_or("public", |(_, class)| class)
}
