//! Fan-out to an upstream named by the `x-upstream` request header (a base
//! URL such as http://127.0.0.1:8000), whose /delay/MS/NAME answers NAME
//! after MS milliseconds:
//!   /wait    three requests in flight at once, each `wait`ed, in send order
//!   /select  the same three, answered in the order `select` hands them back
//!   /poll    `poll` before and after the upstream answered
//!   /sync    one blocking `send`, reporting status, a header and the body
//!   /fail    a request the egress policy denies: the error comes back
use vivarium_guest::{select, PendingRequest, PollResult, Request, RequestExt, Response, SendError};

fn get(base: &str, path: &str) -> Request<Vec<u8>> {
    Request::builder()
        .method("GET")
        .uri(format!("{}{}", base, path))
        .header("x-fanout", "1")
        .body(Vec::new())
        .unwrap()
}

fn start(base: &str, path: &str) -> Result<PendingRequest, SendError> {
    get(base, path).send_async()
}

fn body(resp: &Response<Vec<u8>>) -> String {
    String::from_utf8_lossy(resp.body()).into_owned()
}

const THREE: [&str; 3] = ["/delay/300/a", "/delay/0/b", "/delay/150/c"];

fn wait_all(base: &str) -> Result<String, SendError> {
    let pending = THREE.iter().map(|p| start(base, p)).collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for p in pending {
        out.push(body(&p.wait()?));
    }
    Ok(out.join(","))
}

fn select_all(base: &str) -> Result<String, SendError> {
    let mut pending = THREE.iter().map(|p| start(base, p)).collect::<Result<Vec<_>, _>>()?;
    let mut order = Vec::new();
    while !pending.is_empty() {
        let refs: Vec<&PendingRequest> = pending.iter().collect();
        let done = match select(&refs) {
            Ok((which, resp)) => {
                order.push(body(&resp));
                which
            }
            Err(which) => {
                order.push("error".to_string());
                which
            }
        };
        // The spent handle compares equal to the one it was.
        pending.retain(|p| *p != done);
    }
    Ok(order.join(","))
}

fn poll_twice(base: &str) -> Result<String, SendError> {
    let slow = start(base, "/delay/500/p")?;
    let first = match slow.poll()? {
        PollResult::NotReady(again) => format!("not_ready then {}", body(&again.wait()?)),
        PollResult::Response(r) => format!("ready early {}", body(&r)),
    };
    let quick = start(base, "/delay/0/q")?;
    // A blocking send long enough for q to have answered meanwhile.
    let r = get(base, "/delay/400/r").send()?;
    let second = match quick.poll()? {
        PollResult::Response(q) => format!("ready {}", body(&q)),
        PollResult::NotReady(again) => format!("not_ready {}", body(&again.wait()?)),
    };
    Ok(format!("{}; {}; {}", first, second, body(&r)))
}

fn sync(base: &str) -> Result<String, SendError> {
    let resp = get(base, "/delay/0/sync").send()?;
    let name = resp.headers().get("x-upstream-name").map(|v| v.to_str().unwrap_or("?")).unwrap_or("-");
    Ok(format!("{} {} {}", resp.status().as_u16(), name, body(&resp)))
}

fn fail(_base: &str) -> Result<String, SendError> {
    // 192.0.2.0/24 is TEST-NET-1: never granted, so the host refuses it.
    get("http://192.0.2.1", "/").send().map(|r| body(&r))
}

fn fanout(req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let base = match req.headers().get("x-upstream").and_then(|v| v.to_str().ok()) {
        Some(b) => b.to_string(),
        None => return Response::builder().status(400).body(b"x-upstream missing".to_vec()).unwrap(),
    };
    let result = match req.uri().path() {
        "/wait" => wait_all(&base),
        "/select" => select_all(&base),
        "/poll" => poll_twice(&base),
        "/sync" => sync(&base),
        "/fail" => fail(&base),
        _ => return Response::builder().status(404).body(Vec::new()).unwrap(),
    };
    let (status, text) = match result {
        Ok(text) => (200, text),
        Err(e) => (502, format!("send error: {}", e)),
    };
    Response::builder().status(status).body(text.into_bytes()).unwrap()
}

vivarium_guest::guest_app!(fanout);
