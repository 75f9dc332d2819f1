//! Registry errors: Confluent's error codes as a typed [`ErrorKind`], with messages that say what
//! to do, plus the transport failures of a remote registry. The embedded registry and the REST
//! server produce the same codes Confluent does, so clients cannot tell them apart.

use std::fmt;

/// The most characters of user-supplied text (a subject, a version string) an error quotes.
const CLIP: usize = 200;

/// User text shortened for an error message (control characters shown as U+FFFD), so a
/// 10 KB subject does not make a 10 KB error: [`sc_events_schema::text::cap`].
pub fn clip(s: &str) -> String {
    sc_events_schema::text::cap(s.chars().map(printable).collect(), CLIP)
}

fn printable(c: char) -> char {
    if c.is_control() {
        '\u{FFFD}'
    } else {
        c
    }
}

/// Confluent's error codes (`error_code` in the JSON error body), by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Unauthorized,
    Forbidden,
    SubjectNotFound,
    VersionNotFound,
    SchemaNotFound,
    SubjectSoftDeleted,
    SubjectNotSoftDeleted,
    VersionSoftDeleted,
    VersionNotSoftDeleted,
    SubjectCompatibilityNotConfigured,
    SubjectModeNotConfigured,
    /// HTTP 409: `error_code` 409 before Confluent 8.2, 40901 since.
    Incompatible,
    InvalidSchema,
    InvalidVersion,
    InvalidCompatibility,
    InvalidMode,
    OperationNotPermitted,
    ReferenceExists,
    InvalidSubject,
    /// The DEK registry has no such key-encryption key (40470).
    KekNotFound,
    /// The DEK registry has no such data key (40471).
    DekNotFound,
    /// A key-encryption key of this name exists with other settings (40972).
    KekExists,
    /// This data key version exists (40973).
    DekExists,
    /// A request the server could not read (bad JSON, a body over the limit).
    BadRequest,
    NotFound,
    Store,
    Timeout,
    /// Any other code.
    Other,
}

impl ErrorKind {
    /// The kind of a Confluent `error_code`.
    pub fn from_code(code: i32) -> Self {
        match code {
            401 | 40101 => ErrorKind::Unauthorized,
            403 | 40301 => ErrorKind::Forbidden,
            40401 => ErrorKind::SubjectNotFound,
            40402 => ErrorKind::VersionNotFound,
            40403 => ErrorKind::SchemaNotFound,
            40404 => ErrorKind::SubjectSoftDeleted,
            40405 => ErrorKind::SubjectNotSoftDeleted,
            40406 => ErrorKind::VersionSoftDeleted,
            40407 => ErrorKind::VersionNotSoftDeleted,
            40408 => ErrorKind::SubjectCompatibilityNotConfigured,
            40409 => ErrorKind::SubjectModeNotConfigured,
            404 => ErrorKind::NotFound,
            409 | 40901 => ErrorKind::Incompatible,
            42201 => ErrorKind::InvalidSchema,
            42202 => ErrorKind::InvalidVersion,
            42203 => ErrorKind::InvalidCompatibility,
            42204 => ErrorKind::InvalidMode,
            42205 => ErrorKind::OperationNotPermitted,
            42206 => ErrorKind::ReferenceExists,
            42208 => ErrorKind::InvalidSubject,
            40470 => ErrorKind::KekNotFound,
            40471 => ErrorKind::DekNotFound,
            40972 => ErrorKind::KekExists,
            40973 => ErrorKind::DekExists,
            400 | 413 | 415 | 422 => ErrorKind::BadRequest,
            50001 => ErrorKind::Store,
            50002 => ErrorKind::Timeout,
            _ => ErrorKind::Other,
        }
    }

    /// The code this registry answers with, and its HTTP status.
    pub fn code(self) -> (u16, i32) {
        match self {
            ErrorKind::Unauthorized => (401, 401),
            ErrorKind::Forbidden => (403, 403),
            ErrorKind::SubjectNotFound => (404, 40401),
            ErrorKind::VersionNotFound => (404, 40402),
            ErrorKind::SchemaNotFound => (404, 40403),
            ErrorKind::SubjectSoftDeleted => (404, 40404),
            ErrorKind::SubjectNotSoftDeleted => (404, 40405),
            ErrorKind::VersionSoftDeleted => (404, 40406),
            ErrorKind::VersionNotSoftDeleted => (404, 40407),
            ErrorKind::SubjectCompatibilityNotConfigured => (404, 40408),
            ErrorKind::SubjectModeNotConfigured => (404, 40409),
            ErrorKind::NotFound => (404, 404),
            ErrorKind::Incompatible => (409, 409),
            ErrorKind::InvalidSchema => (422, 42201),
            ErrorKind::InvalidVersion => (422, 42202),
            ErrorKind::InvalidCompatibility => (422, 42203),
            ErrorKind::InvalidMode => (422, 42204),
            ErrorKind::OperationNotPermitted => (422, 42205),
            ErrorKind::ReferenceExists => (422, 42206),
            ErrorKind::InvalidSubject => (422, 42208),
            ErrorKind::KekNotFound => (404, 40470),
            ErrorKind::DekNotFound => (404, 40471),
            ErrorKind::KekExists => (409, 40972),
            ErrorKind::DekExists => (409, 40973),
            ErrorKind::BadRequest => (400, 400),
            ErrorKind::Store => (500, 50001),
            ErrorKind::Timeout => (500, 50002),
            ErrorKind::Other => (500, 500),
        }
    }

