//! Confluent's data-contract rule sets (`ruleSet` of a registered schema): the rules a client
//! runs while it writes or reads, such as `ENCRYPT` over the fields carrying a tag. The
//! registry stores them as part of a schema's identity and hands them back with the schema;
//! the runtime runs the ones it knows (field encryption).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ruleSet`: migration, domain and encoding rules, in Confluent's JSON shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RuleSet {
    #[serde(
        rename = "migrationRules",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub migration_rules: Vec<Rule>,
    #[serde(rename = "domainRules", default, skip_serializing_if = "Vec::is_empty")]
    pub domain_rules: Vec<Rule>,
    #[serde(
        rename = "encodingRules",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub encoding_rules: Vec<Rule>,
}

impl RuleSet {
    pub fn is_empty(&self) -> bool {
        self.migration_rules.is_empty()
            && self.domain_rules.is_empty()
            && self.encoding_rules.is_empty()
    }

    /// The enabled domain rules of `type` (`"ENCRYPT"`, ...).
    pub fn domain_rules_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.domain_rules
            .iter()
            .filter(move |r| r.rule_type == ty && !r.disabled)
    }
}

/// One rule (Confluent's `Rule`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// `TRANSFORM` or `CONDITION`.
    #[serde(default = "transform")]
    pub kind: String,
    /// `WRITE`, `READ`, `WRITEREAD`, `UPGRADE`, `DOWNGRADE` or `UPDOWN`.
    #[serde(default = "writeread")]
    pub mode: String,
    /// The executor: `ENCRYPT`, `CEL`, `CEL_FIELD`, `JSONATA`, ...
    #[serde(rename = "type")]
    pub rule_type: String,
    /// The field tags the rule applies to (empty: every field).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(rename = "onSuccess", default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    /// `ERROR`, `NONE` or `DLQ`; `"A,B"` gives the write side, then the read side.
    #[serde(rename = "onFailure", default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

fn transform() -> String {
    "TRANSFORM".to_string()
}

fn writeread() -> String {
    "WRITEREAD".to_string()
}

impl Rule {
    /// Whether the rule runs when writing (`true`) or reading (`false`).
    pub fn runs_on(&self, write: bool) -> bool {
        match self.mode.as_str() {
            "WRITEREAD" => true,
            "WRITE" => write,
            "READ" => !write,
            _ => false,
        }
    }

    /// The `onFailure` action of one side: the first of `"A,B"` when writing, the second when
    /// reading (a single action applies to both); `ERROR` when unset.
    pub fn on_failure(&self, write: bool) -> &str {
        let Some(s) = self.on_failure.as_deref() else {
            return "ERROR";
        };
        match s.split_once(',') {
            Some((w, r)) => {
                if write {
                    w.trim()
                } else {
                    r.trim()
                }
            }
            None => s.trim(),
        }
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_confluents_shape() {
        let text = r#"{"domainRules":[{"name":"encrypt","kind":"TRANSFORM","mode":"WRITEREAD","type":"ENCRYPT","tags":["PII"],"params":{"encrypt.kek.name":"k"},"onFailure":"ERROR,NONE"}]}"#;
        let set: RuleSet = serde_json::from_str(text).unwrap();
        let rule = set.domain_rules_of("ENCRYPT").next().unwrap();
        assert_eq!(rule.param("encrypt.kek.name"), Some("k"));
        assert_eq!(rule.on_failure(true), "ERROR");
        assert_eq!(rule.on_failure(false), "NONE");
        assert!(rule.runs_on(true) && rule.runs_on(false));
        assert_eq!(serde_json::to_string(&set).unwrap(), text);
    }
}
