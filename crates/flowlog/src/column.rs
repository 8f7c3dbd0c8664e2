//! Compact column storage: integers that widen only when a value needs it, dictionary-encoded
//! text, and addresses as codes in a dictionary that a table's address columns share.
//!
//! Every column is filled row by row and may be behind the table: a column pads itself with
//! missing values up to the row it is asked to write, so a field that a format lacks costs
//! nothing until some other format in the same table carries it.

pub use crate::addresses::Addresses;
use crate::image::{ImageError, Reader, Writer};
use crate::places::{first_places, grouped_by_key, sort_key};
use hashbrown::hash_table::{self, HashTable};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// One bit per row. Used for "missing" and "is IPv6" marks, created only when first needed.
/// The bits past the length are kept zero, so appending a zero only has to count it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// An empty bitmap.
    pub const fn new() -> Bitmap {
        Bitmap {
            words: Vec::new(),
            len: 0,
        }
    }

    /// A bitmap of `len` bits, all `value`.
    pub fn filled(len: usize, value: bool) -> Bitmap {
        let fill = if value { u64::MAX } else { 0 };
        let mut bitmap = Bitmap {
            words: vec![fill; len.div_ceil(64)],
            len,
        };
        bitmap.clear_tail();
        bitmap
    }

    /// Zeroes the bits past the length in the last word.
    fn clear_tail(&mut self) {
        if let Some(last) = self.words.get_mut(self.len / 64) {
            *last &= (1u64 << (self.len % 64)) - 1;
        }
    }

    /// Appends a bit.
    ///
    /// Always inlined: a column with missing marks appends a zero here for every value it
    /// holds, and as a call that cost the decoder about 1.5 % of its instructions.
    #[inline(always)]
    pub fn push(&mut self, bit: bool) {
        let (word, offset) = (self.len / 64, self.len % 64);
        if offset == 0 {
            self.words.push(0);
        }
        if bit {
            self.words[word] |= 1 << offset;
        }
        self.len += 1;
    }

    /// Appends the lowest `count` bits of `bits` (at most 64; the bits above them are zero),
    /// a word or two at a time wherever the bitmap ends.
    #[inline]
    pub(crate) fn push_bits(&mut self, bits: u64, count: usize) {
        debug_assert!(count <= 64 && (count == 64 || bits >> count == 0));
        let offset = self.len % 64;
        if offset == 0 {
            if count > 0 {
                self.words.push(bits);
            }
        } else {
            if let Some(last) = self.words.last_mut() {
                *last |= bits << offset;
            }
            if offset + count > 64 {
                self.words.push(bits >> (64 - offset));
            }
        }
        self.len += count;
    }

    /// Removes the last bit.
    fn pop(&mut self) {
        self.len -= 1;
        if self.len.is_multiple_of(64) {
            self.words.truncate(self.len / 64);
        } else {
            self.clear_tail();
        }
    }

    /// The bit at `index`.
    #[inline]
    pub fn get(&self, index: usize) -> bool {
        self.words[index / 64] >> (index % 64) & 1 == 1
    }

    /// How many bits it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bits as 64-bit words, bit `i` of word `w` being entry `64 * w + i`. Bits past
    /// [`Self::len`] are zero. For readers that test 64 rows at a time.
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// Makes room for `additional` more bits.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let words = (self.len + additional).div_ceil(64);
        self.words
            .reserve_exact(words.saturating_sub(self.words.len()));
    }

    fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
    }

    /// A bitmap of `len` bits from its words, as [`Self::words`] gives them (`len.div_ceil(64)`
    /// of them; the image reader checks).
    pub(crate) fn from_words(words: Vec<u64>, len: usize) -> Bitmap {
        let mut bitmap = Bitmap { words, len };
        bitmap.clear_tail();
        bitmap
    }
}

/// Unsigned integers stored at the narrowest width that holds every value seen so far, or
/// as one value and a count while every row holds the same value.
#[derive(Clone, Debug)]
enum Words {
    /// Every row holds `value`: a file's `version`, or its one account, takes no memory per
    /// row. `capacity` is the rows reserved, allocated once a second value comes.
    Same {
        value: u64,
        len: usize,
        capacity: usize,
    },
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

impl Words {
    fn len(&self) -> usize {
        match self {
            Words::Same { len, .. } => *len,
            Words::U8(v) => v.len(),
            Words::U16(v) => v.len(),
            Words::U32(v) => v.len(),
            Words::U64(v) => v.len(),
        }
    }

    fn pop(&mut self) {
        match self {
            Words::Same { len, .. } => *len = len.saturating_sub(1),
            Words::U8(v) => drop(v.pop()),
            Words::U16(v) => drop(v.pop()),
            Words::U32(v) => drop(v.pop()),
            Words::U64(v) => drop(v.pop()),
        }
    }

    #[inline]
    fn get(&self, index: usize) -> u64 {
        match self {
            Words::Same { value, len, .. } => {
                assert!(index < *len, "row {index} of {len}");
                *value
            }
            Words::U8(v) => v[index] as u64,
            Words::U16(v) => v[index] as u64,
            Words::U32(v) => v[index] as u64,
            Words::U64(v) => v[index],
        }
    }

    #[inline(always)]
    fn push(&mut self, value: u64) {
        match self {
            Words::Same {
                value: same, len, ..
            } if *same == value || *len == 0 => {
                *same = value;
                *len += 1;
                return;
            }
            Words::U8(v) if value <= u8::MAX as u64 => return v.push(value as u8),
            Words::U16(v) if value <= u16::MAX as u64 => return v.push(value as u16),
            Words::U32(v) if value <= u32::MAX as u64 => return v.push(value as u32),
            Words::U64(v) => return v.push(value),
            _ => {}
        }
        self.widen_for(value);
        self.push(value);
    }

    /// Appends several values at once. The loops over them have no branch per value, so
    /// the compiler makes them vector operations.
    #[inline]
    fn extend(&mut self, values: &[u64]) {
        let Some(&first) = values.first() else {
            return;
        };
        // An OR of the values has the largest one's highest bit, so it needs the same width.
        let bits = values.iter().fold(0, |bits, &v| bits | v);
        match self {
            Words::Same {
                value: same, len, ..
            } if (*same == first || *len == 0)
                && values.iter().fold(0, |differ, &v| differ | (v ^ first)) == 0 =>
            {
                *same = first;
                *len += values.len();
                return;
            }
            Words::U8(v) if bits <= u8::MAX as u64 => {
                return v.extend(values.iter().map(|&x| x as u8))
            }
            Words::U16(v) if bits <= u16::MAX as u64 => {
                return v.extend(values.iter().map(|&x| x as u16))
            }
            Words::U32(v) if bits <= u32::MAX as u64 => {
                return v.extend(values.iter().map(|&x| x as u32))
            }
            Words::U64(v) => return v.extend_from_slice(values),
            _ => {}
        }
        self.widen_for(bits);
        self.extend(values);
    }

    /// Rewrites the column as words wide enough for `value`: one or more steps wider, at
    /// most three times per column, or from one value to words the first time a second
    /// value comes. The new words are allocated once, for the rows reserved.
    #[cold]
    fn widen_for(&mut self, value: u64) {
        let len = self.len();
        let capacity = self.capacity().max(len + 1);
        // A column of one value may hold a wider value than the one that comes.
        let widest = match *self {
            Words::Same { value: same, .. } => same.max(value),
            _ => value,
        };
        fn rewrite<T>(
            values: impl Iterator<Item = u64>,
            capacity: usize,
            to: fn(u64) -> T,
        ) -> Vec<T> {
            let mut words = Vec::with_capacity(capacity);
            words.extend(values.map(to));
            words
        }
        let values = (0..len).map(|i| self.get(i));
        *self = if widest <= u8::MAX as u64 {
            Words::U8(rewrite(values, capacity, |x| x as u8))
        } else if widest <= u16::MAX as u64 {
            Words::U16(rewrite(values, capacity, |x| x as u16))
        } else if widest <= u32::MAX as u64 {
            Words::U32(rewrite(values, capacity, |x| x as u32))
        } else {
            Words::U64(rewrite(values, capacity, |x| x))
        };
    }

    fn capacity(&self) -> usize {
        match self {
            Words::Same { capacity, .. } => *capacity,
            Words::U8(v) => v.capacity(),
            Words::U16(v) => v.capacity(),
            Words::U32(v) => v.capacity(),
            Words::U64(v) => v.capacity(),
        }
    }

