//! The resources that flows run between: accounts, VPCs, subnets, network interfaces and a
//! transit gateway, with ids shaped like AWS's.

use crate::rng::Rng;

/// What an interface does, which decides the traffic it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A NAT gateway's interface: forwards private instances' traffic to the internet.
    Nat,
    /// A load balancer's interface: takes client connections from the internet.
    LoadBalancer,
    /// A web server behind a load balancer.
    Web,
    /// An application server: a client of databases and internet APIs.
    App,
    /// A Lambda function's interface: an application client without an instance.
    Lambda,
    /// A database listening on the given port.
    Db(u16),
    /// An SSH jump host.
    Bastion,
    /// A Windows server reached over RDP.
    Windows,
}

impl Role {
    /// Requester-managed interfaces (NAT gateways, load balancers, Lambda) have no instance.
    fn has_instance(self) -> bool {
        !matches!(self, Role::Nat | Role::LoadBalancer | Role::Lambda)
    }

    /// Whether the interface sits in a public subnet.
    fn is_public(self) -> bool {
        matches!(self, Role::Nat | Role::LoadBalancer | Role::Bastion)
    }
}

/// A network interface and everything a record says about it.
#[derive(Clone, Debug)]
pub(crate) struct Interface {
    pub(crate) eni: String,
    pub(crate) account: String,
    pub(crate) vpc_id: String,
    pub(crate) subnet_id: String,
    pub(crate) instance_id: String,
    pub(crate) region: String,
    pub(crate) az_id: String,
    /// The primary private IPv4 address.
    pub(crate) ip: u32,
    pub(crate) ip6: Option<u128>,
    pub(crate) role: Role,
    pub(crate) public: bool,
    /// The index of the interface's VPC in [`World::vpcs`].
    pub(crate) vpc: usize,
}

/// A subnet: one availability zone, one address block.
#[derive(Clone, Debug)]
pub(crate) struct Subnet {
    pub(crate) id: String,
    pub(crate) az_id: String,
    pub(crate) base: u32,
    pub(crate) ip6: u128,
    pub(crate) public: bool,
}

/// A VPC: an address block in one account and region.
#[derive(Clone, Debug)]
pub(crate) struct Vpc {
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) region: String,
    /// The first address of the VPC's /16.
    pub(crate) base: u32,
    pub(crate) subnets: Vec<Subnet>,
}

impl Vpc {
    /// The Amazon-provided DNS resolver: the VPC's base address plus two.
    pub(crate) fn resolver(&self) -> u32 {
        self.base + 2
    }

    pub(crate) fn contains(&self, ip: u32) -> bool {
        ip & 0xFFFF_0000 == self.base
    }
}

/// A transit gateway.
#[derive(Clone, Debug)]
pub(crate) struct TransitGateway {
    pub(crate) id: String,
    pub(crate) account: String,
}

/// A transit-gateway attachment to one VPC, with its interface in one subnet.
#[derive(Clone, Debug)]
pub(crate) struct Attachment {
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) vpc_id: String,
    pub(crate) subnet_id: String,
    pub(crate) eni: String,
    pub(crate) az_id: String,
    /// The index of the attached VPC in [`World::vpcs`].
    pub(crate) vpc: usize,
}

/// Everything flows run between.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub(crate) vpcs: Vec<Vpc>,
    /// Interfaces by chattiness: the first carries the most flows.
    pub(crate) interfaces: Vec<Interface>,
    pub(crate) gateway: TransitGateway,
    pub(crate) attachments: Vec<Attachment>,
}

const REGIONS: &[(&str, &str, u64)] = &[
    ("us-east-1", "use1", 6),
    ("eu-west-1", "euw1", 3),
    ("ap-southeast-2", "apse2", 3),
];

/// An AWS-style resource id: a prefix and 17 lowercase hex digits (`eni-0a1b…`), the first
/// of which is 0 as in the ids AWS hands out today.
pub(crate) fn resource_id(rng: &mut Rng, prefix: &str) -> String {
    format!("{prefix}-0{:016x}", rng.next_u64())
}

/// A 12-digit account id.
pub(crate) fn account_id(rng: &mut Rng) -> String {
    format!("{}", rng.between(100_000_000_000, 999_999_999_999))
}

