//! A decoded table as one run of bytes, and back: how a table moves between WebAssembly
//! instances (one Web Worker decodes a file, another holds every table and answers
//! questions), where the only thing that crosses cheaply is an `ArrayBuffer`.
//!
//! The image is the table's own columns written out at their stored widths, little-endian,
//! after a magic word and a version; reading it back is a copy per column, no parsing. It is
//! not a file format: both ends are the same build, and the version only guards against a
//! page and a worker from different builds meeting (a stale cache).

use crate::column::Bitmap;
use std::net::IpAddr;

/// The first bytes of every image: `flowtab` and a version (3: address columns as codes
/// into a dictionary written once per table, `srcaddr` and `dstaddr` as one code per row
/// for their pair).
const MAGIC: &[u8; 8] = b"flowtab\x03";

/// Why an image could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageError(pub String);

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the table's image is damaged: {}", self.0)
    }
}

impl std::error::Error for ImageError {}

/// Writes an image.
pub(crate) struct Writer {
    pub(crate) out: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(capacity: usize) -> Writer {
        let mut out = Vec::with_capacity(capacity + MAGIC.len());
        out.extend_from_slice(MAGIC);
        Writer { out }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.out.extend_from_slice(v);
    }

    pub(crate) fn u16s(&mut self, v: &[u16]) {
        self.u64(v.len() as u64);
        self.out.reserve(v.len() * 2);
        for x in v {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        self.out.reserve(v.len() * 4);
        for x in v {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn u64s(&mut self, v: &[u64]) {
        self.u64(v.len() as u64);
        self.out.reserve(v.len() * 8);
        for x in v {
            self.out.extend_from_slice(&x.to_le_bytes());
        }
    }

    /// An address dictionary: each entry a mark (0 missing, 4, 6) and its value.
    pub(crate) fn addresses(&mut self, values: &[Option<IpAddr>]) {
        self.u64(values.len() as u64);
        for value in values {
            match value {
                None => self.u8(0),
                Some(IpAddr::V4(a)) => {
                    self.u8(4);
                    self.u64(u64::from(u32::from(*a)));
                }
                Some(IpAddr::V6(a)) => {
                    self.u8(6);
                    self.u64((u128::from(*a) >> 64) as u64);
                    self.u64(u128::from(*a) as u64);
                }
            }
        }
    }

    pub(crate) fn bitmap(&mut self, b: Option<&Bitmap>) {
        match b {
            None => self.u8(0),
            Some(b) => {
                self.u8(1);
                self.u64(b.len() as u64);
                self.u64s(b.words());
            }
        }
    }
}

/// Reads an image.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(image: &'a [u8]) -> Result<Reader<'a>, ImageError> {
        match image.strip_prefix(MAGIC.as_slice()) {
            Some(rest) => Ok(Reader { rest }),
            None => Err(ImageError(
                "it does not start with this build's mark".into(),
            )),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ImageError> {
        if n > self.rest.len() {
            return Err(ImageError(format!(
                "it ends {} bytes early",
                n - self.rest.len()
            )));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ImageError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ImageError> {
        let bytes = self.take(8)?;
        Ok(u64::from_le_bytes(bytes.try_into().expect("8 bytes")))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, ImageError> {
        Ok(self.u64()? as i64)
    }

    /// A length, checked against what is left so that a damaged length cannot ask for an
    /// absurd allocation.
    pub(crate) fn len(&mut self, item_bytes: usize) -> Result<usize, ImageError> {
        let n = self.u64()?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|n| n.saturating_mul(item_bytes.max(1)) <= self.rest.len());
        fits.ok_or_else(|| ImageError(format!("a length of {n} does not fit what is left")))
    }

    pub(crate) fn str(&mut self) -> Result<Box<str>, ImageError> {
        let n = self.len(1)?;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(Box::from)
            .map_err(|_| ImageError("a text is not UTF-8".into()))
    }

    pub(crate) fn bytes(&mut self) -> Result<Vec<u8>, ImageError> {
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
    }

    pub(crate) fn u16s(&mut self) -> Result<Vec<u16>, ImageError> {
        let n = self.len(2)?;
        let bytes = self.take(n * 2)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }

    pub(crate) fn u32s(&mut self) -> Result<Vec<u32>, ImageError> {
        let n = self.len(4)?;
        let bytes = self.take(n * 4)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }

    pub(crate) fn u64s(&mut self) -> Result<Vec<u64>, ImageError> {
        let n = self.len(8)?;
        let bytes = self.take(n * 8)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// An address dictionary as [`Writer::addresses`] wrote it.
    pub(crate) fn addresses(&mut self) -> Result<Vec<Option<IpAddr>>, ImageError> {
        let mut values = Vec::new();
        for _ in 0..self.len(1)? {
            values.push(match self.u8()? {
                0 => None,
                4 => {
                    let word = u32::try_from(self.u64()?)
                        .map_err(|_| ImageError("an IPv4 address is too large".into()))?;
                    Some(IpAddr::from(word.to_be_bytes()))
                }
                6 => {
                    let high = u128::from(self.u64()?);
                    let low = u128::from(self.u64()?);
                    Some(IpAddr::from((high << 64 | low).to_be_bytes()))
                }
                other => return Err(ImageError(format!("unknown address mark {other}"))),
            });
        }
        Ok(values)
    }

    pub(crate) fn bitmap(&mut self) -> Result<Option<Bitmap>, ImageError> {
        match self.u8()? {
            0 => Ok(None),
            1 => {
                let len = usize::try_from(self.u64()?)
                    .map_err(|_| ImageError("a bitmap is too long".into()))?;
                let words = self.u64s()?;
                if words.len() != len.div_ceil(64) {
                    return Err(ImageError("a bitmap's length and words disagree".into()));
                }
                Ok(Some(Bitmap::from_words(words, len)))
            }
            other => Err(ImageError(format!("unknown bitmap mark {other}"))),
        }
    }
}
