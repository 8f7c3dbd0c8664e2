//! The random traffic model: which flows a world of interfaces sees, and how big they are.
//!
//! Each record picks an interface (Zipf: a few are very chatty), then a kind of flow suited
//! to the interface's role: clients from the internet for load balancers, database and API
//! calls for application servers, forwarded traffic for NAT gateways. On top of that comes
//! the background noise every public address gets: SYNs from scanners to SSH, RDP and
//! database ports, rejected by security groups.

use crate::record::{Action, Addr, Record, Status, TgwHop};
use crate::rng::{Rng, Zipf};
use crate::world::{Interface, Role, Vpc, World};

/// Internet ranges of AWS services, for `pkt-src-aws-service` and `pkt-dst-aws-service`.
const SERVICES: &[([u8; 2], &str)] = &[
    ([52, 216], "S3"),
    ([52, 217], "S3"),
    ([3, 218], "DYNAMODB"),
    ([54, 239], "AMAZON"),
    ([13, 224], "CLOUDFRONT"),
    ([18, 232], "EC2"),
];

/// Ports scanners knock on, with how often.
const NOISE_PORTS: &[(u64, u16)] = &[
    (30, 22),
    (15, 3389),
    (8, 23),
    (8, 445),
    (5, 80),
    (5, 8080),
    (4, 1433),
    (4, 3306),
    (3, 5900),
    (3, 25),
    (3, 6379),
    (2, 9200),
    (2, 5432),
    (12, 0),
];

/// Draws records for a world.
pub(crate) struct Traffic<'w> {
    world: &'w World,
    rng: Rng,
    chattiness: Zipf,
    internet: Vec<u32>,
    internet_zipf: Zipf,
    internet6: Vec<u128>,
    internet6_zipf: Zipf,
    scanners: Vec<u32>,
    scanner_zipf: Zipf,
    admins: Vec<u32>,
    /// Interfaces by [`Group`], for picking the other end of an internal flow.
    groups: [Vec<&'w Interface>; 4],
    /// Interfaces by VPC (never empty: every VPC has one).
    by_vpc: Vec<Vec<&'w Interface>>,
}

/// Interfaces that play the same part in internal flows.
#[derive(Clone, Copy)]
enum Group {
    Clients,
    Balancers,
    Dbs,
    Bastions,
}

/// A public unicast IPv4 address: not private, shared, loopback, link-local, multicast,
/// reserved or documentation space.
fn public_v4(rng: &mut Rng) -> u32 {
    loop {
        let ip = rng.next_u64() as u32;
        let [a, b, c, _] = ip.to_be_bytes();
        let special = a == 0
            || a == 10
            || a == 127
            || a >= 224
            || (a == 100 && (64..128).contains(&b))
            || (a == 169 && b == 254)
            || (a == 172 && (16..32).contains(&b))
            || (a == 192 && b == 168)
            || (a == 192 && b == 0 && (c == 0 || c == 2))
            || (a == 198 && (b == 18 || b == 19))
            || (a == 198 && b == 51 && c == 100)
            || (a == 203 && b == 0 && c == 113);
        if !special {
            return ip;
        }
    }
}

/// A global unicast IPv6 address in a block used by large providers.
fn public_v6(rng: &mut Rng) -> u128 {
    let top: u128 = *rng.pick(&[
        0x2a00, 0x2a02, 0x2600, 0x2607, 0x2604, 0x2406, 0x2804, 0x2001,
    ]);
    let rest = (u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())) >> 16;
    // 2001:db8::/32 is documentation space: steer clear of it.
    let ip = top << 112 | rest;
    if ip >> 96 == 0x2001_0db8 {
        ip ^ (1 << 100)
    } else {
        ip
    }
}

fn is_private(ip: u32) -> bool {
    let [a, b, _, _] = ip.to_be_bytes();
    a == 10 || (a == 172 && (16..32).contains(&b)) || (a == 192 && b == 168)
}

