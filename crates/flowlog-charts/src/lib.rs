//! The flowlens charts: small view models drawn with plotters on any `DrawingBackend`.
//!
//! # The key decision: one drawing, every surface
//!
//! The page draws on a `<canvas>` and the exports and tests want SVG. Both go through the
//! same functions here, which take a plotters drawing area of any backend, so the SVG a
//! user saves is the chart they saw, and the native snapshot tests check the very code the
//! page runs. The crate knows nothing of the browser or of flow-log tables: its inputs are
//! plain numbers and labels ([`TimeChart`], [`BarChart`]) that the page builds from the
//! worker's answers.
//!
//! Everything that has a size (fonts, lines, margins) is multiplied by [`Theme::scale`], so
//! that the page can draw in device pixels (`devicePixelRatio` times the CSS size) and stay
//! crisp on high-DPI screens. Each drawing returns its [`Frame`], the plotting area in
//! pixels, which is what turns a pointer position back into a bar or a time.
//!
//! The crate does no I/O and reads no clock.

#![deny(missing_docs)]

mod format;

pub use format::{
    clock, compact, date_time, duration_step, middle_ellipsis, time_tick, utc_date, Unit,
};
pub use plotters::style::RGBColor;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours and sizes of a drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    /// Labels and values.
    pub text: RGBColor,
    /// Axis lines and tick labels of lesser weight.
    pub muted: RGBColor,
    /// Grid lines.
    pub grid: RGBColor,
    /// ACCEPT: Okabe-Ito blue, told apart from REJECT by colour-blind readers.
    pub accept: RGBColor,
    /// REJECT: Okabe-Ito vermillion.
    pub reject: RGBColor,
    /// Records with no action (NODATA, SKIPDATA, or a layout without the field): neutral grey.
    pub none: RGBColor,
    /// Bars of top lists, which are not split by action.
    pub bar: RGBColor,
    /// The page behind the chart, for exports that carry their own background.
    pub background: RGBColor,
    /// Device pixels per CSS pixel.
    pub scale: f64,
}

impl Theme {
    /// Colours for a light background, the page's light theme.
    pub fn light(scale: f64) -> Theme {
        Theme {
            text: RGBColor(0x1b, 0x1f, 0x24),
            muted: RGBColor(0x5b, 0x64, 0x70),
            grid: RGBColor(0xe3, 0xe6, 0xea),
            accept: RGBColor(0x00, 0x72, 0xb2),
            reject: RGBColor(0xd5, 0x5e, 0x00),
            none: RGBColor(0x8a, 0x8f, 0x98),
            bar: RGBColor(0x0b, 0x62, 0xc4),
            background: RGBColor(0xff, 0xff, 0xff),
            scale,
        }
    }

    /// Colours for a dark background, the page's dark theme.
    pub fn dark(scale: f64) -> Theme {
        Theme {
            text: RGBColor(0xe6, 0xe9, 0xed),
            muted: RGBColor(0x9a, 0xa3, 0xae),
            grid: RGBColor(0x2a, 0x30, 0x38),
            accept: RGBColor(0x56, 0xb4, 0xe9),
            reject: RGBColor(0xe6, 0x9f, 0x00),
            none: RGBColor(0x8a, 0x8f, 0x98),
            bar: RGBColor(0x4c, 0x9a, 0xff),
            background: RGBColor(0x1a, 0x1e, 0x24),
            scale,
        }
    }

    fn px(&self, css: f64) -> i32 {
        (css * self.scale).round() as i32
    }

    fn font(&self, css: f64) -> FontDesc<'static> {
        FontDesc::new(FontFamily::SansSerif, css * self.scale, FontStyle::Normal)
    }
}

/// The plotting area of a drawing, in the backend's pixels: where the data went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Left edge.
    pub left: i32,
    /// Top edge.
    pub top: i32,
    /// Right edge.
    pub right: i32,
    /// Bottom edge.
    pub bottom: i32,
}

