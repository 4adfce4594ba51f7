//! A caching reverse proxy: GET PATH is fetched from the origin named by the
//! `x-upstream` request header (a real deployment would fix it in the code),
//! and a 200 answer is kept in the key-value store for TTL seconds. Headers
//! are rewritten on the way: the origin's `server` and `x-upstream-*`
//! headers are dropped, `via` and `x-cache: HIT|MISS` are added.
use std::convert::TryInto;
use vivarium_guest::{guest_app_kvs, KVStore, Request, RequestExt, Response, Time};

const TTL: u64 = 30;

/// A cache entry: expiry (u64 LE), content-type length (u16 LE), the
/// content-type, the body.
fn encode(expires: u64, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut v = expires.to_le_bytes().to_vec();
    v.extend_from_slice(&(content_type.len() as u16).to_le_bytes());
    v.extend_from_slice(content_type.as_bytes());
    v.extend_from_slice(body);
    v
}

fn decode(v: &[u8]) -> Option<(u64, String, Vec<u8>)> {
    let expires = u64::from_le_bytes(v.get(0..8)?.try_into().ok()?);
    let n = u16::from_le_bytes(v.get(8..10)?.try_into().ok()?) as usize;
    let ct = String::from_utf8(v.get(10..10 + n)?.to_vec()).ok()?;
    Some((expires, ct, v[10 + n..].to_vec()))
}

fn answer(status: u16, cache: &str, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut b = Response::builder()
        .status(status)
        .header("via", "1.1 vivarium-rust-proxy")
        .header("x-cache", cache);
    if !content_type.is_empty() {
        b = b.header("content-type", content_type);
    }
    b.body(body).unwrap()
}

fn proxy(kvs: &mut KVStore, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let origin = match req.headers().get("x-upstream").and_then(|v| v.to_str().ok()) {
        Some(o) => o.to_string(),
        None => return answer(400, "-", "text/plain", b"x-upstream missing\n".to_vec()),
    };
    if req.method() != "GET" {
        return answer(405, "-", "text/plain", b"GET only\n".to_vec());
    }
    let path = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let key = format!("cache{}", path);
    let now = Time::since_epoch().as_secs();
    if let Some((expires, ct, body)) = kvs.get(&key).as_deref().and_then(decode) {
        if expires > now {
            return answer(200, "HIT", &ct, body);
        }
    }
    let upstream = Request::builder()
        .method("GET")
        .uri(format!("{}{}", origin, path))
        .header("x-forwarded-by", "vivarium-rust-proxy")
        .body(Vec::new())
        .unwrap();
    let resp = match upstream.send() {
        Ok(r) => r,
        Err(e) => return answer(502, "-", "text/plain", format!("upstream: {}\n", e).into_bytes()),
    };
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let status = resp.status().as_u16();
    let body = resp.into_body();
    if status == 200 {
        kvs.insert(&key, &encode(now + TTL, &ct, &body));
    }
    answer(status, "MISS", &ct, body)
}

guest_app_kvs!(proxy);
