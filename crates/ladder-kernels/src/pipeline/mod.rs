//! The JSON event pipeline of `catalog/json-pipeline/SPEC.md`: filter, transform, aggregate per user.
//!
//! The readers ([`json::run`] for raw bytes, the Python binding for parsed dicts) decode each event and ask
//! [`keep`] whether it passes the filter; for a kept event they fetch what its type needs into a [`Payload`]
//! and hand it to [`Aggregator::add`]. Nothing here allocates per event: types and hours are small fixed
//! tallies, pages are interned once, timestamps are fixed-width byte arrays, days a bitset.

pub mod json;

use std::fmt;

use rustc_hash::FxHashMap;

/// The event types that pass the filter, in the order of [`Kind`].
pub const KEPT_TYPES: [&str; 5] = ["page_view", "click", "search", "add_to_cart", "purchase"];

/// The pages of the schema; any other page is interned on first sight.
pub const KNOWN_PAGES: [&str; 10] = [
    "/",
    "/home",
    "/search",
    "/product",
    "/cart",
    "/checkout",
    "/account",
    "/help",
    "/blog",
    "/pricing",
];

/// The filter window `[start, end)`, compared as fixed-width strings.
pub const WINDOW_START: &str = "2025-03-01T00:00:00Z";
pub const WINDOW_END: &str = "2025-10-01T00:00:00Z";

/// A kept event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PageView,
    Click,
    Search,
    AddToCart,
    Purchase,
}

impl Kind {
    /// The type if it is one the filter keeps.
    #[inline]
    pub fn kept(name: &str) -> Option<Self> {
        Some(match name {
            "page_view" => Self::PageView,
            "click" => Self::Click,
            "search" => Self::Search,
            "add_to_cart" => Self::AddToCart,
            "purchase" => Self::Purchase,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        KEPT_TYPES[self as usize]
    }

    /// The kind at `index` in [`KEPT_TYPES`] (the last one for anything out of range).
    fn from_index(index: usize) -> Self {
        match index {
            0 => Self::PageView,
            1 => Self::Click,
            2 => Self::Search,
            3 => Self::AddToCart,
            _ => Self::Purchase,
        }
    }
}

/// Step 1, the filter: the event's kind when it is kept.
#[inline]
pub fn keep(event_type: &str, ts: &str) -> Option<Kind> {
    let kind = Kind::kept(event_type)?;
    (WINDOW_START..WINDOW_END).contains(&ts).then_some(kind)
}

/// What a kept event contributes besides its type, page and timestamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Payload {
    None,
    Purchase { amount: f64, items: i64 },
    AddToCart { qty: i64, price: f64 },
}

/// A validated `YYYY-MM-DDTHH:MM:SSZ` timestamp; it orders as its text (fixed width), that is chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    text: [u8; 20],
}

impl Timestamp {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        const BAD: &str = "`ts` is not a YYYY-MM-DDTHH:MM:SSZ timestamp";
        let text: [u8; 20] = s.as_bytes().try_into().map_err(|_| BAD)?;
        const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
        let shaped = text.iter().zip(SHAPE).all(|(&c, &want)| match want {
            b'd' => c.is_ascii_digit(),
            _ => c == want,
        });
        if !shaped {
            return Err(BAD);
        }
        let ts = Self { text };
        let year = ts.field(0) * 100 + ts.field(2);
        let (month, day, hour) = (ts.field(5), ts.field(8), ts.hour());
        let (minute, second) = (ts.field(14), ts.field(17));
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 59;
        if valid { Ok(ts) } else { Err(BAD) }
    }

    /// The two-digit number at `at`.
    #[inline]
    fn field(&self, at: usize) -> u32 {
        u32::from(self.text[at] - b'0') * 10 + u32::from(self.text[at + 1] - b'0')
    }

    #[inline]
    pub fn hour(&self) -> u32 {
        self.field(11)
    }

    /// A number per calendar day, distinct for distinct `MM-DD`. Only kept events are counted and the
    /// window lies within 2025, so the year needs no slot.
    #[inline]
    fn day_of_year_slot(&self) -> usize {
        ((self.field(5) - 1) * 31 + self.field(8) - 1) as usize
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators ever get in (see `parse`), so this never fails.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }
}

/// Days in `month` (1-12) of `year`, proleptic Gregorian.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts of a small closed set of values, remembering when each was first seen so ties go to the earliest
/// (what `collections.Counter.most_common` does).
#[derive(Clone, Debug)]
struct Tally<const N: usize> {
    count: [u64; N],
    first_seen: [u64; N],
}

impl<const N: usize> Default for Tally<N> {
    fn default() -> Self {
        Self {
            count: [0; N],
            first_seen: [0; N],
        }
    }
}

