//! The bodies of the catalog's pages: one per event type (every field of its payload and of
//! the types it uses, the envelope, the consumer jobs that read it), one per topic (its
//! settings, events, readers and the value subject's registered history with diffs), one per
//! consumer job, and the index (the picture, then every topic, event and job).

use super::history::{self, History};
use super::html::{self, code, consumer_href, esc, event_href, link, topic_href, Table};
use super::Site;
use crate::describe;
use sc_events_schema::model::{Body, Field, Kind, Node, TypeId};
use sc_events_schema::{Catalog, Consumer, Domain, Event};
use std::fmt::Write as _;

/// The anchor of a named type's section on an event page.
fn type_anchor(c: &Catalog, id: TypeId) -> String {
    format!("type-{}", c.set.types[id].name.fullname())
}

/// A field's type, with the named types it mentions linked to their sections on the page.
fn type_cell(c: &Catalog, node: &Node) -> String {
    let link_to = |id: TypeId, text: &str| {
        format!(
            "<a class=\"type\" href=\"#{}\"><code>{}</code></a>",
            esc(&type_anchor(c, id)),
            esc(text)
        )
    };
    if let Kind::Named(id) = node.kind {
        return link_to(id, &describe::type_text(&c.set, node));
    }
    let mut named = Vec::new();
    collect_named(node, &mut named);
    let mut html = code(&describe::type_text(&c.set, node));
    for id in named {
        let _ = write!(html, " {}", link_to(id, &c.set.types[id].name.name));
    }
    html
}

fn collect_named(node: &Node, out: &mut Vec<TypeId>) {
    match &node.kind {
        Kind::Array(i) | Kind::Map(i) => collect_named(i, out),
        Kind::Union(b) => b.iter().for_each(|n| collect_named(n, out)),
        Kind::Named(id) => out.push(*id),
        _ => {}
    }
}

/// The table of a record's fields: type, doc, default, constraints, PII.
/// `anchor` prefixes each row's id (`field-` on the payload's table: `#field-order_id`).
fn fields_table(c: &Catalog, fields: &[Field], anchor: &str) -> String {
    let mut t = Table::new(
        "fields",
        &[
            "Field",
            "Type",
            "Description",
            "Default",
            "Constraints",
            "PII",
        ],
    );
    for f in fields {
        let opt = |v: Option<String>| v.map_or(String::new(), |v| code(&v));
        let pii = describe::pii(f).map_or(String::new(), |p| {
            format!("<span class=\"pii\">{}</span>", esc(&p))
        });
        t.row(
            Some(&format!("{anchor}{}", f.name)),
            &[
                code(&f.name),
                type_cell(c, &f.ty),
                esc(f.doc.as_deref().unwrap_or("")),
                opt(describe::default(f)),
                opt(describe::constraints(f)),
                pii,
            ],
        );
    }
    t.finish()
}

/// A named type's section: its doc and fields, symbols or size.
fn type_section(c: &Catalog, id: TypeId, heading: &str) -> String {
    let t = &c.set.types[id];
    let mut o = format!(
        "<section class=\"type\" id=\"{}\"><h3>{heading} {} <code>{}</code></h3>",
        esc(&type_anchor(c, id)),
        t.body.kind_name(),
        esc(&t.name.fullname())
    );
    if let Some(doc) = &t.doc {
        let _ = write!(o, "<p class=\"doc\">{}</p>", esc(doc));
    }
    match &t.body {
        Body::Record(fields) => {
            let anchor = format!("field-{}.", t.name.fullname());
            o.push_str(&fields_table(c, fields, &anchor));
        }
        Body::Enum(e) => {
            let symbols: Vec<String> = e.symbols.iter().map(|s| code(s)).collect();
            let _ = write!(o, "<p>Symbols: {}</p>", symbols.join(", "));
            if let Some((d, _)) = &e.default {
                let _ = write!(
                    o,
                    "<p>Default for readers that do not know a symbol: {}</p>",
                    code(d)
                );
            }
        }
        Body::Fixed { size, .. } => {
            let _ = write!(o, "<p>{size} bytes.</p>");
        }
    }
    o.push_str("</section>\n");
    o
}

