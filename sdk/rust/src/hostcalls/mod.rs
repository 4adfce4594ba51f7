//! Safe wrappers over the hostcalls, one method per call, with the names and
//! signatures of Terrarium's `http_guest::hostcalls`. Most programs use the
//! `http` types and `RequestExt` instead.

pub mod raw;
pub(crate) mod transfer;
pub mod types;

use self::transfer::{lossy, lossy_list, slices, take_bytes, take_list};
pub use self::types::{GuestSlice, HostcallStatus, PendingRequestHandle, PollResult, RequestHandle, ResponseHandle};

impl RequestHandle {
    /// A new outgoing request to an absolute URL; `None` for a bad method or URL.
    pub fn create(method: &str, url: &str) -> Option<RequestHandle> {
        let h = unsafe { raw::hostcall_req_create(method.as_ptr(), method.len(), url.as_ptr(), url.len()) };
        Some(RequestHandle(h)).filter(|r| !r.is_error())
    }

    /// Sends the request and blocks until its response; consumes the request.
    pub fn send(self) -> Option<ResponseHandle> {
        let h = unsafe { raw::hostcall_req_send(self.0) };
        Some(ResponseHandle(h)).filter(|r| !r.is_error())
    }

    /// Starts the request; consumes it.
    pub fn send_async(self) -> Option<PendingRequestHandle> {
        let h = unsafe { raw::hostcall_req_send_async(self.0) };
        Some(PendingRequestHandle(h)).filter(|p| !p.is_error())
    }

    /// All values of a header, in arrival order (names are case-insensitive).
    pub fn get_header(&self, name: &str) -> Vec<String> {
        lossy_list(self.get_header_bytes(name))
    }

    pub(crate) fn get_header_bytes(&self, name: &str) -> Option<Vec<Vec<u8>>> {
        take_list(|p, l| unsafe { raw::hostcall_req_get_header(p, l, self.0, name.as_ptr(), name.len()) })
    }

    /// The distinct header names.
    pub fn get_headers(&self) -> Vec<String> {
        lossy_list(take_list(|p, l| unsafe { raw::hostcall_req_get_headers(p, l, self.0) }))
    }

    pub fn get_method(&self) -> String {
        lossy(take_bytes(|p, l| unsafe { raw::hostcall_req_get_method(p, l, self.0) }).unwrap_or_default())
    }

    pub fn get_body(&self) -> Vec<u8> {
        take_bytes(|p, l| unsafe { raw::hostcall_req_get_body(p, l, self.0) }).unwrap_or_default()
    }

    /// Path and query, e.g. `/a/b?c=d`.
    pub fn get_path(&self) -> String {
        lossy(take_bytes(|p, l| unsafe { raw::hostcall_req_get_path(p, l, self.0) }).unwrap_or_default())
    }

    /// Sets a header of a created request to exactly these values.
    pub fn set_header(&mut self, name: &str, values: &[&str]) -> HostcallStatus {
        self.set_header_bytes(name, values)
    }

    pub(crate) fn set_header_bytes<T: AsRef<[u8]>>(&mut self, name: &str, values: &[T]) -> HostcallStatus {
        set_header_via(raw::hostcall_req_set_header, self.0, name, values)
    }

    pub fn set_body(&mut self, body: &[u8]) -> HostcallStatus {
        HostcallStatus::from_raw(unsafe { raw::hostcall_req_set_body(self.0, body.as_ptr(), body.len()) })
    }
}

impl ResponseHandle {
    /// The distinct header names of an upstream response.
    pub fn get_headers(&self) -> Vec<String> {
        lossy_list(take_list(|p, l| unsafe { raw::hostcall_resp_get_headers(p, l, self.0) }))
    }

    /// All values of a header of an upstream response.
    pub fn get_header(&self, name: &str) -> Vec<String> {
        lossy_list(self.get_header_bytes(name))
    }

    pub(crate) fn get_header_bytes(&self, name: &str) -> Option<Vec<Vec<u8>>> {
        take_list(|p, l| unsafe { raw::hostcall_resp_get_header(p, l, self.0, name.as_ptr(), name.len()) })
    }

    pub fn get_body(&self) -> Vec<u8> {
        take_bytes(|p, l| unsafe { raw::hostcall_resp_get_body(p, l, self.0) }).unwrap_or_default()
    }

    /// The upstream status. Panics if the host returns more than 65535.
    pub fn get_response_code(&self) -> u16 {
        let code = unsafe { raw::hostcall_resp_get_response_code(self.0) };
        if code > u32::from(u16::MAX) {
            panic!("response code returned from host was out of range: {}", code);
        }
        code as u16
    }

    /// Sets a header of the outgoing response to exactly these values.
    pub fn set_header(&mut self, name: &str, values: &[&str]) -> HostcallStatus {
        self.set_header_bytes(name, values)
    }

