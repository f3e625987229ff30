//! Peak resident memory of one child process, for the memory-bound tests.
//!
//! `wait4`'s `ru_maxrss` is not the child's own peak alone: the kernel records the size of
//! the address space the child had before `exec` — a copy of (or, with `posix_spawn`, the
//! very) test process — so a test binary that has grown to 140 MB makes every child look at
//! least that big. So: when `ru_maxrss` is above the test process's own high-water mark it
//! can only be the child's, and is exact; otherwise the child's peak is read from its
//! `/proc/<pid>/status` (`VmHWM`, which starts afresh at `exec`), sampled until it exits.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// `VmHWM` of a process in KiB, if it can be read.
fn vm_hwm_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Wait for child `pid`; its exit code (128 + signal when killed) and peak RSS in KiB.
pub fn wait_measured(pid: libc::pid_t) -> (i32, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let sampled = Arc::new(AtomicU64::new(0));
    let poller = {
        let (stop, sampled) = (stop.clone(), sampled.clone());
        std::thread::spawn(move || {
            let id = pid.to_string();
            while !stop.load(Ordering::Relaxed) {
                if let Some(k) = vm_hwm_kib(&id) {
                    sampled.fetch_max(k, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, status and usage point to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    stop.store(true, Ordering::Relaxed);
    poller.join().unwrap();
    assert_eq!(r, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let reported = usage.ru_maxrss as u64;
    let parent = vm_hwm_kib("self").unwrap_or(u64::MAX);
    let peak = if reported > parent {
        reported
    } else {
        sampled.load(Ordering::Relaxed).max(1)
    };
    (code, peak)
}
