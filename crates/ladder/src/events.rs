//! The events file of the JSON pipeline benchmarks (`catalog/json-pipeline/SPEC.md`).
//!
//! `generate(n, seed)` writes a UTF-8 JSON array of `n` events, one per line, with `n / 20` users (at least
//! one). Everything is drawn from a small integer PRNG (`SplitMix64`) and written with integer arithmetic only:
//! timestamps go through a civil-from-days conversion, money is formatted from integer cents, so the file is
//! byte-identical on every machine and every Rust version.
//!
//! The distributions aim to look like a real shop's click stream: most events are page views and clicks, a few
//! percent are purchases, pages follow the event type (purchases happen on `/checkout`), and activity is heavy
//! tailed (about 5% of the users produce about 40% of the events).

use crate::stats::SplitMix64;

/// The seed ladder uses for every events file it generates.
pub const DEFAULT_SEED: u64 = 0x1ADD_E500_2025_0314;

/// Event types, in the order of `TYPE_WEIGHTS` and of the rows of `PAGE_WEIGHTS`.
const TYPES: [&str; 10] = [
    "page_view",
    "click",
    "search",
    "add_to_cart",
    "remove_from_cart",
    "purchase",
    "signup",
    "login",
    "logout",
    "share",
];

/// Relative frequency of each type (percent).
const TYPE_WEIGHTS: [u32; 10] = [38, 24, 10, 8, 3, 4, 1, 6, 4, 2];

#[rustfmt::skip]
const PAGES: [&str; 10] = [
    "/", "/home", "/search", "/product", "/cart", "/checkout", "/account", "/help", "/blog", "/pricing",
];

/// `PAGE_WEIGHTS[type][page]`: where each type of event happens.
#[rustfmt::skip]
const PAGE_WEIGHTS: [[u32; 10]; 10] = [
    // /  home search product cart checkout account help blog pricing
    [10, 20, 8, 25, 5, 3, 6, 5, 10, 8],  // page_view
    [8, 18, 10, 30, 8, 4, 5, 3, 8, 6],   // click
    [5, 10, 85, 0, 0, 0, 0, 0, 0, 0],    // search
    [0, 0, 10, 85, 5, 0, 0, 0, 0, 0],    // add_to_cart
    [0, 0, 0, 0, 90, 10, 0, 0, 0, 0],    // remove_from_cart
    [0, 0, 0, 0, 5, 95, 0, 0, 0, 0],     // purchase
    [30, 20, 0, 0, 0, 0, 10, 0, 0, 40],  // signup
    [20, 30, 0, 0, 0, 0, 50, 0, 0, 0],   // login
    [0, 30, 0, 0, 0, 0, 70, 0, 0, 0],    // logout
    [0, 0, 0, 50, 0, 0, 0, 0, 40, 10],   // share
];

const REFERRERS: [&str; 7] = [
    "direct",
    "google",
    "bing",
    "newsletter",
    "twitter",
    "https://news.ycombinator.com/",
    "https://www.reddit.com/r/Python/",
];
const ELEMENTS: [&str; 8] = [
    "button.buy",
    "button.add-to-cart",
    "button.signup",
    "a.nav-home",
    "a.nav-pricing",
    "a.footer-help",
    "img.hero",
    "div.product-card",
];
#[rustfmt::skip]
const WORDS: [&str; 16] = [
    "shoes", "running", "red", "jacket", "waterproof", "wool", "socks", "size 42", "gift", "kids", "sale",
    "linen", "shirt", "black", "boots", "leather",
];
const PLANS: [&str; 4] = ["free", "pro", "team", "enterprise"];
const REFERRALS: [&str; 4] = ["friend", "podcast", "partner-acme", "conference"];
const METHODS: [&str; 5] = ["password", "google", "github", "sso", "magic_link"];
const CHANNELS: [&str; 5] = ["twitter", "facebook", "email", "linkedin", "copy_link"];

const SECONDS_PER_DAY: u64 = 86_400;
/// Timestamps are uniform over the 365 days of 2025 (UTC).
const YEAR_SECONDS: u64 = 365 * SECONDS_PER_DAY;

