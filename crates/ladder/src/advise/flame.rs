//! The flame graph: one self-contained SVG (no script, no fonts to fetch), written by hand like the report's
//! charts. Frames are merged by function and file (not line), as flame graphs usually are, so a function is one
//! box per call path; each box's width is its share of the on-CPU samples, and its `<title>` (the tooltip) gives
//! the samples, the share and the file.
//!
//! Not `inferno`: its flame graphs embed JavaScript for zooming and search, which this page promises not to
//! carry, and the boxes here need ladder's own attribution (the program's frames, library code folded in), which
//! is a few dozen lines once the frames are counted.

use super::sampler::Frame;
use std::collections::BTreeMap;
use std::fmt::Write;

const WIDTH: f64 = 1200.0;
const ROW: f64 = 17.0;
const PAD: f64 = 10.0;
const HEADER: f64 = 34.0;
/// Boxes narrower than this are not drawn (they would be invisible anyway); their samples stay in the parent.
const MIN_WIDTH: f64 = 0.5;

#[derive(Default)]
struct Node {
    samples: u64,
    children: BTreeMap<(String, String), Node>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A warm colour from the name, stable between runs so two graphs of one program look alike.
fn colour(name: &str) -> String {
    let h = name
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    let r = 205 + (h % 50);
    let g = 80 + ((h >> 8) % 120);
    let b = (h >> 16) % 55;
    format!("rgb({r},{g},{b})")
}

/// Renders the stacks (outermost frame first, with their sample counts) as an SVG flame graph.
pub fn render(title: &str, stacks: &[(Vec<Frame>, u64)]) -> String {
    let mut root = Node::default();
    for (frames, n) in stacks {
        root.samples += n;
        let mut node = &mut root;
        for f in frames {
            node = node
                .children
                .entry((f.function.clone(), f.file.clone()))
                .or_default();
            node.samples += n;
        }
    }
    let depth = max_depth(&root);
    let height = HEADER + (depth as f64 + 1.0) * ROW + PAD * 2.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="monospace" font-size="11">"#
    );
    let _ = write!(
        s,
        r##"<rect width="100%" height="100%" fill="#fdf8ef"/><text x="{PAD}" y="20" font-size="14">{}</text>"##,
        escape(title)
    );
    if root.samples == 0 {
        let _ = write!(
            s,
            r#"<text x="{PAD}" y="{}">no on-CPU samples of the program's code</text></svg>"#,
            HEADER + ROW
        );
        return s;
    }
    let scale = (WIDTH - 2.0 * PAD) / root.samples as f64;
    // The root ("all") sits at the bottom; callees stack upwards.
    let base_y = height - PAD - ROW;
    draw(&mut s, "all", "", &root, root.samples, PAD, base_y, scale);
    s.push_str("</svg>");
    s
}

fn max_depth(n: &Node) -> usize {
    n.children
        .values()
        .map(|c| 1 + max_depth(c))
        .max()
        .unwrap_or(0)
}

#[allow(clippy::too_many_arguments)]
fn draw(s: &mut String, name: &str, file: &str, n: &Node, total: u64, x: f64, y: f64, scale: f64) {
    let w = n.samples as f64 * scale;
    if w < MIN_WIDTH {
        return;
    }
    let share = n.samples as f64 / total as f64 * 100.0;
    let tip = if file.is_empty() {
        format!("{name}: {} samples, {share:.1}%", n.samples)
    } else {
        format!("{name} ({file}): {} samples, {share:.1}%", n.samples)
    };
    let _ = write!(
        s,
        r#"<g><title>{}</title><rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.1}" fill="{}" rx="2"/>"#,
        escape(&tip),
        (w - 0.5).max(0.1),
        ROW - 1.0,
        colour(name)
    );
    // About 7 px a character at 11 px monospace: label only what fits.
    let fits = ((w - 6.0) / 7.0).floor() as usize;
    if fits >= 3 {
        let label: String = if name.chars().count() > fits {
            name.chars()
                .take(fits.saturating_sub(2))
                .collect::<String>()
                + ".."
        } else {
            name.to_string()
        };
        let _ = write!(
            s,
            r#"<text x="{:.2}" y="{:.2}">{}</text>"#,
            x + 3.0,
            y + ROW - 5.0,
            escape(&label)
        );
    }
    s.push_str("</g>");
    let mut cx = x;
    for ((cname, cfile), child) in &n.children {
        draw(s, cname, cfile, child, total, cx, y - ROW, scale);
        cx += child.samples as f64 * scale;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_samples_and_text_is_escaped() {
        let f = |n: &str| Frame {
            function: n.into(),
            file: "a.py".into(),
            line: 1,
        };
        let svg = render(
            "t<1>",
            &[
                (vec![f("<module>"), f("main"), f("hot")], 3),
                (vec![f("<module>"), f("main")], 1),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("t&lt;1&gt;"));
        assert!(svg.contains("hot (a.py): 3 samples, 75.0%"));
        assert!(svg.contains("&lt;module&gt; (a.py): 4 samples, 100.0%"));
        assert!(!svg.contains("<script"));
    }
}
