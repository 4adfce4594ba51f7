//! Time, random numbers, DNS and debug logging:
//!   /time           "SECS NANOS" since the Unix epoch
//!   /random         four u64 from the host's CSPRNG and 13 filled bytes, in hex
//!   /dns?NAME       the A records of NAME (404 with the error if it fails)
//!   /dns6?NAME      the AAAA records
//!   /dnsraw?NAME    a wire-format A query for NAME: the answer's size and rcode
//!   /debug          writes a line to the server log
//!   /print          println! (on wasm32-wasi a debug line too; elsewhere discarded)
use vivarium_guest::hostcalls;
use vivarium_guest::rand::guest_rng;
use vivarium_guest::{guest_app, Request, Response, Time, DNS};

fn ok(text: String) -> Response<Vec<u8>> {
    Response::builder().status(200).body(text.into_bytes()).unwrap()
}

fn fail(text: String) -> Response<Vec<u8>> {
    Response::builder().status(404).body(text.into_bytes()).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{:02x}", b)).collect()
}

fn dns_ip(name: &str, ipv6: bool) -> Response<Vec<u8>> {
    match DNS::query_ip(name, ipv6) {
        Ok(addrs) => ok(addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" ")),
        Err(e) => fail(format!("dns error: {}", e)),
    }
}

/// A one-question DNS query (id 0x1234, recursion desired, type A, class IN).
fn a_query(name: &str) -> Vec<u8> {
    let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    for label in name.split('.').filter(|l| !l.is_empty()) {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]);
    q
}

fn platform(req: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let query = req.uri().query().unwrap_or("");
    match req.uri().path() {
        "/time" => {
            let t = Time::since_epoch();
            ok(format!("{} {}", t.as_secs(), t.subsec_nanos()))
        }
        "/random" => {
            let mut rng = guest_rng();
            let words: Vec<String> = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
            let mut bytes = [0u8; 13];
            rng.fill_bytes(&mut bytes);
            ok(format!("{} {}", words.join(" "), hex(&bytes)))
        }
        "/dns" => dns_ip(query, false),
        "/dns6" => dns_ip(query, true),
        "/dnsraw" => match DNS::query_raw(&a_query(query)) {
            Ok(answer) if answer.len() >= 4 => ok(format!("{} bytes rcode {}", answer.len(), answer[3] & 0x0f)),
            Ok(answer) => fail(format!("short answer: {} bytes", answer.len())),
            Err(e) => fail(format!("dns error: {}", e)),
        },
        "/debug" => {
            hostcalls::debug("rust guest says hi");
            ok("logged".to_string())
        }
        "/print" => {
            println!("printed by the rust guest");
            ok("printed".to_string())
        }
        _ => fail("no such route".to_string()),
    }
}

guest_app!(platform);
