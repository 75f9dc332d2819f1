//! `docker-compose.yml` as CI can check it without a Docker engine: the services the README
//! names, every image pinned to a version, Kafka in KRaft mode, a health check behind every
//! `service_healthy`, and every schemactl command line a service runs accepted by this build.

/// The repository root: the social-commerce workspace, and the examples under it.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

/// The services the README's commands name.
const SERVICES: [&str; 4] = ["kafka", "schema-registry", "topics", "publish"];

/// The services that run schemactl.
const SCHEMACTL_JOBS: [&str; 2] = ["topics", "publish"];

/// `services` of docker-compose.yml, in file order.
fn services() -> Vec<(String, Yaml)> {
    let path = Path::new(ROOT).join("docker-compose.yml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    let [doc] = docs.as_slice() else {
        panic!(
            "{} holds {} YAML documents, want 1",
            path.display(),
            docs.len()
        );
    };
    let services = doc["services"]
        .as_hash()
        .expect("docker-compose.yml: no `services` mapping at the top level");
    services
        .iter()
        .map(|(name, service)| {
            let name = scalar(name).expect("docker-compose.yml: a service name is not a string");
            (name, service.clone())
        })
        .collect()
}

fn service<'a>(services: &'a [(String, Yaml)], name: &str) -> Option<&'a Yaml> {
    services.iter().find(|(n, _)| n == name).map(|(_, s)| s)
}

/// A scalar as text (compose accepts numbers and booleans where it means strings).
fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `environment` as (name, value) pairs, from either the mapping or the `NAME=value` list form.
fn environment(service: &Yaml) -> Vec<(String, String)> {
    let env = &service["environment"];
    if let Some(map) = env.as_hash() {
        return map
            .iter()
            .map(|(k, v)| (scalar(k).unwrap_or_default(), scalar(v).unwrap_or_default()))
            .collect();
    }
    env.as_vec()
        .into_iter()
        .flatten()
        .filter_map(scalar)
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (entry, String::new()),
        })
        .collect()
}

/// The words of `entrypoint` then `command`, each in string or list form.
fn command_words(service: &Yaml) -> Vec<String> {
    let mut words = Vec::new();
    for key in ["entrypoint", "command"] {
        let parts: Vec<String> = match &service[key] {
            Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect(),
        };
        words.extend(
            parts
                .iter()
                .flat_map(|p| p.split_whitespace().map(str::to_owned)),
        );
    }
    words
}

/// The arguments schemactl receives, if the service runs it (directly, by path, or as
/// `cargo run --bin schemactl -- ...`).
fn schemactl_args(service: &Yaml) -> Option<Vec<String>> {
    let words = command_words(service);
    let at = words
        .iter()
        .position(|w| w.rsplit(['/', '=']).next() == Some("schemactl"))?;
    let mut args = &words[at + 1..];
    if args.first().map(String::as_str) == Some("--") {
        args = &args[1..];
    }
    Some(args.to_vec())
}

/// The subcommand words (those before the first flag) and the `--flags` used.
fn split_args(args: &[String]) -> (Vec<String>, Vec<String>) {
    let subcommand = args.iter().take_while(|a| !a.starts_with('-')).cloned();
    let flags = args
        .iter()
        .filter(|a| a.starts_with("--") && a.len() > 2)
        .map(|a| a.split('=').next().unwrap_or(a).to_owned());
    (subcommand.collect(), flags.collect())
}

/// Whether `help` names `flag` as a whole word (`--bootstrap` is not `--bootstrap-servers`).
fn mentions_flag(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        help[at + flag.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
    })
}

/// The tag of `repo[:port]/name:tag[@digest]`, if it has one.
fn image_tag(image: &str) -> Option<&str> {
    let image = image.split('@').next().unwrap_or(image);
    let name = image.rsplit('/').next().unwrap_or(image);
    name.split_once(':').map(|(_, tag)| tag)
}

/// Digits and dots, at least `MAJOR.MINOR`: `3.9.1`, `1.95.0`.
fn looks_like_version(tag: &str) -> bool {
    let parts: Vec<&str> = tag.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "docker-compose.yml: {what}:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn has_the_readme_services_each_with_an_image_or_a_build() {
    let services = services();
    let mut problems = Vec::new();
    for name in SERVICES {
        if service(&services, name).is_none() {
            problems.push(format!("service `{name}` is missing"));
        }
    }
    for (name, s) in &services {
        if s["image"].is_badvalue() && s["build"].is_badvalue() {
            problems.push(format!("service `{name}` has neither `image` nor `build`"));
        }
    }
    assert_no_problems("structure", &problems);
}

#[test]
fn every_image_is_pinned_to_a_version() {
    let mut problems = Vec::new();
    for (name, s) in &services() {
        let Some(image) = scalar(&s["image"]) else {
            if !s["image"].is_badvalue() {
                problems.push(format!("service `{name}`: `image` is not a string"));
            }
            continue;
        };
        match image_tag(&image) {
            None => problems.push(format!("service `{name}`: image `{image}` has no tag")),
            Some("latest") => {
                problems.push(format!("service `{name}`: image `{image}` is `latest`"))
            }
            Some(tag) if !looks_like_version(tag) => problems.push(format!(
                "service `{name}`: image `{image}`: tag `{tag}` is not a version (digits and dots)"
            )),
            Some(_) => {}
        }
    }
    assert_no_problems("unpinned images", &problems);
}

