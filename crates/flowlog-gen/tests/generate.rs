//! The generator's promises, checked from outside: determinism, shares, header, gzip, and
//! that the decoder reads every layout back without an issue and with the same totals.

use std::io::Read;

use flate2::read::MultiGzDecoder;
use flowlog::{DecodeOptions, Field as DecodedField};
use flowlog_gen::{generate, story, Compression, Layout, Options, Summary};

fn run(options: &Options) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let summary = generate(options, &mut out).expect("writing to a Vec cannot fail");
    (out, summary)
}

fn lines(bytes: &[u8]) -> Vec<&str> {
    std::str::from_utf8(bytes)
        .expect("the generator writes ASCII")
        .lines()
        .collect()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    MultiGzDecoder::new(bytes)
        .read_to_end(&mut text)
        .expect("valid gzip");
    text
}

#[test]
fn same_seed_same_bytes_and_other_seed_other_bytes() {
    let options = Options {
        records: 5_000,
        seed: 42,
        ..Options::default()
    };
    let (a, _) = run(&options);
    let (b, _) = run(&options);
    assert_eq!(a, b);
    let (c, _) = run(&Options {
        seed: 43,
        ..options
    });
    assert_ne!(a, c);
}

#[test]
fn reject_share_and_gaps_are_in_range() {
    let (out, summary) = run(&Options {
        records: 100_000,
        seed: 7,
        ..Options::default()
    });
    let ok = summary.accepted + summary.rejected;
    let reject_share = summary.rejected as f64 / ok as f64;
    assert!((0.10..=0.20).contains(&reject_share), "{reject_share}");
    // Count from the text itself rather than trusting the summary.
    let text = lines(&out);
    let rejects = text.iter().filter(|l| l.ends_with(" REJECT OK")).count() as u64;
    assert_eq!(rejects, summary.rejected);
    let nodata = text.iter().filter(|l| l.ends_with(" - NODATA")).count() as u64;
    assert_eq!(nodata, summary.nodata);
    assert!((300..=700).contains(&summary.nodata), "{}", summary.nodata);
    assert!(summary.skipdata > 20 && summary.skipdata < 200);
    assert!(summary.ipv6 > 100, "{}", summary.ipv6);
}

#[test]
fn nodata_lines_look_like_the_aws_example() {
    let (out, _) = run(&Options {
        records: 20_000,
        ..Options::default()
    });
    let line = lines(&out)
        .into_iter()
        .find(|l| l.ends_with("NODATA"))
        .expect("some NODATA line");
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields.len(), 14);
    assert_eq!(fields[0], "2");
    assert!(fields[2].starts_with("eni-") && fields[2].len() == 21);
    assert_eq!(&fields[3..10], &["-"; 7]);
    assert_eq!(fields[12], "-");
}

#[test]
fn header_on_and_off() {
    let options = Options {
        records: 10,
        ..Options::default()
    };
    let (with, _) = run(&options);
    let (without, _) = run(&Options {
        header: false,
        ..options
    });
    let with = lines(&with);
    assert_eq!(with.len(), 11);
    assert_eq!(with[0], Layout::default_v2().header());
    assert_eq!(lines(&without), with[1..]);
}

#[test]
fn windows_cover_the_span_in_order() {
    let (out, _) = run(&Options {
        records: 2_880,
        header: false,
        ..Options::default()
    });
    let starts: Vec<u64> = lines(&out)
        .iter()
        .map(|l| l.split(' ').nth(10).unwrap().parse().unwrap())
        .collect();
    assert_eq!(starts[0], flowlog_gen::DEFAULT_START);
    assert_eq!(
        *starts.last().unwrap(),
        flowlog_gen::DEFAULT_START + 86_400 - 60
    );
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    assert!(starts.iter().all(|s| s % 60 == 0));
}

#[test]
fn gzip_round_trips_in_one_member_or_many() {
    let options = Options {
        records: 3_000,
        seed: 9,
        ..Options::default()
    };
    let (plain, plain_summary) = run(&options);
    let (one, summary) = run(&Options {
        compression: Compression::Gzip,
        ..options.clone()
    });
    assert_eq!(summary, plain_summary);
    assert_eq!(gunzip(&one), plain);
    let (many, _) = run(&Options {
        compression: Compression::GzipMembers {
            records_per_member: 1_000,
        },
        ..options
    });
    assert_eq!(gunzip(&many), plain);
    // Each member starts with the gzip magic bytes and deflate method.
    let members = many.windows(4).filter(|w| w == &[0x1f, 0x8b, 8, 0]).count();
    assert!(members >= 3, "{members}");
    // A reader that stops after the first member sees only a third of the records.
    let mut first = Vec::new();
    flate2::read::GzDecoder::new(&many[..])
        .read_to_end(&mut first)
        .unwrap();
    assert!(first.len() < plain.len() / 2);
}

fn decode(name: &str, bytes: &[u8]) -> flowlog::Decoded {
    flowlog::decode_all(name, bytes, DecodeOptions::default())
}

