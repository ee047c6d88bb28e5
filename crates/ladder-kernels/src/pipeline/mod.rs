//! The JSON event pipeline of `catalog/json-pipeline/SPEC.md`: filter, transform, aggregate per user.
//!
//! The readers ([`json::run`] for raw bytes, the Python binding for parsed dicts) decode each event and ask
//! [`keep`] whether it passes the filter; for a kept event they fetch what its type needs into a [`Payload`]
//! and hand it to [`Aggregator::add`]. Nothing here allocates per event: types and hours are small fixed
//! tallies, pages are interned once, timestamps are fixed-width byte arrays, days a bitset.

pub mod json;
pub mod study;

use std::fmt;

use rustc_hash::FxHashMap;

/// How the bytes reader runs: [`Mode::Fast`] reads line-aligned slices on as many threads as rayon's pool has
/// (verified, with a sequential fallback) and scans strings with SSE2 on x86-64; [`Mode::Scalar`] (the
/// reference the benches, tests and fuzz target compare with) reads on one thread without explicit SIMD. Both ask
/// for memory ahead of use with prefetch hints ([`prefetch_at`]), which are neither vector code nor threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Fast,
    Scalar,
}

impl Mode {
    /// How many threads this mode works on: the size of rayon's pool (`RAYON_NUM_THREADS` or one per CPU, what
    /// `ladder_kernels.threads()` reports), or one.
    pub fn threads(self) -> usize {
        match self {
            Self::Fast => rayon::current_num_threads(),
            Self::Scalar => 1,
        }
    }
}

/// `work` done on every item, the first on the calling thread and each other on a thread of its own, the results
/// in item order; `then` runs on the calling thread as soon as its own item is done, on that item's result, while
/// the other threads still work.
///
/// Not on rayon's pool, though sized like it: a caller outside the pool only waits while the pool's threads
/// work, and a pool thread asleep when the work is shared out may not be woken in time. Measured from Python
/// on this 2-core machine, one call in three then read both slices on one pool thread (22–25 ms of wall time
/// for 25 ms of CPU time, against 15 ms otherwise); with the caller reading the first slice itself every call
/// overlapped. A thread that cannot be started leaves its item to the caller.
pub(crate) fn on_threads<I: Sync, T: Send, U>(
    items: &[I],
    work: impl Fn(&I) -> T + Sync,
    then: impl FnOnce(&T) -> U,
) -> Option<(Vec<T>, U)> {
    let (first, others) = items.split_first()?;
    let work = &work;
    Some(std::thread::scope(|scope| {
        let threads: Vec<_> = others
            .iter()
            .map(|item| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || work(item))
                    .ok()
            })
            .collect();
        let mut results = Vec::with_capacity(items.len());
        results.push(work(first));
        let early = then(&results[0]);
        for (item, thread) in others.iter().zip(threads) {
            results.push(match thread {
                Some(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // the thread could not be started: its item is done here
                None => work(item),
            });
        }
        (results, early)
    }))
}

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

/// [`KNOWN_PAGES`] by [`short_key`]: a page is matched with integer compares.
const KNOWN_PAGE_KEYS: [u128; KNOWN_PAGES.len()] = {
    let mut keys = [0; KNOWN_PAGES.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = short_key_of(KNOWN_PAGES[i].as_bytes());
        i += 1;
    }
    keys
};

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

/// The filter window `[start, end)`: March to September 2025.
pub const WINDOW_START: Timestamp = Timestamp::pack(2025, 3, 1, 0, 0, 0);
pub const WINDOW_END: Timestamp = Timestamp::pack(2025, 10, 1, 0, 0, 0);

/// Step 1, the filter: the kind and parsed timestamp of a kept event, `None` for a dropped one. The timestamp
/// of every event of a kept type is parsed, and an error if malformed, as a reader that parses it into a
/// datetime before comparing would find.
#[inline(always)]
pub fn keep(event_type: &str, ts: &str) -> Result<Option<(Kind, Timestamp)>, &'static str> {
    let Some(kind) = Kind::kept(event_type) else {
        return Ok(None);
    };
    let ts = Timestamp::parse(ts)?;
    Ok((WINDOW_START..WINDOW_END)
        .contains(&ts)
        .then_some((kind, ts)))
}

/// What a kept event contributes besides its type, page and timestamp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Payload {
    None,
    Purchase { amount: f64, items: i64 },
    AddToCart { qty: i64, price: f64 },
}

