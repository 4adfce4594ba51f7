//! The `env.hostcall_*` imports, exactly as `../shared/terrarium/ABI.md` types
//! them on wasm32: pointers and lengths are i32, `u64` is i64, statuses and
//! booleans are i32 (0 or 1). Declared with plain integers rather than `bool`
//! or enums so that no value a host returns can be undefined behaviour here;
//! the safe wrappers in `hostcalls` convert.
#![allow(clippy::missing_safety_doc)]

use super::types::GuestSlice;

/// `malloc` and `free` as the host calls them through the table.
pub type MallocFn = extern "C" fn(usize) -> *mut u8;
pub type FreeFn = extern "C" fn(*mut u8);

#[link(wasm_import_module = "env")]
extern "C" {
    pub fn hostcall_init_mm(malloc: MallocFn, free: FreeFn);
    pub fn hostcall_panic_hook(msg: *const u8, len: usize);
    pub fn hostcall_debug(msg: *const u8, len: usize);
    pub fn hostcall_time_now(subsec_nanos: *mut u32) -> u64;
    pub fn hostcall_rng_next_u64() -> u64;

    pub fn hostcall_req_get_headers(out: *mut *mut GuestSlice<u8>, out_len: *mut usize, req: i32);
    pub fn hostcall_req_get_header(
        out: *mut *mut GuestSlice<u8>,
        out_len: *mut usize,
        req: i32,
        name: *const u8,
        name_len: usize,
    );
    pub fn hostcall_req_get_method(out: *mut *mut u8, out_len: *mut usize, req: i32);
    pub fn hostcall_req_get_path(out: *mut *mut u8, out_len: *mut usize, req: i32);
    pub fn hostcall_req_get_body(out: *mut *mut u8, out_len: *mut usize, req: i32);
    pub fn hostcall_req_create(method: *const u8, method_len: usize, url: *const u8, url_len: usize) -> i32;
    pub fn hostcall_req_set_header(
        req: i32,
        name: *const u8,
        name_len: usize,
        values: *const GuestSlice<u8>,
        count: usize,
    ) -> i32;
    pub fn hostcall_req_set_body(req: i32, body: *const u8, len: usize) -> i32;
    pub fn hostcall_req_send(req: i32) -> i32;
    pub fn hostcall_req_send_async(req: i32) -> i32;

    pub fn hostcall_pending_req_wait(pr: i32) -> i32;
    pub fn hostcall_pending_req_poll(pr: i32) -> i32;
    pub fn hostcall_pending_req_select(prs: *const i32, count: usize, pr_out: *mut i32) -> i32;

    pub fn hostcall_resp_get_headers(out: *mut *mut GuestSlice<u8>, out_len: *mut usize, resp: i32);
    pub fn hostcall_resp_get_header(
        out: *mut *mut GuestSlice<u8>,
        out_len: *mut usize,
        resp: i32,
        name: *const u8,
        name_len: usize,
    );
    pub fn hostcall_resp_get_body(out: *mut *mut u8, out_len: *mut usize, resp: i32);
    pub fn hostcall_resp_get_response_code(resp: i32) -> u32;
    pub fn hostcall_resp_set_header(
        resp: i32,
        name: *const u8,
        name_len: usize,
        values: *const GuestSlice<u8>,
        count: usize,
    ) -> i32;
    pub fn hostcall_resp_set_body(resp: i32, body: *const u8, len: usize) -> i32;
    pub fn hostcall_resp_set_response_code(resp: i32, code: u32) -> i32;

    pub fn hostcall_kvstore_get(out: *mut *mut u8, out_len: *mut usize, key: *const u8, key_len: usize) -> i32;
    pub fn hostcall_kvstore_insert(key: *const u8, key_len: usize, value: *const u8, value_len: usize) -> i32;
    pub fn hostcall_kvstore_upsert(key: *const u8, key_len: usize, value: *const u8, value_len: usize) -> i32;
    pub fn hostcall_kvstore_append(key: *const u8, key_len: usize, value: *const u8, value_len: usize) -> i32;
    pub fn hostcall_kvstore_remove(key: *const u8, key_len: usize) -> i32;

    pub fn hostcall_dns_query_raw(out: *mut *mut u8, out_len: *mut usize, query: *const u8, len: usize) -> i32;
    pub fn hostcall_dns_query_ip(
        out: *mut *mut GuestSlice<u8>,
        out_len: *mut usize,
        name: *const u8,
        len: usize,
        ipv6: i32,
    ) -> i32;
}
