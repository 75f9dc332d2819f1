//! Writers for the shapes the generated code repeats, so each is spelled once: `impl` openers,
//! a method that is one `match` over variants, a generated `format!` call, a field bound
//! through `Option`. Imports no generator.

use std::fmt::Write as _;

/// Writes `impl {trait_} for {ty} {`.
pub(crate) fn impl_for(o: &mut String, trait_: &str, ty: &str) {
    let _ = writeln!(o, "impl {trait_} for {ty} {{");
}

/// Writes `impl {ty} {` (inherent methods).
pub(crate) fn impl_inherent(o: &mut String, ty: &str) {
    let _ = writeln!(o, "impl {ty} {{");
}

/// Writes a `match` at method-body depth (8 spaces), one `pattern => expr,` arm per item.
pub(crate) fn write_match<P, E>(
    o: &mut String,
    scrutinee: &str,
    arms: impl IntoIterator<Item = (P, E)>,
) where
    P: std::fmt::Display,
    E: std::fmt::Display,
{
    let _ = writeln!(o, "        match {scrutinee} {{");
    for (pattern, expr) in arms {
        let _ = writeln!(o, "            {pattern} => {expr},");
    }
    let _ = writeln!(o, "        }}");
}

/// The head of a method inside an `impl` block (4 spaces): its doc line, signature (without
/// the brace) and the trait it brings into scope with `use … as _`.
pub(crate) struct Method<'a> {
    pub doc: Option<&'a str>,
    pub signature: &'a str,
    pub uses: Option<&'a str>,
}

/// Writes a method whose body is one `match` over `scrutinee`.
pub(crate) fn match_method<P, E>(
    o: &mut String,
    m: &Method<'_>,
    scrutinee: &str,
    arms: impl IntoIterator<Item = (P, E)>,
) where
    P: std::fmt::Display,
    E: std::fmt::Display,
{
    if let Some(doc) = m.doc {
        let _ = writeln!(o, "    /// {doc}");
    }
    let _ = writeln!(o, "    {} {{", m.signature);
    if let Some(uses) = m.uses {
        let _ = writeln!(o, "        use {uses} as _;");
    }
    write_match(o, scrutinee, arms);
    let _ = writeln!(o, "    }}");
}

/// Generated code calling `format!` with `template` (quoted here) and `args`:
/// `format_call("{} items", &["v.len()"])` is `format!("{} items", v.len())`.
pub(crate) fn format_call(template: &str, args: &[&str]) -> String {
    let mut s = format!("format!({template:?}");
    for a in args {
        let _ = write!(s, ", {a}");
    }
    s.push(')');
    s
}

/// How many characters of an offending string a generated error message quotes.
pub(crate) const QUOTED_CHARS: usize = 64;

/// Generated code rendering the string `var` quoted, cut to [`QUOTED_CHARS`] characters (what
/// an error message shows of a value it refuses).
pub(crate) fn quoted_excerpt(var: &str) -> String {
    format_call(
        "{:?}",
        &[&format!(
            "{var}.chars().take({QUOTED_CHARS}).collect::<String>()"
        )],
    )
}

/// The opening of a block that binds `var` to `place` (`self.amount`, `&self.items`), or,
/// when the field is `optional`, to what it holds: `{ let v = self.n;` or
/// `if let Some(v) = self.n {`. The caller closes the block.
pub(crate) fn bind(var: &str, place: &str, optional: bool) -> String {
    if optional {
        format!("if let Some({var}) = {place} {{")
    } else {
        format!("{{ let {var} = {place};")
    }
}

/// Generated code for the `Option<&str>` of the string field at `place` (`self.user_id`).
pub(crate) fn option_str(place: &str, optional: bool) -> String {
    if optional {
        format!("{place}.as_deref()")
    } else {
        format!("Some({place}.as_str())")
    }
}

/// `text` (generated code written one statement a line, unindented) indented 4 spaces per
/// level, as rustfmt would roughly lay it out: a line that leaves brackets open indents the
/// lines after it one level (however many it opened); only the start of each line changes.
/// Brackets in string and char literals do not count.
pub(crate) fn indent_blocks(text: &str) -> String {
    // How many open brackets each indentation level holds.
    let mut levels: Vec<usize> = Vec::new();
    let close = |levels: &mut Vec<usize>| {
        if let Some(top) = levels.last_mut() {
            *top -= 1;
            if *top == 0 {
                levels.pop();
            }
        }
    };
    let mut out = String::with_capacity(text.len() * 5 / 4);
    for line in text.lines() {
        let line = line.trim_start();
        let body = line.trim_start_matches(['}', ')', ']']);
        for _ in 0..line.len() - body.len() {
            close(&mut levels);
        }
        if !line.is_empty() {
            out.push_str(&"    ".repeat(levels.len()));
        }
        out.push_str(line);
        out.push('\n');
        let mut opened = 0;
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => {
                                chars.next();
                            }
                            '"' => break,
                            _ => {}
                        }
                    }
                }
                // A char literal (`'{'`, `'\''`); a lifetime (`'a`) has no closing quote.
                '\'' => {
                    let rest: String = chars.clone().take(3).collect();
                    if rest.starts_with('\\') {
                        chars.nth(2);
                    } else if rest.chars().nth(1) == Some('\'') {
                        chars.nth(1);
                    }
                }
                '{' | '(' | '[' => opened += 1,
                '}' | ')' | ']' if opened > 0 => opened -= 1,
                '}' | ')' | ']' => close(&mut levels),
                _ => {}
            }
        }
        if opened > 0 {
            levels.push(opened);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_format_calls_quote_their_template() {
        assert_eq!(
            format_call("{n} characters", &[]),
            "format!(\"{n} characters\")"
        );
        assert_eq!(
            format_call("{} items", &["v.len()"]),
            "format!(\"{} items\", v.len())"
        );
        assert_eq!(
            quoted_excerpt("v"),
            "format!(\"{:?}\", v.chars().take(64).collect::<String>())"
        );
        assert_eq!(bind("v", "&self.x", true), "if let Some(v) = &self.x {");
        assert_eq!(bind("v", "self.x", false), "{ let v = self.x;");
    }

    #[test]
    fn blocks_are_indented_by_their_brackets() {
        let code = "impl<'a> X for Y<'a> {\nfn f() {\nOk(Self {\na: \"{\",\nb: '{',\n})\n}\n}\n\nfn g() {}\n";
        assert_eq!(
            indent_blocks(code),
            "impl<'a> X for Y<'a> {\n    fn f() {\n        Ok(Self {\n            a: \"{\",\n            b: '{',\n        })\n    }\n}\n\nfn g() {}\n"
        );
    }
}
