//! Appending rows: the columns of the layout being read, taken out of the table while its
//! lines are read, and the fast path that fills them straight from a line.
//!
//! Nearly every line of a flow log is plain: single spaces between values that are each
//! right for their field. [`RowWriter::read_plain_lines`] reads such lines, a run of them
//! per call, each in one pass, parsing each value where it stands and appending it to its
//! column at once, with no list of tokens or of parsed values in between; for the default
//! layout, the values of 64 rows are held and then appended together, a column at a time
//! (see `Staged`). At the first thing that is not plain (a tab, a byte outside ASCII, a
//! value out of range, too few or too many values) it takes back what it appended for that
//! line and stops; the careful path in `records` then reads the line and, if it is bad,
//! says why. So the fast path decides nothing the careful path would decide otherwise:
//! property tests hold the two to the same rows.

use crate::column::{AddrColumn, AddrWords, IntColumn, TextColumn};
use crate::field::FieldKind;
use crate::table::{Column, ColumnId, Parsed};
use crate::value::{parse_ipv6, seconds};

/// A column of the layout, with what its field accepts.
pub(crate) enum Target {
    /// Integers up to `max`.
    Int { column: IntColumn, max: u64 },
    /// Unix times in seconds or milliseconds, kept as seconds.
    Time { column: IntColumn },
    /// Words of a closed list, kept as their index in it.
    Enum {
        column: IntColumn,
        words: ShortWords,
    },
    /// IPv4 and IPv6 addresses.
    Addr { column: AddrWords },
    /// Any text.
    Text { column: TextColumn },
}

impl Target {
    /// The target for a field of `kind` stored in `column`, which was made for that kind.
    pub(crate) fn new(kind: FieldKind, column: Column) -> Target {
        match (kind, column) {
            (FieldKind::Int { max }, Column::Int(column)) => Target::Int { column, max },
            (FieldKind::Time, Column::Int(column)) => Target::Time { column },
            (FieldKind::Enum(words), Column::Int(column)) => Target::Enum {
                column,
                words: ShortWords::new(words),
            },
            (FieldKind::Addr, Column::Addr(column)) => Target::Addr {
                column: column.into_words(),
            },
            (FieldKind::Text, Column::Text(column)) => Target::Text { column },
            // Columns are made by `Column::for_kind` from the same kind, so a mismatch is a
            // bug; a fresh column keeps the table's shape while the bug shows in its values.
            (kind, _) => Target::new(kind, Column::for_kind(kind)),
        }
    }

    fn shape(&self) -> Shape {
        match self {
            Target::Int { .. } => Shape::Int,
            Target::Time { .. } => Shape::Time,
            Target::Enum { .. } => Shape::Enum,
            Target::Addr { .. } => Shape::Addr,
            Target::Text { .. } => Shape::Text,
        }
    }

    fn into_column(self) -> Column {
        match self {
            Target::Int { column, .. } | Target::Time { column } | Target::Enum { column, .. } => {
                Column::Int(column)
            }
            Target::Addr { column } => Column::Addr(AddrColumn::from(column)),
            Target::Text { column } => Column::Text(column),
        }
    }

    /// Takes back the last value appended.
    fn pop(&mut self) {
        match self {
            Target::Int { column, .. } | Target::Time { column } | Target::Enum { column, .. } => {
                column.pop()
            }
            Target::Addr { column } => column.pop(),
            Target::Text { column } => column.pop(),
        }
    }

    /// Appends a value the careful path has read and checked.
    fn push_parsed(&mut self, value: Parsed, text: &str) {
        match (self, value) {
            (
                Target::Int { column, .. } | Target::Time { column } | Target::Enum { column, .. },
                Parsed::Int(v),
            ) => column.push(v),
            (Target::Addr { column }, Parsed::V4(word)) => column.push_v4(word),
            (Target::Addr { column }, Parsed::V6 { start, end }) => {
                let address = parse_ipv6(&text.as_bytes()[start as usize..end as usize]);
                column.push_v6(address.unwrap_or(0))
            }
            (Target::Text { column }, Parsed::Text { start, end }) => {
                column.push(&text[start as usize..end as usize])
            }
            (
                Target::Int { column, .. } | Target::Time { column } | Target::Enum { column, .. },
                _,
            ) => column.push_missing(),
            (Target::Addr { column }, _) => column.push_missing(),
            (Target::Text { column }, _) => column.push_missing(),
        }
    }

