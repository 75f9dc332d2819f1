//! Dead letters in Spring Kafka's convention (`DeadLetterPublishingRecoverer`): the original
//! value and headers, plus `kafka_dlt-*` headers with the error and where the record came
//! from. The key is what the DLQ topic's catalog entry says: a DLQ keyed by the workspace's
//! event id field (social-commerce's `sc.dlq.*`: `key = "event_id"`) gets the event id (its
//! `event_id` header; the original key when a record has none), and keeps the original key
//! in an [`ORIGINAL_KEY`] header for replay; any other DLQ keeps the original key. Numbers use Spring's encodings (partition a 4-byte big-endian int, offset and
//! timestamp 8-byte big-endian longs), so Spring-based replay tools read our dead letters and
//! we read theirs; [`DeadLetter::parse`] reads them back.

use rdkafka::message::{BorrowedMessage, Header, Headers, Message, OwnedHeaders};
use rdkafka::Timestamp;
use sc_events_schema::text::clip;

/// Spring's `KafkaHeaders.DLT_*` names.
pub mod headers {
    pub const EXCEPTION_FQCN: &str = "kafka_dlt-exception-fqcn";
    pub const EXCEPTION_CAUSE_FQCN: &str = "kafka_dlt-exception-cause-fqcn";
    pub const EXCEPTION_MESSAGE: &str = "kafka_dlt-exception-message";
    pub const ORIGINAL_TOPIC: &str = "kafka_dlt-original-topic";
    pub const ORIGINAL_PARTITION: &str = "kafka_dlt-original-partition";
    pub const ORIGINAL_OFFSET: &str = "kafka_dlt-original-offset";
    pub const ORIGINAL_TIMESTAMP: &str = "kafka_dlt-original-timestamp";
    pub const ORIGINAL_TIMESTAMP_TYPE: &str = "kafka_dlt-original-timestamp-type";
    pub const ORIGINAL_CONSUMER_GROUP: &str = "kafka_dlt-original-consumer-group";
}

/// The original key of a dead letter that was re-keyed by its event id (our header, outside
/// Spring's `kafka_dlt-` names, so a record dead-lettered twice keeps the first key).
pub const ORIGINAL_KEY: &str = "sc-original-key";

/// The key `m` is dead-lettered with: its event id (the `event_id` header) when the DLQ is
/// keyed `by_event_id` and the record has one, else its own key.
pub fn dead_letter_key<'a>(m: &'a BorrowedMessage<'_>, by_event_id: bool) -> Option<&'a [u8]> {
    let event_id = || {
        m.headers()?
            .iter()
            .find(|h| h.key == super::headers::EVENT_ID)
            .and_then(|h| h.value)
    };
    match by_event_id.then(event_id).flatten() {
        Some(id) => Some(id),
        None => m.key(),
    }
}

/// Why a record was dead-lettered; the `fqcn` header names the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The value is not a readable event (framing, unknown schema id, bad datum).
    Decode,
    /// The handler kept failing after every retry.
    HandlerExhausted,
    /// The handler reported an error that retrying cannot fix.
    HandlerFatal,
}

impl ErrorClass {
    pub fn fqcn(self) -> &'static str {
        match self {
            ErrorClass::Decode => "sc_events_runtime::wire::WireError",
            ErrorClass::HandlerExhausted => "sc_events_runtime::kafka::HandlerError::Retryable",
            ErrorClass::HandlerFatal => "sc_events_runtime::kafka::HandlerError::Fatal",
        }
    }
}

