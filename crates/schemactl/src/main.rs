//! `schemactl`: the command line of sc-events for any workspace (see the crate docs).

fn main() -> std::process::ExitCode {
    schemactl::main()
}