impl Frame {
    /// The bar of a chart of `bars` bars (top to bottom) under the pixel `(x, y)`, if any.
    /// The whole row counts, label included, so that short bars are easy to hit.
    pub fn bar_at(&self, bars: usize, _x: i32, y: i32) -> Option<usize> {
        if bars == 0 || y < self.top || y >= self.bottom {
            return None;
        }
        let row = (y - self.top) as i64 * bars as i64 / (self.bottom - self.top).max(1) as i64;
        Some((row as usize).min(bars - 1))
    }

    /// The bucket of `chart` under the pixel column `x`, if any.
    pub fn bucket_at(&self, chart: &TimeChart, x: i32) -> Option<usize> {
        let (lo, hi) = chart.range()?;
        if x < self.left || x > self.right {
            return None;
        }
        let t = lo as f64
            + (x - self.left) as f64 / (self.right - self.left).max(1) as f64 * (hi - lo) as f64;
        chart
            .buckets
            .iter()
            .position(|b| (b.start as f64) <= t && t < (b.start + chart.width) as f64)
    }

    /// The time at the pixel column `x` of `chart`, clamped to its range.
    pub fn time_at(&self, chart: &TimeChart, x: i32) -> Option<u64> {
        let (lo, hi) = chart.range()?;
        let f = (x - self.left) as f64 / (self.right - self.left).max(1) as f64;
        Some(lo + ((hi - lo) as f64 * f.clamp(0.0, 1.0)).round() as u64)
    }
}

/// One bucket of the traffic-over-time chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeBucket {
    /// Start, in Unix seconds.
    pub start: u64,
    /// The measure over ACCEPT records.
    pub accept: u64,
    /// The measure over REJECT records.
    pub reject: u64,
    /// The measure over records without an action.
    pub none: u64,
}

impl TimeBucket {
    /// The bucket's height.
    pub fn total(&self) -> u64 {
        self.accept
            .saturating_add(self.reject)
            .saturating_add(self.none)
    }
}

/// Traffic over time, stacked by action.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeChart {
    /// What the heights count.
    pub unit: Unit,
    /// The width of each bucket, in seconds.
    pub width: u64,
    /// The buckets that hold records, in time order.
    pub buckets: Vec<TimeBucket>,
    /// Seconds east of UTC of the zone the time axis is labelled in: 0 for UTC, the
    /// browser's offset when the page shows local time. Ticks fall on round times of that
    /// zone.
    pub offset: i64,
}

impl TimeChart {
    /// The time range drawn: from the first bucket's start to the last one's end.
    pub fn range(&self) -> Option<(u64, u64)> {
        let first = self.buckets.first()?;
        let last = self.buckets.last()?;
        Some((first.start, last.start + self.width.max(1)))
    }
}

/// One bar of a top list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bar {
    /// What the bar stands for, already shortened to fit.
    pub label: String,
    /// Its value.
    pub value: u64,
}

/// A top list as horizontal bars, largest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BarChart {
    /// What the values count.
    pub unit: Unit,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// A drawing that failed: the backend's error, in words.
pub type Error = String;

fn fail<E: std::fmt::Debug>(error: E) -> Error {
    format!("{error:?}")
}

