//! Gives memory back to the system after a large answer. Reading a 10,000-node repository and
//! sending it to the page allocates and frees tens of megabytes of small blocks; glibc keeps
//! freed blocks in its per-thread arenas, so the app would stay that much larger for as long as
//! it runs. `malloc_trim` returns the free pages; it runs on its own thread once the answer has
//! been sent (Tauri serializes it after the command returns).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static PENDING: AtomicBool = AtomicBool::new(false);

/// Trims the heap shortly after now; calls while one is pending share it.
pub fn trim_soon() {
    if PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    std::thread::spawn(|| {
        // Once the answer is sent, and once more after what the page asks next (the fleet).
        std::thread::sleep(Duration::from_millis(500));
        PENDING.store(false, Ordering::Release);
        trim();
        std::thread::sleep(Duration::from_millis(1500));
        trim();
    });
}

/// Fewer glibc arenas (by default 8 per core, one per thread that allocates): what a large
/// load frees then lies in fewer heaps, where a trim can give it back. Call before any thread
/// starts.
pub fn fewer_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt changes a glibc setting; M_ARENA_MAX takes any positive count.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heap; 0 keeps no padding at the top.
    unsafe {
        libc::malloc_trim(0);
    }
}
