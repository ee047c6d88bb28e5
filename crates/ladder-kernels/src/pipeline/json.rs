//! The pipeline over raw bytes: a hand-written JSON reader for the events schema.
//!
//! It replaces serde_json with borrowed structs and a `RawValue` for `meta` (33 ms on the 16 MB default events
//! file on an idle machine here, ~480 MB/s), which cannot be split across threads. It is still a complete JSON reader
//! for the schema — keys in any order, any JSON whitespace, escapes decoded, every value it does not need
//! validated (strings, numbers, literals, nesting of any depth without recursion) and skipped — but it copies
//! nothing: the strings the pipeline reads are slices of the input, and `meta` is only parsed for the kept
//! purchases and cart additions.
//!
//! [`Mode::Fast`] splits the array at newlines into a slice per thread (see [`super::on_threads`]). A raw newline
//! can never be inside a JSON string, but it can be inside an event (pretty-printed input), so a split is only
//! speculative: each slice is read as a run of events, and the slice before it must end exactly where the next
//! one began (the first slice starts at the true start of the array, so by induction every accepted boundary is
//! a true event boundary). On any mismatch or error the whole input is read again sequentially, which also gives
//! the exact error and offset. Each slice is aggregated on its own thread and the slices are merged in file
//! order (what can fail at once, the rest user by user as the output is summarised: [`Aggregator::absorb`]), so
//! sums, ties and errors are exactly those of a sequential reading.

use std::borrow::Cow;

use super::{
    Aggregator, InputError, Kind, Location, Mode, Output, Payload, Timestamp, keep, on_threads,
    prefetch_at,
};

/// Inputs smaller than this are read on one thread: the split is not worth its overhead.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Runs the whole pipeline on the bytes of an events file.
pub fn run(data: &[u8], mode: Mode) -> Result<Output, InputError> {
    read(data, mode, 10, |_| ()).map(|(output, _)| output)
}

/// [`run`], with `early` called on the calling thread with the user ids of the first slice, in output order, as
/// soon as that slice is read and while the other threads still read theirs: for work that can start before the
/// merge (the Python binding makes those users' dicts then). The first slice is made a little smaller than the
/// others ([`FIRST_SLICE_TENTHS`]) to leave the calling thread that time. Its result comes back when the split
/// reading was accepted; `None` when the input was read on one thread (`early` may then have run for nothing).
pub fn run_early<T>(
    data: &[u8],
    mode: Mode,
    early: impl FnOnce(&[Box<str>]) -> T,
) -> Result<(Output, Option<T>), InputError> {
    read(data, mode, FIRST_SLICE_TENTHS, early)
}

/// The first slice's size in tenths of another's, to leave the calling thread time to make the first slice's
/// users' dicts while the others are read. A judgement, not tuned: building every user's dict took ~2 ms here
/// against ~9.5 ms to read a slice of the default events file, and the early part (a copy of the template and
/// the id entered) is, by my estimate, about half of that work.
const FIRST_SLICE_TENTHS: usize = 9;

fn read<T>(
    data: &[u8],
    mode: Mode,
    first_tenths: usize,
    early: impl FnOnce(&[Box<str>]) -> T,
) -> Result<(Output, Option<T>), InputError> {
    // No separate UTF-8 pass: outside strings the grammar accepts only ASCII, and every string, read or
    // skipped, is checked as it is scanned (see `string_stop`), so an accepted input is valid UTF-8.
    let threads = mode.threads();
    if threads > 1
        && data.len() >= PARALLEL_MIN_BYTES
        && let Some((output, early)) = split_read(data, threads, first_tenths, early)
    {
        return Ok((output, early));
    }
    Ok((sequential(data, Scan::of(mode))?, None))
}

/// How strings are scanned (see [`string_stop`]): sixteen bytes at a time with SSE2 on x86-64 in [`Mode::Fast`],
/// else eight at a time in a `u64` (SWAR), which is what [`Mode::Scalar`] (one thread, no
/// explicit SIMD) always does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    Sse2,
    Swar,
}

impl Scan {
    fn of(mode: Mode) -> Self {
        match mode {
            Mode::Fast if cfg!(target_arch = "x86_64") => Self::Sse2,
            Mode::Fast | Mode::Scalar => Self::Swar,
        }
    }
}

/// The explicit SIMD the reader uses in `mode` here, for `ladder_info()`.
pub fn simd_level(mode: Mode) -> &'static str {
    match Scan::of(mode) {
        Scan::Sse2 => "sse2 (string scan)",
        Scan::Swar => "none (portable)",
    }
}

/// Reads the whole array on this thread, aggregating each kept event as it is read.
fn sequential(data: &[u8], scan: Scan) -> Result<Output, InputError> {
    let mut aggregator = Aggregator::new();
    let mut r = Reader::new(data, 0, scan);
    r.array_start()?;
    if !r.array_end_now() {
        aggregate_events(&mut r, &mut aggregator, None)?;
    }
    r.end_of_input()?;
    Ok(aggregator.finish())
}

/// How many kept events are read ahead of their aggregation, so that their users' aggregates are fetched from
/// memory together (see [`Aggregator::seen`]): one thread read the default events file in ~18.9 ms against ~20.3
/// without (16 was no better than 8).
const READ_AHEAD: usize = 8;

/// How far ahead of each event the input is asked into the cache (three lines, more than an event of the
/// generator's): the hardware's own prefetching left the first load of each string waiting here, and one thread
/// went from ~19.8 to ~18.2 ms on the default events file (1 KiB, 2 KiB and 4 KiB ahead did about as well).
const INPUT_AHEAD: usize = 2048;

/// Reads the events from the cursor (at an event) and aggregates the kept ones, until the array's closing bracket
/// (`true`) or the first event at or after `end` (`false`, the cursor there). Errors come in file order: the
/// events read before an error are aggregated before it is returned.
fn aggregate_events<'a>(
    r: &mut Reader<'a>,
    aggregator: &mut Aggregator,
    end: Option<usize>,
) -> Result<bool, InputError> {
    let mut ahead = Vec::with_capacity(READ_AHEAD);
    loop {
        let read = read_ahead(r, aggregator, &mut ahead, end);
        for (seen, record) in ahead.drain(..) {
            record.add_to(aggregator, seen)?;
        }
        if let Some(at_array_end) = read? {
            return Ok(at_array_end);
        }
    }
}

