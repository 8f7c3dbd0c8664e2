//! Completion for the filter bar: which words fit where the cursor is.
//!
//! The filter language is small enough that the word before the cursor says what may come:
//! at the start, after `and`, `or`, `not` or `(`, a field; after a field, an operator
//! word; after `is`, a class or `missing`/`present`; after a value, `and` or `or`. The
//! suggestions are those words that start with what is typed, case-insensitively. Pure, so
//! that the rules are tested natively.

use flowlog::Field;

/// The most suggestions shown at once.
pub const MAX_SUGGESTIONS: usize = 8;

/// Names that stand for more than one field, or for the record's window.
const COMBINED: [&str; 3] = ["addr", "port", "time"];

/// Operator words that follow a field.
const OPERATORS: [&str; 6] = ["in", "is", "contains", "startswith", "endswith", "has"];

/// What follows `is`.
const IS_WORDS: [&str; 10] = [
    "missing",
    "present",
    "public",
    "private",
    "cgnat",
    "link-local",
    "loopback",
    "multicast",
    "documentation",
    "reserved",
];

/// What joins conditions.
const JOINS: [&str; 2] = ["and", "or"];

/// Suggestions for the word at `cursor` (a character offset) in `text`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Where the word being typed starts, in characters.
    pub start: usize,
    /// Where it ends, in characters.
    pub end: usize,
    /// The words that fit, best first.
    pub words: Vec<String>,
}

impl Completion {
    /// `text` with the word replaced by `word` and a space, and the cursor after the space.
    pub fn accept(&self, text: &str, word: &str) -> (String, usize) {
        let chars: Vec<char> = text.chars().collect();
        let start = self.start.min(chars.len());
        let end = self.end.clamp(start, chars.len());
        let before: String = chars[..start].iter().collect();
        let after: String = chars[end..].iter().collect();
        let after = after.trim_start();
        let joined = format!("{before}{word} {after}");
        (joined, start + word.chars().count() + 1)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Every field name the filter bar knows: AWS's, the combined names, then `others` (the
/// loaded files' fields AWS does not document).
pub fn field_names(others: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Field::ALL.iter().map(|f| f.name().to_owned()).collect();
    names.extend(COMBINED.iter().map(|s| (*s).to_owned()));
    for other in others {
        if !names.contains(other) {
            names.push(other.clone());
        }
    }
    names
}

/// What fits at `cursor` in `text`, with `fields` as the field names. Nothing is suggested
/// inside quotes, or when nothing of a word is typed yet.
pub fn complete(text: &str, cursor: usize, fields: &[String]) -> Completion {
    let chars: Vec<char> = text.chars().collect();
    let cursor = cursor.min(chars.len());
    let quotes = chars[..cursor]
        .iter()
        .filter(|c| **c == '\'' || **c == '"')
        .count();
    let mut start = cursor;
    while start > 0 && is_word_char(chars[start - 1]) {
        start -= 1;
    }
    let mut end = cursor;
    while end < chars.len() && is_word_char(chars[end]) {
        end += 1;
    }
    let none = Completion {
        start,
        end,
        words: Vec::new(),
    };
    let typed: String = chars[start..cursor]
        .iter()
        .collect::<String>()
        .to_lowercase();
    if typed.is_empty() || quotes % 2 == 1 {
        return none;
    }
    // The word before the one being typed, or a bracket or operator symbol.
    let mut i = start;
    while i > 0 && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    let previous: String = if i == 0 {
        String::new()
    } else if is_word_char(chars[i - 1]) {
        let mut j = i;
        while j > 0 && is_word_char(chars[j - 1]) {
            j -= 1;
        }
        chars[j..i].iter().collect::<String>().to_lowercase()
    } else {
        chars[i - 1].to_string()
    };
    let is_field = |word: &str| fields.iter().any(|f| f.eq_ignore_ascii_case(word));
    let candidates: Vec<String> = match previous.as_str() {
        "" | "and" | "or" | "not" | "(" => {
            let mut all = fields.to_vec();
            all.push("not".into());
            all
        }
        "is" => IS_WORDS.iter().map(|s| (*s).to_owned()).collect(),
        word if is_field(word) && previous != typed => {
            OPERATORS.iter().map(|s| (*s).to_owned()).collect()
        }
        // After `=`, `in (` and the like comes a value, which has no list worth offering.
        "=" | "<" | ">" | "," | "in" | "contains" | "startswith" | "endswith" | "has" => {
            return none
        }
        _ => JOINS.iter().map(|s| (*s).to_owned()).collect(),
    };
    let mut words: Vec<String> = candidates
        .into_iter()
        .filter(|w| w.to_lowercase().starts_with(&typed) && w.to_lowercase() != typed)
        .collect();
    // Shorter names first: `srcaddr` before `srcaddr-class`-like extensions of it.
    words.sort_by_key(|w| w.len());
    words.dedup();
    words.truncate(MAX_SUGGESTIONS);
    Completion { words, ..none }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        field_names(&["x-note".to_owned()])
    }

    fn words(text: &str) -> Vec<String> {
        complete(text, text.chars().count(), &fields()).words
    }

    #[test]
    fn fields_where_a_condition_starts() {
        assert_eq!(words("srca"), ["srcaddr"]);
        assert!(words("dst").starts_with(&["dstaddr".to_owned(), "dstport".to_owned()]));
        assert_eq!(words("action = REJECT and x-"), ["x-note"]);
        assert_eq!(words("(pkt-s"), ["pkt-srcaddr", "pkt-src-aws-service"]);
        assert_eq!(words("no"), ["not"]);
        assert_eq!(words("PO"), ["port"]);
    }

    #[test]
    fn operators_classes_and_joins_in_their_places() {
        assert_eq!(words("srcaddr i"), ["in", "is"]);
        assert_eq!(words("srcaddr is pu"), ["public"]);
        assert_eq!(words("dstport = 22 a"), ["and"]);
        assert_eq!(words("interface-id = eni-1 o"), ["or"]);
        // Values have no list; quotes and a word typed in full offer nothing.
        assert_eq!(words("dstport = ss"), Vec::<String>::new());
        assert_eq!(words("x-note = 'and o"), Vec::<String>::new());
        assert_eq!(words("srcaddr"), Vec::<String>::new());
        assert_eq!(words(""), Vec::<String>::new());
    }

    #[test]
    fn accepting_replaces_the_word_under_the_cursor() {
        let text = "srca and dstport = 22";
        let completion = complete(text, 3, &fields());
        assert_eq!((completion.start, completion.end), (0, 4));
        assert_eq!(completion.words, ["srcaddr", "srcport"]);
        let (next, cursor) = completion.accept(text, "srcaddr");
        assert_eq!(next, "srcaddr and dstport = 22");
        assert_eq!(cursor, 8);
    }
}
