//! Evaluating a filter over a table, a column at a time.
//!
//! Each condition becomes a bitmap in one tight loop over its column (raw words when the
//! column has no missing value, dictionary codes for text, the 32-bit word for IPv4), and
//! `and`, `or`, `not` combine bitmaps word by word. Text conditions are answered once per
//! dictionary entry, not once per row.

use super::ast::{Cond, Expr, Operand, Subject, Test};
use super::lex::Cmp;
use crate::class::AddrClass;
use crate::selection::Selection;
use flowlog::column::{AddrCodes, AddrColumn, IntColumn, IntWords, TextColumn};
use flowlog::{Column, Field, FieldKind, FieldRef, FlowTable};
use ipnet::IpNet;
use std::net::IpAddr;

/// The rows of `table` for which `expr` holds.
pub fn select(expr: &Expr, table: &FlowTable) -> Selection {
    match expr {
        Expr::And(parts) => {
            let mut all = select(&parts[0], table);
            for part in &parts[1..] {
                all.and(&select(part, table));
            }
            all
        }
        Expr::Or(parts) => {
            let mut any = select(&parts[0], table);
            for part in &parts[1..] {
                any.or(&select(part, table));
            }
            any
        }
        Expr::Not(inner) => {
            let mut selection = select(inner, table);
            selection.not();
            selection
        }
        Expr::Test(test) => test_rows(test, table),
    }
}

fn test_rows(test: &Test, table: &FlowTable) -> Selection {
    let rows = table.len();
    let pair = |a: Field, b: Field| {
        let mut first = field_rows(&FieldRef::Known(a), &test.cond, table);
        let second = field_rows(&FieldRef::Known(b), &test.cond, table);
        if test.needs_both() {
            first.and(&second);
        } else {
            first.or(&second);
        }
        first
    };
    match &test.subject {
        Subject::Field(field) => field_rows(field, &test.cond, table),
        Subject::AnyAddr => pair(Field::SrcAddr, Field::DstAddr),
        Subject::AnyPort => pair(Field::SrcPort, Field::DstPort),
        Subject::Time => {
            let (Some(start), Some(end), Cond::Range { from, to }) =
                (table.int(Field::Start), table.int(Field::End), &test.cond)
            else {
                return Selection::none(rows);
            };
            let (from, to) = (*from, *to);
            let mut selection = int_rows(start, rows, |s| s < to);
            selection.and(&int_rows(end, rows, |e| e >= from));
            selection
        }
    }
}

fn field_rows(field: &FieldRef, cond: &Cond, table: &FlowTable) -> Selection {
    let rows = table.len();
    let absent = || match cond {
        Cond::Missing => Selection::all(rows),
        _ => Selection::none(rows),
    };
    let known = match field {
        FieldRef::Known(known) => *known,
        FieldRef::Other(name) => {
            return match table.other_columns().find(|(n, _)| *n == &**name) {
                Some((_, column)) => text_cond(column, rows, cond),
                None => absent(),
            }
        }
    };
    // A field none of the table's formats carries is missing in every row.
    match table.column(known) {
        None => absent(),
        Some(Column::Int(c)) => int_cond(c, rows, cond, known.kind()),
        Some(Column::Addr(c)) => addr_cond(c, rows, cond),
        Some(Column::Text(c)) => text_cond(c, rows, cond),
    }
}

/// Rows whose value is present and passes `test`: one loop per column width over the raw
/// words, then the missing rows taken out a word at a time.
#[inline]
fn int_rows(column: &IntColumn, rows: usize, test: impl Fn(u64) -> bool) -> Selection {
    fn over<T: Copy + Into<u64>>(
        words: &[T],
        rows: usize,
        test: impl Fn(u64) -> bool,
    ) -> Selection {
        let words = &words[..rows];
        Selection::from_fn(rows, |r| test(words[r].into()))
    }
    let mut selection = match column.words() {
        IntWords::Same { value, .. } => {
            let holds = test(value);
            Selection::from_fn(rows, |_| holds)
        }
        IntWords::U8(w) => over(w, rows, test),
        IntWords::U16(w) => over(w, rows, test),
        IntWords::U32(w) => over(w, rows, test),
        IntWords::U64(w) => over(w, rows, test),
    };
    if let Some(missing) = column.missing_bitmap() {
        selection.remove(missing.words());
    }
    selection
}

fn missing_rows(rows: usize, present: impl Fn(usize) -> bool, cond: &Cond) -> Selection {
    let want_present = matches!(cond, Cond::Present);
    Selection::from_fn(rows, |r| present(r) == want_present)
}

fn int_value(operand: &Operand) -> u64 {
    match operand {
        Operand::Int(n) => *n,
        Operand::Word { code, .. } => *code,
        _ => unreachable!("the parser gives integer fields integer operands"),
    }
}

