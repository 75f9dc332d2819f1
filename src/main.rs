//! `schemactl`: lint, catalog and (later) the compatibility gate.

fn main() -> std::process::ExitCode {
    sc_events::cli::main()
}
