//! From tokens to a typed [`Expr`], by recursive descent.
//!
//! Precedence, loosest first: `or`, `and`, `not`, then a single condition or a group in
//! parentheses. Each condition is checked against its field's kind as it is read, so that
//! `action < 3` or `srcaddr is nowhere` fails here, with the position and the words that
//! would have been accepted, rather than matching nothing later.

use super::ast::{Cond, Expr, Operand, Subject, TcpFlag, Test, TextOp};
use super::error::FilterError;
use super::lex::{tokens, Cmp, Token, TokenKind};
use crate::class::AddrClass;
use crate::names;
use flowlog::{Field, FieldKind, FieldRef};
use ipnet::IpNet;
use std::net::IpAddr;

/// Parses `text`; `others` are the names of columns no AWS version documents that the
/// filter may also name, or `None` if it may name any.
pub fn parse(text: &str, others: Option<&[&str]>) -> Result<Expr, FilterError> {
    let tokens = tokens(text)?;
    let mut parser = Parser {
        text,
        tokens,
        at: 0,
        others,
    };
    let expr = parser.or()?;
    let token = parser.peek();
    if token.kind != TokenKind::End {
        let expected = if token.kind == TokenKind::Close {
            "`and`, `or` or the end of the filter (this `)` closes nothing)"
        } else {
            "`and`, `or` or the end of the filter"
        };
        return Err(parser.error(expected));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    /// The other columns the filter may name; `None` for any.
    others: Option<&'a [&'a str]>,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if token.kind != TokenKind::End {
            self.at += 1;
        }
        token
    }

    fn error(&self, expected: impl Into<String>) -> FilterError {
        self.error_at(self.peek(), expected)
    }

    fn error_at(&self, token: &Token, expected: impl Into<String>) -> FilterError {
        FilterError {
            start: token.start,
            end: token.end,
            expected: expected.into(),
            found: token.describe(self.text),
        }
    }

    /// Whether the next token is the bare keyword `word`, in any case; consumes it if so.
    fn keyword(&mut self, word: &str) -> bool {
        if let TokenKind::Word(w) = &self.peek().kind {
            if w.eq_ignore_ascii_case(word) {
                self.next();
                return true;
            }
        }
        false
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut parts = vec![self.not()?];
        while self.keyword("and") {
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Expr::And(parts)
        })
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        if self.peek().kind == TokenKind::Open {
            self.next();
            let inner = self.or()?;
            if self.peek().kind != TokenKind::Close {
                return Err(self.error("`and`, `or` or `)`"));
            }
            self.next();
            return Ok(inner);
        }
        self.test().map(Expr::Test)
    }

    fn subject(&mut self) -> Result<Subject, FilterError> {
        const EXPECTED: &str = "a condition such as `dstport = 22`, `not`, or `(`";
        let token = self.peek().clone();
        let TokenKind::Word(word) = &token.kind else {
            return Err(self.error(EXPECTED));
        };
        let lower = word.to_ascii_lowercase();
        let subject = match lower.as_str() {
            "addr" => Subject::AnyAddr,
            "port" => Subject::AnyPort,
            "time" => Subject::Time,
            "and" | "or" => return Err(self.error(EXPECTED)),
            _ => match Field::from_name(&lower) {
                Some(field) => Subject::Field(FieldRef::Known(field)),
                None => match self.others {
                    None => Subject::Field(FieldRef::Other(word.as_str().into())),
                    Some(others) if others.contains(&word.as_str()) => {
                        Subject::Field(FieldRef::Other(word.as_str().into()))
                    }
                    Some(_) => {
                        return Err(self.error(
                            "a field name as in the AWS header (`srcaddr`, `dstport`, \
                             `log-status`, …), `addr`, `port` or `time`",
                        ))
                    }
                },
            },
        };
        self.next();
        Ok(subject)
    }

    fn test(&mut self) -> Result<Test, FilterError> {
        let subject = self.subject()?;
        let kind = subject.kind();
        let operators = operators(&subject);
        let token = self.peek().clone();
        let cond = match &token.kind {
            TokenKind::Cmp(op) => {
                let ordered = matches!(kind, FieldKind::Int { .. } | FieldKind::Time);
                if subject == Subject::Time || (!ordered && !matches!(op, Cmp::Eq | Cmp::Ne)) {
                    return Err(self.error(operators));
                }
                self.next();
                let value = self.operand(&subject, &format!("`{}`", op.symbol()))?;
                Cond::Cmp(*op, value)
            }
            TokenKind::Word(word) => {
                let word = word.to_ascii_lowercase();
                self.next();
                match word.as_str() {
                    "in" if subject == Subject::Time || kind == FieldKind::Time => {
                        if subject != Subject::Time && self.peek().kind == TokenKind::Open {
                            self.list(&subject)?
                        } else {
                            self.range()?
                        }
                    }
                    "in" if self.peek().kind == TokenKind::Open => self.list(&subject)?,
                    "in" if kind == FieldKind::Addr => {
                        Cond::In(vec![self.net_or_addr(&subject, "`in`")?])
                    }
                    "in" => {
                        return Err(self.error("`(` and a list of values, as in `in (22, 3389)`"))
                    }
                    "is" => self.is(&subject)?,
                    "has" if subject == Subject::Field(FieldRef::Known(Field::TcpFlags)) => {
                        let names: Vec<&str> = TcpFlag::ALL.iter().map(|f| f.name()).collect();
                        let expected = format!("a TCP flag ({})", names.join(", "));
                        let token = self.peek().clone();
                        let flag = match &token.kind {
                            TokenKind::Word(w) | TokenKind::Quoted(w) => TcpFlag::ALL
                                .into_iter()
                                .find(|f| f.name().eq_ignore_ascii_case(w)),
                            _ => None,
                        };
                        let flag = flag.ok_or_else(|| self.error(expected))?;
                        self.next();
                        Cond::Flag(flag)
                    }
                    "contains" | "startswith" | "endswith" if kind == FieldKind::Text => {
                        let op = match word.as_str() {
                            "contains" => TextOp::Contains,
                            "startswith" => TextOp::StartsWith,
                            _ => TextOp::EndsWith,
                        };
                        let token = self.peek().clone();
                        let (TokenKind::Word(text) | TokenKind::Quoted(text)) = &token.kind else {
                            return Err(self.error(format!("text after `{word}`")));
                        };
                        self.next();
                        Cond::Text(op, text.clone())
                    }
                    _ => return Err(self.error_at(&token, operators)),
                }
            }
            _ => return Err(self.error(operators)),
        };
        Ok(Test { subject, cond })
    }

    fn is(&mut self, subject: &Subject) -> Result<Cond, FilterError> {
        let token = self.peek().clone();
        let word = match &token.kind {
            TokenKind::Word(w) | TokenKind::Quoted(w) => w.to_ascii_lowercase(),
            _ => String::new(),
        };
        let cond = match word.as_str() {
            "missing" if *subject != Subject::Time => Cond::Missing,
            "present" if *subject != Subject::Time => Cond::Present,
            _ if subject.kind() == FieldKind::Addr => match AddrClass::from_name(&word) {
                Some(class) => Cond::Class(class),
                None => {
                    let names: Vec<&str> = AddrClass::ALL.iter().map(|c| c.name()).collect();
                    return Err(self.error(format!(
                        "an address class ({}), `missing` or `present`",
                        names.join(", ")
                    )));
                }
            },
            _ => return Err(self.error("`missing` or `present`")),
        };
        self.next();
        Ok(cond)
    }

    fn list(&mut self, subject: &Subject) -> Result<Cond, FilterError> {
        self.next(); // the `(`
        let mut values = Vec::new();
        loop {
            let after = if values.is_empty() { "`(`" } else { "`,`" };
            let value = if subject.kind() == FieldKind::Addr {
                self.net_or_addr(subject, after)?
            } else {
                self.operand(subject, after)?
            };
            values.push(value);
            match self.peek().kind {
                TokenKind::Comma => {
                    self.next();
                }
                TokenKind::Close => {
                    self.next();
                    return Ok(Cond::In(values));
                }
                _ => return Err(self.error("`,` or `)`")),
            }
        }
    }

    fn range(&mut self) -> Result<Cond, FilterError> {
        const EXPECTED: &str =
            "a time range FROM..TO, as in `2026-11-20T10:00Z..2026-11-20T11:00Z`";
        let token = self.peek().clone();
        let (TokenKind::Word(text) | TokenKind::Quoted(text)) = &token.kind else {
            return Err(self.error(EXPECTED));
        };
        let Some((from, to)) = text.split_once("..") else {
            return Err(self.error(EXPECTED));
        };
        let (Some(from), Some(to)) = (parse_time(from), parse_time(to)) else {
            return Err(self.error(EXPECTED));
        };
        if from > to {
            return Err(self.error("a range whose start is not after its end"));
        }
        self.next();
        Ok(Cond::Range { from, to })
    }

    fn net_or_addr(&mut self, subject: &Subject, after: &str) -> Result<Operand, FilterError> {
        let token = self.peek().clone();
        if let TokenKind::Word(text) | TokenKind::Quoted(text) = &token.kind {
            if text.contains('/') {
                if let Ok(net) = text.parse::<IpNet>() {
                    self.next();
                    return Ok(Operand::Net(net.trunc()));
                }
                return Err(self.error("a network prefix such as `10.0.0.0/8` or `2001:db8::/32`"));
            }
        }
        self.operand(subject, after)
    }

    /// One value for `subject`, converted to its kind.
    fn operand(&mut self, subject: &Subject, after: &str) -> Result<Operand, FilterError> {
        let token = self.peek().clone();
        let text = match &token.kind {
            TokenKind::Word(w) | TokenKind::Quoted(w) => w.as_str(),
            _ => "",
        };
        let is_value = matches!(token.kind, TokenKind::Word(_) | TokenKind::Quoted(_));
        let field = match subject {
            Subject::Field(FieldRef::Known(f)) => Some(*f),
            _ => None,
        };
        let (value, expected) = match subject.kind() {
            FieldKind::Int { max } => {
                let by_name = match (subject, field) {
                    (Subject::AnyPort, _) | (_, Some(Field::SrcPort | Field::DstPort)) => {
                        names::service_port(text).map(u64::from)
                    }
                    (_, Some(Field::Protocol)) => names::protocol_number(text).map(u64::from),
                    _ => None,
                };
                let value = by_name
                    .or_else(|| text.parse::<u64>().ok())
                    .filter(|&n| n <= max)
                    .map(Operand::Int);
                let expected = match (subject, field) {
                    (Subject::AnyPort, _) | (_, Some(Field::SrcPort | Field::DstPort)) => {
                        "a port number (0 to 65535) or a service name such as `ssh`".to_owned()
                    }
                    (_, Some(Field::Protocol)) => {
                        "a protocol number (0 to 255) or a name such as `tcp`".to_owned()
                    }
                    _ => format!("a number from 0 to {max}"),
                };
                (value, expected)
            }
            FieldKind::Time => (
                parse_time(text).map(Operand::Int),
                "a time: Unix seconds or a UTC date such as `2026-11-20` or \
                 `2026-11-20T10:00Z`"
                    .to_owned(),
            ),
            FieldKind::Enum(words) => (
                words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case(text))
                    .map(|i| Operand::Word {
                        code: i as u64,
                        word: words[i],
                    }),
                format!("one of {}", words.join(", ")),
            ),
            FieldKind::Addr => (
                text.parse::<IpAddr>().ok().map(Operand::Addr),
                "an IPv4 or IPv6 address".to_owned(),
            ),
            FieldKind::Text => (
                Some(Operand::Text(text.to_owned())),
                "a value (quote it if it holds spaces)".to_owned(),
            ),
        };
        match value {
            Some(value) if is_value => {
                self.next();
                Ok(value)
            }
            _ if !is_value => Err(self.error(format!("{expected} after {after}"))),
            _ => Err(self.error(expected)),
        }
    }
}

