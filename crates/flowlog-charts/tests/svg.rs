//! The charts drawn with plotters' SVG backend: the same code the page runs on its canvas.
//! The snapshots pin what is drawn (bars, labels, axis titles); `UPDATE_EXPECT=1 cargo test`
//! rewrites them after a deliberate change.

use flowlog_charts::{
    bars_svg, bars_svg_on, time_svg, time_svg_on, zone, Bar, BarChart, Frame, Theme, TimeBucket,
    TimeChart, Unit,
};

fn time_chart() -> TimeChart {
    TimeChart {
        unit: Unit::Bytes,
        width: 300,
        buckets: vec![
            TimeBucket {
                start: 1_795_161_600,
                accept: 40_000,
                reject: 1_200,
                none: 0,
            },
            TimeBucket {
                start: 1_795_161_900,
                accept: 15_000,
                reject: 0,
                none: 0,
            },
            TimeBucket {
                start: 1_795_162_800,
                accept: 0,
                reject: 600,
                none: 0,
            },
        ],
        offset: 0,
    }
}

fn bar_chart() -> BarChart {
    BarChart {
        unit: Unit::Records,
        bars: vec![
            Bar {
                label: "22 ssh".into(),
                value: 1500,
            },
            Bar {
                label: "3389 rdp".into(),
                value: 300,
            },
            Bar {
                label: "443 https".into(),
                value: 12,
            },
        ],
    }
}

/// The texts of an SVG document, in order: what a reader of the chart sees.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
        })
        .map(|(text, _)| text.trim().to_owned())
        .collect()
}

#[test]
fn time_chart_stacks_actions_with_utc_ticks_and_units() {
    let svg = time_svg(&time_chart(), &Theme::light(1.0), 640, 240).unwrap();
    // Accept blue and reject vermillion, in bars.
    assert!(svg.contains("#0072B2"), "accept colour");
    assert!(svg.contains("#D55E00"), "reject colour");
    expect_test::expect![[r#"
        ["bytes", "time (UTC), 5 min buckets", "0 B", "10 KB", "20 KB", "30 KB", "40 KB", "50 KB", "08:00", "08:05", "08:10", "08:15", "08:20", "08:25"]
    "#]]
    .assert_eq(&format!("{:?}\n", texts(&svg)));
}

#[test]
fn bar_chart_labels_each_bar_with_its_value() {
    let svg = bars_svg(&bar_chart(), &Theme::dark(2.0), 400, 200).unwrap();
    expect_test::expect![[r#"
        ["22 ssh", "1.5k", "3389 rdp", "300", "443 https", "12"]
    "#]]
    .assert_eq(&format!("{:?}\n", texts(&svg)));
}

#[test]
fn frames_turn_pixels_back_into_marks() {
    let frame = Frame {
        left: 100,
        top: 10,
        right: 300,
        bottom: 110,
    };
    assert_eq!(frame.bar_at(4, 0, 9), None);
    assert_eq!(frame.bar_at(4, 0, 10), Some(0));
    assert_eq!(frame.bar_at(4, 0, 60), Some(2));
    assert_eq!(frame.bar_at(4, 0, 109), Some(3));
    let chart = time_chart();
    assert_eq!(frame.bucket_at(&chart, 100), Some(0));
    assert_eq!(frame.bucket_at(&chart, 299), Some(2));
    assert_eq!(frame.bucket_at(&chart, 200), None);
    assert_eq!(frame.time_at(&chart, 100), Some(1_795_161_600));
    assert_eq!(frame.time_at(&chart, 400), Some(1_795_163_100));
}

#[test]
fn empty_charts_say_so() {
    let svg = time_svg(&TimeChart::default(), &Theme::light(1.0), 300, 100).unwrap();
    assert_eq!(texts(&svg), ["No records with a time"]);
    let svg = bars_svg(&BarChart::default(), &Theme::light(1.0), 300, 100).unwrap();
    assert_eq!(texts(&svg), ["No records"]);
}

#[test]
fn long_labels_are_shortened_in_the_middle_to_fit() {
    let pair = "2001:db8:5ca1::9 → 2600:1f18:4a3:6e00::a";
    let chart = BarChart {
        unit: Unit::Records,
        bars: vec![
            Bar {
                label: pair.into(),
                value: 12,
            },
            Bar {
                label: "22 ssh".into(),
                value: 3,
            },
        ],
    };
    // The label area is 150 px wide from a chart of 334 px up.
    let svg = bars_svg(&chart, &Theme::light(1.0), 340, 80).unwrap();
    let labels = texts(&svg);
    let long = labels
        .iter()
        .find(|t| t.contains('…'))
        .unwrap_or_else(|| panic!("no label was shortened: {labels:?}"));
    assert!(long.starts_with("2001"), "{long}");
    assert!(long.ends_with("::a"), "{long}");
    assert!(long.contains(" → "), "the arrow of a pair stays: {long}");
    assert!(labels.iter().any(|t| t == "22 ssh"), "{labels:?}");
}

#[test]
fn local_time_labels_ticks_in_the_zone_shown() {
    // UTC+05:30: 08:00 UTC is 13:30 there, and the ticks are round on that clock.
    let chart = TimeChart {
        offset: 5 * 3600 + 1800,
        ..time_chart()
    };
    let svg = time_svg(&chart, &Theme::light(1.0), 640, 240).unwrap();
    let labels = texts(&svg);
    assert!(
        labels.contains(&"time (UTC+05:30), 5 min buckets".to_owned()),
        "{labels:?}"
    );
    assert!(labels.contains(&"13:30".to_owned()), "{labels:?}");
    assert!(!labels.contains(&"08:00".to_owned()), "{labels:?}");
    assert_eq!(zone(0), "UTC");
    assert_eq!(zone(-5 * 3600), "UTC-05:00");
}

#[test]
fn exported_svgs_carry_their_background_and_escape_labels() {
    let theme = Theme::dark(1.0);
    let svg = time_svg_on(&time_chart(), &theme, 320, 160, Some(theme.background)).unwrap();
    assert!(svg.contains("#1A1E24"), "the background is drawn");
    let chart = BarChart {
        unit: Unit::Records,
        bars: vec![Bar {
            label: "<img src=x onerror=alert(1)>".into(),
            value: 1,
        }],
    };
    let svg = bars_svg_on(
        &chart,
        &Theme::light(1.0),
        600,
        60,
        Some(Theme::light(1.0).background),
    )
    .unwrap();
    assert!(svg.contains("&lt;img"), "{svg}");
    assert!(!svg.contains("<img"), "{svg}");
}
