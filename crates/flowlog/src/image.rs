//! A decoded table as one run of bytes, and back: how a table moves between WebAssembly
//! instances (one Web Worker decodes a file, another holds every table and answers
//! questions), where the only thing that crosses cheaply is an `ArrayBuffer`.
//!
//! The image is the table's own columns written out at their stored widths, little-endian,
//! after a magic word and a version; reading it back is a copy per column, no parsing. It is
//! not a file format: both ends are the same build, and the version only guards against a
//! page and a worker from different builds meeting (a stale cache).

use crate::column::{Addresses, Bitmap};
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
    pub(crate) fn addresses(&mut self, values: &Addresses) {
        self.u64(values.len() as u64);
        for value in values.iter() {
            match value {
                None => self.u8(0),
                Some(IpAddr::V4(a)) => {
                    self.u8(4);
                    self.u64(u64::from(u32::from(a)));
                }
                Some(IpAddr::V6(a)) => {
                    self.u8(6);
                    self.u64((u128::from(a) >> 64) as u64);
                    self.u64(u128::from(a) as u64);
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

/// Where an image is read from: its bytes in this instance's memory (`[u8]`), or bytes
/// kept elsewhere (in the browser, the `ArrayBuffer` another worker transferred), read a
/// piece at a time straight into the columns, so that the image is never copied whole
/// into this instance's memory beside the table made from it.
pub trait ImageSource {
    /// The image's length in bytes.
    fn len(&self) -> usize;

    /// Whether the image is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies the image's bytes from `at` on into `into`; the reader asks only for bytes
    /// within the image.
    fn copy_to(&self, at: usize, into: &mut [u8]);
}

impl ImageSource for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }

    fn copy_to(&self, at: usize, into: &mut [u8]) {
        into.copy_from_slice(&self[at..at + into.len()]);
    }
}

impl ImageSource for Vec<u8> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn copy_to(&self, at: usize, into: &mut [u8]) {
        self.as_slice().copy_to(at, into);
    }
}

/// Reads shorter than this go through the reader's window; longer ones (columns) are copied
/// from the source straight into place.
const WINDOW_BYTES: usize = 64 << 10;

/// Reads an image.
pub(crate) struct Reader<'a> {
    source: &'a dyn ImageSource,
    /// Where the next read starts.
    at: usize,
    /// The image's bytes from `window_at` on, so that the many small reads (a mark, a
    /// length, an address of the dictionary) cost one copy from the source between them
    /// rather than one each, which matters when the source is a JavaScript buffer.
    window: Vec<u8>,
    window_at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(source: &'a dyn ImageSource) -> Result<Reader<'a>, ImageError> {
        let mut reader = Reader {
            source,
            at: 0,
            window: Vec::new(),
            window_at: 0,
        };
        let mut magic = [0; MAGIC.len()];
        if reader.fill(&mut magic).is_err() || &magic != MAGIC {
            return Err(ImageError(
                "it does not start with this build's mark".into(),
            ));
        }
        Ok(reader)
    }

    fn left(&self) -> usize {
        self.source.len() - self.at
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.left() == 0
    }

    /// Fills `into` with the next bytes.
    fn fill(&mut self, into: &mut [u8]) -> Result<(), ImageError> {
        if into.len() > self.left() {
            return Err(ImageError(format!(
                "it ends {} bytes early",
                into.len() - self.left()
            )));
        }
        let n = into.len();
        if n >= WINDOW_BYTES {
            self.source.copy_to(self.at, into);
        } else {
            let in_window =
                self.at >= self.window_at && self.at + n <= self.window_at + self.window.len();
            if !in_window {
                self.window.resize(WINDOW_BYTES.min(self.left()), 0);
                self.source.copy_to(self.at, &mut self.window);
                self.window_at = self.at;
            }
            let from = self.at - self.window_at;
            into.copy_from_slice(&self.window[from..from + n]);
        }
        self.at += n;
        Ok(())
    }

    pub(crate) fn u8(&mut self) -> Result<u8, ImageError> {
        let mut byte = [0];
        self.fill(&mut byte)?;
        Ok(byte[0])
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ImageError> {
        let mut bytes = [0; 8];
        self.fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
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
            .filter(|n| n.saturating_mul(item_bytes.max(1)) <= self.left());
        fits.ok_or_else(|| ImageError(format!("a length of {n} does not fit what is left")))
    }

    pub(crate) fn str(&mut self) -> Result<Box<str>, ImageError> {
        String::from_utf8(self.bytes()?)
            .map(String::into_boxed_str)
            .map_err(|_| ImageError("a text is not UTF-8".into()))
    }

    pub(crate) fn bytes(&mut self) -> Result<Vec<u8>, ImageError> {
        self.words()
    }

    pub(crate) fn u16s(&mut self) -> Result<Vec<u16>, ImageError> {
        let mut words: Vec<u16> = self.words()?;
        words.iter_mut().for_each(|w| *w = u16::from_le(*w));
        Ok(words)
    }

    pub(crate) fn u32s(&mut self) -> Result<Vec<u32>, ImageError> {
        let mut words: Vec<u32> = self.words()?;
        words.iter_mut().for_each(|w| *w = u32::from_le(*w));
        Ok(words)
    }

    pub(crate) fn u64s(&mut self) -> Result<Vec<u64>, ImageError> {
        let mut words: Vec<u64> = self.words()?;
        words.iter_mut().for_each(|w| *w = u64::from_le(*w));
        Ok(words)
    }

    /// A length, then that many words copied straight into their vector, as stored
    /// (little-endian; the callers turn them to this machine's order, which costs nothing
    /// on little-endian machines, WebAssembly among them).
    fn words<W: bytemuck::Pod>(&mut self) -> Result<Vec<W>, ImageError> {
        let n = self.len(size_of::<W>())?;
        let mut words = vec![W::zeroed(); n];
        self.fill(bytemuck::cast_slice_mut(&mut words))?;
        Ok(words)
    }

    /// An address dictionary as [`Writer::addresses`] wrote it.
    pub(crate) fn addresses(&mut self) -> Result<Addresses, ImageError> {
        let mut values = Addresses::default();
        for _ in 0..self.len(1)? {
            values.push(match self.u8()? {
                // Codes are distinct values: a second missing one would leave the table's
                // rows that hold it counted apart from the first's.
                0 if values.missing().is_some() => {
                    return Err(ImageError("the missing address is entered twice".into()))
                }
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