impl<const N: usize> Tally<N> {
    #[inline]
    fn add(&mut self, value: usize, ordinal: u64) {
        if self.count[value] == 0 {
            self.first_seen[value] = ordinal;
        }
        self.count[value] += 1;
    }

    /// The most frequent value, ties to the first seen; `None` when nothing was counted.
    fn top(&self) -> Option<usize> {
        (0..N)
            .filter(|&v| self.count[v] > 0)
            .min_by_key(|&v| (std::cmp::Reverse(self.count[v]), self.first_seen[v]))
    }
}

/// Days in a year, one bit each (12 months × 31 slots).
const DAY_WORDS: usize = (12 * 31usize).div_ceil(64);

/// One user's running aggregate.
#[derive(Clone, Debug)]
struct UserAgg {
    user_id: Box<str>,
    events: u64,
    purchases: u64,
    revenue: f64,
    cart_value: f64,
    items: i64,
    types: Tally<5>,
    hours: Tally<24>,
    /// (page id, count) in order of first occurrence: the first maximum is the tie winner.
    pages: Vec<(u32, u64)>,
    days: [u64; DAY_WORDS],
    first_ts: Timestamp,
    last_ts: Timestamp,
}

impl UserAgg {
    fn new(user_id: &str, ts: Timestamp) -> Self {
        Self {
            user_id: user_id.into(),
            events: 0,
            purchases: 0,
            revenue: 0.0,
            cart_value: 0.0,
            items: 0,
            types: Tally::default(),
            hours: Tally::default(),
            pages: Vec::new(),
            days: [0; DAY_WORDS],
            first_ts: ts,
            last_ts: ts,
        }
    }
}

/// The per-user aggregation over kept events in file order.
#[derive(Debug)]
pub struct Aggregator {
    index: FxHashMap<Box<str>, usize>,
    users: Vec<UserAgg>,
    unknown_pages: FxHashMap<Box<str>, u32>,
    page_names: Vec<Box<str>>,
}

impl Default for Aggregator {
    fn default() -> Self {
        Self::new()
    }
}

impl Aggregator {
    pub fn new() -> Self {
        Self {
            index: FxHashMap::default(),
            users: Vec::new(),
            unknown_pages: FxHashMap::default(),
            page_names: KNOWN_PAGES.iter().map(|&p| p.into()).collect(),
        }
    }

    #[inline]
    fn page_id(&mut self, page: &str) -> u32 {
        if let Some(id) = KNOWN_PAGES.iter().position(|&p| p == page) {
            return id as u32;
        }
        if let Some(&id) = self.unknown_pages.get(page) {
            return id;
        }
        let id = self.page_names.len() as u32;
        self.page_names.push(page.into());
        self.unknown_pages.insert(page.into(), id);
        id
    }

    /// Steps 2 and 3 for one event that passed [`keep`] with this `kind` and `ts`.
    pub fn add(
        &mut self,
        user_id: &str,
        kind: Kind,
        page: &str,
        ts: &str,
        payload: Payload,
    ) -> Result<(), &'static str> {
        let ts = Timestamp::parse(ts)?;
        let page = self.page_id(page);
        let slot = match self.index.get(user_id) {
            Some(&slot) => slot,
            None => {
                let slot = self.users.len();
                self.index.insert(user_id.into(), slot);
                self.users.push(UserAgg::new(user_id, ts));
                slot
            }
        };
        let user = &mut self.users[slot];
        let ordinal = user.events;
        user.events += 1;
        user.types.add(kind as usize, ordinal);
        user.hours.add(ts.hour() as usize, ordinal);
        match user.pages.iter_mut().find(|(id, _)| *id == page) {
            Some((_, count)) => *count += 1,
            None => user.pages.push((page, 1)),
        }
        let day = ts.day_of_year_slot();
        user.days[day / 64] |= 1 << (day % 64);
        user.first_ts = user.first_ts.min(ts);
        user.last_ts = user.last_ts.max(ts);
        match payload {
            Payload::None => {}
            Payload::Purchase { amount, items } => {
                user.purchases += 1;
                user.revenue += amount;
                user.items = user
                    .items
                    .checked_add(items)
                    .ok_or("the sum of `items` overflows 64 bits")?;
            }
            Payload::AddToCart { qty, price } => {
                user.cart_value += qty as f64 * price;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Output {
        Output {
            users: self.users,
            page_names: self.page_names,
        }
    }
}

/// The pipeline's result: one summary per user with a kept event, in order of their first kept event.
#[derive(Debug)]
pub struct Output {
    users: Vec<UserAgg>,
    page_names: Vec<Box<str>>,
}

/// One user's entry of the output, with the keys of SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UserSummary<'o> {
    pub user_id: &'o str,
    pub events: u64,
    pub purchases: u64,
    pub revenue: f64,
    pub cart_value: f64,
    pub items: i64,
    pub top_type: Kind,
    pub top_page: &'o str,
    pub peak_hour: u32,
    pub active_days: u32,
    pub first_ts: &'o str,
    pub last_ts: &'o str,
}

impl Output {
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    pub fn users(&self) -> impl ExactSizeIterator<Item = UserSummary<'_>> {
        self.users.iter().map(|u| {
            let top_page = u
                .pages
                .iter()
                .fold(None, |best: Option<(u32, u64)>, &(id, n)| match best {
                    Some((_, m)) if m >= n => best,
                    _ => Some((id, n)),
                })
                .map_or("", |(id, _)| &self.page_names[id as usize]);
            UserSummary {
                user_id: &u.user_id,
                events: u.events,
                purchases: u.purchases,
                revenue: round2(u.revenue),
                cart_value: round2(u.cart_value),
                items: u.items,
                top_type: u.types.top().map_or(Kind::PageView, Kind::from_index),
                top_page,
                peak_hour: u.hours.top().unwrap_or_default() as u32,
                active_days: u.days.iter().map(|w| w.count_ones()).sum(),
                first_ts: u.first_ts.as_str(),
                last_ts: u.last_ts.as_str(),
            }
        })
    }
}