fn assert_decodes(layout: Layout, compression: Compression) {
    let (out, summary) = run(&Options {
        records: 4_000,
        layout: layout.clone(),
        compression,
        seed: 11,
        ..Options::default()
    });
    let decoded = decode("generated.log", &out);
    let report = &decoded.report;
    assert_eq!(report.issues.total(), 0, "{:?}", report.issues.examples());
    assert_eq!(report.records, summary.records);
    assert_eq!(decoded.table.len() as u64, summary.records);
    let format = decoded.table.format_of(0);
    let names: Vec<&str> = format.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names.join(" "), layout.header());

    let bytes = decoded
        .table
        .int(DecodedField::Bytes)
        .expect("a bytes column");
    let total: u64 = (0..decoded.table.len())
        .filter_map(|row| bytes.get(row))
        .sum();
    assert_eq!(total, summary.bytes);
}

#[test]
fn the_decoder_reads_every_layout_back() {
    assert_decodes(Layout::default_v2(), Compression::None);
    assert_decodes(Layout::custom_v5(), Compression::None);
    assert_decodes(Layout::all_v5(), Compression::Gzip);
    assert_decodes(Layout::transit_gateway(), Compression::None);
}

#[test]
fn the_story_files_tell_their_story() {
    let files = story::sample_files().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    assert_eq!(names.len(), 3);
    assert!(names[1].ends_with(".log.gz"));
    let total: usize = files.iter().map(|f| f.contents.len()).sum();
    assert!(total < 1_000_000, "{total} bytes");

    let mut records = 0;
    for file in &files {
        let decoded = decode(file.name, &file.contents);
        assert_eq!(decoded.report.issues.total(), 0, "{}", file.name);
        assert_eq!(
            decoded.report.records, file.summary.records,
            "{}",
            file.name
        );
        records += file.summary.records;
    }
    assert!((2_000..6_000).contains(&records), "{records}");

    let main = lines(&files[0].contents);
    // The SSH brute force: rejected SYNs to port 22 of the bastion.
    let ssh_rejects = main
        .iter()
        .filter(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            f[6] == "22" && f[12] == "REJECT"
        })
        .count();
    assert!(ssh_rejects > 80, "{ssh_rejects}");
    // The NODATA gap on the Windows server.
    assert_eq!(main.iter().filter(|l| l.ends_with("NODATA")).count(), 30);
    assert!(main.iter().any(|l| l.contains(':')), "some IPv6");

    // The port scan lands in the S3 object's five minutes.
    let s3 = gunzip(&files[1].contents);
    let scanned: std::collections::BTreeSet<&str> = lines(&s3)
        .iter()
        .filter(|l| l.contains(" 203.0.113.200 "))
        .map(|l| l.split(' ').nth(6).unwrap())
        .collect();
    assert!(scanned.len() > 300, "{}", scanned.len());

    // The custom v5 file shows NAT translation and SKIPDATA.
    let v5 = lines(&files[2].contents);
    assert_eq!(v5[0], Layout::custom_v5().header());
    assert!(v5.iter().any(|l| l.ends_with("SKIPDATA")));
    assert!(v5.iter().any(|l| l.contains(" S3 ")));

    // The ETL worker's uploads dwarf everything else: most bytes go to one address.
    let upload: u64 = main
        .iter()
        .filter(|l| l.split(' ').nth(4) == Some("192.0.2.50"))
        .map(|l| l.split(' ').nth(9).unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(upload * 2 > files[0].summary.bytes);
}

#[test]
fn transit_gateway_records_name_the_vpcs_of_their_addresses() {
    let (out, _) = run(&Options {
        records: 2_000,
        layout: Layout::transit_gateway(),
        header: false,
        ..Options::default()
    });
    // Each VPC has its own /16: the source address must belong to the source VPC's block,
    // whichever way the record crosses the gateway.
    let mut block_of_vpc = std::collections::HashMap::new();
    for line in lines(&out) {
        let f: Vec<&str> = line.split(' ').collect();
        let (src_vpc, dst_vpc, src, dst) = (f[7], f[8], f[16], f[17]);
        assert_ne!(src_vpc, dst_vpc);
        for (vpc, addr) in [(src_vpc, src), (dst_vpc, dst)] {
            let block: Vec<&str> = addr.split('.').take(2).collect();
            let known = block_of_vpc.entry(vpc).or_insert_with(|| block.clone());
            assert_eq!(*known, block, "{line}");
        }
    }
    assert_eq!(block_of_vpc.len(), 6);
}

#[test]
fn every_record_involves_its_own_interface() {
    let (out, _) = run(&Options {
        records: 50_000,
        header: false,
        ..Options::default()
    });
    // The interface's own side of a record is always its primary private IPv4 address (or
    // its IPv6 address): across all IPv4 records of one interface, some address must be in
    // every one of them.
    let mut common: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for line in lines(&out) {
        let f: Vec<&str> = line.split(' ').collect();
        if f[13] != "OK" || f[3].contains(':') {
            continue;
        }
        let ends = vec![f[3], f[4]];
        common
            .entry(f[2])
            .and_modify(|seen| seen.retain(|a| ends.contains(a)))
            .or_insert(ends);
    }
    assert!(common.len() > 200, "{}", common.len());
    for (eni, addresses) in &common {
        assert!(
            !addresses.is_empty(),
            "{eni} has records without its address"
        );
    }
}
