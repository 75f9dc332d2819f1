//! Imported events combined into one domain of a flat-envelope workspace: the fields every
//! event shares (all but the payload field) become the envelope record, written once with its
//! nested types; the domain record repeats those fields (referencing the nested types by
//! name) and carries the events' payload records as one union, each payload named after its
//! event and labelled with its event type. Events whose shared fields differ are refused,
//! naming the file and the field.

use super::jsonschema::Imported;
use super::out::Out;
use std::path::PathBuf;

/// How the domain is built.
#[derive(Debug, Clone)]
pub struct DomainOptions {
    /// The domain record (`ProductEvent`).
    pub domain: String,
    /// The envelope record (`EventEnvelope`).
    pub envelope: String,
    pub namespace: String,
    /// The field that holds the payload (`data`).
    pub payload_field: String,
    /// The attribute that carries the domain's version, and its value (`version`, `1.0.0`).
    pub version_attribute: String,
    pub version: String,
    /// The property that holds the event type (its `const` is dropped from the envelope).
    pub event_type_field: String,
}

/// The files: the records the envelope's fields define (each its own file, so any Avro
/// library resolves them by name across files), the envelope record and the domain record.
pub struct Combined {
    /// `(record name, text)` of each record an envelope field defines.
    pub shared: Vec<(String, String)>,
    pub envelope: String,
    pub domain: String,
}

/// Moves every record defined at the top of a field's type (directly or as a union branch)
/// out into `out`, leaving a reference to its full name.
fn hoist(ty: &Out, ns: &str, out: &mut Vec<(String, String)>) -> Out {
    match ty {
        Out::Obj(m) if get(m, "type") == Some(&Out::s("record")) => {
            let name = match get(m, "name") {
                Some(Out::Str(n)) => n.clone(),
                _ => return ty.clone(),
            };
            let mut rec: Vec<(String, Out)> = Vec::new();
            for (k, v) in m {
                rec.push((k.clone(), v.clone()));
                if k == "name" && get(m, "namespace").is_none() {
                    rec.push(("namespace".into(), Out::s(ns)));
                }
            }
            out.push((name.clone(), Out::Obj(rec).pretty()));
            Out::s(format!("{ns}.{name}"))
        }
        Out::Arr(branches) => Out::Arr(branches.iter().map(|b| hoist(b, ns, out)).collect()),
        x => x.clone(),
    }
}

fn get<'a>(m: &'a [(String, Out)], key: &str) -> Option<&'a Out> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn set(m: &mut Vec<(String, Out)>, key: &str, value: Out) {
    match m.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value,
        None => m.push((key.to_string(), value)),
    }
}

/// Renames every record inside `v` from `<event><rest>` to `<envelope prefix><rest>`, and
/// returns it; with `by_ref`, each such record is replaced by its full name instead.
fn retarget(v: &Out, event: &str, prefix: &str, ns: &str, by_ref: bool) -> Out {
    match v {
        Out::Obj(m) if get(m, "type") == Some(&Out::s("record")) => {
            let name = match get(m, "name") {
                Some(Out::Str(n)) => n
                    .strip_prefix(event)
                    .map_or(n.clone(), |r| format!("{prefix}{r}")),
                _ => String::new(),
            };
            if by_ref {
                return Out::s(format!("{ns}.{name}"));
            }
            let mut m: Vec<(String, Out)> = m
                .iter()
                .map(|(k, x)| (k.clone(), retarget(x, event, prefix, ns, by_ref)))
                .collect();
            set(&mut m, "name", Out::s(name));
            Out::Obj(m)
        }
        Out::Obj(m) => Out::Obj(
            m.iter()
                .map(|(k, x)| (k.clone(), retarget(x, event, prefix, ns, by_ref)))
                .collect(),
        ),
        Out::Arr(a) => Out::Arr(
            a.iter()
                .map(|x| retarget(x, event, prefix, ns, by_ref))
                .collect(),
        ),
        x => x.clone(),
    }
}