    /// Reads the plain value that starts at `at` and appends it; returns where it ends (at a
    /// space or the end of the line), or `None`, having appended nothing, if it is not plain.
    #[inline(always)]
    fn read_plain(&mut self, line: &[u8], at: usize) -> Option<usize> {
        match self {
            Target::Int { column, max } => Some(push_int(column, read_int(*max, line, at)?)),
            Target::Time { column } => Some(push_int(column, read_time(line, at)?)),
            Target::Enum { column, words } => Some(push_int(column, read_word(words, line, at)?)),
            Target::Addr { column } => Some(push_addr(column, read_addr(line, at)?)),
            Target::Text { column } => Some(push_text(column, read_text(line, at)?)),
        }
    }
}

/// Whether the value at `at` is `-`, a missing value for every field.
#[inline(always)]
fn is_missing(line: &[u8], at: usize) -> bool {
    line.get(at) == Some(&b'-') && ends(line, at + 1)
}

/// A plain value as the `read_*` functions read it: the value, `None` for `-`, and where it
/// ends (at a space or the end of the line).
type Read<T> = (Option<T>, usize);

/// The `read_*` functions read the plain value of one kind that starts at `at`, or give
/// `None` if it is not plain.
#[inline(always)]
fn read_int(max: u64, line: &[u8], at: usize) -> Option<Read<u64>> {
    if is_missing(line, at) {
        return Some((None, at + 1));
    }
    let (value, end) = number(line, at)?;
    (value <= max).then_some((Some(value), end))
}

#[inline(always)]
fn read_time(line: &[u8], at: usize) -> Option<Read<u64>> {
    if is_missing(line, at) {
        return Some((None, at + 1));
    }
    let (value, end) = number(line, at)?;
    Some((Some(seconds(value)?), end))
}

/// The words of a closed list (an `action`, a `log-status`), each held as the number its
/// bytes make, so that a value is told from one load of eight bytes and a comparison per
/// word, without first finding where it ends.
///
/// Only words of at most eight bytes, and at most [`SHORT_WORDS`] of them, are held; every
/// list of [`FieldKind::Enum`] fits (a test checks it). A word that did not would never be
/// matched here, and its lines would go the careful way, which reads them all the same.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShortWords {
    /// Each word's bytes, first byte lowest, with zeros above its length.
    bytes: [u64; SHORT_WORDS],
    /// Ones over each word's bytes.
    masks: [u64; SHORT_WORDS],
    lengths: [usize; SHORT_WORDS],
    count: usize,
}

/// The most words a [`ShortWords`] holds.
const SHORT_WORDS: usize = 4;

impl ShortWords {
    fn new(words: &[&str]) -> ShortWords {
        let mut held = ShortWords {
            bytes: [0; SHORT_WORDS],
            masks: [0; SHORT_WORDS],
            lengths: [0; SHORT_WORDS],
            count: 0,
        };
        for (index, word) in words.iter().take(SHORT_WORDS).enumerate() {
            let word = word.as_bytes();
            // A longer word is held as bytes that no masked value equals: never matched.
            if word.is_empty() || word.len() > 8 {
                held.bytes[index] = 1;
                continue;
            }
            let mut bytes = [0u8; 8];
            bytes[..word.len()].copy_from_slice(word);
            held.bytes[index] = u64::from_le_bytes(bytes);
            held.masks[index] = u64::MAX >> (64 - 8 * word.len());
            held.lengths[index] = word.len();
        }
        held.count = words.len().min(SHORT_WORDS);
        held
    }
}

/// A closed-list word, read as its index in `words`.
#[inline(always)]
fn read_word(words: &ShortWords, line: &[u8], at: usize) -> Option<Read<u64>> {
    let bytes = eight_bytes_at(line, at);
    for index in 0..words.count {
        let end = at + words.lengths[index];
        if bytes & words.masks[index] == words.bytes[index] && ends(line, end) {
            return Some((Some(index as u64), end));
        }
    }
    is_missing(line, at).then_some((None, at + 1))
}

/// The eight bytes of `line` from `at` as a number, first byte lowest, with zeros for the
/// bytes past the line's end.
#[inline(always)]
fn eight_bytes_at(line: &[u8], at: usize) -> u64 {
    if let Some(chunk) = line.get(at..at + 8) {
        return u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
    }
    if line.len() >= 8 && at < line.len() {
        // The line's last eight bytes, shifted so that the byte at `at` comes first:
        // `log-status` ends nearly every line, and this spares it a copy of a few bytes.
        let tail = u64::from_le_bytes(line[line.len() - 8..].try_into().unwrap_or([0; 8]));
        return tail >> (8 * (at + 8 - line.len()));
    }
    let mut bytes = [0u8; 8];
    let rest = line.get(at..).unwrap_or(&[]);
    bytes[..rest.len()].copy_from_slice(rest);
    u64::from_le_bytes(bytes)
}

#[inline(always)]
fn read_text(line: &[u8], at: usize) -> Option<Read<&[u8]>> {
    if is_missing(line, at) {
        return Some((None, at + 1));
    }
    // `plain_token_end` lets through printable ASCII only, which is UTF-8.
    let end = plain_token_end(line, at)?;
    Some((Some(&line[at..end]), end))
}

