//! The pipeline over raw bytes as the study's Rust read it: `serde_json` into borrowed, derived structs, on one
//! thread, no explicit SIMD, nothing hand-written about the parsing. This is the `study` tier of the Rust rung;
//! [`super::json`] is the expert one (a hand-written reader, threads, SSE2).
//!
//! The array is deserialised into a `Vec` of [`Event`]s whose strings borrow from the input (a string with an
//! escape is decoded into an owned one) and whose `meta` stays raw JSON text until the event's type says what it
//! holds; the kept purchases and cart additions then have their `meta` deserialised into a small struct of their
//! own. The aggregation is the crate's [`Aggregator`], the one every Rust reader shares, so the output is the
//! expert reader's bit for bit.
//!
//! Both readers accept and refuse the same inputs (a test and the fuzz target hold them to it). That takes three
//! small departures from serde's defaults, each made where it is needed:
//! - events and `meta` must be JSON objects: a derived struct also takes an array of its fields in order
//!   ([`Object`]);
//! - `items` and `qty` are read from their text: serde_json reads `-0` as the float -0.0, where Python's json (and
//!   so the spec) has the integer 0 ([`Int`]);
//! - the input is checked to be UTF-8 as a whole: serde_json checks the strings it decodes, not those it skips.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{Aggregator, InputError, Kind, Location, Output, Payload, keep};

/// The fields of an event the pipeline reads; any other key is skipped.
#[derive(serde::Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
    #[serde(borrow)]
    page: Cow<'a, str>,
    #[serde(borrow)]
    ts: Cow<'a, str>,
    #[serde(borrow)]
    meta: Option<&'a RawValue>,
}

/// The `meta` of a purchase.
#[derive(serde::Deserialize)]
struct PurchaseMeta {
    amount: f64,
    items: Int,
}

/// The `meta` of a cart addition.
#[derive(serde::Deserialize)]
struct CartMeta {
    qty: Int,
    price: f64,
}

/// Runs the whole pipeline on the bytes of an events file.
pub fn run(data: &[u8]) -> Result<Output, InputError> {
    let text = std::str::from_utf8(data).map_err(|e| InputError {
        location: Location::Byte(e.valid_up_to()),
        message: "invalid JSON: not UTF-8".to_owned(),
    })?;
    let events: Vec<Object<Event<'_>>> = serde_json::from_str(text).map_err(json_error)?;
    let mut aggregator = Aggregator::new();
    for (index, Object(event)) in events.into_iter().enumerate() {
        add(&mut aggregator, event).map_err(|message| InputError {
            location: Location::Event(index),
            message,
        })?;
    }
    Ok(aggregator.finish())
}

/// Steps 1 to 3 for one event.
fn add(aggregator: &mut Aggregator, event: Event<'_>) -> Result<(), String> {
    let Some((kind, ts)) = keep(&event.kind, &event.ts)? else {
        return Ok(());
    };
    let payload = match kind {
        Kind::Purchase => {
            let meta: PurchaseMeta = meta(event.meta)?;
            Payload::Purchase {
                amount: meta.amount,
                items: meta.items.0,
            }
        }
        Kind::AddToCart => {
            let meta: CartMeta = meta(event.meta)?;
            Payload::AddToCart {
                qty: meta.qty.0,
                price: meta.price,
            }
        }
        Kind::PageView | Kind::Click | Kind::Search => Payload::None,
    };
    aggregator.add(&event.user_id, kind, &event.page, ts, payload)?;
    Ok(())
}

/// An event's `meta` as the struct its type calls for.
fn meta<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Result<T, String> {
    let raw = raw.ok_or("event has no 'meta' object")?;
    serde_json::from_str::<Object<T>>(raw.get())
        .map(|Object(meta)| meta)
        .map_err(|e| format!("invalid 'meta': {e}"))
}

fn json_error(e: serde_json::Error) -> InputError {
    // serde_json's message ends with the position, which the location holds
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    InputError {
        location: Location::Line {
            line: e.line(),
            column: e.column(),
        },
        message: format!(
            "invalid JSON: {}",
            message.strip_suffix(&position).unwrap_or(&message)
        ),
    }
}

/// A derived struct read from a JSON object only: serde's derived structs also take an array of their fields in
/// order, which neither Python's json with dict access nor the expert reader accept.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