/// The operators a subject accepts, as an error message lists them.
fn operators(subject: &Subject) -> String {
    let list = match subject.kind() {
        _ if *subject == Subject::Time => "`in` and a time range FROM..TO",
        FieldKind::Int { .. } if *subject == Subject::Field(FieldRef::Known(Field::TcpFlags)) => {
            "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `has`, `is`)"
        }
        FieldKind::Int { .. } => "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `is`)",
        FieldKind::Time => "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `is`)",
        FieldKind::Enum(_) => "an operator (`=`, `!=`, `in`, `is`)",
        FieldKind::Addr => "an operator (`=`, `!=`, `in`, `is`)",
        FieldKind::Text => {
            "an operator (`=`, `!=`, `in`, `contains`, `startswith`, `endswith`, `is`)"
        }
    };
    list.to_owned()
}

/// Reads Unix seconds or a UTC date and time: `2026-11-20`, `2026-11-20T10:00`,
/// `2026-11-20T10:00:00Z`, or with an offset such as `+02:00`.
pub fn parse_time(text: &str) -> Option<u64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let seconds = if let Ok(t) = text.parse::<jiff::Timestamp>() {
        t.as_second()
    } else {
        let civil = text
            .strip_suffix(['Z', 'z'])
            .unwrap_or(text)
            .parse::<jiff::civil::DateTime>()
            .ok()?;
        jiff::tz::TimeZone::UTC
            .to_timestamp(civil)
            .ok()?
            .as_second()
    };
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1795132800"), Some(1_795_132_800));
        assert_eq!(parse_time("2026-11-20"), Some(1_795_132_800));
        assert_eq!(parse_time("2026-11-20T00:00Z"), Some(1_795_132_800));
        assert_eq!(parse_time("2026-11-20T01:00:00+01:00"), Some(1_795_132_800));
        assert_eq!(parse_time("2026-11-20T00:01"), Some(1_795_132_860));
        assert_eq!(parse_time("1969-12-31"), None);
        assert_eq!(parse_time("yesterday"), None);
    }
}
