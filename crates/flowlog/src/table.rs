//! The columnar table that decoded records land in.
//!
//! One column per field that any of the table's formats carries; a row that comes from a
//! format without that field holds "missing" there. Each row also knows its format (so that
//! it can be printed with exactly its own fields) and its line in the source. Both are kept as
//! runs rather than per row, since they change rarely.

use crate::column::{AddrColumn, AddrDictionary, AddrPairs, Addresses, IntColumn, TextColumn};
use crate::field::{Field, FieldKind, FieldRef};
use crate::format::Format;
use crate::image::{ImageError, ImageSource, Reader, Writer};
use crate::writer::{RowWriter, Target};
use std::net::IpAddr;
use std::sync::Arc;

/// One column of a [`FlowTable`].
#[derive(Clone, Debug)]
pub enum Column {
    /// Integers, times and closed-list words (stored as their index in the list).
    Int(IntColumn),
    /// IPv4 and IPv6 addresses.
    Addr(AddrColumn),
    /// Dictionary-encoded text.
    Text(TextColumn),
}

impl Column {
    pub(crate) fn for_kind(kind: FieldKind) -> Column {
        match kind {
            FieldKind::Int { .. } | FieldKind::Time | FieldKind::Enum(_) => {
                Column::Int(IntColumn::default())
            }
            FieldKind::Addr => Column::Addr(AddrColumn::default()),
            FieldKind::Text => Column::Text(TextColumn::default()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Column::Int(c) => c.len(),
            Column::Addr(c) => c.len(),
            Column::Text(c) => c.len(),
        }
    }

    pub(crate) fn pad_to(&mut self, rows: usize) {
        match self {
            Column::Int(c) => c.pad_to(rows),
            Column::Addr(c) => c.pad_to(rows),
            Column::Text(c) => c.pad_to(rows),
        }
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        match self {
            Column::Int(c) => c.reserve(additional),
            Column::Addr(c) => c.reserve(additional),
            Column::Text(c) => c.reserve(additional),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Column::Int(c) => c.shrink_to_fit(),
            Column::Addr(c) => c.shrink_to_fit(),
            Column::Text(c) => c.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Column::Int(c) => c.heap_bytes(),
            Column::Addr(c) => c.heap_bytes(),
            Column::Text(c) => c.heap_bytes(),
        }
    }
}

/// A value read back from a table, typed by its field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    /// `-` in the source, or a field the row's format does not carry.
    Missing,
    /// An integer or a time in Unix seconds.
    Int(u64),
    /// An address.
    Addr(IpAddr),
    /// Text, or a closed-list word such as `ACCEPT`.
    Text(&'a str),
}

/// A field's value as the decoder read it, before it is stored. Text and IPv6 addresses are
/// byte ranges of the line, so that one buffer of these can be reused for every line and each
/// entry stays 16 bytes; an IPv6 address, already checked, is read again when stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    Missing,
    Int(u64),
    V4(u32),
    V6 { start: u32, end: u32 },
    Text { start: u32, end: u32 },
}

/// Where a column lives: a known field's slot or the n-th unknown name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnId {
    Known(usize),
    Other(usize),
}

/// Decoded records of one file, column by column.
#[derive(Clone, Debug, Default)]
pub struct FlowTable {
    rows: usize,
    known: Vec<Option<Column>>,
    others: Vec<(Box<str>, TextColumn)>,
    formats: Vec<Format>,
    /// `(first row, format index)`, one entry each time the format changes.
    format_runs: Vec<(usize, usize)>,
    /// `(first row, line - row)`, one entry each time a line that is not a record intervenes.
    line_runs: Vec<(usize, i64)>,
    /// The dictionary every address column's codes point into, once the table is sealed.
    addresses: Arc<Addresses>,
    reserve_rows: usize,
}

impl FlowTable {
    /// An empty table.
    pub fn new() -> FlowTable {
        FlowTable {
            known: (0..Field::ALL.len()).map(|_| None).collect(),
            ..FlowTable::default()
        }
    }