#[test]
fn kafka_runs_in_kraft_mode_without_zookeeper() {
    let services = services();
    let kafka = service(&services, "kafka").expect("docker-compose.yml: no `kafka` service");
    let env = environment(kafka);
    let roles = env
        .iter()
        .find(|(k, _)| k == "KAFKA_PROCESS_ROLES")
        .map(|(_, v)| v.as_str())
        .expect("docker-compose.yml: service `kafka` does not set KAFKA_PROCESS_ROLES (KRaft)");
    for role in ["broker", "controller"] {
        assert!(
            roles.split(',').any(|r| r.trim() == role),
            "docker-compose.yml: service `kafka`: KAFKA_PROCESS_ROLES is `{roles}`, lacks `{role}`"
        );
    }

    let mut problems = Vec::new();
    for (name, s) in &services {
        let image = scalar(&s["image"]).unwrap_or_default();
        if name.to_lowercase().contains("zookeeper") || image.to_lowercase().contains("zookeeper") {
            problems.push(format!("service `{name}` (image `{image}`) is ZooKeeper"));
        }
        for (k, v) in environment(s) {
            if format!("{k}={v}").to_lowercase().contains("zookeeper") {
                problems.push(format!(
                    "service `{name}`: environment `{k}` mentions ZooKeeper"
                ));
            }
        }
    }
    assert_no_problems("ZooKeeper in a KRaft stack", &problems);
}

#[test]
fn every_schemactl_command_line_is_accepted_by_the_cli() {
    let services = services();
    let mut problems = Vec::new();
    for name in SCHEMACTL_JOBS {
        let s = service(&services, name)
            .unwrap_or_else(|| panic!("docker-compose.yml: no `{name}` service"));
        if schemactl_args(s).is_none() {
            problems.push(format!(
                "service `{name}`: runs no schemactl command (found `{}`)",
                command_words(s).join(" ")
            ));
        }
    }
    for (name, s) in &services {
        let Some(args) = schemactl_args(s) else {
            continue;
        };
        let (subcommand, flags) = split_args(&args);
        let shown = format!("schemactl {}", subcommand.join(" "));
        let out = Command::new(env!("CARGO_BIN_EXE_schemactl"))
            .args(&subcommand)
            .arg("--help")
            .output()
            .unwrap_or_else(|e| panic!("cannot run schemactl: {e}"));
        if !out.status.success() {
            problems.push(format!(
                "service `{name}`: `{shown} --help` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
            continue;
        }
        let help = String::from_utf8_lossy(&out.stdout);
        for flag in flags {
            if !mentions_flag(&help, &flag) {
                problems.push(format!(
                    "service `{name}`: `{shown}` has no flag `{flag}` (not in its --help)"
                ));
            }
        }
    }
    assert_no_problems("schemactl command lines", &problems);
}

#[test]
fn depends_on_names_services_and_waits_only_on_health_checks_that_exist() {
    let services = services();
    let mut problems = Vec::new();
    for (name, s) in &services {
        let deps: Vec<(String, String)> = match &s["depends_on"] {
            Yaml::Array(items) => items
                .iter()
                .map(|d| (scalar(d).unwrap_or_default(), "service_started".to_owned()))
                .collect(),
            Yaml::Hash(map) => map
                .iter()
                .map(|(d, spec)| {
                    let condition = scalar(&spec["condition"]);
                    let dep = scalar(d).unwrap_or_default();
                    (
                        dep,
                        condition.unwrap_or_else(|| "service_started".to_owned()),
                    )
                })
                .collect(),
            Yaml::BadValue => Vec::new(),
            _ => {
                problems.push(format!(
                    "service `{name}`: `depends_on` is neither a list nor a map"
                ));
                Vec::new()
            }
        };
        for (dep, condition) in deps {
            let Some(target) = service(&services, &dep) else {
                problems.push(format!(
                    "service `{name}` depends on `{dep}`, which is not a service"
                ));
                continue;
            };
            match condition.as_str() {
                "service_started" | "service_completed_successfully" => {}
                "service_healthy" => {
                    let check = &target["healthcheck"];
                    let disabled = check["disable"].as_bool() == Some(true);
                    if check["test"].is_badvalue() || disabled {
                        problems.push(format!(
                            "service `{name}` waits for `{dep}` to be healthy, but `{dep}` has no healthcheck test"
                        ));
                    }
                }
                other => problems.push(format!(
                    "service `{name}`: depends_on `{dep}` has unknown condition `{other}`"
                )),
            }
        }
    }
    assert_no_problems("depends_on", &problems);
}

#[test]
fn the_helpers_read_compose_forms() {
    let doc = &YamlLoader::load_from_str(
        "a:\n  entrypoint: /usr/local/bin/schemactl\n  command: topics apply --bootstrap=k:1 x\n  environment:\n    - A=1\n    - B\n",
    )
    .expect("test YAML parses")[0];
    let args = schemactl_args(&doc["a"]).expect("finds schemactl by path");
    let (subcommand, flags) = split_args(&args);
    assert_eq!(subcommand, ["topics", "apply"]);
    assert_eq!(flags, ["--bootstrap"]);
    assert_eq!(
        environment(&doc["a"]),
        [
            ("A".to_owned(), "1".to_owned()),
            ("B".to_owned(), String::new())
        ]
    );
    assert_eq!(
        image_tag("localhost:5000/x/rust:1.95.0@sha256:ab"),
        Some("1.95.0")
    );
    assert_eq!(image_tag("localhost:5000/rust"), None);
    assert!(looks_like_version("7.9.2") && !looks_like_version("7") && !looks_like_version("7.x"));
    assert!(mentions_flag("  --against <URL>\n", "--against"));
    assert!(!mentions_flag("  --bootstrap-servers <B>\n", "--bootstrap"));
}
