//! DNS through the host, which applies the deployment's egress policy: a
//! denied or unknown name is an error.

use crate::hostcalls::raw;
use crate::hostcalls::transfer::{take_bytes, take_list};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub struct DNS;

#[derive(Debug)]
pub struct DNSError(&'static str);

impl From<&'static str> for DNSError {
    fn from(description: &'static str) -> Self {
        DNSError(description)
    }
}

impl fmt::Display for DNSError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for DNSError {}

impl DNS {
    /// A DNS wire-format query in, the wire-format answer out.
    pub fn query_raw(query: &[u8]) -> Result<Vec<u8>, DNSError> {
        take_bytes(|p, l| unsafe {
            raw::hostcall_dns_query_raw(p, l, query.as_ptr(), query.len());
        })
        .ok_or(DNSError("Unable to resolve a raw query"))
    }

    /// The A (or, with `ipv6`, AAAA) addresses of `name`.
    pub fn query_ip(name: &str, ipv6: bool) -> Result<Vec<IpAddr>, DNSError> {
        let items = take_list(|p, l| unsafe {
            raw::hostcall_dns_query_ip(p, l, name.as_ptr(), name.len(), i32::from(ipv6));
        })
        .ok_or(DNSError("Unable to resolve an IP query"))?;
        items
            .into_iter()
            .map(|b| match b.len() {
                4 => Ok(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
                16 => {
                    let mut a = [0u8; 16];
                    a.copy_from_slice(&b);
                    Ok(IpAddr::V6(Ipv6Addr::from(a)))
                }
                _ => Err(DNSError("The host returned an address that is neither 4 nor 16 bytes")),
            })
            .collect()
    }
}