    /// An empty table whose columns, when created, reserve room for `rows` rows.
    pub fn with_capacity(rows: usize) -> FlowTable {
        FlowTable {
            reserve_rows: rows,
            ..FlowTable::new()
        }
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether it holds no records.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The formats its rows come from, in the order they appeared.
    pub fn formats(&self) -> &[Format] {
        &self.formats
    }

    /// The format of `row`.
    pub fn format_of(&self, row: usize) -> &Format {
        let run = self.format_runs.partition_point(|&(first, _)| first <= row) - 1;
        &self.formats[self.format_runs[run].1]
    }

    /// The source line (or JSON event number) that `row` was read from.
    pub fn line_of(&self, row: usize) -> u64 {
        let run = self.line_runs.partition_point(|&(first, _)| first <= row) - 1;
        (row as i64 + self.line_runs[run].1) as u64
    }

    /// The column of a known field, if any format of the table carries it.
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.known.get(field.index())?.as_ref()
    }

    /// The integer column of `field` (also times and closed-list words).
    pub fn int(&self, field: Field) -> Option<&IntColumn> {
        match self.column(field)? {
            Column::Int(c) => Some(c),
            _ => None,
        }
    }

    /// The address column of `field`.
    pub fn addr(&self, field: Field) -> Option<&AddrColumn> {
        match self.column(field)? {
            Column::Addr(c) => Some(c),
            _ => None,
        }
    }

    /// The text column of `field`.
    pub fn text(&self, field: Field) -> Option<&TextColumn> {
        match self.column(field)? {
            Column::Text(c) => Some(c),
            _ => None,
        }
    }

    /// The columns of field names no version documents, by name.
    pub fn other_columns(&self) -> impl Iterator<Item = (&str, &TextColumn)> {
        self.others.iter().map(|(name, c)| (&**name, c))
    }

