// One transfer: request checks, easy-handle set-up and policy callbacks.
#include "host/http/transfer.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace vivarium::http {
namespace {

constexpr size_t kMaxUrl = 64 * 1024;
constexpr size_t kMaxMethod = 64;

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_header(const Headers& h, std::string_view name) {
  return std::any_of(h.begin(), h.end(), [&](const auto& kv) { return iequals(kv.first, name); });
}

std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* s = nullptr;
  if (curl_url_get(u, part, &s, flags) != CURLUE_OK || s == nullptr) return {};
  std::string out(s);
  curl_free(s);
  return out;
}

}  // namespace

Transfer::Transfer(uint64_t id, OutboundRequest req, std::shared_ptr<const net::EgressPolicy> policy,
                   OutboundClient::Callback done)
    : id_(id), req_(std::move(req)), policy_(std::move(policy)), done_(std::move(done)) {
  if (!policy_) policy_ = std::make_shared<const net::EgressPolicy>();
}

Transfer::~Transfer() {
  if (easy_) curl_easy_cleanup(easy_);
  if (url_) curl_url_cleanup(url_);
  curl_slist_free_all(headers_);
}

Error Transfer::error(ErrorCode code, const std::string& what) const {
  std::string url = req_.url.size() > 200 ? req_.url.substr(0, 200) + "..." : req_.url;
  for (char& c : url)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  std::string method = req_.method.size() > 32 ? req_.method.substr(0, 32) + "..." : req_.method;
  return Error(code, method + " " + url + ": " + what);
}

Result<void> Transfer::prepare(const OutboundClient::Options& opts) {
  // The URL: absolute, http or https, nothing curl would read differently
  // from what the policy checks.
  if (req_.url.size() > kMaxUrl) return error(ErrorCode::Usage, "URL longer than 64 KiB");
  if (std::any_of(req_.url.begin(), req_.url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; }))
    return error(ErrorCode::Usage, "URL holds a space or control character");
  url_ = curl_url();
  if (!url_) return error(ErrorCode::Io, "out of memory");
  if (CURLUcode rc = curl_url_set(url_, CURLUPART_URL, req_.url.c_str(), CURLU_NON_SUPPORT_SCHEME); rc != CURLUE_OK)
    return error(ErrorCode::Usage, std::string("bad URL: ") + curl_url_strerror(rc));
  std::string scheme = url_part(url_, CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https")
    return error(ErrorCode::Usage, "scheme '" + scheme + "' is not allowed (only http and https)");
  host_ = url_part(url_, CURLUPART_HOST);
  if (host_.empty()) return error(ErrorCode::Usage, "URL has no host");
  if (host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);  // curl keeps IPv6 brackets
  if (host_.find('%') != std::string::npos || !url_part(url_, CURLUPART_ZONEID).empty())
    return error(ErrorCode::Usage, "IPv6 zone ids are not allowed in URLs");
  int port = std::atoi(url_part(url_, CURLUPART_PORT, CURLU_DEFAULT_PORT).c_str());
  if (port <= 0 || port > 65535) return error(ErrorCode::Usage, "bad port");
  if (!policy_->allows_name(host_, static_cast<uint16_t>(port)))
    return error(ErrorCode::Unsupported, "denied: the egress policy does not grant '" + host_ + ":" +
                                             std::to_string(port) + "'");

  if (!is_token(req_.method) || req_.method.size() > kMaxMethod)
    return error(ErrorCode::Usage, "method is not an HTTP token");
  if (iequals(req_.method, "CONNECT")) return error(ErrorCode::Usage, "method CONNECT is not allowed");
  for (const auto& [name, value] : req_.headers) {
    if (!is_token(name)) return error(ErrorCode::Usage, "header name '" + name.substr(0, 64) + "' is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return error(ErrorCode::Usage, "header '" + name + "' holds CR, LF or NUL");
    VIV_TRY_ASSIGN(bool keep, check_header(name, value, static_cast<uint16_t>(port)));
    if (!keep) continue;
    // "Name;" is curl's spelling of a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers_ = curl_slist_append(headers_, line.c_str());
  }
  // Only what the guest wrote: no default Accept, Expect or Content-Type.
  for (const char* name : {"Accept", "Expect", "Content-Type"})
    if (!has_header(req_.headers, name)) headers_ = curl_slist_append(headers_, (std::string(name) + ":").c_str());
  if (!headers_) return error(ErrorCode::Io, "out of memory");

  easy_ = curl_easy_init();
  if (!easy_) return error(ErrorCode::Io, "out of memory");
  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_easy_setopt(e, CURLOPT_CURLU, url_);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  // PIPEWAIT: a request to an origin whose first connection is still being
  // set up waits to learn whether it multiplexes rather than open another.
  // Only https can (h2 is negotiated by ALPN; plain http stays HTTP/1.1 with
  // 2TLS): elsewhere waiting could only serialize a fan-out to a new origin.
  if (scheme == "https") curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!opts.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, opts.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, req_.timeout.count())));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Transfer::prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, this);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  max_body_ = opts.max_response_bytes;
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_body_));

  bool bodiless = req_.body.empty() && (req_.method == "GET" || req_.method == "DELETE" ||
                                        req_.method == "OPTIONS" || req_.method == "TRACE");
  if (req_.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (bodiless) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (req_.method != "GET") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req_.method.c_str());
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req_.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req_.body.data());
    if (req_.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req_.method.c_str());
  }
  return {};
}

