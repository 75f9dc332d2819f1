//! Async jobs on two threads at once: the gate checks two subjects side by side (each one's
//! reads against the registry, then its parse and check, which spread over the cores
//! themselves), on the runtime's handle, so that one subject's reads overlap the other's work.

/// `job(i)` for every `i < n`, results in order: on the calling thread and one helper thread
/// when the runtime has worker threads to drive their I/O (a subject's reads are a few
/// hundred, its parse and check already spread over the cores: two subjects at once keep both
/// cores busy through each other's reads), else one after the other. Once a result is one
/// that `stops`, no further job starts (`None`): every job before it has started, as the jobs
/// are taken in order.
pub async fn side_by_side<U: Send, F: std::future::Future<Output = U>>(
    n: usize,
    job: impl Fn(usize) -> F + Sync,
    stops: impl Fn(&U) -> bool + Sync,
) -> Vec<Option<U>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;
    use tokio::runtime::{Handle, RuntimeFlavor};
    let handle = Handle::try_current()
        .ok()
        .filter(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    let Some(handle) = handle.filter(|_| n > 1) else {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let u = job(i).await;
            let stop = stops(&u);
            out.push(Some(u));
            if stop {
                break;
            }
        }
        out.resize_with(n, || None);
        return out;
    };
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<U>>> = std::iter::repeat_with(|| Mutex::new(None))
        .take(n)
        .collect();
    let work = || loop {
        if stopped.load(Ordering::Acquire) {
            break;
        }
        let i = next.fetch_add(1, Ordering::AcqRel);
        if i >= n {
            break;
        }
        let u = handle.block_on(job(i));
        if stops(&u) {
            stopped.store(true, Ordering::Release);
        }
        *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(u);
    };
    tokio::task::block_in_place(|| {
        std::thread::scope(|scope| {
            // The checker and the parser recurse as deep as a schema nests: a main
            // thread's stack, as sc_events_schema::parallel gives its threads.
            let helper = std::thread::Builder::new()
                .stack_size(sc_events_schema::parallel::STACK)
                .spawn_scoped(scope, work);
            work();
            if let Ok(h) = helper {
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        })
    });
    slots
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or_else(|p| p.into_inner()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn subjects_side_by_side_keep_their_order_and_their_timers_and_stop_after_a_failure() {
        let n = 9;
        let stop_at = 4;
        for multi in [false, true] {
            let rt = if multi {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
            } else {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
            }
            .expect("runtime");
            let threads = Mutex::new(HashSet::new());
            let both = tokio::sync::Barrier::new(2);
            let out = rt.block_on(super::side_by_side(
                n,
                |k| {
                    let (threads, both) = (&threads, &both);
                    async move {
                        if multi && k < 2 {
                            // The first two jobs run at once, on two threads.
                            tokio::time::timeout(Duration::from_secs(20), both.wait())
                                .await
                                .expect("a second thread takes the second job");
                        }
                        if k != stop_at {
                            // A timer needs the runtime's driver, from either thread.
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        threads.lock().unwrap().insert(std::thread::current().id());
                        k * 2
                    }
                },
                |&u| u == stop_at * 2,
            ));
            assert_eq!(out.len(), n);
            for (k, u) in out.iter().enumerate() {
                if k <= stop_at {
                    assert_eq!(*u, Some(k * 2), "job {k} (multi: {multi})");
                } else if k > stop_at + 1 {
                    // At most the job the other thread took meanwhile runs after the stop.
                    assert_eq!(*u, None, "job {k} (multi: {multi})");
                }
            }
            assert_eq!(threads.lock().unwrap().len(), if multi { 2 } else { 1 });
        }
    }
}