    /// What the user should do about an error of this kind.
    pub fn advice(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "check the credentials (SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=user:secret or SCHEMA_REGISTRY_BEARER_TOKEN)",
            ErrorKind::Forbidden => "the credentials are valid but lack permission for this subject",
            ErrorKind::SubjectNotFound => "nothing is registered under this subject yet; `schemactl publish` registers it",
            ErrorKind::VersionNotFound => "list the subject's versions with GET /subjects/{subject}/versions",
            ErrorKind::SchemaNotFound => "no schema with this id or content is registered",
            ErrorKind::SubjectSoftDeleted => "the subject was soft-deleted; delete it with permanent=true, or register a schema to revive it",
            ErrorKind::SubjectNotSoftDeleted | ErrorKind::VersionNotSoftDeleted => "soft-delete first (without permanent=true), then delete permanently",
            ErrorKind::VersionSoftDeleted => "the version was soft-deleted; pass deleted=true to read it",
            ErrorKind::SubjectCompatibilityNotConfigured | ErrorKind::SubjectModeNotConfigured => "the subject uses the global setting; pass defaultToGlobal=true to read it",
            ErrorKind::NotFound => "check the registry URL and path",
            ErrorKind::Incompatible => "make the change compatible (see the messages), or change the subject's compatibility level on purpose",
            ErrorKind::InvalidSchema => "fix the schema (see the message); `schemactl lint` shows the line",
            ErrorKind::InvalidVersion => "versions are numbers from 1, or \"latest\"",
            ErrorKind::InvalidCompatibility => "use BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE",
            ErrorKind::InvalidMode => "use READWRITE, READONLY or IMPORT",
            ErrorKind::OperationNotPermitted => "the registry or subject is in a mode that forbids this (READONLY, or IMPORT rules)",
            ErrorKind::ReferenceExists => "other schemas reference this version; delete those first",
            ErrorKind::InvalidSubject => "subjects are 1 to 1024 bytes without control characters, and not `.` or `..`",
            ErrorKind::KekNotFound => "register the key-encryption key (a producer with a KMS does it on its first encrypted write)",
            ErrorKind::DekNotFound => "no data key for this subject yet: a producer holding the key-encryption key creates it",
            ErrorKind::KekExists | ErrorKind::DekExists => "the key exists already; read it instead of registering it again",
            ErrorKind::BadRequest => "the request could not be read",
            ErrorKind::Store | ErrorKind::Timeout | ErrorKind::Other => "the registry failed; retry later or check its logs",
        }
    }
}

/// Why a registry call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// The registry answered with a Confluent error.
    Api {
        kind: ErrorKind,
        status: u16,
        code: i32,
        message: String,
    },
    /// No answer: connection refused or reset, DNS, TLS (after the retries).
    Transport(String),
    /// No answer in time (after the retries).
    TimedOut(String),
    /// An answer that is not what Confluent's API returns.
    Malformed(String),
    /// The client is misconfigured (URL, CA bundle, credentials format).
    Config(String),
}

pub type Result<T> = std::result::Result<T, RegistryError>;

impl RegistryError {
    /// An error of `kind` with Confluent's code for it.
    pub fn api(kind: ErrorKind, message: impl Into<String>) -> Self {
        let (status, code) = kind.code();
        RegistryError::Api {
            kind,
            status,
            code,
            message: message.into(),
        }
    }

    /// An error answer as received (any code, any status).
    pub fn from_answer(status: u16, code: i32, message: impl Into<String>) -> Self {
        let kind = match ErrorKind::from_code(code) {
            ErrorKind::Other => ErrorKind::from_code(i32::from(status)),
            k => k,
        };
        RegistryError::Api {
            kind,
            status,
            code,
            message: message.into(),
        }
    }

    pub fn subject_not_found(subject: &str) -> Self {
        Self::api(
            ErrorKind::SubjectNotFound,
            format!("Subject '{}' not found.", clip(subject)),
        )
    }

    pub fn version_not_found(version: impl fmt::Display) -> Self {
        Self::api(
            ErrorKind::VersionNotFound,
            format!("Version {version} not found."),
        )
    }

    pub fn schema_not_found(what: impl fmt::Display) -> Self {
        Self::api(
            ErrorKind::SchemaNotFound,
            format!("Schema {what} not found"),
        )
    }

    pub fn store(e: impl fmt::Display) -> Self {
        Self::api(
            ErrorKind::Store,
            format!("Error in the backend data store: {e}"),
        )
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            RegistryError::Api { kind, .. } => *kind,
            RegistryError::TimedOut(_) => ErrorKind::Timeout,
            _ => ErrorKind::Other,
        }
    }

    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind() == kind
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Api {
                kind,
                status,
                code,
                message,
            } => write!(
                f,
                "registry error {code} (HTTP {status}): {message}; {}",
                kind.advice()
            ),
            RegistryError::Transport(m) => write!(
                f,
                "cannot reach the registry: {m}; check the URL and that it is running"
            ),
            RegistryError::TimedOut(m) => write!(
                f,
                "the registry did not answer in time: {m}; raise the timeout or retry later"
            ),
            RegistryError::Malformed(m) => {
                write!(f, "the registry's answer is not Confluent's API: {m}")
            }
            RegistryError::Config(m) => write!(f, "registry configuration: {m}"),
        }
    }
}

impl std::error::Error for RegistryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_incompatible_codes_are_typed() {
        for code in [409, 40901] {
            let e = RegistryError::from_answer(409, code, "x");
            assert!(e.is(ErrorKind::Incompatible));
        }
        assert!(RegistryError::from_answer(404, 40401, "x").is(ErrorKind::SubjectNotFound));
        assert!(RegistryError::from_answer(401, 0, "x").is(ErrorKind::Unauthorized));
    }

    #[test]
    fn clip_bounds_user_text() {
        let long = "a".repeat(10_000);
        assert!(clip(&long).len() < 300);
        assert_eq!(clip("a\u{1}b"), "a\u{FFFD}b");
    }
}