    fn reserve(&mut self, additional: usize) {
        match self {
            Words::Same { len, capacity, .. } => *capacity = (*capacity).max(*len + additional),
            Words::U8(v) => v.reserve_exact(additional),
            Words::U16(v) => v.reserve_exact(additional),
            Words::U32(v) => v.reserve_exact(additional),
            Words::U64(v) => v.reserve_exact(additional),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Words::Same { len, capacity, .. } => *capacity = *len,
            Words::U8(v) => v.shrink_to_fit(),
            Words::U16(v) => v.shrink_to_fit(),
            Words::U32(v) => v.shrink_to_fit(),
            Words::U64(v) => v.shrink_to_fit(),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Words::Same { .. } => 0,
            Words::U8(v) => v.capacity(),
            Words::U16(v) => v.capacity() * 2,
            Words::U32(v) => v.capacity() * 4,
            Words::U64(v) => v.capacity() * 8,
        }
    }
}

/// The stored words of an [`IntColumn`], at the width the column has reached, one per row;
/// missing rows hold 0. Lets a reader pick its loop once per column instead of once per row.
#[derive(Clone, Copy, Debug)]
pub enum IntWords<'a> {
    /// Every row holds `value` (missing rows too, then 0): the column stores no words.
    Same {
        /// The value.
        value: u64,
        /// The rows.
        len: usize,
    },
    /// Every value fits in a byte.
    U8(&'a [u8]),
    /// Every value fits in 16 bits.
    U16(&'a [u16]),
    /// Every value fits in 32 bits.
    U32(&'a [u32]),
    /// Some value needs 64 bits.
    U64(&'a [u64]),
}

/// Integers with missing values. Missing rows hold 0 and are marked in a bitmap that exists
/// only once the column has seen a missing value.
#[derive(Clone, Debug)]
pub struct IntColumn {
    words: Words,
    missing: Option<Bitmap>,
    /// The row whose missing value created `missing`, so that [`Self::pop`] can take the
    /// bitmap away again with the row that brought it.
    missing_since: usize,
}

impl Default for IntColumn {
    fn default() -> Self {
        IntColumn {
            words: Words::Same {
                value: 0,
                len: 0,
                capacity: 0,
            },
            missing: None,
            missing_since: 0,
        }
    }
}

impl IntColumn {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether it holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row`, or `None` where it is missing.
    #[inline]
    pub fn get(&self, row: usize) -> Option<u64> {
        if let Some(missing) = &self.missing {
            if missing.get(row) {
                return None;
            }
        }
        Some(self.words.get(row))
    }

    /// Whether any row is missing.
    pub fn has_missing(&self) -> bool {
        self.missing.is_some()
    }

    /// The raw word at `row`, 0 where missing. For loops that check [`Self::has_missing`]
    /// once instead of every row.
    #[inline]
    pub fn raw(&self, row: usize) -> u64 {
        self.words.get(row)
    }

    /// Every row's raw word (0 where missing), as a slice of the column's current width.
    #[inline]
    pub fn words(&self) -> IntWords<'_> {
        match &self.words {
            Words::Same { value, len, .. } => IntWords::Same {
                value: *value,
                len: *len,
            },
            Words::U8(v) => IntWords::U8(v),
            Words::U16(v) => IntWords::U16(v),
            Words::U32(v) => IntWords::U32(v),
            Words::U64(v) => IntWords::U64(v),
        }
    }

    /// The rows that are missing, if any row is.
    #[inline]
    pub fn missing_bitmap(&self) -> Option<&Bitmap> {
        self.missing.as_ref()
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, value: u64) {
        self.words.push(value);
        if let Some(missing) = &mut self.missing {
            missing.push(false);
        }
    }

    /// Appends up to 64 rows at once: `values`, where the rows whose bit is set in `missing`
    /// (bit `i` for `values[i]`) are missing and hold 0.
    #[inline]
    pub(crate) fn extend(&mut self, values: &[u64], missing: u64) {
        let len = self.len();
        self.words.extend(values);
        push_marks(
            &mut self.missing,
            &mut self.missing_since,
            len,
            missing,
            values.len(),
        );
    }

    /// Appends a missing value.
    #[inline]
    pub fn push_missing(&mut self) {
        let len = self.len();
        self.words.push(0);
        push_marks(&mut self.missing, &mut self.missing_since, len, 1, 1);
    }

    /// Removes the last row, leaving the column as it was before that row was appended
    /// (except that its width may stay wider). For a decoder that finds a line bad halfway.
    pub(crate) fn pop(&mut self) {
        let row = self.len() - 1;
        self.words.pop();
        if let Some(missing) = &mut self.missing {
            missing.pop();
            if self.missing_since == row {
                self.missing = None;
            }
        }
    }

    /// Pads with missing values until the column holds `rows` rows.
    #[inline]
    pub fn pad_to(&mut self, rows: usize) {
        while self.len() < rows {
            self.push_missing();
        }
    }

    /// Makes room for `additional` more rows, missing marks included once the column has
    /// any: in WebAssembly, memory given up when a vector grows is never returned.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.words.reserve(additional);
        if let Some(m) = &mut self.missing {
            m.reserve(additional);
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
        if let Some(m) = &mut self.missing {
            m.shrink_to_fit();
        }
    }

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.words.heap_bytes() + self.missing.as_ref().map_or(0, Bitmap::heap_bytes)
    }

    pub(crate) fn write_image(&self, w: &mut Writer) {
        match &self.words {
            Words::Same { value, len, .. } => {
                w.u8(0);
                w.u64(*value);
                w.u64(*len as u64);
            }
            Words::U8(v) => {
                w.u8(1);
                w.bytes(v)
            }
            Words::U16(v) => {
                w.u8(2);
                w.u16s(v)
            }
            Words::U32(v) => {
                w.u8(4);
                w.u32s(v)
            }
            Words::U64(v) => {
                w.u8(8);
                w.u64s(v)
            }
        }
        w.bitmap(self.missing.as_ref());
    }

    pub(crate) fn read_image(r: &mut Reader<'_>) -> Result<IntColumn, ImageError> {
        let words = match r.u8()? {
            0 => {
                let value = r.u64()?;
                let len =
                    usize::try_from(r.u64()?).map_err(|_| ImageError("too many rows".into()))?;
                Words::Same {
                    value,
                    len,
                    capacity: len,
                }
            }
            1 => Words::U8(r.bytes()?),
            2 => Words::U16(r.u16s()?),
            4 => Words::U32(r.u32s()?),
            8 => Words::U64(r.u64s()?),
            other => return Err(ImageError(format!("unknown integer width {other}"))),
        };
        let missing = r.bitmap()?;
        if missing.as_ref().is_some_and(|m| m.len() != words.len()) {
            return Err(ImageError(
                "a column's values and missing marks disagree".into(),
            ));
        }
        Ok(IntColumn {
            words,
            missing,
            missing_since: 0,
        })
    }
}

/// Appends `count` marks (at most 64, the lowest bits of `bits`) to a column of `len` rows
/// whose bitmap of marks exists only once some row is marked; `since` keeps the row whose
/// mark created it, so that taking that row back can take the bitmap away again. The one
/// way a column's missing or IPv6 marks are made, a row or a block of rows at a time.
#[inline]
fn push_marks(marks: &mut Option<Bitmap>, since: &mut usize, len: usize, bits: u64, count: usize) {
    if bits != 0 && marks.is_none() {
        *since = len + bits.trailing_zeros() as usize;
        *marks = Some(Bitmap::filled(len, false));
    }
    if let Some(marks) = marks {
        marks.push_bits(bits, count);
    }
}

/// Text stored once per distinct value; rows hold an index. Index 0 means missing.
#[derive(Clone, Debug)]
pub struct TextColumn {
    values: Vec<Box<str>>,
    /// Indexes into `values`, found by the hash of their text: the text is stored once.
    lookup: HashTable<u32>,
    indexes: IntColumn,
    /// The index of the last value pushed (0 for none): flow logs repeat the same account
    /// and interface on long runs of lines, and this skips the hash for them.
    last: u32,
    /// Indexes of values pushed lately (0 for none), each in the slot [`recent_slot`] picks
    /// for its text: a file cycles through a few hundred interfaces and a few accounts,
    /// and a slot that names the value spares hashing all of it and probing `lookup`.
    recent: Box<[u32; RECENT_SLOTS]>,
    /// The row that added the newest dictionary entry, so that [`Self::pop`] can take the
    /// entry away again with the row that brought it.
    newest_since: usize,
}

impl Default for TextColumn {
    fn default() -> Self {
        TextColumn {
            values: vec!["".into()],
            lookup: HashTable::new(),
            indexes: IntColumn::default(),
            last: 0,
            recent: Box::new([0; RECENT_SLOTS]),
            newest_since: 0,
        }
    }
}

impl TextColumn {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.indexes.len()
    }

    /// Whether it holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row`, or `None` where it is missing.
    #[inline]
    pub fn get(&self, row: usize) -> Option<&str> {
        match self.indexes.raw(row) {
            0 => None,
            i => Some(&self.values[i as usize]),
        }
    }

    /// The dictionary index at `row`: 0 where missing, else an index into [`Self::dictionary`].
    #[inline]
    pub fn code(&self, row: usize) -> u32 {
        self.indexes.raw(row) as u32
    }

    /// Every row's dictionary index (0 where missing), for loops over the whole column.
    #[inline]
    pub fn codes(&self) -> &IntColumn {
        &self.indexes
    }

    /// The distinct values; entry 0 is the empty placeholder for "missing".
    pub fn dictionary(&self) -> &[Box<str>] {
        &self.values
    }

    /// Appends a value.
    #[inline]
    pub fn push(&mut self, value: &str) {
        self.push_bytes(value.as_bytes());
    }

    /// Appends a value given as the bytes of valid UTF-8 text, which the decoder has
    /// checked; the text is made a `str` only when it is new to the dictionary.
    #[inline]
    pub(crate) fn push_bytes(&mut self, value: &[u8]) {
        let code = self.code_of(value, self.len());
        self.indexes.push(code as u64);
    }

    /// The dictionary index of a value given as the bytes of valid UTF-8 text, added to the
    /// dictionary if new, for the value of `row`; the caller appends it (with
    /// [`Self::push_codes`]) or takes it back (with [`Self::take_back_code`]).
    #[inline(always)]
    pub(crate) fn code_of(&mut self, value: &[u8], row: usize) -> u32 {
        if self.last != 0 && same_bytes(self.values[self.last as usize].as_bytes(), value) {
            return self.last;
        }
        let slot = recent_slot(value);
        if let Some(slot) = slot {
            let index = self.recent[slot];
            if index != 0 && same_bytes(self.values[index as usize].as_bytes(), value) {
                self.last = index;
                return index;
            }
        }
        let hash = hash_bytes(value);
        let values = &self.values;
        let index = match self
            .lookup
            .find(hash, |&i| same_bytes(values[i as usize].as_bytes(), value))
        {
            Some(&index) => index,
            None => self.add(hash, value, row),
        };
        if let Some(slot) = slot {
            self.recent[slot] = index;
        }
        self.last = index;
        index
    }

    /// Adds a value to the dictionary for `row` and returns its index.
    #[cold]
    fn add(&mut self, hash: u64, value: &[u8], row: usize) -> u32 {
        let index = self.values.len() as u32;
        self.values
            .push(String::from_utf8_lossy(value).into_owned().into_boxed_str());
        let values = &self.values;
        self.lookup
            .insert_unique(hash, index, |&i| hash_bytes(values[i as usize].as_bytes()));
        self.newest_since = row;
        index
    }

    /// Appends rows given as dictionary indexes, as [`Self::code_of`] gave them (0 for
    /// missing).
    #[inline]
    pub(crate) fn push_codes(&mut self, codes: &[u64]) {
        self.indexes.extend(codes, 0);
    }

    /// Removes the last row, and the dictionary entry it added if it added one.
    pub(crate) fn pop(&mut self) {
        let row = self.len() - 1;
        let code = self.indexes.raw(row) as u32;
        self.indexes.pop();
        self.take_back_code(code, row);
    }

    /// Takes back the value [`Self::code_of`] gave for `row`, which was not appended or has
    /// been removed: the dictionary entry it added, if it added one, goes too.
    pub(crate) fn take_back_code(&mut self, code: u32, row: usize) {
        let code = code as usize;
        if code != 0 && code == self.values.len() - 1 && self.newest_since == row {
            let hash = hash_bytes(self.values[code].as_bytes());
            if let Ok(entry) = self.lookup.find_entry(hash, |&i| i as usize == code) {
                entry.remove();
            }
            if let Some(slot) = recent_slot(self.values[code].as_bytes()) {
                self.recent[slot] = 0;
            }
            self.values.pop();
            // The entry now newest came with an earlier row, which is never taken back.
            self.newest_since = usize::MAX;
        }
        self.last = 0;
    }

    /// Appends a missing value.
    #[inline]
    pub fn push_missing(&mut self) {
        self.indexes.push(0);
    }

    /// Pads with missing values until the column holds `rows` rows.
    #[inline]
    pub fn pad_to(&mut self, rows: usize) {
        while self.len() < rows {
            self.push_missing();
        }
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.indexes.reserve(additional);
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.indexes.shrink_to_fit();
    }

    pub(crate) fn write_image(&self, w: &mut Writer) {
        w.u64(self.values.len() as u64);
        for value in &self.values {
            w.str(value);
        }
        self.indexes.write_image(w);
    }

    pub(crate) fn read_image(r: &mut Reader<'_>) -> Result<TextColumn, ImageError> {
        let count = r.len(8)?;
        let mut values = Vec::with_capacity(count);
        for _ in 0..count {
            values.push(r.str()?);
        }
        let indexes = IntColumn::read_image(r)?;
        if (0..indexes.len()).any(|row| indexes.raw(row) as usize >= values.len().max(1)) {
            return Err(ImageError(
                "a text column points past its dictionary".into(),
            ));
        }
        // The lookup only serves appends; it is rebuilt so that the table behaves exactly
        // like the one that was written.
        let mut lookup = HashTable::with_capacity(values.len());
        for (i, value) in values.iter().enumerate().skip(1) {
            lookup.insert_unique(hash_bytes(value.as_bytes()), i as u32, |&i| {
                hash_bytes(values[i as usize].as_bytes())
            });
        }
        Ok(TextColumn {
            values,
            lookup,
            indexes,
            last: 0,
            recent: Box::new([0; RECENT_SLOTS]),
            newest_since: 0,
        })
    }

    /// Bytes of heap memory held, dictionary included.
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self.values.iter().map(|v| v.len()).sum();
        self.indexes.heap_bytes()
            + self.values.capacity() * std::mem::size_of::<Box<str>>()
            + text
            + self.lookup.capacity() * (std::mem::size_of::<u32>() + 1)
            + std::mem::size_of::<[u32; RECENT_SLOTS]>()
    }
}

/// Slots of [`TextColumn`]'s `recent`: more than the interfaces a file usually names, so
/// that few share a slot.
const RECENT_SLOTS: usize = 1 << RECENT_BITS;
const RECENT_BITS: u32 = 10;

/// The `recent` slot of a value of at least eight bytes, from its length and its first and
/// last eight bytes (an interface's or account's id differs from the next in its last
/// digits); `None` for shorter values, which take the lookup.
#[inline(always)]
fn recent_slot(value: &[u8]) -> Option<usize> {
    let len = value.len();
    let head = u64::from_le_bytes(value.get(..8)?.try_into().ok()?);
    let tail = u64::from_le_bytes(value.get(len - 8..)?.try_into().ok()?);
    let mixed = (head.rotate_left(29) ^ tail ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    Some((mixed >> (64 - RECENT_BITS)) as usize)
}

/// The hash the address dictionary files an IPv6 address under.
#[inline]
fn hash_v6(address: Ipv6Addr) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_u128(u128::from(address));
    hasher.finish()
}

/// The hash of the IPv6 address of `code` in `values`, for the dictionary's lookup table,
/// which holds only such codes.
fn hash_v6_code(values: &Addresses, code: u32) -> u64 {
    match values.get(code as usize) {
        Some(IpAddr::V6(address)) => hash_v6(address),
        _ => unreachable!("an IPv6 code holds an IPv6 address"),
    }
}

/// The hash a text column files a value under.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// Byte equality for short values (text-column entries, closed-list words), eight bytes at
/// a time: a call to `memcmp` costs more than the comparison itself at these lengths.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len < 8 {
        // Four bytes at a time from either end (overlapping when fewer than eight): the
        // short values of text columns and every word of an enumeration take this way.
        if len >= 4 {
            let half = |bytes: &[u8], at: usize| {
                u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or([0; 4]))
            };
            return half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4);
        }
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |bytes: &[u8], at: usize| {
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]))
    };
    let mut at = 0;
    while at + 8 < len {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last word may overlap the one before; comparing bytes twice is harmless.
    word(a, len - 8) == word(b, len - 8)
}

