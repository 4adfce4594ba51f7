#include "server/serve_options.h"

#include <charconv>
#include <sstream>

#include <toml++/toml.h>

#include "server/names.h"

namespace vivarium::server {

namespace {

// TOML -> CLI11 config items: scalars and arrays become the inputs of the
// option of the same name; [limits] KEY becomes --limit-KEY.
class TomlConfig final : public CLI::Config {
 public:
  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::stringstream ss;
    ss << input.rdbuf();
    std::string text = ss.str();
    toml::table root;
    try {
      root = toml::parse(std::string_view(text), std::string_view("--config"));
    } catch (const toml::parse_error& e) {
      throw CLI::ConfigError("--config: line " + std::to_string(e.source().begin.line) + ", column " +
                             std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
    }
    std::vector<CLI::ConfigItem> items;
    for (auto&& [key, node] : root) {
      if (auto* table = node.as_table()) {
        if (key.str() != "limits")
          throw CLI::ConfigError("--config: unknown table [" + std::string(key.str()) + "] (only [limits])");
        for (auto&& [lkey, lnode] : *table) items.push_back(item("limit-" + std::string(lkey.str()), lnode));
      } else {
        items.push_back(item(std::string(key.str()), node));
      }
    }
    return items;
  }

 private:
  static std::string scalar(const std::string& key, const toml::node& n) {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    if (n.is_integer()) return std::to_string(*n.value<int64_t>());
    if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
    if (n.is_floating_point()) return std::to_string(*n.value<double>());
    throw CLI::ConfigError("--config: key '" + key + "' has a value of an unsupported type");
  }
  static CLI::ConfigItem item(std::string key, const toml::node& n) {
    CLI::ConfigItem it;
    it.name = key;
    if (auto* arr = n.as_array()) {
      for (const auto& el : *arr) it.inputs.push_back(scalar(key, el));
    } else {
      it.inputs.push_back(scalar(key, n));
    }
    return it;
  }
};

Result<std::chrono::milliseconds> flag_duration(const char* flag, const std::string& v) {
  auto d = parse_duration(v);
  if (!d.ok()) return Error(ErrorCode::Usage, std::string(flag) + ": " + d.error().message());
  return d;
}

Result<uint64_t> flag_size(const char* flag, const std::string& v) {
  auto n = parse_size(v);
  if (!n.ok()) return Error(ErrorCode::Usage, std::string(flag) + ": " + n.error().message());
  return n;
}

}  // namespace

std::shared_ptr<CLI::Config> toml_config_reader() { return std::make_shared<TomlConfig>(); }

void add_serve_options(CLI::App& app, ServeOptions& o) {
  app.config_formatter(toml_config_reader());
  app.set_config("--config", "", "read options from a TOML file: the flags' long names as keys "
                                 "(listen = [\"0.0.0.0:8080\"], data = \"/var/lib/vivarium\"), per-deployment "
                                 "limit defaults in a [limits] table (wall-time = \"5s\"); flags win");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--listen", o.listen,
                 "address to serve deployments on, repeatable: ADDR:PORT (HTTP/1.1 and h2c), tls://ADDR:PORT "
                 "(TLS with ALPN h2/http/1.1; needs --tls-cert/--tls-key) [default: 127.0.0.1:8080]");
  app.add_option("--domain", o.domains,
                 "serve deployment NAME at NAME.DOMAIN, repeatable; NAME.localhost always works");
  app.add_option("--data", o.data_dir, "state directory: deployments, LMDB key-value store, admin token")
      ->capture_default_str();
  app.add_option("--admin", o.admin, "admin API listener ADDR:PORT, or 'off'")->capture_default_str();
  app.add_option("--admin-token-file", o.admin_token_file,
                 "file holding the admin bearer token [default: DATA/admin-token, created with a random token]");
  app.add_flag("--metrics-public", o.metrics_public, "serve /metrics on the admin listener without the token");
  app.add_option("--gateway", o.gateway,
                 "WebSocket socket gateway for browser guests ADDR:PORT, or 'off' (needs --gateway-token-file)")
      ->capture_default_str();
  app.add_option("--gateway-token-file", o.gateway_token_file,
                 "the gateway's tokens, one a line: TOKEN GRANT... [max=N] (grants as --allow-connect)");
  app.add_option("--kv", o.kv,
                 "key-value backend: redis://HOST:PORT[/DB] (nodes sharing it also share deployments) or "
                 "lmdb:DIR [default: lmdb:DATA/kv]");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain for tls:// listeners");
  app.add_option("--tls-key", o.tls_key, "PEM private key for tls:// listeners");
  app.add_option("--threads", o.threads, "worker threads, 0 = one per core")->capture_default_str();
  app.add_option("--access-log", o.access_log, "access log on stdout: text, json or off")
      ->check(CLI::IsMember({"text", "json", "off"}))
      ->capture_default_str();
  app.add_option("--log-level", o.log_level, "server log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--sync-interval", o.sync_interval,
                 "how often to re-read deployments from the store and expire TTLs")
      ->capture_default_str();
  app.add_option("--shutdown-grace", o.shutdown_grace,
                 "on SIGTERM/SIGINT: stop accepting, let requests finish this long, exit 0")
      ->capture_default_str();
  app.add_option("--max-body", o.max_body, "largest request body any deployment may receive (413)")
      ->capture_default_str();
  app.add_option("--max-header-bytes", o.max_header_bytes, "largest request head (431)")->capture_default_str();
  app.add_option("--max-headers", o.max_headers, "most request headers (431)")->capture_default_str();
  app.add_option("--header-timeout", o.header_timeout, "time a client has to send a request's head")
      ->capture_default_str();
  app.add_option("--idle-timeout", o.idle_timeout, "keep-alive idle time")->capture_default_str();
  app.add_option("--max-connections", o.max_connections, "open client connections at most")->capture_default_str();
  const auto& keys = limit_keys();
  o.limit_text.resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    o.limit_text[i] = get_limit(o.default_limits, keys[i].key);
    app.add_option(std::string("--limit-") + keys[i].key, o.limit_text[i],
                   std::string("default per deployment: ") + keys[i].help + "; an upload may set its own")
        ->capture_default_str()
        ->group("Per-deployment limit defaults");
  }
}

