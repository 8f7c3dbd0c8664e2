//! Numbers and times on axes: short, in the unit they count, times in UTC.

/// What a chart's values count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Bytes, shown in powers of 1000 (KB, MB, GB, TB).
    #[default]
    Bytes,
    /// Packets, shown with k and M.
    Packets,
    /// Records, shown with k and M.
    Records,
}

impl Unit {
    /// The value axis's title.
    pub fn axis_title(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Packets => "packets",
            Unit::Records => "records",
        }
    }
}

/// `n` in a few characters: `1.5 MB`, `12k`, `3.4M`, `999`.
pub fn compact(unit: Unit, n: u64) -> String {
    let (steps, first): (&[&str], &str) = match unit {
        Unit::Bytes => (&[" KB", " MB", " GB", " TB", " PB", " EB"], " B"),
        Unit::Packets | Unit::Records => (&["k", "M", "G", "T", "P", "E"], ""),
    };
    if n < 1000 {
        return format!("{n}{first}");
    }
    let mut value = n as f64;
    let mut suffix = "";
    for s in steps {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        suffix = s;
    }
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    // `10.0` reads as noise on an axis; `10` is the same number.
    let text = text.strip_suffix(".0").unwrap_or(&text).to_owned();
    format!("{text}{suffix}")
}

/// The longest of the round steps between time ticks: 30 days. Wider axes take steps of
/// whatever length gives the ticks asked for.
const MONTH_STEP: u64 = 2_592_000;

/// A tick step for a time range of `span` seconds that gives at most `ticks` ticks: a round
/// number of seconds, minutes, hours or days.
pub fn duration_step(span: u64, ticks: u64) -> u64 {
    const STEPS: [u64; 17] = [
        1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 604_800,
        MONTH_STEP,
    ];
    let ticks = ticks.max(1);
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= ticks)
        .unwrap_or_else(|| span.div_ceil(ticks).max(1))
}

/// A length of time in its largest whole unit: `5 min`, `1 h`, `30 s`, `2 d`.
pub fn duration(seconds: u64) -> String {
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The time of day of a Unix time, in UTC: `14:05`.
pub fn clock(t: u64) -> String {
    let day = t % 86_400;
    format!("{:02}:{:02}", day / 3600, day % 3600 / 60)
}

/// The time of day of a Unix time with its seconds, in UTC: `14:05:30`.
fn clock_seconds(t: u64) -> String {
    format!("{}:{:02}", clock(t), t % 60)
}

/// The label of a time-axis tick at `t` (already shifted to the zone shown), on an axis whose
/// ticks are `step` seconds apart over `span` seconds. The label is as precise as the step:
/// ticks seconds apart show their seconds, since without them every tick within one minute
/// would read the same. Ticks a day or more apart, and midnights on an axis of a day or more,
/// show the date; ticks a month or more apart show the year too and not the time, since
/// such an axis may span years (AWS's example records do) and its ticks fall at any hour.
pub fn time_tick(t: u64, step: u64, span: u64) -> String {
    if step >= MONTH_STEP {
        let (year, month, day) = utc_date(t);
        format!("{year}-{month:02}-{day:02}")
    } else if step >= 86_400 || span >= 86_400 && t.is_multiple_of(86_400) {
        date_time(t)
    } else if !step.is_multiple_of(60) {
        clock_seconds(t)
    } else {
        clock(t)
    }
}

/// The date and time of a Unix time, in UTC: `11-20 14:05` (month and day).
pub fn date_time(t: u64) -> String {
    let (_, month, day) = utc_date(t);
    format!("{month:02}-{day:02} {}", clock(t))
}

/// The calendar date (year, month, day) of a Unix time, in UTC. Flow-log times are below
/// 2^31 seconds, well inside the range the date library covers.
pub fn utc_date(t: u64) -> (i16, i8, i8) {
    let date = i64::try_from(t)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|ts| ts.to_zoned(jiff::tz::TimeZone::UTC).date());
    date.map_or((1970, 1, 1), |d| (d.year(), d.month(), d.day()))
}

/// Shortens `text` to at most `max` characters by cutting out its middle, so that both
/// ends stay readable: `eni-0a1b2c3d4e5f69f8e` → `eni-0a1b…5f69f8e`.
pub fn middle_ellipsis(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= max || max < 3 {
        return text.to_owned();
    }
    let keep = max - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(Unit::Bytes, 999), "999 B");
        assert_eq!(compact(Unit::Bytes, 1_500_000), "1.5 MB");
        assert_eq!(compact(Unit::Bytes, 10_000), "10 KB");
        assert_eq!(compact(Unit::Records, 12_345), "12k");
        assert_eq!(compact(Unit::Packets, 3_400_000), "3.4M");
        assert_eq!(compact(Unit::Packets, u64::MAX), "18E");
    }

    #[test]
    fn time_ticks_are_round() {
        assert_eq!(duration_step(3600, 7), 600);
        assert_eq!(duration_step(86_400, 7), 21_600);
        assert_eq!(duration_step(30, 7), 5);
        assert_eq!(clock(1_795_161_600 + 3_723), "09:02");
        assert_eq!(date_time(0), "01-01 00:00");
        // 2026-11-20T10:00:00Z.
        assert_eq!(date_time(1_795_168_800), "11-20 10:00");
        assert_eq!(duration(300), "5 min");
        assert_eq!(clock_seconds(1_795_161_600 + 3_723), "09:02:03");
    }

    #[test]
    fn ticks_within_one_minute_read_differently() {
        // Records of one minute (2026-11-20 22:13:00 to 22:13:40) give ticks 5 s apart.
        let lo = 1_795_212_780;
        let span = 40;
        let step = duration_step(span, 7);
        assert_eq!(step, 10);
        let labels: Vec<String> = (0..=span / step)
            .map(|i| time_tick(lo + i * step, step, span))
            .collect();
        assert_eq!(
            labels,
            ["22:13:00", "22:13:10", "22:13:20", "22:13:30", "22:13:40"]
        );
        // Minutes apart, the seconds would only repeat ":00".
        assert_eq!(time_tick(lo, 600, 3600), "22:13");
        // Days apart, the date is what tells ticks apart.
        assert_eq!(time_tick(lo - 79_980, 86_400, 7 * 86_400), "11-20 00:00");
        // Months or years apart, the year is what does, and the hour means nothing.
        let years = 1_566_848_875 - 1_418_530_010;
        let step = duration_step(years, 7);
        assert!(step > 2_592_000);
        assert_eq!(time_tick(1_418_530_010, step, years), "2014-12-14");
        assert_eq!(
            time_tick(1_418_530_010 + 3 * step, step, years),
            "2016-12-18"
        );
    }
}
