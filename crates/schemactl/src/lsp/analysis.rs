//! The workspace as the editor sees it: the files on disk with the open documents' unsaved
//! texts laid over them, judged as the CLI judges them — `schemactl.toml`, the catalog (every
//! `.avsc` and the topic file), the lint, then the gate against the configured registry — and
//! the findings grouped per file for `textDocument/publishDiagnostics`.
//!
//! The last catalog that loaded is kept for navigation, so hover and go-to-definition keep
//! working while a file is half-typed.

use crate::config::{Create, Settings};
use sc_events_registry::Registry;
use sc_events_schema::catalog::avsc_files;
use sc_events_schema::layout::CONFIG_FILE;
use sc_events_schema::rules::lint;
use sc_events_schema::source::SourceFile;
use sc_events_schema::{Catalog, Diagnostic, Layout, Level};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The registry the gate runs against, opened once (and again after a failure, on save).
enum Baseline {
    Untried,
    Open {
        registry: Box<dyn Registry>,
        live: bool,
    },
    /// Why there is none (said once in the editor's log; the gate is skipped).
    Unavailable,
}

pub struct Workspace {
    /// The workspace root; the server runs in it, so the catalog's paths are relative to it.
    pub root: PathBuf,
    /// Open documents by absolute path.
    docs: HashMap<PathBuf, String>,
    baseline: Baseline,
    runtime: tokio::runtime::Runtime,
    /// The last catalog that loaded (navigation uses it while the current texts do not load).
    pub catalog: Option<Catalog>,
    /// The texts `catalog` was built from, by absolute path: positions are resolved in them.
    pub texts: HashMap<PathBuf, String>,
}

/// One analysis: the findings per absolute file path, and what the editor's log should say.
#[derive(Default)]
pub struct Findings {
    pub by_file: BTreeMap<PathBuf, Vec<Diagnostic>>,
    pub log: Vec<String>,
}

impl Workspace {
    pub fn new(root: PathBuf, runtime: tokio::runtime::Runtime) -> Self {
        Workspace {
            root,
            docs: HashMap::new(),
            baseline: Baseline::Untried,
            runtime,
            catalog: None,
            texts: HashMap::new(),
        }
    }

    pub fn open(&mut self, path: PathBuf, text: String) {
        self.docs.insert(path, text);
    }

    pub fn close(&mut self, path: &Path) {
        self.docs.remove(path);
    }

    /// After a save, a registry that could not be opened is tried again.
    pub fn saved(&mut self) {
        if matches!(self.baseline, Baseline::Unavailable) {
            self.baseline = Baseline::Untried;
        }
    }

    pub fn abs(&self, path: &Path) -> PathBuf {
        super::position::normalize(&self.root.join(path))
    }

