//! The workspace configuration, `schemactl.toml` (optional; every key has a default), and the
//! registry it selects.
//!
//! Precedence: command-line flags, then the environment (`SCHEMA_REGISTRY_URL`,
//! `SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=user:secret`, `SCHEMA_REGISTRY_BEARER_TOKEN`), then
//! the file, then the defaults. Credentials come only from the environment (or the URL), never
//! from the file, and are never printed.
//!
//! ```toml
//! schemas = "schemas"                   # the schema directory
//! [registry]
//! url = "embedded"                      # or "https://sr.example:8081", or "git:main"
//! path = ".registry/registry.db"        # the embedded registry's file
//! ca_bundle = "certs/ca.pem"            # extra CA certificates (PEM)
//! connect_timeout_ms = 10000
//! request_timeout_ms = 30000
//! retries = 3                           # on 5xx, 408, 429, connection errors, timeouts
//! retry_initial_ms = 1000               # doubled each time, jittered
//! retry_max_ms = 30000
//! [subjects]
//! envelope = "sc.events.common.Envelope" # the envelope's own subject
//! normalize = false                      # register and look up with normalize=true
//! [compatibility]
//! default = "BACKWARD"                  # for every subject without its own entry
//! subjects = { "sc.domain.order-value" = "FULL_TRANSITIVE" }
//! [policy]
//! file = "schemas/policy.toml"          # the evolution policy and its ignore entries
//! [layout]                              # where schemas and topics live, and the workspace's
//! envelope = "nested"                   # conventions: see sc_events_schema::layout
//! ```

use sc_events_registry::http::{Auth, HttpConfig, HttpRegistry, RetryPolicy, Secret};
use sc_events_registry::subjects::Naming;
use sc_events_registry::{embedded::EmbeddedRegistry, git::GitRegistry, Compatibility, Registry};
use sc_events_schema::config::{WorkspaceConfig, CONFIG_FILE};
use sc_events_schema::diag::{Diagnostic, Level};
use sc_events_schema::source::{SourceFile, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Whether opening an embedded registry may create its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// A missing file is an error (check, tail).
    Never,
    /// A missing file is created, and stderr says so (publish).
    Announce,
}

/// The command line's settings: `schemactl.toml` (read by [`WorkspaceConfig`], the one reader
/// of that file) with its compatibility levels checked.
#[derive(Debug, Default)]
pub struct Settings {
    pub config: WorkspaceConfig,
    /// Where `schemactl.toml` was read from, if it exists.
    pub file: Option<PathBuf>,
    pub default_level: Option<Compatibility>,
    pub levels: BTreeMap<String, Compatibility>,
}

fn config_error(file: &SourceFile, span: Span, message: String) -> Vec<Diagnostic> {
    vec![Diagnostic::at(Level::Error, "CONFIG", message, file, span)]
}

impl Settings {
    /// Reads `schemactl.toml` from the current directory; absent means every default.
    pub fn load() -> Result<Settings, Vec<Diagnostic>> {
        let path = Path::new(CONFIG_FILE);
        if !path.exists() {
            return Ok(Settings::default());
        }
        let file = SourceFile::read(path).map_err(|e| {
            vec![Diagnostic::file_level(
                Level::Error,
                "IO",
                format!("cannot read {CONFIG_FILE}: {e}"),
                path,
            )]
        })?;
        Self::parse(&file)
    }

    pub fn parse(file: &SourceFile) -> Result<Settings, Vec<Diagnostic>> {
        // Diagnostics show a copy with the secrets masked (same columns), and their messages
        // are scrubbed of them: a config error never echoes a password.
        let (masked, secrets) = sc_events_schema::redact::mask_config(&file.text);
        let original = file;
        let shown = SourceFile::new(file.path.clone(), masked);
        let file = &shown;
        let config = WorkspaceConfig::parse(&original.path, &original.text).map_err(|e| {
            let span = e
                .span
                .clone()
                .map_or(Span::default(), |r| Span::new(r.start, r.end));
            let message = sc_events_schema::redact::scrub(&e.message, &secrets);
            config_error(file, span, format!("invalid {CONFIG_FILE}: {message}"))
        })?;
        let level = |s: &str, what: &str| -> Result<Compatibility, Vec<Diagnostic>> {
            s.parse().map_err(|_| {
                let at = WorkspaceConfig::level_span(&file.text, s).unwrap_or(0..0);
                config_error(
                    file,
                    Span::new(at.start, at.end),
                    format!("{what}: unknown compatibility level `{s}` (BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE)"),
                )
            })
        };
        let default_level = match &config.compatibility.default {
            Some(s) => Some(level(s, "compatibility.default")?),
            None => None,
        };
        let mut levels = BTreeMap::new();
        for (subject, s) in &config.compatibility.subjects {
            levels.insert(
                subject.clone(),
                level(s, &format!("compatibility of {subject}"))?,
            );
        }
        Ok(Settings {
            config,
            file: Some(file.path.clone()),
            default_level,
            levels,
        })
    }

    /// The level the workspace declares for a subject, if any.
    pub fn declared_level(&self, subject: &str) -> Option<Compatibility> {
        self.levels.get(subject).copied().or(self.default_level)
    }

    pub fn naming(&self) -> Naming {
        let mut n = Naming::default();
        if let Some(e) = &self.config.subjects.envelope {
            n.envelope_subject = Some(e.clone());
        }
        n
    }

    /// The schema directory: `--schemas`, the file's `schemas`, else `schemas/` if it exists.
    pub fn schemas_dir(&self, flag: Option<&Path>) -> Option<PathBuf> {
        flag.map(Path::to_path_buf)
            .or_else(|| self.config.schemas.clone())
            .or_else(|| Some(PathBuf::from("schemas")).filter(|p| p.join("topics.toml").is_file()))
    }