/// Appends a value read by [`read_int`], [`read_time`] or [`read_word`]; returns where it
/// ended.
#[inline(always)]
fn push_int(column: &mut IntColumn, (value, end): Read<u64>) -> usize {
    match value {
        Some(value) => column.push(value),
        None => column.push_missing(),
    }
    end
}

/// Appends a value read by [`read_text`]; returns where it ended.
#[inline(always)]
fn push_text(column: &mut TextColumn, (value, end): Read<&[u8]>) -> usize {
    match value {
        Some(value) => column.push_bytes(value),
        None => column.push_missing(),
    }
    end
}

/// An address as [`read_addr`] reads it.
enum Address {
    V4(u32),
    V6(u128),
}

#[inline(always)]
fn read_addr(line: &[u8], at: usize) -> Option<Read<Address>> {
    if let Some((word, end)) = ipv4(line, at) {
        return Some((Some(Address::V4(word)), end));
    }
    if is_missing(line, at) {
        return Some((None, at + 1));
    }
    let end = plain_token_end(line, at)?;
    Some((Some(Address::V6(parse_ipv6(&line[at..end])?)), end))
}

/// Appends a value read by [`read_addr`]; returns where it ended.
#[inline(always)]
fn push_addr(column: &mut AddrWords, (value, end): Read<Address>) -> usize {
    match value {
        Some(Address::V4(word)) => column.push_v4(word),
        Some(Address::V6(address)) => column.push_v6(address),
        None => column.push_missing(),
    }
    end
}

/// After the `done`-th of `total` values, ending at `end`: the start of the next value, or
/// `None` when there are too few values or too many. Counts the value in `done` first, so
/// that `done` is always the number of values appended.
#[inline(always)]
fn next_value(line: &[u8], end: usize, done: &mut usize, total: usize) -> Option<usize> {
    *done += 1;
    let at = skip_spaces(line, end);
    ((at == line.len()) == (*done == total)).then_some(at)
}

/// After a value that is not the line's last, ending at `end` (at a space or the end of the
/// line, as every value read here does): the start of the next one, or `None` when the line
/// ends there. One space is the rule; a run of them takes a loop.
#[inline(always)]
fn then(line: &[u8], end: usize) -> Option<usize> {
    match line.get(end + 1)? {
        b' ' => {
            let at = skip_spaces(line, end + 1);
            (at != line.len()).then_some(at)
        }
        _ => Some(end + 1),
    }
}

/// After the line's last value, ending at `end`: whether the line ends there.
#[inline(always)]
fn last(line: &[u8], end: usize) -> Option<()> {
    (skip_spaces(line, end) == line.len()).then_some(())
}

/// The columns of one layout, in the order of its fields.
pub(crate) struct RowWriter {
    /// The layout's index among the table's formats.
    pub(crate) format: usize,
    targets: Vec<Target>,
    homes: Vec<ColumnId>,
    /// Whether the fields' kinds are those of the default format.
    default_shape: bool,
}

/// The kinds of the default format's fields, in order.
const DEFAULT_SHAPE: [Shape; 14] = [
    Shape::Int,
    Shape::Text,
    Shape::Text,
    Shape::Addr,
    Shape::Addr,
    Shape::Int,
    Shape::Int,
    Shape::Int,
    Shape::Int,
    Shape::Int,
    Shape::Time,
    Shape::Time,
    Shape::Enum,
    Shape::Enum,
];

/// The default format's fields, by their place in it.
const VERSION: usize = 0;
const ACCOUNT: usize = 1;
const INTERFACE: usize = 2;
const SRCADDR: usize = 3;
const DSTADDR: usize = 4;
const SRCPORT: usize = 5;
const DSTPORT: usize = 6;
const PROTOCOL: usize = 7;
const PACKETS: usize = 8;
const BYTES: usize = 9;
const START: usize = 10;
const END: usize = 11;
const ACTION: usize = 12;
const LOG_STATUS: usize = 13;

/// How many rows of the default layout [`Staged`] holds before appending them.
const STAGED_ROWS: usize = 64;