/// Addresses, one column per address field.
///
/// While a file is decoded, a column holds `AddrWords`: each IPv4 address as its 32-bit
/// word, the way the fast path reads it. When decoding ends, the table codes every address
/// column against one dictionary that they share, most frequent address first
/// (`AddrDictionary`). A code is 4 bytes a row like the word it replaces, but it is also
/// what grouping by address counts with, so nothing has to keep a second copy of the
/// addresses per row; IPv6 and missing values become entries of the dictionary rather than
/// bitmaps beside the words. Every column of a table that the decoder returns or an image
/// gives back is coded.
///
/// `srcaddr` and `dstaddr` go one step further: the table keeps one code per row for the
/// pair of them ([`AddrPairs`]), and each of the two columns reads its code out of the
/// row's pair. That is 4 bytes a row for both addresses instead of 8, and the pair code is
/// what counting conversations needs anyway (see [`AddrCodes`]).
#[derive(Clone, Debug)]
pub struct AddrColumn {
    form: AddrForm,
}

#[derive(Clone, Debug)]
enum AddrForm {
    /// Being decoded.
    Words(AddrWords),
    /// Decoded: each row's code in `values`, the dictionary of the table's address columns.
    Coded {
        codes: Vec<u32>,
        values: Arc<Addresses>,
    },
    /// Decoded, one side of each row's pair: side 0 is the source, 1 the destination.
    Paired {
        pairs: Arc<AddrPairs>,
        side: usize,
        values: Arc<Addresses>,
    },
}

/// Each row's code in its column's dictionary, however the column keeps it: as
/// [`AddrColumn::codes`] gives it.
#[derive(Clone, Copy, Debug)]
pub enum AddrCodes<'a> {
    /// One code per row.
    Direct(&'a [u32]),
    /// The row's code is one side of the row's pair: `pairs.pairs()[pairs.codes()[row]][side]`.
    Paired {
        /// The table's pairs.
        pairs: &'a AddrPairs,
        /// 0 for the source, 1 for the destination.
        side: usize,
    },
}

impl AddrCodes<'_> {
    /// The code of `row`.
    #[inline]
    pub fn get(&self, row: usize) -> u32 {
        match self {
            AddrCodes::Direct(codes) => codes[row],
            AddrCodes::Paired { pairs, side } => pairs.pairs[pairs.codes[row] as usize][*side],
        }
    }
}

/// Every row's pair of `srcaddr` and `dstaddr` as one code, most frequent pair first, and
/// the two address codes each pair code stands for.
///
/// Made when decoding ends, from a number per row for each side's address (its IPv4
/// word, or its code in the table's dictionary): a hash lookup per row (a run of rows with
/// the same pair is looked up once), the pair code written over the source's number in
/// place, and the destination's numbers given back as they are used. The lookup table
/// holds only pair codes, 4 bytes a slot, and finds a pair's addresses in `pairs`. The
/// pairs' numbers are then turned into address codes, and codes renumbered by how many rows hold each pair, so that the slots of the
/// pairs most rows carry share a few cache lines of any array indexed by pair; pairs
/// that as many rows hold are in the order of their last row, latest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrPairs {
    codes: Vec<u32>,
    pairs: Vec<[u32; 2]>,
}

impl AddrPairs {
    /// The pairs of rows whose sources are numbered `src` and destinations `dst` (of the
    /// same length), with how many rows hold each pair. Each pair holds the two numbers it
    /// was found by, for the caller to turn into address codes.
    fn build(src: Vec<u32>, dst: Vec<u32>) -> (AddrPairs, Vec<u32>) {
        Self::build_in_steps(src, dst, PAIRING_STEP)
    }

    /// [`Self::build`], pairing `step` rows at a time.
    ///
    /// Rows are paired from the last one back, and each pair's code is its place in the
    /// order the pairs are first met that way. They are looked up in a table of the pairs,
    /// a step at a time. When most rows of the steps done brought a pair of their own
    /// (internet traffic, scans, made-up addresses: nearly as many pairs as rows), the rows
    /// left are sorted instead, as `places` explains: a table of as many pairs as rows
    /// would miss the cache on nearly every row. Both ways give the same codes.
    fn build_in_steps(src: Vec<u32>, dst: Vec<u32>, step: usize) -> (AddrPairs, Vec<u32>) {
        debug_assert_eq!(src.len(), dst.len());
        // One multiply in 64 bits, its upper half folded into the lower half that a lookup
        // table reads first. The Fx hash works in 32 bits in WebAssembly, and on the pairs
        // of IPv6 internet traffic (their codes given in order) it sent lookups down long
        // probe sequences.
        let hash = |pair: [u32; 2]| {
            let mixed = (u64::from(pair[0]) << 32 | u64::from(pair[1])).wrapping_mul(PAIR_MIX);
            mixed ^ mixed >> 32
        };
        let mut codes = src;
        let mut dst = dst;
        let mut code_of: HashTable<u32> = HashTable::new();
        let mut pairs: Vec<[u32; 2]> = Vec::new();
        let mut last: Option<([u32; 2], u32)> = None;
        // The destinations of the rows paired are given back after each step: the lookup
        // table and the pairs then grow into memory the destinations held rather than
        // beyond it, which in WebAssembly would be kept for as long as the tab lives.
        let mut end = codes.len();
        while end > 0 {
            // Not below half: the benchmark's 10M generated records have a new pair in 27 %
            // of the first step's rows and in 10 % of all, which lookups find quickly.
            let paired = codes.len() - end;
            if paired > 0 && pairs.len() > paired / 2 {
                Self::sort_rest(&mut codes[..end], &dst, &code_of, &mut pairs, hash);
                break;
            }
            let start = end.saturating_sub(step);
            for row in (start..end).rev() {
                let pair = [codes[row], dst[row]];
                codes[row] = match last {
                    Some((p, code)) if p == pair => code,
                    _ => {
                        // One probe of the table finds the pair or the place for it.
                        let entry = code_of.entry(
                            hash(pair),
                            |&c| pairs[c as usize] == pair,
                            |&c| hash(pairs[c as usize]),
                        );
                        let code = match entry {
                            hash_table::Entry::Occupied(found) => *found.get(),
                            hash_table::Entry::Vacant(place) => {
                                let code = pairs.len() as u32;
                                place.insert(code);
                                pairs.push(pair);
                                code
                            }
                        };
                        last = Some((pair, code));
                        code
                    }
                };
            }
            end = start;
            dst.truncate(end);
            dst.shrink_to_fit();
        }
        // The lookup table and the destinations go before the renumbering allocates, so
        // that it can reuse their memory.
        drop(code_of);
        drop(dst);
        let mut counts = vec![0u32; pairs.len()];
        for &code in &codes {
            counts[code as usize] = counts[code as usize].saturating_add(1);
        }
        // Each list is dropped as soon as the next is made from it: with a pair per row,
        // every one of them is as long as the table.
        let order = most_frequent_first(&counts);
        let counts = order.iter().map(|&old| counts[old as usize]).collect();
        let pairs = order.iter().map(|&old| pairs[old as usize]).collect();
        let renumber = inverse(order);
        for code in &mut codes {
            *code = renumber[*code as usize];
        }
        (AddrPairs { codes, pairs }, counts)
    }

