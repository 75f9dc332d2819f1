use super::*;
use std::path::{Path, PathBuf};

/// The value with spans dropped and numbers and strings as their source text: equal exactly
/// when two documents hold the same tokens in the same order.
fn tokens(text: &str) -> Vec<String> {
    let root = json::parse(text).expect("parses");
    let mut out = Vec::new();
    let mut stack = vec![(None, &root)];
    while let Some((key, node)) = stack.pop() {
        if let Some(k) = key {
            out.push(format!("key {k}"));
        }
        match &node.value {
            Json::Object(members) => {
                out.push(format!("{{{}", members.len()));
                for m in members.iter().rev() {
                    stack.push((Some(&text[m.key_span.start..m.key_span.end]), &m.value));
                }
            }
            Json::Array(items) => {
                out.push(format!("[{}", items.len()));
                stack.extend(items.iter().rev().map(|i| (None, i)));
            }
            _ => out.push(text[node.span.start..node.span.end].to_string()),
        }
    }
    out
}

fn fmt(text: &str) -> String {
    format(text).expect("formats")
}

#[test]
fn the_house_layout() {
    let input = r#"{"type":"record","name":"E","doc":"d","fields":[
        {"name":"a","type":{"type":"enum","name":"S","symbols":["X","Y"]},"doc":"x"},
        {"name":"data","doc":"p","type":[{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]},
          {"type":"record","name":"Q","fields":[]}]},
        {"name":"items","type":{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"q","type":"int"}]}}}
    ]}"#;
    let expected = r#"{
  "type": "record",
  "name": "E",
  "doc": "d",
  "fields": [
    {"name": "a", "type": {"type": "enum", "name": "S", "symbols": ["X", "Y"]}, "doc": "x"},
    {"name": "data", "doc": "p", "type": [
      {
        "type": "record",
        "name": "R",
        "fields": [
          {"name": "n", "type": "long"}
        ]
      },
      {
        "type": "record",
        "name": "Q",
        "fields": []
      }
    ]},
    {"name": "items", "type": {"type": "array", "items": {
      "type": "record",
      "name": "I",
      "fields": [
        {"name": "q", "type": "int"}
      ]
    }}}
  ]
}
"#;
    assert_eq!(fmt(input), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn members_after_the_record_follow_its_closing_bracket() {
    let input = r#"{"type":"record","name":"E","fields":[{"name":"x","type":{"type":"record","name":"R","fields":[]},"doc":"d"}]}"#;
    let expected = r#"{
  "type": "record",
  "name": "E",
  "fields": [
    {"name": "x", "type": {
      "type": "record",
      "name": "R",
      "fields": []
    }, "doc": "d"}
  ]
}
"#;
    assert_eq!(fmt(input), expected);
}

#[test]
fn records_in_two_members_expand_the_object() {
    let r = r#"{"type":"record","name":"R","fields":[]}"#;
    let input = format!(
        r#"{{"type":"record","name":"E","fields":[{{"name":"x","type":{r},"default":[{r}]}}]}}"#
    );
    let expected = r#"{
  "type": "record",
  "name": "E",
  "fields": [
    {
      "name": "x",
      "type": {
        "type": "record",
        "name": "R",
        "fields": []
      },
      "default": [
        {
          "type": "record",
          "name": "R",
          "fields": []
        }
      ]
    }
  ]
}
"#;
    assert_eq!(fmt(&input), expected);
}

