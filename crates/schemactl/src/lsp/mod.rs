//! `schemactl lsp`: a Language Server for the workspace's `.avsc` files, its topic file and
//! `schemactl.toml`, over stdio (rust-analyzer's `lsp-server` transport).
//!
//! On open, on every change and on save the workspace is judged again with the editor's
//! unsaved texts ([`analysis`]): parse and catalog errors, the lint, and the gate against the
//! configured registry, each finding at its `.avsc` range with its fix hint; the mechanical
//! fixes are code actions ([`edit`]). Hover, go to definition and find references read the
//! last catalog that loaded ([`navigate`]); completion and formatting read the open text.

mod analysis;
mod edit;
mod navigate;
mod position;

use analysis::Workspace;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionOptions, CompletionParams, Diagnostic as LspDiagnostic,
    DiagnosticSeverity, DocumentFormattingParams, GotoDefinitionParams, GotoDefinitionResponse,
    Hover, HoverContents, HoverParams, HoverProviderCapability, Location, MarkupContent,
    MarkupKind, MessageType, NumberOrString, OneOf, PublishDiagnosticsParams, ReferenceParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Url, WorkspaceEdit,
};
use sc_events_schema::{Diagnostic, Level};
use std::collections::{HashMap, HashSet};
use std::process::ExitCode;

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), ".".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves the workspace in the current directory until the client says `exit`.
pub fn run() -> ExitCode {
    // Long-lived: the gate runs on every change, against registered versions parsed once.
    sc_events_registry::parsed_cache::keep(true);
    let runtime = match crate::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let root = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            crate::out::error(format_args!("cannot read the current directory: {e}"));
            return ExitCode::from(2);
        }
    };
    let (connection, io) = Connection::stdio();
    let caps = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "schemactl", "version": env!("CARGO_PKG_VERSION")},
    });
    let started = connection
        .initialize_start()
        .and_then(|(id, _)| connection.initialize_finish(id, caps));
    if let Err(e) = started {
        crate::out::error(format_args!(
            "the editor did not initialize the server: {e}"
        ));
        return ExitCode::from(2);
    }
    let mut server = Server {
        ws: Workspace::new(root, runtime),
        connection: &connection,
        published: HashSet::new(),
        dirty: false,
    };
    let code = server.serve();
    drop(connection);
    let _ = io.join();
    code
}

struct Server<'a> {
    ws: Workspace,
    connection: &'a Connection,
    /// The documents that have diagnostics on the client, to clear when they have none.
    published: HashSet<Url>,
    /// A text changed since the last analysis.
    dirty: bool,
}