/// A validated `YYYY-MM-DDTHH:MM:SSZ` timestamp, packed into one integer whose order is chronological:
/// year, month, day, hour, minute, second from the high bits down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    const fn pack(year: u32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Self {
        Self(
            (year as u64) << 40
                | (month as u64) << 32
                | (day as u64) << 24
                | (hour as u64) << 16
                | (minute as u64) << 8
                | second as u64,
        )
    }

    #[inline(always)]
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        const BAD: &str = "'ts' is not a YYYY-MM-DDTHH:MM:SSZ timestamp";
        let text: &[u8; 20] = s.as_bytes().try_into().map_err(|_| BAD)?;
        if !shaped(text) {
            return Err(BAD);
        }
        let two = |at: usize| u32::from(text[at] - b'0') * 10 + u32::from(text[at + 1] - b'0');
        let year = two(0) * 100 + two(2);
        let (month, day, hour, minute, second) = (two(5), two(8), two(11), two(14), two(17));
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 59;
        if valid {
            Ok(Self::pack(year, month, day, hour, minute, second))
        } else {
            Err(BAD)
        }
    }

    #[inline]
    fn part(self, shift: u32) -> u32 {
        ((self.0 >> shift) & 0xff) as u32
    }

    #[inline]
    pub fn hour(self) -> u32 {
        self.part(16)
    }

    /// A number per calendar day, distinct for distinct `MM-DD`. Only kept events are counted and the
    /// window lies within 2025, so the year needs no slot.
    #[inline]
    fn day_slot(self) -> usize {
        ((self.part(32) - 1) * 31 + self.part(24) - 1) as usize
    }

    /// The `YYYY-MM-DDTHH:MM:SSZ` text.
    pub fn text(self) -> TimestampText {
        let mut out = *b"0000-00-00T00:00:00Z";
        let year = (self.0 >> 40) as u32;
        let mut put = |at: usize, value: u32| {
            out[at] = b'0' + (value / 10 % 10) as u8;
            out[at + 1] = b'0' + (value % 10) as u8;
        };
        put(0, year / 100);
        put(2, year % 100);
        for (at, shift) in [(5, 32), (8, 24), (11, 16), (14, 8), (17, 0)] {
            put(at, self.part(shift));
        }
        TimestampText(out)
    }
}

/// Whether `text` has the shape `dddd-dd-ddTdd:dd:ddZ` (d an ASCII digit), tested eight bytes at a time (the
/// last eight overlap the middle eight): every kept event's timestamp passes through here.
#[inline]
fn shaped(text: &[u8; 20]) -> bool {
    const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
    const AT: [usize; 3] = [0, 8, 12];
    /// The shape's eight bytes from `at` (little-endian), and 0xFF in each byte where it wants a digit.
    const fn words(at: usize) -> (u64, u64) {
        let (mut shape, mut digits, mut i) = (0, 0, 0);
        while i < 8 {
            shape |= (SHAPE[at + i] as u64) << (8 * i);
            if SHAPE[at + i] == b'd' {
                digits |= 0xFF << (8 * i);
            }
            i += 1;
        }
        (shape, digits)
    }
    const WORDS: [(u64, u64); 3] = [words(AT[0]), words(AT[1]), words(AT[2])];
    const LOW: u64 = 0x0F0F_0F0F_0F0F_0F0F;
    let mut ok = true;
    for (at, (shape, digits)) in AT.into_iter().zip(WORDS) {
        let x = u64::from_le_bytes(text[at..at + 8].try_into().unwrap_or([0; 8]));
        // the separators as written; a digit is 0x30..=0x39: high nibble 3, and low nibble + 6 below 0x10
        ok &= (x ^ shape) & !digits == 0;
        ok &= (x & !LOW & digits) == (0x3030_3030_3030_3030 & digits);
        ok &= ((x & LOW) + 0x0606_0606_0606_0606) & !LOW & digits == 0;
    }
    ok
}

/// A timestamp's text, on the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampText([u8; 20]);

impl TimestampText {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written (see `Timestamp::text`), so this never fails.
        std::str::from_utf8(&self.0).unwrap_or_default()
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

/// The tie rule of `collections.Counter.most_common`: the highest count wins, and among equal counts the value
/// counted first. `rank` is the order of first appearance.
#[inline]
fn better(count: u32, rank: u32, best: Option<(u32, u32)>) -> bool {
    best.is_none_or(|(c, r)| count > c || (count == c && rank < r))
}

/// Counts of a small closed set of values (at most 256), with the order in which each first appeared.
#[derive(Clone, Debug)]
struct Tally<const N: usize> {
    count: [u32; N],
    rank: [u8; N],
    distinct: u8,
}

impl<const N: usize> Default for Tally<N> {
    fn default() -> Self {
        const { assert!(N <= 256) };
        Self {
            count: [0; N],
            rank: [0; N],
            distinct: 0,
        }
    }
}

impl<const N: usize> Tally<N> {
    #[inline]
    fn add(&mut self, value: usize) {
        if self.count[value] == 0 {
            self.rank[value] = self.distinct;
            self.distinct = self.distinct.wrapping_add(1);
        }
        self.count[value] += 1;
    }

    /// Adds the counts of a tally taken over later events: values new here rank after every value seen
    /// here, in the order the later tally first saw them.
    fn absorb(&mut self, later: &Self) {
        // The later tally's values by rank: its ranks are 0, 1, ... in order of first sight, each used once, so
        // placing every value at its rank orders them without a sort (this runs once per user and slice).
        let mut by_rank = [0usize; N];
        let mut seen = 0;
        for v in 0..N {
            if later.count[v] > 0 {
                by_rank[usize::from(later.rank[v])] = v;
                seen += 1;
            }
        }
        for &v in &by_rank[..seen] {
            if self.count[v] == 0 {
                self.rank[v] = self.distinct;
                self.distinct = self.distinct.wrapping_add(1);
            }
            self.count[v] += later.count[v];
        }
    }