#[test]
fn values_are_kept_as_written() {
    let input = "{\"type\": \"record\", \"name\": \"E\", \"fields\": [{\"name\": \"caf\\u00e9\", \
                 \"type\": \"double\", \"default\": 1.0, \"x\": [1E+3, -0, 0.50, 1e-2], \
                 \"doc\": \"a\\/b \\\"q\\\" \\ud83d\\ude00 \\ud800 é\\n\", \"b\": false, \
                 \"n\": null, \"name\": \"dup\", \"o\": {}, \"a\": []}]}";
    let out = fmt(input);
    assert_eq!(tokens(&out), tokens(input));
    for kept in [
        r#""caf\u00e9""#,
        "1.0",
        "1E+3",
        "-0",
        "0.50",
        r#""a\/b \"q\" \ud83d\ude00 \ud800 é\n""#,
        r#""o": {}"#,
        r#""a": []"#,
    ] {
        assert!(out.contains(kept), "{kept} in {out}");
    }
    // The duplicate key stays, in place.
    assert_eq!(out.matches("\"name\": ").count(), 3, "{out}");
}

#[test]
fn top_level_scalars_and_arrays() {
    assert_eq!(fmt("  \"string\" "), "\"string\"\n");
    assert_eq!(fmt("[]"), "[]\n");
    assert_eq!(fmt("{}"), "{}\n");
    assert_eq!(
        fmt(r#"["null",{"type":"enum","name":"S","symbols":["A"]}]"#),
        "[\n  \"null\",\n  {\"type\": \"enum\", \"name\": \"S\", \"symbols\": [\"A\"]}\n]\n"
    );
    assert_eq!(
        fmt(r#"{"type":"enum","name":"S","symbols":["A"]}"#),
        "{\n  \"type\": \"enum\",\n  \"name\": \"S\",\n  \"symbols\": [\"A\"]\n}\n"
    );
}

#[test]
fn comments_are_refused_where_they_are() {
    let text = "{\"type\": \"string\", // why\n \"doc\": \"http://x /* no */\"}";
    let e = format(text).expect_err("a comment");
    assert_eq!(e.offset, text.find("//").unwrap());
    assert!(e.message.contains("comments"), "{e}");
    let e = format("/* head */ {}").expect_err("a block comment");
    assert_eq!(e.offset, 0);
    // Slashes inside strings are no comments.
    assert_eq!(first_comment(r#"{"doc": "a // b \" /* c"}"#), None);
}

#[test]
fn syntax_errors_keep_the_parsers_offset() {
    let e = format("{\"a\": }").expect_err("invalid");
    assert_eq!(e.offset, 6);
}

#[test]
fn nesting_at_the_parsers_limit_formats() {
    let depth = json::MAX_DEPTH;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let out = fmt(&arrays);
    assert!(fmt(&out) == out, "idempotent");
    // Three levels per record: the record, its fields, the field.
    let records: String = (0..depth / 3)
        .map(|i| format!("{{\"type\": \"record\", \"name\": \"R{i}\", \"fields\": [{{\"name\": \"f\", \"type\": "))
        .collect::<String>()
        + "\"int\""
        + &"}]}".repeat(depth / 3);
    let out = fmt(&records);
    assert!(fmt(&out) == out, "idempotent");
    assert!(tokens(&out) == tokens(&records), "same tokens");
    let objects = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth));
    let out = fmt(&objects);
    let inner = &objects["{\"a\": ".len()..objects.len() - 1];
    assert!(
        out == format!("{{\n  \"a\": {inner}\n}}\n"),
        "top level expanded, the rest inline"
    );
}

/// Every `.avsc` of the repository (outside `target/`): formatting keeps the tokens and a
/// second pass changes nothing.
#[test]
fn idempotent_over_every_avsc_in_the_repo() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut pending = vec![root];
    let mut files: Vec<PathBuf> = Vec::new();
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            let name = e.file_name();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if name != "target" && name != ".git" {
                    pending.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "avsc") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 100, "{} files", files.len());
    let mut formatted = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read");
        let Ok(once) = format(&text) else {
            continue; // deliberately malformed or commented
        };
        formatted += 1;
        assert_eq!(tokens(&once), tokens(&text), "{}", f.display());
        assert_eq!(
            format(&once).as_deref(),
            Ok(once.as_str()),
            "{}",
            f.display()
        );
    }
    assert!(formatted > 100, "{formatted} formatted");
}
