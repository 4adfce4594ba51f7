// The entry points from the listener into the protocol layers: a connection
// whose protocol is known starts here, with the bytes already read from it
// (the listener reads some to tell an HTTP/2 preface from HTTP/1.x).
// Internal to server/.
#pragma once
#include <string>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/connection.h"

namespace vivarium::server {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

void start_http1(Worker& w, PlainStream s, boost::beast::flat_buffer already_read, std::string client_ip);
void start_http1(Worker& w, TlsStream s, boost::beast::flat_buffer already_read, std::string client_ip);
void start_http2(Worker& w, PlainStream s, boost::beast::flat_buffer already_read, std::string client_ip);
void start_http2(Worker& w, TlsStream s, boost::beast::flat_buffer already_read, std::string client_ip);

// Ends a connection after its last response: TLS close_notify, or for plain
// TCP a half-close followed by reading (and dropping) what the client still
// sends for up to a second, so that unread request bytes do not make the
// kernel reset the connection before the client has read the response.
// `keep` is kept alive until the close completes.
void close_gracefully(PlainStream& s, std::shared_ptr<void> keep);
void close_gracefully(TlsStream& s, std::shared_ptr<void> keep);

}  // namespace vivarium::server