    /// The value of `field` at `row`; [`Value::Missing`] where the row's format lacks it.
    pub fn value(&self, row: usize, field: &FieldRef) -> Value<'_> {
        match field {
            FieldRef::Known(known) => match self.column(*known) {
                None => Value::Missing,
                Some(Column::Int(c)) => match (c.get(row), known.kind()) {
                    (None, _) => Value::Missing,
                    (Some(code), FieldKind::Enum(words)) => Value::Text(words[code as usize]),
                    (Some(v), _) => Value::Int(v),
                },
                Some(Column::Addr(c)) => c.get(row).map_or(Value::Missing, Value::Addr),
                Some(Column::Text(c)) => c.get(row).map_or(Value::Missing, Value::Text),
            },
            FieldRef::Other(name) => self
                .others
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, c)| c.get(row))
                .map_or(Value::Missing, Value::Text),
        }
    }

    /// Bytes of heap memory the table holds.
    pub fn heap_bytes(&self) -> usize {
        let known: usize = self.known.iter().flatten().map(Column::heap_bytes).sum();
        let others: usize = self.others.iter().map(|(_, c)| c.heap_bytes()).sum();
        known + others + self.addresses.heap_bytes()
    }

    /// The addresses that the codes of every address column stand for (`None` for
    /// missing), most frequent first: each column's [`AddrColumn::dictionary`], shared.
    pub fn addresses(&self) -> &Arc<Addresses> {
        &self.addresses
    }

    /// Registers a format and returns its index and where each of its fields is stored,
    /// creating the columns it needs.
    pub(crate) fn add_format(&mut self, format: &Format) -> (usize, Vec<ColumnId>) {
        let index = match self.formats.iter().position(|f| f == format) {
            Some(i) => i,
            None => {
                self.formats.push(format.clone());
                self.formats.len() - 1
            }
        };
        let reserve = self.reserve_rows.saturating_sub(self.rows);
        let ids = format
            .fields()
            .iter()
            .map(|field| match field {
                FieldRef::Known(known) => {
                    let slot = &mut self.known[known.index()];
                    if slot.is_none() {
                        let mut column = Column::for_kind(known.kind());
                        column.reserve(reserve);
                        *slot = Some(column);
                    }
                    ColumnId::Known(known.index())
                }
                FieldRef::Other(name) => {
                    let i = match self.others.iter().position(|(n, _)| n == name) {
                        Some(i) => i,
                        None => {
                            self.others.push((name.clone(), TextColumn::default()));
                            self.others.len() - 1
                        }
                    };
                    ColumnId::Other(i)
                }
            })
            .collect();
        (index, ids)
    }

    /// The rows the columns were last sized for.
    pub(crate) fn reserved_rows(&self) -> usize {
        self.reserve_rows
    }

    /// Makes room for `rows` rows in all in the columns it holds, and in columns made later.
    pub(crate) fn reserve_rows(&mut self, rows: usize) {
        self.reserve_rows = rows;
        for column in self.known.iter_mut().flatten() {
            column.reserve(rows.saturating_sub(column.len()));
        }
        for (_, column) in &mut self.others {
            column.reserve(rows.saturating_sub(column.len()));
        }
    }

    /// Takes the columns of the format registered as `format` out of the table, padded to
    /// the rows it holds, so that a [`RowWriter`] can append to them without looking each
    /// one up per value. [`Self::check_in`] puts them back.
    pub(crate) fn check_out(&mut self, format: usize, columns: &[ColumnId]) -> RowWriter {
        let rows = self.rows;
        let fields = self.formats[format].fields().to_vec();
        let targets = fields
            .iter()
            .zip(columns)
            .map(|(field, &home)| {
                let mut column = match home {
                    ColumnId::Known(slot) => self.known[slot].take(),
                    ColumnId::Other(i) => Some(Column::Text(std::mem::take(&mut self.others[i].1))),
                }
                // A field named twice (possible only through `Format::new`) finds its column
                // already taken: its second position writes to a column that is then dropped,
                // so the first position's values are the ones kept.
                .unwrap_or_else(|| Column::for_kind(field.kind()));
                column.pad_to(rows);
                Target::new(field.kind(), column)
            })
            .collect();
        RowWriter::new(format, targets, columns.to_vec())
    }

    /// Puts back the columns a [`RowWriter`] took out.
    pub(crate) fn check_in(&mut self, writer: RowWriter) {
        let mut returned = Vec::new();
        for (home, column) in writer.into_columns() {
            // Only the first position of a field named twice goes back (see `check_out`).
            if returned.contains(&home) {
                continue;
            }
            returned.push(home);
            match (home, column) {
                (ColumnId::Known(slot), column) => self.known[slot] = Some(column),
                (ColumnId::Other(i), Column::Text(column)) => self.others[i].1 = column,
                (ColumnId::Other(_), _) => {}
            }
        }
    }

    /// Counts `rows` rows that a [`RowWriter`] of `format` has just appended, read from
    /// the lines that follow one another from `line` on.
    #[inline]
    pub(crate) fn note_rows(&mut self, format: usize, line: u64, rows: u64) {
        let row = self.rows;
        if self.format_runs.last().is_none_or(|&(_, f)| f != format) {
            self.format_runs.push((row, format));
        }
        // The rows' lines follow one another as the rows do, so one offset covers them all.
        let offset = line as i64 - row as i64;
        if self.line_runs.last().is_none_or(|&(_, o)| o != offset) {
            self.line_runs.push((row, offset));
        }
        self.rows += rows as usize;
    }

    /// The table as one run of bytes, to move it to another
    /// WebAssembly instance; [`FlowTable::from_image`] reads it back.
    pub fn to_image(&self) -> Vec<u8> {
        let mut w = Writer::new(self.heap_bytes());
        w.u64(self.rows as u64);
        w.addresses(&self.addresses);
        match self.pairs() {
            Some(pairs) => {
                w.u8(1);
                pairs.write_image(&mut w);
            }
            None => w.u8(0),
        }
        for column in &self.known {
            match column {
                None => w.u8(0),
                Some(Column::Int(c)) => {
                    w.u8(1);
                    c.write_image(&mut w)
                }
                Some(Column::Addr(c)) => match c.side() {
                    // The pairs were written once, above.
                    Some(side) => {
                        w.u8(4);
                        w.u8(side as u8);
                    }
                    None => {
                        w.u8(2);
                        c.write_image(&mut w)
                    }
                },
                Some(Column::Text(c)) => {
                    w.u8(3);
                    c.write_image(&mut w)
                }
            }
        }
        w.u64(self.others.len() as u64);
        for (name, column) in &self.others {
            w.str(name);
            column.write_image(&mut w);
        }
        w.u64(self.formats.len() as u64);
        for format in &self.formats {
            w.u64(format.len() as u64);
            for field in format.fields() {
                w.str(field.name());
            }
        }
        w.u64(self.format_runs.len() as u64);
        for (row, format) in &self.format_runs {
            w.u64(*row as u64);
            w.u64(*format as u64);
        }
        w.u64(self.line_runs.len() as u64);
        for (row, delta) in &self.line_runs {
            w.u64(*row as u64);
            w.i64(*delta);
        }
        w.out
    }

    /// Reads [`FlowTable::to_image`] back from its bytes, or from an [`ImageSource`] that
    /// holds them elsewhere, checking that every part fits the others, so that a damaged
    /// image is an error rather than a table that panics later.
    pub fn from_image(image: &dyn ImageSource) -> Result<FlowTable, ImageError> {
        let mut r = Reader::new(image)?;
        let rows = usize::try_from(r.u64()?).map_err(|_| ImageError("too many rows".into()))?;
        let addresses = Arc::new(r.addresses()?);
        let pairs = match r.u8()? {
            0 => None,
            1 => Some(Arc::new(AddrPairs::read_image(&mut r, addresses.len())?)),
            other => return Err(ImageError(format!("unknown pairs mark {other}"))),
        };
        let mut known = Vec::with_capacity(Field::ALL.len());
        for field in Field::ALL {
            let column = match r.u8()? {
                0 => None,
                1 => Some(Column::Int(IntColumn::read_image(&mut r)?)),
                2 => Some(Column::Addr(AddrColumn::read_image(&mut r, &addresses)?)),
                4 => {
                    let side = usize::from(r.u8()?);
                    let (Some(pairs), true) = (&pairs, side < 2) else {
                        return Err(ImageError(format!(
                            "the {} column is a side of pairs that are not there",
                            field.name()
                        )));
                    };
                    Some(Column::Addr(AddrColumn::paired(
                        pairs.clone(),
                        side,
                        addresses.clone(),
                    )))
                }
                3 => Some(Column::Text(TextColumn::read_image(&mut r)?)),
                other => return Err(ImageError(format!("unknown column mark {other}"))),
            };
            if let Some(column) = &column {
                let kind_fits = matches!(
                    (column, Column::for_kind(field.kind())),
                    (Column::Int(_), Column::Int(_))
                        | (Column::Addr(_), Column::Addr(_))
                        | (Column::Text(_), Column::Text(_))
                );
                if !kind_fits || column.len() != rows {
                    return Err(ImageError(format!(
                        "the {} column does not fit",
                        field.name()
                    )));
                }
            }
            known.push(column);
        }
        let mut others = Vec::new();
        for _ in 0..r.len(8)? {
            let name = r.str()?;
            let column = TextColumn::read_image(&mut r)?;
            if column.len() != rows {
                return Err(ImageError(format!("the {name} column does not fit")));
            }
            others.push((name, column));
        }
        let mut formats = Vec::new();
        for _ in 0..r.len(8)? {
            let mut fields = Vec::new();
            for _ in 0..r.len(8)? {
                fields.push(FieldRef::from_name(&r.str()?));
            }
            formats.push(Format::new(fields));
        }
        let mut format_runs = Vec::new();
        for _ in 0..r.len(16)? {
            let row = r.u64()? as usize;
            let format = r.u64()? as usize;
            if format >= formats.len() {
                return Err(ImageError("a row names a format that is not there".into()));
            }
            format_runs.push((row, format));
        }
        let mut line_runs = Vec::new();
        for _ in 0..r.len(16)? {
            line_runs.push((r.u64()? as usize, r.i64()?));
        }
        let runs_start = |runs: &[usize]| rows == 0 || runs.first() == Some(&0);
        let format_starts: Vec<usize> = format_runs.iter().map(|(row, _)| *row).collect();
        let line_starts: Vec<usize> = line_runs.iter().map(|(row, _)| *row).collect();
        if !runs_start(&format_starts) || !runs_start(&line_starts) {
            return Err(ImageError("the first row has no format or line".into()));
        }
        if !r.is_empty() {
            return Err(ImageError("bytes are left over".into()));
        }
        Ok(FlowTable {
            rows,
            known,
            others,
            formats,
            format_runs,
            line_runs,
            addresses,
            reserve_rows: 0,
        })
    }

    /// Pads every column to the table's length, so that every column answers for every
    /// row, gives back the room reserved from the size hint but not used, codes the
    /// address columns against one dictionary, and keeps `srcaddr` and `dstaddr` as one
    /// code per row for their pair (see [`AddrColumn`]). Called once decoding ends.
    pub(crate) fn seal(&mut self) {
        let rows = self.rows;
        for column in self.known.iter_mut().flatten() {
            column.pad_to(rows);
            column.shrink_to_fit();
        }
        for (_, column) in &mut self.others {
            column.pad_to(rows);
            column.shrink_to_fit();
        }
        // `srcaddr` and `dstaddr`, when the table has both, are taken out to be paired; the
        // other address columns are coded one per row.
        let (src, dst) = (Field::SrcAddr.index(), Field::DstAddr.index());
        let pair = match (self.known[src].take(), self.known[dst].take()) {
            (Some(Column::Addr(source)), Some(Column::Addr(destination))) => {
                Some((source.into_words(), destination.into_words()))
            }
            (source, destination) => {
                (self.known[src], self.known[dst]) = (source, destination);
                None
            }
        };
        let mut dictionary = AddrDictionary::default();
        let mut coded = Vec::new();
        for (slot, column) in self.known.iter_mut().enumerate() {
            if let Some(Column::Addr(addresses)) = column {
                dictionary.code(std::mem::take(addresses).into_words());
                coded.push(slot);
            }
        }
        if let Some((source, destination)) = pair {
            dictionary.pair(source, destination);
        }
        let (columns, pairs, addresses) = dictionary.finish();
        for (slot, column) in coded.into_iter().zip(columns) {
            self.known[slot] = Some(Column::Addr(column));
        }
        if let Some(pairs) = pairs {
            let pairs = Arc::new(pairs);
            for (side, slot) in [src, dst].into_iter().enumerate() {
                let column = AddrColumn::paired(pairs.clone(), side, addresses.clone());
                self.known[slot] = Some(Column::Addr(column));
            }
        }
        self.addresses = addresses;
    }

    /// Every row's pair of `srcaddr` and `dstaddr` as one code, if the table has both.
    pub fn pairs(&self) -> Option<&Arc<AddrPairs>> {
        self.addr(Field::SrcAddr)?.pairs()
    }
}