impl<'w> Traffic<'w> {
    pub(crate) fn new(world: &'w World, mut rng: Rng) -> Traffic<'w> {
        let internet: Vec<u32> = (0..5000).map(|_| public_v4(&mut rng)).collect();
        let internet6: Vec<u128> = (0..500).map(|_| public_v6(&mut rng)).collect();
        let scanners: Vec<u32> = (0..400).map(|_| public_v4(&mut rng)).collect();
        let admins: Vec<u32> = (0..3).map(|_| public_v4(&mut rng)).collect();
        let with_role = |wanted: &dyn Fn(Role) -> bool| -> Vec<&'w Interface> {
            world.interfaces.iter().filter(|i| wanted(i.role)).collect()
        };
        Traffic {
            world,
            chattiness: Zipf::new(world.interfaces.len()),
            internet_zipf: Zipf::new(internet.len()),
            internet6_zipf: Zipf::new(internet6.len()),
            scanner_zipf: Zipf::new(scanners.len()),
            internet,
            internet6,
            scanners,
            admins,
            by_vpc: (0..world.vpcs.len())
                .map(|vpc| world.interfaces.iter().filter(|i| i.vpc == vpc).collect())
                .collect(),
            // The order follows `Group`.
            groups: [
                with_role(&|r| matches!(r, Role::App | Role::Lambda | Role::Web)),
                with_role(&|r| r == Role::LoadBalancer),
                with_role(&|r| matches!(r, Role::Db(_))),
                with_role(&|r| r == Role::Bastion),
            ],
            rng,
        }
    }

