//! Execution locks: atomic, recording host, pid and time; stale when the holder is gone.

mod common;

use pimlico_core::lock::{self, LockError, this_host};

fn setup(tmp: &std::path::Path) -> pimlico_core::store::Stores {
    let reg = common::registry();
    let p = common::pipeline(
        "p",
        vec![common::command(&reg, "a", "true")],
        &[("default", &tmp.join("s"))],
        tmp,
    );
    common::stores(&p)
}

/// The pid of a process that has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_lock_is_taken_once_and_records_its_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let stores = setup(tmp.path());
    let me = std::process::id();
    let record = lock::acquire(&stores, "a", me).unwrap();
    assert_eq!(
        (record.host.as_str(), record.pid),
        (this_host().as_str(), me)
    );

    match lock::acquire(&stores, "a", me) {
        Err(LockError::Held(info)) => {
            assert_eq!(info.record.as_ref().unwrap().pid, me);
            assert!(!info.stale, "our own process is alive");
            assert!(info.describe().contains(&format!("process {me}")));
        }
        other => panic!("second lock should be refused, got {other:?}"),
    }
    let text = std::fs::read_to_string(lock::lock_path(&stores, "a")).unwrap();
    assert!(text.contains("This module cannot be executed, because it is locked"));
    // Only the holder releases it.
    assert!(!lock::release(&stores, "a", me + 1).unwrap());
    assert!(lock::release(&stores, "a", me).unwrap());
    assert!(lock::inspect(&stores, "a").unwrap().is_none());
}

#[test]
fn a_lock_left_by_a_dead_process_is_stale_and_unlock_clears_it() {
    let tmp = tempfile::tempdir().unwrap();
    let stores = setup(tmp.path());
    lock::acquire(&stores, "a", dead_pid()).unwrap();
    let info = lock::inspect(&stores, "a").unwrap().unwrap();
    assert!(info.stale);
    assert!(info.describe().starts_with("stale: process"));
    assert!(lock::remove(&stores, "a").unwrap());
    assert!(!lock::remove(&stores, "a").unwrap());
}

#[test]
fn a_lock_written_by_the_original_pimlico_is_a_lock_of_unknown_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let stores = setup(tmp.path());
    let path = lock::lock_path(&stores, "a");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "This module cannot be executed, because it is locked",
    )
    .unwrap();
    let info = lock::inspect(&stores, "a").unwrap().unwrap();
    assert_eq!((info.record, info.stale), (None, false));
    assert!(matches!(
        lock::acquire(&stores, "a", 1),
        Err(LockError::Held(_))
    ));
}

#[test]
fn concurrent_lockers_get_exactly_one_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let stores = setup(tmp.path());
    let winners: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let stores = &stores;
                s.spawn(move || lock::acquire(stores, "a", 1000 + i).is_ok() as usize)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(winners, 1);
}