    /// Pairs the rows left (`sources`, with the destinations of as many rows first in
    /// `destinations`), from the last one back, by sorting: only the first row of each pair
    /// met that way is looked up in `code_of`, and a pair not there is new to `pairs`.
    /// Writes each row's pair code over its source.
    fn sort_rest(
        sources: &mut [u32],
        destinations: &[u32],
        code_of: &HashTable<u32>,
        pairs: &mut Vec<[u32; 2]>,
        hash: impl Fn([u32; 2]) -> u64,
    ) {
        let rows = sources.len();
        // Place 0 is the last row, so that the places come in the order rows are paired.
        let row_at = |place: usize| rows - 1 - place;
        let pair_at = |place: usize| {
            let row = row_at(place);
            u128::from(sources[row]) << 32 | u128::from(destinations[row])
        };
        let (mut firsts, distinct) = first_places(rows, pair_at, sort_key);
        pairs.reserve(distinct);
        for place in 0..rows {
            let row = row_at(place);
            let first = firsts[place] as usize;
            let code = if first == place {
                let pair = [sources[row], destinations[row]];
                match code_of.find(hash(pair), |&c| pairs[c as usize] == pair) {
                    Some(&code) => code,
                    None => {
                        pairs.push(pair);
                        pairs.len() as u32 - 1
                    }
                }
            } else {
                // The first place comes before, and holds the code by now.
                firsts[first]
            };
            firsts[place] = code;
            sources[row] = code;
        }
    }

    /// Each row's pair code.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The source's and the destination's address code of each pair code.
    pub fn pairs(&self) -> &[[u32; 2]] {
        &self.pairs
    }

    /// Bytes of heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.codes.capacity() * 4 + self.pairs.capacity() * 8
    }

    pub(crate) fn write_image(&self, w: &mut Writer) {
        w.u32s(&self.codes);
        w.u32s(self.pairs.as_flattened());
    }

    /// Reads pairs back and checks every code: each row's against the pairs, each pair's
    /// against the dictionary of `addresses` entries.
    pub(crate) fn read_image(
        r: &mut Reader<'_>,
        addresses: usize,
    ) -> Result<AddrPairs, ImageError> {
        let codes = r.u32s()?;
        let flat = r.u32s()?;
        if flat.len() % 2 != 0 || flat.iter().any(|&code| code as usize >= addresses) {
            return Err(ImageError(
                "an address pair is not in the dictionary".into(),
            ));
        }
        let pairs: Vec<[u32; 2]> = flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
        if codes.iter().any(|&code| code as usize >= pairs.len()) {
            return Err(ImageError("a pair code is not among the pairs".into()));
        }
        Ok(AddrPairs { codes, pairs })
    }
}

impl Default for AddrColumn {
    fn default() -> Self {
        AddrColumn {
            form: AddrForm::Words(AddrWords::default()),
        }
    }
}

impl AddrColumn {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        match &self.form {
            AddrForm::Words(words) => words.len(),
            AddrForm::Coded { codes, .. } => codes.len(),
            AddrForm::Paired { pairs, .. } => pairs.codes.len(),
        }
    }

    /// Whether it holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The address at `row`, or `None` where it is missing.
    #[inline]
    pub fn get(&self, row: usize) -> Option<IpAddr> {
        match &self.form {
            AddrForm::Words(words) => words.get(row),
            AddrForm::Coded { values, .. } | AddrForm::Paired { values, .. } => {
                values.get(self.codes().get(row) as usize)
            }
        }
    }

    /// The IPv4 word at `row` if the row holds an IPv4 address.
    #[inline]
    pub fn v4(&self, row: usize) -> Option<u32> {
        match self.get(row) {
            Some(IpAddr::V4(a)) => Some(u32::from(a)),
            _ => None,
        }
    }

    /// Each row's code: its position in [`Self::dictionary`].
    ///
    /// # Panics
    ///
    /// On a column that is still being decoded and holds rows, which code outside this
    /// crate never sees.
    #[inline]
    pub fn codes(&self) -> AddrCodes<'_> {
        match &self.form {
            AddrForm::Coded { codes, .. } => AddrCodes::Direct(codes),
            AddrForm::Paired { pairs, side, .. } => AddrCodes::Paired { pairs, side: *side },
            AddrForm::Words(words) => {
                assert!(
                    words.is_empty(),
                    "address columns are coded as decoding ends"
                );
                AddrCodes::Direct(&[])
            }
        }
    }

    /// The pairs whose one side this column is, if it is `srcaddr` or `dstaddr` of a
    /// table that has both.
    pub fn pairs(&self) -> Option<&Arc<AddrPairs>> {
        match &self.form {
            AddrForm::Paired { pairs, .. } => Some(pairs),
            _ => None,
        }
    }

    /// The addresses the codes stand for (`None` for missing), shared by every address
    /// column of the table and ordered from the most frequent; empty before coding.
    #[inline]
    pub fn dictionary(&self) -> &Addresses {
        match &self.form {
            AddrForm::Coded { values, .. } | AddrForm::Paired { values, .. } => values,
            AddrForm::Words(_) => {
                static NONE_YET: Addresses = Addresses::EMPTY;
                &NONE_YET
            }
        }
    }

    /// The words of a column being decoded.
    fn words_mut(&mut self) -> &mut AddrWords {
        match &mut self.form {
            AddrForm::Words(words) => words,
            _ => panic!("a decoded address column is not written to"),
        }
    }

    /// The words of a column being decoded, taken out for a writer to append to.
    pub(crate) fn into_words(self) -> AddrWords {
        match self.form {
            AddrForm::Words(words) => words,
            _ => panic!("a decoded address column is not written to"),
        }
    }

    /// Pads with missing values until the column holds `rows` rows.
    pub(crate) fn pad_to(&mut self, rows: usize) {
        self.words_mut().pad_to(rows);
    }

    /// Makes room for `additional` more rows (see [`AddrWords::reserve`]).
    pub(crate) fn reserve(&mut self, additional: usize) {
        if let AddrForm::Words(words) = &mut self.form {
            words.reserve(additional);
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        match &mut self.form {
            AddrForm::Words(words) => words.shrink_to_fit(),
            AddrForm::Coded { codes, .. } => codes.shrink_to_fit(),
            // Pairs are made at their size.
            AddrForm::Paired { .. } => {}
        }
    }

    /// Bytes of heap memory held, not counting the dictionary, which the table counts once;
    /// the pairs of `srcaddr` and `dstaddr` are counted with the source.
    pub fn heap_bytes(&self) -> usize {
        match &self.form {
            AddrForm::Words(words) => words.heap_bytes(),
            AddrForm::Coded { codes, .. } => codes.capacity() * 4,
            AddrForm::Paired { pairs, side, .. } => {
                if *side == 0 {
                    pairs.heap_bytes()
                } else {
                    0
                }
            }
        }
    }

    /// A coded column; `codes` must all be positions in `values` (the image reader checks).
    pub(crate) fn coded(codes: Vec<u32>, values: Arc<Addresses>) -> AddrColumn {
        AddrColumn {
            form: AddrForm::Coded { codes, values },
        }
    }

    /// One side of `pairs`: 0 for the source, 1 for the destination.
    pub(crate) fn paired(pairs: Arc<AddrPairs>, side: usize, values: Arc<Addresses>) -> AddrColumn {
        AddrColumn {
            form: AddrForm::Paired {
                pairs,
                side,
                values,
            },
        }
    }

    /// Writes a column coded one per row; the table writes paired columns as their pairs.
    pub(crate) fn write_image(&self, w: &mut Writer) {
        match &self.form {
            AddrForm::Coded { codes, .. } => w.u32s(codes),
            _ => panic!("only a column coded one per row is written by itself"),
        }
    }

    /// Which side of the pairs the column is, if it is paired.
    pub(crate) fn side(&self) -> Option<usize> {
        match &self.form {
            AddrForm::Paired { side, .. } => Some(*side),
            _ => None,
        }
    }

    /// Reads a column's codes back and checks each against the table's dictionary.
    pub(crate) fn read_image(
        r: &mut Reader<'_>,
        values: &Arc<Addresses>,
    ) -> Result<AddrColumn, ImageError> {
        let codes = r.u32s()?;
        if codes.iter().any(|&code| code as usize >= values.len()) {
            return Err(ImageError(
                "an address code is not in the dictionary".into(),
            ));
        }
        Ok(AddrColumn::coded(codes, values.clone()))
    }
}

impl From<AddrWords> for AddrColumn {
    fn from(words: AddrWords) -> AddrColumn {
        AddrColumn {
            form: AddrForm::Words(words),
        }
    }
}

/// An address column being decoded: IPv4 as its 32-bit word; IPv6 as an index into a side
/// table, with a bitmap saying which rows are IPv6. Flow logs are overwhelmingly IPv4, so
/// this keeps 4 bytes a row while the fast path appends plain words.
#[derive(Clone, Debug, Default)]
pub(crate) struct AddrWords {
    words: Vec<u32>,
    v6: Vec<u128>,
    is_v6: Option<Bitmap>,
    missing: Option<Bitmap>,
    /// The rows that created `is_v6` and `missing`, so that [`Self::pop`] can take each
    /// bitmap away again with the row that brought it.
    v6_since: usize,
    missing_since: usize,
}

impl AddrWords {
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The address at `row`, or `None` where it is missing.
    #[inline]
    pub(crate) fn get(&self, row: usize) -> Option<IpAddr> {
        if self.missing.as_ref().is_some_and(|m| m.get(row)) {
            return None;
        }
        let word = self.words[row];
        if self.is_v6.as_ref().is_some_and(|m| m.get(row)) {
            return Some(IpAddr::V6(Ipv6Addr::from(self.v6[word as usize])));
        }
        Some(IpAddr::V4(Ipv4Addr::from(word)))
    }

