//! Hand-written SVG charts for the HTML report: no JavaScript, no fonts to fetch, deterministic text that snapshot
//! tests can pin. Every chart scales with its container (`viewBox` plus `width="100%"`), so the same markup reads
//! at laptop and phone widths.

use std::fmt::Write;

/// Escapes text for SVG/HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shortens a reason so that it fits beside a chart row; the full text is in the tooltip and the cell table.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A logarithmic axis over [lo, hi] (whole decades) mapped onto [x0, x1] pixels.
#[derive(Debug, Clone, Copy)]
struct LogAxis {
    lo: f64,
    hi: f64,
    x0: f64,
    x1: f64,
}

impl LogAxis {
    /// Decades that hold every value (at least one decade).
    fn covering(values: impl Iterator<Item = f64>, x0: f64, x1: f64) -> LogAxis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite() && *v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (1.0, 10.0);
        }
        let lo = 10f64.powf(lo.log10().floor());
        let mut hi = 10f64.powf(hi.log10().ceil());
        if hi <= lo {
            hi = lo * 10.0;
        }
        LogAxis { lo, hi, x0, x1 }
    }

    fn pos(&self, v: f64) -> f64 {
        let v = v.clamp(self.lo, self.hi);
        self.x0 + (v / self.lo).log10() / (self.hi / self.lo).log10() * (self.x1 - self.x0)
    }

    fn decades(&self) -> Vec<f64> {
        let mut d = Vec::new();
        let mut v = self.lo;
        while v <= self.hi * 1.000_001 {
            d.push(v);
            v *= 10.0;
        }
        d
    }
}

/// `0.1x`, `1x`, `1000x`: a decade label.
fn decade_label(v: f64, suffix: &str) -> String {
    if v >= 1.0 {
        format!("{v:.0}{suffix}")
    } else {
        format!("{}{suffix}", format_args!("{v}"))
    }
}

/// One rung of a ladder chart.
#[derive(Debug, Clone)]
pub struct LadderRow {
    pub label: String,
    /// `ok`, or the status that greys the row out.
    pub status: String,
    pub speedup: Option<f64>,
    pub ci: Option<[f64; 2]>,
    /// The study's speedup for the same rung (against the study's own baseline).
    pub study: Option<f64>,
    /// The text at the end of the row: the speedup with its interval, or why there is none.
    pub text: String,
}

/// Labels are right-aligned against the chart, so a label wider than its column runs off the SVG's left edge.
/// At the charts' 12px font a character averages under 7 px (capitals reach 8), hence these limits for the
/// 182 px (ladder) and 132 px (bar chart) label columns; the full label is in each row's tooltip.
const LADDER_LABEL_CHARS: usize = 24;
const BAR_LABEL_CHARS: usize = 17;
/// The same for the text after the bars, left-aligned in a 192 px (ladder) or 142 px (bar chart) column.
const LADDER_TEXT_CHARS: usize = 27;
const BAR_TEXT_CHARS: usize = 20;

