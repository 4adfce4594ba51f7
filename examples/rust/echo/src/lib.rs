//! Echo: answers with the request's body, its method and path in x-method and
//! x-path, and every value of each `x-*` request header sent back.
use vivarium_guest::{guest_app, Request, Response};

fn echo(req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let mut resp = Response::builder()
        .status(200)
        .header("x-method", req.method().as_str())
        .header("x-path", req.uri().to_string());
    for (name, value) in req.headers() {
        if name.as_str().starts_with("x-") || name == "content-type" {
            resp = resp.header(name, value);
        }
    }
    resp.body(req.body().clone()).unwrap()
}

guest_app!(echo);
