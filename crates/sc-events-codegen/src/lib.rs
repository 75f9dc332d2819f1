//! Build-time code generation for sc-events.
//!
//! `build.rs` calls [`compile_schemas`] (or a configured [`Config`]). The pipeline has three
//! stages you can call separately: [`Config::load`] reads and checks the schema directory (parse
//! errors, catalog structure and every lint rule fail the build with `file:line:col`),
//! [`Config::generate`] returns the generated files as strings without touching disk, and
//! [`Config::compile`] writes them to `OUT_DIR` (only when changed, so unchanged schemas do not
//! trigger rebuilds).
//!
//! Each generated file has its own generator: rsgen-avro makes the Rust types (`types.rs`,
//! [`rsgen`]); [`catalog`] adds what rsgen-avro does not know (`catalog.rs`: which topic, event
//! type, entity type and privacy tier each payload belongs to, domain modules with short names,
//! the layout's trait impls, runtime validation and the embedded `.avsc` text); [`codec`] writes
//! the specialised Avro codec (`codec.rs`) and [`views`] the borrowed views (`views.rs`).
//!
//! Modules depend one way: this file → `rsgen`, `catalog`, `codec`, `views`; `catalog` →
//! `layout` (`nested`, `flat`); `views` → `codec`; everything → `context`, `emit`, `ident`,
//! which import no generator.
//!
//! ```no_run
//! // build.rs: print every diagnostic and stop the build on the first broken schema.
//! if let Err(e) = sc_events_codegen::compile_schemas("schemas") {
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```

mod catalog;
mod codec;
mod context;
mod emit;
mod error;
mod ident;
mod layout;
mod resolve;
mod rsgen;
mod views;

pub use error::CodegenError;

use context::HEADER;
use sc_events_schema::rules::lint;
use sc_events_schema::{Catalog, Diagnostic};
use std::path::{Path, PathBuf};

/// Generator settings, prost-build style: every option is a chainable method.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) schemas_dir: PathBuf,
    /// A workspace root whose `schemactl.toml` gives the layout (instead of `schemas_dir`).
    pub(crate) workspace: Option<PathBuf>,
    pub(crate) out_dir: Option<PathBuf>,
    pub(crate) extra_derives: Vec<String>,
    pub(crate) emit_rerun: bool,
    /// The absolute path the generated code names the runtime by.
    pub(crate) runtime_path: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schemas_dir: PathBuf::from("schemas"),
            workspace: None,
            out_dir: None,
            extra_derives: Vec::new(),
            emit_rerun: true,
            runtime_path: "::sc_events_runtime".into(),
        }
    }
}

/// The generated files, by name.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<(String, String)>,
}

impl Config {
    pub fn new() -> Self {
        Self::default()
    }

    /// Directory holding `*.avsc` and `topics.toml` (default `schemas`).
    pub fn schemas_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.schemas_dir = dir.into();
        self
    }

    /// A workspace root: its `schemactl.toml` says where the schemas and topics are and
    /// which layout they follow (nested or flat envelope, naming, versions); default: the
    /// social-commerce layout in `schemas_dir`.
    pub fn workspace(&mut self, root: impl Into<PathBuf>) -> &mut Self {
        self.workspace = Some(root.into());
        self
    }

    /// Where to write (default `$OUT_DIR`).
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Adds derives to every generated record (e.g. `"Default"`); adds to earlier calls.
    pub fn extra_derives<I, S>(&mut self, derives: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra_derives
            .extend(derives.into_iter().map(Into::into));
        self
    }

    /// The absolute path the generated code names the runtime crate by (default
    /// `::sc_events_runtime`), as prost-build's `prost_path`: set it when the crate depends on
    /// the runtime under another name or re-exports it (`"::my_platform::runtime"`).
    pub fn runtime_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.runtime_path = path.into();
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines (default true).
    pub fn emit_rerun_if_changed(&mut self, on: bool) -> &mut Self {
        self.emit_rerun = on;
        self
    }

    /// Stage 1: reads the schema directory and runs every check the build enforces.
    pub fn load(&self) -> Result<Catalog, CodegenError> {
        let catalog = match &self.workspace {
            Some(root) => {
                let layout = sc_events_schema::Layout::load(root).map_err(|e| {
                    CodegenError::Schemas(vec![Diagnostic::file_level(
                        sc_events_schema::Level::Error,
                        "CONFIG",
                        e.0,
                        &root.join(sc_events_schema::layout::CONFIG_FILE),
                    )])
                })?;
                Catalog::load_layout(layout)
            }
            None => Catalog::load(&self.schemas_dir),
        }
        .map_err(CodegenError::Schemas)?;
        let findings = lint::lint(&catalog);
        if !findings.is_empty() {
            return Err(CodegenError::Schemas(findings));
        }
        Ok(catalog)
    }

    /// Stage 2: generates every file in memory.
    pub fn generate(&self, catalog: &Catalog) -> Result<Generated, CodegenError> {
        let types = rsgen::generate(catalog, &self.extra_derives)?;
        let catalog_rs = catalog::generate(catalog)?;
        let codec = codec::generate(&catalog.set, &layout::fused_records(catalog));
        let views = views::generate(&catalog.set);
        let resolve = resolve::generate(&catalog.set);
        let includes = format!(
            "{HEADER}\n/// Types generated by rsgen-avro from every schema in `schemas/`.\n#[allow(clippy::all, clippy::pedantic, non_camel_case_types, dead_code)]\npub mod types {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/types.rs\"));\n}}\ninclude!(concat!(env!(\"OUT_DIR\"), \"/catalog.rs\"));\n/// The specialised Avro codec of every generated type (see `wire`).\n#[allow(clippy::all, clippy::pedantic, unused_braces, unused_parens)]\nmod generated_codec {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/codec.rs\"));\n}}\n/// The single-pass resolving decoder of every generated type (see `wire::resolve`).\n#[allow(clippy::all, clippy::pedantic, unused_braces, unused_parens, unused_variables)]\nmod generated_resolve {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/resolve.rs\"));\n}}\n/// Borrowed views of the generated types: strings and bytes point into the message.\n#[allow(clippy::all, clippy::pedantic, unused_braces, unused_parens)]\npub mod views {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/views.rs\"));\n}}\n"
        );
        let files = [
            ("types.rs", format!("{HEADER}\n{types}")),
            ("catalog.rs", catalog_rs),
            ("codec.rs", format!("{HEADER}\n{codec}")),
            ("views.rs", format!("{HEADER}\n{views}")),
            ("resolve.rs", format!("{HEADER}\n{resolve}")),
            ("_includes.rs", includes),
        ];
        Ok(Generated {
            files: files
                .into_iter()
                .map(|(name, text)| {
                    (
                        name.to_string(),
                        text.replace(context::RUNTIME, &self.runtime_path),
                    )
                })
                .collect(),
        })
    }

    /// Stage 3: loads, generates and writes to the output directory.
    pub fn compile(&self) -> Result<(), CodegenError> {
        if self.emit_rerun {
            match &self.workspace {
                Some(root) => println!(
                    "cargo:rerun-if-changed={}",
                    root.join(sc_events_schema::layout::CONFIG_FILE).display()
                ),
                None => println!("cargo:rerun-if-changed={}", self.schemas_dir.display()),
            }
        }
        let out = match &self.out_dir {
            Some(d) => d.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(CodegenError::NoOutDir)?,
        };
        let catalog = self.load()?;
        if self.emit_rerun {
            if self.workspace.is_some() {
                println!(
                    "cargo:rerun-if-changed={}",
                    catalog.layout.schemas.display()
                );
            }
            // The directory line catches added files; one line per file names what was read.
            for f in &catalog.set.files {
                println!("cargo:rerun-if-changed={}", f.path.display());
            }
            println!(
                "cargo:rerun-if-changed={}",
                catalog.topics_file.path.display()
            );
        }
        let generated = self.generate(&catalog)?;
        for (name, text) in &generated.files {
            write_file_if_changed(&out.join(name), text)?;
        }
        Ok(())
    }
}

/// Shortcut for `Config::new().schemas_dir(dir).compile()`.
pub fn compile_schemas(dir: impl AsRef<Path>) -> Result<(), CodegenError> {
    Config::new().schemas_dir(dir.as_ref()).compile()
}

fn write_file_if_changed(path: &Path, text: &str) -> Result<(), CodegenError> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| CodegenError::Io(path.to_path_buf(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
    }

    #[test]
    fn generates_types_and_glue_for_the_real_schemas() {
        let cfg = Config::new().schemas_dir(schemas()).clone();
        let cat = cfg.load().unwrap();
        let g = cfg.generate(&cat).unwrap();
        let get = |n: &str| &g.files.iter().find(|f| f.0 == n).unwrap().1;
        assert!(get("types.rs").contains("pub struct UserCreated"));
        let glue = get("catalog.rs");
        assert!(
            glue.contains("const EVENT_TYPE: &'static str = \"order.created\";"),
            "{glue}"
        );
        assert_eq!(glue.matches("impl crate::Payload for").count(), 76);
        assert_eq!(
            glue.matches("::sc_events_runtime::event::ConsumerInfo { name: ")
                .count(),
            6
        );
        assert!(glue.contains("pub enum AnyEvent {"), "{glue}");
    }

    #[test]
    fn a_broken_schema_fails_with_file_line_col() {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(schemas()).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
        let p = dir.path().join("post.avsc");
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(
            &p,
            t.replacen("\"type\": \"record\"", "\"type\": \"recrod\"", 2),
        )
        .unwrap();
        let err = Config::new().schemas_dir(dir.path()).load().unwrap_err();
        let first = err.to_string().lines().next().unwrap().to_string();
        assert!(first.contains("post.avsc:2:11:"), "{first}");
        assert!(first.contains("unknown type \"recrod\""), "{first}");
    }
}