    /// A record in the window `start..end` on a network interface.
    pub(crate) fn interface_record(&mut self, start: u64, end: u64) -> Record<'w> {
        let roll = self.rng.below(10_000);
        if roll < 60 {
            // About 0.5 % NODATA and 0.1 % SKIPDATA, as on a quiet but healthy account.
            let iface = self.rng.pick(&self.world.interfaces);
            let status = if roll < 50 {
                Status::NoData
            } else {
                Status::SkipData
            };
            return Record::gap(iface, status, start, end);
        }
        let iface = &self.world.interfaces[self.chattiness.sample(&mut self.rng)];
        let mut record = match self.rng.below(1000) {
            0..120 => self.noise(iface),
            120..150 => self.internal_reject(iface),
            150..170 => self.ping(iface),
            _ => self.role_traffic(iface),
        };
        record.start = start;
        record.end = end;
        finish(&mut record, &self.world.vpcs[iface.vpc]);
        record
    }

    /// A record on a transit gateway: a flow between two attached VPCs.
    pub(crate) fn transit_gateway_record(&mut self, start: u64, end: u64) -> Record<'w> {
        let world = self.world;
        let n = world.attachments.len() as u64;
        let from_index = self.rng.below(n) as usize;
        let to_index = (from_index + 1 + self.rng.below(n - 1) as usize) % n as usize;
        let (from, to) = (&world.attachments[from_index], &world.attachments[to_index]);
        let client = self.interface_in(from.vpc);
        let server = self.interface_in(to.vpc);
        let port = *self.rng.pick(&[443, 443, 443, 5432, 3306, 6379, 8080, 22]);
        let mut record = self.conversation(
            client,
            Addr::V4(client.ip),
            Addr::V4(server.ip),
            port,
            6,
            true,
        );
        // The record may be the response, which crosses the gateway the other way.
        let (from, to) = if record.src == Addr::V4(client.ip) {
            (from, to)
        } else {
            (to, from)
        };
        let no_route = self.rng.chance(10);
        record.tgw = Some(TgwHop {
            gateway: &world.gateway,
            resource_type: if self.rng.chance(500) {
                "TransitGateway"
            } else {
                "TransitGatewayAttachment"
            },
            from,
            to,
            lost_no_route: if no_route { record.packets } else { 0 },
            lost_blackhole: 0,
            egress: self.rng.chance(500),
        });
        record.start = start;
        record.end = end;
        record
    }

    /// An interface in VPC `vpc`, chatty ones more often.
    fn interface_in(&mut self, vpc: usize) -> &'w Interface {
        let world = self.world;
        // A few Zipf draws keep the chatty interfaces chatty; VPCs made only of quiet
        // interfaces fall back to a uniform pick among their own.
        for _ in 0..16 {
            let iface = &world.interfaces[self.chattiness.sample(&mut self.rng)];
            if iface.vpc == vpc {
                return iface;
            }
        }
        let pool = &self.by_vpc[vpc];
        pool[self.rng.below(pool.len() as u64) as usize]
    }

    /// One of `candidates`, preferably in VPC `vpc`: most internal traffic stays inside a
    /// VPC, and the few picks that land elsewhere stand for peering and transit traffic.
    fn nearby(&mut self, group: Group, vpc: usize) -> &'w Interface {
        let candidates = &self.groups[group as usize];
        let mut pick = *self.rng.pick(candidates);
        for _ in 0..32 {
            if pick.vpc == vpc {
                break;
            }
            pick = *self.rng.pick(candidates);
        }
        pick
    }

    fn internet_peer(&mut self) -> Addr {
        Addr::V4(self.internet[self.internet_zipf.sample(&mut self.rng)])
    }

    fn internet6_peer(&mut self) -> Addr {
        Addr::V6(self.internet6[self.internet6_zipf.sample(&mut self.rng)])
    }

    fn ephemeral_port(&mut self) -> u16 {
        self.rng.between(32768, 65535) as u16
    }

    /// One side of a connection from `client` to `server:port`, as `iface` saw it: either
    /// the request direction or the response direction, each with its own sizes and flags.
    fn conversation(
        &mut self,
        iface: &'w Interface,
        client: Addr,
        server: Addr,
        port: u16,
        protocol: u8,
        download: bool,
    ) -> Record<'w> {
        let client_port = self.ephemeral_port();
        let packets = self.rng.heavy_tail(500_000, 1);
        if self.rng.chance(500) {
            let mut r = Record::flow(iface, (client, client_port), (server, port), protocol);
            r.packets = packets;
            r.bytes = packets * self.rng.between(52, 300);
            r.tcp_flags = *self.rng.pick(&[3, 3, 3, 2, 2, 0, 0, 1]);
            r
        } else {
            let mut r = Record::flow(iface, (server, port), (client, client_port), protocol);
            r.packets = packets;
            let per_packet = if download {
                self.rng.between(500, 1448)
            } else {
                self.rng.between(52, 400)
            };
            r.bytes = packets * per_packet;
            r.tcp_flags = *self.rng.pick(&[19, 19, 19, 18, 18, 0, 0, 1]);
            r
        }
    }

    /// A SYN from an internet scanner to a commonly attacked port, rejected.
    fn noise(&mut self, iface: &'w Interface) -> Record<'w> {
        let scanner = Addr::V4(self.scanners[self.scanner_zipf.sample(&mut self.rng)]);
        let port = match *self.rng.weighted(NOISE_PORTS) {
            0 => self.rng.between(1, 65535) as u16,
            port => port,
        };
        let src_port = self.ephemeral_port();
        let (protocol, dst_port) = if self.rng.chance(100) {
            (17, *self.rng.pick(&[53, 123, 161, 1900, 11211]))
        } else {
            (6, port)
        };
        let mut r = Record::flow(
            iface,
            (scanner, src_port),
            (Addr::V4(iface.ip), dst_port),
            protocol,
        );
        r.action = Action::Reject;
        r.packets = self.rng.between(1, 3);
        r.bytes = r.packets * *self.rng.pick(&[40, 44, 60]);
        r.tcp_flags = 2;
        r
    }

    /// Traffic a security group or network ACL turns away from inside: a lateral connection
    /// to a port that is not open, or packets that arrive after their connection closed.
    fn internal_reject(&mut self, iface: &'w Interface) -> Record<'w> {
        if self.rng.chance(500) {
            let peer = self.rng.pick(&self.world.interfaces);
            let port = *self.rng.pick(&[22, 5432, 3306, 445, 8080, 9200]);
            let src_port = self.ephemeral_port();
            let mut r = Record::flow(
                iface,
                (Addr::V4(peer.ip), src_port),
                (Addr::V4(iface.ip), port),
                6,
            );
            r.action = Action::Reject;
            r.packets = self.rng.between(1, 3);
            r.bytes = r.packets * 60;
            r.tcp_flags = 2;
            r
        } else {
            let peer = self.internet_peer();
            let dst_port = self.ephemeral_port();
            let mut r = Record::flow(iface, (peer, 443), (Addr::V4(iface.ip), dst_port), 6);
            r.action = Action::Reject;
            r.packets = self.rng.between(1, 4);
            r.bytes = r.packets * 40;
            r.tcp_flags = *self.rng.pick(&[1, 4, 0]);
            r
        }
    }

    /// An ICMP echo from the internet, accepted or not depending on the security group.
    fn ping(&mut self, iface: &'w Interface) -> Record<'w> {
        let (src, dst, protocol) = match iface.ip6 {
            Some(ip6) if self.rng.chance(200) => (self.internet6_peer(), Addr::V6(ip6), 58),
            _ => (self.internet_peer(), Addr::V4(iface.ip), 1),
        };
        let mut r = Record::flow(iface, (src, 0), (dst, 0), protocol);
        r.packets = self.rng.between(1, 5);
        r.bytes = r.packets * 84;
        if self.rng.chance(500) {
            r.action = Action::Reject;
        }
        r
    }

    fn role_traffic(&mut self, iface: &'w Interface) -> Record<'w> {
        let me = Addr::V4(iface.ip);
        match iface.role {
            Role::LoadBalancer => {
                if self.rng.chance(700) {
                    let (client, server) = match iface.ip6 {
                        Some(ip6) if self.rng.chance(120) => (self.internet6_peer(), Addr::V6(ip6)),
                        _ => (self.internet_peer(), me),
                    };
                    let port = if self.rng.chance(850) { 443 } else { 80 };
                    self.conversation(iface, client, server, port, 6, true)
                } else {
                    let backend = self.nearby(Group::Clients, iface.vpc);
                    self.conversation(iface, me, Addr::V4(backend.ip), 8080, 6, true)
                }
            }
            Role::Web => {
                if self.rng.chance(600) && !self.groups[Group::Balancers as usize].is_empty() {
                    let balancer = self.nearby(Group::Balancers, iface.vpc);
                    self.conversation(iface, Addr::V4(balancer.ip), me, 8080, 6, true)
                } else {
                    self.client_traffic(iface)
                }
            }
            Role::App | Role::Lambda => self.client_traffic(iface),
            Role::Db(port) => {
                let client = self.nearby(Group::Clients, iface.vpc);
                self.conversation(iface, Addr::V4(client.ip), me, port, 6, true)
            }
            Role::Bastion => match self.rng.below(10) {
                0..5 => {
                    let admin = Addr::V4(*self.rng.pick(&self.admins));
                    self.conversation(iface, admin, me, 22, 6, false)
                }
                5..8 => {
                    let target = self.rng.pick(&self.world.interfaces);
                    self.conversation(iface, me, Addr::V4(target.ip), 22, 6, false)
                }
                _ => self.client_traffic(iface),
            },
            Role::Windows => {
                if self.rng.chance(600) && !self.groups[Group::Bastions as usize].is_empty() {
                    let bastion = self.nearby(Group::Bastions, iface.vpc);
                    self.conversation(iface, Addr::V4(bastion.ip), me, 3389, 6, true)
                } else {
                    self.client_traffic(iface)
                }
            }
            Role::Nat => {
                // A NAT gateway's interface sees each forwarded connection twice: from the
                // private instance to the NAT's private address (the packet still names the
                // internet destination) and from the NAT to the internet.
                let instance = self.nearby(Group::Clients, iface.vpc);
                let peer = self.internet_peer();
                let port = *self.rng.pick(&[443, 443, 443, 443, 80, 123]);
                let protocol = if port == 123 { 17 } else { 6 };
                if self.rng.chance(500) {
                    let mut r =
                        self.conversation(iface, Addr::V4(instance.ip), peer, port, protocol, true);
                    if r.src == peer {
                        r.src = me;
                    } else {
                        r.dst = me;
                    }
                    r
                } else {
                    self.conversation(iface, me, peer, port, protocol, true)
                }
            }
        }
    }

    /// What an application does: calls internet APIs and AWS services, its databases, DNS
    /// and NTP.
    fn client_traffic(&mut self, iface: &'w Interface) -> Record<'w> {
        let me = Addr::V4(iface.ip);
        match self.rng.below(100) {
            0..35 => {
                let (client, server) = match iface.ip6 {
                    Some(ip6) if self.rng.chance(150) => (Addr::V6(ip6), self.internet6_peer()),
                    _ => (me, self.internet_peer()),
                };
                self.conversation(iface, client, server, 443, 6, true)
            }
            35..45 => {
                let &([a, b], _) = self.rng.pick(SERVICES);
                let host = self.rng.below(1 << 16) as u32;
                let server = Addr::V4(u32::from_be_bytes([a, b, 0, 0]) | host);
                self.conversation(iface, me, server, 443, 6, true)
            }
            45..70 if !self.groups[Group::Dbs as usize].is_empty() => {
                let db = self.nearby(Group::Dbs, iface.vpc);
                let port = match db.role {
                    Role::Db(port) => port,
                    _ => 5432,
                };
                self.conversation(iface, me, Addr::V4(db.ip), port, 6, false)
            }
            70..92 => {
                let resolver = Addr::V4(self.world.vpcs[iface.vpc].resolver());
                let mut r = self.conversation(iface, me, resolver, 53, 17, false);
                r.packets = r.packets.min(20);
                r.bytes = r.packets * self.rng.between(60, 180);
                r
            }
            92..96 => {
                let ntp = Addr::v4(169, 254, 169, 123);
                let mut r = self.conversation(iface, me, ntp, 123, 17, false);
                r.packets = 1;
                r.bytes = 76;
                r
            }
            _ => {
                let peer = self.nearby(Group::Clients, iface.vpc);
                self.conversation(iface, me, Addr::V4(peer.ip), 8080, 6, false)
            }
        }
    }
}

/// Fills the fields that follow from the others: AWS service names, TCP flags only for TCP,
/// and the path of egress traffic.
pub(crate) fn finish(r: &mut Record<'_>, vpc: &Vpc) {
    r.src_service = service_of(r.pkt_src);
    r.dst_service = service_of(r.pkt_dst);
    if r.protocol != 6 {
        r.tcp_flags = 0;
    }
    if r.status != Status::Ok || !r.is_egress() {
        return;
    }
    r.traffic_path = match r.pkt_dst {
        Addr::V4(ip) if vpc.contains(ip) => 1,
        Addr::V4(ip) if is_private(ip) => 4,
        Addr::V4(_) if r.dst_service == "S3" || r.dst_service == "DYNAMODB" => 7,
        // Private subnets reach the internet through a NAT gateway inside the VPC.
        _ if !r.iface.public => 1,
        _ => 8,
    };
}

fn service_of(addr: Addr) -> &'static str {
    match addr {
        Addr::V4(ip) => {
            let [a, b, _, _] = ip.to_be_bytes();
            SERVICES
                .iter()
                .find(|(prefix, _)| *prefix == [a, b])
                .map_or("-", |(_, name)| name)
        }
        Addr::V6(_) => "-",
    }
}
