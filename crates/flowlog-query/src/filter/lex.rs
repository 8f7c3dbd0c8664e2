//! From filter text to tokens, each with its byte range so that errors can point at it.
//!
//! Words are deliberately broad (anything up to white space, a parenthesis, a comma, a
//! quote or a comparison sign) because values come in many shapes: `10.0.0.0/8`,
//! `2001:db8::/32`, `2026-11-20T10:00Z..2026-11-20T11:00Z`, `eni-0a1b`. The parser decides
//! what a word means from where it stands.

use super::error::FilterError;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// `=` (also `==`)
    Eq,
    /// `!=` (also `<>`)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// The operator as written in a filter.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }

    /// Whether `value OP operand` holds.
    #[inline(always)]
    pub fn holds<T: PartialOrd>(self, value: T, operand: T) -> bool {
        match self {
            Cmp::Eq => value == operand,
            Cmp::Ne => value != operand,
            Cmp::Lt => value < operand,
            Cmp::Le => value <= operand,
            Cmp::Gt => value > operand,
            Cmp::Ge => value >= operand,
        }
    }
}

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// A comparison operator.
    Cmp(Cmp),
    /// A bare word: a field name, a keyword or a value.
    Word(String),
    /// A value in single or double quotes, quotes removed.
    Quoted(String),
    /// The end of the text.
    End,
}

/// A token and its byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

impl Token {
    /// How an error message names this token.
    pub fn describe(&self, text: &str) -> String {
        match self.kind {
            TokenKind::End => "the end of the filter".to_owned(),
            _ => format!("`{}`", &text[self.start..self.end]),
        }
    }
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '(' | ')' | ',' | '=' | '!' | '<' | '>' | '"' | '\''))
}

/// Splits `text` into tokens, ending with [`TokenKind::End`].
pub fn tokens(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        chars.next();
        let next = chars.peek().map(|&(_, c)| c);
        let (kind, len) = match c {
            '(' => (TokenKind::Open, 1),
            ')' => (TokenKind::Close, 1),
            ',' => (TokenKind::Comma, 1),
            '=' if next == Some('=') => (TokenKind::Cmp(Cmp::Eq), 2),
            '=' => (TokenKind::Cmp(Cmp::Eq), 1),
            '!' if next == Some('=') => (TokenKind::Cmp(Cmp::Ne), 2),
            '!' => {
                return Err(FilterError {
                    start,
                    end: start + 1,
                    expected: "`!=` (write `not` to negate a condition)".into(),
                    found: "`!`".into(),
                })
            }
            '<' if next == Some('=') => (TokenKind::Cmp(Cmp::Le), 2),
            '<' if next == Some('>') => (TokenKind::Cmp(Cmp::Ne), 2),
            '<' => (TokenKind::Cmp(Cmp::Lt), 1),
            '>' if next == Some('=') => (TokenKind::Cmp(Cmp::Ge), 2),
            '>' => (TokenKind::Cmp(Cmp::Gt), 1),
            '"' | '\'' => {
                let quote = c;
                let mut value = String::new();
                let mut closed = None;
                for (i, c) in chars.by_ref() {
                    if c == quote {
                        closed = Some(i);
                        break;
                    }
                    value.push(c);
                }
                let Some(close) = closed else {
                    return Err(FilterError {
                        start,
                        end: text.len(),
                        expected: format!("a closing {quote}"),
                        found: "the end of the filter".into(),
                    });
                };
                out.push(Token {
                    kind: TokenKind::Quoted(value),
                    start,
                    end: close + 1,
                });
                continue;
            }
            _ => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, c)) = chars.peek() {
                    if !is_word_char(c) {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                out.push(Token {
                    kind: TokenKind::Word(text[start..end].to_owned()),
                    start,
                    end,
                });
                continue;
            }
        };
        if len == 2 {
            chars.next();
        }
        out.push(Token {
            kind,
            start,
            end: start + len,
        });
    }
    out.push(Token {
        kind: TokenKind::End,
        start: text.len(),
        end: text.len(),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokens(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn words_operators_and_quotes() {
        use TokenKind::*;
        assert_eq!(
            kinds("srcaddr=10.0.0.0/8 and(x!='a b')"),
            [
                Word("srcaddr".into()),
                Cmp(super::Cmp::Eq),
                Word("10.0.0.0/8".into()),
                Word("and".into()),
                Open,
                Word("x".into()),
                Cmp(super::Cmp::Ne),
                Quoted("a b".into()),
                Close,
                End
            ]
        );
        assert_eq!(
            kinds("a<=1 b>=2 c<3 d>4 e<>5 f==6"),
            [
                Word("a".into()),
                Cmp(super::Cmp::Le),
                Word("1".into()),
                Word("b".into()),
                Cmp(super::Cmp::Ge),
                Word("2".into()),
                Word("c".into()),
                Cmp(super::Cmp::Lt),
                Word("3".into()),
                Word("d".into()),
                Cmp(super::Cmp::Gt),
                Word("4".into()),
                Word("e".into()),
                Cmp(super::Cmp::Ne),
                Word("5".into()),
                Word("f".into()),
                Cmp(super::Cmp::Eq),
                Word("6".into()),
                End
            ]
        );
    }

    #[test]
    fn spans_are_byte_ranges() {
        let t = tokens("  é = 'x'").unwrap();
        assert_eq!((t[0].start, t[0].end), (2, 4));
        assert_eq!((t[2].start, t[2].end), (7, 10));
        assert_eq!((t[3].start, t[3].end), (10, 10));
    }
}
