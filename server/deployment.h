// What a deployment is: the operator's request (DeploySpec: name, TTL, egress
// grants, limits), the facts the platform adds (Manifest: version, times,
// source format), and the compiled, prepared program requests run on
// (Deployment). A Deployment is immutable: redeploying builds a new one and
// swaps the pointer, so requests in flight keep the version they started on.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host/terrarium/guest_runner.h"
#include "vivarium/error.h"

namespace vivarium::server {

// Limits of one deployment. The guest's own limits go to the runner; the
// request-side ones are checked by the data plane after routing (the HTTP
// front end's global limits apply first, so a deployment can only lower them).
struct DeploymentLimits {
  terrarium::GuestLimits guest;
  uint64_t max_request_body = 8 << 20;  // 413 past it
  uint32_t max_headers = 100;           // 431 past it
  uint64_t max_header_bytes = 16 << 10; // names + values together; 431 past it
};

// The limit keys, as flags (--limit-KEY / [limits] KEY in --config), admin
// query parameters and manifest fields: "wall-time", "fuel", "memory",
// "max-request-body", "max-response-body", "max-headers", "max-header-bytes",
// "max-outbound", "outbound-timeout". Values use parse_duration/parse_size.
struct LimitKey {
  const char* key;
  const char* help;
};
const std::vector<LimitKey>& limit_keys();
// Sets one limit from its text form; the error names the key and the value.
Result<void> set_limit(DeploymentLimits& limits, std::string_view key, std::string_view value);
// The text form of one limit ("10s", "134217728"), as set_limit reads it back.
std::string get_limit(const DeploymentLimits& limits, std::string_view key);

// 0 when a request is within the deployment's request limits, else the
// status (413 body, 431 headers) with `why` naming the limit.
uint16_t check_request_limits(const terrarium::HttpRequest& req, const DeploymentLimits& limits, std::string& why);

struct DeploySpec {
  std::string name;
  std::chrono::milliseconds ttl{0};     // 0: never expires
  std::vector<std::string> allow_hosts; // egress grants (host/net/egress_policy.h syntax)
  DeploymentLimits limits;
};

enum class SourceFormat { Wasm, Wat };
// "\0asm" magic means binary; anything else is read as text.
SourceFormat detect_format(std::string_view bytes);
const char* format_name(SourceFormat f);

struct Manifest {
  DeploySpec spec;
  std::string version;   // unique per deploy ("<created-ms hex>-<random hex>")
  int64_t created_ms = 0;  // Unix epoch
  int64_t expires_ms = 0;  // 0: never
  SourceFormat format = SourceFormat::Wasm;
  uint64_t module_size = 0;
  std::string egress;    // EgressPolicy::to_string(), for listings
};

struct Deployment {
  Manifest manifest;
  std::shared_ptr<const terrarium::GuestProgram> program;  // what requests run
  // What runs its code now: "interpreter", "compiling" or "native" (Module::tier_status).
  const char* tier() const;
  bool expired_at(int64_t now_ms) const {
    return manifest.expires_ms != 0 && now_ms >= manifest.expires_ms;
  }
};

}  // namespace vivarium::server
