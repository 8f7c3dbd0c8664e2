//! The CLI's JSON contract, checked by running the built binary on the AWS examples.

use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/decode")
        .join(path)
}

fn flowlens(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flowlens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn records(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn records_use_aws_names_nulls_and_numbers() {
    let path = data("aws/default.log");
    let out = flowlens(&["records", path.to_str().unwrap()], None);
    assert!(out.status.success());
    let rows = records(&out);
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[0],
        json!({
            "version": 2, "account-id": "123456789010", "interface-id": "eni-1235b8ca123456789",
            "srcaddr": "172.31.16.139", "dstaddr": "172.31.16.21", "srcport": 20641,
            "dstport": 22, "protocol": 6, "packets": 20, "bytes": 4249,
            "start": 1418530010, "end": 1418530070, "action": "ACCEPT", "log-status": "OK",
            "_file": path.to_str().unwrap(), "_line": 1
        })
    );
    // A NODATA record: `-` is null, never 0.
    assert_eq!(rows[2]["srcport"], Value::Null);
    assert_eq!(rows[2]["packets"], Value::Null);
    assert_eq!(rows[2]["action"], Value::Null);
    assert_eq!(rows[2]["log-status"], "NODATA");
    assert_eq!(rows[6]["srcaddr"], "2001:db8:1234:a100:8d6e:3477:df66:f105");
}

#[test]
fn records_carry_only_their_own_formats_fields() {
    let out = flowlens(
        &["records", data("aws/nat-gateway.log").to_str().unwrap()],
        None,
    );
    let rows = records(&out);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    let mut expected = vec![
        "_file",
        "_line",
        "dstaddr",
        "instance-id",
        "interface-id",
        "pkt-dstaddr",
        "pkt-srcaddr",
        "srcaddr",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(rows[0]["instance-id"], Value::Null);
    assert_eq!(rows[1]["pkt-dstaddr"], "203.0.113.5");
}

#[test]
fn summary_totals_issues_and_files() {
    let good = data("aws/default.log");
    let bad = data("values/bad-values.log");
    let out = flowlens(
        &["summary", good.to_str().unwrap(), bad.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "parse issues do not change the exit status"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["records"], 9);
    assert_eq!(summary["bytes"], 4249 * 2 + 336 * 2 + 8855 + 4249 * 2);
    assert_eq!(summary["packets"], 20 * 2 + 4 * 2 + 54 + 20 * 2);
    assert_eq!(summary["first_start"], 1418530010);
    assert_eq!(summary["last_end"], 1477913820);
    assert_eq!(summary["by_action"], json!({"ACCEPT": 5, "REJECT": 2}));
    assert_eq!(
        summary["by_log_status"],
        json!({"OK": 7, "NODATA": 1, "SKIPDATA": 1})
    );
    assert_eq!(summary["issues"]["total"], 11);
    assert_eq!(summary["issues"]["by_kind"]["bad-number"], 3);
    assert_eq!(summary["files"][0]["wrapper"], "text");
    assert_eq!(summary["files"][1]["records"], 2);
    assert_eq!(summary["files"][1]["issues"], 11);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad-values.log:3: bad-number"), "{stderr}");
}

#[test]
fn standard_input_and_a_given_format() {
    let input = std::fs::read(data("formats/given-format.log")).unwrap();
    let out = flowlens(
        &[
            "records",
            "--format",
            "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr",
            "-",
        ],
        Some(&input),
    );
    assert!(out.status.success());
    let rows = records(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["_file"], "-");
    assert_eq!(rows[0]["pkt-dstaddr"], "203.0.113.5");
}

#[test]
fn a_missing_file_fails_and_names_it() {
    let out = flowlens(&["summary", "/no/such/flows.log"], None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/flows.log"));
}

#[test]
fn a_bad_format_fails_with_a_reason() {
    let out = flowlens(&["records", "--format", "${srcaddr", "-"], Some(b""));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not close"));
}

fn query(args: &[&str]) -> (Output, Value) {
    let path = data("aws/default.log");
    let mut all = vec!["query"];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    let out = flowlens(&all, None);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, json)
}

// The seven records of the AWS example, by hand: (srcaddr, dstport, packets, bytes, action)
//   172.31.16.139 → 22, 20 packets, 4249 bytes, ACCEPT
//   172.31.9.69 → 3389, 20, 4249, REJECT
//   NODATA and SKIPDATA records: everything `-`
//   203.0.113.12 → 0 (ICMP), 4, 336, ACCEPT
//   172.31.16.139 → 0 (ICMP), 4, 336, REJECT
//   2001:db8:1234:a100:8d6e:3477:df66:f105 → 22, 54, 8855, ACCEPT

#[test]
fn query_filter_alone_prints_matched() {
    let (out, json) = query(&["--filter", "dstport = ssh"]);
    assert!(out.status.success());
    assert_eq!(
        json,
        json!({"matched": {"records": 2, "bytes": 4249 + 8855, "packets": 20 + 54}})
    );
}

#[test]
fn query_not_includes_missing_values_but_not_equal_does_not() {
    let (_, negated) = query(&["--filter", "not (action = ACCEPT)"]);
    assert_eq!(negated["matched"]["records"], 4);
    let (_, differs) = query(&["--filter", "action != ACCEPT"]);
    assert_eq!(differs["matched"]["records"], 2);
}

#[test]
fn query_top_with_other() {
    let (out, json) = query(&["--top", "srcaddr", "--by", "packets", "--limit", "2"]);
    assert!(out.status.success());
    assert_eq!(
        json["top"],
        json!([
            {"key": "2001:db8:1234:a100:8d6e:3477:df66:f105", "records": 1, "bytes": 8855, "packets": 54},
            {"key": "172.31.16.139", "records": 2, "bytes": 4249 + 336, "packets": 24},
        ])
    );
    assert_eq!(
        json["other"],
        json!({"records": 4, "bytes": 4249 + 336, "packets": 24})
    );
    assert_eq!(json["matched"]["records"], 7);
}

#[test]
fn query_ties_order_by_key_with_null_last() {
    let (_, json) = query(&["--top", "action", "--by", "records"]);
    let keys: Vec<&Value> = json["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["key"])
        .collect();
    assert_eq!(keys, [&json!("ACCEPT"), &json!("REJECT"), &Value::Null]);
    let (_, ports) = query(&["--top", "dstport", "--by", "records"]);
    let keys: Vec<&Value> = ports["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["key"])
        .collect();
    assert_eq!(keys, [&json!(0), &json!(22), &Value::Null, &json!(3389)]);
}

#[test]
fn query_a_bad_filter_fails_and_points_at_it() {
    let (out, _) = query(&["--filter", "dstport = 22 and protocol = tcpp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("column 29"), "{stderr}");
    assert!(stderr.contains("found `tcpp`"), "{stderr}");
}

#[test]
fn query_histogram_by_action() {
    let (_, json) = query(&["--filter", "action is present", "--histogram", "1d"]);
    let buckets = json["histogram"]["buckets"].as_array().unwrap();
    // 2014-12-14 (two records), 2015-05-29 (two), 2016-10-31 (one).
    let starts: Vec<u64> = buckets
        .iter()
        .map(|b| b["start"].as_u64().unwrap())
        .collect();
    assert_eq!(starts, [1418515200, 1432857600, 1477872000]);
    assert_eq!(buckets[0]["reject"]["records"], 1);
    assert_eq!(buckets[0]["accept"]["bytes"], 4249);
}

#[test]
fn query_conversations_stitch_both_directions() {
    // The AWS v3 example: 52.213.180.42:43416 → 10.0.0.62:5001 (568 bytes, 8 packets) and
    // the reply (376 bytes, 7 packets), both from 1566848875 to 1566848933.
    let path = data("aws/custom-v3-tcp-flags.log");
    let out = flowlens(&["query", "--conversations", path.to_str().unwrap()], None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["conversations_total"], 1);
    let c = &json["conversations"][0];
    assert_eq!(c["a"], json!({"addr": "52.213.180.42", "port": 43416}));
    assert_eq!(c["b"], json!({"addr": "10.0.0.62", "port": 5001}));
    assert_eq!(
        c["a_to_b"],
        json!({"records": 1, "bytes": 568, "packets": 8})
    );
    assert_eq!(
        c["b_to_a"],
        json!({"records": 1, "bytes": 376, "packets": 7})
    );
    assert_eq!(c["duration"], 58);
}

#[test]
fn query_records_page_sorted_with_missing_last() {
    let (_, json) = query(&["--records", "5", "--limit", "5", "--sort", "-bytes"]);
    // Bytes descending: 8855, 4249, 4249, 336, 336, then the two records without bytes.
    let rows = json["records"]["rows"].as_array().unwrap();
    assert_eq!(json["records"]["matched"], 7);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["bytes"], Value::Null);
    assert_eq!(rows[0]["log-status"], "NODATA");
    assert_eq!(rows[1]["log-status"], "SKIPDATA");
}