/// Reads events into `ahead` (each kept one with its user's slot if seen already) until it holds
/// [`READ_AHEAD`] (`None`) or the reading stops as [`aggregate_events`] says (`Some`).
#[inline(always)]
fn read_ahead<'a>(
    r: &mut Reader<'a>,
    aggregator: &Aggregator,
    ahead: &mut Vec<(Option<u32>, Record<'a>)>,
    end: Option<usize>,
) -> Result<Option<bool>, InputError> {
    while ahead.len() < READ_AHEAD {
        if let Some(later) = r.b.get(r.pos + INPUT_AHEAD..) {
            for line in [0, 64, 128] {
                prefetch_at(later.as_ptr().wrapping_add(line));
            }
        }
        if let Some(record) = r.event()?.kept(r.b, r.scan)? {
            ahead.push((aggregator.seen(&record.user_id), record));
        }
        if !r.next_element()? {
            return Ok(Some(true));
        }
        if end.is_some_and(|end| r.pos >= end) {
            return Ok(Some(false));
        }
    }
    Ok(None)
}

/// The speculative parallel reading into `threads` slices, each aggregated on its own thread and merged in
/// file order; `None` when the input does not split cleanly or has any error (invalid UTF-8 included). Public
/// for the fuzz target, which checks it against the sequential reading on small inputs (the size threshold of
/// [`run`] does not apply here).
pub fn parallel(data: &[u8], threads: usize) -> Option<Output> {
    split_read(data, threads, 10, |_| ()).map(|(output, _)| output)
}

/// The split reading, the first slice `first_tenths` tenths of the size of each other, `early` run on the first
/// slice's user ids as soon as it is read (see [`run_early`]).
fn split_read<T>(
    data: &[u8],
    threads: usize,
    first_tenths: usize,
    early: impl FnOnce(&[Box<str>]) -> T,
) -> Option<(Output, Option<T>)> {
    let mut r = Reader::new(data, 0, Scan::of(Mode::Fast));
    r.array_start().ok()?;
    if r.array_end_now() {
        return None;
    }
    let mut starts = vec![r.pos];
    // slice k > 0 starts after the first slice's share and k - 1 whole ones (in tenths)
    let tenths = 10 * threads.saturating_sub(1) + first_tenths;
    for k in 1..threads {
        let share = 10 * (k - 1) + first_tenths;
        let from = (data.len() / tenths * share).max(starts[starts.len() - 1] + 1);
        let Some(newline) = data.get(from..)?.iter().position(|&b| b == b'\n') else {
            break;
        };
        let mut at = from + newline;
        while data.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
            at += 1;
        }
        if data.get(at) == Some(&b'{') {
            starts.push(at);
        }
    }
    let slices: Vec<_> = starts
        .iter()
        .enumerate()
        .map(|(k, &start)| (start, starts.get(k + 1).copied(), k > 0))
        .collect();
    let (slices, early) = on_threads(
        &slices,
        |&(start, end, later)| read_slice(data, start, end, later),
        |first| first.as_ref().map(|first| early(first.user_ids())),
    )?;
    let mut slices = slices.into_iter();
    let mut aggregator = slices.next()??;
    for later in slices {
        aggregator.absorb(later?).ok()?;
    }
    Some((aggregator.finish(), early))
}

/// Aggregates the events from `start` (an event's `{`) until the event that starts exactly at `end`, or to the
/// end of the array and input when `end` is `None`; `later` for every slice but the first (see
/// [`Aggregator::later`]). `None` if the boundary is not where the events are, or on any error.
fn read_slice(data: &[u8], start: usize, end: Option<usize>, later: bool) -> Option<Aggregator> {
    let scan = Scan::of(Mode::Fast);
    let mut r = Reader::new(data, start, scan);
    let mut aggregator = if later {
        Aggregator::later()
    } else {
        Aggregator::new()
    };
    if aggregate_events(&mut r, &mut aggregator, end).ok()? {
        // the closing bracket: only the last slice may reach it
        r.end_of_input().ok()?;
        end.is_none().then_some(aggregator)
    } else {
        (Some(r.pos) == end).then_some(aggregator)
    }
}

/// A string value and where its text starts in the input (just after the opening quote).
#[derive(Clone, Debug)]
struct Str<'a> {
    text: Cow<'a, str>,
    at: usize,
}

/// The fields of an event the pipeline reads.
struct Event<'a> {
    kind: Str<'a>,
    ts: Str<'a>,
    user_id: Str<'a>,
    page: Str<'a>,
    /// Where the `meta` value starts, if the event has one.
    meta: Option<usize>,
    /// Where the event's `{` is.
    start: usize,
}

/// A kept event, ready for the aggregator.
struct Record<'a> {
    user_id: Cow<'a, str>,
    kind: Kind,
    page: Cow<'a, str>,
    ts: Timestamp,
    payload: Payload,
    start: usize,
}

impl<'a> Event<'a> {
    /// Step 1 (the filter) and, for a kept purchase or cart addition, its `meta` numbers.
    #[inline(always)]
    fn kept(self, data: &'a [u8], scan: Scan) -> Result<Option<Record<'a>>, InputError> {
        let kept = keep(&self.kind.text, &self.ts.text).map_err(|message| InputError {
            location: Location::Byte(self.ts.at),
            message: message.to_owned(),
        })?;
        let Some((kind, ts)) = kept else {
            return Ok(None);
        };
        let payload = match kind {
            Kind::Purchase => {
                let [amount, items] = self.meta_numbers(data, scan, ["amount", "items"])?;
                Payload::Purchase {
                    amount: amount.float()?,
                    items: items.int()?,
                }
            }
            Kind::AddToCart => {
                let [qty, price] = self.meta_numbers(data, scan, ["qty", "price"])?;
                Payload::AddToCart {
                    qty: qty.int()?,
                    price: price.float()?,
                }
            }
            Kind::PageView | Kind::Click | Kind::Search => Payload::None,
        };
        Ok(Some(Record {
            user_id: self.user_id.text,
            kind,
            page: self.page.text,
            ts,
            payload,
            start: self.start,
        }))
    }

    fn meta_numbers(
        &self,
        data: &'a [u8],
        scan: Scan,
        keys: [&str; 2],
    ) -> Result<[Number<'a>; 2], InputError> {
        let at = self.meta.ok_or_else(|| InputError {
            location: Location::Byte(self.start),
            message: "event has no 'meta' object".to_owned(),
        })?;
        let mut r = Reader::new(data, at, scan);
        r.numbers(keys)
    }
}

impl Record<'_> {
    /// Adds this event; `seen` is its user's slot from [`Aggregator::seen`].
    fn add_to(&self, aggregator: &mut Aggregator, seen: Option<u32>) -> Result<(), InputError> {
        aggregator
            .add_seen(
                seen,
                &self.user_id,
                self.kind,
                &self.page,
                self.ts,
                self.payload,
            )
            .map_err(|message| InputError {
                location: Location::Byte(self.start),
                message: message.to_owned(),
            })
    }
}

/// A number's text, validated against the JSON grammar.
struct Number<'a> {
    text: &'a str,
    at: usize,
    integer: bool,
}

