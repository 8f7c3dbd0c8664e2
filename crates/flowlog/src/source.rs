//! What a file's path says about it: the S3 key layouts AWS writes flow logs under.
//!
//! `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD[/HH]/<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`
//! and the Hive-style `aws-account-id=…/aws-service=vpcflowlogs/aws-region=…/year=…/…`. The
//! file name alone carries account, region, flow-log id and time, so it is read first; the
//! folders fill in what a renamed file lost.

/// Metadata read from an S3 key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3Source {
    /// The 12-digit account id.
    pub account: Option<String>,
    /// The region, e.g. `us-east-1`.
    pub region: Option<String>,
    /// The flow log's id, e.g. `fl-1234abcd`.
    pub flow_log_id: Option<String>,
    /// The delivery date (`YYYY-MM-DD`), with the hour and minute when the name has them
    /// (`YYYY-MM-DDTHH:MMZ`).
    pub date: Option<String>,
}

impl S3Source {
    /// Reads a path (any separators); `None` when it follows neither layout.
    pub fn from_path(path: &str) -> Option<S3Source> {
        let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
        let mut source = S3Source::default();
        if let Some(name) = parts.last() {
            source.read_file_name(name);
        }
        source.read_folders(&parts);
        (source != S3Source::default()).then_some(source)
    }

    /// `123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T2355Z_03fbc4ab.log.gz`
    fn read_file_name(&mut self, name: &str) {
        let pieces: Vec<&str> = name.split('_').collect();
        let Some(at) = pieces.iter().position(|p| *p == "vpcflowlogs") else {
            return;
        };
        if at == 0 || pieces.len() < at + 4 {
            return;
        }
        if is_account(pieces[at - 1]) {
            self.account = Some(pieces[at - 1].to_owned());
        }
        self.region = Some(pieces[at + 1].to_owned());
        self.flow_log_id = Some(pieces[at + 2].to_owned());
        let stamp = pieces[at + 3].as_bytes();
        if stamp.len() == 14
            && stamp[8] == b'T'
            && stamp[13] == b'Z'
            && stamp[..8]
                .iter()
                .chain(&stamp[9..13])
                .all(u8::is_ascii_digit)
        {
            let s = pieces[at + 3];
            self.date = Some(format!(
                "{}-{}-{}T{}:{}Z",
                &s[0..4],
                &s[4..6],
                &s[6..8],
                &s[9..11],
                &s[11..13]
            ));
        }
    }

    fn read_folders(&mut self, parts: &[&str]) {
        // AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD
        if let Some(at) = parts.iter().position(|p| *p == "AWSLogs") {
            let rest = &parts[at + 1..];
            if rest.len() >= 3 && rest[1] == "vpcflowlogs" {
                if is_account(rest[0]) && self.account.is_none() {
                    self.account = Some(rest[0].to_owned());
                }
                if self.region.is_none() {
                    self.region = Some(rest[2].to_owned());
                }
                if self.date.is_none() && rest.len() >= 6 {
                    let (y, m, d) = (rest[3], rest[4], rest[5]);
                    if is_digits(y, 4) && is_digits(m, 2) && is_digits(d, 2) {
                        self.date = Some(format!("{y}-{m}-{d}"));
                    }
                }
            }
        }
        // Hive style: key=value folders.
        let mut year_month_day = (None, None, None);
        for part in parts {
            let Some((key, value)) = part.split_once('=') else {
                continue;
            };
            match key {
                "aws-account-id" if is_account(value) && self.account.is_none() => {
                    self.account = Some(value.to_owned())
                }
                "aws-region" if self.region.is_none() => self.region = Some(value.to_owned()),
                "year" if is_digits(value, 4) => year_month_day.0 = Some(value),
                "month" if is_digits(value, 2) => year_month_day.1 = Some(value),
                "day" if is_digits(value, 2) => year_month_day.2 = Some(value),
                _ => {}
            }
        }
        if let (Some(y), Some(m), Some(d)) = year_month_day {
            if self.date.is_none() {
                self.date = Some(format!("{y}-{m}-{d}"));
            }
        }
    }
}

fn is_account(text: &str) -> bool {
    is_digits(text, 12)
}

fn is_digits(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_plain_layout() {
        let s = S3Source::from_path(
            "bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T2355Z_03fbc4ab.log.gz",
        )
        .unwrap();
        assert_eq!(s.account.as_deref(), Some("123456789012"));
        assert_eq!(s.region.as_deref(), Some("us-east-1"));
        assert_eq!(s.flow_log_id.as_deref(), Some("fl-1234abcd"));
        assert_eq!(s.date.as_deref(), Some("2018-06-20T23:55Z"));
    }

    #[test]
    fn reads_the_hive_layout() {
        let s = S3Source::from_path(
            "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=03/day=05/hour=07/x.log.gz",
        )
        .unwrap();
        assert_eq!(s.account.as_deref(), Some("123456789012"));
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.flow_log_id, None);
        assert_eq!(s.date.as_deref(), Some("2024-03-05"));
    }

    #[test]
    fn other_paths_carry_nothing() {
        assert_eq!(S3Source::from_path("flows.log"), None);
        assert_eq!(S3Source::from_path("/tmp/a/b.log.gz"), None);
    }
}