    /// The text of `path` (relative to the root or absolute): the open document's, else the
    /// file's on disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        let abs = self.abs(path);
        match self.docs.get(&abs) {
            Some(t) => Some(t.clone()),
            None => std::fs::read_to_string(&abs).ok(),
        }
    }

    fn source(&self, path: &Path) -> std::io::Result<SourceFile> {
        match self.docs.get(&self.abs(path)) {
            Some(t) => Ok(SourceFile::new(path, t.clone())),
            None => SourceFile::read(path),
        }
    }

    /// Judges the workspace as it stands in the editor.
    pub fn analyze(&mut self) -> Findings {
        let mut f = Findings::default();
        let settings = match self.settings() {
            Ok(s) => s,
            Err(e) => {
                self.add(&mut f, e);
                return f;
            }
        };
        let catalog = match self.load(&settings) {
            Ok(c) => c,
            Err(e) => {
                self.add(&mut f, e);
                return f;
            }
        };
        let lint = lint::lint(&catalog);
        let clean = !lint.iter().any(|d| d.level == Level::Error);
        self.add(&mut f, lint);
        if clean {
            match self.gate(&settings, &catalog) {
                Ok(findings) => self.add(&mut f, findings),
                Err(Some(why)) => f.log.push(why),
                Err(None) => {}
            }
        }
        self.texts = catalog
            .set
            .files
            .iter()
            .chain(std::iter::once(&catalog.topics_file))
            .map(|file| (self.abs(&file.path), file.text.clone()))
            .collect();
        self.catalog = Some(catalog);
        f
    }

    fn add(&self, f: &mut Findings, diags: Vec<Diagnostic>) {
        for d in diags {
            let path = if d.file.as_os_str().is_empty() {
                self.abs(Path::new(CONFIG_FILE))
            } else {
                self.abs(&d.file)
            };
            f.by_file.entry(path).or_default().push(d);
        }
    }

    /// `schemactl.toml` (the open text when it is open); absent: every default.
    fn settings(&self) -> Result<Settings, Vec<Diagnostic>> {
        match self.text(Path::new(CONFIG_FILE)) {
            Some(text) => Settings::parse(&SourceFile::new(CONFIG_FILE, text)),
            None => Ok(Settings::default()),
        }
    }

    fn layout(&self, settings: &Settings) -> Result<Layout, Vec<Diagnostic>> {
        let config = Path::new(CONFIG_FILE);
        let loaded = match self.text(config) {
            Some(text) => Layout::parse(Path::new("."), config, &text),
            None => Layout::load(Path::new(".")),
        };
        let mut layout = loaded
            .map_err(|e| vec![Diagnostic::file_level(Level::Error, "CONFIG", e.0, config)])?;
        if let Some(dir) = settings.schemas_dir(None) {
            crate::with_schema_dir(&mut layout, &dir);
        }
        Ok(layout)
    }

    /// The catalog of the current texts: every `.avsc` under the schema directory (and any
    /// open one there not yet saved) and the topic file.
    fn load(&self, settings: &Settings) -> Result<Catalog, Vec<Diagnostic>> {
        let layout = self.layout(settings)?;
        let mut paths = avsc_files(&layout.schemas)?;
        let schemas = self.abs(&layout.schemas);
        for open in self.docs.keys() {
            let unsaved = open.extension().is_some_and(|e| e == "avsc")
                && !open.exists()
                && open.starts_with(&schemas);
            if let (true, Ok(rel)) = (unsaved, open.strip_prefix(&self.root)) {
                paths.push(rel.to_path_buf());
            }
        }
        let io = |p: &Path, e: std::io::Error| {
            vec![Diagnostic::file_level(
                Level::Error,
                "IO",
                format!("cannot read {}: {e}", p.display()),
                p,
            )]
        };
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            files.push(self.source(p).map_err(|e| io(p, e))?);
        }
        let topics = self
            .source(&layout.topics)
            .map_err(|e| io(&layout.topics, e))?;
        Catalog::from_files_layout(layout, files, topics)
    }

    /// The gate's findings against the configured registry; `Err(Some(why))` when it could
    /// not run (said in the editor's log once), `Err(None)` when that was said already.
    fn gate(
        &mut self,
        settings: &Settings,
        catalog: &Catalog,
    ) -> Result<Vec<Diagnostic>, Option<String>> {
        if let Baseline::Untried = self.baseline {
            let target = settings.target(None, catalog.registry.url.as_deref());
            let dir = settings.schemas_dir(None);
            let opened =
                self.runtime
                    .block_on(settings.open(&target, dir.as_deref(), Create::Never));
            self.baseline = match opened {
                Ok(registry) => Baseline::Open {
                    registry,
                    live: target.starts_with("http://") || target.starts_with("https://"),
                },
                Err(e) => {
                    let why = format!("the gate is off: no registry to check against ({e})");
                    self.baseline = Baseline::Unavailable;
                    return Err(Some(why));
                }
            };
        }
        let Baseline::Open { registry, live } = &self.baseline else {
            return Err(None);
        };
        let report = self
            .runtime
            .block_on(crate::gate::run(
                settings,
                catalog,
                registry.as_ref(),
                *live,
            ))
            .map_err(|e| {
                Some(format!(
                    "the gate could not run against {}: {e}",
                    registry.describe()
                ))
            })?;
        Ok(report.findings)
    }
}