/// Draws `chart` on `area`: stacked bars per bucket (ACCEPT at the bottom, then REJECT,
/// then records without an action), a value axis in the chart's unit and a time axis in UTC
/// with ticks on round minutes, hours or days.
pub fn draw_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeChart,
    theme: &Theme,
) -> Result<Frame, Error> {
    area.fill(&TRANSPARENT).map_err(fail)?;
    let Some((lo, hi)) = chart.range() else {
        let (w, h) = area.dim_in_pixel();
        let text = TextStyle::from(theme.font(13.0))
            .color(&theme.muted)
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(
            "No records with a time",
            (w as i32 / 2, h as i32 / 2),
            text,
        ))
        .map_err(fail)?;
        return Ok(Frame::default());
    };
    let max = chart
        .buckets
        .iter()
        .map(TimeBucket::total)
        .max()
        .unwrap_or(0)
        .max(1);
    let top = nice_ceiling(max);
    let step = duration_step(hi - lo, 7);
    // Ticks are round in the zone shown: found on the shifted clock, then shifted back.
    let offset = chart.offset;
    let shift = |t: u64| t.saturating_add_signed(offset);
    let first_tick = (shift(lo).div_ceil(step) * step).saturating_add_signed(-offset);
    let ticks: Vec<u64> = (0..)
        .map(|i| first_tick + i * step)
        .take_while(|t| *t <= hi)
        .collect();
    let values: Vec<u64> = (0..=value_steps(top))
        .map(|i| top / value_steps(top) * i)
        .collect();
    let span = hi - lo;

    let mut builder = ChartBuilder::on(area);
    builder
        .margin_top(theme.px(8.0))
        .margin_right(theme.px(24.0))
        .x_label_area_size(theme.px(36.0))
        .y_label_area_size(theme.px(64.0));
    let mut ctx = builder
        .build_cartesian_2d(
            (lo..hi).with_key_points(ticks),
            (0..top).with_key_points(values),
        )
        .map_err(fail)?;
    let label_style = TextStyle::from(theme.font(11.0)).color(&theme.muted);
    let unit = chart.unit;
    ctx.configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(theme.grid.stroke_width(theme.px(1.0).max(1) as u32))
        .axis_style(theme.muted.stroke_width(theme.px(1.0).max(1) as u32))
        .x_label_style(label_style.clone())
        .y_label_style(label_style.clone())
        .x_label_formatter(&|t| time_tick(shift(*t), step, span))
        .y_label_formatter(&|v| compact(unit, *v))
        .x_desc(format!(
            "time ({}), {} buckets",
            zone(offset),
            format::duration(chart.width)
        ))
        .y_desc(unit.axis_title())
        .axis_desc_style(TextStyle::from(theme.font(11.0)).color(&theme.muted))
        .draw()
        .map_err(fail)?;

    // A gap between buckets, where the width allows one, keeps neighbours apart.
    let gap = chart.width * 8 / 100;
    let mut rects = Vec::with_capacity(chart.buckets.len() * 3);
    for bucket in &chart.buckets {
        let x0 = bucket.start + gap / 2;
        let x1 = bucket.start + chart.width - gap / 2;
        let mut base = 0u64;
        for (value, colour) in [
            (bucket.accept, theme.accept),
            (bucket.reject, theme.reject),
            (bucket.none, theme.none),
        ] {
            if value > 0 {
                let y0 = base;
                base = base.saturating_add(value);
                rects.push(Rectangle::new([(x0, y0), (x1, base)], colour.filled()));
            }
        }
    }
    ctx.draw_series(rects).map_err(fail)?;
    Ok(frame(ctx.plotting_area().get_pixel_range()))
}

