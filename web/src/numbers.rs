//! Numbers as people read them: thousands separators, byte sizes in powers of 1000, and
//! Unix seconds as UTC dates.
//!
//! The page always shows the exact value next to a rounded one (in a tooltip), so rounding
//! here only has to be honest, never reversible.

/// An integer with a comma every three digits: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Units of bytes in powers of 1000, as AWS bills them.
const UNITS: [&str; 7] = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];

/// A byte count with three significant digits in B, KB, MB, GB, … (powers of 1000):
/// `999` → `999 B`, `1234567` → `1.23 MB`.
pub fn bytes(n: u64) -> String {
    if n < 1000 {
        return format!("{n} B");
    }
    let mut unit = 0;
    let mut scaled = n as f64;
    while scaled >= 1000.0 && unit + 1 < UNITS.len() {
        scaled /= 1000.0;
        unit += 1;
    }
    let mut text = three_digits(scaled);
    // Rounding can carry into a fourth digit (999.96 KB reads "1000 KB"); the next unit
    // says the same thing in three digits.
    if text == "1000" && unit + 1 < UNITS.len() {
        unit += 1;
        text = "1.00".into();
    }
    format!("{text} {}", UNITS[unit])
}

/// A number in [1, 1000) with three significant digits.
fn three_digits(x: f64) -> String {
    let text = if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    };
    // `9.996` rounds to `10.00`, which has four significant digits: round again one place
    // coarser so the width stays the same.
    match text.as_str() {
        "10.00" => "10.0".into(),
        "100.0" => "100".into(),
        _ => text,
    }
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` in UTC.
pub fn utc(seconds: u64) -> String {
    let rest = seconds % 86_400;
    let (year, month, day) = flowlog_charts::utc_date(seconds);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS` at `offset` seconds east of UTC.
pub fn clock(seconds: u64, offset: i64) -> String {
    utc(seconds.saturating_add_signed(offset))
}

/// How many seconds the browser's time zone is ahead of UTC at `seconds` (it changes with
/// daylight saving time). Natively, where there is no browser, UTC.
pub fn local_offset(seconds: u64) -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
        -(date.get_timezone_offset() as i64) * 60
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = seconds;
        0
    }
}

/// A time as the page shows it: in UTC, or in the browser's time zone, with the zone said.
pub fn when(seconds: u64, local: bool) -> String {
    if local {
        let offset = local_offset(seconds);
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        format!(
            "{} UTC{sign}{:02}:{:02}",
            clock(seconds, offset),
            minutes / 60,
            minutes % 60
        )
    } else {
        format!("{} UTC", utc(seconds))
    }
}

/// A length of time in the largest units that keep it short: `90` → `1m 30s`,
/// `90061` → `1d 1h 1m`.
pub fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// A time taken, given in milliseconds: `under 0.01 s` below 5 ms, then to the hundredth
/// of a second under ten seconds,
/// the tenth under a minute, then as [`duration`]: `272.4` → `0.27 s`, `12_345.0` →
/// `12.3 s`, `95_000.0` → `1m 35s`.
pub fn elapsed(ms: f64) -> String {
    let seconds = ms / 1e3;
    // A small file of a folder is read in a few milliseconds, which "0.00 s" would call
    // no time at all.
    if ms < 5.0 {
        "under 0.01 s".to_owned()
    } else if seconds < 10.0 {
        format!("{seconds:.2} s")
    } else if seconds < 60.0 {
        format!("{seconds:.1} s")
    } else {
        duration(seconds.round() as u64)
    }
}

/// Shortens text by cutting out its middle; shared with the charts, which fit their labels
/// with it.
pub use flowlog_charts::middle_ellipsis;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn clocks_at_an_offset() {
        // 2026-11-21 00:30:00 UTC is 01:30 in Berlin and the evening before in New York.
        assert_eq!(clock(1_795_221_000, 3600), "2026-11-21 01:30:00");
        assert_eq!(clock(1_795_221_000, -5 * 3600), "2026-11-20 19:30:00");
        assert_eq!(when(1_795_221_000, false), "2026-11-21 00:30:00 UTC");
        // Natively the "local" zone is UTC, and says so.
        assert_eq!(when(1_795_221_000, true), "2026-11-21 00:30:00 UTC+00:00");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn byte_sizes_in_powers_of_1000() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1.00 KB");
        assert_eq!(bytes(4249), "4.25 KB");
        assert_eq!(bytes(12_345), "12.3 KB");
        assert_eq!(bytes(123_456), "123 KB");
        assert_eq!(bytes(1_234_567), "1.23 MB");
        assert_eq!(bytes(9_996), "10.0 KB");
        assert_eq!(bytes(99_960), "100 KB");
        assert_eq!(bytes(999_999), "1.00 MB");
        assert_eq!(bytes(5_000_000_000), "5.00 GB");
        assert_eq!(bytes(u64::MAX), "18.4 EB");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_418_530_010), "2014-12-14 04:06:50");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
    }

    #[test]
    fn middle_ellipses() {
        assert_eq!(middle_ellipsis("short.log", 30), "short.log");
        assert_eq!(
            middle_ellipsis("eni-0a1b2c3d4e5f69f8e", 16),
            "eni-0a1b…5f69f8e"
        );
        let long = "123456789012_vpcflowlogs_us-east-1_fl-0abc1234_20261120T1000Z_a1b2c3d4.log.gz";
        let short = middle_ellipsis(long, 30);
        assert_eq!(short.chars().count(), 30);
        assert!(short.starts_with("123456789012_vp") && short.ends_with("1b2c3d4.log.gz"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(90), "1m 30s");
        assert_eq!(elapsed(0.0), "under 0.01 s");
        assert_eq!(elapsed(4.9), "under 0.01 s");
        assert_eq!(elapsed(5.0), "0.01 s");
        assert_eq!(elapsed(272.4), "0.27 s");
        assert_eq!(elapsed(9_994.0), "9.99 s");
        assert_eq!(elapsed(12_345.0), "12.3 s");
        assert_eq!(elapsed(95_000.0), "1m 35s");
        assert_eq!(duration(3600), "1h 0m");
        assert_eq!(duration(90_061), "1d 1h 1m");
    }
}
