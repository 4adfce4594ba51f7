//! A rate limiter on the key-value store: each client (its `x-api-key`, or
//! else the address the server puts in `x-vivarium-client-ip`) may make
//! LIMIT requests in any WINDOW seconds. The store keeps, per client, the
//! times of its recent requests (a sliding log of u64 seconds), so the limit
//! holds across instances, requests and servers sharing a Redis KV.
//! Allowed: 200 with x-ratelimit-remaining; refused: 429 with retry-after.
use vivarium_guest::{guest_app_kvs, KVStore, Request, Response, Time};

const LIMIT: usize = 5;
const WINDOW: u64 = 60;

fn client(req: &Request<Vec<u8>>) -> String {
    for name in ["x-api-key", "x-vivarium-client-ip"] {
        if let Some(v) = req.headers().get(name).and_then(|v| v.to_str().ok()) {
            return format!("{}:{}", name, v);
        }
    }
    "anonymous".to_string()
}

/// The request times still inside the window, oldest first.
fn recent(kvs: &KVStore, key: &str, now: u64) -> Vec<u64> {
    kvs.get(key)
        .unwrap_or_default()
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .filter(|&t| t + WINDOW > now)
        .collect()
}

fn limit(kvs: &mut KVStore, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let now = Time::since_epoch().as_secs();
    let key = format!("ratelimit/{}", client(req));
    let mut times = recent(kvs, &key, now);
    if times.len() >= LIMIT {
        let retry = times[0] + WINDOW - now;
        return Response::builder()
            .status(429)
            .header("retry-after", retry.to_string())
            .body(b"too many requests\n".to_vec())
            .unwrap();
    }
    times.push(now);
    let bytes: Vec<u8> = times.iter().flat_map(|t| t.to_le_bytes()).collect();
    kvs.insert(&key, &bytes);
    Response::builder()
        .status(200)
        .header("x-ratelimit-limit", LIMIT.to_string())
        .header("x-ratelimit-remaining", (LIMIT - times.len()).to_string())
        .body(b"ok\n".to_vec())
        .unwrap()
}

guest_app_kvs!(limit);