impl Number<'_> {
    fn float(&self) -> Result<f64, InputError> {
        // Rust's parse is correctly rounded, like Python's float(); the grammar was checked already.
        match self.text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.error("invalid JSON: number out of range")),
        }
    }

    fn int(&self) -> Result<i64, InputError> {
        if !self.integer {
            return Err(self.error(&format!(
                "invalid JSON: invalid type: floating point `{}`, expected a 64-bit integer",
                self.text
            )));
        }
        self.text
            .parse::<i64>()
            .map_err(|_| self.error("invalid JSON: integer out of the 64-bit range"))
    }

    fn error(&self, message: &str) -> InputError {
        InputError {
            location: Location::Byte(self.at),
            message: message.to_owned(),
        }
    }
}

/// What kind of value starts with `b`, for error messages.
fn describe(b: Option<u8>) -> &'static str {
    match b {
        None => "end of input",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a character that starts no JSON value",
    }
}

/// A cursor over the input with the grammar of JSON.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    /// Open containers while skipping a value (true: an object), kept to reuse its allocation.
    stack: Vec<bool>,
    scan: Scan,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8], pos: usize, scan: Scan) -> Self {
        Self {
            b,
            pos,
            stack: Vec::new(),
            scan,
        }
    }

    fn error(&self, at: usize, message: impl Into<String>) -> InputError {
        InputError {
            location: Location::Byte(at.min(self.b.len())),
            message: format!("invalid JSON: {}", message.into()),
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips whitespace and consumes `want`.
    #[inline]
    fn expect(&mut self, want: u8, what: &str) -> Result<(), InputError> {
        self.ws();
        match self.peek() {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.error(
                self.pos,
                format!("unexpected end of input, expected {what}"),
            )),
            Some(_) => Err(self.error(self.pos, format!("expected {what}"))),
        }
    }

    fn array_start(&mut self) -> Result<(), InputError> {
        self.ws();
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                self.ws();
                Ok(())
            }
            got => Err(self.error(
                self.pos,
                format!(
                    "invalid type: {}, expected a JSON array of event objects",
                    describe(got)
                ),
            )),
        }
    }

    /// Consumes `]` if the array is empty.
    fn array_end_now(&mut self) -> bool {
        self.ws();
        let empty = self.peek() == Some(b']');
        if empty {
            self.pos += 1;
        }
        empty
    }

    /// After an element: `,` (true, positioned at the next element) or `]` (false).
    #[inline]
    fn next_element(&mut self) -> Result<bool, InputError> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.ws();
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            None => Err(self.error(self.pos, "unexpected end of input, expected ',' or ']'")),
            Some(_) => Err(self.error(self.pos, "expected ',' or ']' after an event")),
        }
    }

    fn end_of_input(&mut self) -> Result<(), InputError> {
        self.ws();
        if self.pos == self.b.len() {
            Ok(())
        } else {
            Err(self.error(self.pos, "trailing characters after the array"))
        }
    }

    /// One event object; its fields in any order, unknown keys validated and skipped.
    #[inline(always)]
    fn event(&mut self) -> Result<Event<'a>, InputError> {
        self.ws();
        let start = self.pos;
        if let Some(event) = self.event_as_written(start) {
            return Ok(event);
        }
        self.pos = start;
        self.any_event(start)
    }

    /// The event at `start` if it is laid out exactly as the generator writes events (its keys in its order,
    /// one space after each ':' and ','); every value is still read or validated as [`Reader::any_event`]
    /// would. `None` on any difference or error, and the caller reads the event again with `any_event`,
    /// which accepts every layout and reports errors exactly: this path only saves the key scans and
    /// matches (measured here: 20 against 28 ms of CPU time for the default events file on one thread).
    #[inline(always)]
    fn event_as_written(&mut self, start: usize) -> Option<Event<'a>> {
        self.pos = start;
        self.exactly(b"{\"id\": ")?;
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return None;
        }
        self.number().ok()?;
        self.exactly(b", \"user_id\": \"")?;
        let user_id = self.plain_string()?;
        self.exactly(b", \"type\": \"")?;
        let kind = self.plain_string()?;
        self.exactly(b", \"page\": \"")?;
        let page = self.plain_string()?;
        self.exactly(b", \"ts\": \"")?;
        let ts = self.plain_string()?;
        self.exactly(b", \"meta\": ")?;
        let meta = self.pos;
        self.flat_object_as_written()?;
        self.exactly(b"}")?;
        Some(Event {
            kind,
            ts,
            user_id,
            page,
            meta: Some(meta),
            start,
        })
    }

    /// The rest of a string whose opening quote was just consumed, when it has no escape: borrowed, the closing
    /// quote consumed. `None` for an escape, a control character or invalid UTF-8 (the event is then read again
    /// by [`Reader::any_event`]).
    #[inline(always)]
    fn plain_string(&mut self) -> Option<Str<'a>> {
        let at = self.pos;
        let (end, non_ascii) = string_stop(self.b, at, self.scan);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        let text = self.text(at, end, non_ascii).ok()?;
        self.pos = end + 1;
        Some(Str {
            text: Cow::Borrowed(text),
            at,
        })
    }

    /// A `meta` object as the generator writes it: not empty, no object or array among its values, `"key": value`
    /// members separated by `", "`. Every key and value is validated as [`Reader::skip_value`] would; `None` on
    /// any difference or error. Skipping `meta` this way, without `skip_value`'s stack and whitespace loops, took
    /// the default events file from ~21.4 to ~20.5 ms on one thread here.
    #[inline(always)]
    fn flat_object_as_written(&mut self) -> Option<()> {
        self.exactly(b"{\"")?;
        loop {
            self.plain_string()?;
            self.exactly(b": ")?;
            match self.peek()? {
                b'"' => self.skip_string().ok()?,
                b'-' | b'0'..=b'9' => {
                    self.number().ok()?;
                }
                b't' => self.literal(b"true").ok()?,
                b'f' => self.literal(b"false").ok()?,
                b'n' => self.literal(b"null").ok()?,
                _ => return None,
            }
            if self.peek()? == b'}' {
                self.pos += 1;
                return Some(());
            }
            self.exactly(b", \"")?;
        }
    }

    /// Consumes `text` if the input continues with it.
    #[inline(always)]
    fn exactly<const N: usize>(&mut self, text: &[u8; N]) -> Option<()> {
        let next = self.b.get(self.pos..)?.first_chunk::<N>()?;
        (next == text).then(|| self.pos += N)
    }

    /// One event object in any layout; its fields in any order, unknown keys validated and skipped.
    fn any_event(&mut self, start: usize) -> Result<Event<'a>, InputError> {
        if self.peek() != Some(b'{') {
            return Err(self.error(
                start,
                format!(
                    "invalid type: {}, expected an event object",
                    describe(self.peek())
                ),
            ));
        }
        self.pos += 1;
        let mut fields: [Option<Str<'a>>; 4] = [None, None, None, None];
        let mut meta = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                let key_at = self.pos;
                let key = self.key()?;
                let slot = match key.as_ref() {
                    "type" => Some(0),
                    "ts" => Some(1),
                    "user_id" => Some(2),
                    "page" => Some(3),
                    _ => None,
                };
                self.expect(b':', "':' after a key")?;
                self.ws();
                if let Some(slot) = slot {
                    if fields[slot].is_some() {
                        return Err(self.error(key_at, format!("duplicate field `{key}`")));
                    }
                    fields[slot] = Some(self.string_value()?);
                } else if key == "meta" {
                    if meta.is_some() {
                        return Err(self.error(key_at, "duplicate field `meta`"));
                    }
                    meta = Some(self.pos);
                    self.skip_value()?;
                } else {
                    self.skip_value()?;
                }
                if self.object_member_end()? {
                    break;
                }
            }
        }
        let end = self.pos - 1;
        let [kind, ts, user_id, page] = fields;
        let missing = |name: &str| self.error(end, format!("missing field `{name}`"));
        Ok(Event {
            kind: kind.ok_or_else(|| missing("type"))?,
            ts: ts.ok_or_else(|| missing("ts"))?,
            user_id: user_id.ok_or_else(|| missing("user_id"))?,
            page: page.ok_or_else(|| missing("page"))?,
            meta,
            start,
        })
    }

    /// The `meta` object at the cursor, reading the two number fields `keys` and skipping the rest.
    fn numbers(&mut self, keys: [&str; 2]) -> Result<[Number<'a>; 2], InputError> {
        let start = self.pos;
        if self.peek() != Some(b'{') {
            return Err(self.error(
                start,
                format!(
                    "invalid type: {}, expected the 'meta' object",
                    describe(self.peek())
                ),
            ));
        }
        self.pos += 1;
        let mut found: [Option<Number<'a>>; 2] = [None, None];
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                let key_at = self.pos;
                let key = self.key()?;
                self.expect(b':', "':' after a key")?;
                self.ws();
                if let Some(slot) = keys.iter().position(|k| *k == key) {
                    if found[slot].is_some() {
                        return Err(self.error(key_at, format!("duplicate field `{key}`")));
                    }
                    if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
                        return Err(self.error(
                            self.pos,
                            format!("invalid type: {}, expected a number", describe(self.peek())),
                        ));
                    }
                    found[slot] = Some(self.number()?);
                } else {
                    self.skip_value()?;
                }
                if self.object_member_end()? {
                    break;
                }
            }
        }
        let end = self.pos - 1;
        let [a, b] = found;
        let missing = |name: &str| self.error(end, format!("missing field `{name}` in 'meta'"));
        Ok([
            a.ok_or_else(|| missing(keys[0]))?,
            b.ok_or_else(|| missing(keys[1]))?,
        ])
    }

    /// An object key (escapes decoded).
    fn key(&mut self) -> Result<Cow<'a, str>, InputError> {
        if self.peek() != Some(b'"') {
            return Err(self.error(self.pos, "expected a key string"));
        }
        Ok(self.string()?.text)
    }

    /// A value that must be a string.
    #[inline(always)]
    fn string_value(&mut self) -> Result<Str<'a>, InputError> {
        if self.peek() != Some(b'"') {
            return Err(self.error(
                self.pos,
                format!("invalid type: {}, expected a string", describe(self.peek())),
            ));
        }
        self.string()
    }

    /// The string whose opening quote is at the cursor: borrowed when it has no escapes.
    #[inline(always)]
    fn string(&mut self) -> Result<Str<'a>, InputError> {
        let at = self.pos + 1;
        let (i, non_ascii) = string_stop(self.b, at, self.scan);
        match self.b.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                Ok(Str {
                    text: Cow::Borrowed(self.text(at, i, non_ascii)?),
                    at,
                })
            }
            Some(b'\\') => {
                let mut text = self.text(at, i, non_ascii)?.to_owned();
                self.pos = i;
                self.escaped_rest(&mut text)?;
                Ok(Str {
                    text: Cow::Owned(text),
                    at,
                })
            }
            Some(_) => Err(self.error(i, "control character in a string")),
            None => Err(self.error(i, "unexpected end of input in a string")),
        }
    }

    /// The bytes `at..end` of a string without escapes as text; `non_ascii` says whether `string_stop` saw a
    /// byte above 0x7F there (only then is a UTF-8 check needed).
    #[inline(always)]
    fn text(&self, at: usize, end: usize, non_ascii: bool) -> Result<&'a str, InputError> {
        let bytes = &self.b[at..end];
        if non_ascii {
            return std::str::from_utf8(bytes)
                .map_err(|e| self.error(at + e.valid_up_to(), "not UTF-8"));
        }
        // SAFETY: `string_stop` found no byte above 0x7F in `bytes`, and ASCII is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// Decodes the rest of a string from an escape at the cursor up to and including the closing quote.
    fn escaped_rest(&mut self, out: &mut String) -> Result<(), InputError> {
        let mut plain_from = self.pos;
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.error(self.pos, "unexpected end of input in a string"));
            };
            match c {
                b'"' | b'\\' => {
                    out.push_str(
                        std::str::from_utf8(&self.b[plain_from..self.pos])
                            .map_err(|_| self.error(plain_from, "not UTF-8"))?,
                    );
                    self.pos += 1;
                    if c == b'"' {
                        return Ok(());
                    }
                    let escape_at = self.pos - 1;
                    let decoded = match self.b.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let first = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&first) {
                                if self.b.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error(
                                        escape_at,
                                        "lone leading surrogate in a \\u escape",
                                    ));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error(
                                        escape_at,
                                        "invalid surrogate pair in a \\u escape",
                                    ));
                                }
                                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                            } else {
                                first
                            };
                            let ch = char::from_u32(code).ok_or_else(|| {
                                self.error(escape_at, "lone trailing surrogate in a \\u escape")
                            })?;
                            out.push(ch);
                            plain_from = self.pos;
                            continue;
                        }
                        _ => return Err(self.error(escape_at, "invalid escape in a string")),
                    };
                    out.push(decoded);
                    self.pos += 1;
                    plain_from = self.pos;
                }
                c if c < 0x20 => return Err(self.error(self.pos, "control character in a string")),
                _ => self.pos += 1,
            }
        }
    }

    /// Skips the rest of a string from an escape at the cursor up to and including the closing quote: the text
    /// UTF-8, every escape well-formed, no control character, but `\u` escapes not decoded, so a lone surrogate
    /// passes here as it does in Python's json (a string the pipeline reads is decoded, and must be Unicode text).
    fn skip_escaped_rest(&mut self) -> Result<(), InputError> {
        let mut plain_from = self.pos;
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.error(self.pos, "unexpected end of input in a string"));
            };
            match c {
                b'"' | b'\\' => {
                    std::str::from_utf8(&self.b[plain_from..self.pos])
                        .map_err(|e| self.error(plain_from + e.valid_up_to(), "not UTF-8"))?;
                    let escape_at = self.pos;
                    self.pos += 1;
                    if c == b'"' {
                        return Ok(());
                    }
                    match self.b.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            self.hex4()?;
                        }
                        _ => return Err(self.error(escape_at, "invalid escape in a string")),
                    }
                    plain_from = self.pos;
                }
                c if c < 0x20 => return Err(self.error(self.pos, "control character in a string")),
                _ => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, InputError> {
        let digits = self
            .b
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error(self.pos, "unexpected end of input in a \\u escape"))?;
        let mut code = 0;
        for &d in digits {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error(self.pos, "invalid hex digit in a \\u escape"))?;
            code = code * 16 + v;
        }
        self.pos += 4;
        Ok(code)
    }

    /// Skips a string without decoding it (UTF-8 and the escapes' form are still checked, see
    /// [`Reader::skip_escaped_rest`]).
    #[inline(always)]
    fn skip_string(&mut self) -> Result<(), InputError> {
        let at = self.pos + 1;
        let (i, non_ascii) = string_stop(self.b, at, self.scan);
        match self.b.get(i) {
            Some(b'"') => {
                self.text(at, i, non_ascii)?;
                self.pos = i + 1;
                Ok(())
            }
            Some(b'\\') => {
                self.text(at, i, non_ascii)?;
                self.pos = i;
                self.skip_escaped_rest()
            }
            Some(_) => Err(self.error(i, "control character in a string")),
            None => Err(self.error(i, "unexpected end of input in a string")),
        }
    }

    /// A number per the JSON grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    #[inline(always)]
    fn number(&mut self) -> Result<Number<'a>, InputError> {
        let at = self.pos;
        let b = self.b;
        let mut i = at;
        let digits = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i + 1),
            _ => return Err(self.error(i, "invalid number")),
        }
        let mut integer = true;
        if b.get(i) == Some(&b'.') {
            integer = false;
            let end = digits(i + 1);
            if end == i + 1 {
                return Err(self.error(end, "invalid number: a digit must follow '.'"));
            }
            i = end;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            integer = false;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                return Err(self.error(end, "invalid number: a digit must follow the exponent"));
            }
            i = end;
        }
        self.pos = i;
        // SAFETY: the grammar above accepted only ASCII bytes (sign, digits, '.', 'e', 'E') in `at..i`.
        let text = unsafe { std::str::from_utf8_unchecked(&b[at..i]) };
        Ok(Number { text, at, integer })
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), InputError> {
        if self.b.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error(self.pos, "invalid literal"))
        }
    }

    /// After an object member: consumes `,` (more members follow: false) or `}` (the object is closed: true).
    fn object_member_end(&mut self) -> Result<bool, InputError> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(true)
            }
            None => Err(self.error(self.pos, "unexpected end of input in an object")),
            Some(_) => Err(self.error(self.pos, "expected ',' or '}' in an object")),
        }
    }

    /// Validates and skips any JSON value, nested to any depth without recursion.
    fn skip_value(&mut self) -> Result<(), InputError> {
        self.stack.clear();
        loop {
            // a value is expected at the cursor
            self.ws();
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        self.stack.push(true);
                        self.member_key()?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        self.stack.push(false);
                        continue;
                    }
                }
                Some(b'"') => self.skip_string()?,
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                None => {
                    return Err(self.error(self.pos, "unexpected end of input, expected a value"));
                }
                Some(_) => return Err(self.error(self.pos, "expected a value")),
            }
            // a value was read: close containers until one continues
            loop {
                let Some(&object) = self.stack.last() else {
                    return Ok(());
                };
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if object {
                            self.ws();
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b'}') if object => {
                        self.pos += 1;
                        self.stack.pop();
                    }
                    Some(b']') if !object => {
                        self.pos += 1;
                        self.stack.pop();
                    }
                    None => return Err(self.error(self.pos, "unexpected end of input in a value")),
                    Some(_) => {
                        let want = if object { "',' or '}'" } else { "',' or ']'" };
                        return Err(self.error(self.pos, format!("expected {want}")));
                    }
                }
            }
        }
    }

    /// `"key":` inside a skipped object.
    fn member_key(&mut self) -> Result<(), InputError> {
        if self.peek() != Some(b'"') {
            return Err(self.error(self.pos, "expected a key string"));
        }
        self.skip_string()?;
        self.expect(b':', "':' after a key")
    }
}

