//! The bundled sample data: four hours of one production VPC that tell a story a newcomer
//! recognises within a minute.
//!
//! Between 08:00 and 12:00 UTC on 20 November 2026, in account 123456789012 (us-east-1):
//!
//! - two load balancer interfaces serve web clients on 443 (and a little on 80), some over
//!   IPv6, and forward to two web servers on 8080, which call a database and a cache;
//! - from 09:12 to 09:47 four internet addresses (one of them IPv6) try SSH on the bastion
//!   and are rejected, while the administrator's own address gets in;
//! - from 10:01 to 10:04 one address scans some 300 ports of an edge host: everything is
//!   rejected except 443;
//! - an ETL worker in a private subnet sends tens of megabytes a minute to one internet
//!   address through the NAT gateway: most of the bytes of the whole data set;
//! - a Windows server is stopped from 10:40 to 11:10 (NODATA), and the NAT gateway's flow
//!   log skips records at 11:22 and 11:23 (SKIPDATA);
//! - internet background noise knocks on 23, 445 and 3389 all the time.
//!
//! The VPC flow log `fl-0abc1234` (default format) is delivered as two files: the 10:00 to
//! 10:05 slice as an S3 object (gzip, two members, named as S3 names it) and the rest as a
//! plain `.log`. A second flow log in the custom version-5 format covers the NAT gateway and
//! an API server, whose records show what only that format can: NAT translation in
//! `pkt-srcaddr`/`pkt-dstaddr`, S3 traffic by gateway endpoint, traffic paths and directions.
//!
//! Named actors use the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
//! and 2001:db8::/32) so that no real address is shown attacking anyone.

use std::io;

use crate::layout::Layout;
use crate::record::{Action, Addr, Record, Status};
use crate::rng::{Rng, Zipf};
use crate::traffic::finish;
use crate::world::{resource_id, Interface, Role, Subnet, Vpc};
use crate::writer::{Compression, LineWriter, Summary};

/// One generated sample file.
#[derive(Clone, Debug)]
pub struct SampleFile {
    /// The file name, without a directory.
    pub name: &'static str,
    /// The file's bytes, exactly as they are to be written.
    pub contents: Vec<u8>,
    /// What the file holds.
    pub summary: Summary,
}

/// 2026-11-20T08:00:00Z.
const START: u64 = 1_795_161_600;
const WINDOWS: u64 = 240;
/// The window of 10:00, the first of the slice delivered as the S3 object.
const SLICE: std::ops::Range<u64> = 120..125;

const MAIN_FILE: &str = "prod-vpc-default-format.log";
const S3_FILE: &str =
    "123456789012_vpcflowlogs_us-east-1_fl-0abc1234_20261120T1000Z_a1b2c3d4.log.gz";
const V5_FILE: &str = "nat-gateway-and-api-custom-v5.log";

/// The bundled sample files, in the order the page lists them.
pub fn sample_files() -> io::Result<Vec<SampleFile>> {
    let cast = Cast::new();
    let records = Script::new(&cast).play();

    let (v5, flow_log): (Vec<_>, Vec<_>) = records
        .into_iter()
        .partition(|r| std::ptr::eq(r.iface, &cast.nat) || std::ptr::eq(r.iface, &cast.api));
    let (slice, rest): (Vec<_>, Vec<_>) = flow_log
        .into_iter()
        .partition(|r| SLICE.contains(&((r.start - START) / 60)));

    Ok(vec![
        write(MAIN_FILE, &rest, Layout::default_v2(), Compression::None)?,
        write(
            S3_FILE,
            &slice,
            Layout::default_v2(),
            Compression::GzipMembers {
                records_per_member: (slice.len() as u64).div_ceil(2),
            },
        )?,
        write(V5_FILE, &v5, Layout::custom_v5(), Compression::None)?,
    ])
}