#[cfg(test)]
mod tests {
    use crate::{decode_all, Field, FlowTable};
    use std::net::IpAddr;

    /// `image` with the 4 bytes after the first run of `anchor` set to `value`.
    fn patched(mut image: Vec<u8>, anchor: &[u8], value: u32) -> Vec<u8> {
        let at = image
            .windows(anchor.len())
            .position(|w| w == anchor)
            .expect("the anchor")
            + anchor.len();
        image[at..at + 4].copy_from_slice(&value.to_le_bytes());
        image
    }

    #[test]
    fn an_image_whose_address_code_is_not_in_the_dictionary_is_refused() {
        // One address column, so that it is coded by itself rather than paired.
        let text = "srcaddr\n10.0.0.1\n10.0.0.2\n";
        let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
        assert_eq!(table.addresses().len(), 2);
        assert!(table.pairs().is_none());
        let image = table.to_image();
        assert!(FlowTable::from_image(&image).is_ok());
        // No pairs; `version`, `account-id` and `interface-id` absent; then the `srcaddr`
        // column: its mark, then two codes, their count first.
        let column = [0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0];
        let error = FlowTable::from_image(&patched(image, &column, 2)).unwrap_err();
        assert!(error.0.contains("not in the dictionary"), "{error:?}");
    }

