// The raw Terrarium ABI (docs/abi-reference.md): every env.hostcall_* import,
// with pointers and lengths as usize. vivarium/index.ts wraps them.

@external("env", "hostcall_init_mm") export declare function init_mm(malloc_index: u32, free_index: u32): void;
@external("env", "hostcall_panic_hook") export declare function panic_hook(msg: usize, len: usize): void;
@external("env", "hostcall_debug") export declare function debug(msg: usize, len: usize): void;
@external("env", "hostcall_time_now") export declare function time_now(nanos_out: usize): i64;
@external("env", "hostcall_rng_next_u64") export declare function rng_next_u64(): u64;

@external("env", "hostcall_req_get_headers") export declare function req_get_headers(out: usize, out_len: usize, req: i32): void;
@external("env", "hostcall_req_get_header")
export declare function req_get_header(out: usize, out_len: usize, req: i32, name: usize, name_len: usize): void;
@external("env", "hostcall_req_get_method") export declare function req_get_method(out: usize, out_len: usize, req: i32): void;
@external("env", "hostcall_req_get_path") export declare function req_get_path(out: usize, out_len: usize, req: i32): void;
@external("env", "hostcall_req_get_body") export declare function req_get_body(out: usize, out_len: usize, req: i32): void;
@external("env", "hostcall_req_create")
export declare function req_create(method: usize, method_len: usize, url: usize, url_len: usize): i32;
@external("env", "hostcall_req_set_header")
export declare function req_set_header(req: i32, name: usize, name_len: usize, values: usize, count: usize): i32;
@external("env", "hostcall_req_set_body") export declare function req_set_body(req: i32, body: usize, len: usize): i32;
@external("env", "hostcall_req_send") export declare function req_send(req: i32): i32;
@external("env", "hostcall_req_send_async") export declare function req_send_async(req: i32): i32;

@external("env", "hostcall_pending_req_wait") export declare function pending_req_wait(pr: i32): i32;
@external("env", "hostcall_pending_req_poll") export declare function pending_req_poll(pr: i32): i32;
@external("env", "hostcall_pending_req_select")
export declare function pending_req_select(prs: usize, count: usize, pr_out: usize): i32;

@external("env", "hostcall_resp_get_headers") export declare function resp_get_headers(out: usize, out_len: usize, resp: i32): void;
@external("env", "hostcall_resp_get_header")
export declare function resp_get_header(out: usize, out_len: usize, resp: i32, name: usize, name_len: usize): void;
@external("env", "hostcall_resp_get_body") export declare function resp_get_body(out: usize, out_len: usize, resp: i32): void;
@external("env", "hostcall_resp_get_response_code") export declare function resp_get_response_code(resp: i32): u32;
@external("env", "hostcall_resp_set_header")
export declare function resp_set_header(resp: i32, name: usize, name_len: usize, values: usize, count: usize): i32;
@external("env", "hostcall_resp_set_body") export declare function resp_set_body(resp: i32, body: usize, len: usize): i32;
@external("env", "hostcall_resp_set_response_code") export declare function resp_set_response_code(resp: i32, code: u32): i32;

@external("env", "hostcall_kvstore_get") export declare function kvstore_get(out: usize, out_len: usize, key: usize, key_len: usize): i32;
@external("env", "hostcall_kvstore_insert")
export declare function kvstore_insert(key: usize, key_len: usize, value: usize, value_len: usize): i32;
@external("env", "hostcall_kvstore_upsert")
export declare function kvstore_upsert(key: usize, key_len: usize, value: usize, value_len: usize): i32;
@external("env", "hostcall_kvstore_append")
export declare function kvstore_append(key: usize, key_len: usize, value: usize, value_len: usize): i32;
@external("env", "hostcall_kvstore_remove") export declare function kvstore_remove(key: usize, key_len: usize): i32;

@external("env", "hostcall_dns_query_raw")
export declare function dns_query_raw(out: usize, out_len: usize, query: usize, query_len: usize): i32;
@external("env", "hostcall_dns_query_ip")
export declare function dns_query_ip(out: usize, out_len: usize, name: usize, name_len: usize, ipv6: i32): i32;