/// Days since 1970-01-01 of a proleptic Gregorian date (valid for years >= 0).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    // Count years from March so that the leap day is the last day of the counted year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y % 400;
    let shifted_month = (month + 9) % 12; // March = 0 .. February = 11
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719_468 days separate 0000-03-01 from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let day_of_era = z % 146_097; // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
}

/// Decimal digits of `value`, left-padded with zeros to at least `width` digits.
fn push_uint(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = value;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push(b'0');
    }
    out.extend(digits[..len].iter().rev());
}

/// Money from integer cents, always with exactly two decimals: 4217 -> `42.17`, 500 -> `5.00`.
fn push_cents(out: &mut Vec<u8>, cents: u64) {
    push_uint(out, cents / 100, 1);
    out.push(b'.');
    push_uint(out, cents % 100, 2);
}

/// `"key": "value"` where neither needs escaping.
fn push_str_field(out: &mut Vec<u8>, key: &str, value: &str) {
    out.push(b'"');
    push_str(out, key);
    push_str(out, "\": \"");
    push_str(out, value);
    out.push(b'"');
}

fn push_uint_field(out: &mut Vec<u8>, key: &str, value: u64) {
    out.push(b'"');
    push_str(out, key);
    push_str(out, "\": ");
    push_uint(out, value, 1);
}