/// The values of up to [`STAGED_ROWS`] rows of the default layout, by field, read but not
/// yet appended to their columns: integers, IPv4 addresses as their words (an IPv6 address
/// as the word its column gives for it) and the text columns' dictionary indexes.
///
/// Appending one value to a column checks the column's width, its room and whether it has
/// missing marks. For 64 rows at once those checks are made once per column, the marks
/// come as one word, and the copying runs as vector operations. Counted with cachegrind
/// over 200,000 lines of the default format, the decoder took 2,152 instructions a line
/// appending one value at a time and 1,557 this way (with the count of values read, which
/// taking a refused line back needed, gone too, and the appending of a block outside the
/// loop over its lines); compiled to WebAssembly, it decoded a 1M-record file about 20 %
/// faster in Node (medians of 21 alternated runs).
struct Staged {
    values: [[u64; STAGED_ROWS]; DEFAULT_SHAPE.len()],
    /// Bit `i` of a field's word: row `i` is missing there.
    missing: [u64; DEFAULT_SHAPE.len()],
    /// Bit `i` of an address field's word: row `i` holds an IPv6 address there.
    is_v6: [u64; DEFAULT_SHAPE.len()],
    /// The rows held; the row being read is the next.
    rows: usize,
}

impl Staged {
    fn new() -> Staged {
        Staged {
            values: [[0; STAGED_ROWS]; DEFAULT_SHAPE.len()],
            missing: [0; DEFAULT_SHAPE.len()],
            is_v6: [0; DEFAULT_SHAPE.len()],
            rows: 0,
        }
    }

    /// Where the row being read goes; masked, so that indexing needs no bounds check.
    #[inline(always)]
    fn slot(&self) -> usize {
        self.rows % STAGED_ROWS
    }

    /// Holds an integer of the row being read, in `slot` (as [`Self::slot`] gives it);
    /// returns where it ended.
    #[inline(always)]
    fn int(&mut self, field: usize, slot: usize, (value, end): Read<u64>) -> usize {
        self.values[field][slot] = value.unwrap_or(0);
        if value.is_none() {
            self.missing[field] |= 1 << slot;
        }
        end
    }

    /// Holds an address of the row being read, in `slot`: an IPv4 address as its word, an
    /// IPv6 address as the word [`AddrWords::hold_v6`] gives, once `column` keeps it.
    /// Returns where it ended.
    #[inline(always)]
    fn addr(
        &mut self,
        field: usize,
        slot: usize,
        column: &mut AddrWords,
        (value, end): Read<Address>,
    ) -> usize {
        self.values[field][slot] = match value {
            Some(Address::V4(word)) => word as u64,
            Some(Address::V6(address)) => {
                self.is_v6[field] |= 1 << slot;
                column.hold_v6(address) as u64
            }
            None => {
                self.missing[field] |= 1 << slot;
                0
            }
        };
        end
    }

    /// Holds the dictionary index of a text of the row being read (0 for missing), in
    /// `slot`, adding the text to `column`'s dictionary if it is new; returns where it
    /// ended.
    #[inline(always)]
    fn text(
        &mut self,
        field: usize,
        slot: usize,
        column: &mut TextColumn,
        (value, end): Read<&[u8]>,
    ) -> usize {
        self.values[field][slot] = match value {
            Some(value) => column.code_of(value, column.len() + slot) as u64,
            None => 0,
        };
        end
    }

    /// Forgets the marks of the row being read, which is not appended, and the IPv6
    /// addresses its address fields kept in their columns.
    #[cold]
    fn forget_row(&mut self, addrs: [(usize, &mut AddrWords); 2]) {
        let bit = 1 << self.slot();
        for (field, column) in addrs {
            if self.is_v6[field] & bit != 0 {
                column.forget_held_v6();
            }
        }
        for marks in self.missing.iter_mut().chain(&mut self.is_v6) {
            *marks &= !bit;
        }
    }

    /// Takes back from `column` the text of the row being read, which is not appended. The
    /// line may have been refused before its text was read; then the slot holds an earlier
    /// row's index, which [`TextColumn::take_back_code`] leaves alone, since no entry was
    /// added for this row.
    #[cold]
    fn take_back_code(&self, field: usize, column: &mut TextColumn) {
        let slot = self.slot();
        column.take_back_code(self.values[field][slot] as u32, column.len() + slot);
    }

    /// Appends the rows held to their columns and starts again.
    #[inline]
    fn append(
        &mut self,
        ints: &mut [(usize, &mut IntColumn)],
        texts: [(usize, &mut TextColumn); 2],
        addrs: [(usize, &mut AddrWords); 2],
    ) {
        let rows = self.rows;
        for (field, column) in ints {
            column.extend(&self.values[*field][..rows], self.missing[*field]);
        }
        for (field, column) in texts {
            column.push_codes(&self.values[field][..rows]);
        }
        for (field, column) in addrs {
            column.extend(
                &self.values[field][..rows],
                self.is_v6[field],
                self.missing[field],
            );
        }
        self.missing = [0; DEFAULT_SHAPE.len()];
        self.is_v6 = [0; DEFAULT_SHAPE.len()];
        self.rows = 0;
    }
}

/// A target's kind without its column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Int,
    Time,
    Enum,
    Addr,
    Text,
}

