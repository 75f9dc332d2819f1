//! The binary primitives at their edges.

use super::*;

#[test]
fn varints_round_trip_at_the_edges() {
    for v in [
        0,
        1,
        -1,
        63,
        -64,
        64,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        i64::MAX,
        i64::MIN,
    ] {
        let mut w = Vec::new();
        put_long(&mut w, v);
        let mut r = Reader::new(&w);
        assert_eq!(r.long().unwrap(), v);
        assert_eq!(r.remaining(), 0);
    }
}

#[test]
fn bad_input_is_an_error_with_its_offset() {
    let mut r = Reader::new(&[0xff; 11]);
    assert_eq!(r.long().unwrap_err().kind, DecodeErrorKind::VarintOverflow);
    let mut r = Reader::new(&[0x80]);
    assert_eq!(
        r.long().unwrap_err(),
        DecodeError {
            offset: 0,
            kind: DecodeErrorKind::Truncated
        }
    );
    // A string claiming 2^62 bytes.
    let mut w = vec![7];
    put_long(&mut w, 1 << 62);
    let mut r = Reader::new(&w);
    r.skip(1).unwrap();
    let e = r.str().unwrap_err();
    assert_eq!(e.offset, 1);
    assert!(matches!(e.kind, DecodeErrorKind::LengthBeyondInput { .. }));
    let mut w = Vec::new();
    put_long(&mut w, -3);
    assert!(matches!(
        Reader::new(&w).str().unwrap_err().kind,
        DecodeErrorKind::NegativeLength(-3)
    ));
    let mut w = Vec::new();
    put_bytes(&mut w, b"ab\xffc");
    let e = Reader::new(&w).str().unwrap_err();
    assert_eq!(
        e,
        DecodeError {
            offset: 3,
            kind: DecodeErrorKind::InvalidUtf8
        }
    );
    let mut w = Vec::new();
    put_long(&mut w, 5);
    assert!(matches!(
        Reader::new(&w).union_index(2).unwrap_err().kind,
        DecodeErrorKind::InvalidUnionIndex {
            index: 5,
            branches: 2
        }
    ));
}

#[test]
fn a_huge_block_count_of_empty_items_costs_nothing() {
    let mut w = Vec::new();
    put_long(&mut w, i64::MAX / 2);
    let mut r = Reader::new(&w);
    let mut n = 0u64;
    let e = r.blocks(|_| {
        n += 1;
        Ok(())
    });
    assert!(e.is_err());
    assert!(n <= w.len() as u64 + 1, "{n} items for {} bytes", w.len());
}

#[test]
fn uuids_are_their_string() {
    let u = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    let mut w = Vec::new();
    put_uuid(&mut w, &u);
    assert_eq!(&w[1..], b"01234567-89ab-cdef-0123-456789abcdef");
    assert_eq!(Reader::new(&w).uuid().unwrap(), u);
}