fn write(
    name: &'static str,
    records: &[Record<'_>],
    layout: Layout,
    compression: Compression,
) -> io::Result<SampleFile> {
    let mut contents = Vec::new();
    let mut writer = LineWriter::new(&mut contents, &layout, true, compression);
    for record in records {
        writer.push(record)?;
    }
    let summary = writer.finish()?;
    Ok(SampleFile {
        name,
        contents,
        summary,
    })
}

/// The VPC and its interfaces.
struct Cast {
    vpc: Vpc,
    alb_a: Interface,
    alb_b: Interface,
    web: [Interface; 2],
    bastion: Interface,
    edge: Interface,
    nat: Interface,
    etl: Interface,
    api: Interface,
    db: Interface,
    cache: Interface,
    windows: Interface,
}

const V6_PREFIX: u128 = 0x2600_1f18_04a3_6e00 << 64;

impl Cast {
    fn new() -> Cast {
        let mut rng = Rng::new(0x5a3_91e);
        let subnet = |rng: &mut Rng, third: u8, az: u8, public: bool| Subnet {
            id: resource_id(rng, "subnet"),
            az_id: format!("use1-az{az}"),
            base: u32::from_be_bytes([10, 0, third, 0]),
            ip6: V6_PREFIX | (u128::from(third) << 64),
            public,
        };
        let vpc = Vpc {
            id: resource_id(&mut rng, "vpc"),
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            base: u32::from_be_bytes([10, 0, 0, 0]),
            subnets: vec![
                subnet(&mut rng, 0, 1, true),
                subnet(&mut rng, 1, 2, true),
                subnet(&mut rng, 10, 1, false),
                subnet(&mut rng, 11, 2, false),
                subnet(&mut rng, 20, 1, false),
            ],
        };
        let mut make = |subnet: usize, host: u8, role: Role, ip6: bool| {
            let vpcs = std::slice::from_ref(&vpc);
            let mut iface = Interface::new(&mut rng, vpcs, 0, role);
            let s = &vpc.subnets[subnet];
            iface.subnet_id = s.id.clone();
            iface.az_id = s.az_id.clone();
            iface.public = s.public;
            iface.ip = s.base | u32::from(host);
            iface.ip6 = ip6.then_some(s.ip6 | u128::from(host));
            iface
        };
        Cast {
            alb_a: make(0, 37, Role::LoadBalancer, true),
            alb_b: make(1, 201, Role::LoadBalancer, true),
            web: [make(2, 21, Role::Web, false), make(3, 22, Role::Web, false)],
            bastion: make(0, 10, Role::Bastion, true),
            edge: make(1, 20, Role::Bastion, false),
            nat: make(0, 150, Role::Nat, false),
            etl: make(2, 55, Role::App, false),
            api: make(3, 60, Role::App, false),
            db: make(4, 15, Role::Db(5432), false),
            cache: make(4, 30, Role::Db(6379), false),
            windows: make(3, 80, Role::Windows, false),
            vpc,
        }
    }
}

/// Plays the four hours, window by window.
struct Script<'c> {
    cast: &'c Cast,
    rng: Rng,
    records: Vec<Record<'c>>,
    clients: Vec<u32>,
    clients6: Vec<u128>,
    client_zipf: Zipf,
    noise_sources: Vec<u32>,
    start: u64,
}

const ATTACKERS: [Addr; 3] = [
    Addr::V4(u32::from_be_bytes([203, 0, 113, 45])),
    Addr::V4(u32::from_be_bytes([203, 0, 113, 77])),
    Addr::V4(u32::from_be_bytes([192, 0, 2, 18])),
];
const ATTACKER6: Addr = Addr::V6(0x2001_0db8_5ca1_0000_0000_0000_0000_0009);
const ADMIN: Addr = Addr::V4(u32::from_be_bytes([198, 51, 100, 23]));
const SCANNER: Addr = Addr::V4(u32::from_be_bytes([203, 0, 113, 200]));
/// Where the ETL worker uploads: a partner's endpoint on the internet.
const UPLOAD: Addr = Addr::V4(u32::from_be_bytes([192, 0, 2, 50]));