    #[test]
    fn an_image_whose_dictionary_holds_the_missing_address_twice_is_refused() {
        let text = "srcaddr\n-\n-\n10.0.0.1\n";
        let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
        assert_eq!(table.addresses().missing(), Some(0));
        let mut image = table.to_image();
        assert!(FlowTable::from_image(&image).is_ok());
        // After the magic word, the rows and the dictionary's length: the missing value's
        // mark (0), then 10.0.0.1's (4), which becomes a second missing mark.
        let second_mark = 8 + 8 + 8 + 1;
        assert_eq!(image[second_mark - 1..=second_mark], [0, 4]);
        image[second_mark] = 0;
        let error = FlowTable::from_image(&image).unwrap_err();
        assert!(
            error.0.contains("missing address is entered twice"),
            "{error:?}"
        );
    }

    #[test]
    fn pairs_follow_frequency_and_give_back_each_side() {
        let text = "version srcaddr dstaddr\n\
                    2 10.0.0.1 10.0.0.2\n\
                    2 10.0.0.2 ::1\n\
                    2 10.0.0.2 ::1\n\
                    2 - 10.0.0.2\n\
                    2 10.0.0.2 ::1\n";
        let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
        let pairs = table.pairs().expect("srcaddr and dstaddr are paired");
        // The pair on three rows comes first, then the others from the last row back.
        assert_eq!(pairs.codes(), [2, 0, 0, 1, 0]);
        let addr = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        let expected = [
            (addr("10.0.0.1"), addr("10.0.0.2")),
            (addr("10.0.0.2"), addr("::1")),
            (addr("10.0.0.2"), addr("::1")),
            (None, addr("10.0.0.2")),
            (addr("10.0.0.2"), addr("::1")),
        ];
        let (src, dst) = (table.addr(Field::SrcAddr), table.addr(Field::DstAddr));
        let (src, dst) = (src.unwrap(), dst.unwrap());
        for (row, (s, d)) in expected.into_iter().enumerate() {
            assert_eq!((src.get(row), dst.get(row)), (s, d), "row {row}");
            let values = table.addresses();
            assert_eq!(values.get(src.codes().get(row) as usize), s);
            assert_eq!(values.get(dst.codes().get(row) as usize), d);
        }
        let back = FlowTable::from_image(&table.to_image()).unwrap();
        assert_eq!(back.pairs(), table.pairs());
        assert_eq!(back.addr(Field::DstAddr).unwrap().get(1), addr("::1"));
    }

