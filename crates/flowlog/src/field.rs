//! The fields AWS defines for VPC and transit-gateway flow logs, and what each may hold.
//!
//! The table below is the single source of truth: a field's header name, the flow-log version
//! that introduced it, and the kind of value it carries. Everything else (the columns of a
//! [`crate::FlowTable`], the checks on each value, the JSON the CLI prints) is derived from it.

use std::fmt;

/// What a field holds, which decides how it is checked, stored and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// An unsigned integer no larger than `max`, printed as a JSON number.
    Int {
        /// The largest value AWS documents for the field.
        max: u64,
    },
    /// A Unix time in seconds; values above 2^31 are read as milliseconds.
    Time,
    /// An IPv4 or IPv6 address.
    Addr,
    /// One word of a closed list (`ACCEPT`, `REJECT`, …), stored as its index in the list.
    Enum(&'static [&'static str]),
    /// Free text (ids, names, tags), stored in a dictionary.
    Text,
}

impl FieldKind {
    /// Whether the CLI prints values of this kind as JSON numbers.
    pub fn is_numeric(self) -> bool {
        matches!(self, FieldKind::Int { .. } | FieldKind::Time)
    }
}

/// The values `action` may take.
pub const ACTIONS: &[&str] = &["ACCEPT", "REJECT"];
/// The values `log-status` may take.
pub const LOG_STATUSES: &[&str] = &["OK", "NODATA", "SKIPDATA"];
/// The values `type` may take.
pub const TRAFFIC_TYPES: &[&str] = &["IPv4", "IPv6", "EFA"];
/// The values `flow-direction` may take.
pub const DIRECTIONS: &[&str] = &["ingress", "egress"];

const U8: FieldKind = FieldKind::Int {
    max: u8::MAX as u64,
};
const U16: FieldKind = FieldKind::Int {
    max: u16::MAX as u64,
};
const U64: FieldKind = FieldKind::Int { max: u64::MAX };
const TEXT: FieldKind = FieldKind::Text;

/// Declares the known fields once: the enum, and the table of names, versions and kinds.
macro_rules! known_fields {
    ($( $variant:ident = ($name:literal, $version:literal, $kind:expr) ),+ $(,)?) => {
        /// A field AWS documents, in the order of AWS's field table (versions 2 to 11, with
        /// the transit-gateway fields of version 6 in the order of their default format).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum Field { $( $variant ),+ }

        impl Field {
            /// Every known field, in the order of AWS's field table.
            pub const ALL: &'static [Field] = &[ $( Field::$variant ),+ ];

            /// The field's name as it appears in a header line (`srcaddr`, `log-status`).
            pub fn name(self) -> &'static str {
                match self { $( Field::$variant => $name ),+ }
            }

            /// The flow-log version that introduced the field.
            pub fn version(self) -> u8 {
                match self { $( Field::$variant => $version ),+ }
            }

            /// The kind of value the field holds.
            pub fn kind(self) -> FieldKind {
                match self { $( Field::$variant => $kind ),+ }
            }
        }
    };
}