impl Server<'_> {
    fn serve(&mut self) -> ExitCode {
        while let Ok(msg) = self.connection.receiver.recv() {
            match msg {
                Message::Request(r) => match self.connection.handle_shutdown(&r) {
                    Ok(true) => return ExitCode::SUCCESS,
                    Ok(false) => self.request(r),
                    Err(_) => return ExitCode::from(2),
                },
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
            // Changes typed faster than the analysis runs are judged once, at the last one.
            if self.dirty && self.connection.receiver.is_empty() {
                self.dirty = false;
                self.publish();
            }
        }
        ExitCode::SUCCESS
    }

    fn send(&self, msg: Message) {
        let _ = self.connection.sender.send(msg);
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    if let Some(path) = position::path_of(&p.text_document.uri) {
                        self.ws.open(path, p.text_document.text);
                        self.dirty = true;
                    }
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                {
                    let path = position::path_of(&p.text_document.uri);
                    if let (Some(path), Some(change)) = (path, p.content_changes.into_iter().last())
                    {
                        self.ws.open(path, change.text);
                        self.dirty = true;
                    }
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    if let Some(path) = position::path_of(&p.text_document.uri) {
                        self.ws.close(&path);
                        self.dirty = true;
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => {
                self.ws.saved();
                self.dirty = true;
            }
            _ => {}
        }
    }

    /// Judges the workspace and sends every file's diagnostics (clearing those now clean).
    fn publish(&mut self) {
        let findings = self.ws.analyze();
        for line in findings.log {
            self.notify(
                note::LogMessage::METHOD,
                lsp_types::LogMessageParams {
                    typ: MessageType::WARNING,
                    message: line,
                },
            );
        }
        let mut now = HashSet::new();
        for (path, diags) in &findings.by_file {
            let Some(uri) = position::uri_of(&self.ws.root, path) else {
                continue;
            };
            let text = self.ws.text(path).unwrap_or_default();
            let diagnostics = diags.iter().map(|d| to_lsp(&text, d)).collect();
            self.notify(
                note::PublishDiagnostics::METHOD,
                PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics,
                    version: None,
                },
            );
            now.insert(uri);
        }
        for uri in self.published.difference(&now) {
            self.notify(
                note::PublishDiagnostics::METHOD,
                PublishDiagnosticsParams {
                    uri: uri.clone(),
                    diagnostics: Vec::new(),
                    version: None,
                },
            );
        }
        self.published = now;
    }

    fn request(&mut self, r: Request) {
        // A request answers about the texts as they are now: judge pending changes first.
        if self.dirty {
            self.dirty = false;
            self.publish();
        }
        let id = r.id.clone();
        let result = match r.method.as_str() {
            req::HoverRequest::METHOD => parse::<HoverParams>(r).map(|p| {
                let at = p.text_document_position_params;
                to_value(self.hover(&at.text_document.uri, at.position))
            }),
            req::GotoDefinition::METHOD => parse::<GotoDefinitionParams>(r).map(|p| {
                let at = p.text_document_position_params;
                to_value(
                    self.definition(&at.text_document.uri, at.position)
                        .map(GotoDefinitionResponse::Scalar),
                )
            }),
            req::References::METHOD => parse::<ReferenceParams>(r).map(|p| {
                let at = p.text_document_position;
                to_value(self.references(
                    &at.text_document.uri,
                    at.position,
                    p.context.include_declaration,
                ))
            }),
            req::Completion::METHOD => parse::<CompletionParams>(r).map(|p| {
                let at = p.text_document_position;
                let text = self.current_text(&at.text_document.uri);
                let offset = position::offset(&text, at.position);
                to_value(edit::completions(self.ws.catalog.as_ref(), &text, offset))
            }),
            req::Formatting::METHOD => parse::<DocumentFormattingParams>(r).and_then(|p| {
                let text = self.current_text(&p.text_document.uri);
                edit::format(&text)
                    .map(|e| to_value(e.into_iter().collect::<Vec<_>>()))
                    .map_err(|m| (ErrorCode::RequestFailed, m))
            }),
            req::CodeActionRequest::METHOD => {
                parse::<CodeActionParams>(r).map(|p| to_value(self.code_actions(p)))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("{} is not supported", r.method),
            )),
        };
        self.respond(id, result);
    }

    fn respond(&self, id: RequestId, result: Result<serde_json::Value, (ErrorCode, String)>) {
        let response = match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(Message::Response(response));
    }

    fn current_text(&self, uri: &Url) -> String {
        position::path_of(uri)
            .and_then(|p| self.ws.text(&p))
            .unwrap_or_default()
    }

    /// The catalog's file id and byte offset of a position, in the text the catalog was read from.
    fn locate(&self, uri: &Url, at: lsp_types::Position) -> Option<(usize, usize)> {
        let path = position::path_of(uri)?;
        let catalog = self.ws.catalog.as_ref()?;
        let file = catalog
            .set
            .files
            .iter()
            .position(|f| self.ws.abs(&f.path) == path)?;
        let text = self.ws.texts.get(&path)?;
        Some((file, position::offset(text, at)))
    }

    fn hover(&self, uri: &Url, at: lsp_types::Position) -> Option<Hover> {
        let (file, offset) = self.locate(uri, at)?;
        let catalog = self.ws.catalog.as_ref()?;
        let target = navigate::target_at(catalog, file, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: navigate::hover(catalog, &target),
            }),
            range: None,
        })
    }

    /// The named type under the cursor (a field: its type, when that is named).
    fn type_at(&self, uri: &Url, at: lsp_types::Position) -> Option<usize> {
        let (file, offset) = self.locate(uri, at)?;
        let catalog = self.ws.catalog.as_ref()?;
        match navigate::target_at(catalog, file, offset)? {
            navigate::Target::Type(id) => Some(id),
            navigate::Target::Field(_, f) => match f.ty.non_null().kind {
                sc_events_schema::model::Kind::Named(id) => Some(id),
                _ => None,
            },
        }
    }

    fn location(&self, file: usize, span: sc_events_schema::source::Span) -> Option<Location> {
        let f = &self.ws.catalog.as_ref()?.set.files[file];
        let uri = position::uri_of(&self.ws.root, &f.path)?;
        Some(Location::new(uri, position::range(&f.text, span)))
    }

    fn definition(&self, uri: &Url, at: lsp_types::Position) -> Option<Location> {
        let id = self.type_at(uri, at)?;
        let t = &self.ws.catalog.as_ref()?.set.types[id];
        self.location(t.file, t.name_span)
    }

    fn references(&self, uri: &Url, at: lsp_types::Position, declaration: bool) -> Vec<Location> {
        let (Some(id), Some(catalog)) = (self.type_at(uri, at), self.ws.catalog.as_ref()) else {
            return Vec::new();
        };
        let t = &catalog.set.types[id];
        let decl = declaration.then_some((t.file, t.name_span));
        decl.into_iter()
            .chain(navigate::references(catalog, id))
            .filter_map(|(file, span)| self.location(file, span))
            .collect()
    }

    fn code_actions(&self, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = p.text_document.uri;
        let text = self.current_text(&uri);
        let mut out = Vec::new();
        for d in p.context.diagnostics {
            let Some(NumberOrString::String(code)) = &d.code else {
                continue;
            };
            let offset = position::offset(&text, d.range.start);
            let Some(fix) = edit::fix(&text, code, &d.message, offset) else {
                continue;
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), fix.edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        out
    }
}

fn parse<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(r.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_value(v: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// One finding as the editor shows it: the message, then the fix hint.
fn to_lsp(text: &str, d: &Diagnostic) -> LspDiagnostic {
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nfix: ");
        message.push_str(hint);
    }
    if !d.subjects.is_empty() {
        message.push_str(&format!("\nsubjects: {}", d.subjects.join(", ")));
    }
    LspDiagnostic {
        range: position::line_col_range(text, (d.line, d.column), (d.end_line, d.end_column)),
        severity: Some(match d.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.clone())),
        source: Some("schemactl".into()),
        message,
        ..LspDiagnostic::default()
    }
}