/// Draws `chart` on `area`: one horizontal bar per row, largest at the top, its label on the
/// left (right-aligned) and its value, in the chart's unit, at its end.
pub fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &BarChart,
    theme: &Theme,
) -> Result<Frame, Error> {
    area.fill(&TRANSPARENT).map_err(fail)?;
    let (w, h) = area.dim_in_pixel();
    if chart.bars.is_empty() {
        let text = TextStyle::from(theme.font(13.0))
            .color(&theme.muted)
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new("No records", (w as i32 / 2, h as i32 / 2), text))
            .map_err(fail)?;
        return Ok(Frame::default());
    }
    let max = chart.bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = chart.bars.len();
    // Room for the longest label, from 150 px (so that short labels line up from chart to
    // chart) to 260 px, and never more than 45 % of the chart.
    let font_px = theme.px(12.0);
    let longest = (chart.bars.iter())
        .map(|bar| text_width(&bar.label, font_px))
        .fold(0.0, f64::max);
    let label_width = (longest.ceil() as i32 + theme.px(4.0))
        .clamp(theme.px(150.0), theme.px(260.0))
        .min(w as i32 * 45 / 100);
    let value_room = theme.px(64.0);
    let frame = Frame {
        left: label_width + theme.px(8.0),
        top: theme.px(2.0),
        right: (w as i32 - value_room).max(label_width + theme.px(20.0)),
        bottom: h as i32 - theme.px(2.0),
    };
    let row = (frame.bottom - frame.top) as f64 / n as f64;
    let thickness = (row * 0.72).min(theme.px(22.0) as f64);
    let label = TextStyle::from(theme.font(12.0))
        .color(&theme.text)
        .pos(Pos::new(HPos::Right, VPos::Center));
    let value_style = TextStyle::from(theme.font(11.0))
        .color(&theme.muted)
        .pos(Pos::new(HPos::Left, VPos::Center));
    // The value axis starts at zero at the frame's left edge.
    area.draw(&PathElement::new(
        vec![(frame.left, frame.top), (frame.left, frame.bottom)],
        theme.muted.stroke_width(theme.px(1.0).max(1) as u32),
    ))
    .map_err(fail)?;
    for (i, bar) in chart.bars.iter().enumerate() {
        let centre = frame.top as f64 + row * (i as f64 + 0.5);
        let y0 = (centre - thickness / 2.0).round() as i32;
        let y1 = (centre + thickness / 2.0).round() as i32;
        let length = (bar.value as f64 / max as f64 * (frame.right - frame.left) as f64).round();
        let x1 = frame.left + (length as i32).max(if bar.value > 0 { 1 } else { 0 });
        area.draw(&Rectangle::new(
            [(frame.left, y0), (x1, y1)],
            theme.bar.filled(),
        ))
        .map_err(fail)?;
        let y = centre.round() as i32;
        let text = fit(&bar.label, font_px, label_width - theme.px(4.0));
        area.draw(&Text::new(text, (label_width, y), label.clone()))
            .map_err(fail)?;
        area.draw(&Text::new(
            compact(chart.unit, bar.value),
            (x1 + theme.px(6.0), y),
            value_style.clone(),
        ))
        .map_err(fail)?;
    }
    Ok(frame)
}

/// The label, shortened in the middle to fit `width` pixels, so that both ends of an id stay
/// readable instead of the start being cut off at the edge. A pair (`a → b`) is shortened
/// side by side, so that the arrow and both ends of each address stay.
///
/// The width is estimated, not measured: measuring text on the canvas backend sets an
/// inline style, which the page's Content-Security-Policy forbids. See [`advance`].
fn fit(label: &str, font_px: i32, width: i32) -> String {
    let fits = |text: &str| text_width(text, font_px) <= width as f64;
    if fits(label) {
        return label.to_owned();
    }
    // One character less at a time: labels are short and a chart has ten of them.
    let mut max = label.chars().count();
    while max > 4 {
        max -= 1;
        let shortened = shorten(label, max);
        if fits(&shortened) {
            return shortened;
        }
    }
    shorten(label, max)
}

/// About how many pixels `text` takes at `font_px`, from [`advance`].
fn text_width(text: &str, font_px: i32) -> f64 {
    text.chars().map(advance).sum::<f64>() * font_px as f64
}

/// About how wide a character is, in em, in the sans-serif faces labels use, rounded up:
/// digits and lower-case letters about 0.6, the dots, colons and spaces of addresses about
/// a third. The arrow and the ellipsis a shortened pair carries are about 1 em; counted as
/// digits, they pushed the start of IPv6 pairs past the chart's left edge.
fn advance(c: char) -> f64 {
    match c {
        '…' | '→' | 'm' | 'w' | 'M' | 'W' => 1.0,
        '.' | ':' | ' ' | ',' | '\'' | '|' | 'i' | 'l' => 0.34,
        c if c.is_uppercase() => 0.72,
        _ => 0.62,
    }
}

/// `label` in at most `max` characters (4 at least), shortened in the middle; a pair
/// side by side.
fn shorten(label: &str, max: usize) -> String {
    let max = max.max(4);
    if label.chars().count() <= max {
        return label.to_owned();
    }
    const ARROW: &str = " → ";
    match label.split_once(ARROW) {
        Some((a, b)) => {
            // The shorter side keeps what it needs of half the room; the other gets the rest.
            let room = max.saturating_sub(ARROW.chars().count()).max(8);
            let (la, lb) = (a.chars().count(), b.chars().count());
            let (ra, rb) = if la <= lb {
                let ra = la.min(room / 2);
                (ra, room - ra)
            } else {
                let rb = lb.min(room / 2);
                (room - rb, rb)
            };
            format!(
                "{}{ARROW}{}",
                format::middle_ellipsis(a, ra.max(4)),
                format::middle_ellipsis(b, rb.max(4))
            )
        }
        None => format::middle_ellipsis(label, max),
    }
}