    /// The most frequent value, ties to the first seen; `None` when nothing was counted.
    fn top(&self) -> Option<usize> {
        let mut best = None;
        for v in 0..N {
            let (count, rank) = (self.count[v], u32::from(self.rank[v]));
            if count > 0 && better(count, rank, best.map(|(_, c, r)| (c, r))) {
                best = Some((v, count, rank));
            }
        }
        best.map(|(v, _, _)| v)
    }
}

/// Page counts: the ten pages of the schema in a fixed tally, any other page in a list (normally empty).
#[derive(Clone, Debug, Default)]
struct PageTally {
    known: [u32; KNOWN_PAGES.len()],
    known_rank: [u32; KNOWN_PAGES.len()],
    /// (page id, count, rank)
    other: Vec<(u32, u32, u32)>,
    distinct: u32,
}

impl PageTally {
    #[inline]
    fn add(&mut self, page: u32) {
        self.add_many(page, 1);
    }

    /// Adds `count` sightings of `page`, first seen now if it is new here.
    fn add_many(&mut self, page: u32, count: u32) {
        let distinct = self.distinct;
        if let Some(known) = self.known.get_mut(page as usize) {
            if *known == 0 {
                self.known_rank[page as usize] = distinct;
                self.distinct += 1;
            }
            *known += count;
        } else if let Some(entry) = self.other.iter_mut().find(|e| e.0 == page) {
            entry.1 += count;
        } else {
            self.other.push((page, count, distinct));
            self.distinct += 1;
        }
    }

    /// Adds the counts of a page tally taken over later events, whose page ids become `ids[id]` here; pages
    /// new here rank after every page seen here, in the order the later tally first saw them.
    fn absorb(&mut self, later: &PageTally, ids: &[u32]) {
        // (page there, count) by rank there, placed without a sort as in `Tally::absorb`; on the stack unless
        // the later tally saw pages outside the schema
        let mut on_stack = [(0u32, 0u32); KNOWN_PAGES.len()];
        let mut on_heap = Vec::new();
        let by_rank = if later.other.is_empty() {
            &mut on_stack[..]
        } else {
            on_heap.resize(later.distinct as usize, (0, 0));
            &mut on_heap[..]
        };
        let mut seen = 0;
        for p in 0..KNOWN_PAGES.len() {
            if later.known[p] > 0 {
                by_rank[later.known_rank[p] as usize] = (p as u32, later.known[p]);
                seen += 1;
            }
        }
        for &(page, count, rank) in &later.other {
            by_rank[rank as usize] = (page, count);
            seen += 1;
        }
        for &(page, count) in &by_rank[..seen] {
            self.add_many(ids[page as usize], count);
        }
    }

    fn top(&self) -> Option<u32> {
        let known = (0..KNOWN_PAGES.len())
            .filter(|&p| self.known[p] > 0)
            .map(|p| (p as u32, self.known[p], self.known_rank[p]));
        let mut best: Option<(u32, u32, u32)> = None;
        for (page, count, rank) in known.chain(self.other.iter().copied()) {
            if better(count, rank, best.map(|(_, c, r)| (c, r))) {
                best = Some((page, count, rank));
            }
        }
        best.map(|(page, _, _)| page)
    }
}

/// A text of at most 15 bytes as one integer: its bytes little-endian from the low end and its length in the top
/// byte, so distinct texts get distinct keys. `None` for a longer text.
#[inline]
fn short_key(text: &[u8]) -> Option<u128> {
    let n = text.len();
    // Two loads that overlap when n is not a power of two: the bytes they share are the same bytes, so OR-ing
    // them in place builds the key without a loop or a variable-length copy.
    let bytes = match n {
        0 => 0,
        1..=3 => {
            u128::from(text[0])
                | u128::from(text[n / 2]) << (8 * (n / 2))
                | u128::from(text[n - 1]) << (8 * (n - 1))
        }
        4..=7 => {
            let head = u32::from_le_bytes(*text.first_chunk::<4>()?);
            let tail = u32::from_le_bytes(*text.last_chunk::<4>()?);
            u128::from(head) | u128::from(tail) << (8 * (n - 4))
        }
        8..=15 => {
            let head = u64::from_le_bytes(*text.first_chunk::<8>()?);
            let tail = u64::from_le_bytes(*text.last_chunk::<8>()?);
            u128::from(head) | u128::from(tail) << (8 * (n - 8))
        }
        _ => return None,
    };
    Some(bytes | (n as u128) << 120)
}

/// [`short_key`] for a constant (byte by byte); a text of 16 bytes or more is a compile-time error.
const fn short_key_of(text: &[u8]) -> u128 {
    assert!(
        text.len() < 16,
        "short keys are for texts of at most 15 bytes"
    );
    let mut key = (text.len() as u128) << 120;
    let mut i = 0;
    while i < text.len() {
        key |= (text[i] as u128) << (8 * i);
        i += 1;
    }
    key
}

/// Days in a year, one bit each (12 months × 31 slots).
const DAY_WORDS: usize = (12 * 31usize).div_ceil(64);

/// One user's running aggregate, hot fields first.
#[derive(Clone, Debug)]
struct UserAgg {
    events: u32,
    purchases: u32,
    first_ts: Timestamp,
    last_ts: Timestamp,
    revenue: f64,
    cart_value: f64,
    items: i64,
    /// The lowest and highest running sum of `items` (from 0 in this aggregator): merging into an earlier
    /// total overflows exactly when a sequential reading would have.
    items_low: i64,
    items_high: i64,
    types: Tally<5>,
    hours: Tally<24>,
    pages: PageTally,
    days: [u64; DAY_WORDS],
}

impl UserAgg {
    #[inline]
    fn add_term(&mut self, term: Term) {
        if term.cart {
            self.cart_value += term.value;
        } else {
            self.revenue += term.value;
        }
    }