/// A round step (1, 2 or 5 times a power of ten) that cuts [0, max] into at most three intervals, so the tick
/// labels of a 210 px axis never run into each other.
fn nice_step(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let raw = max / 3.0;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

const ROW_H: f64 = 28.0;
const LABEL_W: f64 = 190.0;
const TEXT_W: f64 = 200.0;
const WIDTH: f64 = 760.0;

/// The ladder chart: one row per rung in ladder order, speedup on a log axis, 1x marked as the baseline, our
/// 95% interval as a whisker, the study's figure as a hollow diamond on the same axis, and wrong / failed /
/// unavailable rungs greyed with their reason.
pub fn ladder_chart(title: &str, rows: &[LadderRow]) -> String {
    let top = 44.0;
    let height = top + ROW_H * rows.len() as f64 + 34.0;
    let axis = LogAxis::covering(
        rows.iter()
            .flat_map(|r| {
                [
                    r.speedup,
                    r.ci.map(|c| c[0]),
                    r.ci.map(|c| c[1]),
                    r.study,
                    Some(1.0),
                ]
            })
            .flatten(),
        LABEL_W,
        WIDTH - TEXT_W,
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart ladder" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{t}">"#,
        t = escape(title)
    );
    let _ = write!(s, "<title>{}</title>", escape(title));
    // Legend.
    let _ = write!(
        s,
        r##"<g class="legend"><rect x="{LABEL_W}" y="8" width="14" height="10" class="bar ok"/><text x="{}" y="17">this machine, 95% interval</text><path d="M{} 8 l5 5 l-5 5 l-5 -5 z" class="study"/><text x="{}" y="17">the study (its M4 Pro)</text></g>"##,
        LABEL_W + 20.0,
        LABEL_W + 220.0,
        LABEL_W + 232.0
    );
    let bottom = top + ROW_H * rows.len() as f64;
    for d in axis.decades() {
        let x = axis.pos(d);
        let class = if d == 1.0 { "grid base" } else { "grid" };
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" class="{class}"/><text x="{x:.1}" y="{}" class="tick">{}</text>"#,
            top - 6.0,
            bottom + 16.0,
            decade_label(d, "x")
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{}" class="axis-title">speedup against the baseline (log scale; right is faster)</text>"#,
        (axis.x0 + axis.x1) / 2.0,
        bottom + 30.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + ROW_H * i as f64;
        let mid = y + ROW_H / 2.0;
        let ok = r.status == "ok";
        let _ = write!(
            s,
            r#"<g class="row {}"><title>{}: {}</title>"#,
            if ok { "ok" } else { "grey" },
            escape(&r.label),
            escape(&r.text)
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" class="label">{}</text>"#,
            LABEL_W - 8.0,
            mid + 4.0,
            escape(&clip(&r.label, LADDER_LABEL_CHARS))
        );
        match (ok, r.speedup) {
            (true, Some(sp)) => {
                let (x1, x2) = (axis.pos(1.0), axis.pos(sp));
                let (a, b) = (x1.min(x2), x1.max(x2));
                let class = if sp >= 1.0 { "bar ok" } else { "bar slower" };
                let _ = write!(
                    s,
                    r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="{class}"/>"#,
                    y + 7.0,
                    (b - a).max(1.5),
                    ROW_H - 14.0
                );
                if let Some([lo, hi]) = r.ci {
                    let (l, h) = (axis.pos(lo), axis.pos(hi));
                    let _ = write!(
                        s,
                        r#"<path d="M{l:.1} {:.1} v8 M{l:.1} {mid:.1} H{h:.1} M{h:.1} {:.1} v8" class="ci"/>"#,
                        mid - 4.0,
                        mid - 4.0
                    );
                }
            }
            _ => {
                let _ = write!(
                    s,
                    r#"<rect x="{}" y="{:.1}" width="{:.1}" height="{:.1}" class="bar grey"/>"#,
                    axis.x0,
                    y + 7.0,
                    axis.x1 - axis.x0,
                    ROW_H - 14.0
                );
            }
        }
        if let Some(st) = r.study {
            let x = axis.pos(st);
            let _ = write!(
                s,
                r#"<path d="M{x:.1} {:.1} l6 6 l-6 6 l-6 -6 z" class="study"><title>the study: {}</title></path>"#,
                mid - 6.0,
                super::format::ratio(st)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" class="value">{}</text></g>"#,
            WIDTH - TEXT_W + 8.0,
            mid + 4.0,
            escape(&clip(&r.text, LADDER_TEXT_CHARS))
        );
    }
    s.push_str("</svg>");
    s
}

/// One row of a grouped bar chart: a label and one value per series (None: not measured).
#[derive(Debug, Clone)]
pub struct BarRow {
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub text: String,
}

/// A grouped horizontal bar chart (wall vs CPU time, first call vs warm, peak memory). `log` picks a log axis
/// when the values span decades (a JIT's first call against its warm calls).
pub fn bar_chart(
    title: &str,
    series: &[&str],
    rows: &[BarRow],
    log: bool,
    tick: &dyn Fn(f64) -> String,
) -> String {
    // A narrower canvas than the ladder chart: these sit two to a row, and text scales with the canvas.
    const W: f64 = 500.0;
    const LBL: f64 = 140.0;
    const TXT: f64 = 150.0;
    let group_h = 8.0 + 12.0 * series.len() as f64;
    let top = 30.0;
    let height = top + group_h * rows.len() as f64 + 24.0;
    let values = || rows.iter().flat_map(|r| r.values.iter().flatten().copied());
    let max = values().fold(0.0f64, f64::max);
    let x0 = LBL;
    let x1 = W - TXT;
    let log_axis = LogAxis::covering(values(), x0, x1);
    let step = nice_step(max);
    // The axis ends on the first tick at or past the largest value, so every tick is a round number.
    let linear_max = step * (max / step).ceil().max(1.0);
    let pos = |v: f64| {
        if log {
            log_axis.pos(v)
        } else {
            x0 + v / linear_max * (x1 - x0)
        }
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for (i, name) in series.iter().enumerate() {
        let x = x0 + 130.0 * i as f64;
        let _ = write!(
            s,
            r#"<g class="legend"><rect x="{x}" y="6" width="14" height="10" class="s{i}"/><text x="{}" y="15">{}</text></g>"#,
            x + 20.0,
            escape(name)
        );
    }
    let bottom = top + group_h * rows.len() as f64;
    let ticks: Vec<f64> = if log {
        log_axis.decades()
    } else {
        let count = (linear_max / step).round() as usize;
        (0..=count).map(|k| step * k as f64).collect()
    };
    for t in ticks {
        let x = pos(t);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" class="grid"/><text x="{x:.1}" y="{}" class="tick">{}</text>"#,
            top - 4.0,
            bottom + 14.0,
            escape(&tick(t))
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + group_h * i as f64;
        let _ = write!(
            s,
            r#"<g class="row"><title>{}: {}</title><text x="{}" y="{:.1}" class="label">{}</text>"#,
            escape(&r.label),
            escape(&r.text),
            LBL - 8.0,
            y + group_h / 2.0 + 4.0,
            escape(&clip(&r.label, BAR_LABEL_CHARS))
        );
        for (k, v) in r.values.iter().enumerate() {
            if let Some(v) = v {
                let w = (pos(*v) - x0).max(1.5);
                let _ = write!(
                    s,
                    r#"<rect x="{x0}" y="{:.1}" width="{w:.1}" height="10" class="s{k}"/>"#,
                    y + 4.0 + 12.0 * k as f64
                );
            }
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" class="value">{}</text></g>"#,
            W - TXT + 8.0,
            y + group_h / 2.0 + 4.0,
            escape(&clip(&r.text, BAR_TEXT_CHARS))
        );
    }
    s.push_str("</svg>");
    s
}

/// One line of a scaling chart: (n, median time in ns) points of one rung on one runtime.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// Time against n on log-log axes, one line per rung: the slope is the exponent of the cost's growth.
pub fn scaling_chart(title: &str, lines: &[Line]) -> String {
    let (left, right, top) = (70.0, 560.0, 20.0);
    let bottom = 300.0;
    // Below the plot: the decades, then each measured n, then the key (one line per rung, left-aligned so a long
    // `Rung · Runtime (exponent)` label is never cut at the right edge).
    let key_top = bottom + 52.0;
    let height = key_top + 8.0 + 16.0 * lines.len() as f64;
    let xs = LogAxis::covering(
        lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)),
        left,
        right,
    );
    let ys = LogAxis::covering(
        lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)),
        0.0,
        1.0,
    );
    let ypos = |v: f64| bottom - ys.pos(v) * (bottom - top);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart scaling" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for d in xs.decades() {
        let x = xs.pos(d);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" class="grid"/><text x="{x:.1}" y="{}" class="tick">n={}</text>"#,
            bottom + 14.0,
            decade_label(d, "")
        );
    }
    // The measured n's themselves: a scaling run often spans one decade or less, where the decade lines alone
    // would not say where the points are.
    let mut measured: Vec<f64> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .collect();
    measured.sort_by(f64::total_cmp);
    measured.dedup();
    for n in measured {
        let x = xs.pos(n);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{bottom}" x2="{x:.1}" y2="{}" class="grid"/><text x="{x:.1}" y="{}" class="tick">{}</text>"#,
            bottom + 20.0,
            bottom + 30.0,
            n
        );
    }
    for d in ys.decades() {
        let y = ypos(d);
        let _ = write!(
            s,
            r#"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" class="grid"/><text x="{}" y="{:.1}" class="tick y">{}</text>"#,
            left - 4.0,
            y + 4.0,
            super::format::duration(d)
        );
    }
    for (i, l) in lines.iter().enumerate() {
        let path: Vec<String> = l
            .points
            .iter()
            .enumerate()
            .map(|(k, (n, t))| {
                format!(
                    "{}{:.1} {:.1}",
                    if k == 0 { "M" } else { "L" },
                    xs.pos(*n),
                    ypos(*t)
                )
            })
            .collect();
        let _ = write!(
            s,
            r#"<g class="line c{}"><title>{}</title><path d="{}"/>"#,
            i % 8,
            escape(&l.label),
            path.join(" ")
        );
        for (n, t) in &l.points {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3"/>"#,
                xs.pos(*n),
                ypos(*t)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{left}" y="{:.1}" class="key">— {}</text></g>"#,
            key_top + 16.0 * i as f64,
            escape(&l.label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_covers_whole_decades() {
        let a = LogAxis::covering([0.7, 38.0, 980.0].into_iter(), 0.0, 300.0);
        assert_eq!((a.lo, a.hi), (0.1, 1000.0));
        assert_eq!(a.decades().len(), 5);
        assert!((a.pos(1.0) - 75.0).abs() < 1e-9);
        assert!((a.pos(1000.0) - 300.0).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped_and_greyed_rows_have_no_bar() {
        let svg = ladder_chart(
            "a<b",
            &[
                LadderRow {
                    label: "C & co".into(),
                    status: "unavailable".into(),
                    speedup: None,
                    ci: None,
                    study: Some(50.0),
                    text: "unavailable: no <cc>".into(),
                },
                LadderRow {
                    label: "Rust".into(),
                    status: "ok".into(),
                    speedup: Some(20.0),
                    ci: Some([18.0, 22.0]),
                    study: None,
                    text: "20x".into(),
                },
            ],
        );
        assert!(svg.contains("C &amp; co") && svg.contains("no &lt;cc&gt;"));
        assert!(!svg.contains("a<b"));
        assert_eq!(svg.matches("class=\"bar grey\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar ok\"").count(), 2); // the legend's and Rust's
        assert_eq!(svg.matches("class=\"ci\"").count(), 1);
    }

    /// The text of every element with `class="{class}"`.
    fn texts<'a>(svg: &'a str, class: &str) -> Vec<&'a str> {
        let open = format!(r#"class="{class}">"#);
        svg.match_indices(&open)
            .map(|(i, _)| {
                let rest = &svg[i + open.len()..];
                &rest[..rest.find('<').unwrap()]
            })
            .collect()
    }

    #[test]
    fn linear_ticks_are_few_round_and_distinct() {
        for max in [3.3e6, 26.8e6, 1.0, 999.0, 4.1e9, 72.0e3] {
            let svg = bar_chart(
                "t",
                &["wall", "cpu"],
                &[BarRow {
                    label: "r".into(),
                    values: vec![Some(max), Some(max / 2.0)],
                    text: String::new(),
                }],
                false,
                &|v| super::super::format::duration(v),
            );
            let ticks = texts(&svg, "tick");
            assert!((2..=4).contains(&ticks.len()), "{max}: {ticks:?}");
            assert!(ticks.iter().all(|t| t.len() <= 8), "{max}: {ticks:?}");
            let mut distinct = ticks.clone();
            distinct.dedup();
            assert_eq!(distinct.len(), ticks.len(), "{max}: {ticks:?}");
            // The longest bar ends inside the axis.
            assert!(nice_step(max) * (ticks.len() - 1) as f64 >= max);
        }
    }

    #[test]
    fn long_labels_are_clipped_to_their_column() {
        let long = "PyPy 7.3.11 (Python 3.9.16, GCC 12.2.0) on pypy-3.9";
        let ladder = ladder_chart(
            "t",
            &[LadderRow {
                label: long.into(),
                status: "ok".into(),
                speedup: Some(2.0),
                ci: None,
                study: None,
                text: "2x".into(),
            }],
        );
        let bars = bar_chart(
            "t",
            &["a"],
            &[BarRow {
                label: long.into(),
                values: vec![Some(1.0)],
                text: String::new(),
            }],
            false,
            &|v| format!("{v}"),
        );
        for (svg, max) in [(ladder, LADDER_LABEL_CHARS), (bars, BAR_LABEL_CHARS)] {
            let labels = texts(&svg, "label");
            assert_eq!(labels.len(), 1);
            assert!(labels[0].starts_with("PyPy 7.3"), "{labels:?}");
            assert_eq!(labels[0].chars().count(), max, "{labels:?}");
            // The whole label stays in the row's tooltip.
            assert!(svg.contains(long));
        }
    }
}
