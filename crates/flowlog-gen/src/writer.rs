//! Turns records into the bytes of a file: header line, text lines, optional gzip members.

use std::io::{self, Write};

use flate2::write::GzEncoder;

use crate::layout::{Field, Layout};
use crate::record::{Action, Addr, Record, Status};

/// How the output is compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    #[default]
    None,
    /// One gzip member, like most `.log.gz` objects in S3.
    Gzip,
    /// Several concatenated gzip members, a new one every `records_per_member` records.
    /// Readers that stop after the first member lose the rest: this is the test for that.
    GzipMembers {
        /// Records per member (at least one).
        records_per_member: u64,
    },
}

/// Counts of what was written, for checking a reader's totals against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Record lines (the header line is not a record).
    pub records: u64,
    /// `OK` records with action `ACCEPT` (or, in transit-gateway layouts, which have no
    /// action, every `OK` record).
    pub accepted: u64,
    /// `OK` records with action `REJECT`.
    pub rejected: u64,
    /// `NODATA` records.
    pub nodata: u64,
    /// `SKIPDATA` records.
    pub skipdata: u64,
    /// `OK` records whose addresses are IPv6.
    pub ipv6: u64,
    /// Sum of the `packets` field.
    pub packets: u64,
    /// Sum of the `bytes` field.
    pub bytes: u64,
    /// Uncompressed size of the text, header included.
    pub text_bytes: u64,
}

impl Summary {
    fn count(&mut self, record: &Record<'_>) {
        self.records += 1;
        match record.status {
            Status::NoData => self.nodata += 1,
            Status::SkipData => self.skipdata += 1,
            Status::Ok => {
                match record.action {
                    Action::Accept => self.accepted += 1,
                    Action::Reject => self.rejected += 1,
                }
                if matches!(record.src, Addr::V6(_)) {
                    self.ipv6 += 1;
                }
                self.packets += record.packets;
                self.bytes += record.bytes;
            }
        }
    }
}

enum Sink<W: Write> {
    Plain(W),
    Gzip(GzEncoder<W>),
}

/// Writes records to a `Write`, buffered in large blocks so that the per-record cost is the
/// formatting alone.
pub(crate) struct LineWriter<W: Write> {
    sink: Option<Sink<W>>,
    buf: Vec<u8>,
    fields: Vec<Field>,
    version: u8,
    compression: Compression,
    in_member: u64,
    summary: Summary,
}

const BLOCK: usize = 256 * 1024;

impl<W: Write> LineWriter<W> {
    pub(crate) fn new(
        out: W,
        layout: &Layout,
        header: bool,
        compression: Compression,
    ) -> LineWriter<W> {
        let mut buf = Vec::with_capacity(BLOCK + 4096);
        if header {
            buf.extend_from_slice(layout.header().as_bytes());
            buf.push(b'\n');
        }
        LineWriter {
            sink: Some(open(out, compression)),
            buf,
            fields: layout.fields().to_vec(),
            version: layout.version(),
            compression,
            in_member: 0,
            summary: Summary::default(),
        }
    }

    pub(crate) fn push(&mut self, record: &Record<'_>) -> io::Result<()> {
        if let Compression::GzipMembers { records_per_member } = self.compression {
            if self.in_member == records_per_member.max(1) {
                self.flush_buf()?;
                let out = close(self.sink.take().expect("the sink is open"))?;
                self.sink = Some(open(out, self.compression));
                self.in_member = 0;
            }
            self.in_member += 1;
        }
        record.write_line(&self.fields, self.version, &mut self.buf);
        self.summary.count(record);
        if self.buf.len() >= BLOCK {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        self.summary.text_bytes += self.buf.len() as u64;
        match self.sink.as_mut().expect("the sink is open") {
            Sink::Plain(w) => w.write_all(&self.buf)?,
            Sink::Gzip(w) => w.write_all(&self.buf)?,
        }
        self.buf.clear();
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<Summary> {
        self.flush_buf()?;
        let mut out = close(self.sink.take().expect("the sink is open"))?;
        out.flush()?;
        Ok(self.summary)
    }
}

fn open<W: Write>(out: W, compression: Compression) -> Sink<W> {
    match compression {
        Compression::None => Sink::Plain(out),
        // The default level: what S3 objects from AWS look like, and small sample files.
        Compression::Gzip | Compression::GzipMembers { .. } => {
            Sink::Gzip(GzEncoder::new(out, flate2::Compression::default()))
        }
    }
}

fn close<W: Write>(sink: Sink<W>) -> io::Result<W> {
    match sink {
        Sink::Plain(w) => Ok(w),
        Sink::Gzip(w) => w.finish(),
    }
}
