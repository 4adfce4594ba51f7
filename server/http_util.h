// Protocol helpers shared by the HTTP/1.1 and HTTP/2 connections: which
// headers are hop-by-hop, the Host header's normal form, the Date header,
// request ids, and the checks a handler's response passes before it is sent.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "host/terrarium/guest_runner.h"

namespace vivarium::server {

// RFC 9110 7.6.1: Connection, Keep-Alive, Proxy-*, TE, Trailer,
// Transfer-Encoding, Upgrade (any case). Headers named in a Connection
// header are hop-by-hop too; see ConnectionTokens.
bool is_hop_by_hop(std::string_view name);

// The comma-separated names of a Connection header, lower-cased and joined
// with ','; contains() tells whether a header name is one of them.
class ConnectionTokens {
 public:
  void add(std::string_view connection_header_value);
  bool contains(std::string_view name) const;
  bool empty() const { return tokens_.empty(); }

 private:
  std::string tokens_;  // ",a,b," lower-case
};

// RFC 9110 5.1 token characters (header names, methods).
bool is_token(std::string_view s);
// A field value may not carry CR, LF or NUL (response splitting).
bool is_field_value(std::string_view s);

// "Example.COM:8080" -> "example.com"; "[::1]:80" -> "[::1]". Empty on a
// malformed host (bad characters, bad port).
std::string normalize_host(std::string_view host);

// The current time as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
// formatted at most once per second per thread.
std::string_view http_date();

// 16 lower-case hex digits, unique per process: a per-thread counter seeded
// from the OS's CSPRNG, run through a bijective mixer (no syscall per id).
std::string new_request_id();

// Makes a handler's response safe to send: a final status in 200..599 (else
// 500), header names that are tokens and values without CR/LF/NUL, no
// hop-by-hop or framing headers (the server frames the body itself). Tells
// whether the handler set Date and Server. `lower_names` lower-cases names
// (HTTP/2 requires it).
struct ResponseFacts {
  bool has_date = false;
  bool has_server = false;
};
ResponseFacts sanitize_response(terrarium::HttpResponse& r, bool lower_names);

// Statuses whose response never has a body (RFC 9110 6.4.1).
inline bool status_has_body(unsigned status) { return status >= 200 && status != 204 && status != 304; }

// The response the server itself sends for a request it refuses.
terrarium::HttpResponse error_response(uint16_t status, std::string_view message);

}  // namespace vivarium::server