/// A JSON integer that fits 64 bits, read from its text: serde_json reads `-0` as the float -0.0, which an `i64`
/// field refuses, where Python's json gives the integer 0.
struct Int(i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        raw.get().parse().map(Int).map_err(|_| {
            de::Error::custom(format_args!("expected a 64-bit integer, got {}", raw.get()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Mode, json};

    /// The study reader's verdict on `data` against the expert's: the same users (every field), or both refuse.
    pub(crate) fn agree(data: &[u8]) -> Result<(), String> {
        let show = |o: &Output| o.users().map(|u| format!("{u:?}")).collect::<Vec<_>>();
        match (run(data), json::run(data, Mode::Scalar)) {
            (Ok(a), Ok(b)) if show(&a) == show(&b) => Ok(()),
            (Err(_), Err(_)) => Ok(()),
            (a, b) => Err(format!(
                "{:?}\nstudy: {:?}\nexpert: {:?}",
                String::from_utf8_lossy(data),
                a.map(|o| show(&o)),
                b.map(|o| show(&o))
            )),
        }
    }

    /// A small deterministic generator (64-bit LCG, high bits).
    struct Rng(u64);

    impl Rng {
        /// A number, one of the plain integers but one time in eight.
        fn number(&mut self, from: &[&'static str]) -> &'static str {
            if self.below(8) == 0 {
                from[self.below(from.len())]
            } else {
                from[self.below(6)]
            }
        }

        fn below(&mut self, m: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % m as u64) as usize
        }

        fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
            from[self.below(from.len())]
        }
    }

    /// An events file of `n` events in the generator's layout, with keys reordered, escapes and odd values here
    /// and there.
    fn events(rng: &mut Rng, n: usize) -> String {
        const TYPES: [&str; 7] = [
            "page_view",
            "click",
            "search",
            "add_to_cart",
            "purchase",
            "login",
            "pur\\u0063hase",
        ];
        const PAGES: [&str; 5] = ["/", "/home", "\\/cart", "/p\\u00e9", "/other"];
        // the first six are integers every field takes; the rest are odd, picked one time in eight
        const NUMBERS: [&str; 13] = [
            "1",
            "-0",
            "2",
            "3",
            "17",
            "5",
            "0.1",
            "9.99",
            "1e2",
            "1E-400",
            "1e400",
            "12345678901234567890",
            "0.30000000000000004",
        ];
        const STRINGS: [&str; 6] = [
            "\"a\"",
            "\"say \\\"hi\\\"\"",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "\"é\"",
            "null",
        ];
        let mut out = String::from("[\n");
        for id in 0..n {
            let kind = rng.pick(&TYPES);
            // now and then a day or an hour out of range
            let (days, hours) = match rng.below(16) {
                0 => (31, 25),
                _ => (28, 24),
            };
            let ts = format!(
                "2025-{:02}-{:02}T{:02}:00:0{}Z",
                1 + rng.below(12),
                1 + rng.below(days),
                rng.below(hours),
                rng.below(10)
            );
            let mut meta = vec![
                format!("\"amount\": {}", rng.number(&NUMBERS)),
                format!("\"items\": {}", rng.number(&NUMBERS)),
                format!("\"qty\": {}", rng.number(&NUMBERS)),
                format!("\"price\": {}", rng.number(&NUMBERS)),
                format!("\"note\": {}", rng.pick(&STRINGS)),
                format!("\"deep\": [[{{\"k\": {}}}]]", rng.pick(&STRINGS)),
            ];
            meta.retain(|_| rng.below(8) != 0);
            let meta = match rng.below(20) {
                0 => "null".to_owned(),
                1 => "[1, 2]".to_owned(),
                _ => format!("{{{}}}", meta.join(", ")),
            };
            let mut fields = [
                format!("\"id\": {id}"),
                format!("\"user_id\": \"u{:05}\"", rng.below(1 + n / 4)),
                format!("\"type\": \"{kind}\""),
                format!("\"page\": \"{}\"", rng.pick(&PAGES)),
                format!("\"ts\": \"{ts}\""),
                format!("\"meta\": {meta}"),
            ];
            if rng.below(4) == 0 {
                let (a, b) = (rng.below(fields.len()), rng.below(fields.len()));
                fields.swap(a, b);
            }
            let sep = if id + 1 < n { "," } else { "" };
            out.push_str(&format!("{{{}}}{sep}\n", fields.join(", ")));
        }
        out.push(']');
        out
    }

    /// `text` with a few random edits: bytes deleted, duplicated or replaced by JSON's punctuation.
    fn mutated(rng: &mut Rng, text: &str) -> Vec<u8> {
        const BITS: [&[u8]; 10] = [
            b"{", b"}", b"[", b"]", b",", b":", b"\"", b"\\", b"-0", b"\xff",
        ];
        let mut b = text.as_bytes().to_vec();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(b.len() + 1);
            match rng.below(3) {
                0 if at < b.len() => {
                    b.remove(at);
                }
                1 => {
                    let end = (at + 1 + rng.below(8)).min(b.len());
                    let copy = b[at..end].to_vec();
                    b.splice(at..at, copy);
                }
                _ => {
                    let bit = BITS[rng.below(BITS.len())];
                    b.splice(at..at, bit.iter().copied());
                }
            }
        }
        b
    }

    #[test]
    fn the_study_reader_agrees_with_the_expert_on_generated_inputs() {
        let mut rng = Rng(7);
        let (mut accepted, mut refused) = (0, 0);
        for round in 0..3000 {
            let text = events(&mut rng, 1 + round % 12);
            for data in [text.as_bytes().to_vec(), mutated(&mut rng, &text)] {
                agree(&data).unwrap_or_else(|e| panic!("round {round}: {e}"));
                if run(&data).is_ok() {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        // both kinds of input were really exercised
        assert!(accepted > 1000 && refused > 1000, "{accepted} {refused}");
    }

    #[test]
    fn the_study_reader_agrees_on_the_corner_cases() {
        let event = |kind: &str, meta: &str| {
            format!(
                r#"[{{"type": "{kind}", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z", "meta": {meta}}}]"#
            )
        };
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let cases = [
            "[]".to_owned(),
            " [ ] ".to_owned(),
            "{}".to_owned(),
            "[] x".to_owned(),
            r#"[["click", "2025-03-01T00:00:00Z", "u", "/"]]"#.to_owned(),
            event("purchase", r#"{"amount": 1.5, "items": -0}"#),
            event("purchase", r#"{"amount": 1.5, "items": -0.0}"#),
            event("purchase", r#"{"amount": 1.5, "items": 2, "items": 3}"#),
            event("purchase", r#"[1.5, 2]"#),
            event("purchase", "null"),
            event("purchase", r#"{"amount": "1", "items": 2}"#),
            event("purchase", r#"{"amount": 1e400, "items": 2}"#),
            event("add_to_cart", r#"{"qty": 9223372036854775808, "price": 1}"#),
            event("click", r#"{"x": "\ud800"}"#),
            event("click", r#"{"\udc00": 1}"#),
            event("click", &deep),
            event("purchase", &format!(r#"{{"amount": 1, "items": 1, "x": {deep}}}"#)),
            event("click", r#"{"x": "\u12"}"#),
            event("click", r#"{"x": "\q"}"#),
            r#"[{"type": "click", "user_id": "\ud800", "page": "/", "ts": "2025-03-01T00:00:00Z"}]"#
                .to_owned(),
            r#"[{"type": "click", "user_id": "u", "page": "/", "ts": "2025-03-01T00:00:00Z", "ts": "x"}]"#
                .to_owned(),
            r#"[{"type": "login", "user_id": "u", "page": "/", "ts": "bad"}]"#.to_owned(),
            r#"[{"type": "click", "user_id": "u", "page": "/", "ts": "2025-02-29T00:00:00Z"}]"#.to_owned(),
            r#"[{"type": "click", "user_id": "u", "page": 1, "ts": "2025-03-01T00:00:00Z"}]"#.to_owned(),
            r#"[{"type": "login", "page": "/", "ts": "2025-03-01T00:00:00Z"}]"#.to_owned(),
        ];
        for case in &cases {
            agree(case.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        }
        agree(b"[\"\xff\"]").unwrap();
        agree(b"[{\"type\": \"click\", \"x\": \"\xc3\"}]").unwrap();
    }

    #[test]
    fn errors_say_where() {
        let e = run(b"[{\"type\": 1}]").unwrap_err();
        assert!(matches!(e.location, Location::Line { line: 1, .. }), "{e}");
        let e = run(br#"[{"type": "click", "user_id": "u", "page": "/", "ts": "x"}]"#).unwrap_err();
        assert_eq!(e.location, Location::Event(0), "{e}");
    }
}
