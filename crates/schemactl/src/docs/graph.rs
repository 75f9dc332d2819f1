//! The catalog's picture: producers → topics → consumer groups → dead-letter topics, as an
//! inline SVG whose boxes link to their pages. Producers are what the catalog knows of: each
//! domain's event producers (the services that emit its events onto its topic) and the
//! consumer jobs that write a projection topic (`output`).

use super::html::{consumer_href, esc, topic_href};
use sc_events_schema::Catalog;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const COL_X: [u32; 4] = [10, 290, 570, 850];
const BOX_W: u32 = 250;
const BOX_H: u32 = 22;
const ROW: u32 = 28;
const TOP: u32 = 40;
const MAX_LABEL: usize = 34;

struct Node {
    label: String,
    href: Option<String>,
    class: &'static str,
}

/// The column of each node and the edges between them, by node key.
#[derive(Default)]
struct Graph {
    columns: [Vec<(String, Node)>; 4],
    edges: Vec<(String, String, &'static str)>,
}

impl Graph {
    fn add(&mut self, col: usize, key: String, node: Node) {
        if !self.columns.iter().flatten().any(|(k, _)| *k == key) {
            self.columns[col].push((key, node));
        }
    }

    fn place(&self, key: &str) -> Option<(u32, u32)> {
        self.columns.iter().enumerate().find_map(|(c, nodes)| {
            let row = nodes.iter().position(|(k, _)| k == key)?;
            Some((COL_X[c], TOP + row as u32 * ROW))
        })
    }
}

fn build(c: &Catalog) -> Graph {
    let mut g = Graph::default();
    let dlqs: BTreeMap<&str, ()> = c
        .consumers
        .iter()
        .map(|k| (k.dlq.get_ref().as_str(), ()))
        .collect();
    for d in &c.domains {
        let key = format!("producer:{}", d.name);
        let label = format!("{} event producers", d.name);
        g.add(
            0,
            key.clone(),
            Node {
                label,
                href: None,
                class: "producer",
            },
        );
        g.edges
            .push((key, format!("topic:{}", d.topic), "produces"));
    }
    for k in &c.consumers {
        for out in &k.output {
            let key = format!("writer:{}", k.name.get_ref());
            let node = Node {
                label: format!("{} (writes)", k.name.get_ref()),
                href: Some(consumer_href(k.name.get_ref())),
                class: "producer",
            };
            g.add(0, key.clone(), node);
            g.edges.push((key, format!("topic:{out}"), "produces"));
        }
    }
    for t in &c.topics {
        let name = t.name.get_ref();
        if dlqs.contains_key(name.as_str()) {
            continue;
        }
        let node = Node {
            label: name.clone(),
            href: Some(topic_href(name)),
            class: "topic",
        };
        g.add(1, format!("topic:{name}"), node);
    }
    for k in &c.consumers {
        let key = format!("group:{}", k.name.get_ref());
        let node = Node {
            label: k.group_id.clone(),
            href: Some(consumer_href(k.name.get_ref())),
            class: "consumer",
        };
        g.add(2, key.clone(), node);
        for t in &k.topics {
            g.edges
                .push((format!("topic:{}", t.get_ref()), key.clone(), "reads"));
        }
        let dlq = k.dlq.get_ref();
        let href = c.topic(dlq).map(|t| topic_href(t.name.get_ref()));
        g.add(
            3,
            format!("dlq:{dlq}"),
            Node {
                label: dlq.clone(),
                href,
                class: "dlq",
            },
        );
        g.edges.push((key, format!("dlq:{dlq}"), "dead-letters"));
    }
    g
}

/// The picture as an `<svg>` element.
pub fn svg(c: &Catalog) -> String {
    let g = build(c);
    let rows = g.columns.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let height = TOP + rows * ROW + 10;
    let width = COL_X[3] + BOX_W + 10;
    let mut o = format!(
        "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Producers, topics, consumer groups and dead-letter topics\">\n"
    );
    for (i, title) in [
        "Producers",
        "Topics",
        "Consumer groups",
        "Dead-letter topics",
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(
            o,
            "<text class=\"col\" x=\"{}\" y=\"20\">{title}</text>",
            COL_X[i]
        );
    }
    for (from, to, class) in &g.edges {
        let (Some((x1, y1)), Some((x2, y2))) = (g.place(from), g.place(to)) else {
            continue;
        };
        let (x1, y1, x2, y2) = (x1 + BOX_W, y1 + BOX_H / 2, x2, y2 + BOX_H / 2);
        let mid = (x1 + x2) / 2;
        let _ = writeln!(
            o,
            "<path class=\"edge {class}\" d=\"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}\"/>"
        );
    }
    for (col, nodes) in g.columns.iter().enumerate() {
        for (row, (_, n)) in nodes.iter().enumerate() {
            let (x, y) = (COL_X[col], TOP + row as u32 * ROW);
            let shown: String = if n.label.chars().count() > MAX_LABEL {
                n.label.chars().take(MAX_LABEL - 1).chain(['…']).collect()
            } else {
                n.label.clone()
            };
            let shape = format!(
                "<g class=\"node {}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"4\"/><text x=\"{}\" y=\"{}\">{}</text></g>",
                n.class,
                esc(&n.label),
                x + 6,
                y + 15,
                esc(&shown)
            );
            match &n.href {
                Some(h) => {
                    let _ = writeln!(o, "<a href=\"{}\">{shape}</a>", esc(h));
                }
                None => {
                    let _ = writeln!(o, "{shape}");
                }
            }
        }
    }
    o.push_str("</svg>\n");
    o
}
