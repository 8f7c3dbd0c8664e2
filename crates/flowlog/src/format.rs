//! Record layouts: which fields a line holds, in which order.
//!
//! A flow log's format is fixed when it is created, but one upload often mixes several flow
//! logs. The layout of a line is therefore never assumed: it comes from a header line, from
//! the user, or from a guess that is reported with its confidence.

use crate::field::{Field, FieldRef};
use std::fmt;

/// An ordered list of fields: the layout of one kind of record line.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Format {
    fields: Vec<FieldRef>,
}

/// Why a format string or header line could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

/// The 14 fields of the default (version 2) format.
const DEFAULT_FIELDS: &[Field] = &[
    Field::Version,
    Field::AccountId,
    Field::InterfaceId,
    Field::SrcAddr,
    Field::DstAddr,
    Field::SrcPort,
    Field::DstPort,
    Field::Protocol,
    Field::Packets,
    Field::Bytes,
    Field::Start,
    Field::End,
    Field::Action,
    Field::LogStatus,
];

/// The 36 fields of the transit-gateway default format.
const TRANSIT_GATEWAY_FIELDS: &[Field] = &[
    Field::Version,
    Field::ResourceType,
    Field::AccountId,
    Field::TgwId,
    Field::TgwAttachmentId,
    Field::TgwSrcVpcAccountId,
    Field::TgwDstVpcAccountId,
    Field::TgwSrcVpcId,
    Field::TgwDstVpcId,
    Field::TgwSrcSubnetId,
    Field::TgwDstSubnetId,
    Field::TgwSrcEni,
    Field::TgwDstEni,
    Field::TgwSrcAzId,
    Field::TgwDstAzId,
    Field::TgwPairAttachmentId,
    Field::SrcAddr,
    Field::DstAddr,
    Field::SrcPort,
    Field::DstPort,
    Field::Protocol,
    Field::Packets,
    Field::Bytes,
    Field::Start,
    Field::End,
    Field::LogStatus,
    Field::Type,
    Field::PacketsLostNoRoute,
    Field::PacketsLostBlackhole,
    Field::PacketsLostMtuExceeded,
    Field::PacketsLostTtlExpired,
    Field::TcpFlags,
    Field::Region,
    Field::FlowDirection,
    Field::PktSrcAwsService,
    Field::PktDstAwsService,
];

impl Format {
    /// A format made of the given fields, in order.
    pub fn new(fields: Vec<FieldRef>) -> Format {
        Format { fields }
    }

    /// The default format: the 14 version-2 fields.
    pub fn default_v2() -> Format {
        Format::of_known(DEFAULT_FIELDS)
    }

    /// The 36-field default format of transit-gateway flow logs.
    pub fn transit_gateway() -> Format {
        Format::of_known(TRANSIT_GATEWAY_FIELDS)
    }

    /// Every VPC field up to `version`, in the order of AWS's field table: the layout of a
    /// flow log created with "all fields" (29 fields for version 5, 39 for 7, 40 for 8).
    /// Transit-gateway fields are left out.
    pub fn all_vpc_fields_up_to(version: u8) -> Format {
        let fields: Vec<Field> = Field::ALL
            .iter()
            .copied()
            .filter(|f| f.version() <= version && f.version() != 6)
            .collect();
        Format::of_known(&fields)
    }

    fn of_known(fields: &[Field]) -> Format {
        Format {
            fields: fields.iter().map(|f| FieldRef::Known(*f)).collect(),
        }
    }