impl<'c> Script<'c> {
    fn new(cast: &'c Cast) -> Script<'c> {
        let mut rng = Rng::new(20_261_120);
        let clients: Vec<u32> = (0..300).map(|_| public_client(&mut rng)).collect();
        let clients6 = (0..40)
            .map(|_| (0x2a02_0c7f_u128 << 96) | u128::from(rng.next_u64()) << 16)
            .collect();
        let noise_sources = (0..60).map(|_| public_client(&mut rng)).collect();
        Script {
            cast,
            rng,
            client_zipf: Zipf::new(clients.len()),
            clients,
            clients6,
            noise_sources,
            records: Vec::new(),
            start: START,
        }
    }

    fn play(mut self) -> Vec<Record<'c>> {
        for w in 0..WINDOWS {
            self.start = START + w * 60;
            self.web(w);
            self.etl(w);
            self.api(w);
            self.brute_force(w);
            self.port_scan(w);
            self.windows_host(w);
            self.nat_gaps(w);
            self.noise();
        }
        self.records
    }

    /// Adds a record in the current window, with the derived fields filled in.
    fn push(&mut self, mut r: Record<'c>) {
        r.start = self.start;
        r.end = self.start
            + if self.rng.chance(800) {
                60
            } else {
                self.rng.between(52, 59)
            };
        finish(&mut r, &self.cast.vpc);
        self.records.push(r);
    }

    /// Both directions of a connection as `iface` saw them.
    #[allow(clippy::too_many_arguments)]
    fn connection(
        &mut self,
        iface: &'c Interface,
        client: Addr,
        server: Addr,
        port: u16,
        protocol: u8,
        packets: u64,
        request_bytes: u64,
        response_bytes: u64,
    ) {
        let client_port = self.rng.between(32768, 65535) as u16;
        let mut request = Record::flow(iface, (client, client_port), (server, port), protocol);
        request.packets = packets;
        request.bytes = request_bytes;
        request.tcp_flags = 3;
        let mut response = Record::flow(iface, (server, port), (client, client_port), protocol);
        response.packets = packets + packets / 4;
        response.bytes = response_bytes;
        response.tcp_flags = 19;
        self.push(request);
        self.push(response);
    }

    fn web(&mut self, w: u64) {
        let cast = self.cast;
        // The morning ramps up: more clients every hour.
        let clients = 1 + w / 60 + self.rng.below(2);
        for _ in 0..clients {
            let alb = if self.rng.chance(550) {
                &cast.alb_a
            } else {
                &cast.alb_b
            };
            let (client, server) = if self.rng.chance(100) {
                let ip6 = *self.rng.pick(&self.clients6);
                (
                    Addr::V6(ip6),
                    Addr::V6(alb.ip6.expect("load balancers have IPv6")),
                )
            } else {
                let ip = self.clients[self.client_zipf.sample(&mut self.rng)];
                (Addr::V4(ip), Addr::V4(alb.ip))
            };
            let port = if self.rng.chance(900) { 443 } else { 80 };
            let packets = self.rng.between(6, 60);
            let request = packets * self.rng.between(90, 160);
            let response = packets * self.rng.between(900, 1400);
            self.connection(alb, client, server, port, 6, packets, request, response);
        }
        // The load balancers forward to the web servers, which query the database and cache.
        let web = self.rng.pick(&cast.web);
        let alb = if w.is_multiple_of(2) {
            &cast.alb_a
        } else {
            &cast.alb_b
        };
        let packets = self.rng.between(20, 120);
        self.connection(
            web,
            Addr::V4(alb.ip),
            Addr::V4(web.ip),
            8080,
            6,
            packets,
            packets * 140,
            packets * 1100,
        );
        if w.is_multiple_of(2) {
            let packets = self.rng.between(10, 80);
            self.connection(
                &cast.db,
                Addr::V4(web.ip),
                Addr::V4(cast.db.ip),
                5432,
                6,
                packets,
                packets * 180,
                packets * 700,
            );
        }
        if w.is_multiple_of(3) {
            let packets = self.rng.between(10, 40);
            self.connection(
                &cast.cache,
                Addr::V4(web.ip),
                Addr::V4(cast.cache.ip),
                6379,
                6,
                packets,
                packets * 90,
                packets * 300,
            );
        }
        if w % 30 == 7 {
            let mut ping = Record::flow(
                &cast.alb_a,
                (Addr::V4(self.clients[3]), 0),
                (Addr::V4(cast.alb_a.ip), 0),
                1,
            );
            ping.packets = 4;
            ping.bytes = 336;
            self.push(ping);
            let mut ping6 = Record::flow(
                &cast.alb_a,
                (Addr::V6(self.clients6[0]), 0),
                (Addr::V6(cast.alb_a.ip6.expect("has IPv6")), 0),
                58,
            );
            ping6.packets = 2;
            ping6.bytes = 208;
            self.push(ping6);
        }
    }

