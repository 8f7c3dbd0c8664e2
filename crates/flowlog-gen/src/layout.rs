//! Which fields a generated line holds, and in which order.
//!
//! The field table here is written from the AWS guides on purpose rather than borrowed from
//! the decoder: generated files are test input for the decoder, and a layout mistake shared by
//! both sides would make every such test pass while real files are read into wrong columns.

use std::fmt;

/// Declares the fields the generator can write, with their header names and versions.
macro_rules! fields {
    ($( $variant:ident = ($name:literal, $version:literal) ),+ $(,)?) => {
        /// A flow-log field the generator can fill.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Field { $( $variant ),+ }

        impl Field {
            /// Every field the generator knows: the VPC fields of versions 2 to 5 in the
            /// order of AWS's field table, then the transit-gateway fields.
            pub const ALL: &'static [Field] = &[ $( Field::$variant ),+ ];

            /// The name as written in a header line (`srcaddr`, `log-status`).
            pub fn name(self) -> &'static str {
                match self { $( Field::$variant => $name ),+ }
            }

            /// The flow-log version that introduced the field.
            pub fn version(self) -> u8 {
                match self { $( Field::$variant => $version ),+ }
            }
        }
    };
}

fields! {
    Version = ("version", 2),
    AccountId = ("account-id", 2),
    InterfaceId = ("interface-id", 2),
    SrcAddr = ("srcaddr", 2),
    DstAddr = ("dstaddr", 2),
    SrcPort = ("srcport", 2),
    DstPort = ("dstport", 2),
    Protocol = ("protocol", 2),
    Packets = ("packets", 2),
    Bytes = ("bytes", 2),
    Start = ("start", 2),
    End = ("end", 2),
    Action = ("action", 2),
    LogStatus = ("log-status", 2),
    VpcId = ("vpc-id", 3),
    SubnetId = ("subnet-id", 3),
    InstanceId = ("instance-id", 3),
    TcpFlags = ("tcp-flags", 3),
    Type = ("type", 3),
    PktSrcAddr = ("pkt-srcaddr", 3),
    PktDstAddr = ("pkt-dstaddr", 3),
    Region = ("region", 4),
    AzId = ("az-id", 4),
    SublocationType = ("sublocation-type", 4),
    SublocationId = ("sublocation-id", 4),
    PktSrcAwsService = ("pkt-src-aws-service", 5),
    PktDstAwsService = ("pkt-dst-aws-service", 5),
    FlowDirection = ("flow-direction", 5),
    TrafficPath = ("traffic-path", 5),
    ResourceType = ("resource-type", 6),
    TgwId = ("tgw-id", 6),
    TgwAttachmentId = ("tgw-attachment-id", 6),
    TgwSrcVpcAccountId = ("tgw-src-vpc-account-id", 6),
    TgwDstVpcAccountId = ("tgw-dst-vpc-account-id", 6),
    TgwSrcVpcId = ("tgw-src-vpc-id", 6),
    TgwDstVpcId = ("tgw-dst-vpc-id", 6),
    TgwSrcSubnetId = ("tgw-src-subnet-id", 6),
    TgwDstSubnetId = ("tgw-dst-subnet-id", 6),
    TgwSrcEni = ("tgw-src-eni", 6),
    TgwDstEni = ("tgw-dst-eni", 6),
    TgwSrcAzId = ("tgw-src-az-id", 6),
    TgwDstAzId = ("tgw-dst-az-id", 6),
    TgwPairAttachmentId = ("tgw-pair-attachment-id", 6),
    PacketsLostNoRoute = ("packets-lost-no-route", 6),
    PacketsLostBlackhole = ("packets-lost-blackhole", 6),
    PacketsLostMtuExceeded = ("packets-lost-mtu-exceeded", 6),
    PacketsLostTtlExpired = ("packets-lost-ttl-expired", 6),
}

impl Field {
    /// Looks a field up by its header name.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// True for the fields only transit-gateway flow logs have.
    pub fn is_transit_gateway_only(self) -> bool {
        self.version() == 6
    }
}

use Field::*;

const DEFAULT_V2: &[Field] = &[
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
];

/// The custom format of the version-5 example in the AWS guide.
const CUSTOM_V5: &[Field] = &[
    Version,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Start,
    End,
    Type,
    Packets,
    Bytes,
    AccountId,
    VpcId,
    SubnetId,
    InstanceId,
    InterfaceId,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    Action,
    TcpFlags,
    PktSrcAddr,
    PktDstAddr,
    PktSrcAwsService,
    PktDstAwsService,
    TrafficPath,
    FlowDirection,
    LogStatus,
];