impl World {
    /// A world of `interfaces` interfaces (at least one per VPC) over three accounts with two
    /// VPCs each.
    pub(crate) fn random(rng: &mut Rng, interfaces: usize) -> World {
        let accounts: Vec<String> = (0..3).map(|_| account_id(rng)).collect();
        let mut vpcs = Vec::new();
        for (a, account) in accounts.iter().enumerate() {
            let (region, az_prefix, az_count) = REGIONS[a % REGIONS.len()];
            for v in 0..2u32 {
                // The first VPC of the first account is a default VPC (172.31.0.0/16), the
                // others use 10.x.0.0/16 blocks, as most organisations do.
                let base = if a == 0 && v == 0 {
                    u32::from_be_bytes([172, 31, 0, 0])
                } else {
                    u32::from_be_bytes([10, (a as u32 * 16 + v) as u8, 0, 0])
                };
                let ip6_prefix: u128 =
                    (0x2600_1f18u128 << 96) | (u128::from(rng.below(1 << 24)) << 72);
                let subnets = (0..4u32)
                    .map(|s| Subnet {
                        id: resource_id(rng, "subnet"),
                        az_id: format!("{az_prefix}-az{}", 1 + u64::from(s) % az_count),
                        base: base + (s << 12),
                        ip6: ip6_prefix | (u128::from(s) << 64),
                        public: s < 2,
                    })
                    .collect();
                vpcs.push(Vpc {
                    id: resource_id(rng, "vpc"),
                    account: account.clone(),
                    region: region.to_owned(),
                    base,
                    subnets,
                });
            }
        }

        let roles: &[(u64, Role)] = &[
            (20, Role::Web),
            (35, Role::App),
            (8, Role::Lambda),
            (4, Role::LoadBalancer),
            (5, Role::Db(5432)),
            (4, Role::Db(3306)),
            (3, Role::Db(6379)),
            (3, Role::Bastion),
            (6, Role::Windows),
            (2, Role::Nat),
        ];
        let interfaces = (0..interfaces.max(vpcs.len()))
            .map(|rank| {
                // The chattiest interfaces are the ones that carry most traffic in real
                // accounts: a NAT gateway, a load balancer, a busy web server.
                let role = match rank {
                    0 => Role::Nat,
                    1 => Role::LoadBalancer,
                    2 => Role::Web,
                    3 => Role::Bastion,
                    _ => *rng.weighted(roles),
                };
                // Every VPC gets at least one interface, so that every transit-gateway
                // attachment has traffic.
                let vpc = if rank < vpcs.len() {
                    rank
                } else {
                    rng.below(vpcs.len() as u64) as usize
                };
                Interface::new(rng, &vpcs, vpc, role)
            })
            .collect();

        let gateway = TransitGateway {
            id: resource_id(rng, "tgw"),
            account: accounts[0].clone(),
        };
        let attachments = vpcs
            .iter()
            .enumerate()
            .map(|(i, vpc)| Attachment {
                id: resource_id(rng, "tgw-attach"),
                account: vpc.account.clone(),
                vpc_id: vpc.id.clone(),
                subnet_id: vpc.subnets[2].id.clone(),
                eni: resource_id(rng, "eni"),
                az_id: vpc.subnets[2].az_id.clone(),
                vpc: i,
            })
            .collect();

        World {
            vpcs,
            interfaces,
            gateway,
            attachments,
        }
    }
}

impl Interface {
    /// A new interface with the given role in a subnet of `vpcs[vpc]` that suits the role.
    pub(crate) fn new(rng: &mut Rng, vpcs: &[Vpc], vpc: usize, role: Role) -> Interface {
        let v = &vpcs[vpc];
        let candidates: Vec<&Subnet> = v
            .subnets
            .iter()
            .filter(|s| s.public == role.is_public())
            .collect();
        let subnet = *rng.pick(&candidates);
        // Addresses .0 to .3 of a subnet are reserved by AWS.
        let ip = subnet.base + 4 + rng.below(4000) as u32;
        let ip6 = rng
            .chance(300)
            .then(|| subnet.ip6 | u128::from(rng.next_u64()));
        Interface {
            eni: resource_id(rng, "eni"),
            account: v.account.clone(),
            vpc_id: v.id.clone(),
            subnet_id: subnet.id.clone(),
            instance_id: if role.has_instance() {
                resource_id(rng, "i")
            } else {
                "-".to_owned()
            },
            region: v.region.clone(),
            az_id: subnet.az_id.clone(),
            ip,
            ip6,
            role,
            public: subnet.public,
            vpc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_aws_shape() {
        let mut rng = Rng::new(1);
        let eni = resource_id(&mut rng, "eni");
        assert_eq!(eni.len(), 4 + 17);
        assert!(eni[4..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let account = account_id(&mut rng);
        assert_eq!(account.len(), 12);
    }

    #[test]
    fn interfaces_live_in_their_vpc() {
        let mut rng = Rng::new(2);
        let world = World::random(&mut rng, 200);
        assert_eq!(world.interfaces.len(), 200);
        for iface in &world.interfaces {
            let vpc = &world.vpcs[iface.vpc];
            assert!(vpc.contains(iface.ip));
            assert_eq!(iface.vpc_id, vpc.id);
            assert_eq!(iface.instance_id == "-", !iface.role.has_instance());
        }
    }
}
