//! Which partition a keyed message goes to, computed as the other producers on a topic compute
//! it, so that a Rust and a Java producer put one key on one partition and per-key order holds.
//!
//! - [`murmur2`]: the Java client's default (`BuiltInPartitioner`, and `DefaultPartitioner`
//!   before it): `toPositive(murmur2(keyBytes)) % numPartitions`, with Kafka's seed
//!   `0x9747b28c`. librdkafka's `murmur2_random` is the same function.
//! - [`java_hash_code_partition`]: a platform that partitions by `Math.abs(key.hashCode()) %
//!   numPartitions` itself (the data platform's `orgId`, a `Long`), over the key field's Java
//!   value: [`java_string_hash`] (UTF-16 units, as `String.hashCode` counts them),
//!   [`java_long_hash`] or an `Integer`'s own value.
//!
//! Keyless messages are left to the client, as both Java and librdkafka spread them.

use crate::workspace::Partitioner;

/// The Avro type of a topic's key field, which decides the Java value `hashCode` is taken of
/// (the Kafka key itself is always the value's text).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyType {
    #[default]
    String,
    Long,
    Int,
}

/// The partition of a message with `key` (a `key_type` value's text) on a topic of
/// `partitions` partitions under `partitioner`; `None` when the client should choose
/// (`consistent_random`, librdkafka's own) or the topic has no partitions.
pub fn partition(
    partitioner: Partitioner,
    key: &str,
    key_type: KeyType,
    partitions: u32,
) -> Option<i32> {
    match partitioner {
        Partitioner::Murmur2 => murmur2_partition(key.as_bytes(), partitions),
        Partitioner::JavaHashCode => java_hash_code_partition(key, key_type, partitions),
        Partitioner::ConsistentRandom => None,
    }
}

/// Kafka's murmur2 of `data` (`org.apache.kafka.common.utils.Utils.murmur2`), as Java's
/// 32-bit signed arithmetic computes it.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    // Java's `int` length: keys are far below 2^31 bytes (Kafka caps records much lower).
    let length = data.len() as u32;
    let mut h = SEED ^ length;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&b) = tail.first() {
        h ^= u32::from(b);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The Java client's partition for a keyed record: `toPositive(murmur2(key)) % partitions`.
/// `None` when the topic has no partitions.
pub fn murmur2_partition(key: &[u8], partitions: u32) -> Option<i32> {
    let positive = (murmur2(key) & 0x7fff_ffff) as u32;
    positive
        .checked_rem(partitions)
        .and_then(|p| i32::try_from(p).ok())
}

/// Java's `String.hashCode` of `key`: `s[0]*31^(n-1) + … + s[n-1]` over its UTF-16 units,
/// wrapping as a Java `int` does.
pub fn java_string_hash(key: &str) -> i32 {
    key.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// Java's `Long.hashCode(value)`: `(int) (value ^ (value >>> 32))`.
pub fn java_long_hash(value: i64) -> i32 {
    let v = value as u64;
    (v ^ (v >> 32)) as u32 as i32
}

/// `Math.abs(key.hashCode()) % partitions` of the key as a `String`.
pub fn java_string_hash_partition(key: &str, partitions: u32) -> Option<i32> {
    abs_mod(java_string_hash(key), partitions)
}

/// `Math.abs(k.hashCode()) % partitions` of the key field's Java value: a `String`'s, a
/// `Long`'s or an `Integer`'s (a numeric key whose text does not parse is hashed as text).
pub fn java_hash_code_partition(key: &str, key_type: KeyType, partitions: u32) -> Option<i32> {
    let hash = match key_type {
        KeyType::Long => key.parse::<i64>().map(java_long_hash).ok(),
        KeyType::Int => key.parse::<i32>().ok(),
        KeyType::String => None,
    };
    abs_mod(hash.unwrap_or_else(|| java_string_hash(key)), partitions)
}

/// `Math.abs(hash) % partitions`. The one hash Java cannot take the absolute value of,
/// `Integer.MIN_VALUE`, gives a negative partition there (the send fails); here it is
/// `2^31 % partitions`, a valid partition. `None` when the topic has no partitions.
fn abs_mod(hash: i32, partitions: u32) -> Option<i32> {
    hash.unsigned_abs()
        .checked_rem(partitions)
        .and_then(|p| i32::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafkas_published_values() {
        // Kafka's UtilsTest.testMurmur2 cases.
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key), want, "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn partitions_are_in_range_and_stable() {
        for n in [1u32, 6, 12] {
            for i in 0..1000 {
                let key = format!("org-{i}");
                let p = murmur2_partition(key.as_bytes(), n).expect("partitions");
                assert!((0..n as i32).contains(&p));
                assert_eq!(murmur2_partition(key.as_bytes(), n), Some(p));
                let q = java_string_hash_partition(&key, n).expect("partitions");
                assert!((0..n as i32).contains(&q));
            }
        }
        assert_eq!(murmur2_partition(b"k", 0), None);
        assert_eq!(java_string_hash_partition("k", 0), None);
    }

    #[test]
    fn java_long_hash_folds_the_two_halves() {
        assert_eq!(java_long_hash(456), 456);
        assert_eq!(java_long_hash(-1), 0);
        assert_eq!(java_long_hash(1 << 32), 1);
        assert_eq!(java_long_hash(i64::MIN), i32::MIN);
        assert_eq!(
            java_hash_code_partition("456", KeyType::Long, 12),
            Some(456 % 12)
        );
        assert_eq!(java_hash_code_partition("-7", KeyType::Int, 6), Some(1));
        assert_eq!(
            java_hash_code_partition("456", KeyType::String, 12),
            java_string_hash_partition("456", 12)
        );
    }

    #[test]
    fn java_string_hash_counts_utf16_units() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("ab"), 97 * 31 + 98);
        // A supplementary character is two UTF-16 units in Java.
        assert_eq!(java_string_hash("😀"), 0xD83D * 31 + 0xDE00);
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE in Java.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(
            java_string_hash_partition("polygenelubricants", 12),
            Some(((1u32 << 31) % 12) as i32)
        );
    }
}