impl RowWriter {
    pub(crate) fn new(format: usize, targets: Vec<Target>, homes: Vec<ColumnId>) -> RowWriter {
        let shape: Vec<Shape> = targets.iter().map(Target::shape).collect();
        RowWriter {
            format,
            default_shape: shape == DEFAULT_SHAPE,
            targets,
            homes,
        }
    }

    /// The columns, each with where it lives in the table.
    pub(crate) fn into_columns(self) -> impl Iterator<Item = (ColumnId, Column)> {
        self.homes
            .into_iter()
            .zip(self.targets.into_iter().map(Target::into_column))
    }

    /// Appends the records of plain lines, taken from `next_line` until it gives none or
    /// one is not plain, which appends nothing and is the last taken. A plain line holds
    /// values separated by runs of spaces, each right for its field, as many as the layout
    /// has. Returns how many records were appended.
    #[inline]
    pub(crate) fn read_plain_lines<'a>(
        &mut self,
        mut next_line: impl FnMut() -> Option<&'a [u8]>,
    ) -> u64 {
        if self.default_shape {
            return self.read_plain_default_shape(next_line);
        }
        let total = self.targets.len();
        if total == 0 {
            return 0;
        }
        let mut read = 0;
        while let Some(line) = next_line() {
            let mut done = 0;
            let mut at = skip_spaces(line, 0);
            for target in &mut self.targets {
                let Some(next) = target
                    .read_plain(line, at)
                    .and_then(|end| next_value(line, end, &mut done, total))
                else {
                    self.take_back(done);
                    return read;
                };
                at = next;
            }
            read += 1;
        }
        read
    }

    /// [`Self::read_plain_lines`] for a layout of the default format's kinds, written out
    /// field by field. Most flow logs have this layout, and knowing each field's kind where
    /// it is read spares a jump through a table per value, which the processor often
    /// mispredicts because the values' lengths vary from line to line.
    ///
    /// The values are held in [`Staged`] and appended [`STAGED_ROWS`] rows at a time.
    #[inline]
    fn read_plain_default_shape<'a>(
        &mut self,
        mut next_line: impl FnMut() -> Option<&'a [u8]>,
    ) -> u64 {
        let [Target::Int {
            column: version,
            max: version_max,
        }, Target::Text { column: account }, Target::Text { column: interface }, Target::Addr { column: srcaddr }, Target::Addr { column: dstaddr }, Target::Int {
            column: srcport,
            max: srcport_max,
        }, Target::Int {
            column: dstport,
            max: dstport_max,
        }, Target::Int {
            column: protocol,
            max: protocol_max,
        }, Target::Int {
            column: packets,
            max: packets_max,
        }, Target::Int {
            column: bytes,
            max: bytes_max,
        }, Target::Time { column: start }, Target::Time { column: end }, Target::Enum {
            column: action,
            words: actions,
        }, Target::Enum {
            column: log_status,
            words: statuses,
        }] = &mut self.targets[..]
        else {
            return 0;
        };
        let (version_max, srcport_max, dstport_max) = (*version_max, *srcport_max, *dstport_max);
        let (protocol_max, packets_max, bytes_max) = (*protocol_max, *packets_max, *bytes_max);
        let mut ints = [
            (VERSION, version),
            (SRCPORT, srcport),
            (DSTPORT, dstport),
            (PROTOCOL, protocol),
            (PACKETS, packets),
            (BYTES, bytes),
            (START, start),
            (END, end),
            (ACTION, action),
            (LOG_STATUS, log_status),
        ];
        let mut staged = Staged::new();
        let mut read = 0;
        loop {
            // A block of rows at most, ended early by a refused line or the end of the run;
            // what is held is appended either way.
            let mut run_ended = true;
            while let Some(line) = next_line() {
                let slot = staged.slot();
                let s = &mut staged;
                let record = (|| -> Option<()> {
                    let mut at = skip_spaces(line, 0);
                    at = then(line, s.int(VERSION, slot, read_int(version_max, line, at)?))?;
                    at = then(line, s.text(ACCOUNT, slot, account, read_text(line, at)?))?;
                    at = then(
                        line,
                        s.text(INTERFACE, slot, interface, read_text(line, at)?),
                    )?;
                    at = then(line, s.addr(SRCADDR, slot, srcaddr, read_addr(line, at)?))?;
                    at = then(line, s.addr(DSTADDR, slot, dstaddr, read_addr(line, at)?))?;
                    at = then(line, s.int(SRCPORT, slot, read_int(srcport_max, line, at)?))?;
                    at = then(line, s.int(DSTPORT, slot, read_int(dstport_max, line, at)?))?;
                    at = then(
                        line,
                        s.int(PROTOCOL, slot, read_int(protocol_max, line, at)?),
                    )?;
                    at = then(line, s.int(PACKETS, slot, read_int(packets_max, line, at)?))?;
                    at = then(line, s.int(BYTES, slot, read_int(bytes_max, line, at)?))?;
                    at = then(line, s.int(START, slot, read_time(line, at)?))?;
                    at = then(line, s.int(END, slot, read_time(line, at)?))?;
                    at = then(line, s.int(ACTION, slot, read_word(actions, line, at)?))?;
                    last(
                        line,
                        s.int(LOG_STATUS, slot, read_word(statuses, line, at)?),
                    )
                })();
                if record.is_none() {
                    // Take back what the refused line added to the dictionaries and to the IPv6
                    // addresses kept; what it held in `staged` is written over.
                    staged.take_back_code(ACCOUNT, account);
                    staged.take_back_code(INTERFACE, interface);
                    staged.forget_row([(SRCADDR, &mut *srcaddr), (DSTADDR, &mut *dstaddr)]);
                    break;
                }
                read += 1;
                staged.rows += 1;
                if staged.rows == STAGED_ROWS {
                    run_ended = false;
                    break;
                }
            }
            staged.append(
                &mut ints,
                [(ACCOUNT, &mut *account), (INTERFACE, &mut *interface)],
                [(SRCADDR, &mut *srcaddr), (DSTADDR, &mut *dstaddr)],
            );
            if run_ended {
                return read;
            }
        }
    }

    /// Makes room for `rows` rows in all in every column.
    pub(crate) fn reserve_rows(&mut self, rows: usize) {
        for target in &mut self.targets {
            match target {
                Target::Int { column, .. }
                | Target::Time { column }
                | Target::Enum { column, .. } => column.reserve(rows.saturating_sub(column.len())),
                Target::Addr { column } => column.reserve(rows.saturating_sub(column.len())),
                Target::Text { column } => column.reserve(rows.saturating_sub(column.len())),
            }
        }
    }

    /// Takes back the values appended to the first `count` columns.
    #[cold]
    fn take_back(&mut self, count: usize) {
        for target in &mut self.targets[..count] {
            target.pop();
        }
    }

    /// Appends a record the careful path has read and checked: `values[i]` goes to the i-th
    /// column, and text and IPv6 values are ranges of `text`.
    pub(crate) fn push_parsed(&mut self, values: &[Parsed], text: &str) {
        for (target, &value) in self.targets.iter_mut().zip(values) {
            target.push_parsed(value, text);
        }
    }
}

