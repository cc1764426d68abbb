//! Locks across the cluster on one blob's bytes, so that garbage collection never deletes bytes
//! another node just relied on: a node committing an upload holds its hash's lock from "are
//! these bytes stored already?" until its blob row is written, and the collector holds it from
//! "is this blob still unreferenced?" until its bytes are gone. Only one node collects at a
//! time (the collector's lock), so collection runs once across the cluster, not once per node.
//!
//! PostgreSQL session advisory locks on a connection of their own, released when it closes
//! (a node that dies holding one frees it). On SQLite there is one node, whose own commit lock
//! (`files::Uploads::commit_lock`) already keeps the two apart: nothing to take.

use std::sync::{Arc, Mutex};

use super::{
    driver::{Backend, Conn},
    sql, Store,
};
use crate::error::{ApiError, ApiResult};

/// A blob's key: the first 64 bits of its hash, computed by the database, so an operator (or a
/// test) can take the same lock with the same expression.
const BLOB_KEY: &str = "('x' || substr($1, 1, 16))::bit(64)::bigint";
/// The collector's lock, in the two-integer key space (apart from the blobs' one-bigint keys).
const COLLECTOR: &str = "7891303, 1";

/// One connection holding blob locks; every lock it took goes when it is dropped.
pub struct BlobLocks {
    /// Taken only when dropped.
    conn: Option<Arc<Mutex<Conn>>>,
}

impl Drop for BlobLocks {
    fn drop(&mut self) {
        // The synchronous client closes its connection by blocking: not on an async thread.
        if let (Some(conn), Ok(runtime)) = (self.conn.take(), tokio::runtime::Handle::try_current())
        {
            runtime.spawn_blocking(move || drop(conn));
        }
    }
}

impl BlobLocks {
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let conn = self
            .conn
            .clone()
            .ok_or_else(|| ApiError::Internal("blob lock: closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blob lock: {e}")))?
    }

    async fn ask(&self, sql: String, hash: Option<String>) -> ApiResult<bool> {
        self.run(move |c| {
            let params: Vec<&dyn sql::Param> = hash.iter().map(|h| h as &dyn sql::Param).collect();
            Ok(sql::one(c, &sql, &params, |r| r.get::<_, bool>(0))?.unwrap_or(false))
        })
        .await
    }

    /// Waits for `hash`'s lock (held by a collector only for a moment).
    pub async fn lock(&self, hash: &str) -> ApiResult<()> {
        self.ask(
            format!("SELECT true FROM (SELECT pg_advisory_lock({BLOB_KEY})) AS taken"),
            Some(hash.to_owned()),
        )
        .await
        .map(|_| ())
    }

    /// Takes `hash`'s lock unless another holds it (a node committing those bytes).
    pub async fn try_lock(&self, hash: &str) -> ApiResult<bool> {
        self.ask(
            format!("SELECT pg_try_advisory_lock({BLOB_KEY})"),
            Some(hash.to_owned()),
        )
        .await
    }

    pub async fn unlock(&self, hash: &str) -> ApiResult<()> {
        self.ask(
            format!("SELECT pg_advisory_unlock({BLOB_KEY})"),
            Some(hash.to_owned()),
        )
        .await
        .map(|_| ())
    }

    /// Becomes the cluster's collector until dropped, unless another node is.
    pub async fn try_collect(&self) -> ApiResult<bool> {
        self.ask(format!("SELECT pg_try_advisory_lock({COLLECTOR})"), None)
            .await
    }
}

impl Store {
    /// A connection for blob locks on PostgreSQL; `None` on SQLite (see the module's comment).
    pub async fn blob_locks(&self) -> ApiResult<Option<BlobLocks>> {
        let backend = self.backend.clone();
        if !matches!(backend, Backend::Postgres(_)) {
            return Ok(None);
        }
        let conn = tokio::task::spawn_blocking(move || Conn::open(&backend))
            .await
            .map_err(|e| ApiError::Internal(format!("blob lock: {e}")))??;
        Ok(Some(BlobLocks {
            conn: Some(Arc::new(Mutex::new(conn))),
        }))
    }
}
