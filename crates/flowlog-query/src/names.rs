//! Names people use instead of numbers: IANA protocol keywords and well-known port services.
//!
//! Both tables are short on purpose: they hold what flow logs actually show (a dozen
//! protocols, a few dozen service ports). A number without a name is printed as the number,
//! and a filter may always use the number instead of the name.

/// IANA protocol numbers and their keywords, lower-cased. The first name of a number is the
/// one printed; later entries for the same number are accepted aliases.
const PROTOCOLS: &[(u8, &str)] = &[
    (0, "hopopt"),
    (1, "icmp"),
    (2, "igmp"),
    (3, "ggp"),
    (4, "ipv4"),
    (5, "st"),
    (6, "tcp"),
    (8, "egp"),
    (9, "igp"),
    (17, "udp"),
    (27, "rdp"),
    (33, "dccp"),
    (41, "ipv6"),
    (43, "ipv6-route"),
    (44, "ipv6-frag"),
    (46, "rsvp"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (58, "ipv6-icmp"),
    (58, "icmpv6"),
    (59, "ipv6-nonxt"),
    (60, "ipv6-opts"),
    (88, "eigrp"),
    (89, "ospfigp"),
    (89, "ospf"),
    (94, "ipip"),
    (97, "etherip"),
    (98, "encap"),
    (103, "pim"),
    (108, "ipcomp"),
    (112, "vrrp"),
    (115, "l2tp"),
    (132, "sctp"),
    (136, "udplite"),
    (137, "mpls-in-ip"),
    (143, "ethernet"),
];

/// Well-known service ports. As with protocols, the first name of a port is the one printed
/// and later ones are aliases. Where IANA's keyword is obscure (`domain`, `ms-wbt-server`)
/// the everyday name comes first.
const SERVICES: &[(u16, &str)] = &[
    (20, "ftp-data"),
    (21, "ftp"),
    (22, "ssh"),
    (23, "telnet"),
    (25, "smtp"),
    (53, "dns"),
    (53, "domain"),
    (67, "dhcp"),
    (67, "bootps"),
    (68, "bootpc"),
    (69, "tftp"),
    (80, "http"),
    (88, "kerberos"),
    (110, "pop3"),
    (111, "sunrpc"),
    (123, "ntp"),
    (135, "msrpc"),
    (137, "netbios-ns"),
    (138, "netbios-dgm"),
    (139, "netbios-ssn"),
    (143, "imap"),
    (161, "snmp"),
    (162, "snmptrap"),
    (179, "bgp"),
    (389, "ldap"),
    (443, "https"),
    (445, "smb"),
    (445, "microsoft-ds"),
    (465, "smtps"),
    (500, "isakmp"),
    (514, "syslog"),
    (587, "submission"),
    (636, "ldaps"),
    (853, "dns-over-tls"),
    (873, "rsync"),
    (993, "imaps"),
    (995, "pop3s"),
    (1433, "mssql"),
    (1521, "oracle"),
    (2049, "nfs"),
    (2375, "docker"),
    (2376, "docker-tls"),
    (3306, "mysql"),
    (3389, "rdp"),
    (3389, "ms-wbt-server"),
    (4500, "ipsec-nat-t"),
    (5432, "postgresql"),
    (5432, "postgres"),
    (5439, "redshift"),
    (5672, "amqp"),
    (5900, "vnc"),
    (5985, "winrm"),
    (5986, "winrm-https"),
    (6379, "redis"),
    (6443, "kubernetes"),
    (8080, "http-alt"),
    (8443, "https-alt"),
    (9092, "kafka"),
    (9200, "elasticsearch"),
    (11211, "memcached"),
    (27017, "mongodb"),
];

/// The keyword of an IANA protocol number (`tcp` for 6), if it has one here.
pub fn protocol_name(number: u64) -> Option<&'static str> {
    PROTOCOLS
        .iter()
        .find(|&&(n, _)| u64::from(n) == number)
        .map(|&(_, name)| name)
}

/// The protocol number of a keyword, in any case (`TCP`, `tcp`).
pub fn protocol_number(name: &str) -> Option<u8> {
    PROTOCOLS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|&(number, _)| number)
}

/// The service name of a well-known port (`ssh` for 22), if it has one here.
pub fn service_name(port: u64) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|&&(p, _)| u64::from(p) == port)
        .map(|&(_, name)| name)
}

/// The port of a service name, in any case (`SSH`, `ssh`).
pub fn service_port(name: &str) -> Option<u16> {
    SERVICES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|&(port, _)| port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_round_trip() {
        for &(number, _) in PROTOCOLS {
            let name = protocol_name(number.into()).unwrap();
            assert_eq!(protocol_number(name), Some(number));
        }
        for &(port, _) in SERVICES {
            let name = service_name(port.into()).unwrap();
            assert_eq!(service_port(name), Some(port));
        }
    }

    #[test]
    fn common_names() {
        assert_eq!(protocol_number("TCP"), Some(6));
        assert_eq!(protocol_number("icmpv6"), Some(58));
        assert_eq!(protocol_name(58), Some("ipv6-icmp"));
        assert_eq!(protocol_name(7), None);
        assert_eq!(service_port("RDP"), Some(3389));
        assert_eq!(service_port("domain"), Some(53));
        assert_eq!(service_name(53), Some("dns"));
        assert_eq!(service_name(1), None);
    }

    #[test]
    fn each_name_is_used_once() {
        let mut names: Vec<&str> = SERVICES.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
        let mut names: Vec<&str> = PROTOCOLS.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }
}
