//! JSON parser tests: spans, duplicate keys, comments, Jackson's limits, escapes.
use super::*;

#[test]
fn keeps_spans_of_values_and_keys() {
    let text = r#"{"a": [1, "x"], "b": {"c": null}}"#;
    let doc = parse(text).unwrap();
    let a = doc.member("a").unwrap();
    assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
    assert_eq!(&text[a.value.span.start..a.value.span.end], "[1, \"x\"]");
    let c = doc.get("b").unwrap().get("c").unwrap();
    assert_eq!(&text[c.span.start..c.span.end], "null");
}

#[test]
fn last_duplicate_key_wins_and_comments_are_skipped() {
    let doc = parse("/* c */ {\"k\": 1, // x\n \"k\": 2 /* y */}").unwrap();
    assert_eq!(doc.get("k").unwrap().as_i64(), Some(2));
}

#[test]
fn errors_carry_offsets() {
    let e = parse("{\"a\": tru}").unwrap_err();
    assert_eq!(e.offset, 6);
    let e = parse("[1, 2] x").unwrap_err();
    assert_eq!(e.offset, 7);
    assert!(e.message.contains("after the JSON document"));
    assert!(parse("\"abc").is_err());
    assert!(parse("01").is_err());
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&deep(MAX_DEPTH)).is_ok());
    let e = parse(&deep(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(
        e.message,
        "document nesting depth (1001) exceeds the maximum allowed (1000)"
    );
    assert!(parse(&"[".repeat(100_000)).is_err());
    assert!(parse(&"1".repeat(1000)).is_ok());
    assert!(parse(&"1".repeat(1001)).is_err());
    // Floats: digits of all parts; after a leading zero an absent part counts -1 (Jackson).
    let num = |s: String| parse(&format!("[{s}]")).is_ok();
    assert!(num(format!("1.{}", "5".repeat(999))));
    assert!(!num(format!("1.{}", "5".repeat(1000))));
    assert!(num(format!("-0.{}", "5".repeat(1000))));
    assert!(!num(format!("0.{}", "5".repeat(1001))));
    assert!(!num(format!("0.0e{}", "1".repeat(999))));
    assert!(num(format!("0e{}", "1".repeat(1000))));
    assert!(!num(format!("1e{}", "1".repeat(1000))));
    // Comments: a line comment ends at LF or CR; no control characters but tab inside.
    assert!(parse("[1,// c\r2]").is_ok());
    assert!(parse("[1,/* \t */2]").is_ok());
    assert!(parse("[1,/* \u{1} */2]").is_err());
    assert!(parse("[1,// \u{7}\n2]").is_err());
    assert!(parse(&format!("{{\"{}\": 1}}", "k".repeat(50_001))).is_err());
    assert!(parse("\"int\" \n\t").is_ok());
    assert!(parse("\"int\" // c").is_err());
    assert!(parse("/* c */ \"int\"").is_ok());
}

#[test]
fn decodes_escapes() {
    let doc = parse(r#""a\n\u00e9\ud83d\ude00""#).unwrap();
    assert_eq!(doc.as_str(), Some("a\né😀"));
    // Text before, between and after escapes is kept.
    let doc = parse(r#""ab\"cd\\ef""#).unwrap();
    assert_eq!(doc.as_str(), Some(r#"ab"cd\ef"#));
    // Lone surrogates stay distinct; one followed by another escape leaves it alone.
    let s = |t: &str| parse(t).unwrap().as_str().unwrap_or_default().to_string();
    assert_ne!(s(r#""\ud800""#), s(r#""\ud801""#));
    assert_eq!(s(r#""\ud800\u0041""#), s("\"\\ud800A\""));
    assert_eq!(s(r#""\udc00""#).chars().count(), 1);
    // Key length in UTF-16 units: 25,000 characters outside the BMP are 50,000 units.
    let key = |n: usize| format!("{{\"{}\": 1}}", "😀".repeat(n));
    assert!(parse(&key(25_000)).is_ok());
    assert!(parse(&key(25_001)).is_err());
}

#[test]
fn a_trailing_comma_is_reported_at_the_comma() {
    let e = parse("{\"a\": [1, 2,\n]}").unwrap_err();
    assert_eq!(e.offset, 11);
    assert!(
        e.message.contains("trailing comma before `]`"),
        "{}",
        e.message
    );
    let e = parse("{\"a\": 1, }").unwrap_err();
    assert_eq!(e.offset, 7);
    assert!(
        e.message.contains("trailing comma before `}`"),
        "{}",
        e.message
    );
    let e = parse("{\"a\": ]}").unwrap_err();
    assert!(
        e.message.contains("expected a JSON value before `]`"),
        "{}",
        e.message
    );
}

#[test]
fn duplicate_keys_keep_the_last_value_in_the_winners_order_small_and_large() {
    // 3 members (compared pairwise) and 40 (hashed): the same rule either way.
    for n in [3usize, 40] {
        let mut members: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
        members.push("\"k0\": \"last\"".into());
        members.push("\"k1\": \"again\"".into());
        let doc = parse(&format!("{{{}}}", members.join(", "))).unwrap();
        let got: Vec<String> = doc
            .unique_members()
            .iter()
            .map(|m| format!("{}={}", m.key, m.value.as_str().map_or("n", |_| "s")))
            .collect();
        let mut want: Vec<String> = (2..n).map(|i| format!("k{i}=n")).collect();
        want.extend(["k0=s".to_string(), "k1=s".to_string()]);
        assert_eq!(got, want, "{n} members");
    }
}