/// The name of the zone `offset` seconds east of UTC: `UTC`, `UTC+02:00`, `UTC-05:30`.
pub fn zone(offset: i64) -> String {
    if offset == 0 {
        return "UTC".into();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn frame((x, y): (std::ops::Range<i32>, std::ops::Range<i32>)) -> Frame {
    Frame {
        left: x.start,
        top: y.start,
        right: x.end,
        bottom: y.end,
    }
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `n`, so that the
/// value axis ends on a round number.
pub fn nice_ceiling(n: u64) -> u64 {
    let mut power = 1u64;
    loop {
        for m in [1, 2, 5] {
            let candidate = power.saturating_mul(m);
            if candidate >= n {
                return candidate;
            }
        }
        if power > u64::MAX / 10 {
            return u64::MAX;
        }
        power *= 10;
    }
}

/// How many steps divide a [`nice_ceiling`] into round numbers: 5 for 1 and 5 (0.2, 1),
/// 4 for 2 (0.5).
fn value_steps(top: u64) -> u64 {
    let mut lead = top;
    while lead >= 10 {
        lead /= 10;
    }
    if lead == 2 {
        4
    } else {
        5
    }
}

/// `chart` as an SVG document of `width` × `height` pixels, on a transparent background.
pub fn time_svg(
    chart: &TimeChart,
    theme: &Theme,
    width: u32,
    height: u32,
) -> Result<String, Error> {
    time_svg_on(chart, theme, width, height, None)
}

/// `chart` as an SVG document of `width` × `height` pixels on `background`: what the page
/// exports, so that the file reads the same in any viewer, whatever its own background.
pub fn time_svg_on(
    chart: &TimeChart,
    theme: &Theme,
    width: u32,
    height: u32,
    background: Option<RGBColor>,
) -> Result<String, Error> {
    svg(width, height, background, |area| {
        draw_time(area, chart, theme)
    })
}

/// `chart` as an SVG document of `width` × `height` pixels, on a transparent background.
pub fn bars_svg(chart: &BarChart, theme: &Theme, width: u32, height: u32) -> Result<String, Error> {
    bars_svg_on(chart, theme, width, height, None)
}

/// `chart` as an SVG document of `width` × `height` pixels on `background`, as exported.
pub fn bars_svg_on(
    chart: &BarChart,
    theme: &Theme,
    width: u32,
    height: u32,
    background: Option<RGBColor>,
) -> Result<String, Error> {
    svg(width, height, background, |area| {
        draw_bars(area, chart, theme)
    })
}

/// An SVG document of `width` × `height` pixels, filled with `background` if one is given,
/// then drawn by `draw`. The charts' own fill is transparent, so the background shows
/// through it.
fn svg(
    width: u32,
    height: u32,
    background: Option<RGBColor>,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<Frame, Error>,
) -> Result<String, Error> {
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        if let Some(colour) = background {
            area.fill(&colour).map_err(fail)?;
        }
        draw(&area)?;
        area.present().map_err(fail)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn arrows_and_ellipses_count_wider_than_digits() {
        // 146 px at 12 px: 19 digits fit. A pair label of 22 characters, two of them
        // ellipses and one an arrow, reached past the chart's left edge in Chromium.
        let digits = "2600123484912051234";
        assert_eq!(fit(digits, 12, 146), digits);
        let pair = "2600…84d9 → 2a05:…292e";
        assert_eq!(pair.chars().count(), 22);
        let shortened = fit(pair, 12, 146);
        assert!(shortened.chars().count() < 22, "{shortened}");
        assert!(shortened.contains(" → "), "{shortened}");
    }
}
