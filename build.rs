//! Generates the event types and catalog glue from `schemas/` into OUT_DIR.
//! A broken schema stops the build with `file:line:col` diagnostics, not a backtrace.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(e) = sc_events_codegen::compile_schemas("schemas") {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
