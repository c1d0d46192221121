//! `dump` and `load` of whole modules, shared by the CLI and the daemon: which directory a dump
//! is made from, which modules `--inputs` means, and the checks and locking around installing
//! a dump into the output store. The archive format itself is `crate::archive`'s.
//!
//! Loading is split in two so a caller can talk to its user in between: [`plan_load`] checks a
//! dump's metadata against the pipeline and says what data already exists, then
//! [`load_into_store`] extracts into the output store's staging area and installs atomically,
//! holding the module's execution lock for the swap so that no run can start on the module
//! while its directory is replaced.

mod dump;
mod load;

pub use dump::{
    DumpError, DumpSource, InputSources, dump_metadata, dump_to_dir, find_dump_source,
    input_source_modules,
};
pub use load::{LoadError, LoadPlan, Loaded, load_into_store, plan_load};

use crate::error::StoreError;
use crate::lock::{self, LockInfo};
use crate::store::Stores;

/// The locks found on a module: in its directory in every store (ours are in the output store;
/// a lock elsewhere came with data copied or moved from another machine).
fn module_locks(stores: &Stores, module: &str) -> Result<Vec<LockInfo>, StoreError> {
    let mut locks = Vec::new();
    for store in stores.all() {
        let single = Stores::from_stores(vec![store.clone()])?;
        locks.extend(lock::inspect(&single, module)?);
    }
    Ok(locks)
}

/// A lock that may belong to a running process: ours from a live process, one from another
/// host, or one we cannot read (written by the original Pimlico).
fn is_live(info: &LockInfo) -> bool {
    !info.stale
}