    fn new(ts: Timestamp) -> Self {
        Self {
            events: 0,
            purchases: 0,
            first_ts: ts,
            last_ts: ts,
            revenue: 0.0,
            cart_value: 0.0,
            items: 0,
            items_low: 0,
            items_high: 0,
            types: Tally::default(),
            hours: Tally::default(),
            pages: PageTally::default(),
            days: [0; DAY_WORDS],
        }
    }
}

/// Asks for the cache line at `at` to be brought into the cache: a hint (the `prefetcht0` instruction, not a
/// vector operation), with no effect on the result.
#[inline(always)]
pub(crate) fn prefetch_at<T>(at: *const T) {
    // SAFETY: prefetching is only a hint: it never faults, whatever the address, and reads nothing into the
    // program.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// [`prefetch_at`] for every cache line of `value`.
#[inline]
fn prefetch<T>(value: &T) {
    let start = (value as *const T).cast::<u8>();
    let last = size_of::<T>().saturating_sub(1);
    for offset in (0..last).step_by(64).chain([last]) {
        prefetch_at(start.wrapping_add(offset));
    }
}

const EVENTS_OVERFLOW: &str = "too many events for one user";
const ITEMS_OVERFLOW: &str = "the sum of 'items' overflows 64 bits";

/// The per-user aggregation over kept events in file order.
#[derive(Debug)]
pub struct Aggregator {
    /// Slots of the user ids of up to 15 bytes, by [`short_key`] (an integer key hashes and compares in a few
    /// instructions, a string key in a loop and a memcmp call: the map's lookups and memcmp were 7% of the
    /// profile of a call here, whose ids are six bytes; with page matching too, one thread went 19.1 → 18.4 ms).
    short_index: FxHashMap<u128, u32>,
    /// Slots of the longer user ids.
    index: FxHashMap<Box<str>, u32>,
    users: Vec<UserAgg>,
    /// `users[i]`'s id.
    names: Vec<Box<str>>,
    other_pages: FxHashMap<Box<str>, u32>,
    page_names: Vec<Box<str>>,
    /// For an aggregator of later events (see [`Aggregator::later`]): the float terms in event order, added
    /// only when merged, so every sum is the sequential one bit for bit.
    terms: Option<Vec<Term>>,
    /// The aggregators absorbed, in order, whose users are merged in as they are summarised.
    laters: Vec<Later>,
}

/// An aggregator absorbed by an earlier one (see [`Aggregator::absorb`]), waiting to be merged user by user.
#[derive(Debug)]
struct Later {
    users: Vec<UserAgg>,
    /// By slot of the earlier aggregator: the user's slot here, [`Later::NONE`] if it had no events here.
    slot_of: Vec<u32>,
    /// This aggregator's page ids as the earlier one's.
    pages: Vec<u32>,
    /// The float terms by slot here, each slot's in event order: `terms[term_start[s]..term_start[s + 1]]`.
    terms: Vec<Term>,
    term_start: Vec<u32>,
}

impl Later {
    const NONE: u32 = u32::MAX;

    /// Adds this aggregator's part of the user in `slot` of the earlier aggregator to `user`: what
    /// [`Aggregator::absorb`] left for later (it did the counts that can overflow).
    fn merge_into(&self, slot: usize, user: &mut UserAgg) {
        let Some(&mine) = self.slot_of.get(slot).filter(|&&s| s != Self::NONE) else {
            return;
        };
        let (Some(theirs), Some(&from), Some(&to)) = (
            self.users.get(mine as usize),
            self.term_start.get(mine as usize),
            self.term_start.get(mine as usize + 1),
        ) else {
            return;
        };
        user.types.absorb(&theirs.types);
        user.hours.absorb(&theirs.hours);
        user.pages.absorb(&theirs.pages, &self.pages);
        for (ours, their) in user.days.iter_mut().zip(theirs.days) {
            *ours |= their;
        }
        user.first_ts = user.first_ts.min(theirs.first_ts);
        user.last_ts = user.last_ts.max(theirs.last_ts);
        for &term in self
            .terms
            .get(from as usize..to as usize)
            .unwrap_or_default()
        {
            user.add_term(term);
        }
    }
}

/// A float term of a user's `revenue` or `cart_value`, kept for the merge.
#[derive(Clone, Copy, Debug)]
struct Term {
    slot: u32,
    cart: bool,
    value: f64,
}

impl Default for Aggregator {
    fn default() -> Self {
        Self::new()
    }
}

impl Aggregator {
    pub fn new() -> Self {
        Self {
            short_index: FxHashMap::default(),
            index: FxHashMap::default(),
            users: Vec::new(),
            names: Vec::new(),
            other_pages: FxHashMap::default(),
            page_names: KNOWN_PAGES.iter().map(|&p| p.into()).collect(),
            terms: None,
            laters: Vec::new(),
        }
    }

    /// The user ids seen so far, in order of their first kept event (the order of the output).
    pub fn user_ids(&self) -> &[Box<str>] {
        &self.names
    }

    /// An aggregator for events that follow others (a later slice of the input), to be merged with
    /// [`Aggregator::absorb`]: it keeps its float terms instead of summing them.
    pub fn later() -> Self {
        Self {
            terms: Some(Vec::new()),
            ..Self::new()
        }
    }

    #[inline]
    fn page_id(&mut self, page: &str) -> Result<u32, &'static str> {
        let key = short_key(page.as_bytes());
        match KNOWN_PAGE_KEYS.iter().position(|&k| Some(k) == key) {
            Some(known) => Ok(known as u32),
            None => self.other_page_id(page),
        }
    }

    #[cold]
    fn other_page_id(&mut self, page: &str) -> Result<u32, &'static str> {
        if let Some(&id) = self.other_pages.get(page) {
            return Ok(id);
        }
        let id = u32::try_from(self.page_names.len()).map_err(|_| "too many distinct pages")?;
        self.page_names.push(page.into());
        self.other_pages.insert(page.into(), id);
        Ok(id)
    }