/// Longest error message kept in a header; longer ones are cut at a character boundary.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// The original record's headers followed by the `kafka_dlt-*` ones, and [`ORIGINAL_KEY`]
/// when the record is `rekeyed` and carries none yet.
pub fn dead_letter_headers(
    m: &BorrowedMessage<'_>,
    group: &str,
    class: ErrorClass,
    message: &str,
    rekeyed: bool,
) -> OwnedHeaders {
    let mut h = OwnedHeaders::new();
    let has_original = m
        .headers()
        .is_some_and(|o| o.iter().any(|x| x.key == ORIGINAL_KEY));
    if let (true, false, Some(k)) = (rekeyed, has_original, m.key()) {
        h = h.insert(Header {
            key: ORIGINAL_KEY,
            value: Some(k),
        });
    }
    if let Some(orig) = m.headers() {
        // A record dead-lettered before (by Spring or by us) loses its old error, as Spring's
        // stripPreviousExceptionHeaders does; where it came from is rewritten below.
        for o in orig.iter().filter(|o| !o.key.starts_with("kafka_dlt-")) {
            h = h.insert(Header {
                key: o.key,
                value: o.value,
            });
        }
    }
    let (ts, ts_type) = match m.timestamp() {
        Timestamp::CreateTime(t) => (t, "CreateTime"),
        Timestamp::LogAppendTime(t) => (t, "LogAppendTime"),
        Timestamp::NotAvailable => (-1, "NoTimestampType"),
    };
    let partition = m.partition().to_be_bytes();
    let offset = m.offset().to_be_bytes();
    let timestamp = ts.to_be_bytes();
    let text = sc_events_schema::redact::mask_userinfo(exception_message(message));
    let pairs: [(&str, &[u8]); 8] = [
        (headers::EXCEPTION_FQCN, class.fqcn().as_bytes()),
        (headers::EXCEPTION_MESSAGE, text.as_bytes()),
        (headers::ORIGINAL_TOPIC, m.topic().as_bytes()),
        (headers::ORIGINAL_PARTITION, &partition),
        (headers::ORIGINAL_OFFSET, &offset),
        (headers::ORIGINAL_TIMESTAMP, &timestamp),
        (headers::ORIGINAL_TIMESTAMP_TYPE, ts_type.as_bytes()),
        (headers::ORIGINAL_CONSUMER_GROUP, group.as_bytes()),
    ];
    for (key, value) in pairs {
        h = h.insert(Header {
            key,
            value: Some(value),
        });
    }
    h
}

/// The error text a dead letter carries: at most [`MAX_MESSAGE_BYTES`], cut on a character
/// boundary (at most 4 bytes a character, so `MAX_MESSAGE_BYTES / 4` characters fit).
fn exception_message(message: &str) -> &str {
    clip(message, MAX_MESSAGE_BYTES / 4)
}

/// A dead letter's `kafka_dlt-*` headers, read back.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct DeadLetter {
    pub exception_fqcn: Option<String>,
    pub exception_message: Option<String>,
    pub original_topic: Option<String>,
    pub original_partition: Option<i32>,
    pub original_offset: Option<i64>,
    pub original_timestamp: Option<i64>,
    pub original_timestamp_type: Option<String>,
    pub original_consumer_group: Option<String>,
}

impl DeadLetter {
    /// Reads the DLT headers of `h` (`None` when it has none: not a dead letter).
    pub fn parse<H: Headers>(h: &H) -> Option<DeadLetter> {
        let mut d = DeadLetter::default();
        let mut any = false;
        for x in h.iter() {
            let Some(v) = x.value else { continue };
            let text = || Some(String::from_utf8_lossy(v).into_owned());
            match x.key {
                headers::EXCEPTION_FQCN => d.exception_fqcn = text(),
                headers::EXCEPTION_MESSAGE => d.exception_message = text(),
                headers::ORIGINAL_TOPIC => d.original_topic = text(),
                headers::ORIGINAL_PARTITION => {
                    d.original_partition = v.try_into().ok().map(i32::from_be_bytes)
                }
                headers::ORIGINAL_OFFSET => {
                    d.original_offset = v.try_into().ok().map(i64::from_be_bytes)
                }
                headers::ORIGINAL_TIMESTAMP => {
                    d.original_timestamp = v.try_into().ok().map(i64::from_be_bytes)
                }
                headers::ORIGINAL_TIMESTAMP_TYPE => d.original_timestamp_type = text(),
                headers::ORIGINAL_CONSUMER_GROUP => d.original_consumer_group = text(),
                _ => continue,
            }
            any = true;
        }
        any.then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_fits_the_header_budget_without_splitting_a_character() {
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let m = exception_message(&long);
        assert!(m.len() <= MAX_MESSAGE_BYTES && !m.is_empty());
        assert!(m.chars().all(|c| c == 'é'));
        assert_eq!(exception_message("short"), "short");
    }

    #[test]
    fn parse_reads_spring_encodings() {
        let h = OwnedHeaders::new()
            .insert(Header {
                key: headers::ORIGINAL_PARTITION,
                value: Some(&7i32.to_be_bytes()),
            })
            .insert(Header {
                key: headers::ORIGINAL_OFFSET,
                value: Some(&42i64.to_be_bytes()),
            })
            .insert(Header {
                key: headers::ORIGINAL_TOPIC,
                value: Some("sc.domain.order"),
            });
        let d = DeadLetter::parse(&h).expect("dlt headers");
        assert_eq!(d.original_partition, Some(7));
        assert_eq!(d.original_offset, Some(42));
        assert_eq!(d.original_topic.as_deref(), Some("sc.domain.order"));
        assert!(DeadLetter::parse(&OwnedHeaders::new()).is_none());
    }
}
