//! Outbound HTTP with the `http` crate's types: `RequestExt::send` (blocks),
//! `send_async` with `PendingRequest::wait`/`poll`, and `select`.

use crate::hostcalls::{self, types as raw_types, HostcallStatus, PendingRequestHandle, RequestHandle, ResponseHandle};
use http::header::{HeaderName, HeaderValue};
use http::{Request, Response};
use std::fmt;

#[derive(Debug)]
pub enum SendError {
    /// The host refused or failed the request: a bad method or URL, an
    /// egress policy denial, a connection error, a timeout.
    Hostcall,
    /// A header value that is not a string (kept for source compatibility;
    /// this SDK passes header values as bytes and never returns it).
    HeaderToStr(http::header::ToStrError),
    /// The upstream response could not be represented as an `http::Response`.
    Http(http::Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            SendError::Hostcall => write!(f, "Hostcall send error"),
            SendError::HeaderToStr(e) => write!(f, "Header to str send error: {}", e),
            SendError::Http(e) => write!(f, "Http send error: {}", e),
        }
    }
}

// std::error::Error (with Send + Sync) is what lets `?` turn a SendError
// into a `failure::Error`, `Box<dyn Error>` or anyhow error, as with
// Terrarium's `Fail`-deriving original.
impl std::error::Error for SendError {}

/// An outbound request in flight.
#[derive(Debug, PartialEq)]
pub struct PendingRequest(PendingRequestHandle);

pub enum PollResult {
    NotReady(PendingRequest),
    Response(Response<Vec<u8>>),
}

pub trait RequestExt {
    type R;
    type Pending;

    /// Sends the request and blocks until the response (the guest is
    /// suspended; the server is not). The request's `version` is ignored.
    fn send(self) -> Result<Self::R, SendError>;

    /// Starts the request and returns at once.
    fn send_async(self) -> Result<Self::Pending, SendError>;
}

impl RequestExt for Request<Vec<u8>> {
    type R = Response<Vec<u8>>;
    type Pending = PendingRequest;

    fn send(self) -> Result<Response<Vec<u8>>, SendError> {
        let resp = prepare_req(self)?.send().ok_or(SendError::Hostcall)?;
        build_response(resp)
    }

    fn send_async(self) -> Result<PendingRequest, SendError> {
        prepare_req(self)?.send_async().map(PendingRequest).ok_or(SendError::Hostcall)
    }
}

impl PendingRequest {
    /// Blocks until the response; consumes the pending request.
    pub fn wait(self) -> Result<Response<Vec<u8>>, SendError> {
        build_response(self.0.wait().ok_or(SendError::Hostcall)?)
    }

    /// Does not block: `NotReady` gives the pending request back for
    /// another try; a response or an error consumes it.
    pub fn poll(self) -> Result<PollResult, SendError> {
        match self.0.poll() {
            raw_types::PollResult::Response(r) => build_response(r).map(PollResult::Response),
            raw_types::PollResult::NotReady(p) => Ok(PollResult::NotReady(PendingRequest(p))),
            raw_types::PollResult::Error => Err(SendError::Hostcall),
        }
    }
}

/// Blocks until one of `prs` completes. `Ok((which, response))` or
/// `Err(which)` if it failed; `which` is spent (compare it with `==` to
/// find out which one it was), all the others stay valid.
pub fn select(prs: &[&PendingRequest]) -> Result<(PendingRequest, Response<Vec<u8>>), PendingRequest> {
    let handles: Vec<&PendingRequestHandle> = prs.iter().map(|p| &p.0).collect();
    match hostcalls::select(&handles) {
        Ok((p, resp)) => match build_response(resp) {
            Ok(r) => Ok((PendingRequest(p), r)),
            Err(_) => Err(PendingRequest(p)),
        },
        Err(p) => Err(PendingRequest(p)),
    }
}

fn prepare_req(req: Request<Vec<u8>>) -> Result<RequestHandle, SendError> {
    let (parts, body) = req.into_parts();
    let mut h = RequestHandle::create(parts.method.as_str(), &parts.uri.to_string()).ok_or(SendError::Hostcall)?;
    for name in parts.headers.keys() {
        let values: Vec<&[u8]> = parts.headers.get_all(name).iter().map(HeaderValue::as_bytes).collect();
        if h.set_header_bytes(name.as_str(), &values) == HostcallStatus::Invalid {
            return Err(SendError::Hostcall);
        }
    }
    if h.set_body(&body) == HostcallStatus::Invalid {
        return Err(SendError::Hostcall);
    }
    Ok(h)
}

fn build_response(h: ResponseHandle) -> Result<Response<Vec<u8>>, SendError> {
    let mut b = Response::builder().status(h.get_response_code());
    for name in h.get_headers() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| SendError::Http(e.into()))?;
        for v in h.get_header_bytes(name.as_str()).unwrap_or_default() {
            b = b.header(&name, HeaderValue::from_bytes(&v).map_err(|e| SendError::Http(e.into()))?);
        }
    }
    b.body(h.get_body()).map_err(SendError::Http)
}