/// Whether a value ending at `at` is followed by a space or by the end of the line.
#[inline(always)]
fn ends(line: &[u8], at: usize) -> bool {
    line.get(at).is_none_or(|&b| b == b' ')
}

#[inline(always)]
fn skip_spaces(line: &[u8], mut at: usize) -> usize {
    while line.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

/// A whole number of 1 to 19 digits (which cannot overflow) at `start`, and where it ends.
/// Leading zeros are allowed, as in the careful path.
///
/// Up to eight digits are read at once from one `u64` (SWAR): a mask finds where the digits
/// end, and three multiply-and-mask steps add them up pairwise. Ports, protocols, packets
/// and most byte counts take one such step; times take one and two digits more.
#[inline(always)]
fn number(line: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut at = start;
    let mut value: u64 = 0;
    if let Some(chunk) = line.get(start..start + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let digits = eight_digits_count(word);
        if digits == 0 {
            return None;
        }
        value = digits_value(word, digits);
        at += digits;
        if digits < 8 {
            return ends(line, at).then_some((value, at));
        }
    }
    while let Some(&b) = line.get(at) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        value = value.wrapping_mul(10).wrapping_add(digit as u64);
        at += 1;
    }
    let digits = at - start;
    ((1..=19).contains(&digits) && ends(line, at)).then_some((value, at))
}

/// How many of the eight bytes of `word` (first byte lowest) are ASCII digits before the
/// first that is not. A byte is flagged when subtracting `0` borrows or adding 0x46 reaches
/// the high bit; a digit does neither, so the lowest flag is exact.
#[inline(always)]
fn eight_digits_count(word: u64) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let not_digit = (word.wrapping_sub(0x3030_3030_3030_3030)
        | word.wrapping_add(0x4646_4646_4646_4646))
        & HIGH;
    (not_digit.trailing_zeros() / 8) as usize
}

