//! The CI formats of a list of diagnostics, shared by every command that reports them
//! (`lint`, `compat`, `check`): JUnit XML (one test case per file with findings, a failure per
//! error) and SARIF 2.1.0 (one run of `schemactl`, the rule ids as the driver's rules, one
//! result per diagnostic with its physical location). [`xml`] escapes text for any JUnit
//! report (`check`'s per-subject one too).

use super::{Diagnostic, Level};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `s` escaped for an XML attribute or text node; control characters other than newline and
/// tab (not allowed in XML 1.0) become U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a suite named `suite`, one test case per file that has findings (failing when
/// it has an error; warnings go to the case's `system-out`), or one passing case `clean`.
pub fn junit(diags: &[Diagnostic], suite: &str) -> String {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_file
            .entry(d.file.display().to_string())
            .or_default()
            .push(d);
    }
    let tests = by_file.len().max(1);
    let failures = by_file
        .values()
        .filter(|ds| ds.iter().any(|d| d.level == Level::Error))
        .count();
    let suite = xml(suite);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\">"
    );
    if by_file.is_empty() {
        let _ = writeln!(out, "    <testcase classname=\"{suite}\" name=\"clean\"/>");
    }
    for (file, ds) in &by_file {
        let file = xml(file);
        let _ = writeln!(
            out,
            "    <testcase classname=\"{suite}\" name=\"{file}\" file=\"{file}\">"
        );
        for d in ds.iter().filter(|d| d.level == Level::Error) {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml(&d.code),
                xml(&d.message),
                xml(&d.one_line())
            );
        }
        let warnings: Vec<String> = ds
            .iter()
            .filter(|d| d.level == Level::Warning)
            .map(|d| xml(&d.one_line()))
            .collect();
        if !warnings.is_empty() {
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                warnings.join("\n")
            );
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A path as a SARIF relative URI reference: `/` separators, spaces and `%` escaped.
fn uri(path: &std::path::Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}

/// SARIF 2.1.0: one run whose `tool.driver` is `schemactl` with every rule id found as a rule
/// (its hint as `help`), and one result per diagnostic (`ruleId`, `ruleIndex`, `level`,
/// `message.text`, one `physicalLocation`; a whole-file diagnostic points at 1:1).
pub fn sarif(diags: &[Diagnostic]) -> String {
    let mut rules: Vec<(&str, Option<&str>)> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diags {
        if !index.contains_key(d.code.as_str()) {
            index.insert(&d.code, rules.len());
            rules.push((&d.code, d.hint.as_deref()));
        }
    }
    let rules: Vec<serde_json::Value> = rules
        .iter()
        .map(|(id, hint)| {
            let mut r = serde_json::json!({ "id": id, "shortDescription": { "text": id } });
            if let Some(h) = hint {
                r["help"] = serde_json::json!({ "text": h });
            }
            r
        })
        .collect();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.hint {
                let _ = write!(text, " (help: {h})");
            }
            let mut result = serde_json::json!({
                "ruleId": d.code,
                "ruleIndex": index.get(d.code.as_str()).copied().unwrap_or(0),
                "level": match d.level { Level::Error => "error", Level::Warning => "warning" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.file) },
                        "region": {
                            "startLine": d.line.max(1),
                            "startColumn": d.column.max(1),
                            "endLine": d.end_line.max(d.line).max(1),
                            "endColumn": d.end_column.max(1),
                        },
                    },
                }],
            });
            if let Some(loc) = &d.location {
                result["properties"] = serde_json::json!({ "location": loc });
            }
            result
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "schemactl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            } },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    fn diags() -> Vec<Diagnostic> {
        let f = SourceFile::new("a b.avsc", "{\n  \"name\": \"bad-name\"\n}\n");
        vec![
            Diagnostic::at(Level::Error, "X", "bad <x>", &f, Span::new(12, 22)).with_hint("fix"),
            Diagnostic::file_level(Level::Warning, "W", "meh", std::path::Path::new("b.avsc")),
        ]
    }

    #[test]
    fn sarif_has_one_run_rules_and_located_results() {
        let v: serde_json::Value = serde_json::from_str(&sarif(&diags())).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "schemactl");
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "X");
        assert_eq!(run["tool"]["driver"]["rules"][1]["id"], "W");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "X");
        assert_eq!(r["level"], "error");
        assert_eq!(r["message"]["text"], "bad <x> (help: fix)");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "a%20b.avsc");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(loc["region"]["startColumn"], 11);
        assert_eq!(run["results"][1]["level"], "warning");
        assert_eq!(run["results"][1]["ruleIndex"], 1);
    }

    #[test]
    fn junit_fails_files_with_errors_only() {
        let x = junit(&diags(), "schemactl lint");
        assert!(x.contains("tests=\"2\" failures=\"1\""), "{x}");
        assert!(
            x.contains("<failure type=\"X\" message=\"bad &lt;x&gt;\">"),
            "{x}"
        );
        assert!(
            x.contains("<system-out>b.avsc: warning[W]: meh</system-out>"),
            "{x}"
        );
        assert!(junit(&[], "s").contains("name=\"clean\"/>"));
    }
}
