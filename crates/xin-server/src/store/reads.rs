//! The store's reads run on threads of their own, each with its own connection, never on
//! tokio's shared blocking pool: whatever else holds that pool (uploads receiving slowly,
//! argon2, file reads) cannot keep the API from reading.

use super::driver::{Backend, Begin, Conn};
use crate::error::{ApiError, ApiResult};

/// A read to run on one of the read threads.
type ReadJob = Box<dyn FnOnce(&mut Option<Conn>, &Backend) + Send>;

/// The queue of reads and the threads that run them.
pub(crate) struct Reads {
    jobs: crossbeam_channel::Sender<ReadJob>,
}

/// Read threads, each with one connection; SQLite's WAL (and PostgreSQL's MVCC) lets them all
/// read while writers write.
const READERS: usize = 8;

impl Reads {
    pub fn new(backend: &Backend) -> Self {
        let (jobs, queue) = crossbeam_channel::unbounded::<ReadJob>();
        for i in 0..READERS {
            let (queue, backend) = (queue.clone(), backend.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("xin-read-{i}"))
                .spawn(move || {
                    let mut conn = None;
                    // Ends when the store is dropped and the last sender with it.
                    while let Ok(job) = queue.recv() {
                        if conn.is_none() {
                            conn = Conn::open(&backend)
                                .inspect_err(|e| tracing::error!("read connection: {e}"))
                                .ok();
                        }
                        job(&mut conn, &backend);
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("store: cannot start read thread {i}: {e}");
            }
        }
        Self { jobs }
    }

    /// Runs `f` in a read transaction (a consistent snapshot) on a read thread.
    pub async fn run<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> ApiResult<T> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: ReadJob = Box::new(move |slot: &mut Option<Conn>, backend: &Backend| {
            let _ = tx.send(read(slot, backend, f));
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal("the read threads are gone".into()))?;
        rx.await
            .map_err(|_| ApiError::Internal("a read thread stopped".into()))?
    }
}

fn read<T>(
    slot: &mut Option<Conn>,
    backend: &Backend,
    f: impl FnOnce(&Conn) -> ApiResult<T>,
) -> ApiResult<T> {
    let conn = slot
        .as_mut()
        .ok_or_else(|| ApiError::Internal("cannot open a read connection".into()))?;
    if let Err(e) = conn.begin_or_reconnect(backend, Begin::Read) {
        // The database is unreachable: the next read tries to open a new one.
        *slot = None;
        return Err(e);
    }
    let result = f(conn);
    let ended = conn.commit();
    if ended.is_err() || conn.is_broken() {
        // A connection whose transaction could not end is not used again.
        *slot = None;
    }
    let value = result?;
    ended?;
    Ok(value)
}