    /// Whether `row`'s address is missing.
    fn is_missing(&self, row: usize) -> bool {
        self.missing.as_ref().is_some_and(|m| m.get(row))
    }

    /// The rows whose IPv4 address is at or above [`ESCAPED`], in order.
    /// The words of rows that are not IPv4 are below it: 0, or a position among the
    /// column's IPv6 addresses.
    fn high_rows(&self) -> Vec<usize> {
        if !self.words.iter().any(|&word| word >= ESCAPED) {
            return Vec::new();
        }
        (0..self.len())
            .filter(|&row| self.words[row] >= ESCAPED)
            .collect()
    }

    /// Whether every row holds an IPv4 address, so that each word is the address.
    fn all_v4(&self) -> bool {
        self.is_v6.is_none() && self.missing.is_none()
    }

    /// The rows that do not hold an IPv4 address, in order.
    fn other_rows(&self) -> Vec<usize> {
        let marks = [&self.is_v6, &self.missing];
        let marks: Vec<&[u64]> = marks.into_iter().flatten().map(Bitmap::words).collect();
        let mut rows = Vec::new();
        for at in 0..marks.iter().map(|m| m.len()).max().unwrap_or(0) {
            let mut bits = marks
                .iter()
                .fold(0, |bits, m| bits | m.get(at).unwrap_or(&0));
            while bits != 0 {
                rows.push(at * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        rows
    }

    /// Appends an IPv4 address.
    #[inline]
    pub(crate) fn push_v4(&mut self, word: u32) {
        self.words.push(word);
        if let Some(m) = &mut self.is_v6 {
            m.push(false);
        }
        if let Some(m) = &mut self.missing {
            m.push(false);
        }
    }

    /// Appends an IPv6 address.
    pub(crate) fn push_v6(&mut self, value: u128) {
        let len = self.len();
        self.words.push(self.v6.len() as u32);
        self.v6.push(value);
        push_marks(&mut self.is_v6, &mut self.v6_since, len, 1, 1);
        if let Some(m) = &mut self.missing {
            m.push(false);
        }
    }

    /// Keeps an IPv6 address for a row appended later by [`Self::extend`], and returns the
    /// word that row holds for it.
    #[inline]
    pub(crate) fn hold_v6(&mut self, value: u128) -> u32 {
        self.v6.push(value);
        (self.v6.len() - 1) as u32
    }

    /// Forgets the last address [`Self::hold_v6`] kept, whose row is not appended.
    pub(crate) fn forget_held_v6(&mut self) {
        self.v6.pop();
    }

    /// Appends up to 64 rows at once: their `words`, each an IPv4 address, or where the
    /// row's bit is set in `is_v6` the word [`Self::hold_v6`] gave, or 0 where it is set in
    /// `missing` (bit `i` for `words[i]`).
    #[inline]
    pub(crate) fn extend(&mut self, words: &[u64], is_v6: u64, missing: u64) {
        let len = self.len();
        self.words.extend(words.iter().map(|&word| word as u32));
        push_marks(&mut self.is_v6, &mut self.v6_since, len, is_v6, words.len());
        push_marks(
            &mut self.missing,
            &mut self.missing_since,
            len,
            missing,
            words.len(),
        );
    }

    /// Appends a missing address.
    pub(crate) fn push_missing(&mut self) {
        let len = self.len();
        self.words.push(0);
        if let Some(m) = &mut self.is_v6 {
            m.push(false);
        }
        push_marks(&mut self.missing, &mut self.missing_since, len, 1, 1);
    }

    /// Removes the last row, leaving the column as it was before that row was appended.
    pub(crate) fn pop(&mut self) {
        let row = self.len() - 1;
        if let Some(is_v6) = &mut self.is_v6 {
            if is_v6.get(row) {
                self.v6.pop();
            }
            is_v6.pop();
            if self.v6_since == row {
                self.is_v6 = None;
            }
        }
        if let Some(missing) = &mut self.missing {
            missing.pop();
            if self.missing_since == row {
                self.missing = None;
            }
        }
        self.words.pop();
    }

    /// Pads with missing values until the column holds `rows` rows.
    pub(crate) fn pad_to(&mut self, rows: usize) {
        while self.len() < rows {
            self.push_missing();
        }
    }

    /// Makes room for `additional` more rows: their words, the marks once the column has
    /// any, and IPv6 addresses in the share seen so far.
    pub(crate) fn reserve(&mut self, additional: usize) {
        if !self.words.is_empty() {
            let v6 = additional as u128 * self.v6.len() as u128 / self.words.len() as u128;
            self.v6.reserve_exact(v6 as usize);
        }
        self.words.reserve_exact(additional);
        for bitmap in [&mut self.is_v6, &mut self.missing].into_iter().flatten() {
            bitmap.reserve(additional);
        }
    }

    fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
        self.v6.shrink_to_fit();
        for bitmap in [&mut self.is_v6, &mut self.missing].into_iter().flatten() {
            bitmap.shrink_to_fit();
        }
    }

    fn heap_bytes(&self) -> usize {
        self.words.capacity() * 4
            + self.v6.capacity() * 16
            + self.is_v6.as_ref().map_or(0, Bitmap::heap_bytes)
            + self.missing.as_ref().map_or(0, Bitmap::heap_bytes)
    }
}

/// Codes the address columns of one table against one dictionary: [`Self::code`] each
/// column in turn and [`Self::pair`] `srcaddr` with `dstaddr`, then [`Self::finish`]
/// renumbers every code so that the most frequent address has code 0. Frequency order puts
/// the addresses most rows carry in a few cache lines of any array indexed by code.
#[derive(Default)]
pub(crate) struct AddrDictionary {
    v4: FxHashMap<u32, u32>,
    /// The codes of the IPv6 addresses, found by their value in `values`: a map from the
    /// 128-bit word would take 32 bytes an entry (the word's alignment), and a file of
    /// IPv6 internet traffic brings nearly two new addresses per row. Like `v4`, it holds
    /// the addresses pairing gives codes to only up to the lookup limit (see
    /// [`Self::pairing_numbers`]): nothing is looked up after pairing.
    v6: HashTable<u32>,
    missing: Option<u32>,
    values: Addresses,
    /// How many rows carry each code (saturating: only the order of the counts matters).
    counts: Vec<u32>,
    /// The columns coded so far, in order of first appearance until `finish`.
    columns: Vec<Vec<u32>>,
    /// The pairs made by [`Self::pair`], their addresses coded in this dictionary.
    pairs: Option<AddrPairs>,
}

/// What the numbers a column was paired by stand for (see [`AddrDictionary::pair`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PairedBy {
    /// IPv4 words below [`ESCAPED`], and [`ESCAPED`] plus the dictionary's code for any
    /// other value (IPv6, missing, and IPv4 from [`ESCAPED`] up).
    Words,
    /// Codes of the dictionary.
    Codes,
}

/// Where the numbers that stand for a paired column's other values start: 240.0.0.0, the
/// first of the addresses IPv4 reserves, which VPC traffic should not carry. Made-up files
/// do (a random address is from there up once in sixteen): those addresses are escaped
/// too, as their dictionary codes.
const ESCAPED: u32 = 0xF000_0000;

/// The multiplier of the pairs' hash: the bits of `2^64 / φ`, odd.
const PAIR_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// How many rows [`AddrPairs::build`] pairs by lookups before it looks at how many pairs
/// they brought, and between looks.
const PAIRING_STEP: usize = 1 << 18;

/// How many IPv4 addresses the dictionary looks up one by one as it codes the pairs'
/// addresses, before it sorts the rest (see `AddrDictionary::code_pair_numbers`): 256Ki
/// addresses, a lookup table of about 4.5 MiB, which a last-level cache holds. Sorting
/// takes 16 bytes per address coded, for a moment, and WebAssembly memory never shrinks:
/// the 10M records of the benchmark's generated file, with their 244k addresses, are
/// looked up.
const LOOKUP_LIMIT: usize = 1 << 18;

impl AddrDictionary {
    fn code_of(&mut self, value: Option<IpAddr>) -> u32 {
        let next = self.values.len() as u32;
        let code = match value {
            None => *self.missing.get_or_insert(next),
            Some(IpAddr::V4(a)) => *self.v4.entry(u32::from(a)).or_insert(next),
            Some(IpAddr::V6(a)) => return self.v6_code(a),
        };
        if code == next {
            self.values.push(value);
            self.counts.push(0);
        }
        code
    }

    /// The code of an IPv6 address, new or already given.
    fn v6_code(&mut self, address: Ipv6Addr) -> u32 {
        let values = &self.values;
        // One probe of the table finds the address or the place for it.
        let entry = self.v6.entry(
            hash_v6(address),
            |&code| values.get(code as usize) == Some(IpAddr::V6(address)),
            |&code| hash_v6_code(values, code),
        );
        match entry {
            hash_table::Entry::Occupied(found) => *found.get(),
            hash_table::Entry::Vacant(place) => {
                let code = values.len() as u32;
                place.insert(code);
                self.values.push(Some(IpAddr::V6(address)));
                self.counts.push(0);
                code
            }
        }
    }

    /// Makes room for `additional` more IPv6 addresses, as if each were new, so that the
    /// lookup table is not rebuilt on its way: each rebuilding reads every entry's value
    /// again, from all over the dictionary.
    fn reserve_v6(&mut self, additional: usize) {
        let values = &self.values;
        self.v6
            .reserve(additional, |&code| hash_v6_code(values, code));
        self.values.reserve_others(additional);
    }

    /// Codes one column and counts each row's address.
    pub(crate) fn code(&mut self, words: AddrWords) {
        debug_assert!(self.pairs.is_none(), "columns are coded before the pairs");
        let codes = self.codes_in_place(words);
        for &code in &codes {
            self.counts[code as usize] = self.counts[code as usize].saturating_add(1);
        }
        self.columns.push(codes);
    }

    /// Pairs the rows of `src` with those of `dst` and codes the addresses of the pairs,
    /// counting each once per row of its pair. The last step before [`Self::finish`]: the
    /// addresses it adds to the dictionary are not looked up again.
    ///
    /// Each side is paired by its IPv4 words (as nearly every flow log allows), without a
    /// lookup per row of its own: only the pairs' addresses are coded, a few for every
    /// hundred rows, and the rows that are not IPv4 (a percent or two: IPv6, and the
    /// missing addresses of `NODATA` records). Only a dictionary too large for the escaped
    /// numbers has both sides coded first and paired by their codes.
    pub(crate) fn pair(&mut self, src: AddrWords, dst: AddrWords) {
        self.pair_looking_up(src, dst, LOOKUP_LIMIT);
    }