    /// The slot of a user seen already, with the memory of its aggregate asked for: a reader that calls this for
    /// several kept events before it adds them has their aggregates fetched at once rather than one after the
    /// other. (Reading the default events file sorted by user, so that each aggregate stays in cache, was a
    /// tenth faster on one thread than in its own order.) Pass the slot to [`Aggregator::add_seen`].
    #[inline]
    pub fn seen(&self, user_id: &str) -> Option<u32> {
        let slot = *match short_key(user_id.as_bytes()) {
            Some(key) => self.short_index.get(&key),
            None => self.index.get(user_id),
        }?;
        if let Some(user) = self.users.get(slot as usize) {
            prefetch(user);
        }
        Some(slot)
    }

    #[inline]
    fn user_slot(&mut self, user_id: &str, ts: Timestamp) -> Result<usize, &'static str> {
        let key = short_key(user_id.as_bytes());
        let found = match key {
            Some(key) => self.short_index.get(&key),
            None => self.index.get(user_id),
        };
        if let Some(&slot) = found {
            return Ok(slot as usize);
        }
        let slot = u32::try_from(self.users.len()).map_err(|_| "too many users")?;
        match key {
            Some(key) => self.short_index.insert(key, slot),
            None => self.index.insert(user_id.into(), slot),
        };
        self.names.push(user_id.into());
        self.users.push(UserAgg::new(ts));
        Ok(slot as usize)
    }

    /// Steps 2 and 3 for one event that [`keep`] kept with this `kind` and `ts`.
    pub fn add(
        &mut self,
        user_id: &str,
        kind: Kind,
        page: &str,
        ts: Timestamp,
        payload: Payload,
    ) -> Result<(), &'static str> {
        self.add_seen(None, user_id, kind, page, ts, payload)
    }

    /// [`Aggregator::add`], with `user_id`'s slot if [`Aggregator::seen`] found it (slots never move, so it still
    /// holds; `None` looks the user up, and enters a new one).
    #[inline]
    pub fn add_seen(
        &mut self,
        seen: Option<u32>,
        user_id: &str,
        kind: Kind,
        page: &str,
        ts: Timestamp,
        payload: Payload,
    ) -> Result<(), &'static str> {
        let page = self.page_id(page)?;
        let slot = match seen {
            Some(slot) => slot as usize,
            None => self.user_slot(user_id, ts)?,
        };
        let user = &mut self.users[slot];
        user.events = user.events.checked_add(1).ok_or(EVENTS_OVERFLOW)?;
        user.types.add(kind as usize);
        user.hours.add(ts.hour() as usize);
        user.pages.add(page);
        let day = ts.day_slot();
        user.days[day / 64] |= 1 << (day % 64);
        user.first_ts = user.first_ts.min(ts);
        user.last_ts = user.last_ts.max(ts);
        let term = match payload {
            Payload::None => return Ok(()),
            Payload::Purchase { amount, items } => {
                user.purchases += 1;
                user.items = user.items.checked_add(items).ok_or(ITEMS_OVERFLOW)?;
                user.items_low = user.items_low.min(user.items);
                user.items_high = user.items_high.max(user.items);
                Term {
                    slot: slot as u32,
                    cart: false,
                    value: amount,
                }
            }
            Payload::AddToCart { qty, price } => Term {
                slot: slot as u32,
                cart: true,
                value: qty as f64 * price,
            },
        };
        match &mut self.terms {
            Some(terms) => terms.push(term),
            None => user.add_term(term),
        }
        Ok(())
    }

    /// Merges an aggregator of the events that follow this one's (built with [`Aggregator::later`]) into this
    /// one, an aggregator of the first events (built with [`Aggregator::new`]), with the result a sequential
    /// reading of both would give: users and pages new to this one follow in the order the later one first saw
    /// them, and the later float terms are added in their order.
    ///
    /// Only what can fail is done now, in file order: the new users and pages, the event counts and the
    /// `items` sums. The rest of each user (tallies, days, first and last timestamps, float sums) is merged when
    /// the output summarises that user, so in the Python binding it is done on the thread that summarises
    /// ahead of the dicts rather than before them (merging everything here took ~1.3 ms of a ~13.4 ms call on
    /// the default events file, all of it before the first dict could be filled).
    pub fn absorb(&mut self, later: Aggregator) -> Result<(), &'static str> {
        if self.terms.is_some() {
            return Err("only an aggregator of the first events absorbs later ones");
        }
        let pages = later
            .page_names
            .iter()
            .map(|name| self.page_id(name))
            .collect::<Result<_, _>>()?;
        let mut slot_of = Vec::new();
        for (mine, (name, theirs)) in later.names.iter().zip(&later.users).enumerate() {
            let slot = self.user_slot(name, theirs.first_ts)?;
            if slot_of.len() <= slot {
                slot_of.resize(slot + 1, Later::NONE);
            }
            slot_of[slot] = mine as u32;
            let user = &mut self.users[slot];
            user.events = user
                .events
                .checked_add(theirs.events)
                .ok_or(EVENTS_OVERFLOW)?;
            user.purchases += theirs.purchases;
            // every running total of theirs, offset by ours, is a running total of the sequential reading;
            // the final one lies between the lowest and highest, so it cannot overflow once they do not
            let low = user.items.checked_add(theirs.items_low);
            let high = user.items.checked_add(theirs.items_high);
            let (Some(low), Some(high)) = (low, high) else {
                return Err(ITEMS_OVERFLOW);
            };
            user.items += theirs.items;
            user.items_low = user.items_low.min(low);
            user.items_high = user.items_high.max(high);
        }
        // the terms grouped by user, each user's in event order (a counting sort: stable)
        let all_terms = later.terms.unwrap_or_default();
        let mut term_start = vec![0u32; later.users.len() + 1];
        for term in &all_terms {
            term_start[term.slot as usize + 1] += 1;
        }
        for s in 1..term_start.len() {
            term_start[s] += term_start[s - 1];
        }
        let mut next = term_start.clone();
        let mut terms = all_terms.clone();
        for term in all_terms {
            let at = &mut next[term.slot as usize];
            terms[*at as usize] = term;
            *at += 1;
        }
        self.laters.push(Later {
            users: later.users,
            slot_of,
            pages,
            terms,
            term_start,
        });
        Ok(())
    }

    pub fn finish(self) -> Output {
        Output {
            users: self.users,
            names: self.names,
            page_names: self.page_names,
            laters: self.laters,
        }
    }
}

