//! Which directory a command runs in, as cargo and buf find theirs: `--workspace DIR` (paths
//! in other arguments then relative to DIR, as `git -C`), else `--config FILE` (the directory
//! of that `schemactl.toml`), else the nearest ancestor of the current directory holding a
//! `schemactl.toml` or, for the social-commerce layout without one, a `schemas/topics.toml`;
//! else the current directory (where a workspace command then reports WORKSPACE, exit 2).
//! In the last three cases relative paths in arguments keep meaning what they meant where the
//! user typed them: they are resolved against the original directory before changing to the
//! root.

use super::{Command, RegistryCommand};
use sc_events_schema::config::CONFIG_FILE;
use std::path::{Path, PathBuf};

/// How the root was found, for `-v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Workspace,
    Config,
    Ancestor,
    CurrentDir,
}

/// The nearest of `start` and its ancestors that holds a workspace.
pub fn ancestor(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(CONFIG_FILE).is_file() || d.join("schemas").join("topics.toml").is_file())
        .map(Path::to_path_buf)
}

/// The root and how it was found; `Err` is the message of a bad `--config`.
pub fn root(
    workspace: Option<&Path>,
    config: Option<&Path>,
    cwd: &Path,
) -> Result<(PathBuf, Found), String> {
    if let Some(dir) = workspace {
        return Ok((dir.to_path_buf(), Found::Workspace));
    }
    if let Some(file) = config {
        if file.file_name().is_none_or(|n| n != CONFIG_FILE) {
            return Err(format!(
                "--config {} must name a {CONFIG_FILE} (its directory is the workspace root)",
                file.display()
            ));
        }
        let file = cwd.join(file);
        if !file.is_file() {
            return Err(format!("--config {}: no such file", file.display()));
        }
        let dir = file
            .parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
        return Ok((dir, Found::Config));
    }
    Ok(match ancestor(cwd) {
        Some(dir) => (dir, Found::Ancestor),
        None => (cwd.to_path_buf(), Found::CurrentDir),
    })
}

fn rebase(p: &mut PathBuf, base: &Path) {
    if p.is_relative() {
        *p = base.join(&*p);
    }
}

fn rebase_opt(p: &mut Option<PathBuf>, base: &Path) {
    if let Some(p) = p {
        rebase(p, base);
    }
}

/// Every path argument of `command` made absolute against `base` (the directory the user
/// typed them in).
pub fn rebase_paths(command: &mut Command, base: &Path) {
    match command {
        Command::Lint { dir, .. } => rebase_opt(dir, base),
        Command::Catalog { schemas, .. }
        | Command::Check { schemas, .. }
        | Command::Publish { schemas, .. } => rebase_opt(schemas, base),
        Command::Compat {
            new,
            existing,
            refs,
            policy_file,
            ..
        } => {
            rebase(new, base);
            existing
                .iter_mut()
                .chain(refs.iter_mut())
                .for_each(|p| rebase(p, base));
            rebase_opt(policy_file, base);
        }
        Command::Topics { command } => {
            let (super::topics::TopicsCommand::Plan(a) | super::topics::TopicsCommand::Apply(a)) =
                command;
            rebase_opt(&mut a.schemas, base);
        }
        Command::Import { command } => {
            let super::import::ImportCommand::Jsonschema { files, out, .. } = command;
            files.iter_mut().for_each(|p| rebase(p, base));
            rebase(out, base);
        }
        Command::Registry {
            command: RegistryCommand::Serve { db, .. },
        } => rebase_opt(db, base),
        Command::Fmt(args) => args.paths.iter_mut().for_each(|p| rebase(p, base)),
        Command::Docs(args) => {
            rebase(&mut args.out, base);
            rebase_opt(&mut args.schemas, base);
        }
        Command::Rules { .. }
        | Command::Tail(_)
        | Command::Lsp
        | Command::Completions { .. }
        | Command::Man => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_workspace_ancestor_wins() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = dir.path().join("ws");
        let inner = ws.join("examples").join("x");
        std::fs::create_dir_all(inner.join("schemas").join("deep")).expect("mkdir");
        std::fs::create_dir_all(ws.join("schemas")).expect("mkdir");
        std::fs::write(ws.join("schemas").join("topics.toml"), "").expect("write");
        std::fs::write(inner.join(CONFIG_FILE), "").expect("write");
        assert_eq!(
            ancestor(&inner.join("schemas").join("deep")),
            Some(inner.clone())
        );
        assert_eq!(ancestor(&ws.join("schemas")), Some(ws.clone()));
        assert_eq!(ancestor(&ws.join("examples")), Some(ws.clone()));
        let (root, found) = root(None, Some(Path::new("schemactl.toml")), &inner).expect("root");
        assert_eq!((root, found), (inner.clone(), Found::Config));
        assert!(super::root(None, Some(Path::new("other.toml")), &inner).is_err());
    }
}
