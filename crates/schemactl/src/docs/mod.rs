//! `schemactl docs --out DIR`: the workspace's event catalog as a static HTML site that works
//! from `file://` (no server, no CDN): an index with the producers → topics → consumer
//! groups → dead letters picture, a page per topic (with its value subject's registered
//! versions and the diff between each two, read from the configured registry), per event
//! type (every field's type, doc, default, constraints, PII mark; the tier; the consumer jobs
//! that read it) and per consumer job, and a search over all of it.
//!
//! The site is written to a temporary directory beside `DIR` and renamed into place, so an
//! existing catalog is replaced whole or not at all.

mod graph;
mod history;
mod html;
mod pages;

use crate::config::{Create, Settings};
use clap::Args;
use history::History;
use sc_events_registry::subjects::subjects;
use sc_events_schema::model::TypeId;
use sc_events_schema::{Catalog, Format};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The directory to write the site to (replaced whole).
    #[arg(long)]
    pub out: PathBuf,
    /// The registry whose versions the history shows; as for `check`. Without one (a missing
    /// embedded file) the pages say so.
    #[arg(long)]
    pub against: Option<String>,
    /// Schema directory; default as for `lint`.
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    /// The site's title; default: the workspace crate's name (its Cargo.toml), else the
    /// workspace directory's name.
    #[arg(long)]
    pub title: Option<String>,
}

/// What the pages are made from.
pub struct Site<'a> {
    pub catalog: &'a Catalog,
    pub title: String,
    /// What the history was read from (or why it was not).
    pub registry: String,
    pub history: BTreeMap<String, History>,
    pub envelope_subject: Option<String>,
    /// The envelope's own named types (in a flat layout the envelope also reaches every
    /// payload; those are left out): the section every event page ends with.
    pub envelope_types: BTreeSet<TypeId>,
}

const STYLE: &str = include_str!("assets/style.css");
const SEARCH: &str = include_str!("assets/search.js");

pub fn run(args: &DocsArgs) -> ExitCode {
    let rt = match crate::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let ws = match Settings::load() {
        Ok(ws) => ws,
        Err(e) => return crate::report_load_errors(&e, Format::Human),
    };
    let dir = ws.schemas_dir(args.schemas.as_deref());
    let catalog = match crate::load_catalog(dir.as_deref()) {
        Ok(c) => c,
        Err(e) => return crate::report_load_errors(&e, Format::Human),
    };
    let target = ws.target(args.against.as_deref(), catalog.registry.url.as_deref());
    let subjects = subjects(&catalog, &ws.naming());
    let (registry, history) = rt.block_on(async {
        match ws.open(&target, dir.as_deref(), Create::Never).await {
            Ok(reg) => {
                let mut h = BTreeMap::new();
                for s in &subjects {
                    h.insert(
                        s.subject.clone(),
                        history::read(reg.as_ref(), &s.subject).await,
                    );
                }
                (reg.describe(), h)
            }
            Err(e) => {
                crate::out::warn(format_args!("the pages show no registered versions: {e}"));
                let h = subjects
                    .iter()
                    .map(|s| (s.subject.clone(), History::Unavailable(e.clone())))
                    .collect();
                (format!("none ({e})"), h)
            }
        }
    });
    let site = Site {
        catalog: &catalog,
        title: args.title.clone().unwrap_or_else(workspace_title),
        registry,
        history,
        envelope_subject: subjects
            .iter()
            .find(|s| s.topic.is_none())
            .map(|s| s.subject.clone()),
        envelope_types: envelope_types(&catalog),
    };
    match write_site(&site, &args.out) {
        Ok(pages) => {
            crate::out::info(format_args!(
                "wrote {pages} pages to {} (open {})",
                args.out.display(),
                args.out.join("index.html").display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            crate::out::error(format_args!(
                "cannot write the catalog to {}: {e}",
                args.out.display()
            ));
            ExitCode::from(2)
        }
    }
}

/// What the envelope reaches that no payload does.
fn envelope_types(c: &Catalog) -> BTreeSet<TypeId> {
    let mut own = crate::describe::reachable(&c.set, c.envelope);
    for (_, e) in c.events() {
        for id in crate::describe::reachable(&c.set, e.record) {
            own.remove(&id);
        }
    }
    own
}

/// The workspace crate's name from `Cargo.toml`, else the directory's name.
fn workspace_title() -> String {
    let from_cargo = std::fs::read_to_string("Cargo.toml")
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string));
    from_cargo.unwrap_or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "workspace".into())
    })
}