    /// [`Self::pair`], looking up the pairs' IPv4 addresses one by one while the
    /// dictionary holds fewer than `lookup_limit` of them.
    fn pair_looking_up(&mut self, src: AddrWords, dst: AddrWords, lookup_limit: usize) {
        let ([src, dst], by) = self.pairing_numbers([src, dst], lookup_limit);
        let (mut pairs, counts) = AddrPairs::build(src, dst);
        self.code_pair_numbers(&mut pairs.pairs, by, lookup_limit);
        for (pair, count) in pairs.pairs.iter().zip(counts) {
            for &code in pair {
                self.counts[code as usize] = self.counts[code as usize].saturating_add(count);
            }
        }
        self.pairs = Some(pairs);
    }

    /// Writes each pair's address codes over the numbers it was paired by (`by` says what
    /// the numbers stand for).
    ///
    /// The numbers are looked up one by one, in order, pair by pair and source first,
    /// while the dictionary holds fewer than `lookup_limit` IPv4 addresses, as it does
    /// for nearly every flow log. Past that (internet traffic, scans, made-up addresses:
    /// as many pairs as rows, and addresses nearly as many), a lookup table too large for
    /// the cache would miss it on nearly every number, so the remaining IPv4 words are
    /// sorted instead: the places that hold one word then follow each other, and only the
    /// first place of each word is looked up. Those first places are coded in order, so
    /// that addresses new to the dictionary get their codes in the order they first
    /// appear, as a lookup per number gives them, and [`Self::finish`] keeps for ties.
    fn code_pair_numbers(&mut self, pairs: &mut [[u32; 2]], by: PairedBy, lookup_limit: usize) {
        let numbers = pairs.as_flattened_mut();
        let is_word = |number: u32| by == PairedBy::Words && number < ESCAPED;
        let other_code = |number: u32| match by {
            PairedBy::Words => number - ESCAPED,
            PairedBy::Codes => number,
        };
        let mut sorted_from = 0;
        while sorted_from < numbers.len() && self.v4.len() < lookup_limit {
            let (at, number) = (sorted_from, numbers[sorted_from]);
            numbers[at] = if is_word(number) {
                self.code_of(Some(IpAddr::V4(Ipv4Addr::from(number))))
            } else {
                other_code(number)
            };
            sorted_from += 1;
        }
        // Each word above its place, the places of one word together and in order.
        let places = grouped_by_key(|| {
            (numbers.iter().enumerate().skip(sorted_from))
                .filter(|&(_, &number)| is_word(number))
                .map(|(at, &number)| (number, at as u32))
        });
        // Every later place of a word gets the word's first place instead, and a mark.
        let mut follows = vec![false; numbers.len() - sorted_from];
        let mut words = 0;
        for run in places.chunk_by(|a, b| a >> 32 == b >> 32) {
            words += 1;
            let first = run[0] as u32;
            for &place in &run[1..] {
                let at = place as u32 as usize;
                numbers[at] = first;
                follows[at - sorted_from] = true;
            }
        }
        drop(places);
        // Room for every word, as if none were in the dictionary yet, so that the
        // dictionary is not copied on its way to as many entries as the table has rows.
        self.values.reserve(words);
        self.counts.reserve(words);
        for at in sorted_from..numbers.len() {
            let number = numbers[at];
            numbers[at] = if follows[at - sorted_from] {
                // The first place comes before, and holds the code by now.
                numbers[number as usize]
            } else if is_word(number) {
                self.v4_code_once(number)
            } else {
                other_code(number)
            };
        }
    }

    /// The code of an IPv4 address that is looked up once: the code it already has, or a
    /// new one that is not entered in the lookup table.
    fn v4_code_once(&mut self, word: u32) -> u32 {
        if let Some(&code) = self.v4.get(&word) {
            return code;
        }
        let code = self.values.len() as u32;
        self.values.push_v4(word);
        self.counts.push(0);
        code
    }

    /// The numbers the source and the destination (`columns`) are paired by, one per row,
    /// and what they stand for.
    ///
    /// The rows that are not IPv4 are coded in order, the source's then the destination's.
    /// Their IPv6 addresses are looked up one by one while the lookup table holds fewer than
    /// `lookup_limit` of them, as the pairs' IPv4 addresses are (see
    /// [`Self::code_pair_numbers`]). Past that (IPv6 internet traffic: nearly every row
    /// brings a new address), the places of the addresses left are grouped by a hash of
    /// each (see `places`), and only the first place of each address is looked up, and
    /// coded in order as a lookup per row would code it.
    fn pairing_numbers(
        &mut self,
        mut columns: [AddrWords; 2],
        lookup_limit: usize,
    ) -> ([Vec<u32>; 2], PairedBy) {
        // An IPv4 address from ESCAPED up (made-up or scanning traffic; the words of rows
        // that are not IPv4 are below ESCAPED: 0, or a position among the column's IPv6
        // addresses) is escaped too, with its code, so that no word collides with a code.
        let high_rows = columns.each_ref().map(AddrWords::high_rows);
        let other_rows = columns.each_ref().map(AddrWords::other_rows);
        let escaped: usize = high_rows.iter().chain(&other_rows).map(Vec::len).sum();
        if self.values.len() + escaped > (u32::MAX - ESCAPED) as usize {
            self.reserve_v6(columns.iter().map(|words| words.v6.len()).sum());
            return (
                columns.map(|words| self.codes_in_place(words)),
                PairedBy::Codes,
            );
        }
        // Both columns' IPv6 addresses by place, the source's then the destination's.
        let v6 = columns
            .each_mut()
            .map(|words| std::mem::take(&mut words.v6));
        let v6_len = v6[0].len() + v6[1].len();
        let v6_at = |at: usize| match at.checked_sub(v6[0].len()) {
            Some(in_destination) => v6[1][in_destination],
            None => v6[0][at],
        };
        self.reserve_v6(v6_len.min(lookup_limit.saturating_sub(self.v6.len())));
        // Once the lookup table is full: the place sorting started from, and the first
        // place of each address from there on, each written over by its code once coded.
        let mut sorted: Option<(usize, Vec<u32>)> = None;
        let v6_offsets = [0, v6[0].len()];
        let escapes = high_rows.into_iter().zip(other_rows).zip(v6_offsets);
        for (words, ((high, other), v6_offset)) in columns.iter_mut().zip(escapes) {
            for row in high {
                let word = words.words[row];
                words.words[row] = ESCAPED + self.code_of(Some(IpAddr::V4(Ipv4Addr::from(word))));
            }
            for row in other {
                if words.is_missing(row) {
                    words.words[row] = ESCAPED + self.code_of(None);
                    continue;
                }
                // The row's word is its position among the column's IPv6 addresses.
                let at = v6_offset + words.words[row] as usize;
                let address = Ipv6Addr::from(v6_at(at));
                let code = match &mut sorted {
                    None if self.v6.len() < lookup_limit => self.v6_code(address),
                    _ => {
                        let (from, firsts) = sorted.get_or_insert_with(|| {
                            let (firsts, distinct) =
                                first_places(v6_len - at, |i| v6_at(at + i), sort_key);
                            self.values.reserve_others(distinct);
                            self.counts.reserve(distinct);
                            (at, firsts)
                        });
                        let place = at - *from;
                        let first = firsts[place] as usize;
                        if first == place {
                            let code = self.v6_code_once(address);
                            firsts[place] = code;
                            code
                        } else {
                            // The first place comes before, and holds the code by now.
                            firsts[first]
                        }
                    }
                };
                words.words[row] = ESCAPED + code;
            }
        }
        (columns.map(|words| words.words), PairedBy::Words)
    }

    /// The code of an IPv6 address that is looked up once: the code it already has, or a
    /// new one that is not entered in the lookup table.
    fn v6_code_once(&mut self, address: Ipv6Addr) -> u32 {
        let values = &self.values;
        let found = (!self.v6.is_empty())
            .then(|| {
                self.v6.find(hash_v6(address), |&code| {
                    values.get(code as usize) == Some(IpAddr::V6(address))
                })
            })
            .flatten();
        if let Some(&code) = found {
            return code;
        }
        let code = self.values.len() as u32;
        self.values.push(Some(IpAddr::V6(address)));
        self.counts.push(0);
        code
    }

    /// Each row's code, uncounted: each row's word is read and its code written over it,
    /// so that coding needs no memory per row beyond the column's own.
    fn codes_in_place(&mut self, mut words: AddrWords) -> Vec<u32> {
        let all_v4 = words.all_v4();
        // Flow logs repeat an interface's own address on long runs of lines, so the last
        // word's code is kept rather than hashed again.
        let mut last: Option<(u32, u32)> = None;
        for row in 0..words.len() {
            let word = words.words[row];
            let code = if all_v4 || matches!(words.get(row), Some(IpAddr::V4(_))) {
                match last {
                    Some((w, code)) if w == word => code,
                    _ => {
                        let code = self.code_of(Some(IpAddr::V4(Ipv4Addr::from(word))));
                        last = Some((word, code));
                        code
                    }
                }
            } else {
                // `get` reads this row's word, which has not been written over yet.
                self.code_of(words.get(row))
            };
            words.words[row] = code;
        }
        words.words
    }