/// Combines imported events (each with its source path) into an envelope and a domain.
pub fn combine(events: &[(PathBuf, Imported)], o: &DomainOptions) -> Result<Combined, String> {
    let prefix = o
        .envelope
        .strip_suffix("Envelope")
        .unwrap_or(&o.envelope)
        .to_string();
    let prefix = if prefix.is_empty() {
        "Event".to_string()
    } else {
        prefix
    };
    let mut shared: Option<(PathBuf, Vec<Out>)> = None;
    let mut payloads = Vec::new();
    for (path, imp) in events {
        let Out::Obj(root) = &imp.record else {
            return Err(format!("{}: the import is not a record", path.display()));
        };
        let Some(Out::Arr(fields)) = get(root, "fields") else {
            return Err(format!("{}: the import has no fields", path.display()));
        };
        let Some(event_type) = &imp.event_type else {
            return Err(format!(
                "{}: no event type (a single-valued enum or const at /properties/{})",
                path.display(),
                o.event_type_field
            ));
        };
        let mut envelope = Vec::new();
        let mut payload = None;
        for f in fields {
            let Out::Obj(fm) = f else { continue };
            if get(fm, "name") == Some(&Out::s(&o.payload_field)) {
                payload = get(fm, "type").cloned();
                continue;
            }
            let mut fm = fm.clone();
            if get(&fm, "name") == Some(&Out::s(&o.event_type_field)) {
                fm.retain(|(k, _)| k != "const");
                set(
                    &mut fm,
                    "doc",
                    Out::s("The event type; always the payload record's event_type."),
                );
            }
            envelope.push(retarget(
                &Out::Obj(fm),
                &imp.name,
                &prefix,
                &o.namespace,
                false,
            ));
        }
        let Some(Out::Obj(mut p)) = payload else {
            return Err(format!(
                "{}: no required object property {:?} to take the payload from",
                path.display(),
                o.payload_field
            ));
        };
        set(&mut p, "name", Out::s(&imp.name));
        p.insert(2, ("event_type".into(), Out::s(event_type)));
        payloads.push(Out::Obj(p));
        match &mut shared {
            None => shared = Some((path.clone(), envelope)),
            Some((first, want)) => {
                for (i, f) in envelope.iter().enumerate() {
                    // Docs may differ (one file documents a field, another not): the first
                    // doc found is kept.
                    if want.get(i).map(undocumented) == Some(undocumented(f)) {
                        if !has_doc(&want[i]) && has_doc(f) {
                            want[i] = f.clone();
                        }
                    } else {
                        let name = match f {
                            Out::Obj(m) => match get(m, "name") {
                                Some(Out::Str(n)) => n.clone(),
                                _ => String::new(),
                            },
                            _ => String::new(),
                        };
                        return Err(format!(
                            "{}: shared field {i} (`{name}`) differs from {}'s; every event of a domain needs the same envelope fields",
                            path.display(),
                            first.display()
                        ));
                    }
                }
                if want.len() != envelope.len() {
                    return Err(format!(
                        "{}: {} shared fields, but {} has {}",
                        path.display(),
                        envelope.len(),
                        first.display(),
                        want.len()
                    ));
                }
            }
        }
    }
    let Some((_, env_fields)) = shared else {
        return Err("no events to combine".into());
    };
    let mut shared = Vec::new();
    let env_fields: Vec<Out> = env_fields
        .iter()
        .map(|f| match f {
            Out::Obj(m) => Out::Obj(
                m.iter()
                    .map(|(k, v)| {
                        let v = if k == "type" {
                            hoist(v, &o.namespace, &mut shared)
                        } else {
                            v.clone()
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            x => x.clone(),
        })
        .collect();
    let envelope = Out::Obj(vec![
        ("type".into(), Out::s("record")),
        ("name".into(), Out::s(&o.envelope)),
        ("namespace".into(), Out::s(&o.namespace)),
        ("doc".into(), Out::s(format!("The fields every {} starts with; the domain record repeats them, in this order, before `{}`.", o.domain, o.payload_field))),
        ("fields".into(), Out::Arr(env_fields.clone())),
    ]);
    let mut fields: Vec<Out> = env_fields.clone();
    fields.push(Out::obj(vec![
        ("name", Out::s(&o.payload_field)),
        (
            "doc",
            Out::s("The event's data: one record per event type."),
        ),
        ("type", Out::Arr(payloads)),
    ]));
    let domain = Out::Obj(vec![
        ("type".into(), Out::s("record")),
        ("name".into(), Out::s(&o.domain)),
        ("namespace".into(), Out::s(&o.namespace)),
        (o.version_attribute.clone(), Out::s(&o.version)),
        ("fields".into(), Out::Arr(fields)),
    ]);
    Ok(Combined {
        shared,
        envelope: envelope.pretty(),
        domain: domain.pretty(),
    })
}

/// `v` without `doc` members, at any depth.
fn undocumented(v: &Out) -> Out {
    match v {
        Out::Obj(m) => Out::Obj(
            m.iter()
                .filter(|(k, _)| k != "doc")
                .map(|(k, x)| (k.clone(), undocumented(x)))
                .collect(),
        ),
        Out::Arr(a) => Out::Arr(a.iter().map(undocumented).collect()),
        x => x.clone(),
    }
}

fn has_doc(v: &Out) -> bool {
    matches!(v, Out::Obj(m) if get(m, "doc").is_some())
}