/// Every page and asset of the site, by path from its root.
fn render(site: &Site) -> Vec<(PathBuf, String)> {
    let c = site.catalog;
    let page = |title: &str, root: &str, body: String| html::page(&site.title, title, root, &body);
    let mut files = vec![(
        PathBuf::from("index.html"),
        page("Event catalog", "", pages::index(site)),
    )];
    for t in &c.topics {
        let n = t.name.get_ref();
        files.push((
            html::topic_href(n).into(),
            page(n, "../", pages::topic(site, t)),
        ));
    }
    for (d, e) in c.events() {
        let body = pages::event(site, d, e);
        files.push((
            html::event_href(&e.event_type).into(),
            page(&e.event_type, "../", body),
        ));
    }
    for k in &c.consumers {
        let n = k.name.get_ref();
        files.push((
            html::consumer_href(n).into(),
            page(n, "../", pages::consumer(site, k)),
        ));
    }
    files.push(("assets/style.css".into(), STYLE.into()));
    files.push(("assets/search.js".into(), SEARCH.into()));
    files.push(("assets/search-index.js".into(), search_index(c)));
    files
}

/// The search entries (title, kind, page, words) as a script: a page opened from `file://`
/// cannot fetch a JSON file, but it can load a script.
fn search_index(c: &Catalog) -> String {
    let mut entries = Vec::new();
    let mut add = |title: String, kind: &str, url: String, text: String| {
        entries.push(serde_json::json!({ "t": title, "k": kind, "u": url, "x": text }));
    };
    for t in &c.topics {
        let n = t.name.get_ref();
        add(
            n.clone(),
            "topic",
            html::topic_href(n),
            t.description.clone(),
        );
    }
    for (d, e) in c.events() {
        let url = html::event_href(&e.event_type);
        let r = &c.set.types[e.record];
        add(
            e.event_type.clone(),
            "event",
            url.clone(),
            format!(
                "{} {} {}",
                r.name.fullname(),
                d.topic,
                r.doc.clone().unwrap_or_default()
            ),
        );
        for f in c.set.fields(e.record) {
            let words = format!(
                "{} {}",
                f.doc.clone().unwrap_or_default(),
                crate::describe::pii(f).unwrap_or_default()
            );
            add(
                format!("{}.{}", e.event_type, f.name),
                "field",
                format!("{url}#field-{}", f.name),
                words,
            );
        }
    }
    for k in &c.consumers {
        let n = k.name.get_ref();
        add(
            n.clone(),
            "consumer",
            html::consumer_href(n),
            format!("{} {}", k.group_id, k.description),
        );
    }
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    // `</script>` cannot occur in JSON's escaped form of `<`, but be sure.
    format!("window.SC_SEARCH = {};\n", json.replace('<', "\\u003c"))
}

/// Writes the site to a fresh directory beside `out`, then swaps it in.
fn write_site(site: &Site, out: &Path) -> std::io::Result<usize> {
    let files = render(site);
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staged = parent.join(format!(".schemactl-docs-new-{}", std::process::id()));
    if staged.exists() {
        std::fs::remove_dir_all(&staged)?;
    }
    let written = files.iter().try_for_each(|(path, text)| {
        let p = staged.join(path);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(p, text)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    let pages = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .count();
    let old = parent.join(format!(".schemactl-docs-old-{}", std::process::id()));
    let had = out.exists();
    if had {
        std::fs::rename(out, &old)?;
    }
    if let Err(e) = std::fs::rename(&staged, out) {
        if had {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    if had {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(pages)
}