/// Where the plain run of a string starting at `from` stops: the index of the first `"`, `\\` or control
/// character (or `b.len()`), and whether a byte above 0x7F came before it. With [`Scan::Sse2`] sixteen bytes at a
/// time (SSE2 is part of x86-64 itself, so no detection is needed), then eight at a time: the strings of an events
/// file are short (most fit one 16-byte load), and scanning them was a fifth of the reader's time (on one thread,
/// the 16-byte loads took the default events file from 18.7 to 17.9 ms).
#[inline(always)]
fn string_stop(b: &[u8], from: usize, scan: Scan) -> (usize, bool) {
    if scan == Scan::Swar {
        return string_stop_swar(b, from);
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64 itself (every x86_64 target enables it), and each load reads 16 bytes that
    // `first_chunk` found in bounds, with no alignment requirement.
    let (from, wide_before) = unsafe {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let control = _mm_set1_epi8(0x1f);
        let mut i = from;
        let mut wide = false;
        let found = loop {
            let Some(chunk) = b.get(i..).and_then(|rest| rest.first_chunk::<16>()) else {
                break None;
            };
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let stops = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                // unsigned v <= 0x1f: max(v, 0x1f) is 0x1f
                _mm_cmpeq_epi8(_mm_max_epu8(v, control), control),
            );
            let stops = _mm_movemask_epi8(stops) as u32;
            // the high bit of each byte: set for the bytes above 0x7F
            let high = _mm_movemask_epi8(v) as u32;
            if stops != 0 {
                let k = stops.trailing_zeros();
                break Some((i + k as usize, wide || high & ((1 << k) - 1) != 0));
            }
            wide |= high != 0;
            i += 16;
        };
        if let Some(found) = found {
            return found;
        }
        (i, wide)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let wide_before = false;
    let (end, wide) = string_stop_swar(b, from);
    (end, wide || wide_before)
}

/// [`string_stop`] eight bytes at a time in a `u64` (SWAR): the tail of a string after the 16-byte loads, and
/// every string with [`Scan::Swar`].
#[inline(always)]
fn string_stop_swar(b: &[u8], from: usize) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of x that is below n (n <= 0x80). A borrow can only flag bytes above a true
    // hit, and only the lowest hit is used.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut i = from;
    let mut high = 0;
    while let Some(chunk) = b.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let hits = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hits != 0 {
            let k = hits.trailing_zeros() / 8;
            let before = (1u64 << (8 * k)) - 1;
            return (i + k as usize, (high | (w & before)) & HIGH != 0);
        }
        high |= w;
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        high |= u64::from(c);
        i += 1;
    }
    (i, high & HIGH != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::UserSummary;

    fn users(json: &str) -> Vec<UserSummary<'static>> {
        let out = Box::leak(Box::new(
            run(json.as_bytes(), Mode::Fast).expect("valid input"),
        ));
        let scalar = run(json.as_bytes(), Mode::Scalar).expect("valid input");
        assert_eq!(out.len(), scalar.len());
        out.users().collect()
    }

    fn error(json: &str) -> (usize, String) {
        error_bytes(json.as_bytes())
    }

    fn error_bytes(json: &[u8]) -> (usize, String) {
        let e = run(json, Mode::Scalar).expect_err("invalid input");
        assert_eq!(run(json, Mode::Fast).expect_err("invalid input"), e);
        match e.location {
            Location::Byte(offset) => (offset, e.message),
            Location::Event(_) | Location::Line { .. } => panic!("bytes report offsets"),
        }
    }

    /// Two users; u1 has ties everywhere (types, pages and hours) that go to the first seen, filtered-out
    /// events of every kind (type, before and after the window), keys in odd orders, escapes and whitespace.
    const TINY: &str = r#"[
 {"id": 0, "user_id": "u00001", "type": "click", "page": "/home", "ts": "2025-04-02T10:00:00Z",
  "meta": {"element": "btn", "x": 1, "y": 2}},
 {"meta": {"query": "say \"hi\"", "results": 3}, "ts": "2025-04-02T11:30:00Z", "page": "/search",
  "type": "search", "user_id": "u00001", "id": 1},
 {"id": 2, "user_id": "u00001", "type": "purchase", "page": "/checkout", "ts": "2025-05-01T11:00:00Z",
  "meta": {"order_id": "o1", "amount": 0.1, "items": 2}},
 {"id": 3, "user_id": "u00001", "type": "purchase", "page": "/checkout", "ts": "2025-05-01T10:00:00Z",
  "meta": {"order_id": "o2", "amount": 0.2, "items": 1}},
 {"id": 4, "user_id": "u00001", "type": "login", "page": "/home", "ts": "2025-05-01T12:00:00Z",
  "meta": {"method": "password", "success": true}},
 {"id": 5, "user_id": "u00001", "type": "click", "page": "/home", "ts": "2025-10-01T00:00:00Z",
  "meta": {"element": "a", "x": 0, "y": 0}},
 {"id": 6, "user_id": "u00001", "type": "add_to_cart", "page": "/product", "ts": "2025-02-28T23:59:59Z",
  "meta": {"sku": "s", "qty": 2, "price": 9.99}},
 {"id": 7, "user_id": "u00002", "type": "add_to_cart", "page": "/product", "ts": "2025-09-30T23:59:59Z",
  "meta": {"price": 19.99, "qty": 3, "sku": "s-9"}},
 {"id": 8, "user_id": "u00003", "type": "signup", "page": "/", "ts": "2025-06-01T00:00:00Z",
  "meta": {"plan": "pro", "referral": null}}
]"#;

    #[test]
    fn tiny_input_with_ties() {
        let got = users(TINY);
        assert_eq!(got.len(), 2, "u00003 has no kept event");
        let u1 = got[0];
        assert_eq!(u1.user_id, "u00001");
        assert_eq!(u1.events, 4);
        assert_eq!(u1.purchases, 2);
        // 0.1 + 0.2 = 0.30000000000000004, rounded to 0.3
        assert_eq!(u1.revenue, 0.3);
        assert_eq!(u1.cart_value, 0.0);
        assert_eq!(u1.items, 3);
        // click, search, purchase, purchase: purchase wins 2 to 1
        assert_eq!(u1.top_type, Kind::Purchase);
        // /home, /search, /checkout ×2
        assert_eq!(u1.top_page, "/checkout");
        // hours 10, 11, 11, 10: a tie, 10 was seen first
        assert_eq!(u1.peak_hour, 10);
        assert_eq!(u1.active_days, 2);
        assert_eq!(u1.first_ts.text().as_str(), "2025-04-02T10:00:00Z");
        assert_eq!(u1.last_ts.text().as_str(), "2025-05-01T11:00:00Z");

        let u2 = got[1];
        assert_eq!(u2.user_id, "u00002");
        assert_eq!((u2.events, u2.purchases, u2.items), (1, 0, 0));
        assert_eq!(u2.revenue, 0.0);
        assert_eq!(u2.cart_value, 59.97);
        assert_eq!(
            (u2.top_type.name(), u2.top_page, u2.peak_hour),
            ("add_to_cart", "/product", 23)
        );
        assert_eq!(u2.active_days, 1);
        assert_eq!(u2.first_ts, u2.last_ts);
    }

    #[test]
    fn type_ties_go_to_the_first_seen() {
        let json = r#"[
            {"user_id":"u1","type":"search","page":"/a","ts":"2025-03-01T05:00:00Z"},
            {"user_id":"u1","type":"click","page":"/b","ts":"2025-03-02T06:00:00Z"},
            {"user_id":"u1","type":"click","page":"/a","ts":"2025-03-01T06:00:00Z"},
            {"user_id":"u1","type":"search","page":"/b","ts":"2025-03-01T05:00:00Z"}
        ]"#;
        let u = users(json)[0];
        assert_eq!(
            (u.top_type.name(), u.top_page, u.peak_hour),
            ("search", "/a", 5)
        );
        assert_eq!(u.active_days, 2);
    }

    #[test]
    fn the_string_scanner_agrees_with_a_byte_loop() {
        // every stop byte at every position of a run of up to 40 bytes (two 16-byte loads and a tail), with and
        // without a non-ASCII byte before it
        let naive = |b: &[u8], from: usize| {
            let end = (from..b.len())
                .find(|&i| b[i] == b'"' || b[i] == b'\\' || b[i] < 0x20)
                .unwrap_or(b.len());
            (end, b[from..end].iter().any(|&c| c > 0x7f))
        };
        for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for len in 0..40 {
                for wide in [None, Some(0), Some(len / 2)] {
                    let mut bytes = vec![b'a'; len];
                    if let Some(at) = wide.filter(|&at| at < len) {
                        bytes[at] = 0xc3;
                    }
                    bytes.push(stop);
                    bytes.extend_from_slice(b"\x80tail");
                    for from in 0..=len {
                        let want = naive(&bytes, from);
                        let context = format!("stop {stop:#x} len {len} from {from}");
                        assert_eq!(string_stop(&bytes, from, Scan::Sse2), want, "{context}");
                        assert_eq!(
                            string_stop(&bytes, from, Scan::Swar),
                            want,
                            "{context} (Swar)"
                        );
                    }
                }
            }
        }
        // no stop byte at all, and bytes that are close to the stops
        let open: Vec<u8> = (0x20..=0xff_u8)
            .filter(|&c| c != b'"' && c != b'\\')
            .collect();
        assert_eq!(string_stop(&open, 0, Scan::Sse2), (open.len(), true));
        assert_eq!(string_stop(&open, 0, Scan::Swar), (open.len(), true));
        assert_eq!(string_stop(b"!#[]", 0, Scan::Sse2), (4, false));
        let long = b"0123456789abcdef!#[]";
        assert_eq!(string_stop(long, 0, Scan::Sse2), (20, false));
    }

    #[test]
    fn invalid_utf8_in_a_skipped_string_is_an_error() {
        let (offset, message) = error_bytes(
            b"[{\"type\": \"click\", \"x\": \"ab\xe2\x82\", \"user_id\": \"u\", \"page\": \"/\", \"ts\": \"2025-05-05T05:05:05Z\"}]",
        );
        assert_eq!(offset, 27);
        assert!(message.contains("UTF-8"), "{message}");
        // outside strings a byte above 0x7F is a grammar error at that byte
        let (offset, _) = error_bytes(b"[\xc3\xa9]");
        assert_eq!(offset, 1);
        // valid multi-byte text is read as is
        let ok = b"[{\"type\": \"click\", \"user_id\": \"\\u00e9t\\u00e9\", \"page\": \"/\xc3\xa9\", \"ts\": \"2025-05-05T05:05:05Z\", \"x\": \"\xe2\x82\xac\"}]";
        let out = run(ok, Mode::Scalar).unwrap();
        let u = out.users().next().unwrap();
        assert_eq!((u.user_id, u.top_page), ("\u{e9}t\u{e9}", "/\u{e9}"));
    }

    #[test]
    fn events_as_written_read_like_any_other_layout() {
        // the generator's layout takes the fast path; the same events without spaces, or pretty-printed,
        // take the general one: the outputs must be the same
        let written = big_flat();
        let compact = written.replace("\": ", "\":").replace(", \"", ",\"");
        let spread = written.replace(", \"", ",\n  \"");
        assert_ne!(compact, written);
        let read = |text: &str| {
            let out = sequential(text.as_bytes(), Scan::Sse2).unwrap();
            out.users().map(|u| format!("{u:?}")).collect::<Vec<_>>()
        };
        assert_eq!(read(&compact), read(&written));
        assert_eq!(read(&spread), read(&written));
        // an event that starts as written but goes on differently is read in full, errors included
        let event = r#"{"id": 1, "user_id": "u", "type": "click", "page": "/", "ts": "2025-05-05T05:05:05Z", "meta": {}"#;
        let (_, message) = error_bytes(format!("[{event}, \"page\": \"/x\"}}]").as_bytes());
        assert!(message.contains("duplicate field `page`"), "{message}");
        let (_, message) = error_bytes(format!("[{event}, \"extra\": tru}}]").as_bytes());
        assert!(message.contains("invalid literal"), "{message}");
        let (offset, message) =
            error_bytes(br#"[{"id": 1, "user_id": "u", "type": "click", "page": "/", "ts": "2025-13-05T05:05:05Z", "meta": {}}]"#);
        assert_eq!(offset, 64);
        assert!(message.contains("timestamp"), "{message}");
        let extra = format!("[{event}, \"extra\": [1, {{\"a\": null}}]}}]");
        assert_eq!(run(extra.as_bytes(), Mode::Scalar).unwrap().len(), 1);
    }

    #[test]
    fn an_aggregation_error_comes_before_a_later_json_error() {
        // the events read ahead of their aggregation must not let the malformed third event's error overtake
        // the second event's overflow
        let purchase = |items: &str| {
            format!(
                r#"{{"id": 0, "user_id": "u1", "type": "purchase", "page": "/", "ts": "2025-05-05T05:05:05Z", "meta": {{"order_id": "o", "amount": 1.5, "items": {items}}}}}"#
            )
        };
        let first = purchase(&i64::MAX.to_string());
        let json = format!("[{first},\n{},\n{{\"id\": ?}}]", purchase("1"));
        let (offset, message) = error(&json);
        assert!(message.contains("overflows"), "{message}");
        assert_eq!(offset, first.len() + 3, "the second event's brace");
    }

    #[test]
    fn invalid_utf8_reports_the_offset() {
        let (offset, message) = error_bytes(b"[{\"type\": \"cl\xffck\"}]");
        assert_eq!(offset, 13);
        assert!(message.contains("UTF-8"), "{message}");
    }

    /// A file over the parallel threshold, one event per line: some `meta`s with strings (escaped and not, ASCII
    /// and not) and literals, some pages escaped (which the as-written path leaves to the general one).
    fn big_flat() -> String {
        let kinds = ["click", "purchase", "add_to_cart", "login", "search"];
        let extras = [
            "",
            r#", "note": "say \"hi\" \u00e9", "ok": true"#,
            r#", "note": "café", "none": null, "no": false"#,
        ];
        let lines: Vec<String> = (0..12_000)
            .map(|i| {
                let page = if i % 11 == 0 { "\\/p" } else { "/p" };
                format!(
                    r#"{{"id": {i}, "user_id": "u{:05}", "type": "{}", "page": "{page}{}", "ts": "2025-0{}-02T1{}:00:00Z", "meta": {{"amount": {}.25, "items": 2, "qty": 1, "price": 0.1{}}}}}"#,
                    i % 97,
                    kinds[i % 5],
                    i % 3,
                    1 + i % 9,
                    i % 10,
                    i % 13,
                    extras[i % 3]
                )
            })
            .collect();
        format!("[\n{}\n]\n", lines.join(",\n"))
    }

    #[test]
    fn parallel_slices_agree_with_one_thread() {
        let flat = big_flat();
        assert!(flat.len() > PARALLEL_MIN_BYTES);
        let sequential: Vec<_> = sequential(flat.as_bytes(), Scan::Swar)
            .unwrap()
            .users()
            .map(|u| format!("{u:?}"))
            .collect();
        for threads in [2, 3, 8] {
            let parallel =
                parallel(flat.as_bytes(), threads).expect("a line-per-event file splits");
            let got: Vec<_> = parallel.users().map(|u| format!("{u:?}")).collect();
            assert_eq!(got, sequential, "{threads} threads");
        }
    }

    #[test]
    fn the_early_hook_sees_the_first_users_of_the_output_in_order() {
        // a new user every 50 events, so the later slices bring users of their own
        let lines: Vec<String> = (0..20_000)
            .map(|i| {
                format!(
                    r#"{{"id": {i}, "user_id": "user-{:06}", "type": "click", "page": "/", "ts": "2025-05-02T10:00:00Z", "meta": {{}}}}"#,
                    i / 50
                )
            })
            .collect();
        let flat = format!("[\n{}\n]\n", lines.join(",\n"));
        assert!(flat.len() > PARALLEL_MIN_BYTES);
        for threads in [2, 3] {
            let (output, early) = split_read(flat.as_bytes(), threads, FIRST_SLICE_TENTHS, |ids| {
                ids.to_vec()
            })
            .expect("a line-per-event file splits");
            let early = early.expect("the first slice was read");
            let all: Vec<&str> = output.users().map(|u| u.user_id).collect();
            assert!(
                !early.is_empty() && early.len() < all.len() / 2,
                "{threads} threads"
            );
            assert!(
                early
                    .iter()
                    .map(|id| &**id)
                    .eq(all[..early.len()].iter().copied())
            );
        }
        // read on one thread, the hook's work is not returned
        let small = r#"[{"id": 1, "user_id": "u", "type": "click", "page": "/", "ts": "2025-05-02T10:00:00Z", "meta": {}}]"#;
        let (output, early) = run_early(small.as_bytes(), Mode::Fast, |ids| ids.len()).unwrap();
        assert_eq!((output.len(), early), (1, None));
    }

    #[test]
    fn the_split_reading_refuses_what_is_not_utf8() {
        // found by the fuzz target: a stray byte inside a skipped string, with the UTF-8 check bypassed
        let mut bytes =
            br#"[{"type": "login", "user_id": "u", "page": "/", "ts": "x", "meta": {"a": "b"}}]"#
                .to_vec();
        let at = bytes.len() - 6;
        bytes[at] = 0xca;
        assert!(parallel(&bytes, 2).is_none());
        assert!(run(&bytes, Mode::Scalar).is_err());
    }

    #[test]
    fn a_newline_inside_an_event_is_not_taken_for_a_boundary() {
        // every meta object starts a line: most split points land inside an event, on a '{' that is not one
        let tricky = big_flat().replace("\"meta\": {", "\"meta\":\n{");
        assert!(parallel(tricky.as_bytes(), 8).is_none());
        // and the public entry point still reads it, sequentially
        let fast = run(tricky.as_bytes(), Mode::Fast).unwrap();
        assert_eq!(
            fast.len(),
            sequential(tricky.as_bytes(), Scan::Swar).unwrap().len()
        );
        assert!(!fast.is_empty());
        // an error in a later slice gives the sequential reader's offset
        let broken = big_flat().replacen("\"u00050\"", "\"u00050\" x", 3000);
        let e = run(broken.as_bytes(), Mode::Fast).unwrap_err();
        assert_eq!(e, run(broken.as_bytes(), Mode::Scalar).unwrap_err());
    }

    #[test]
    fn empty_array_gives_no_users() {
        assert!(run(b" [ ] ", Mode::Fast).unwrap().is_empty());
    }

    #[test]
    fn malformed_json_reports_the_offset() {
        assert_eq!(error("").0, 0);
        assert_eq!(error("x").0, 0);
        assert_eq!(
            error("[{},]").0,
            2,
            "missing fields: the closing brace of the event"
        );
        // not an event object
        let one =
            r#"[{"type": "login", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z"}, 1]"#;
        assert_eq!(error(one).0, one.len() - 2);
        assert_eq!(error("{}").0, 0);
        // truncated inside the second event
        let truncated = &TINY[..300];
        assert_eq!(error(truncated).0, 300, "the end of the input");
        // trailing garbage after the array
        let (offset, message) = error("[]\n  ]");
        assert_eq!(offset, 5);
        assert!(message.contains("trailing"), "{message}");
        // a bad character on a later line
        let (offset, _) = error("[\n{\"type\": \"click\",\n \"ts\": ?}]");
        assert_eq!(offset, "[\n{\"type\": \"click\",\n \"ts\": ".len());
    }

    #[test]
    fn wrong_types_are_errors() {
        let (offset, message) = error(r#"[{"type": 5, "ts": "2025-03-01T00:00:00Z"}]"#);
        assert!(message.contains("invalid type"), "{message}");
        assert_eq!(offset, r#"[{"type": 5"#.len() - 1);
        let (offset, message) = error(r#"[{"ts": "2025-03-01T00:00:00Z"}]"#);
        assert!(message.contains("missing field `type`"), "{message}");
        assert_eq!(offset, 30, "the closing brace of the event");
        let (_, message) =
            error(r#"[{"type": "click", "ts": "2025-03-01T00:00:00Z", "page": "/"}]"#);
        assert!(message.contains("`user_id`"), "{message}");
        let (_, message) =
            error(r#"[{"type": null, "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z"}]"#);
        assert!(message.contains("invalid type: null"), "{message}");
    }

    #[test]
    fn bad_meta_reports_the_offset_inside_the_input() {
        let json = r#"[{"type": "purchase", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z",
            "meta": {"amount": 1.5, "items": 2.5}}]"#;
        let (offset, message) = error(json);
        assert!(message.contains("invalid type"), "{message}");
        assert!(json[offset..].starts_with("2.5"), "{offset}");
        let json = r#"[{"type": "add_to_cart", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z"}]"#;
        assert!(error(json).1.contains("'meta'"));
        // unread meta of other types is not decoded
        let json = r#"[{"type": "click", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z",
            "meta": {"amount": "many"}}]"#;
        assert_eq!(users(json)[0].events, 1);
    }

    #[test]
    fn bad_timestamp_of_a_kept_type_reports_its_offset() {
        let json =
            r#"[{"type": "click", "user_id": "u", "page": "/", "ts": "2025-13-01T00:00:00Z"}]"#;
        let (offset, message) = error(json);
        assert!(message.contains("ts"), "{message}");
        assert_eq!(offset, json.find("2025").unwrap());
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let json = r#"[{"type": "cl\u0069ck", "user_id": "u\u0031", "page": "\/home", "ts": "2025-03-01T00:00:00Z"}]"#;
        let u = users(json)[0];
        assert_eq!(
            (u.user_id, u.top_type.name(), u.top_page),
            ("u1", "click", "/home")
        );
    }

    #[test]
    fn deep_nesting_is_no_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let event = |kind: &str, meta: &str| {
            format!(
                r#"[{{"type": "{kind}", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z", "meta": {meta}}}]"#
            )
        };
        // unread: skipped
        assert_eq!(users(&event("click", &deep))[0].events, 1);
        // read: a type error
        assert!(error(&event("purchase", &deep)).1.contains("invalid type"));
        // an unknown key inside a read meta
        let meta = format!(r#"{{"amount": 1.0, "items": 1, "extra": {deep}}}"#);
        assert_eq!(users(&event("purchase", &meta))[0].purchases, 1);
        // the event list itself
        assert!(run(deep.as_bytes(), Mode::Fast).is_err());
    }
}
