//! PII_UNMARKED: fields whose names say email, phone or IP carry a `pii` marker.

use super::*;
use crate::model::walk_fields;

pub static RULE: Rule = Rule {
    id: "PII_UNMARKED",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that fields named like email, phone or IP addresses carry a \"pii\" marker.",
    why: "The tier rules (PII_TIER) can only protect personal data that is marked.",
    hint: "add \"pii\": \"EMAIL\" (or PHONE, IP_ADDRESS) to the field",
};

/// The PII category a field name suggests, if any.
pub(crate) fn looks_like(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.contains("email") {
        Some("EMAIL")
    } else if n.contains("phone") || n.contains("msisdn") {
        Some("PHONE")
    } else if n == "ip" || n.starts_with("ip_") || n.ends_with("_ip") || n.contains("ip_address") {
        Some("IP_ADDRESS")
    } else {
        None
    }
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    walk_fields(set, |v| {
        if let Some(cat) = looks_like(&v.field.name) {
            if v.field.attr("pii").is_none() {
                let msg = format!(
                    "field `{}` of {} looks like {cat} but has no \"pii\" marker",
                    v.field.name,
                    cx.type_name(v.record)
                );
                out.push(cx.field_finding(&RULE, &v, msg));
            }
        }
    });
}