    /// The ETL worker uploads through the NAT gateway: the same bytes appear on the worker's
    /// interface and, translated, on the NAT gateway's.
    fn etl(&mut self, w: u64) {
        let cast = self.cast;
        if w % 2 == 1 {
            return;
        }
        let client_port = self.rng.between(32768, 65535) as u16;
        let packets = self.rng.between(28_000, 56_000);
        let bytes = packets * 1448;
        let acks = packets / 2;
        let etl = Addr::V4(cast.etl.ip);
        let nat = Addr::V4(cast.nat.ip);

        let mut up = Record::flow(&cast.etl, (etl, client_port), (UPLOAD, 443), 6);
        (up.packets, up.bytes, up.tcp_flags) = (packets, bytes, 0);
        let mut down = Record::flow(&cast.etl, (UPLOAD, 443), (etl, client_port), 6);
        (down.packets, down.bytes, down.tcp_flags) = (acks, acks * 52, 0);
        self.push(up);
        self.push(down);

        // On the NAT gateway: in from the worker (addressed to the NAT, the packet still to
        // the internet), then out to the internet from the NAT's own address.
        let nat_port = self.rng.between(1024, 65535) as u16;
        let mut from_worker = Record::flow(&cast.nat, (etl, client_port), (nat, 443), 6);
        from_worker.pkt_dst = UPLOAD;
        (from_worker.packets, from_worker.bytes) = (packets, bytes);
        let mut to_internet = Record::flow(&cast.nat, (nat, nat_port), (UPLOAD, 443), 6);
        (to_internet.packets, to_internet.bytes) = (packets, bytes);
        let mut from_internet = Record::flow(&cast.nat, (UPLOAD, 443), (nat, nat_port), 6);
        (from_internet.packets, from_internet.bytes) = (acks, acks * 52);
        let mut to_worker = Record::flow(&cast.nat, (nat, 443), (etl, client_port), 6);
        to_worker.pkt_src = UPLOAD;
        (to_worker.packets, to_worker.bytes) = (acks, acks * 52);
        for r in [from_worker, to_internet, from_internet, to_worker] {
            self.push(r);
        }
    }

    /// The API server reads S3 through a gateway endpoint and asks the VPC resolver.
    fn api(&mut self, w: u64) {
        let cast = self.cast;
        let api = Addr::V4(cast.api.ip);
        let s3 = Addr::v4(52, 216, (w % 7) as u8 * 13, 88 + (w % 5) as u8);
        let packets = self.rng.between(40, 400);
        self.connection(
            &cast.api,
            api,
            s3,
            443,
            6,
            packets,
            packets * 120,
            packets * 1300,
        );
        if w.is_multiple_of(4) {
            let resolver = Addr::V4(cast.vpc.resolver());
            self.connection(&cast.api, api, resolver, 53, 17, 2, 140, 260);
        }
        if w % 10 == 5 {
            let dynamo = Addr::v4(3, 218, 182, 17);
            let packets = self.rng.between(10, 30);
            self.connection(
                &cast.api,
                api,
                dynamo,
                443,
                6,
                packets,
                packets * 200,
                packets * 600,
            );
        }
    }