    #[test]
    fn pairs_give_back_every_kind_of_address_however_each_side_is_paired() {
        // A side with an address from 240.0.0.0 up is paired by codes, a side without by
        // its words: each way on each side, beside IPv6 and missing addresses.
        let sides = [
            ("240.0.0.1", "239.255.255.255"),
            ("239.255.255.255", "255.255.255.255"),
            ("10.0.0.9", "10.0.0.9"),
        ];
        for (src_high, dst_high) in sides {
            let rows = [
                ("10.0.0.1", "10.0.0.2"),
                ("-", "::1"),
                (src_high, dst_high),
                ("10.0.0.2", "10.0.0.2"),
                ("::1", "-"),
                ("10.0.0.2", "10.0.0.2"),
                ("0.0.0.0", "0.0.0.0"),
                ("-", "10.0.0.2"),
            ];
            let mut text = String::from("srcaddr dstaddr\n");
            for (s, d) in rows {
                text += &format!("{s} {d}\n");
            }
            let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
            assert!(table.pairs().is_some());
            let (src, dst) = (table.addr(Field::SrcAddr), table.addr(Field::DstAddr));
            let (src, dst) = (src.unwrap(), dst.unwrap());
            let value = |text: &str| text.parse::<IpAddr>().ok();
            for (row, (s, d)) in rows.into_iter().enumerate() {
                assert_eq!(
                    (src.get(row), dst.get(row)),
                    (value(s), value(d)),
                    "row {row}"
                );
            }
            // 10.0.0.2 is on five rows' sides, more than any other, so its code is 0.
            assert_eq!(table.addresses().get(0), value("10.0.0.2"), "{src_high}");
            // One code per value, on either side.
            let mut values: Vec<_> = rows
                .iter()
                .flat_map(|(s, d)| [value(s), value(d)])
                .collect();
            values.sort();
            values.dedup();
            assert_eq!(table.addresses().len(), values.len(), "{src_high}");
        }
    }

