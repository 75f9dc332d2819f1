//! Which partition a keyed message goes to, computed as the other producers on a topic compute
//! it, so that a Rust and a Java producer put one key on one partition and per-key order holds.
//!
//! - [`murmur2`]: the Java client's default (`BuiltInPartitioner`, and `DefaultPartitioner`
//!   before it): `toPositive(murmur2(keyBytes)) % numPartitions`, with Kafka's seed
//!   `0x9747b28c`. librdkafka's `murmur2_random` is the same function.
//! - [`java_string_hash`]: a platform that partitions by `Math.abs(key.hashCode()) %
//!   numPartitions` itself (the data platform's `orgId`), over the key's UTF-16 units as
//!   `String.hashCode` counts them.
//!
//! Keyless messages are left to the client, as both Java and librdkafka spread them.

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

/// `Math.abs(key.hashCode()) % partitions`. The one hash Java cannot take the absolute value
/// of, `Integer.MIN_VALUE`, gives a negative partition there (the send fails); here it is
/// `2^31 % partitions`, a valid partition. `None` when the topic has no partitions.
pub fn java_string_hash_partition(key: &str, partitions: u32) -> Option<i32> {
    java_string_hash(key)
        .unsigned_abs()
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