    fn brute_force(&mut self, w: u64) {
        let cast = self.cast;
        if (72..107).contains(&w) {
            for attacker in ATTACKERS {
                if self.rng.chance(850) {
                    let port = self.rng.between(32768, 65535) as u16;
                    let mut r = Record::flow(
                        &cast.bastion,
                        (attacker, port),
                        (Addr::V4(cast.bastion.ip), 22),
                        6,
                    );
                    r.action = Action::Reject;
                    r.packets = self.rng.between(2, 6);
                    r.bytes = r.packets * 60;
                    r.tcp_flags = 2;
                    self.push(r);
                }
            }
            if w.is_multiple_of(3) {
                let port = self.rng.between(32768, 65535) as u16;
                let target = Addr::V6(cast.bastion.ip6.expect("the bastion has IPv6"));
                let mut r = Record::flow(&cast.bastion, (ATTACKER6, port), (target, 22), 6);
                r.action = Action::Reject;
                r.packets = 3;
                r.bytes = 240;
                r.tcp_flags = 2;
                self.push(r);
            }
        }
        // The administrator logs in now and then, and hops on to the Windows server.
        if w % 25 == 3 {
            let packets = self.rng.between(200, 900);
            let bastion = Addr::V4(cast.bastion.ip);
            self.connection(
                &cast.bastion,
                ADMIN,
                bastion,
                22,
                6,
                packets,
                packets * 90,
                packets * 160,
            );
            if !self.windows_stopped(w) {
                let windows = Addr::V4(cast.windows.ip);
                self.connection(
                    &cast.windows,
                    bastion,
                    windows,
                    3389,
                    6,
                    packets,
                    packets * 120,
                    packets * 900,
                );
            }
        }
    }

    fn port_scan(&mut self, w: u64) {
        let cast = self.cast;
        const FIRST: u64 = 121;
        const LAST: u64 = 124;
        if !(FIRST..=LAST).contains(&w) {
            return;
        }
        let ports: Vec<u16> = (1..=300)
            .chain([
                443, 1433, 1521, 2049, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200,
            ])
            .collect();
        let per_window = ports.len().div_ceil((LAST - FIRST + 1) as usize);
        let i = (w - FIRST) as usize;
        let scanner_port = 40_000 + w as u16;
        for &port in ports.iter().skip(i * per_window).take(per_window) {
            let mut r = Record::flow(
                &cast.edge,
                (SCANNER, scanner_port),
                (Addr::V4(cast.edge.ip), port),
                6,
            );
            r.bytes = 44;
            r.tcp_flags = 2;
            if port != 443 {
                r.action = Action::Reject;
            }
            self.push(r);
        }
    }

    fn windows_stopped(&self, w: u64) -> bool {
        (160..190).contains(&w)
    }

    fn windows_host(&mut self, w: u64) {
        let cast = self.cast;
        if self.windows_stopped(w) {
            self.push(Record::gap(&cast.windows, Status::NoData, 0, 0));
        } else if w.is_multiple_of(10) {
            let update = Addr::v4(13, 107, 4, 50);
            let packets = self.rng.between(50, 300);
            let me = Addr::V4(cast.windows.ip);
            self.connection(
                &cast.windows,
                me,
                update,
                443,
                6,
                packets,
                packets * 100,
                packets * 1400,
            );
        }
    }

    fn nat_gaps(&mut self, w: u64) {
        if w == 202 || w == 203 {
            self.push(Record::gap(&self.cast.nat, Status::SkipData, 0, 0));
        }
    }

    /// The internet's background noise on the public interfaces.
    fn noise(&mut self) {
        let cast = self.cast;
        if !self.rng.chance(450) {
            return;
        }
        let target = *self
            .rng
            .pick(&[&cast.bastion, &cast.edge, &cast.alb_a, &cast.alb_b]);
        let source = Addr::V4(*self.rng.pick(&self.noise_sources));
        let port = *self.rng.pick(&[23, 445, 3389, 3389, 1433, 5900, 8080, 22]);
        let src_port = self.rng.between(1024, 65535) as u16;
        let mut r = Record::flow(target, (source, src_port), (Addr::V4(target.ip), port), 6);
        r.action = Action::Reject;
        r.bytes = 40;
        r.tcp_flags = 2;
        self.push(r);
    }
}

/// A public client address outside the documentation ranges, with a plausible first octet.
fn public_client(rng: &mut Rng) -> u32 {
    let first = *rng.pick(&[
        24u8, 31, 37, 46, 62, 73, 81, 88, 91, 99, 104, 142, 176, 185, 188, 212,
    ]);
    u32::from_be_bytes([first, 0, 0, 0]) | (rng.next_u64() as u32 & 0x00FF_FFFF)
}
