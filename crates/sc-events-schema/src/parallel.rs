//! Independent CPU-bound work (parsing or checking the versions of a subject's history)
//! spread over the machine's cores with scoped threads: results in the items' order, and on
//! the calling thread alone when there is little of it. The threads get the main thread's
//! stack size, as the parser and the checker recurse as deep as a schema nests.

/// Below this many items per thread the work stays on the calling thread.
const MIN_PER_THREAD: usize = 4;

/// The stack of each helper thread (a main thread's on Linux).
pub const STACK: usize = 8 << 20;

/// `items.iter().map(f).collect()`, on up to as many threads as there are cores.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let helpers: Vec<_> = items
            .chunks(chunk)
            .skip(1)
            .map(|c| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(s, move || c.iter().map(f).collect::<Vec<U>>())
            })
            .collect();
        let mut out: Vec<U> = items[..chunk].iter().map(f).collect();
        for h in helpers {
            match h {
                Ok(h) => match h.join() {
                    Ok(part) => out.extend(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                // No thread to be had: the calling thread does that part too.
                Err(_) => {
                    let done = out.len();
                    let end = (done + chunk).min(items.len());
                    out.extend(items[done..end].iter().map(f));
                }
            }
        }
        out
    })
}

/// Drops `value` on a thread of its own, off the caller's path (freeing a parsed history is
/// hundreds of thousands of small frees), with a main thread's stack (a schema nested 1000
/// deep is freed recursively). When no thread can be had, `spawn` drops it here.
pub fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_items_order() {
        for n in [0, 1, 3, 4, 9, 100] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(
                super::map(&items, |i| i * 2),
                items.iter().map(|i| i * 2).collect::<Vec<_>>()
            );
        }
    }
}
