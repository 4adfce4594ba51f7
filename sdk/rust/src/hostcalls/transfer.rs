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

#[cfg(test)]
mod tests {
    // The closures play the host: they allocate with the guest's malloc and
    // write the out-parameters, as the ABI's memory protocol says.
    use super::*;
    use crate::guest_allocator::guest_malloc;

    fn host_bytes(data: &[u8]) -> *mut u8 {
        let p = guest_malloc(data.len() + 1);
        unsafe {
            ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
            *p.add(data.len()) = 0; // the NUL C guests rely on
        }
        p
    }

    #[test]
    fn bytes_are_copied_and_null_means_absent() {
        let got = take_bytes(|p, l| unsafe {
            *p = host_bytes(b"GET");
            *l = 3;
        });
        assert_eq!(got.as_deref(), Some(&b"GET"[..]));
        assert_eq!(take_bytes(|_, _| {}), None);
        // An existing empty value: non-NULL, length 0.
        let empty = take_bytes(|p, l| unsafe {
            *p = host_bytes(b"");
            *l = 0;
        });
        assert_eq!(empty, Some(Vec::new()));
    }

    #[test]
    fn lists_free_every_element() {
        let items: [&[u8]; 3] = [b"a", b"", b"xyz"];
        let got = take_list(|p, l| unsafe {
            let arr = guest_malloc(std::mem::size_of::<GuestSlice<u8>>() * items.len()) as *mut GuestSlice<u8>;
            for (i, it) in items.iter().enumerate() {
                arr.add(i).write(GuestSlice::new(host_bytes(it), it.len()));
            }
            *p = arr;
            *l = items.len();
        })
        .unwrap();
        assert_eq!(got, vec![b"a".to_vec(), Vec::new(), b"xyz".to_vec()]);
        assert_eq!(take_list(|_, _| {}), None);
    }

    #[test]
    fn text_is_decoded_lossily() {
        assert_eq!(lossy(b"caf\xc3\xa9".to_vec()), "café");
        assert_eq!(lossy(b"caf\xe9".to_vec()), "caf\u{fffd}");
        assert_eq!(lossy_list(None), Vec::<String>::new());
    }

    #[test]
    fn header_values_become_guest_slices() {
        let s = slices(&["ab", ""]);
        assert_eq!((s.len(), s[0].len(), s[1].len()), (2, 2, 0));
        assert_eq!(unsafe { s[0].to_slice() }, b"ab");
    }
}
