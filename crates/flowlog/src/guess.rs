//! A best guess at the layout of header-less lines, from the shape of their values.
//!
//! CloudWatch Logs and Firehose deliver records without a header. The layouts seen in the
//! wild without one are few: the default, "every field up to version N" in AWS's table order,
//! and the transit-gateway default. Each has a different number of fields, so the count
//! picks the candidate and the shape of every value (an `eni-` id where an interface belongs,
//! an address where an address belongs) must confirm it. A layout that no candidate explains
//! is reported, never forced into columns.

use crate::field::{Field, FieldKind, FieldRef};
use crate::format::Format;
use crate::value;

/// The layouts a header-less line is compared against.
pub fn candidates() -> Vec<Format> {
    let mut all = vec![Format::default_v2(), Format::transit_gateway()];
    all.extend((3..=11).map(Format::all_vpc_fields_up_to));
    all.dedup();
    all
}

/// The chosen layout and the share of sampled lines it explains (0 to 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Guess {
    /// The layout.
    pub format: Format,
    /// The share of sampled non-blank lines whose every value fits the layout.
    pub confidence: f32,
}

/// The smallest share of sampled lines a layout must explain to be chosen.
pub const MIN_CONFIDENCE: f32 = 0.5;

/// Picks the candidate that explains the most of `lines` (each a list of tokens). `None`
/// when no candidate explains at least [`MIN_CONFIDENCE`] of them.
pub fn guess(lines: &[Vec<&str>]) -> Option<Guess> {
    if lines.is_empty() {
        return None;
    }
    let mut best: Option<Guess> = None;
    for format in candidates() {
        let fits = lines.iter().filter(|tokens| fits(&format, tokens)).count();
        let confidence = fits as f32 / lines.len() as f32;
        if best.as_ref().is_none_or(|b| confidence > b.confidence) {
            best = Some(Guess { format, confidence });
        }
    }
    best.filter(|b| b.confidence >= MIN_CONFIDENCE)
}

/// Whether every token is a plausible value of the field at its position.
pub fn fits(format: &Format, tokens: &[&str]) -> bool {
    tokens.len() == format.len()
        && format
            .fields()
            .iter()
            .zip(tokens)
            .all(|(field, token)| plausible(field, token))
}

fn plausible(field: &FieldRef, token: &str) -> bool {
    if token == "-" {
        return true;
    }
    if value::parse(field.kind(), token, 0).is_err() {
        return false;
    }
    let FieldRef::Known(field) = field else {
        return true;
    };
    if field.kind() != FieldKind::Text {
        return true;
    }
    let prefixed = |prefix: &str| token.starts_with(prefix);
    match field {
        Field::AccountId | Field::TgwSrcVpcAccountId | Field::TgwDstVpcAccountId => {
            token == "unknown" || (token.len() == 12 && token.bytes().all(|b| b.is_ascii_digit()))
        }
        Field::InterfaceId | Field::TgwSrcEni | Field::TgwDstEni | Field::NextHopInterfaceId => {
            prefixed("eni-")
        }
        Field::VpcId | Field::TgwSrcVpcId | Field::TgwDstVpcId | Field::NextHopVpcId => {
            prefixed("vpc-")
        }
        Field::SubnetId
        | Field::TgwSrcSubnetId
        | Field::TgwDstSubnetId
        | Field::NextHopSubnetId => prefixed("subnet-"),
        Field::InstanceId => prefixed("i-"),
        Field::TgwId => prefixed("tgw-"),
        Field::TgwAttachmentId | Field::TgwPairAttachmentId => prefixed("tgw-attach-"),
        Field::ResourceType => matches!(token, "TransitGateway" | "TransitGatewayAttachment"),
        Field::Region => is_region(token),
        Field::AzId | Field::TgwSrcAzId | Field::TgwDstAzId | Field::NextHopAzId => {
            token.contains("-az")
        }
        Field::SublocationType => matches!(token, "wavelength" | "outpost" | "localzone"),
        Field::PktSrcAwsService | Field::PktDstAwsService | Field::RejectReason => token
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
        Field::EcsClusterArn
        | Field::EcsContainerInstanceArn
        | Field::EcsTaskDefinitionArn
        | Field::EcsTaskArn => prefixed("arn:"),
        _ => true,
    }
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: lower-case words joined by hyphens, the
/// last a number.
fn is_region(token: &str) -> bool {
    let parts: Vec<&str> = token.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Vec<&str>> {
        text.lines()
            .map(|l| l.split_whitespace().collect())
            .collect()
    }

    #[test]
    fn candidates_have_distinct_field_counts() {
        let mut counts: Vec<usize> = candidates().iter().map(Format::len).collect();
        let all = counts.len();
        counts.sort_unstable();
        counts.dedup();
        assert_eq!(counts.len(), all);
    }

    #[test]
    fn default_lines_are_recognised() {
        let sample = lines(
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n\
             2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
        );
        let guess = guess(&sample).unwrap();
        assert_eq!(guess.format, Format::default_v2());
        assert_eq!(guess.confidence, 1.0);
    }

    #[test]
    fn a_shifted_layout_is_not_guessed() {
        // The default fields with account and interface swapped: 14 values that do not fit.
        let sample = lines(
            "2 eni-1235b8ca123456789 123456789010 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
        );
        assert_eq!(guess(&sample), None);
    }

    #[test]
    fn an_unknown_field_count_is_not_guessed() {
        let sample = lines("- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5");
        assert_eq!(guess(&sample), None);
    }
}