fn int_cond(column: &IntColumn, rows: usize, cond: &Cond, kind: FieldKind) -> Selection {
    match cond {
        Cond::Cmp(op, operand) => {
            let x = int_value(operand);
            // A column of bytes compared with a byte (`action = REJECT`, `protocol = 6`):
            // many rows at a time.
            if let (IntWords::U8(words), Ok(x)) = (column.words(), u8::try_from(x)) {
                let words = &words[..rows];
                let mut selection = match op {
                    Cmp::Eq => Selection::from_bytes(words, |v| v == x),
                    Cmp::Ne => Selection::from_bytes(words, |v| v != x),
                    Cmp::Lt => Selection::from_bytes(words, |v| v < x),
                    Cmp::Le => Selection::from_bytes(words, |v| v <= x),
                    Cmp::Gt => Selection::from_bytes(words, |v| v > x),
                    Cmp::Ge => Selection::from_bytes(words, |v| v >= x),
                };
                if let Some(missing) = column.missing_bitmap() {
                    selection.remove(missing.words());
                }
                return selection;
            }
            match op {
                Cmp::Eq => int_rows(column, rows, |v| v == x),
                Cmp::Ne => int_rows(column, rows, |v| v != x),
                Cmp::Lt => int_rows(column, rows, |v| v < x),
                Cmp::Le => int_rows(column, rows, |v| v <= x),
                Cmp::Gt => int_rows(column, rows, |v| v > x),
                Cmp::Ge => int_rows(column, rows, |v| v >= x),
            }
        }
        Cond::In(values) => {
            let values: Vec<u64> = values.iter().map(int_value).collect();
            let small = match kind {
                FieldKind::Int { max } if max <= u64::from(u16::MAX) => Some(max),
                FieldKind::Enum(words) => Some(words.len() as u64),
                _ => None,
            };
            match small {
                // A table of answers for every possible value beats a search per row.
                Some(max) => {
                    let mut table = vec![false; max as usize + 1];
                    for &v in &values {
                        if let Some(slot) = table.get_mut(v as usize) {
                            *slot = true;
                        }
                    }
                    int_rows(column, rows, |v| {
                        table.get(v as usize).copied().unwrap_or(false)
                    })
                }
                None => int_rows(column, rows, |v| values.contains(&v)),
            }
        }
        Cond::Range { from, to } => int_rows(column, rows, |v| *from <= v && v < *to),
        Cond::Flag(flag) => {
            let mask = flag.mask();
            int_rows(column, rows, |v| v & mask == mask)
        }
        Cond::Missing | Cond::Present => missing_rows(rows, |r| column.get(r).is_some(), cond),
        Cond::Class(_) | Cond::Text(..) => unreachable!("the parser allows these on other kinds"),
    }
}

/// A condition on an address, with a fast path for IPv4 words.
struct AddrTest<'a> {
    cond: &'a Cond,
    nets: Vec<(u32, u32)>,
}

impl<'a> AddrTest<'a> {
    fn new(cond: &'a Cond) -> AddrTest<'a> {
        let nets = match cond {
            Cond::In(values) => values
                .iter()
                .filter_map(|v| match v {
                    Operand::Net(IpNet::V4(net)) => {
                        Some((u32::from(net.network()), u32::from(net.netmask())))
                    }
                    Operand::Addr(IpAddr::V4(a)) => Some((u32::from(*a), u32::MAX)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        AddrTest { cond, nets }
    }

    #[inline]
    fn v4(&self, word: u32) -> bool {
        match self.cond {
            Cond::Cmp(op, Operand::Addr(IpAddr::V4(a))) => op.holds(word, u32::from(*a)),
            Cond::Cmp(Cmp::Ne, _) => true,
            Cond::Cmp(..) => false,
            Cond::In(_) => self.nets.iter().any(|&(net, mask)| word & mask == net),
            Cond::Class(class) => AddrClass::of_v4(word) == *class,
            _ => false,
        }
    }

    fn any(&self, addr: IpAddr) -> bool {
        match (self.cond, addr) {
            (_, IpAddr::V4(v4)) => self.v4(u32::from(v4)),
            (Cond::Cmp(op, Operand::Addr(a)), _) => op.holds(addr, *a),
            (Cond::In(values), _) => values.iter().any(|v| match v {
                Operand::Net(net) => net.contains(&addr),
                Operand::Addr(a) => *a == addr,
                _ => false,
            }),
            (Cond::Class(class), _) => AddrClass::of(addr) == *class,
            _ => false,
        }
    }
}

fn addr_cond(column: &AddrColumn, rows: usize, cond: &Cond) -> Selection {
    // One answer per address of the table's dictionary (a few hundred thousand at most
    // where rows run to millions), then each row takes the answer of its code.
    let test = AddrTest::new(cond);
    let answers: Vec<bool> = column
        .dictionary()
        .iter()
        .map(|value| match (cond, value) {
            (Cond::Missing, value) => value.is_none(),
            (Cond::Present, value) => value.is_some(),
            (_, Some(addr)) => test.any(addr),
            (_, None) => false,
        })
        .collect();
    match column.codes() {
        AddrCodes::Direct(codes) => {
            let codes = &codes[..rows];
            Selection::from_fn(rows, |r| answers[codes[r] as usize])
        }
        // One answer per pair, from its side's address; then each row takes its pair's.
        AddrCodes::Paired { pairs, side } => {
            let by_pair: Vec<bool> = (pairs.pairs().iter())
                .map(|pair| answers[pair[side] as usize])
                .collect();
            let codes = &pairs.codes()[..rows];
            Selection::from_fn(rows, |r| by_pair[codes[r] as usize])
        }
    }
}

fn text_cond(column: &TextColumn, rows: usize, cond: &Cond) -> Selection {
    // One answer per dictionary entry; entry 0 is "missing".
    let dictionary = column.dictionary();
    let mut answers: Vec<bool> = dictionary
        .iter()
        .map(|value| match cond {
            Cond::Cmp(op, Operand::Text(t)) => op.holds(&**value, t.as_str()),
            Cond::In(values) => values
                .iter()
                .any(|v| matches!(v, Operand::Text(t) if **t == **value)),
            Cond::Text(op, t) => op.holds(value, t),
            Cond::Present => true,
            _ => false,
        })
        .collect();
    answers[0] = matches!(cond, Cond::Missing);
    Selection::from_fn(rows, |r| answers[column.code(r) as usize])
}
