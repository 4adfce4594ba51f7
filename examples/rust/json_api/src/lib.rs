//! A small JSON API with routing, on the key-value store:
//!   GET    /notes        {"notes": [{"id": 1, "text": "..."}, ...]}
//!   POST   /notes        body = the note's text; 201 with the note and a location
//!   GET    /notes/ID     the note, or 404 {"error": ...}
//!   DELETE /notes/ID     204, or 404
//! Anything else: 404, or 405 with `allow`. JSON is written by hand (Debian's
//! serde would do, at the price of a proc-macro build).
use vivarium_guest::{guest_app_kvs, KVStore, Method, Request, Response};

const INDEX: &str = "notes/index"; // ids, comma-separated, in creation order
const NEXT: &str = "notes/next";

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json(status: u16, body: String) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.into_bytes())
        .unwrap()
}

fn error(status: u16, message: &str) -> Response<Vec<u8>> {
    json(status, format!("{{\"error\": {}}}", json_string(message)))
}

fn note_json(id: u64, text: &[u8]) -> String {
    format!("{{\"id\": {}, \"text\": {}}}", id, json_string(&String::from_utf8_lossy(text)))
}

fn ids(kvs: &KVStore) -> Vec<u64> {
    let index = kvs.get(INDEX).unwrap_or_default();
    String::from_utf8_lossy(&index).split(',').filter_map(|s| s.parse().ok()).collect()
}

fn note_key(id: u64) -> String {
    format!("notes/{}", id)
}

fn list(kvs: &KVStore) -> Response<Vec<u8>> {
    let notes: Vec<String> = ids(kvs)
        .into_iter()
        .filter_map(|id| kvs.get(&note_key(id)).map(|text| note_json(id, &text)))
        .collect();
    json(200, format!("{{\"notes\": [{}]}}", notes.join(", ")))
}

fn create(kvs: &mut KVStore, text: &[u8]) -> Response<Vec<u8>> {
    let id = kvs
        .get(NEXT)
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1);
    kvs.insert(NEXT, (id + 1).to_string().as_bytes());
    kvs.insert(&note_key(id), text);
    kvs.append(INDEX, format!("{},", id).as_bytes());
    Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .header("location", format!("/notes/{}", id))
        .body(note_json(id, text).into_bytes())
        .unwrap()
}

fn one(kvs: &mut KVStore, method: &Method, id: &str) -> Response<Vec<u8>> {
    let id = match id.parse::<u64>() {
        Ok(id) => id,
        Err(_) => return error(404, "no such note"),
    };
    match *method {
        Method::GET => match kvs.get(&note_key(id)) {
            Some(text) => json(200, note_json(id, &text)),
            None => error(404, "no such note"),
        },
        Method::DELETE => {
            if kvs.remove(&note_key(id)) {
                Response::builder().status(204).body(Vec::new()).unwrap()
            } else {
                error(404, "no such note")
            }
        }
        _ => not_allowed("GET, DELETE"),
    }
}

fn not_allowed(allow: &str) -> Response<Vec<u8>> {
    let mut r = error(405, "method not allowed");
    r.headers_mut().insert("allow", allow.parse().unwrap());
    r
}

fn route(kvs: &mut KVStore, req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let path = req.uri().path().trim_end_matches('/');
    match (path, req.method()) {
        ("/notes", &Method::GET) => list(kvs),
        ("/notes", &Method::POST) => create(kvs, req.body()),
        ("/notes", _) => not_allowed("GET, POST"),
        (p, m) if p.starts_with("/notes/") => one(kvs, m, &p["/notes/".len()..]),
        _ => error(404, "no such route"),
    }
}

guest_app_kvs!(route);
