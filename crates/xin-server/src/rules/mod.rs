//! The server's rules: who may do what, and what a valid request holds, decided by pure
//! functions from facts the caller read. No database, no I/O: each rule is unit-tested on its
//! own, and the store (which reads the facts inside its write, so they cannot change between
//! the check and the change) only asks.

pub mod contacts;
pub mod conversations;
pub mod money;
pub mod official;

/// In the rules' tests: the code a decision refused with, or `None` when it allowed.
#[cfg(test)]
pub(crate) fn refusal<T>(decision: crate::error::ApiResult<T>) -> Option<xin_proto::ErrorCode> {
    decision.err().map(|e| e.code())
}
