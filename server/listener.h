// Accepting connections on one worker: the worker's own SO_REUSEPORT socket
// per ListenSpec, the connection cap, the TLS handshake with ALPN, and on a
// plaintext socket telling HTTP/2's connection preface from HTTP/1.x.
// Internal to server/.
#pragma once
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/connection.h"
#include "vivarium/error.h"

namespace vivarium::server {

// A listening socket on `host:port` with SO_REUSEPORT (so every worker can
// bind the same port); the error names the address.
Result<std::unique_ptr<boost::asio::ip::tcp::acceptor>> open_acceptor(boost::asio::io_context& io,
                                                                      const std::string& host, uint16_t port);

// The TLS context: certificate chain and key (PEM), TLS 1.2+, ALPN h2 then http/1.1.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file);

// Starts the accept loop of every acceptor of `w` (on w's thread).
void start_accepting(Worker& w);

}  // namespace vivarium::server
