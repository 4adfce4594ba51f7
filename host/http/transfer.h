// One outbound transfer: the request checked and turned into a curl easy
// handle, the response collected, the policy enforced from curl's callbacks.
// Private to host/http; driven by OutboundClient's thread.
#pragma once
#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "host/http/outbound.h"

namespace vivarium::http {

class Transfer {
 public:
  Transfer(uint64_t id, OutboundRequest req, std::shared_ptr<const net::EgressPolicy> policy,
           OutboundClient::Callback done);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Checks the request (URL, scheme, host against the policy, method,
  // headers) and builds the easy handle. An error means: do not start it.
  Result<void> prepare(const OutboundClient::Options& opts);
  CURL* easy() const { return easy_; }
  uint64_t id() const { return id_; }

  // The outcome once curl says the transfer is done.
  Result<OutboundResponse> finish(CURLcode code);
  // Runs the callback (once).
  void complete(Result<OutboundResponse> r);
  // An error whose message starts with "METHOD URL: ".
  Error error(ErrorCode code, const std::string& what) const;

 private:
  // false: drop the header (curl writes it); an error: refuse the request.
  Result<bool> check_header(const std::string& name, const std::string& value, uint16_t port) const;
  static curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* addr);
  static int prereq(void* self, char* primary_ip, char* local_ip, int primary_port, int local_port);
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_body(char* data, size_t size, size_t n, void* self);

  uint64_t id_;
  OutboundRequest req_;
  std::shared_ptr<const net::EgressPolicy> policy_;
  OutboundClient::Callback done_;
  CURL* easy_ = nullptr;
  CURLU* url_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string host_;  // the URL's host as curl parsed it (IPv6 without brackets)
  size_t max_body_ = 0;
  OutboundResponse resp_;
  std::string denied_;  // why the policy refused an address, when it did
  bool too_large_ = false;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace vivarium::http
