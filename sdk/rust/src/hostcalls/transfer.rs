//! Taking ownership of what the host allocated in guest memory (ABI "Memory
//! protocol"): a buffer, or an array of GuestSlices each with its own
//! buffer. Everything is copied into Rust-owned vectors and freed at once.

use super::types::GuestSlice;
use crate::guest_allocator::free;
use std::{ptr, slice};

/// Calls `f` with the two out-parameters; `None` when the host wrote a NULL
/// pointer (absent, or a failure for the calls that distinguish it).
pub(crate) fn take_bytes(f: impl FnOnce(*mut *mut u8, *mut usize)) -> Option<Vec<u8>> {
    let mut p: *mut u8 = ptr::null_mut();
    let mut len: usize = 0;
    f(&mut p, &mut len);
    if p.is_null() {
        return None;
    }
    let out = unsafe { slice::from_raw_parts(p, len) }.to_vec();
    free(p);
    Some(out)
}

/// Like `take_bytes` for a list; each element's buffer is freed too.
pub(crate) fn take_list(f: impl FnOnce(*mut *mut GuestSlice<u8>, *mut usize)) -> Option<Vec<Vec<u8>>> {
    let mut p: *mut GuestSlice<u8> = ptr::null_mut();
    let mut len: usize = 0;
    f(&mut p, &mut len);
    if p.is_null() {
        return None;
    }
    let items = unsafe { slice::from_raw_parts(p, len) };
    let out = items
        .iter()
        .map(|s| {
            let v = unsafe { s.to_slice() }.to_vec();
            free(s.raw() as *mut u8);
            v
        })
        .collect();
    free(p as *mut u8);
    Some(out)
}

pub(crate) fn lossy(v: Vec<u8>) -> String {
    match String::from_utf8(v) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

pub(crate) fn lossy_list(v: Option<Vec<Vec<u8>>>) -> Vec<String> {
    v.unwrap_or_default().into_iter().map(lossy).collect()
}

/// GuestSlices over borrowed strings, for `*_set_header`.
pub(crate) fn slices<T: AsRef<[u8]>>(values: &[T]) -> Vec<GuestSlice<u8>> {
    values
        .iter()
        .map(|v| GuestSlice::new(v.as_ref().as_ptr(), v.as_ref().len()))
        .collect()
}