fn consumers_table(root: &str, readers: &[&Consumer], tiers: bool) -> String {
    if readers.is_empty() {
        return "<p>No consumer job of the catalog reads it.</p>".into();
    }
    let mut t = Table::new(
        "consumers",
        &[
            "Job",
            "Consumer group",
            "Max tier",
            "Dead letters",
            "Description",
        ],
    );
    for k in readers {
        let name = k.name.get_ref();
        t.row(
            None,
            &[
                link(root, &consumer_href(name), name),
                code(&k.group_id),
                if tiers {
                    esc(k.max_tier.get_ref().as_str())
                } else {
                    "–".into()
                },
                code(k.dlq.get_ref()),
                esc(&k.description),
            ],
        );
    }
    t.finish()
}

/// The page of one event type.
pub fn event(site: &Site, d: &Domain, e: &Event) -> String {
    let c = site.catalog;
    let root = "../";
    let record = &c.set.types[e.record];
    let mut o = html::heading(&e.event_type, record.doc.as_deref());
    let tier = e.privacy_tier.map_or("–", |t| t.as_str());
    let _ = writeln!(
        o,
        "<dl class=\"facts\"><dt>Record</dt><dd>{}</dd><dt>Topic</dt><dd>{}</dd><dt>Privacy tier</dt><dd class=\"tier {tier}\">{tier}</dd><dt>Entity type</dt><dd>{}</dd><dt>Schema version</dt><dd>{}</dd></dl>",
        code(&record.name.fullname()),
        link(root, &topic_href(&d.topic), &d.topic),
        esc(d.entity_type.as_deref().unwrap_or("–")),
        esc(&d.version),
    );
    o.push_str("<h2>Payload fields</h2>\n");
    o.push_str(&fields_table(c, c.set.fields(e.record), "field-"));
    let envelope = &site.envelope_types;
    let used: Vec<TypeId> = describe::reachable(&c.set, e.record)
        .into_iter()
        .filter(|id| *id != e.record)
        .collect();
    if !used.is_empty() {
        o.push_str("<h2>Types it uses</h2>\n");
        for id in used {
            o.push_str(&type_section(c, id, ""));
        }
    }
    if !envelope.is_empty() {
        o.push_str("<h2>Envelope</h2>\n<p>Every event on the topic carries it.</p>\n");
        for id in envelope {
            o.push_str(&type_section(c, *id, ""));
        }
    }
    o.push_str("<h2>Consumers</h2>\n");
    let tiers = c.layout.section.privacy_tiers;
    o.push_str(&consumers_table(root, &describe::readers(c, d, e), tiers));
    o
}

/// The page of one topic.
pub fn topic(site: &Site, t: &sc_events_schema::Topic) -> String {
    let c = site.catalog;
    let root = "../";
    let name = t.name.get_ref();
    let mut o = html::heading(name, Some(&t.description));
    let subject = c.value_subject(t);
    let _ = writeln!(
        o,
        "<dl class=\"facts\"><dt>Category</dt><dd>{}</dd><dt>Partitions</dt><dd>{}</dd><dt>Key</dt><dd>{}</dd><dt>Retention</dt><dd>{} ms</dd><dt>Cleanup policy</dt><dd>{}</dd><dt>Partitioner</dt><dd>{}</dd><dt>Value subject</dt><dd>{}</dd><dt>Dead letters</dt><dd>{}</dd></dl>",
        esc(&t.category),
        t.partitions,
        t.key.as_deref().map_or("–".into(), code),
        t.retention_ms,
        esc(&t.cleanup_policy),
        t.partitioner().as_str(),
        subject.as_deref().map_or("–".into(), code),
        c.dlq_of(name).map_or("–".into(), |q| link(root, &topic_href(q.name.get_ref()), q.name.get_ref())),
    );
    let events: Vec<(&Domain, &Event)> = c.events().filter(|(d, _)| d.topic == *name).collect();
    if !events.is_empty() {
        o.push_str("<h2>Event types</h2>\n");
        let mut tb = Table::new(
            "events",
            &["Event type", "Record", "Privacy tier", "Description"],
        );
        for (_, e) in &events {
            let r = &c.set.types[e.record];
            tb.row(
                None,
                &[
                    link(root, &event_href(&e.event_type), &e.event_type),
                    code(&r.name.name),
                    esc(e.privacy_tier.map_or("–", |t| t.as_str())),
                    esc(r.doc.as_deref().unwrap_or("")),
                ],
            );
        }
        o.push_str(&tb.finish());
    }
    o.push_str("<h2>Consumers</h2>\n");
    let readers: Vec<&Consumer> = c.consumers.iter().filter(|k| k.reads(name)).collect();
    o.push_str(&consumers_table(
        root,
        &readers,
        c.layout.section.privacy_tiers,
    ));
    if let Some(s) = subject {
        let h = site.history.get(&s).unwrap_or(&History::None);
        o.push_str(&history::section(&s, h));
    }
    o
}