/// Python's `round(x, 2)`: the double nearest to x's exact decimal value correctly rounded (half to even) to
/// two decimals. Rust's `{:.2}` formats the exact binary value with that rounding, and parsing is exact.
pub fn round2(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    format!("{x:.2}").parse().unwrap_or(x)
}

/// An input the pipeline cannot read: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// A byte offset into the raw JSON.
    Byte(usize),
    /// An index into the list of parsed events.
    Event(usize),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::Byte(offset) => write!(f, "{} at byte {offset}", self.message),
            Location::Event(index) => write!(f, "event {index}: {}", self.message),
        }
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round2_matches_python() {
        // Values checked against CPython's round(x, 2).
        let cases = [
            (0.125, 0.12),
            (0.375, 0.38),
            (0.625, 0.62),
            (2.675, 2.67),
            (1.005, 1.0),
            (0.005, 0.01),
            (0.115, 0.12),
            (12.125, 12.12),
            (0.0, 0.0),
            (1234.5678, 1234.57),
        ];
        for (x, want) in cases {
            assert_eq!(round2(x), want, "round({x}, 2)");
        }
        assert!(round2(-0.001).is_sign_negative());
        assert_eq!(round2(f64::INFINITY), f64::INFINITY);
        assert_eq!(round2(1e300), 1e300);
    }

    #[test]
    fn filter_window_and_types() {
        assert_eq!(
            keep("purchase", "2025-03-01T00:00:00Z"),
            Some(Kind::Purchase)
        );
        assert_eq!(keep("click", "2025-09-30T23:59:59Z"), Some(Kind::Click));
        assert_eq!(keep("click", "2025-10-01T00:00:00Z"), None);
        assert_eq!(keep("click", "2025-02-28T23:59:59Z"), None);
        assert_eq!(keep("login", "2025-05-01T00:00:00Z"), None);
        assert_eq!(keep("remove_from_cart", "2025-05-01T00:00:00Z"), None);
        for (k, name) in KEPT_TYPES.iter().enumerate() {
            assert_eq!(Kind::kept(name).map(|k| k as usize), Some(k));
            assert_eq!(Kind::kept(name).unwrap().name(), *name);
            assert_eq!(Kind::from_index(k).name(), *name);
        }
    }

    #[test]
    fn timestamps_are_validated() {
        let ts = Timestamp::parse("2025-03-14T09:26:53Z").unwrap();
        assert_eq!(ts.hour(), 9);
        assert_eq!(ts.as_str(), "2025-03-14T09:26:53Z");
        for good in [
            "2024-02-29T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2025-12-31T12:00:00Z",
        ] {
            assert!(Timestamp::parse(good).is_ok(), "{good}");
        }
        assert!(Timestamp::parse("1900-02-29T00:00:00Z").is_err());
        for bad in [
            "2025-03-14T09:26:53",
            "2025-03-14T09:26:53Z ",
            "2025-03-14 09:26:53Z",
            "2025-13-14T09:26:53Z",
            "2025-03-00T09:26:53Z",
            "2025-04-31T09:26:53Z",
            "2025-02-29T09:26:53Z",
            "2025-03-14T09:60:00Z",
            "2025-03-14T09:00:60Z",
            "2025-03-14T24:00:00Z",
            "2025-0x-14T09:26:53Z",
            "",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tally_ties_go_to_the_first_seen() {
        let mut t = Tally::<5>::default();
        assert_eq!(t.top(), None);
        t.add(3, 0);
        t.add(1, 1);
        t.add(1, 2);
        t.add(3, 3);
        assert_eq!(t.top(), Some(3));
        t.add(1, 4);
        assert_eq!(t.top(), Some(1));
    }
}