const TRANSIT_GATEWAY: &[Field] = &[
    Version,
    ResourceType,
    AccountId,
    TgwId,
    TgwAttachmentId,
    TgwSrcVpcAccountId,
    TgwDstVpcAccountId,
    TgwSrcVpcId,
    TgwDstVpcId,
    TgwSrcSubnetId,
    TgwDstSubnetId,
    TgwSrcEni,
    TgwDstEni,
    TgwSrcAzId,
    TgwDstAzId,
    TgwPairAttachmentId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    LogStatus,
    Type,
    PacketsLostNoRoute,
    PacketsLostBlackhole,
    PacketsLostMtuExceeded,
    PacketsLostTtlExpired,
    TcpFlags,
    Region,
    FlowDirection,
    PktSrcAwsService,
    PktDstAwsService,
];

/// The fields of a line, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    fields: Vec<Field>,
}

/// A header or format string named a field the generator does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownField(pub String);

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown flow-log field `{}`", self.0)
    }
}

impl std::error::Error for UnknownField {}

impl Layout {
    /// A layout of the given fields, in order.
    pub fn new(fields: Vec<Field>) -> Layout {
        Layout { fields }
    }

    /// The default format: the 14 version-2 fields.
    pub fn default_v2() -> Layout {
        Layout::new(DEFAULT_V2.to_vec())
    }

    /// The custom version-5 format of the AWS guide's example: 29 fields in a custom order.
    pub fn custom_v5() -> Layout {
        Layout::new(CUSTOM_V5.to_vec())
    }

    /// Every VPC field up to version 5 in the order of AWS's field table: the 29-field
    /// layout of a flow log created with "all fields" when version 5 was the newest.
    pub fn all_v5() -> Layout {
        Layout::new(
            Field::ALL
                .iter()
                .copied()
                .filter(|f| f.version() <= 5)
                .collect(),
        )
    }

    /// The 36-field default format of transit-gateway flow logs.
    pub fn transit_gateway() -> Layout {
        Layout::new(TRANSIT_GATEWAY.to_vec())
    }

    /// Reads AWS's `${field} ${field} …` format string or a header line of plain names.
    pub fn parse(text: &str) -> Result<Layout, UnknownField> {
        text.split_whitespace()
            .map(|token| {
                let name = token
                    .strip_prefix("${")
                    .and_then(|t| t.strip_suffix('}'))
                    .unwrap_or(token);
                Field::from_name(name).ok_or_else(|| UnknownField(name.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Layout::new)
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The header line AWS writes at the top of each S3 object, without the line end.
    pub fn header(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(|f| f.name()).collect();
        names.join(" ")
    }

    /// The value of the `version` field: the highest version among the fields.
    pub fn version(&self) -> u8 {
        self.fields.iter().map(|f| f.version()).max().unwrap_or(2)
    }

    /// True when the layout has transit-gateway fields, so records describe transit-gateway
    /// hops rather than network interfaces.
    pub fn is_transit_gateway(&self) -> bool {
        self.fields.iter().any(|f| f.is_transit_gateway_only())
    }
}

impl Default for Layout {
    fn default() -> Layout {
        Layout::default_v2()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_the_documented_lengths_and_versions() {
        assert_eq!(Layout::default_v2().fields().len(), 14);
        assert_eq!(Layout::custom_v5().fields().len(), 29);
        assert_eq!(Layout::all_v5().fields().len(), 29);
        assert_eq!(Layout::transit_gateway().fields().len(), 36);
        assert_eq!(Layout::default_v2().version(), 2);
        assert_eq!(Layout::custom_v5().version(), 5);
        assert_eq!(Layout::transit_gateway().version(), 6);
    }

    #[test]
    fn headers_match_the_aws_guide() {
        assert_eq!(
            Layout::default_v2().header(),
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol \
             packets bytes start end action log-status"
        );
        assert_eq!(
            Layout::custom_v5().header(),
            "version srcaddr dstaddr srcport dstport protocol start end type packets bytes \
             account-id vpc-id subnet-id instance-id interface-id region az-id \
             sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr \
             pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status"
        );
        assert_eq!(
            Layout::transit_gateway().header(),
            "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id \
             tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id \
             tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id \
             tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes \
             start end log-status type packets-lost-no-route packets-lost-blackhole \
             packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region \
             flow-direction pkt-src-aws-service pkt-dst-aws-service"
        );
    }

    #[test]
    fn all_v5_follows_the_field_table_order() {
        let header = Layout::all_v5().header();
        assert!(header.starts_with(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol \
             packets bytes start end action log-status vpc-id subnet-id instance-id \
             tcp-flags type pkt-srcaddr pkt-dstaddr region az-id"
        ));
        assert!(
            header.ends_with("pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")
        );
    }

    #[test]
    fn parse_reads_format_strings_and_headers() {
        let layout = Layout::parse("${version} ${srcaddr}  ${log-status}").unwrap();
        assert_eq!(layout.fields(), &[Version, SrcAddr, LogStatus]);
        assert_eq!(
            Layout::parse(&Layout::custom_v5().header()),
            Ok(Layout::custom_v5())
        );
        assert_eq!(
            Layout::parse("version bogus"),
            Err(UnknownField("bogus".into()))
        );
    }
}
