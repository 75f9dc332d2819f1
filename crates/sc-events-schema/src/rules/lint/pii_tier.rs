//! PII_TIER: personal data appears only in events whose privacy tier allows it (PUBLIC, INTERNAL, RESTRICTED).

use super::*;
use crate::model::{Body, Kind, Node};
use crate::topics::PrivacyTier;

pub static RULE: Rule = Rule {
    id: "PII_TIER",
    family: Family::Lint,
    category: "PRIVACY",
    level: Level::Error,
    summary: "Checks that PII markers are known categories and that PUBLIC events carry no PII and INTERNAL events no email, phone or IP.",
    why: "By tier: PUBLIC has no PII whatsoever; INTERNAL allows internal ids but no email/phone/IP; RESTRICTED allows PII.",
    hint: "raise the payload's \"privacy_tier\", or move the field to a RESTRICTED event",
};

/// Every PII category a `pii` marker may name.
pub const PII_CATEGORIES: [&str; 7] = [
    "EMAIL",
    "PHONE",
    "IP_ADDRESS",
    "PERSONAL_NAME",
    "POSTAL_ADDRESS",
    "GEOLOCATION",
    "DEVICE_ID",
];

/// The most open tier a PII category may appear in.
pub fn lowest_tier(category: &str) -> PrivacyTier {
    match category {
        "EMAIL" | "PHONE" | "IP_ADDRESS" => PrivacyTier::Restricted,
        _ => PrivacyTier::Internal,
    }
}

pub fn check(cx: &LintContext<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.catalog.layout.section.privacy_tiers {
        return; // a workspace without privacy tiers
    }
    for (_, e) in cx.catalog.events() {
        let mut seen = Vec::new();
        visit(cx, e.record, e, &mut seen, out);
    }
}

fn visit(
    cx: &LintContext<'_>,
    record: TypeId,
    e: &crate::catalog::Event,
    seen: &mut Vec<TypeId>,
    out: &mut Vec<Diagnostic>,
) {
    if seen.contains(&record) {
        return;
    }
    seen.push(record);
    let set = cx.set();
    let payload = &set.types[e.record].name.name;
    for (i, f) in set.fields(record).iter().enumerate() {
        if let Some(marker) = f.attr("pii") {
            let loc = cx.field_location(record, i);
            match marker.as_str().filter(|c| PII_CATEGORIES.contains(c)) {
                None => {
                    let msg = format!(
                        "field `{}` has an unknown pii marker; use one of {}",
                        f.name,
                        PII_CATEGORIES.join(", ")
                    );
                    out.push(cx.finding(&RULE, record, marker.span, loc, msg));
                }
                Some(cat) if e.tier_or_public() < lowest_tier(cat) => {
                    let msg = format!(
                        "{payload} is {} but field `{}` holds {cat}, which needs {} or higher",
                        e.tier_or_public().as_str(),
                        f.name,
                        lowest_tier(cat).as_str()
                    );
                    out.push(cx.finding(&RULE, record, marker.span, loc, msg));
                }
                Some(_) if e.tier_or_public() == PrivacyTier::Public => {
                    let msg = format!(
                        "{payload} is PUBLIC but field `{}` is marked as PII",
                        f.name
                    );
                    out.push(cx.finding(&RULE, record, marker.span, loc, msg));
                }
                Some(_) => {}
            }
        }
        nested_records(set, &f.ty, &mut |id| visit(cx, id, e, seen, out));
    }
}

pub(super) fn nested_records(set: &crate::model::SchemaSet, n: &Node, f: &mut impl FnMut(TypeId)) {
    match &n.kind {
        Kind::Array(i) | Kind::Map(i) => nested_records(set, i, f),
        Kind::Union(bs) => bs.iter().for_each(|b| nested_records(set, b, f)),
        Kind::Named(id) if matches!(set.types[*id].body, Body::Record(_)) => f(*id),
        _ => {}
    }
}
