//! `schemactl`: the command line of sc-events for any workspace (see the crate docs).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    /// mimalloc's eager collection (`force`: hand free memory back to the system now).
    fn mi_collect(force: bool);
}

/// `registry serve`'s way to return a burst's memory under mimalloc.
fn collect() {
    // SAFETY: mi_collect only frees memory mimalloc holds unused; any thread may call it.
    unsafe { mi_collect(true) }
}

fn main() -> std::process::ExitCode {
    sc_events_registry::server::set_memory_return(collect);
    schemactl::main()
}
