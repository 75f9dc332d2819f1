//! Generates the product event types from this workspace (`schemactl.toml` gives the layout).

fn main() {
    if let Err(e) = sc_events_codegen::Config::new().workspace(".").compile() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