    /// Reads a format given by a person: either AWS's `${field} ${field} …` string or a
    /// header line of plain field names. Names may be separated by any white space.
    pub fn parse(text: &str) -> Result<Format, FormatError> {
        let mut fields = Vec::new();
        for token in text.split_whitespace() {
            let name = match token.strip_prefix("${") {
                Some(rest) => rest.strip_suffix('}').ok_or_else(|| FormatError {
                    message: format!("`{token}` opens `${{` but does not close it with `}}`"),
                })?,
                None => token,
            };
            if !is_field_name(name.as_bytes()) {
                return Err(FormatError {
                    message: format!(
                        "`{name}` is not a field name: names are letters, digits and hyphens, \
                         as in `srcaddr` or `log-status`"
                    ),
                });
            }
            let field = FieldRef::from_name(name);
            if fields.contains(&field) {
                return Err(FormatError {
                    message: format!("the field `{name}` is named twice"),
                });
            }
            fields.push(field);
        }
        if fields.is_empty() {
            return Err(FormatError {
                message: "the format names no fields; paste the flow log's `${…}` format \
                          string or its header line"
                    .into(),
            });
        }
        Ok(Format { fields })
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[FieldRef] {
        &self.fields
    }

    /// How many fields a line of this format holds.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the format names no field at all.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Whether the format holds `field`.
    pub fn contains(&self, field: Field) -> bool {
        self.fields.contains(&FieldRef::Known(field))
    }

    /// The header line AWS would write for this format.
    pub fn header(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(FieldRef::name).collect();
        names.join(" ")
    }

    /// The format as AWS's `${field} …` string.
    pub fn aws_format_string(&self) -> String {
        let names: Vec<String> = self
            .fields
            .iter()
            .map(|f| format!("${{{}}}", f.name()))
            .collect();
        names.join(" ")
    }

    /// A short human name: "default (v2)", "transit gateway", or "custom (N fields)".
    pub fn describe(&self) -> String {
        if *self == Format::default_v2() {
            return "default v2 (14 fields)".into();
        }
        if *self == Format::transit_gateway() {
            return "transit gateway default (36 fields)".into();
        }
        for version in 3..=11 {
            if *self == Format::all_vpc_fields_up_to(version) {
                return format!("all fields to v{version} ({} fields)", self.len());
            }
        }
        format!("custom ({} fields)", self.len())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())
    }
}

/// Whether a token can be a field name: a lower-case letter, then letters, digits, `-` or `_`.
pub(crate) fn is_field_name(token: &[u8]) -> bool {
    matches!(token.first(), Some(b'a'..=b'z'))
        && token
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

/// Whether a line of tokens is a header: every token a field name (optionally as `${name}`)
/// and at least half of them names AWS documents. Data never passes this test, because every
/// record has a number, an address, an id with a digit, or `-` among its first fields.
pub(crate) fn header_of(tokens: &[&[u8]]) -> Option<Result<Format, FormatError>> {
    if tokens.is_empty() {
        return None;
    }
    let mut known = 0;
    for token in tokens {
        let name = strip_placeholder(token);
        if !is_field_name(name) {
            return None;
        }
        if Field::from_name(std::str::from_utf8(name).ok()?).is_some() {
            known += 1;
        }
    }
    if known * 2 < tokens.len() {
        return None;
    }
    let text: Vec<&str> = tokens
        .iter()
        .filter_map(|t| std::str::from_utf8(t).ok())
        .collect();
    Some(Format::parse(&text.join(" ")))
}

fn strip_placeholder(token: &[u8]) -> &[u8] {
    token
        .strip_prefix(b"${")
        .and_then(|t| t.strip_suffix(b"}"))
        .unwrap_or(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_have_the_documented_sizes() {
        assert_eq!(Format::default_v2().len(), 14);
        assert_eq!(Format::transit_gateway().len(), 36);
        assert_eq!(Format::all_vpc_fields_up_to(2), Format::default_v2());
        assert_eq!(Format::all_vpc_fields_up_to(5).len(), 29);
        assert_eq!(Format::all_vpc_fields_up_to(7).len(), 39);
        assert_eq!(Format::all_vpc_fields_up_to(8).len(), 40);
    }

    #[test]
    fn parses_aws_format_strings_and_header_lines() {
        let a = Format::parse("${version} ${srcaddr}  ${dstaddr}").unwrap();
        let b = Format::parse("version srcaddr dstaddr").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.aws_format_string(), "${version} ${srcaddr} ${dstaddr}");
        let custom = Format::parse("version my-field").unwrap();
        assert_eq!(custom.fields()[1], FieldRef::Other("my-field".into()));
    }

    #[test]
    fn rejects_bad_format_strings_with_a_reason() {
        assert!(Format::parse("")
            .unwrap_err()
            .message
            .contains("names no fields"));
        assert!(Format::parse("${version")
            .unwrap_err()
            .message
            .contains("does not close"));
        assert!(Format::parse("version version")
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(Format::parse("10.0.0.1")
            .unwrap_err()
            .message
            .contains("not a field name"));
    }

    #[test]
    fn header_detection_ignores_data() {
        let header: Vec<&[u8]> = vec![b"version", b"account-id", b"my-tag"];
        assert!(header_of(&header).is_some());
        let data: Vec<&[u8]> = vec![b"2", b"123456789010", b"eni-1"];
        assert!(header_of(&data).is_none());
        let ids: Vec<&[u8]> = vec![b"vpc-abc", b"eni-abc", b"subnet-abc"];
        assert!(header_of(&ids).is_none());
    }
}