Result<void> finish_serve_options(ServeOptions& o) {
  if (o.listen.empty()) o.listen.push_back("127.0.0.1:8080");
  const auto& keys = limit_keys();
  for (size_t i = 0; i < keys.size() && i < o.limit_text.size(); ++i) {
    auto r = set_limit(o.default_limits, keys[i].key, o.limit_text[i]);
    if (!r.ok()) return Error(ErrorCode::Usage, std::string("--limit-") + keys[i].key + ": " + r.error().message());
  }
  for (const auto& l : o.listen) {
    auto spec = parse_listen(l);
    if (!spec.ok()) return Error(ErrorCode::Usage, "--listen: " + spec.error().message());
    if (spec->tls && (o.tls_cert.empty() || o.tls_key.empty()))
      return Error(ErrorCode::Usage, "--listen " + l + " is TLS: give --tls-cert and --tls-key");
  }
  if (o.admin != "off") {
    auto spec = parse_listen(o.admin);
    if (!spec.ok()) return Error(ErrorCode::Usage, "--admin: " + spec.error().message());
  }
  VIV_TRY(flag_duration("--sync-interval", o.sync_interval));
  VIV_TRY(flag_duration("--shutdown-grace", o.shutdown_grace));
  VIV_TRY(http_limits(o));
  return {};
}

Result<HttpLimits> http_limits(const ServeOptions& o) {
  HttpLimits l;
  VIV_TRY_ASSIGN(l.max_body_bytes, flag_size("--max-body", o.max_body));
  VIV_TRY_ASSIGN(l.max_header_bytes, flag_size("--max-header-bytes", o.max_header_bytes));
  VIV_TRY_ASSIGN(l.header_timeout, flag_duration("--header-timeout", o.header_timeout));
  VIV_TRY_ASSIGN(l.idle_timeout, flag_duration("--idle-timeout", o.idle_timeout));
  l.max_headers = o.max_headers;
  l.max_connections = o.max_connections;
  return l;
}

Result<ListenSpec> parse_listen(std::string_view text) {
  ListenSpec spec;
  std::string_view rest = text;
  for (std::string_view scheme : {"tls://", "https://"})
    if (rest.substr(0, scheme.size()) == scheme) {
      spec.tls = true;
      rest.remove_prefix(scheme.size());
    }
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos)
    return Error(ErrorCode::Usage, "'" + std::string(text) + "' is not ADDR:PORT (e.g. 127.0.0.1:8080, [::]:8080)");
  std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535 || port.empty())
    return Error(ErrorCode::Usage, "'" + std::string(text) + "': bad port '" + std::string(port) + "'");
  spec.host = host.empty() ? "0.0.0.0" : std::string(host);
  spec.port = static_cast<uint16_t>(p);
  return spec;
}

}  // namespace vivarium::server
