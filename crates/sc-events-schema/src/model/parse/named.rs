//! Named types (records, enums, fixed) and record fields, for [`super::Parser`]. The
//! recursive path (`named` → `fields` → `Parser::node`) keeps small frames: the work of
//! each step is in a helper, so that schemas at Jackson's maximum depth (1000) parse on an
//! 8 MiB stack in debug builds with room to spare.

use super::*;

const RESERVED_FIELD_KEYS: [&str; 6] = ["name", "type", "default", "doc", "aliases", "order"];

impl<'d> Parser<'_, 'd> {
    pub(super) fn named(
        &mut self,
        j: &'d JsonNode,
        t: &str,
        ns: Option<&str>,
    ) -> Result<Node, Error> {
        let (id, own_ns) = self.named_head(j, t, ns)?;
        let body = match t {
            "enum" => self.enum_body(j)?,
            "fixed" => self.fixed_body(j)?,
            _ => Body::Record(self.fields(j, own_ns.as_deref())?),
        };
        self.named_finish(j, id, body)
    }

    /// Name, namespace, aliases, doc and attributes of a named type, registered in the arena
    /// (not under its name yet: Java puts a type when it is complete). Returns its id and the
    /// namespace of what it contains.
    #[inline(never)]
    fn named_head(
        &mut self,
        j: &'d JsonNode,
        t: &str,
        ns: Option<&str>,
    ) -> Result<(TypeId, Option<String>), Error> {
        let name_node = j
            .get("name")
            .ok_or_else(|| self.err(j.span, format!("{t} schema has no \"name\"")))?;
        let raw = name_node
            .as_str()
            .ok_or_else(|| self.err(name_node.span, "\"name\" must be a string"))?;
        // Java's getOptionalText: a namespace that is not a string is no namespace.
        let space = match j.get("namespace").and_then(JsonNode::as_str) {
            Some(s) => Some(s),
            None => ns,
        };
        let name = self.java_name(raw, space, name_node.span)?;
        let fullname = name.fullname();
        if PRIMITIVES.contains(&fullname.as_str()) {
            return Err(self.err(
                name_node.span,
                format!("schemas may not be named after primitives: {fullname}"),
            ));
        }
        let own_ns = name.namespace.clone();
        let aliases = self.aliases(j, own_ns.as_deref())?;
        let doc = j.get("doc").and_then(|d| d.as_str()).map(str::to_string);
        let reserved: &[&str] = match t {
            "enum" => &[
                "type",
                "name",
                "namespace",
                "doc",
                "aliases",
                "symbols",
                "default",
            ],
            "fixed" => &["type", "name", "namespace", "doc", "aliases", "size"],
            _ => &["type", "name", "namespace", "doc", "aliases", "fields"],
        };
        let attrs = j
            .as_object()
            .unwrap_or(&[])
            .iter()
            .filter(|m| !reserved.contains(&m.key.as_str()))
            .cloned()
            .collect();
        let id = self.set.types.len();
        self.set.types.push(NamedType {
            name,
            aliases,
            doc,
            file: self.file,
            span: j.span,
            name_span: name_node.span,
            attrs,
            body: Body::Record(Vec::new()),
        });
        self.facts.defs.insert(id, j);
        self.facts.named_at.insert((self.file, j.span.start), id);
        Ok((id, own_ns))
    }

    /// Java's `ParseContext.put`, now that the type is complete: a valid full name, and a
    /// first definition or an identical one.
    #[inline(never)]
    fn named_finish(&mut self, j: &JsonNode, id: TypeId, body: Body) -> Result<Node, Error> {
        self.set.types[id].body = body;
        let fullname = self.set.types[id].name.fullname();
        let name_span = self.set.types[id].name_span;
        if let Some(e) = fullname_error(&fullname) {
            return Err(self.err(name_span, e));
        }
        match self.set.by_name.get(&fullname) {
            None => {
                self.set.by_name.insert(fullname, id);
                self.facts.completed.push(id);
            }
            Some(&first) => {
                let mut eq = Equality {
                    set: self.set,
                    facts: self.facts,
                    file: self.file,
                    memo: Default::default(),
                };
                if !eq.types(first, id) {
                    let t = &self.set.types[first];
                    let file = &self.set.files[t.file];
                    let at = file.line_col(t.name_span.start);
                    let e = self.err(
                        name_span,
                        format!(
                            "can't redefine: {} (a different type of that name is first defined at {}:{}:{})",
                            quoted(&fullname),
                            file.path.display(),
                            at.line,
                            at.column
                        ),
                    );
                    return Err(Box::new(e.with_hint(
                        "a named type may be defined again only identically; refer to it by name",
                    )));
                }
            }
        }
        Ok(Node {
            kind: Kind::Named(id),
            span: j.span,
            file: self.file,
            logical_type: logical_type(j),
        })
    }

    #[inline(never)]
    fn fixed_body(&self, j: &JsonNode) -> Result<Body, Error> {
        let size = j
            .get("size")
            .ok_or_else(|| self.err(j.span, "fixed schema has no \"size\""))?;
        let n = match &size.value {
            Json::Number(n) if !n.contains(['.', 'e', 'E']) => n.parse::<i32>().ok(),
            _ => None,
        }
        .ok_or_else(|| self.err(size.span, "\"size\" must be an int"))?;
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n as i64 <= MAX_FIXED_SIZE)
            .ok_or_else(|| {
                self.err(
                    size.span,
                    format!("\"size\" must be between 0 and {MAX_FIXED_SIZE} (Java's array limit)"),
                )
            })?;
        Ok(Body::Fixed {
            size: n,
            size_span: size.span,
        })
    }

    /// Java's `Name(name, space)`: the part after the last dot is validated, the rest is the
    /// namespace (`""` is none).
    pub(super) fn java_name(
        &self,
        raw: &str,
        space: Option<&str>,
        span: Span,
    ) -> Result<Name, Error> {
        let (space, short) = match raw.rsplit_once('.') {
            Some((space, short)) => (Some(space), short),
            None => (space, raw),
        };
        if let Some(e) = name_error(short) {
            return Err(self.err(span, e));
        }
        Ok(Name {
            name: short.to_string(),
            namespace: space.filter(|s| !s.is_empty()).map(str::to_string),
        })
    }

    #[inline(never)]
    fn aliases(&self, j: &JsonNode, ns: Option<&str>) -> Result<Vec<Name>, Error> {
        let Some(a) = j.get("aliases") else {
            return Ok(Vec::new());
        };
        let items = a
            .as_array()
            .ok_or_else(|| self.err(a.span, "\"aliases\" must be an array of names"))?;
        items
            .iter()
            .map(|item| {
                let s = item
                    .as_str()
                    .ok_or_else(|| self.err(item.span, "an alias must be a string"))?;
                self.java_name(s, ns, item.span)
            })
            .collect()
    }

    #[inline(never)]
    fn enum_body(&self, j: &JsonNode) -> Result<Body, Error> {
        let syms = j
            .get("symbols")
            .ok_or_else(|| self.err(j.span, "enum schema has no \"symbols\""))?;
        let items = syms
            .as_array()
            .ok_or_else(|| self.err(syms.span, "\"symbols\" must be an array of names"))?;
        let mut symbols: Vec<String> = Vec::with_capacity(items.len());
        let mut seen: SeededSet<&str> =
            SeededSet::with_capacity_and_hasher(items.len(), Default::default());
        for item in items {
            let s = item
                .as_str()
                .ok_or_else(|| self.err(item.span, "an enum symbol must be a string"))?;
            if let Some(e) = name_error(s) {
                return Err(self.err(item.span, format!("invalid enum symbol: {e}")));
            }
            if !seen.insert(s) {
                return Err(self.err(item.span, format!("duplicate enum symbol {}", quoted(s))));
            }
            symbols.push(s.to_string());
        }
        // Java reads the default with textValue(): anything but a string is no default.
        let default = match j
            .get("default")
            .and_then(|d| d.as_str().map(|s| (s, d.span)))
        {
            None => None,
            Some((s, span)) => {
                if !seen.contains(s) {
                    let near = crate::text::closest(s, seen.iter().copied())
                        .map_or(String::new(), |n| format!("; did you mean {}?", quoted(n)));
                    return Err(self.err(
                        span,
                        format!("enum default {} is not one of the symbols{near}", quoted(s)),
                    ));
                }
                Some((s.to_string(), span))
            }
        };
        Ok(Body::Enum(EnumBody {
            symbols,
            symbols_span: syms.span,
            default,
        }))
    }

    fn fields(&mut self, j: &'d JsonNode, ns: Option<&str>) -> Result<Vec<Field>, Error> {
        let items = self.field_items(j)?;
        let mut fields: Vec<Field> = Vec::with_capacity(items.len());
        let mut seen: SeededMap<&'d str, Span> =
            SeededMap::with_capacity_and_hasher(items.len(), Default::default());
        for item in items {
            let ty = self.field_type(item)?;
            let ty = self.node(ty, ns)?;
            let field = self.field(item, ty, &mut seen)?;
            fields.push(field);
        }
        Ok(fields)
    }

    #[inline(never)]
    fn field_items(&self, j: &'d JsonNode) -> Result<&'d [JsonNode], Error> {
        let fs = j
            .get("fields")
            .ok_or_else(|| self.err(j.span, "record schema has no \"fields\""))?;
        fs.as_array()
            .ok_or_else(|| self.err(fs.span, "\"fields\" must be an array"))
    }

    /// The `"type"` of a field (which must have a string `"name"`).
    #[inline(never)]
    fn field_type(&self, item: &'d JsonNode) -> Result<&'d JsonNode, Error> {
        let name = item
            .get("name")
            .and_then(JsonNode::as_str)
            .ok_or_else(|| self.err(item.span, "field has no \"name\" string"))?;
        item.get("type")
            .ok_or_else(|| self.err(item.span, format!("field {} has no \"type\"", quoted(name))))
    }

    /// The rest of a field once its type is parsed: `order`, the name, aliases, attributes.
    #[inline(never)]
    fn field(
        &mut self,
        item: &'d JsonNode,
        ty: Node,
        seen: &mut SeededMap<&'d str, Span>,
    ) -> Result<Field, Error> {
        let name_node = item
            .get("name")
            .filter(|n| n.as_str().is_some())
            .ok_or_else(|| self.err(item.span, "field has no \"name\" string"))?;
        let name = name_node.as_str().unwrap_or_default();
        if let Some(o) = item.get("order") {
            let ok = o.as_str().is_some_and(|o| {
                matches!(
                    o.to_uppercase().as_str(),
                    "ASCENDING" | "DESCENDING" | "IGNORE"
                )
            });
            if !ok {
                return Err(self.err(
                    o.span,
                    "\"order\" must be \"ascending\", \"descending\" or \"ignore\"",
                ));
            }
        }
        if let Some(e) = name_error(name) {
            return Err(self.err(name_node.span, format!("invalid field name: {e}")));
        }
        if let Some(first) = seen.insert(name, name_node.span) {
            let at = self.src().line_col(first.start);
            let e = self.err(
                name_node.span,
                format!(
                    "duplicate field {}: first defined here at line {}, column {}",
                    quoted(name),
                    at.line,
                    at.column
                ),
            );
            return Err(Box::new(
                e.with_hint("rename one of the two fields, or remove the copy"),
            ));
        }
        let aliases = match item.get("aliases") {
            None => Vec::new(),
            Some(a) => a
                .as_array()
                .ok_or_else(|| self.err(a.span, "\"aliases\" must be an array of names"))?
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.err(x.span, "a field alias must be a string"))
                })
                .collect::<Result<_, _>>()?,
        };
        self.facts.nodes.insert((self.file, item.span.start), item);
        Ok(Field {
            name: name.to_string(),
            name_span: name_node.span,
            span: item.span,
            aliases,
            doc: item.get("doc").and_then(|d| d.as_str()).map(str::to_string),
            ty,
            default: item.get("default").cloned(),
            attrs: item
                .as_object()
                .unwrap_or(&[])
                .iter()
                .filter(|m| !RESERVED_FIELD_KEYS.contains(&m.key.as_str()))
                .cloned()
                .collect(),
        })
    }
}