    pub fn policy_file(&self) -> Option<PathBuf> {
        self.config
            .policy
            .file
            .clone()
            .or_else(|| Some(PathBuf::from("schemas/policy.toml")).filter(|p| p.is_file()))
    }

    pub fn embedded_path(&self) -> PathBuf {
        self.config
            .registry
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(sc_events_registry::embedded::DEFAULT_PATH))
    }

    /// Which registry: `--against`, else `SCHEMA_REGISTRY_URL`, else `schemactl.toml`'s
    /// `registry.url`, else the topic file's (`schema_registry.url` of a `topic-config.yaml`,
    /// `topic_file_url`), else embedded.
    pub fn target(&self, flag: Option<&str>, topic_file_url: Option<&str>) -> String {
        flag.map(str::to_string)
            .or_else(|| {
                std::env::var("SCHEMA_REGISTRY_URL")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .or_else(|| self.config.registry.url.clone())
            .or_else(|| topic_file_url.map(str::to_string))
            .unwrap_or_else(|| "embedded".to_string())
    }

    /// Opens the registry `target` names. A missing embedded registry file is made only when
    /// `create` allows it; otherwise it is an error that names the path (a typo in
    /// `--against embedded:PATH` must not check against an empty registry and pass).
    pub async fn open(
        &self,
        target: &str,
        schemas: Option<&Path>,
        create: Create,
    ) -> Result<Box<dyn Registry>, String> {
        let embedded = match target.strip_prefix("embedded:") {
            Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
            Some(_) => return Err("`embedded:` needs a path: embedded:PATH".into()),
            None => (target == "embedded").then(|| self.embedded_path()),
        };
        if let Some(path) = embedded {
            if !path.exists() {
                match create {
                    Create::Never => {
                        return Err(format!(
                            "no embedded registry at {}: nothing to check against (publish creates it; check a registry that exists with --against)",
                            path.display()
                        ))
                    }
                    Create::Announce => {
                        super::out::info(format_args!(
                            "creating embedded registry {}",
                            path.display()
                        ))
                    }
                }
            }
            return EmbeddedRegistry::open(&path)
                .map(|r| Box::new(r) as Box<dyn Registry>)
                .map_err(|e| e.to_string());
        }
        if let Some(reference) = target.strip_prefix("git:") {
            // The workspace's layout, with `schemas` as its schema directory when given.
            let mut layout =
                sc_events_schema::Layout::load(Path::new(".")).map_err(|e| e.to_string())?;
            if let Some(d) = schemas {
                if layout.section.topics.is_none() {
                    layout.topics = d.join("topics.toml");
                }
                layout.schemas = d.to_path_buf();
            }
            return GitRegistry::open_layout(&layout, reference, &self.naming())
                .await
                .map(|r| Box::new(r) as Box<dyn Registry>)
                .map_err(|e| e.to_string());
        }
        let scheme = |s: &str| {
            target
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        };
        if scheme("http://") || scheme("https://") {
            return HttpRegistry::new(self.http_config(target))
                .map(|r| Box::new(r) as Box<dyn Registry>)
                .map_err(|e| e.to_string());
        }
        Err(format!(
            "unknown registry `{}`: use embedded, embedded:PATH, http(s)://HOST:PORT or git:REF",
            sc_events_registry::error::clip(target)
        ))
    }

    fn http_config(&self, url: &str) -> HttpConfig {
        let r = &self.config.registry;
        let mut cfg = HttpConfig::new(url);
        let defaults = RetryPolicy::default();
        cfg.retry = RetryPolicy {
            max_retries: r.retries.unwrap_or(defaults.max_retries),
            initial_backoff_ms: r.retry_initial_ms.unwrap_or(defaults.initial_backoff_ms),
            max_backoff_ms: r.retry_max_ms.unwrap_or(defaults.max_backoff_ms),
            ..defaults
        };
        if let Some(ms) = r.connect_timeout_ms {
            cfg.connect_timeout = Duration::from_millis(ms);
        }
        if let Some(ms) = r.request_timeout_ms {
            cfg.request_timeout = Duration::from_millis(ms);
        }
        cfg.ca_bundle = r.ca_bundle.clone();
        cfg.auth = auth_from_env();
        cfg
    }
}

/// Credentials from the environment, as Confluent's clients take them.
pub fn auth_from_env() -> Auth {
    let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
    if let Some(info) = var("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO") {
        Auth::Basic(Secret::new(info))
    } else if let Some(token) = var("SCHEMA_REGISTRY_BEARER_TOKEN") {
        Auth::Bearer(Secret::new(token))
    } else {
        Auth::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section_and_points_at_a_bad_level() {
        let f = SourceFile::new(
            "schemactl.toml",
            "[registry]\nurl = \"embedded\"\n[compatibility]\ndefault = \"FULL\"\nsubjects = { \"a-value\" = \"NONE\" }\n",
        );
        let w = Settings::parse(&f).unwrap();
        assert_eq!(w.declared_level("a-value"), Some(Compatibility::None));
        assert_eq!(w.declared_level("b-value"), Some(Compatibility::Full));
        let bad = SourceFile::new(
            "schemactl.toml",
            "[compatibility]\ndefault = \"SIDEWAYS\"\n",
        );
        let e = Settings::parse(&bad).unwrap_err();
        assert_eq!(e[0].line, 2, "{e:?}");
        let unknown = SourceFile::new("schemactl.toml", "[registry]\nurll = \"x\"\n");
        let e = Settings::parse(&unknown).unwrap_err();
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("urll"), "{}", e[0].message);
    }
}
