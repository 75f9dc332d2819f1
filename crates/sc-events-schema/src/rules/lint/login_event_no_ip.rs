//! LOGIN_EVENT_NO_IP: login events carry no IP address (the platform keeps IPs out of login events).

use super::pii_unmarked::looks_like;
use super::*;
use crate::model::walk_fields;

pub static RULE: Rule = Rule {
    id: "LOGIN_EVENT_NO_IP",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that login events (event_type containing \"login\") have no IP-address field.",
    why: "The catalog forbids IPs in login audit events, whatever their tier.",
    hint: "drop the field; security tooling reads IPs from the gateway's own logs",
};

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    let set = cx.set();
    let login: Vec<_> = cx
        .catalog
        .events()
        .filter(|(_, e)| e.event_type.contains("login"))
        .map(|(_, e)| e.record)
        .collect();
    walk_fields(set, |v| {
        if !login.contains(&v.record) {
            return;
        }
        let marked_ip = v.field.attr("pii").and_then(|p| p.as_str()) == Some("IP_ADDRESS");
        if marked_ip || looks_like(&v.field.name) == Some("IP_ADDRESS") {
            let t = &set.types[v.record];
            let msg = format!(
                "login event {} must not carry an IP address (field `{}`)",
                t.name.name, v.field.name
            );
            out.push(cx.field_finding(&RULE, &v, msg));
        }
    });
}