/// The value of the first `digits` bytes of `word` (1 to 8 ASCII digits, first byte lowest).
#[inline(always)]
fn digits_value(word: u64, digits: usize) -> u64 {
    // Move the digits to the top bytes; the bytes shifted in are zeros, i.e. leading zeros.
    let mut v = (word.wrapping_sub(0x3030_3030_3030_3030)) << (8 * (8 - digits));
    v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
    (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff
}

/// A dotted-quad IPv4 address at `start`, as `std::net::Ipv4Addr` reads one (four octets of
/// at most 255, no leading zeros), and where it ends.
#[inline(always)]
fn ipv4(line: &[u8], start: usize) -> Option<(u32, usize)> {
    // An address is at most 15 bytes; with 16 in view, its end and the byte after it are
    // in a fixed-size window, where reading needs no bounds checks.
    if let Some(window) = line.get(start..start + 16) {
        let window: &[u8; 16] = window.try_into().ok()?;
        let (word, len) = ipv4_in_window(window)?;
        return (window[len & 15] == b' ').then_some((word, start + len));
    }
    let mut padded = [0u8; 16];
    let rest = &line[start.min(line.len())..];
    padded[..rest.len()].copy_from_slice(rest);
    let (word, len) = ipv4_in_window(&padded)?;
    ends(line, start + len).then_some((word, start + len))
}

/// The address at the start of `window` and its length, whatever follows it.
#[inline(always)]
fn ipv4_in_window(window: &[u8; 16]) -> Option<(u32, usize)> {
    let mut at = 0;
    let mut word: u32 = 0;
    for octet_index in 0..4 {
        if octet_index > 0 {
            if window[at & 15] != b'.' {
                return None;
            }
            at += 1;
        }
        let first = at;
        let mut octet: u32 = 0;
        while at - first < 3 && window[at & 15].is_ascii_digit() {
            octet = octet * 10 + (window[at & 15] - b'0') as u32;
            at += 1;
        }
        let digits = at - first;
        if digits == 0 || octet > 255 || (digits > 1 && window[first & 15] == b'0') {
            return None;
        }
        word = word << 8 | octet;
    }
    Some((word, at))
}

/// Where the token at `start` ends, if every byte of it is printable ASCII and it ends at a
/// space or the end of the line; `None` when a tab, control byte or non-ASCII byte comes
/// first.
///
/// Eight bytes are tested at a time as one `u64`: the high bit of each byte at or below
/// 0x20 or at or above 0x80 is set, and the lowest such byte is exact (the borrows of the
/// subtraction only reach bytes above it).
#[inline(always)]
fn plain_token_end(line: &[u8], start: usize) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const BELOW_BANG: u64 = 0x2121_2121_2121_2121;
    let mut at = start;
    while let Some(chunk) = line.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let special = (word.wrapping_sub(BELOW_BANG) & !word | word) & HIGH;
        if special != 0 {
            let end = at + (special.trailing_zeros() / 8) as usize;
            return (line[end] == b' ').then_some(end);
        }
        at += 8;
    }
    while let Some(&b) = line.get(at) {
        if b <= b' ' || b >= 0x80 {
            return (b == b' ').then_some(at);
        }
        at += 1;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tokens_end_at_a_space_and_nothing_else() {
        assert_eq!(plain_token_end(b"eni-0123456789abcdef0 x", 0), Some(21));
        assert_eq!(plain_token_end(b"abc", 0), Some(3));
        assert_eq!(plain_token_end(b"abcdefghijkl", 2), Some(12));
        assert_eq!(plain_token_end(b"abcdefgh\tx", 0), None);
        assert_eq!(plain_token_end("abcdefg\u{e9} x".as_bytes(), 0), None);
        assert_eq!(plain_token_end(b"ab\x00", 0), None);
    }

    #[test]
    fn every_closed_list_is_held_whole_as_short_words() {
        // A word not held would send every line that holds it the careful way.
        for field in crate::field::Field::ALL {
            if let FieldKind::Enum(words) = field.kind() {
                assert!(words.len() <= SHORT_WORDS, "{}", field.name());
                for (index, word) in words.iter().enumerate() {
                    let line = format!("{word} x");
                    let read = read_word(&ShortWords::new(words), line.as_bytes(), 0);
                    assert_eq!(read, Some((Some(index as u64), word.len())), "{word}");
                }
            }
        }
    }

    #[test]
    fn words_are_read_wherever_the_line_ends() {
        let statuses = ShortWords::new(crate::field::LOG_STATUSES);
        for before in 0..12 {
            for (index, word) in crate::field::LOG_STATUSES.iter().enumerate() {
                for after in ["", " x", " 123456789"] {
                    let line = format!("{}{word}{after}", "x ".repeat(before));
                    let at = 2 * before;
                    let read = read_word(&statuses, line.as_bytes(), at);
                    assert_eq!(
                        read,
                        Some((Some(index as u64), at + word.len())),
                        "{line:?}"
                    );
                    let cut = &line.as_bytes()[..at + word.len() - 1];
                    assert_eq!(read_word(&statuses, cut, at), None, "{line:?} cut short");
                }
            }
        }
    }

    #[test]
    fn words_too_long_to_hold_are_never_matched() {
        let words = ShortWords::new(&["LONGERTHAN8", "OK"]);
        assert_eq!(read_word(&words, b"LONGERTHAN8", 0), None);
        assert_eq!(read_word(&words, b"", 0), None);
        assert_eq!(read_word(&words, b"OK", 0), Some((Some(1), 2)));
    }

    proptest::proptest! {
        #[test]
        fn short_words_are_read_as_whole_tokens_compared(
            words in proptest::collection::vec("[A-Z]{1,8}", 1..=SHORT_WORDS),
            pick in 0usize..8,
            change in proptest::sample::select(vec!["", "", "X", "\t", "\u{e9}", "-"]),
            cut in 0usize..3,
            before in "( ?[A-Z]{0,9} )?",
            after in "( [A-Z0-9]{0,12})?|\t",
        ) {
            // One of the words (or a word cut short, or a word that goes on, or `-`) in the
            // middle of a line or at its end, with the line's end anywhere near it.
            let word = words.get(pick).cloned().unwrap_or_else(|| "NOPE".into());
            let word = &word[..word.len().saturating_sub(cut).max(1)];
            let token = if change == "-" { "-".to_owned() } else { format!("{word}{change}") };
            let line = format!("{before}{token}{after}");
            let at = before.len();
            let whole = &line[at..];
            let whole = &whole[..whole.find(' ').unwrap_or(whole.len())];
            let list: Vec<&str> = words.iter().map(String::as_str).collect();
            let expected = if whole == "-" {
                Some((None, at + 1))
            } else {
                list.iter()
                    .position(|w| *w == whole)
                    .map(|index| (Some(index as u64), at + whole.len()))
            };
            proptest::prop_assert_eq!(read_word(&ShortWords::new(&list), line.as_bytes(), at), expected);
        }

        #[test]
        fn plain_token_end_agrees_with_a_byte_loop(
            bytes in proptest::collection::vec(proptest::sample::select(
                vec![b' ', b'a', b'!', b'~', b'\t', 0, 0x1f, 0x7f, 0x80, 0xff, b'-']), 0..30),
            start in 0usize..4,
        ) {
            let start = start.min(bytes.len());
            let plain = bytes[start..]
                .iter()
                .position(|&b| b <= b' ' || b >= 0x80)
                .map_or(Some(bytes.len()), |i| (bytes[start + i] == b' ').then_some(start + i));
            proptest::prop_assert_eq!(plain_token_end(&bytes, start), plain);
        }

        #[test]
        fn numbers_in_lines_agree_with_std(digits in "[0-9]{0,21}", after in "( [a-z0-9 ]{0,9})?|x") {
            let line = format!("{digits}{after}");
            let expected = (digits.len() <= 19 && after != "x")
                .then(|| digits.parse::<u64>().ok())
                .flatten();
            proptest::prop_assert_eq!(number(line.as_bytes(), 0).map(|(v, _)| v), expected);
        }

        #[test]
        fn addresses_in_lines_agree_with_std(
            octets in proptest::collection::vec(proptest::prop_oneof![
                8 => proptest::strategy::Strategy::prop_map(0u32..256, |octet| octet.to_string()),
                1 => "0{0,2}[0-9]{1,3}",
            ], 4),
            dots in proptest::collection::vec(proptest::sample::select(
                vec![".", ".", ".", ".", ".", ".", ".", ".", ":", ""]), 3),
            after in "( [0-9a-z. ]{0,20})?|[0-9.x]{1,3}",
            before in 0usize..20,
        ) {
            // Mostly well-formed addresses with octets of every length, in the middle of a
            // line as well as at its end, and now and then an octet too long, a leading zero,
            // a wrong or missing dot, or a token that goes on.
            let token = format!("{}{}{}{}{}{}{}", octets[0], dots[0], octets[1], dots[1], octets[2], dots[2], octets[3]);
            let line = format!("{}{token}{after}", "1 ".repeat(before / 2));
            let start = before / 2 * 2;
            // What follows may go on with the token: the address is the whole token.
            let whole = line[start..].split(' ').next().unwrap_or_default();
            let expected = whole
                .parse::<std::net::Ipv4Addr>()
                .ok()
                .map(|a| (u32::from(a), start + whole.len()));
            proptest::prop_assert_eq!(ipv4(line.as_bytes(), start), expected);
        }

        #[test]
        fn numbers_and_addresses_agree_with_std(token in "[0-9.]{0,17}") {
            let bytes = token.as_bytes();
            let expected = token.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
            proptest::prop_assert_eq!(ipv4(bytes, 0).map(|(w, _)| w), expected);
            let expected = (token.len() <= 19).then(|| token.parse::<u64>().ok()).flatten();
            proptest::prop_assert_eq!(number(bytes, 0).map(|(v, _)| v), expected);
        }
    }
}
