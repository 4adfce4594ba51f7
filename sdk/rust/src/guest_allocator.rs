//! The `malloc`/`free` pair the host calls (through the table) to hand
//! variable-length results to the guest, registered with `hostcall_init_mm`.
//!
//! Rust's allocator needs the size at deallocation and C's `free` does not
//! pass it, so each block carries its size in an 8-byte header in front of
//! the pointer handed out.

use crate::hostcalls::raw;
use std::alloc::{alloc, dealloc, Layout};
use std::ptr;

const HEADER: usize = 8;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// Returns NULL when `size` cannot be allocated, as C's malloc does; the
/// host then reports the failed call instead of writing anywhere.
pub extern "C" fn guest_malloc(size: usize) -> *mut u8 {
    let layout = match layout(size) {
        Some(l) => l,
        None => return ptr::null_mut(),
    };
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            return ptr::null_mut();
        }
        (base as *mut usize).write(size);
        base.add(HEADER)
    }
}

/// Frees a block from `guest_malloc` (NULL is ignored).
pub extern "C" fn guest_free(p: *mut u8) {
    free(p)
}

pub(crate) fn free(p: *mut u8) {
    if p.is_null() {
        return;
    }
    unsafe {
        let base = p.sub(HEADER);
        let size = (base as *const usize).read();
        if let Some(l) = layout(size) {
            dealloc(base, l);
        }
    }
}

/// Registers `guest_malloc`/`guest_free` with the host. The `guest_app!`
/// macros call it first thing in `run`.
pub fn init_mm_default() {
    unsafe { raw::hostcall_init_mm(guest_malloc, guest_free) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_writable_and_freed() {
        for size in [1usize, 7, 8, 4096, 1 << 20] {
            let p = guest_malloc(size);
            assert!(!p.is_null());
            assert_eq!(p as usize % HEADER, 0);
            unsafe { ptr::write_bytes(p, 0xab, size) };
            guest_free(p);
        }
        guest_free(ptr::null_mut());
    }

    #[test]
    fn impossible_sizes_are_null() {
        assert!(guest_malloc(usize::MAX).is_null());
        assert!(guest_malloc(usize::MAX - 4).is_null());
    }
}