known_fields! {
    Version = ("version", 2, U8),
    AccountId = ("account-id", 2, TEXT),
    InterfaceId = ("interface-id", 2, TEXT),
    SrcAddr = ("srcaddr", 2, FieldKind::Addr),
    DstAddr = ("dstaddr", 2, FieldKind::Addr),
    SrcPort = ("srcport", 2, U16),
    DstPort = ("dstport", 2, U16),
    Protocol = ("protocol", 2, U8),
    Packets = ("packets", 2, U64),
    Bytes = ("bytes", 2, U64),
    Start = ("start", 2, FieldKind::Time),
    End = ("end", 2, FieldKind::Time),
    Action = ("action", 2, FieldKind::Enum(ACTIONS)),
    LogStatus = ("log-status", 2, FieldKind::Enum(LOG_STATUSES)),
    VpcId = ("vpc-id", 3, TEXT),
    SubnetId = ("subnet-id", 3, TEXT),
    InstanceId = ("instance-id", 3, TEXT),
    TcpFlags = ("tcp-flags", 3, U8),
    Type = ("type", 3, FieldKind::Enum(TRAFFIC_TYPES)),
    PktSrcAddr = ("pkt-srcaddr", 3, FieldKind::Addr),
    PktDstAddr = ("pkt-dstaddr", 3, FieldKind::Addr),
    Region = ("region", 4, TEXT),
    AzId = ("az-id", 4, TEXT),
    SublocationType = ("sublocation-type", 4, TEXT),
    SublocationId = ("sublocation-id", 4, TEXT),
    PktSrcAwsService = ("pkt-src-aws-service", 5, TEXT),
    PktDstAwsService = ("pkt-dst-aws-service", 5, TEXT),
    FlowDirection = ("flow-direction", 5, FieldKind::Enum(DIRECTIONS)),
    TrafficPath = ("traffic-path", 5, FieldKind::Int { max: 8 }),
    ResourceType = ("resource-type", 6, TEXT),
    TgwId = ("tgw-id", 6, TEXT),
    TgwAttachmentId = ("tgw-attachment-id", 6, TEXT),
    TgwSrcVpcAccountId = ("tgw-src-vpc-account-id", 6, TEXT),
    TgwDstVpcAccountId = ("tgw-dst-vpc-account-id", 6, TEXT),
    TgwSrcVpcId = ("tgw-src-vpc-id", 6, TEXT),
    TgwDstVpcId = ("tgw-dst-vpc-id", 6, TEXT),
    TgwSrcSubnetId = ("tgw-src-subnet-id", 6, TEXT),
    TgwDstSubnetId = ("tgw-dst-subnet-id", 6, TEXT),
    TgwSrcEni = ("tgw-src-eni", 6, TEXT),
    TgwDstEni = ("tgw-dst-eni", 6, TEXT),
    TgwSrcAzId = ("tgw-src-az-id", 6, TEXT),
    TgwDstAzId = ("tgw-dst-az-id", 6, TEXT),
    TgwPairAttachmentId = ("tgw-pair-attachment-id", 6, TEXT),
    PacketsLostNoRoute = ("packets-lost-no-route", 6, U64),
    PacketsLostBlackhole = ("packets-lost-blackhole", 6, U64),
    PacketsLostMtuExceeded = ("packets-lost-mtu-exceeded", 6, U64),
    PacketsLostTtlExpired = ("packets-lost-ttl-expired", 6, U64),
    EcsClusterArn = ("ecs-cluster-arn", 7, TEXT),
    EcsClusterName = ("ecs-cluster-name", 7, TEXT),
    EcsContainerInstanceArn = ("ecs-container-instance-arn", 7, TEXT),
    EcsContainerInstanceId = ("ecs-container-instance-id", 7, TEXT),
    EcsContainerId = ("ecs-container-id", 7, TEXT),
    EcsSecondContainerId = ("ecs-second-container-id", 7, TEXT),
    EcsServiceName = ("ecs-service-name", 7, TEXT),
    EcsTaskDefinitionArn = ("ecs-task-definition-arn", 7, TEXT),
    EcsTaskArn = ("ecs-task-arn", 7, TEXT),
    EcsTaskId = ("ecs-task-id", 7, TEXT),
    RejectReason = ("reject-reason", 8, TEXT),
    ResourceId = ("resource-id", 9, TEXT),
    EncryptionStatus = ("encryption-status", 10, FieldKind::Int { max: 3 }),
    InstanceTag = ("instance-tag", 11, TEXT),
    InstanceTag2 = ("instance-tag-2", 11, TEXT),
    InterfaceTag = ("interface-tag", 11, TEXT),
    InterfaceTag2 = ("interface-tag-2", 11, TEXT),
    AsgTag = ("asg-tag", 11, TEXT),
    AsgTag2 = ("asg-tag-2", 11, TEXT),
    InterfaceType = ("interface-type", 11, TEXT),
    NextHopInterfaceId = ("next-hop-interface-id", 11, TEXT),
    NextHopSubnetId = ("next-hop-subnet-id", 11, TEXT),
    NextHopAzId = ("next-hop-az-id", 11, TEXT),
    NextHopVpcId = ("next-hop-vpc-id", 11, TEXT),
    NextHopInterfaceType = ("next-hop-interface-type", 11, TEXT),
}

impl Field {
    /// Looks a field up by its header name. Also accepts the underscore spelling of AWS's
    /// Parquet and Athena columns (`log_status`), since users paste those too.
    pub fn from_name(name: &str) -> Option<Field> {
        if let Some(field) = Field::ALL.iter().copied().find(|f| f.name() == name) {
            return Some(field);
        }
        if name.contains('_') {
            let hyphenated = name.replace('_', "-");
            return Field::ALL.iter().copied().find(|f| f.name() == hyphenated);
        }
        None
    }

    /// The field's position in [`Field::ALL`], used to index per-field arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A column of a format: a field AWS documents, or a name it does not (kept as text).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldRef {
    /// A documented field.
    Known(Field),
    /// A name no version documents; its values are kept as text under that name.
    Other(Box<str>),
}

impl FieldRef {
    /// Resolves a header name.
    pub fn from_name(name: &str) -> FieldRef {
        match Field::from_name(name) {
            Some(field) => FieldRef::Known(field),
            None => FieldRef::Other(name.into()),
        }
    }

    /// The name as written in a header.
    pub fn name(&self) -> &str {
        match self {
            FieldRef::Known(field) => field.name(),
            FieldRef::Other(name) => name,
        }
    }

    /// The kind of value; unknown fields are text.
    pub fn kind(&self) -> FieldKind {
        match self {
            FieldRef::Known(field) => field.kind(),
            FieldRef::Other(_) => FieldKind::Text,
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for (i, field) in Field::ALL.iter().enumerate() {
            assert_eq!(field.index(), i);
            assert_eq!(Field::from_name(field.name()), Some(*field));
        }
        let mut names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
    }

    #[test]
    fn underscore_spelling_is_accepted() {
        assert_eq!(Field::from_name("log_status"), Some(Field::LogStatus));
        assert_eq!(
            Field::from_name("pkt_src_aws_service"),
            Some(Field::PktSrcAwsService)
        );
        assert_eq!(Field::from_name("no-such-field"), None);
    }
}