    /// The coded columns, in the order they were given, and the pairs, all sharing the
    /// dictionary, which is returned too: most frequent address first (ties in the order
    /// the addresses were first coded: the columns' rows first, then the pairs').
    pub(crate) fn finish(self) -> (Vec<AddrColumn>, Option<AddrPairs>, Arc<Addresses>) {
        // Each list is dropped as soon as the next is made from it: a file of internet
        // traffic has nearly two addresses per row, and four lists as long as the
        // dictionary at once were the most memory a load took.
        let order = most_frequent_first(&self.counts);
        drop(self.counts);
        let values = Arc::new(self.values.reordered(&order));
        let renumber = inverse(order);
        let columns = self
            .columns
            .into_iter()
            .map(|mut codes| {
                for code in &mut codes {
                    *code = renumber[*code as usize];
                }
                AddrColumn::coded(codes, values.clone())
            })
            .collect();
        let pairs = self.pairs.map(|mut pairs| {
            for code in pairs.pairs.as_flattened_mut() {
                *code = renumber[*code as usize];
            }
            pairs
        });
        (columns, pairs, values)
    }
}

/// Codes in the order of how often each occurs, given `counts` by code: the old code of
/// each new one, most frequent first (ties in the order of the old codes).
///
/// Most codes occur a few times (in a file of random addresses, nearly all once), so the
/// codes are placed by a counting sort on their count, capped at `COUNT_BUCKETS - 1`; a
/// comparison sort of two million codes took a tenth of such a file's decoding. Only the
/// codes of the top bucket are then sorted by their whole count: counts sum to at most
/// twice the rows, so they are at most one in two thousand of the rows.
fn most_frequent_first<C: Copy + Into<u64>>(counts: &[C]) -> Vec<u32> {
    const COUNT_BUCKETS: usize = 1 << 12;
    let bucket = |count: C| count.into().min(COUNT_BUCKETS as u64 - 1) as usize;
    let mut next_place = vec![0u32; COUNT_BUCKETS];
    for &count in counts {
        next_place[bucket(count)] += 1;
    }
    let top_bucket_len = next_place[COUNT_BUCKETS - 1] as usize;
    let mut placed = 0;
    for place in next_place.iter_mut().rev() {
        let in_bucket = *place;
        *place = placed;
        placed += in_bucket;
    }
    let mut order = vec![0u32; counts.len()];
    for (code, &count) in counts.iter().enumerate() {
        let place = &mut next_place[bucket(count)];
        order[*place as usize] = code as u32;
        *place += 1;
    }
    order[..top_bucket_len].sort_by_key(|&code| std::cmp::Reverse(counts[code as usize].into()));
    order
}

/// The new code of each old one, given the old code of each new one.
fn inverse(order: Vec<u32>) -> Vec<u32> {
    let mut renumber = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old as usize] = new as u32;
    }
    renumber
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_column_widens_and_keeps_missing() {
        let mut c = IntColumn::default();
        c.push(1);
        c.push_missing();
        c.push(70_000);
        c.push(u64::MAX);
        c.pad_to(6);
        let got: Vec<_> = (0..c.len()).map(|r| c.get(r)).collect();
        assert_eq!(
            got,
            [Some(1), None, Some(70_000), Some(u64::MAX), None, None]
        );
    }

    proptest::proptest! {
        /// Rows appended in batches of up to 64, with their missing marks as a word, make
        /// the column that appending them one at a time makes: the same values, widths and
        /// missing marks, wherever a batch starts in a word of the marks. Short batches come
        /// often, so that a batch of one value is often the first.
        #[test]
        fn int_column_batches_append_as_single_rows_do(
            batches in proptest::collection::vec(
                proptest::strategy::Strategy::prop_flat_map(
                    proptest::prop_oneof![1usize..=3, 0usize..=64],
                    |len| proptest::collection::vec(
                        proptest::option::of(proptest::prop_oneof![
                            proptest::strategy::Just(7u64),
                            0u64..256,
                            0u64..70_000,
                            0u64..u32::MAX as u64 + 2,
                            proptest::num::u64::ANY,
                        ]),
                        len,
                    ),
                ),
                0..8,
            ),
        ) {
            let mut batched = IntColumn::default();
            let mut single = IntColumn::default();
            for batch in &batches {
                let values: Vec<u64> = batch.iter().map(|v| v.unwrap_or(0)).collect();
                let missing = batch
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_none())
                    .fold(0u64, |bits, (i, _)| bits | 1 << i);
                batched.extend(&values, missing);
                for value in batch {
                    match value {
                        Some(value) => single.push(*value),
                        None => single.push_missing(),
                    }
                }
            }
            let rows = |c: &IntColumn| (0..c.len()).map(|r| c.get(r)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(rows(&batched), rows(&single));
            proptest::prop_assert_eq!(batched.missing_bitmap(), single.missing_bitmap());
            proptest::prop_assert_eq!(
                std::mem::discriminant(&batched.words),
                std::mem::discriminant(&single.words)
            );
        }
    }

    #[test]
    fn same_bytes_is_equality() {
        let texts: [&[u8]; 13] = [
            b"",
            b"a",
            b"abcd",
            b"abce",
            b"bbcd",
            b"abcdefg",
            b"abcxefg",
            b"abcdefh",
            b"ACCEPT",
            b"REJECT",
            b"eni-0123456789abcdef0",
            b"eni-0123456789abcdef1",
            b"12345678",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn text_column_deduplicates() {
        let mut c = TextColumn::default();
        for v in ["a", "b", "a", "a"] {
            c.push(v);
        }
        c.push_missing();
        assert_eq!(c.dictionary().len(), 3);
        let got: Vec<_> = (0..c.len()).map(|r| c.get(r)).collect();
        assert_eq!(got, [Some("a"), Some("b"), Some("a"), Some("a"), None]);
    }

    proptest::proptest! {
        /// The counting sort gives the order of a stable comparison sort by descending
        /// count, for counts below, at and above the top bucket's, and its inverse undoes
        /// `order`.
        #[test]
        fn most_frequent_first_is_a_stable_sort_by_count(
            counts in proptest::collection::vec(
                proptest::prop_oneof![0u64..6, 4090u64..4100, 0u64..1_000_000],
                0..300,
            ),
        ) {
            let mut expected: Vec<u32> = (0..counts.len() as u32).collect();
            expected.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]));
            let order = most_frequent_first(&counts);
            proptest::prop_assert_eq!(&order, &expected);
            let renumber = inverse(order.clone());
            for (new, &old) in order.iter().enumerate() {
                proptest::prop_assert_eq!(renumber[old as usize], new as u32);
            }
        }
    }

    proptest::proptest! {
        /// Pushes and pops of values that share `recent` slots (same length, same first and
        /// last eight bytes), short values and missing ones keep every row's value and a
        /// dictionary without repeats.
        #[test]
        fn text_column_rows_follow_pushes_and_pops(
            steps in proptest::collection::vec(proptest::option::of(0usize..8), 0..200),
        ) {
            const POOL: [Option<&str>; 7] = [
                Some("eni-0123456789abcdef0"),
                Some("eni-0123XX6789abcdef0"),
                Some("eni-0123YY6789abcdef0"),
                Some("eni-0123ZZ6789abcdef0"),
                Some("123456789012"),
                Some("ab"),
                None,
            ];
            let mut column = TextColumn::default();
            let mut model: Vec<Option<&str>> = Vec::new();
            for step in steps {
                match step {
                    Some(i) if i < POOL.len() => {
                        match POOL[i] {
                            Some(value) => column.push(value),
                            None => column.push_missing(),
                        }
                        model.push(POOL[i]);
                    }
                    _ if !model.is_empty() => {
                        column.pop();
                        model.pop();
                    }
                    _ => {}
                }
                let rows: Vec<Option<&str>> = (0..column.len()).map(|r| column.get(r)).collect();
                proptest::prop_assert_eq!(&rows, &model);
                let distinct: std::collections::HashSet<&str> =
                    column.dictionary().iter().map(|v| &**v).collect();
                proptest::prop_assert_eq!(distinct.len(), column.dictionary().len());
            }
        }
    }

    #[test]
    fn addr_words_mix_families_and_take_back_rows() {
        let mut c = AddrWords::default();
        c.push_v4(0x0a000001);
        c.push_missing();
        c.push_v6(1);
        c.push_v4(0x7f000001);
        let got: Vec<_> = (0..c.len()).map(|r| c.get(r)).collect();
        let want: Vec<Option<IpAddr>> = vec![
            Some("10.0.0.1".parse().unwrap()),
            None,
            Some("::1".parse().unwrap()),
            Some("127.0.0.1".parse().unwrap()),
        ];
        assert_eq!(got, want);
        // Taking rows back removes the marks and side entries they brought.
        c.pop();
        c.pop();
        c.pop();
        assert!(c.all_v4());
        assert!(c.v6.is_empty());
        assert_eq!(c.get(0), want[0]);
    }

    #[test]
    fn columns_share_one_dictionary_most_frequent_first() {
        let (a, b, v6): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        );
        let mut src = AddrWords::default();
        for word in [0x0a000001, 0x0a000002, 0x0a000002] {
            src.push_v4(word);
        }
        src.push_missing();
        let mut dst = AddrWords::default();
        dst.push_v6(u128::from("2001:db8::1".parse::<Ipv6Addr>().unwrap()));
        for _ in 0..3 {
            dst.push_v4(0x0a000002);
        }
        let mut dictionary = AddrDictionary::default();
        dictionary.code(src);
        dictionary.code(dst);
        let (columns, _, values) = dictionary.finish();
        // 10.0.0.2 five times, then the three seen once, in order of first appearance.
        assert_eq!(
            values.iter().collect::<Vec<_>>(),
            [Some(b), Some(a), None, Some(v6)]
        );
        let codes = |column: &AddrColumn| {
            (0..4)
                .map(|row| column.codes().get(row))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&columns[0]), [1, 0, 0, 2]);
        assert_eq!(codes(&columns[1]), [3, 0, 0, 0]);
        assert_eq!(columns[0].get(3), None);
        assert_eq!(columns[1].get(0), Some(v6));
        assert_eq!(columns[0].v4(1), Some(0x0a000002));
        assert_eq!(columns[1].v4(0), None);
        assert!(std::ptr::eq(
            columns[0].dictionary(),
            columns[1].dictionary()
        ));
    }

    #[test]
    fn a_column_is_paired_by_its_words_unless_one_reaches_the_escaped_numbers() {
        let column = |words: &[u32]| {
            let mut column = AddrWords::default();
            column.push_missing();
            column.push_v6(1);
            for &word in words {
                column.push_v4(word);
            }
            column
        };
        let mut dictionary = AddrDictionary::default();
        let pairing = |dictionary: &mut AddrDictionary, column: AddrWords| {
            let ([numbers, _], by) =
                dictionary.pairing_numbers([column, AddrWords::default()], LOOKUP_LIMIT);
            (numbers, by)
        };
        let (numbers, by) = pairing(&mut dictionary, column(&[7, ESCAPED - 1]));
        assert_eq!(by, PairedBy::Words);
        let escaped = [
            dictionary.code_of(None),
            dictionary.code_of(Some(Ipv6Addr::from(1).into())),
        ];
        assert_eq!(
            numbers,
            [ESCAPED + escaped[0], ESCAPED + escaped[1], 7, ESCAPED - 1]
        );
        // An IPv4 address among the escaped numbers is escaped too, with its code.
        let (numbers, by) = pairing(&mut dictionary, column(&[7, ESCAPED]));
        assert_eq!(by, PairedBy::Words);
        let high = dictionary.code_of(Some(Ipv4Addr::from(ESCAPED).into()));
        assert_eq!(
            numbers,
            [
                ESCAPED + escaped[0],
                ESCAPED + escaped[1],
                7,
                ESCAPED + high
            ]
        );
    }

    /// A column holding `rows`: an address, or none, per row.
    fn words_of(rows: impl IntoIterator<Item = Option<IpAddr>>) -> AddrWords {
        let mut words = AddrWords::default();
        for address in rows {
            match address {
                None => words.push_missing(),
                Some(IpAddr::V4(a)) => words.push_v4(a.into()),
                Some(IpAddr::V6(a)) => words.push_v6(a.into()),
            }
        }
        words
    }

    /// The pairs and the dictionary of `src` paired with `dst`, looked up one by one while
    /// the dictionary holds fewer than `lookup_limit` IPv4 addresses.
    fn paired(
        src: &[Option<IpAddr>],
        dst: &[Option<IpAddr>],
        lookup_limit: usize,
    ) -> (AddrPairs, Arc<Addresses>) {
        paired_after(&[], src, dst, lookup_limit)
    }

    /// [`paired`], after a column of `before` was coded in the same dictionary.
    fn paired_after(
        before: &[Option<IpAddr>],
        src: &[Option<IpAddr>],
        dst: &[Option<IpAddr>],
        lookup_limit: usize,
    ) -> (AddrPairs, Arc<Addresses>) {
        let mut dictionary = AddrDictionary::default();
        if !before.is_empty() {
            dictionary.code(words_of(before.iter().copied()));
        }
        let (src, dst) = (words_of(src.iter().copied()), words_of(dst.iter().copied()));
        dictionary.pair_looking_up(src, dst, lookup_limit);
        let (_, pairs, values) = dictionary.finish();
        (pairs.expect("paired"), values)
    }

    /// Checks that `pairs` and `values` give back `src` and `dst` row by row, and hold
    /// each address once.
    fn assert_rows_read_back(
        pairs: &AddrPairs,
        values: &Addresses,
        src: &[Option<IpAddr>],
        dst: &[Option<IpAddr>],
    ) {
        for (row, &code) in pairs.codes().iter().enumerate() {
            let [s, d] = pairs.pairs()[code as usize];
            assert_eq!(
                (values.get(s as usize), values.get(d as usize)),
                (src[row], dst[row])
            );
        }
        let distinct: std::collections::HashSet<_> = values.iter().collect();
        assert_eq!(distinct.len(), values.len());
    }

    proptest::proptest! {
        /// Sorting the pairs' addresses, from the start or after a few lookups, codes them
        /// exactly as looking every one up does: same pairs, same dictionary, same order.
        #[test]
        fn sorting_the_pairs_addresses_codes_them_as_lookups_do(
            rows in proptest::collection::vec((0u32..14, 0u32..14), 0..200),
            lookup_limit in 0usize..6,
        ) {
            let address = |n: u32| match n {
                0 => None,
                2 => Some(IpAddr::V4(Ipv4Addr::from(ESCAPED + 5))),
                1 | 3..=6 => Some(IpAddr::V6(Ipv6Addr::from(0x2001_0db8_u128 << 96 | u128::from(n)))),
                n => Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n))),
            };
            let src: Vec<_> = rows.iter().map(|&(s, _)| address(s)).collect();
            let dst: Vec<_> = rows.iter().map(|&(_, d)| address(d)).collect();
            let (pairs, values) = paired(&src, &dst, lookup_limit);
            assert_rows_read_back(&pairs, &values, &src, &dst);
            let looked_up = paired(&src, &dst, usize::MAX);
            proptest::prop_assert_eq!((pairs, values), looked_up);
        }
    }

    /// Checks that `pairs` gives back each row's source and destination numbers, and
    /// that its counts are the rows of each pair, most first.
    fn assert_pairs_read_back(pairs: &AddrPairs, counts: &[u32], src: &[u32], dst: &[u32]) {
        for (row, &code) in pairs.codes().iter().enumerate() {
            assert_eq!(pairs.pairs()[code as usize], [src[row], dst[row]]);
        }
        let mut rows_of = std::collections::HashMap::new();
        for pair in src.iter().zip(dst) {
            *rows_of.entry(pair).or_insert(0u32) += 1;
        }
        assert_eq!(rows_of.len(), pairs.pairs().len());
        for (pair, count) in pairs.pairs().iter().zip(counts) {
            assert_eq!(rows_of[&(&pair[0], &pair[1])], *count);
        }
        assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    }

    proptest::proptest! {
        /// Pairing rows by sorting once most rows bring a pair of their own gives the pairs,
        /// codes and counts that looking every row up gives.
        #[test]
        fn sorting_the_rows_pairs_them_as_lookups_do(
            rows in proptest::collection::vec((0u32..30, 0u32..30), 0..300),
            new_rows in 0usize..300,
            step in 1usize..40,
        ) {
            // A run of rows with pairs of their own (so that sorting starts), before or
            // after rows of a few pairs that repeat.
            let (mut src, mut dst): (Vec<u32>, Vec<u32>) = rows.into_iter().unzip();
            let at = new_rows % (src.len() + 1);
            for n in 0..new_rows as u32 {
                src.insert(at, 100 + n);
                dst.insert(at, n % 7);
            }
            let sorted = AddrPairs::build_in_steps(src.clone(), dst.clone(), step);
            assert_pairs_read_back(&sorted.0, &sorted.1, &src, &dst);
            let looked_up = AddrPairs::build_in_steps(src.clone(), dst.clone(), usize::MAX);
            proptest::prop_assert_eq!(sorted, looked_up);
        }
    }

    #[test]
    fn rows_of_pairs_of_their_own_are_sorted_after_the_first_step() {
        // The last 1,000 rows (paired first) each bring a new pair; the rows before them
        // repeat some of those pairs and bring others, each on three rows.
        let n = |row: u32| row % 1_000;
        let mut src: Vec<u32> = (0..3_000)
            .map(|row| if row % 2 == 0 { n(row) } else { n(row) + 5_000 })
            .collect();
        let mut dst: Vec<u32> = (0..3_000).map(n).collect();
        src.extend(0..1_000);
        dst.extend(0..1_000);
        let (pairs, counts) = AddrPairs::build_in_steps(src.clone(), dst.clone(), 1_000);
        assert_pairs_read_back(&pairs, &counts, &src, &dst);
        assert_eq!(pairs.pairs().len(), 1_500);
        assert_eq!(
            (pairs, counts),
            AddrPairs::build_in_steps(src, dst, usize::MAX)
        );
    }

    #[test]
    fn pairs_of_more_addresses_than_the_lookup_limit_are_sorted_the_same() {
        // Every row's source is its own address; the destinations repeat every 1,000 rows.
        let rows = LOOKUP_LIMIT as u32 + 5_000;
        let v4 = |word: u32| Some(IpAddr::V4(Ipv4Addr::from(word)));
        let src: Vec<_> = (0..rows).map(|row| v4(0x0b00_0000 + row)).collect();
        let dst: Vec<_> = (0..rows).map(|row| v4(0x0a00_0000 + row % 1_000)).collect();
        let (pairs, values) = paired(&src, &dst, LOOKUP_LIMIT);
        assert_eq!(values.len(), rows as usize + 1_000);
        assert_rows_read_back(&pairs, &values, &src, &dst);
        assert_eq!((pairs, values), paired(&src, &dst, usize::MAX));
    }

    #[test]
    fn ipv6_addresses_found_again_keep_their_one_code() {
        // Thousands of IPv6 addresses, each on several rows of either side, among IPv4
        // and missing ones: enough for the lookup table to hold many, and find them again.
        let v6 = |n: u32| {
            Some(IpAddr::V6(Ipv6Addr::from(
                0x2600_1f18_u128 << 96 | u128::from(n),
            )))
        };
        let src: Vec<_> = (0..20_000u32)
            .map(|row| match row % 10 {
                0 => None,
                1 => Some(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + row % 300))),
                _ => v6(row % 3_001),
            })
            .collect();
        let dst: Vec<_> = (0..20_000u32).map(|row| v6(row * 7 % 4_999)).collect();
        let (pairs, values) = paired(&src, &dst, LOOKUP_LIMIT);
        assert_rows_read_back(&pairs, &values, &src, &dst);
        let distinct: std::collections::HashSet<_> = src.iter().chain(&dst).collect();
        assert_eq!(values.len(), distinct.len());
        // Past a lookup table of 100 addresses, the rest are sorted, and coded the same.
        assert_eq!(paired(&src, &dst, 100), (pairs, values));
        // Addresses a column coded before are found again, whichever way.
        let before: Vec<_> = (0..500u32).map(|n| v6(n * 11)).collect();
        let (pairs, values) = paired_after(&before, &src, &dst, 100);
        assert_rows_read_back(&pairs, &values, &src, &dst);
        assert_eq!(
            (pairs, values),
            paired_after(&before, &src, &dst, usize::MAX)
        );
    }

    #[test]
    fn int_column_words_follow_the_width() {
        let mut c = IntColumn::default();
        c.push(3);
        c.push(3);
        // One value so far: no words stored.
        assert!(matches!(c.words(), IntWords::Same { value: 3, len: 2 }));
        assert_eq!(c.heap_bytes(), 0);
        c.push(300);
        c.push_missing();
        assert!(matches!(c.words(), IntWords::U16([3, 3, 300, 0])));
        assert_eq!(c.missing_bitmap().unwrap().words()[0], 0b1000);
    }

    #[test]
    fn a_column_of_one_wide_value_stays_wide_for_a_narrow_one() {
        let mut c = IntColumn::default();
        c.push(70_000);
        c.push(5);
        assert!(matches!(c.words(), IntWords::U32([70_000, 5])));
    }

    #[test]
    fn a_column_of_one_value_keeps_its_reservation_for_the_second() {
        let mut c = IntColumn::default();
        c.reserve(100);
        for _ in 0..10 {
            c.push(2);
        }
        c.pop();
        assert_eq!((c.len(), c.get(8), c.heap_bytes()), (9, Some(2), 0));
        // The words are allocated once, for the rows reserved.
        c.push(70_000);
        assert!(matches!(c.words(), IntWords::U32(w) if w.len() == 10 && w[..9] == [2; 9]));
        assert_eq!(c.heap_bytes(), 100 * 4);
        // Missing rows of a column of zeros stay one value.
        let mut zeros = IntColumn::default();
        zeros.push(0);
        zeros.push_missing();
        assert!(matches!(zeros.words(), IntWords::Same { value: 0, len: 2 }));
        assert_eq!((zeros.get(0), zeros.get(1)), (Some(0), None));
        let mut w = crate::image::Writer::new(0);
        zeros.write_image(&mut w);
        let image = w.out;
        let mut r = crate::image::Reader::new(&image).unwrap();
        let back = IntColumn::read_image(&mut r).unwrap();
        assert_eq!((back.len(), back.get(0), back.get(1)), (2, Some(0), None));
    }
}
