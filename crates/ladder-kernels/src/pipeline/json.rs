//! The pipeline over raw bytes: a streaming serde_json parse of the top-level array, one borrowed event at a
//! time (strings are slices of the input unless they contain escapes; `meta` stays an undecoded slice and is
//! only decoded for purchases and cart additions that pass the filter).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer as _, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Aggregator, InputError, Kind, Location, Output, Payload, keep};

/// Runs the whole pipeline on the bytes of an events file.
pub fn run(data: &[u8]) -> Result<Output, InputError> {
    // One validation pass over the whole input (fast on ASCII) instead of one per string inside the parser.
    let text = std::str::from_utf8(data).map_err(|e| InputError {
        location: Location::Byte(e.valid_up_to()),
        message: "invalid JSON: not UTF-8".to_owned(),
    })?;
    let mut aggregator = Aggregator::new();
    let mut fault = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de
        .deserialize_seq(Events {
            data,
            aggregator: &mut aggregator,
            fault: &mut fault,
        })
        .and_then(|()| de.end());
    match (parsed, fault) {
        (_, Some(fault)) => Err(fault),
        (Err(e), None) => Err(serde_error(data, 0, &e)),
        (Ok(()), None) => Ok(aggregator.finish()),
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// The fields of an event the pipeline reads; every other key is skipped. `meta` is only needed (and only
/// decoded) for some kept events.
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow)]
    ts: Text<'a>,
    #[serde(borrow)]
    user_id: Text<'a>,
    #[serde(borrow)]
    page: Text<'a>,
    #[serde(borrow)]
    meta: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PurchaseMeta {
    amount: f64,
    items: i64,
}

#[derive(Deserialize)]
struct CartMeta {
    qty: i64,
    price: f64,
}

/// Visits the top-level array, feeding each event to the aggregator as soon as it is parsed.
struct Events<'s, 'a> {
    data: &'a [u8],
    aggregator: &'s mut Aggregator,
    /// A pipeline error, with its exact offset; the parse is then aborted with a placeholder serde error.
    fault: &'s mut Option<InputError>,
}

impl<'de> Visitor<'de> for Events<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of event objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element::<Event<'de>>()? {
            if let Err(fault) = self.process(event) {
                *self.fault = Some(fault);
                return Err(de::Error::custom("pipeline error"));
            }
        }
        Ok(())
    }
}

impl<'de> Events<'_, 'de> {
    fn process(&mut self, event: Event<'de>) -> Result<(), InputError> {
        let kept = keep(&event.kind.0, &event.ts.0).map_err(|message| InputError {
            location: Location::Byte(self.at(&event.ts).unwrap_or_else(|| self.near(&event))),
            message: message.to_owned(),
        })?;
        let Some((kind, ts)) = kept else {
            return Ok(());
        };
        let payload = match kind {
            Kind::Purchase => {
                let m: PurchaseMeta = self.meta(&event)?;
                Payload::Purchase {
                    amount: m.amount,
                    items: m.items,
                }
            }
            Kind::AddToCart => {
                let m: CartMeta = self.meta(&event)?;
                Payload::AddToCart {
                    qty: m.qty,
                    price: m.price,
                }
            }
            Kind::PageView | Kind::Click | Kind::Search => Payload::None,
        };
        self.aggregator
            .add(&event.user_id.0, kind, &event.page.0, ts, payload)
            .map_err(|message| InputError {
                location: Location::Byte(self.near(&event)),
                message: message.to_owned(),
            })
    }

    fn meta<T: Deserialize<'de>>(&self, event: &Event<'de>) -> Result<T, InputError> {
        let raw = event.meta.ok_or_else(|| InputError {
            location: Location::Byte(self.near(event)),
            message: "event has no 'meta' object".to_owned(),
        })?;
        let start = self.offset_of(raw.get()).unwrap_or(0);
        serde_json::from_str(raw.get()).map_err(|e| serde_error(raw.get().as_bytes(), start, &e))
    }

    /// Where `s` starts in the input, when it is a slice of it.
    fn offset_of(&self, s: &str) -> Option<usize> {
        let offset = (s.as_ptr() as usize).checked_sub(self.data.as_ptr() as usize)?;
        (offset <= self.data.len()).then_some(offset)
    }

    /// Where a string field starts in the input, when it was borrowed from it.
    fn at(&self, text: &Text<'de>) -> Option<usize> {
        match text {
            Text(Cow::Borrowed(s)) => self.offset_of(s),
            Text(Cow::Owned(_)) => None,
        }
    }

    /// A byte offset inside the event, for errors about the event as a whole: the start of its first borrowed
    /// field.
    fn near(&self, event: &Event<'de>) -> usize {
        [&event.kind, &event.ts, &event.user_id, &event.page]
            .into_iter()
            .filter_map(|t| self.at(t))
            .chain(event.meta.and_then(|m| self.offset_of(m.get())))
            .min()
            .unwrap_or(0)
    }
}

/// Turns serde_json's line and column (1-based; the column counts bytes) into a byte offset in `text`, plus
/// `base` for text that is itself a slice of the input.
fn serde_error(text: &[u8], base: usize, e: &serde_json::Error) -> InputError {
    let line_start = if e.line() <= 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(e.line() - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let offset = (line_start + e.column().saturating_sub(1)).min(text.len());
    let message = e.to_string();
    // serde_json appends " at line L column C"; the byte offset replaces it.
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    InputError {
        location: Location::Byte(base + offset),
        message: format!("invalid JSON: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::UserSummary;

    fn users(json: &str) -> Vec<UserSummary<'static>> {
        let out = Box::leak(Box::new(run(json.as_bytes()).expect("valid input")));
        out.users().collect()
    }

    fn error(json: &str) -> (usize, String) {
        error_bytes(json.as_bytes())
    }

    fn error_bytes(json: &[u8]) -> (usize, String) {
        let e = run(json).expect_err("invalid input");
        match e.location {
            Location::Byte(offset) => (offset, e.message),
            Location::Event(_) => panic!("bytes report offsets"),
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
    fn invalid_utf8_reports_the_offset() {
        let (offset, message) = error_bytes(b"[{\"type\": \"cl\xffck\"}]");
        assert_eq!(offset, 13);
        assert!(message.contains("UTF-8"), "{message}");
    }

    #[test]
    fn empty_array_gives_no_users() {
        assert!(run(b" [ ] ").unwrap().is_empty());
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
        assert_eq!(error(truncated).0, 300 - 1);
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
        // serde_json places a type error at the end of the offending value
        assert!(json[..=offset].ends_with("2.5"), "{offset}");
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
        let _ = run(event("purchase", &meta).as_bytes());
        // the event list itself
        assert!(run(deep.as_bytes()).is_err());
    }
}