// Framing and connection headers belong to the client: a guest that set them
// could desynchronize a pooled connection that other guests' requests share
// (request smuggling). A Host header other than the URL's would reach a name
// the policy never checked (virtual hosts behind one granted address).
Result<bool> Transfer::check_header(const std::string& name, const std::string& value, uint16_t port) const {
  for (const char* refused : {"Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Proxy-Connection",
                              "HTTP2-Settings"})
    if (iequals(name, refused))
      return error(ErrorCode::Usage, "header '" + name + "' is the client's to set (connection and framing)");
  if (iequals(name, "Content-Length")) {
    if (value != std::to_string(req_.body.size()))
      return error(ErrorCode::Usage, "header Content-Length '" + value.substr(0, 32) + "' does not match the body's " +
                                         std::to_string(req_.body.size()) + " bytes");
    return false;  // curl writes it from the body
  }
  if (iequals(name, "Host")) {
    std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    if (!iequals(value, host) && !iequals(value, host + ":" + std::to_string(port)))
      return error(ErrorCode::Usage, "header Host '" + value.substr(0, 256) + "' is not the URL's host");
  }
  return true;
}

curl_socket_t Transfer::open_socket(void* self, curlsocktype purpose, curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(self);
  if (purpose != CURLSOCKTYPE_IPCXN || (addr->family != AF_INET && addr->family != AF_INET6)) {
    t->denied_ = "denied: not an IP connection";
    return CURL_SOCKET_BAD;
  }
  net::IpAddress ip = net::IpAddress::from_sockaddr(&addr->addr);
  uint16_t port = ntohs(addr->family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr->addr)->sin_port
                                                : reinterpret_cast<sockaddr_in6*>(&addr->addr)->sin6_port);
  if (!t->policy_->allows(t->host_, ip, port)) {
    t->denied_ = "denied: the egress policy does not grant " + ip.to_string() + " port " + std::to_string(port) +
                 " (reached through '" + t->host_ + "')";
    return CURL_SOCKET_BAD;
  }
  return ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

int Transfer::prereq(void* self, char* primary_ip, char*, int primary_port, int) {
  auto* t = static_cast<Transfer*>(self);
  auto ip = net::IpAddress::parse(primary_ip ? primary_ip : "");
  if (!ip || primary_port <= 0 || primary_port > 65535 ||
      !t->policy_->allows(t->host_, *ip, static_cast<uint16_t>(primary_port))) {
    t->denied_ = "denied: the egress policy does not grant the connection to " + std::string(primary_ip ? primary_ip : "?") +
                 " port " + std::to_string(primary_port) + " (reached through '" + t->host_ + "')";
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

size_t Transfer::on_header(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {  // a new response (after a 1xx): start over
    t->resp_.headers.clear();
    t->resp_.http_version = line.starts_with("HTTP/2") ? 20 : line.starts_with("HTTP/1.0") ? 10
                            : line.starts_with("HTTP/3") ? 30 : 11;
    return size * n;
  }
  if (line.empty()) return size * n;
  if ((line.front() == ' ' || line.front() == '\t') && !t->resp_.headers.empty()) {  // obsolete folding
    t->resp_.headers.back().second += " " + std::string(line.substr(line.find_first_not_of(" \t")));
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string_view value = line.substr(colon + 1);
  size_t first = value.find_first_not_of(" \t");
  value = first == std::string_view::npos ? std::string_view{} : value.substr(first);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->resp_.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return size * n;
}

size_t Transfer::on_body(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  size_t len = size * n;
  if (t->resp_.body.size() + len > t->max_body_) {
    t->too_large_ = true;
    return CURL_WRITEFUNC_ERROR;
  }
  t->resp_.body.append(data, len);
  return len;
}

Result<OutboundResponse> Transfer::finish(CURLcode code) {
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    resp_.status = static_cast<int>(status);
    return std::move(resp_);
  }
  std::string detail = errbuf_[0] ? errbuf_ : curl_easy_strerror(code);
  if (!denied_.empty()) return error(ErrorCode::Unsupported, denied_);
  if (too_large_ || code == CURLE_FILESIZE_EXCEEDED)
    return error(ErrorCode::LimitExceeded,
                 "response body larger than the limit of " + std::to_string(max_body_) + " bytes");
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return error(ErrorCode::DeadlineExceeded, "timed out after " + std::to_string(req_.timeout.count()) + " ms");
    case CURLE_COULDNT_RESOLVE_HOST:
      return error(ErrorCode::NotFound, "DNS: " + detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return error(ErrorCode::Usage, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return error(ErrorCode::Io, "TLS: " + detail);
    default:
      return error(ErrorCode::Io, detail);
  }
}

void Transfer::complete(Result<OutboundResponse> r) {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(r));
}

}  // namespace vivarium::http
