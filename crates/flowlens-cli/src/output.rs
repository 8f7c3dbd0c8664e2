//! The JSON the CLI prints.

use flowlog::{Decoded, FieldKind, FlowTable, FormatSource, Value};
use flowlog_query::Summary;
use serde_json::{json, Map, Value as Json};
use std::io::{self, Write};

/// One JSON object per record: the record's own fields in its format's order, then `_file`
/// and `_line`.
pub fn records(out: &mut impl Write, decoded: &Decoded) -> io::Result<()> {
    let table = &decoded.table;
    let file = serde_json::to_string(&decoded.report.file)?;
    for row in 0..table.len() {
        record(out, table, row, &file)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One record as one JSON object, without a line break; `file` is already JSON.
pub fn record(out: &mut impl Write, table: &FlowTable, row: usize, file: &str) -> io::Result<()> {
    out.write_all(b"{")?;
    {
        for field in table.format_of(row).fields() {
            serde_json::to_writer(&mut *out, field.name())?;
            out.write_all(b":")?;
            match table.value(row, field) {
                Value::Missing => out.write_all(b"null")?,
                Value::Int(n) => write!(out, "{n}")?,
                Value::Addr(addr) => write!(out, "\"{addr}\"")?,
                Value::Text(text) => {
                    debug_assert!(!matches!(field.kind(), FieldKind::Int { .. }));
                    serde_json::to_writer(&mut *out, text)?
                }
            }
            out.write_all(b",")?;
        }
        write!(out, "\"_file\":{file},\"_line\":{}}}", table.line_of(row))?;
    }
    Ok(())
}

/// One JSON object: totals over every file, issues by kind, and a line per file.
pub fn summary(out: &mut impl Write, files: &[Decoded]) -> io::Result<()> {
    let mut total = Summary::default();
    let mut issues = flowlog::IssueLog::default();
    let mut per_file = Vec::new();
    for decoded in files {
        let summary = Summary::of(&decoded.table);
        total.merge(&summary);
        issues.merge(decoded.report.issues.clone());
        per_file.push(file_json(decoded));
    }
    let by_kind: Map<String, Json> = issues
        .counts()
        .iter()
        .map(|(kind, n)| (kind.name().to_owned(), json!(n)))
        .collect();
    let object = json!({
        "records": total.records,
        "bytes": total.bytes,
        "packets": total.packets,
        "first_start": total.first_start,
        "last_end": total.last_end,
        "by_action": total.by_action,
        "by_log_status": total.by_log_status,
        "issues": { "total": issues.total(), "by_kind": by_kind },
        "files": per_file,
    });
    serde_json::to_writer_pretty(&mut *out, &object)?;
    writeln!(out)
}

fn file_json(decoded: &Decoded) -> Json {
    let report = &decoded.report;
    let formats: Vec<Json> = report
        .formats
        .iter()
        .map(|f| {
            let (source, confidence) = match f.source {
                FormatSource::Header { .. } => ("header", None),
                FormatSource::Given => ("given", None),
                FormatSource::Guessed { confidence } => ("guessed", Some(confidence)),
            };
            json!({
                "fields": f.format.header(),
                "name": f.format.describe(),
                "source": source,
                "confidence": confidence,
                "records": f.records,
            })
        })
        .collect();
    let by_kind: Map<String, Json> = report
        .issues
        .counts()
        .iter()
        .map(|(kind, n)| (kind.name().to_owned(), json!(n)))
        .collect();
    let source = report.source.as_ref().map(|s| {
        json!({
            "account": s.account,
            "region": s.region,
            "flow_log_id": s.flow_log_id,
            "date": s.date,
        })
    });
    json!({
        "path": report.file,
        "format": report.formats.first().map(|f| f.format.header()),
        "wrapper": report.wrapper_name(),
        "records": report.records,
        "issues": report.issues.total(),
        "issues_by_kind": by_kind,
        "formats": formats,
        "blank_lines": report.blank_lines,
        "header_lines": report.header_lines,
        "s3": source,
    })
}
