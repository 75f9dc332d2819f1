//! PII_UNMARKED: fields whose names say email, phone or IP carry a `pii` marker.

use super::*;
use crate::model::walk_fields;
use heck::ToSnakeCase as _;

pub static RULE: Rule = Rule {
    id: "PII_UNMARKED",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that fields named like email, phone or IP addresses carry a \"pii\" marker.",
    why: "The tier rules (PII_TIER) can only protect personal data that is marked.",
    hint: "add \"pii\": \"EMAIL\" (or PHONE, IP_ADDRESS) to the field",
};

/// The PII category a field name suggests, if any, in either case convention: the name is
/// split into words first (`ipAddress`, `clientIp`, `ip_v4` and `client_ip` all say IP).
pub(crate) fn looks_like(name: &str) -> Option<&'static str> {
    let snake = name.to_snake_case();
    let words: Vec<&str> = snake.split('_').collect();
    let word = |w: &str| words.contains(&w);
    if snake.contains("email") {
        Some("EMAIL")
    } else if snake.contains("phone") || snake.contains("msisdn") {
        Some("PHONE")
    } else if word("ip") || word("ipv4") || word("ipv6") || snake.contains("ipaddress") {
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

#[cfg(test)]
mod tests {
    use super::looks_like;

    #[test]
    fn names_in_either_case_say_what_they_hold() {
        for ip in [
            "ip",
            "ip_address",
            "ipAddress",
            "clientIp",
            "client_ip",
            "lastLoginIpV4",
            "IPAddress",
            "ipv6",
        ] {
            assert_eq!(looks_like(ip), Some("IP_ADDRESS"), "{ip}");
        }
        for email in ["email", "contactEmail", "email_address"] {
            assert_eq!(looks_like(email), Some("EMAIL"), "{email}");
        }
        assert_eq!(looks_like("mobilePhone"), Some("PHONE"));
        for other in [
            "zip",
            "tip_cents",
            "shipped_at",
            "recipient",
            "equipment",
            "script",
        ] {
            assert_eq!(looks_like(other), None, "{other}");
        }
    }
}