    pub(crate) fn set_header_bytes<T: AsRef<[u8]>>(&mut self, name: &str, values: &[T]) -> HostcallStatus {
        set_header_via(raw::hostcall_resp_set_header, self.0, name, values)
    }

    pub fn set_body(&mut self, body: &[u8]) -> HostcallStatus {
        HostcallStatus::from_raw(unsafe { raw::hostcall_resp_set_body(self.0, body.as_ptr(), body.len()) })
    }

    pub fn set_response_code(&mut self, code: u16) -> HostcallStatus {
        HostcallStatus::from_raw(unsafe { raw::hostcall_resp_set_response_code(self.0, u32::from(code)) })
    }
}

impl PendingRequestHandle {
    /// Blocks until the upstream answers; consumes the handle.
    pub fn wait(self) -> Option<ResponseHandle> {
        let h = unsafe { raw::hostcall_pending_req_wait(self.0) };
        Some(ResponseHandle(h)).filter(|r| !r.is_error())
    }

    /// Does not block. `NotReady` hands the (still valid) handle back; a
    /// response or an error consumes it.
    pub fn poll(self) -> PollResult {
        let h = ResponseHandle(unsafe { raw::hostcall_pending_req_poll(self.0) });
        if h.is_not_ready() {
            PollResult::NotReady(self)
        } else if h.0 < 0 {
            PollResult::Error
        } else {
            PollResult::Response(h)
        }
    }
}

/// Blocks until one of `prs` completes: `Ok` with it and its response, or
/// `Err` with the one that failed. The returned handle is consumed; the
/// others stay valid.
pub fn select(prs: &[&PendingRequestHandle]) -> Result<(PendingRequestHandle, ResponseHandle), PendingRequestHandle> {
    let raw_prs: Vec<i32> = prs.iter().map(|p| p.0).collect();
    let mut out: i32 = -1;
    let resp = ResponseHandle(unsafe { raw::hostcall_pending_req_select(raw_prs.as_ptr(), raw_prs.len(), &mut out) });
    if resp.is_not_ready() {
        panic!("`select` should never return ResponseHandle::NOT_READY");
    }
    if resp.0 < 0 {
        Err(PendingRequestHandle(out))
    } else {
        Ok((PendingRequestHandle(out), resp))
    }
}

type SetHeaderFn = unsafe extern "C" fn(i32, *const u8, usize, *const GuestSlice<u8>, usize) -> i32;

/// `req_set_header` and `resp_set_header` take the same arguments.
fn set_header_via<T: AsRef<[u8]>>(f: SetHeaderFn, h: i32, name: &str, values: &[T]) -> HostcallStatus {
    let v = slices(values);
    HostcallStatus::from_raw(unsafe { f(h, name.as_ptr(), name.len(), v.as_ptr(), v.len()) })
}

fn kv_call(f: unsafe extern "C" fn(*const u8, usize, *const u8, usize) -> i32, key: &str, value: &[u8]) -> bool {
    unsafe { f(key.as_ptr(), key.len(), value.as_ptr(), value.len()) != 0 }
}

/// Stores `value` at `key`, overwriting; true if the key was absent.
pub fn kvstore_insert(key: &str, value: &[u8]) -> bool {
    kv_call(raw::hostcall_kvstore_insert, key, value)
}

/// Stores `value` at `key`, overwriting; true if the key was absent.
pub fn kvstore_upsert(key: &str, value: &[u8]) -> bool {
    kv_call(raw::hostcall_kvstore_upsert, key, value)
}

/// Appends to the value at `key`, creating it; true if the key was absent.
pub fn kvstore_append(key: &str, value: &[u8]) -> bool {
    kv_call(raw::hostcall_kvstore_append, key, value)
}

pub fn kvstore_get(key: &str) -> Option<Vec<u8>> {
    let mut found = 0;
    let v = take_bytes(|p, l| found = unsafe { raw::hostcall_kvstore_get(p, l, key.as_ptr(), key.len()) });
    // An existing empty value comes back non-NULL with length 0.
    if found == 0 {
        None
    } else {
        Some(v.unwrap_or_default())
    }
}

/// True if the key was there.
pub fn kvstore_remove(key: &str) -> bool {
    unsafe { raw::hostcall_kvstore_remove(key.as_ptr(), key.len()) != 0 }
}

/// A line in the server log, tagged with the deployment and request id.
pub fn debug(msg: &str) {
    unsafe { raw::hostcall_debug(msg.as_ptr(), msg.len()) }
}

/// Hands a panic message to the host; the guest traps right after.
pub(crate) fn panic_hook(msg: &str) {
    unsafe { raw::hostcall_panic_hook(msg.as_ptr(), msg.len()) }
}
