#include "server/deployment.h"

#include <functional>
#include <limits>

#include "server/names.h"

namespace vivarium::server {

namespace {

enum class Kind { Duration, Size, Count };

struct LimitField {
  LimitKey key;
  Kind kind;
  // Reads or writes the field as a plain integer (ms for durations).
  std::function<uint64_t&(DeploymentLimits&)> u64;
  std::function<std::chrono::milliseconds&(DeploymentLimits&)> ms;
  std::function<uint32_t&(DeploymentLimits&)> u32;
  std::function<size_t&(DeploymentLimits&)> sz;
};

const std::vector<LimitField>& fields() {
  static const std::vector<LimitField> table = [] {
    std::vector<LimitField> t;
    auto dur = [&](const char* k, const char* h, auto get) {
      LimitField f{{k, h}, Kind::Duration, {}, get, {}, {}};
      t.push_back(std::move(f));
    };
    auto u64 = [&](const char* k, const char* h, Kind kind, auto get) {
      t.push_back(LimitField{{k, h}, kind, get, {}, {}, {}});
    };
    auto u32 = [&](const char* k, const char* h, auto get) {
      t.push_back(LimitField{{k, h}, Kind::Count, {}, {}, get, {}});
    };
    auto sz = [&](const char* k, const char* h, auto get) {
      t.push_back(LimitField{{k, h}, Kind::Size, {}, {}, {}, get});
    };
    dur("wall-time", "wall-clock time per request, waits on upstreams included (504 past it)",
        [](DeploymentLimits& l) -> std::chrono::milliseconds& { return l.guest.wall_time; });
    u64("fuel", "instructions per request, 0 = unmetered (500 past it)", Kind::Count,
        [](DeploymentLimits& l) -> uint64_t& { return l.guest.fuel; });
    u64("memory", "bytes of memories and tables per instance (500 past it)", Kind::Size,
        [](DeploymentLimits& l) -> uint64_t& { return l.guest.max_memory_bytes; });
    u64("max-request-body", "request body bytes (413 past it)", Kind::Size,
        [](DeploymentLimits& l) -> uint64_t& { return l.max_request_body; });
    sz("max-response-body", "response body bytes the guest may set (500 past it)",
       [](DeploymentLimits& l) -> size_t& { return l.guest.max_response_body; });
    u32("max-headers", "request header count (431 past it)",
        [](DeploymentLimits& l) -> uint32_t& { return l.max_headers; });
    u64("max-header-bytes", "request header bytes, names and values (431 past it)", Kind::Size,
        [](DeploymentLimits& l) -> uint64_t& { return l.max_header_bytes; });
    u32("max-outbound", "outbound HTTP requests per incoming request",
        [](DeploymentLimits& l) -> uint32_t& { return l.guest.max_outbound_requests; });
    dur("outbound-timeout", "timeout of one outbound HTTP request",
        [](DeploymentLimits& l) -> std::chrono::milliseconds& { return l.guest.outbound_timeout; });
    return t;
  }();
  return table;
}

const LimitField* find_field(std::string_view key) {
  for (const auto& f : fields())
    if (key == f.key.key) return &f;
  return nullptr;
}

}  // namespace

const std::vector<LimitKey>& limit_keys() {
  static const std::vector<LimitKey> keys = [] {
    std::vector<LimitKey> k;
    for (const auto& f : fields()) k.push_back(f.key);
    return k;
  }();
  return keys;
}

Result<void> set_limit(DeploymentLimits& limits, std::string_view key, std::string_view value) {
  const LimitField* f = find_field(key);
  if (!f) {
    std::string known;
    for (const auto& k : limit_keys()) known += std::string(known.empty() ? "" : ", ") + k.key;
    return Error(ErrorCode::Usage, "unknown limit '" + std::string(key) + "' (known: " + known + ")");
  }
  auto fail = [&](const Error& e) {
    return Error(ErrorCode::Usage, "limit " + std::string(key) + ": " + e.message());
  };
  if (f->kind == Kind::Duration) {
    auto d = parse_duration(value);
    if (!d.ok()) return fail(d.error());
    if (d->count() <= 0) return Error(ErrorCode::Usage, "limit " + std::string(key) + " must be positive");
    f->ms(limits) = *d;
    return {};
  }
  auto n = parse_size(value);  // counts take the same digits (and tolerate k/M)
  if (!n.ok()) return fail(n.error());
  if (f->u32) {
    if (*n > std::numeric_limits<uint32_t>::max())
      return Error(ErrorCode::Usage, "limit " + std::string(key) + " is too large: " + std::string(value));
    f->u32(limits) = static_cast<uint32_t>(*n);
  } else if (f->sz) {
    f->sz(limits) = static_cast<size_t>(*n);
  } else {
    f->u64(limits) = *n;
  }
  return {};
}

std::string get_limit(const DeploymentLimits& limits, std::string_view key) {
  const LimitField* f = find_field(key);
  if (!f) return "";
  auto& l = const_cast<DeploymentLimits&>(limits);  // the accessors are shared with set_limit
  if (f->kind == Kind::Duration) return format_duration(f->ms(l));
  if (f->u32) return std::to_string(f->u32(l));
  if (f->sz) return std::to_string(f->sz(l));
  return std::to_string(f->u64(l));
}

uint16_t check_request_limits(const terrarium::HttpRequest& req, const DeploymentLimits& limits, std::string& why) {
  if (req.body.size() > limits.max_request_body) {
    why = "request body of " + std::to_string(req.body.size()) + " bytes exceeds this deployment's limit of " +
          std::to_string(limits.max_request_body);
    return 413;
  }
  if (req.headers.size() > limits.max_headers) {
    why = std::to_string(req.headers.size()) + " request headers exceed this deployment's limit of " +
          std::to_string(limits.max_headers);
    return 431;
  }
  uint64_t bytes = 0;
  for (const auto& [k, v] : req.headers) bytes += k.size() + v.size();
  if (bytes > limits.max_header_bytes) {
    why = "request headers of " + std::to_string(bytes) + " bytes exceed this deployment's limit of " +
          std::to_string(limits.max_header_bytes);
    return 431;
  }
  return 0;
}

const char* Deployment::tier() const { return program ? program->module().tier_status() : "interpreter"; }

SourceFormat detect_format(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("\0asm", 4) ? SourceFormat::Wasm
                                                                                 : SourceFormat::Wat;
}

const char* format_name(SourceFormat f) { return f == SourceFormat::Wasm ? "wasm" : "wat"; }

}  // namespace vivarium::server