/// The pipeline's result: one summary per user with a kept event, in order of their first kept event.
#[derive(Debug)]
pub struct Output {
    users: Vec<UserAgg>,
    names: Vec<Box<str>>,
    page_names: Vec<Box<str>>,
    /// The absorbed aggregators, merged into each user when it is summarised.
    laters: Vec<Later>,
}

/// One user's entry of the output, with the keys of SPEC.md.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UserSummary<'o> {
    pub user_id: &'o str,
    pub events: u32,
    pub purchases: u32,
    pub revenue: f64,
    pub cart_value: f64,
    pub items: i64,
    pub top_type: Kind,
    pub top_page: &'o str,
    /// `top_page`'s index in [`Output::page_names`].
    pub top_page_id: u32,
    pub peak_hour: u32,
    pub active_days: u32,
    pub first_ts: Timestamp,
    pub last_ts: Timestamp,
}

impl Output {
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Every page seen, known or not; [`UserSummary::top_page_id`] indexes it.
    pub fn page_names(&self) -> &[Box<str>] {
        &self.page_names
    }

    pub fn users(&self) -> impl ExactSizeIterator<Item = UserSummary<'_>> {
        (0..self.users.len()).map(|i| self.summary(i))
    }

    fn summary(&self, i: usize) -> UserSummary<'_> {
        let merged;
        let u = if self.laters.is_empty() {
            &self.users[i]
        } else {
            let mut user = self.users[i].clone();
            for later in &self.laters {
                later.merge_into(i, &mut user);
            }
            merged = user;
            &merged
        };
        // Every user has at least one kept event, so every tally has a top value.
        let top_page = u.pages.top().unwrap_or_default();
        UserSummary {
            user_id: &self.names[i],
            events: u.events,
            purchases: u.purchases,
            revenue: round2(u.revenue),
            cart_value: round2(u.cart_value),
            items: u.items,
            top_type: u.types.top().map_or(Kind::PageView, Kind::from_index),
            top_page: &self.page_names[top_page as usize],
            top_page_id: top_page,
            peak_hour: u.hours.top().unwrap_or_default() as u32,
            active_days: u.days.iter().map(|w| w.count_ones()).sum(),
            first_ts: u.first_ts,
            last_ts: u.last_ts,
        }
    }
}

/// Python's `round(x, 2)`: the double nearest to x's exact decimal value correctly rounded (half to even) to
/// two decimals.
///
/// Done in floating point rather than through text (formatting and parsing took a tenth of the time the
/// output's conversion to Python takes): x·100 is split exactly into `p + e` with one FMA, the integer n
/// nearest to `p + e` follows from `p` rounded and the sign of `e` at a tie of `p`, and n / 100 is one
/// correctly rounded division of exact operands. Beyond 10^13 (where x·100 nears 2^52 and `p`'s fraction is
/// no longer exact) it falls back to the text route, which a test holds both paths to.
pub fn round2(x: f64) -> f64 {
    // NaN and the infinities go the text route too
    if !x.is_finite() || x.abs() >= 1e13 {
        return round2_by_text(x);
    }
    let p = x * 100.0;
    let e = x.mul_add(100.0, -p);
    let r = p.round_ties_even();
    // Exact: |p| < 2^52 and r is the integer nearest p. When |p - r| < 1/2 the error e (at most half an ulp
    // of p, and 1/2 is a whole number of ulps) cannot carry p + e past the half; at exactly 1/2 its sign
    // decides, and a zero e leaves the tie to round_ties_even.
    let t = p - r;
    let n = if t == 0.5 && e > 0.0 {
        r + 1.0
    } else if t == -0.5 && e < 0.0 {
        r - 1.0
    } else {
        r
    };
    // A zero keeps x's sign (round(-0.001, 2) is -0.0 in Python too): round_ties_even gives -0.0 for p in
    // [-0.5, 0), and n is never 0 after a step away from r at a tie (r is even there).
    n / 100.0
}