    #[test]
    fn pairs_of_many_rows_give_back_every_row() {
        // More rows than the pairing reads in one step, in runs and not.
        let addr = |row: usize| -> (IpAddr, IpAddr) {
            let src = [10, 0, (row / 1000 % 250) as u8, (row % 3) as u8];
            let dst = [10, 1, (row % 7) as u8, (row / 50_000) as u8];
            (src.into(), dst.into())
        };
        let mut text = String::from("srcaddr dstaddr\n");
        let rows = 600_000;
        for row in 0..rows {
            let (src, dst) = addr(row);
            text += &format!("{src} {dst}\n");
        }
        let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
        assert!(table.pairs().is_some());
        let (src, dst) = (table.addr(Field::SrcAddr), table.addr(Field::DstAddr));
        let (src, dst) = (src.unwrap(), dst.unwrap());
        for row in 0..rows {
            let (s, d) = addr(row);
            assert_eq!(
                (src.get(row), dst.get(row)),
                (Some(s), Some(d)),
                "row {row}"
            );
        }

        // Read back from a source that counts its copies: each long column comes in one
        // copy, the small reads a window at a time, never one copy each.
        struct Counted(Vec<u8>, std::cell::Cell<usize>);
        impl crate::ImageSource for Counted {
            fn len(&self) -> usize {
                self.0.len()
            }
            fn copy_to(&self, at: usize, into: &mut [u8]) {
                self.1.set(self.1.get() + 1);
                self.0.copy_to(at, into);
            }
        }
        let image = Counted(table.to_image(), Default::default());
        let back = FlowTable::from_image(&image).unwrap();
        assert!(image.1.get() < 20, "{} copies", image.1.get());
        let (back_src, back_dst) = (back.addr(Field::SrcAddr), back.addr(Field::DstAddr));
        let (back_src, back_dst) = (back_src.unwrap(), back_dst.unwrap());
        for row in 0..rows {
            assert_eq!(
                (back_src.get(row), back_dst.get(row)),
                (src.get(row), dst.get(row)),
                "row {row}"
            );
        }
    }

    #[test]
    fn an_image_whose_pairs_do_not_fit_is_refused() {
        let text = "srcaddr dstaddr\n10.0.0.1 10.0.0.2\n";
        let table = decode_all("t.log", text.as_bytes(), Default::default()).table;
        let image = table.to_image();
        assert!(FlowTable::from_image(&image).is_ok());
        // The pairs' mark, then one row's pair code, its count first.
        let codes = [1, 1, 0, 0, 0, 0, 0, 0, 0];
        let error = FlowTable::from_image(&patched(image.clone(), &codes, 1)).unwrap_err();
        assert!(error.0.contains("not among the pairs"), "{error:?}");
        // Then the pair's two address codes, their count first.
        let pair = [
            1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
        ];
        let error = FlowTable::from_image(&patched(image, &pair, 2)).unwrap_err();
        assert!(error.0.contains("not in the dictionary"), "{error:?}");
    }
}
