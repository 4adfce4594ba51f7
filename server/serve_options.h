// `vivarium serve`'s options: one struct, registered once with CLI11 so the
// flags, `--help` and `--config FILE` (TOML, read with toml++) are the same
// set of keys. In the TOML file a key is the flag's long name without the
// dashes (listen = ["127.0.0.1:8080"], data = "/var/lib/vivarium"); the
// per-deployment limit defaults go in a [limits] table (wall-time = "5s").
// The command line wins over the file.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "server/deployment.h"
#include "server/http_server.h"
#include "vivarium/error.h"

namespace vivarium::server {

struct ServeOptions {
  std::vector<std::string> listen;  // ADDR:PORT, or tls://ADDR:PORT; default 127.0.0.1:8080
  std::vector<std::string> domains;
  std::string data_dir = "vivarium-data";
  std::string admin = "127.0.0.1:8081";  // "off": no admin listener
  std::string admin_token_file;          // default DATA/admin-token (created)
  bool metrics_public = false;
  std::string gateway = "off";            // WebSocket socket gateway ADDR:PORT (server/gateway/)
  std::string gateway_token_file;         // its tokens and their network grants
  std::string kv;                        // default lmdb:DATA/kv
  std::string tls_cert, tls_key;
  unsigned threads = 0;
  std::string access_log = "text";       // text | json | off
  std::string log_level = "info";
  std::string sync_interval = "1s";
  std::string shutdown_grace = "10s";
  std::string max_body = "8MiB";         // the HTTP front end's global limits
  std::string max_header_bytes = "16KiB";
  unsigned max_headers = 100;
  std::string header_timeout = "10s";
  std::string idle_timeout = "60s";
  unsigned max_connections = 10000;
  std::vector<std::string> limit_text;   // filled per limit key (index of limit_keys())
  DeploymentLimits default_limits;       // after finish()
};

// Adds every option to `app` (and --config with the TOML reader).
void add_serve_options(CLI::App& app, ServeOptions& o);
// Checks values and fills the parsed fields; errors name the flag.
Result<void> finish_serve_options(ServeOptions& o);

// "127.0.0.1:8080", "[::]:8080", ":8080" (all IPv4 interfaces), with an
// optional "tls://" or "https://" (TLS) or "http://" prefix.
Result<ListenSpec> parse_listen(std::string_view text);

// Global HTTP limits and the guest-runner defaults derived from the options.
Result<HttpLimits> http_limits(const ServeOptions& o);

// The CLI11 config reader that parses TOML with toml++ (exposed for tests).
std::shared_ptr<CLI::Config> toml_config_reader();

}  // namespace vivarium::server