/// `round2` through text: Rust's `{:.2}` formats the exact binary value with half-to-even rounding, and
/// parsing is correctly rounded.
fn round2_by_text(x: f64) -> f64 {
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
    /// A line and column (of bytes, from 1) in the raw JSON, where serde_json stopped.
    Line { line: usize, column: usize },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::Byte(offset) => write!(f, "{} at byte {offset}", self.message),
            Location::Event(index) => write!(f, "event {index}: {}", self.message),
            Location::Line { line, column } => {
                write!(f, "{} at line {line} column {column}", self.message)
            }
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
        assert!(round2(f64::NAN).is_nan());
        assert_eq!(round2(f64::INFINITY), f64::INFINITY);
        assert_eq!(round2(1e300), 1e300);
    }

    #[test]
    fn round2_agrees_with_the_text_route() {
        // Ties and near-ties at every magnitude (k/1000 with k odd multiples of 5 are the decimal ties, whose
        // doubles lie just above or below them), a few ulps around each, and random bit patterns.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let check = |x: f64| {
            let (fast, text) = (round2(x), round2_by_text(x));
            assert!(
                fast.to_bits() == text.to_bits(),
                "round2({x:e}) = {fast:e}, by text {text:e}"
            );
        };
        for k in -20_000i64..20_000 {
            let tie = (k * 10 + 5) as f64 / 1000.0;
            for scale in [1.0, 1e3, 1e6, 1e9, 1e12] {
                let x = tie * scale;
                let mut near = x;
                for _ in 0..3 {
                    near = near.next_up();
                }
                for _ in 0..6 {
                    check(near);
                    near = near.next_down();
                }
            }
        }
        for _ in 0..200_000 {
            let bits = next();
            let x = f64::from_bits(bits);
            check(x);
            // and the same mantissa at a magnitude where two decimals matter
            let exponent = 1023 + (bits >> 58) as i64 - 20;
            check(f64::from_bits(
                (bits & 0x800F_FFFF_FFFF_FFFF) | ((exponent as u64) << 52),
            ));
        }
        for x in [
            1e13,
            -1e13,
            9.999_999_999_999_99e12,
            4.5e15,
            0.005,
            -0.005,
            1e-320,
            -1e-320,
        ] {
            check(x);
        }
    }

    #[test]
    fn short_keys_are_the_bytes_and_the_length() {
        let text = b"\0/a\xffbc/def\0ghijklm\0";
        for from in 0..text.len() {
            for to in from..=text.len() {
                let t = &text[from..to];
                let want = (t.len() < 16).then(|| short_key_of(t));
                assert_eq!(short_key(t), want, "{t:?}");
            }
        }
        // a NUL at the end is not the same text as none
        assert_ne!(short_key(b"ab\0"), short_key(b"ab"));
        let mut agg = Aggregator::new();
        for (id, page) in KNOWN_PAGES.iter().enumerate() {
            assert_eq!(agg.page_id(page), Ok(id as u32), "{page}");
        }
        assert_eq!(agg.page_id("/homes"), Ok(KNOWN_PAGES.len() as u32));
    }

    #[test]
    fn filter_window_and_types() {
        let kept = |t, ts| keep(t, ts).unwrap().map(|(k, _)| k);
        assert_eq!(
            kept("purchase", "2025-03-01T00:00:00Z"),
            Some(Kind::Purchase)
        );
        assert_eq!(kept("click", "2025-09-30T23:59:59Z"), Some(Kind::Click));
        assert_eq!(kept("click", "2025-10-01T00:00:00Z"), None);
        assert_eq!(kept("click", "2025-02-28T23:59:59Z"), None);
        assert_eq!(kept("click", "2024-05-01T00:00:00Z"), None);
        assert_eq!(kept("login", "2025-05-01T00:00:00Z"), None);
        assert_eq!(kept("remove_from_cart", "2025-05-01T00:00:00Z"), None);
        // a malformed timestamp is an error for a kept type, whatever its date, and ignored for another type
        assert!(keep("click", "2025-13-01T00:00:00Z").is_err());
        assert!(keep("click", "2024-02-30T00:00:00Z").is_err());
        assert_eq!(keep("logout", "yesterday"), Ok(None));
        for (k, name) in KEPT_TYPES.iter().enumerate() {
            assert_eq!(Kind::kept(name).map(|k| k as usize), Some(k));
            assert_eq!(Kind::kept(name).unwrap().name(), *name);
            assert_eq!(Kind::from_index(k).name(), *name);
        }
    }

    #[test]
    fn the_shape_test_is_the_byte_by_byte_one() {
        const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
        let good = *b"2025-03-14T09:26:53Z";
        assert!(shaped(&good));
        for at in 0..20 {
            for byte in 0..=255u8 {
                let mut text = good;
                text[at] = byte;
                let want = match SHAPE[at] {
                    b'd' => byte.is_ascii_digit(),
                    sep => byte == sep,
                };
                assert_eq!(shaped(&text), want, "byte {byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn timestamps_are_validated() {
        let ts = Timestamp::parse("2025-03-14T09:26:53Z").unwrap();
        assert_eq!(ts.hour(), 9);
        assert_eq!(ts.text().as_str(), "2025-03-14T09:26:53Z");
        assert!(ts < Timestamp::parse("2025-03-14T09:26:54Z").unwrap());
        assert!(ts > Timestamp::parse("2024-12-31T23:59:59Z").unwrap());
        for good in [
            "2024-02-29T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2025-12-31T12:00:00Z",
            "0001-01-01T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse(good).unwrap().text().as_str(), good);
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
        for v in [3, 1, 1, 3] {
            t.add(v);
        }
        assert_eq!(t.top(), Some(3));
        t.add(1);
        assert_eq!(t.top(), Some(1));
    }

    #[test]
    fn pages_outside_the_schema_are_counted_too() {
        let mut agg = Aggregator::new();
        let ts = Timestamp::parse("2025-05-05T05:05:05Z").unwrap();
        for page in ["/new", "/home", "/new", "/home", "/other"] {
            agg.add("u", Kind::Click, page, ts, Payload::None).unwrap();
        }
        let out = agg.finish();
        let u = out.users().next().unwrap();
        assert_eq!((u.top_page, u.events, u.active_days), ("/new", 5, 1));
    }
    /// Events as (user, kind, page, hour, payload), all on 2025-05-05.
    fn feed(
        agg: &mut Aggregator,
        events: &[(&str, Kind, &str, u32, Payload)],
    ) -> Result<(), &'static str> {
        for &(user, kind, page, hour, payload) in events {
            let ts = Timestamp::parse(&format!("2025-05-05T{hour:02}:00:00Z")).unwrap();
            agg.add(user, kind, page, ts, payload)?;
        }
        Ok(())
    }

    fn summaries(out: &Output) -> Vec<String> {
        // {:?} of f64 prints the shortest text that reads back to the same bits: a bitwise comparison
        out.users().map(|u| format!("{u:?}")).collect()
    }

    #[test]
    fn merging_a_later_aggregator_is_a_sequential_reading() {
        let buy = |amount, items| Payload::Purchase { amount, items };
        let cart = |qty, price| Payload::AddToCart { qty, price };
        // float terms whose sum depends on the order, pages outside the schema, ties broken by first sight
        let events = [
            ("b", Kind::Purchase, "/x", 3, buy(1e16, 1)),
            ("a", Kind::Click, "/y", 4, Payload::None),
            ("b", Kind::Purchase, "/home", 4, buy(1.0, 2)),
            ("b", Kind::AddToCart, "/y", 3, cart(3, 0.1)),
            ("c", Kind::Search, "/", 7, Payload::None),
            ("b", Kind::Purchase, "/x", 9, buy(1.0, -4)),
            ("a", Kind::AddToCart, "/home", 9, cart(7, 0.7)),
            ("b", Kind::Purchase, "/y", 9, buy(-1e16, 0)),
            ("a", Kind::AddToCart, "/z", 4, cart(1, 0.2)),
            ("b", Kind::AddToCart, "/y", 3, cart(2, 0.3)),
        ];
        let mut whole = Aggregator::new();
        feed(&mut whole, &events).unwrap();
        let want = summaries(&whole.finish());
        for cut in 0..=events.len() {
            for second in cut..=events.len() {
                let mut first = Aggregator::new();
                feed(&mut first, &events[..cut]).unwrap();
                let mut middle = Aggregator::later();
                feed(&mut middle, &events[cut..second]).unwrap();
                let mut last = Aggregator::later();
                feed(&mut last, &events[second..]).unwrap();
                first.absorb(middle).unwrap();
                first.absorb(last).unwrap();
                assert_eq!(summaries(&first.finish()), want, "cuts {cut}, {second}");
            }
        }
        // the merge is for the first events' aggregator only: a later one has no sums of its own to add to
        assert!(Aggregator::later().absorb(Aggregator::later()).is_err());
    }

    #[test]
    fn a_merge_overflows_items_exactly_where_a_sequential_reading_does() {
        let buy = |items| Payload::Purchase { amount: 1.0, items };
        let events = [
            ("u", Kind::Purchase, "/", 1, buy(i64::MAX - 2)),
            ("u", Kind::Purchase, "/", 1, buy(5)),
            ("u", Kind::Purchase, "/", 1, buy(-10)),
        ];
        assert!(feed(&mut Aggregator::new(), &events).is_err());
        let mut first = Aggregator::new();
        feed(&mut first, &events[..1]).unwrap();
        let mut later = Aggregator::later();
        // the later events alone end below zero (5 - 10); only their running total shows the overflow
        feed(&mut later, &events[1..]).unwrap();
        assert_eq!(first.absorb(later).err(), Some(ITEMS_OVERFLOW));
        // and a total that dips and recovers inside the range is fine either way
        let fine = [
            ("u", Kind::Purchase, "/", 1, buy(i64::MAX - 20)),
            ("u", Kind::Purchase, "/", 1, buy(10)),
            ("u", Kind::Purchase, "/", 1, buy(-15)),
        ];
        let mut first = Aggregator::new();
        feed(&mut first, &fine[..1]).unwrap();
        let mut later = Aggregator::later();
        feed(&mut later, &fine[1..]).unwrap();
        first.absorb(later).unwrap();
        assert_eq!(first.finish().users().next().unwrap().items, i64::MAX - 25);
    }
}