/// The page of one consumer job.
pub fn consumer(site: &Site, k: &Consumer) -> String {
    let c = site.catalog;
    let root = "../";
    let name = k.name.get_ref();
    let mut o = html::heading(name, Some(&k.description));
    let topics: Vec<String> = k
        .topics
        .iter()
        .map(|t| link(root, &topic_href(t.get_ref()), t.get_ref()))
        .collect();
    let dlq = k.dlq.get_ref();
    let dlq_cell = match c.topic(dlq) {
        Some(_) => link(root, &topic_href(dlq), dlq),
        None => code(dlq),
    };
    let r = &k.retry;
    let _ = writeln!(
        o,
        "<dl class=\"facts\"><dt>Consumer group</dt><dd>{}</dd><dt>Topics</dt><dd>{}</dd><dt>Max tier</dt><dd>{}</dd><dt>Dead letters</dt><dd>{dlq_cell}</dd><dt>Retries</dt><dd>{} after {} ms, ×{}, at most {} ms</dd><dt>Writes</dt><dd>{}</dd></dl>",
        code(&k.group_id),
        topics.join(", "),
        if c.layout.section.privacy_tiers { k.max_tier.get_ref().as_str() } else { "–" },
        r.max_retries,
        r.initial_backoff_ms,
        r.multiplier,
        r.max_backoff_ms,
        if k.output.is_empty() { "–".into() } else { k.output.iter().map(|o| code(o)).collect::<Vec<_>>().join(", ") },
    );
    o.push_str("<h2>Events it is handed</h2>\n<ul class=\"events\">\n");
    for e in crate::catalog::receives(c, k) {
        let _ = writeln!(o, "<li>{}</li>", link(root, &event_href(&e), &e));
    }
    o.push_str("</ul>\n");
    o
}

/// The index: the picture, then every topic, event type and consumer job.
pub fn index(site: &Site) -> String {
    let c = site.catalog;
    let mut o = format!("<h1>{} event catalog</h1>\n", esc(&site.title));
    let _ = writeln!(
        o,
        "<p>{} topics, {} event types, {} consumer jobs. Registry: {}.</p>",
        c.topics.len(),
        c.events().count(),
        c.consumers.len(),
        esc(&site.registry)
    );
    o.push_str("<h2>Who writes and reads what</h2>\n<div class=\"graph-box\">");
    o.push_str(&super::graph::svg(c));
    o.push_str("</div>\n<h2>Topics</h2>\n");
    let mut t = Table::new(
        "topics",
        &["Topic", "Category", "Partitions", "Key", "Description"],
    );
    for topic in &c.topics {
        let n = topic.name.get_ref();
        t.row(
            None,
            &[
                link("", &topic_href(n), n),
                esc(&topic.category),
                topic.partitions.to_string(),
                topic.key.as_deref().map_or("–".into(), code),
                esc(&topic.description),
            ],
        );
    }
    o.push_str(&t.finish());
    o.push_str("<h2>Event types</h2>\n");
    let mut t = Table::new(
        "events",
        &["Event type", "Topic", "Privacy tier", "Description"],
    );
    for (d, e) in c.events() {
        t.row(
            None,
            &[
                link("", &event_href(&e.event_type), &e.event_type),
                link("", &topic_href(&d.topic), &d.topic),
                esc(e.privacy_tier.map_or("–", |t| t.as_str())),
                esc(c.set.types[e.record].doc.as_deref().unwrap_or("")),
            ],
        );
    }
    o.push_str(&t.finish());
    o.push_str("<h2>Consumer jobs</h2>\n");
    let all: Vec<&Consumer> = c.consumers.iter().collect();
    o.push_str(&consumers_table("", &all, c.layout.section.privacy_tiers));
    if let Some(s) = &site.envelope_subject {
        let h = site.history.get(s).unwrap_or(&History::None);
        o.push_str(&history::section(s, h));
    }
    o
}