fn push_cents_field(out: &mut Vec<u8>, key: &str, cents: u64) {
    out.push(b'"');
    push_str(out, key);
    push_str(out, "\": ");
    push_cents(out, cents);
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a number of seconds since 1970-01-01T00:00:00Z.
fn push_timestamp(out: &mut Vec<u8>, unix_seconds: u64) {
    let (year, month, day) = civil_from_days(unix_seconds / SECONDS_PER_DAY);
    let second_of_day = unix_seconds % SECONDS_PER_DAY;
    push_uint(out, year, 4);
    out.push(b'-');
    push_uint(out, month, 2);
    out.push(b'-');
    push_uint(out, day, 2);
    out.push(b'T');
    push_uint(out, second_of_day / 3_600, 2);
    out.push(b':');
    push_uint(out, second_of_day / 60 % 60, 2);
    out.push(b':');
    push_uint(out, second_of_day % 60, 2);
    out.push(b'Z');
}

/// A search query of one to three words; about one in six quotes its first words (`\"` in the file).
fn push_query(out: &mut Vec<u8>, rng: &mut SplitMix64) {
    let words = rng.between(1, 3);
    let quoted = rng.chance(16);
    out.push(b'"');
    if quoted {
        push_str(out, "\\\"");
    }
    for i in 0..words {
        if i > 0 {
            out.push(b' ');
        }
        push_str(out, rng.pick(&WORDS));
        if quoted && i + 1 == words.min(2) {
            push_str(out, "\\\"");
        }
    }
    out.push(b'"');
}

/// The `meta` object of an event of type `TYPES[kind]`.
fn push_meta(out: &mut Vec<u8>, rng: &mut SplitMix64, kind: usize, id: u64) {
    out.push(b'{');
    match kind {
        0 => {
            // page_view: most views are short, some tabs stay open for minutes
            let duration = if rng.chance(85) {
                rng.between(120, 15_000)
            } else {
                rng.between(15_000, 600_000)
            };
            push_uint_field(out, "duration_ms", duration);
            push_str(out, ", ");
            push_str_field(out, "referrer", rng.pick(&REFERRERS));
        }
        1 => {
            push_str_field(out, "element", rng.pick(&ELEMENTS));
            push_str(out, ", ");
            push_uint_field(out, "x", rng.below(1_920));
            push_str(out, ", ");
            push_uint_field(out, "y", rng.below(1_080));
        }
        2 => {
            push_str(out, "\"query\": ");
            push_query(out, rng);
            push_str(out, ", ");
            let results = if rng.chance(8) {
                0
            } else {
                rng.between(1, 480)
            };
            push_uint_field(out, "results", results);
        }
        3 => {
            let sku = rng.below(20_000);
            out.extend_from_slice(b"\"sku\": \"SKU-");
            push_uint(out, sku, 5);
            push_str(out, "\", ");
            push_uint_field(out, "qty", rng.between(1, 5));
            push_str(out, ", ");
            // prices from 1.99 to 249.99, cheap items far more common
            let price = if rng.chance(70) {
                rng.between(199, 4_999)
            } else {
                rng.between(5_000, 24_999)
            };
            push_cents_field(out, "price", price);
        }
        4 => {
            let sku = rng.below(20_000);
            out.extend_from_slice(b"\"sku\": \"SKU-");
            push_uint(out, sku, 5);
            push_str(out, "\", ");
            push_uint_field(out, "qty", rng.between(1, 3));
        }
        5 => {
            out.extend_from_slice(b"\"order_id\": \"o");
            push_uint(out, id, 7);
            push_str(out, "\", ");
            let amount = if rng.chance(80) {
                rng.between(500, 15_000)
            } else {
                rng.between(15_000, 120_000)
            };
            push_cents_field(out, "amount", amount);
            push_str(out, ", ");
            push_uint_field(out, "items", rng.between(1, 8));
        }
        6 => {
            push_str_field(out, "plan", rng.pick(&PLANS));
            push_str(out, ", ");
            if rng.chance(40) {
                push_str_field(out, "referral", rng.pick(&REFERRALS));
            } else {
                push_str(out, "\"referral\": null");
            }
        }
        7 => {
            push_str_field(out, "method", rng.pick(&METHODS));
            push_str(out, ", \"success\": ");
            push_str(out, if rng.chance(92) { "true" } else { "false" });
        }
        8 => push_uint_field(out, "session_s", rng.between(20, 14_400)),
        _ => {
            push_str_field(out, "channel", rng.pick(&CHANNELS));
            push_str(out, ", \"target\": \"");
            if rng.chance(60) {
                push_str(out, "/product/");
                push_uint(out, rng.below(20_000), 1);
            } else {
                push_str(out, "/blog/post-");
                push_uint(out, rng.between(1, 250), 1);
            }
            out.push(b'"');
        }
    }
    out.push(b'}');
}

/// Cumulative activity weights of the users: 5% power users, 20% regulars, 75% occasional visitors.
fn user_weights(rng: &mut SplitMix64, users: usize) -> Vec<u64> {
    let mut cumulative = Vec::with_capacity(users);
    let mut total = 0u64;
    for _ in 0..users {
        let class = rng.below(100);
        let weight = if class < 5 {
            rng.between(40, 80)
        } else if class < 25 {
            rng.between(8, 15)
        } else {
            rng.between(1, 4)
        };
        total += weight;
        cumulative.push(total);
    }
    cumulative
}

/// The events file for `n` events: a JSON array, one event object per line (see `SPEC.md`). User ids have five
/// digits up to two million events (100,000 users), more beyond.
pub fn generate(n: usize, seed: u64) -> Vec<u8> {
    let users = (n / 20).max(1);
    let mut rng = SplitMix64::new(seed);
    let cumulative = user_weights(&mut rng, users);
    let total_weight = cumulative.last().copied().unwrap_or(1);
    let year_start = days_from_civil(2025, 1, 1) * SECONDS_PER_DAY;

    let mut out = Vec::with_capacity(n.saturating_mul(190).saturating_add(8));
    out.push(b'[');
    for id in 0..n as u64 {
        out.extend_from_slice(if id == 0 { b"\n" } else { b",\n" });
        let draw = rng.below(total_weight);
        let user = cumulative.partition_point(|&c| c <= draw);
        let kind = rng.weighted(&TYPE_WEIGHTS);
        let page = rng.weighted(&PAGE_WEIGHTS[kind]);
        let ts = year_start + rng.below(YEAR_SECONDS);

        out.push(b'{');
        push_uint_field(&mut out, "id", id);
        out.extend_from_slice(b", \"user_id\": \"u");
        push_uint(&mut out, user as u64, 5);
        push_str(&mut out, "\", ");
        push_str_field(&mut out, "type", TYPES[kind]);
        push_str(&mut out, ", ");
        push_str_field(&mut out, "page", PAGES[page]);
        push_str(&mut out, ", \"ts\": \"");
        push_timestamp(&mut out, ts);
        push_str(&mut out, "\", \"meta\": ");
        push_meta(&mut out, &mut rng, kind, id);
        out.push(b'}');
    }
    out.extend_from_slice(if n == 0 { b"]\n" } else { b"\n]\n" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal strict JSON validator: returns the position after one value, or None.
    fn value(s: &[u8], i: usize) -> Option<usize> {
        let i = ws(s, i);
        match *s.get(i)? {
            b'{' => {
                let mut i = ws(s, i + 1);
                if s.get(i) == Some(&b'}') {
                    return Some(i + 1);
                }
                loop {
                    if s.get(i) != Some(&b'"') {
                        return None;
                    }
                    i = ws(s, string(s, i)?);
                    if s.get(i) != Some(&b':') {
                        return None;
                    }
                    i = ws(s, value(s, i + 1)?);
                    match s.get(i)? {
                        b',' => i = ws(s, i + 1),
                        b'}' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut i = ws(s, i + 1);
                if s.get(i) == Some(&b']') {
                    return Some(i + 1);
                }
                loop {
                    i = ws(s, value(s, i)?);
                    match s.get(i)? {
                        b',' => i += 1,
                        b']' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'"' => string(s, i),
            b't' => s[i..].starts_with(b"true").then_some(i + 4),
            b'f' => s[i..].starts_with(b"false").then_some(i + 5),
            b'n' => s[i..].starts_with(b"null").then_some(i + 4),
            _ => number(s, i),
        }
    }

    fn ws(s: &[u8], mut i: usize) -> usize {
        while matches!(s.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            i += 1;
        }
        i
    }

    fn string(s: &[u8], mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            match *s.get(i)? {
                b'"' => return Some(i + 1),
                b'\\' => {
                    if !matches!(
                        s.get(i + 1)?,
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't'
                    ) {
                        return None;
                    }
                    i += 2;
                }
                c if c < 0x20 => return None,
                _ => i += 1,
            }
        }
    }

    fn number(s: &[u8], mut i: usize) -> Option<usize> {
        let start = i;
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == int_start || (s[int_start] == b'0' && i - int_start > 1) {
            return None;
        }
        if s.get(i) == Some(&b'.') {
            let frac = i + 1;
            i = frac;
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == frac {
                return None;
            }
        }
        (i > start).then_some(i)
    }

    /// The value of a `"key": "..."` string field on one line (fields read here never contain escapes).
    fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
        let pattern = format!("\"{key}\": \"");
        let start = line.find(&pattern)? + pattern.len();
        let len = line[start..].find('"')?;
        Some(&line[start..start + len])
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2025, 1, 1), 20_089);
        assert_eq!(days_from_civil(2025, 3, 1), 20_148);
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
        assert_eq!(civil_from_days(20_088), (2024, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_453), (2025, 12, 31));
        for days in 0..60_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn timestamps_format() {
        let mut out = Vec::new();
        push_timestamp(&mut out, 1_741_944_413); // 2025-03-14T09:26:53Z
        assert_eq!(out, b"2025-03-14T09:26:53Z");
        out.clear();
        push_cents(&mut out, 500);
        push_cents(&mut out, 4_217);
        push_cents(&mut out, 7);
        assert_eq!(out, b"5.0042.170.07");
    }

    #[test]
    fn deterministic() {
        assert_eq!(generate(2_000, DEFAULT_SEED), generate(2_000, DEFAULT_SEED));
        assert_ne!(
            generate(2_000, DEFAULT_SEED),
            generate(2_000, DEFAULT_SEED ^ 1)
        );
        // a smaller file is not a prefix of a larger one (the user count depends on n) but is stable
        assert_eq!(generate(1, 7), generate(1, 7));
    }

    #[test]
    fn empty_and_tiny() {
        assert_eq!(generate(0, DEFAULT_SEED), b"[]\n");
        let one = generate(1, DEFAULT_SEED);
        assert_eq!(value(&one, 0).map(|end| ws(&one, end)), Some(one.len()));
        assert!(String::from_utf8(one).is_ok_and(|s| s.contains("\"user_id\": \"u00000\"")));
    }

    #[test]
    fn shape_and_counts() {
        let n = 5_000;
        let bytes = generate(n, DEFAULT_SEED);
        assert_eq!(
            value(&bytes, 0).map(|end| ws(&bytes, end)),
            Some(bytes.len()),
            "not valid JSON"
        );
        let Ok(text) = std::str::from_utf8(&bytes) else {
            panic!("not UTF-8")
        };
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), n + 2);
        assert_eq!((lines[0], lines[n + 1]), ("[", "]"));

        let mut users = std::collections::HashSet::new();
        let mut type_counts = [0usize; 10];
        let mut quoted_queries = 0;
        for (i, line) in lines[1..=n].iter().enumerate() {
            let line = line.strip_suffix(',').unwrap_or(line);
            assert_eq!(value(line.as_bytes(), 0), Some(line.len()), "line {i}");
            assert!(
                line.starts_with(&format!("{{\"id\": {i}, \"user_id\": \"u")),
                "line {i}"
            );
            let user = field(line, "user_id").unwrap_or_default();
            assert!(user.len() == 6 && user[1..].bytes().all(|b| b.is_ascii_digit()));
            assert!(user[1..].parse::<usize>().is_ok_and(|u| u < n / 20));
            users.insert(user.to_string());
            let kind = field(line, "type").unwrap_or_default();
            let Some(k) = TYPES.iter().position(|&t| t == kind) else {
                panic!("type {kind}")
            };
            type_counts[k] += 1;
            assert!(PAGES.contains(&field(line, "page").unwrap_or_default()));
            let ts = field(line, "ts").unwrap_or_default().as_bytes();
            assert_eq!(ts.len(), 20);
            assert!(ts.starts_with(b"2025-") && ts[10] == b'T' && ts[19] == b'Z');
            for key in ["amount", "price"] {
                if let Some(at) = line.find(&format!("\"{key}\": ")) {
                    let rest = &line[at + key.len() + 4..];
                    let num: &str = rest.split([',', '}']).next().unwrap_or_default();
                    assert_eq!(num.find('.').map(|dot| num.len() - dot), Some(3), "{num}");
                }
            }
            if line.contains("\\\"") {
                assert_eq!(kind, "search");
                quoted_queries += 1;
            }
        }
        // every user id is in range; heavy-tailed activity still reaches most of the 250 users
        assert!(
            users.len() > 200 && users.len() <= n / 20,
            "{}",
            users.len()
        );
        // page views and clicks dominate; every type occurs
        assert!(type_counts.iter().all(|&c| c > 0));
        assert!(type_counts[0] > type_counts[1] && type_counts[1] > type_counts[2]);
        assert!(type_counts[0] + type_counts[1] > n / 2);
        assert!(quoted_queries > 0);
    }

    /// The pipeline references in the catalog were computed from these exact bytes: a generator change that
    /// alters its output must fail here, not as `wrong` cells in the end-to-end run.
    #[test]
    fn output_is_pinned() {
        use sha2::{Digest, Sha256};
        let hex = |b: &[u8]| crate::catalog::hex(&Sha256::digest(b));
        assert_eq!(
            hex(&generate(1_000, DEFAULT_SEED)),
            "31e357587cc80c177b845e0cb6a9faadd2de05ef1be662c505711f2d6d832b98"
        );
        assert_eq!(
            hex(&generate(100_000, DEFAULT_SEED)),
            "d8480a54fb2d1bed95ab1dd1e81202dee33fd4c8d993fb942026117dbd1b79f0"
        );
    }
}
