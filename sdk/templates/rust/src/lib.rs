//! {{name}}: a Vivarium service in Rust. The function given to `guest_app!`
//! handles one request, on a fresh instance each time; `vivarium_guest` has
//! the same API as Terrarium's `http_guest` (outbound requests with
//! `RequestExt::send`, `KVStore` with `guest_app_kvs!`, `DNS`, `Time`, ...).
//!
//!   vivarium build   # build/{{name}}.wasm
//!   vivarium test    # runs tests/requests.txt against a local server
//!   vivarium dev     # http://{{name}}.localhost:8080/, rebuilt on save
use vivarium_guest::{guest_app, Request, Response};

fn text(status: u16, body: String) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(body.into_bytes())
        .unwrap()
}

/// The value of `key` in a query string such as `name=Ada&x=1`.
fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| {
        let mut it = kv.splitn(2, '=');
        if it.next() == Some(key) {
            it.next()
        } else {
            None
        }
    })
}

fn handle(req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    match req.uri().path() {
        "/" => text(200, "Hello from {{name}}!\n".to_string()),
        "/hello" => {
            let who = query_param(req.uri().query().unwrap_or(""), "name").filter(|w| !w.is_empty());
            text(200, format!("Hello, {}!\n", who.unwrap_or("stranger")))
        }
        _ => text(404, "not found\n".to_string()),
    }
}

guest_app!(handle);
