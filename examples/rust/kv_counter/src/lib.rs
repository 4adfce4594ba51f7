//! A counter per path in the deployment's key-value store, plus routes that
//! exercise each KV call:
//!   GET  /count/NAME    increments NAME, answers the new count
//!   POST /append/KEY    appends the body; x-was-absent says if KEY was new
//!   PUT  /upsert/KEY    stores the body; x-was-absent likewise
//!   GET  /get/KEY       the value, or 404
//!   DELETE /remove/KEY  200 "removed" or 404 "absent"
use vivarium_guest::{guest_app_kvs, KVStore, Request, Response};

fn reply(status: u16, body: impl Into<Vec<u8>>) -> Response<Vec<u8>> {
    Response::builder().status(status).body(body.into()).unwrap()
}

fn was_absent(absent: bool) -> Response<Vec<u8>> {
    Response::builder()
        .status(200)
        .header("x-was-absent", if absent { "true" } else { "false" })
        .body(Vec::new())
        .unwrap()
}

fn counter(kvs: &mut KVStore, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let path = req.uri().path();
    let (route, key) = match path[1..].find('/') {
        Some(i) => (&path[1..i + 1], &path[i + 2..]),
        None => return reply(404, "routes: /count/NAME /append/KEY /upsert/KEY /get/KEY /remove/KEY\n"),
    };
    match route {
        "count" => {
            let n = kvs
                .get(key)
                .and_then(|v| String::from_utf8(v).ok())
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0)
                + 1;
            kvs.insert(key, n.to_string().as_bytes());
            reply(200, n.to_string())
        }
        "append" => was_absent(kvs.append(key, req.body())),
        "upsert" => was_absent(kvs.upsert(key, req.body())),
        "get" => match kvs.get(key) {
            Some(v) => reply(200, v),
            None => reply(404, "absent"),
        },
        "remove" => {
            if kvs.remove(key) {
                reply(200, "removed")
            } else {
                reply(404, "absent")
            }
        }
        _ => reply(404, format!("no route {}\n", route)),
    }
}

guest_app_kvs!(counter);
