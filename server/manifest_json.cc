#include "server/manifest_json.h"

#include "server/names.h"

namespace vivarium::server {

nlohmann::json manifest_to_json(const Manifest& m) {
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& k : limit_keys()) limits[k.key] = get_limit(m.spec.limits, k.key);
  return {
      {"name", m.spec.name},
      {"version", m.version},
      {"created_ms", m.created_ms},
      {"expires_ms", m.expires_ms},
      {"ttl", m.spec.ttl.count() ? format_duration(m.spec.ttl) : ""},
      {"format", format_name(m.format)},
      {"module_size", m.module_size},
      {"allow_hosts", m.spec.allow_hosts},
      {"egress", m.egress},
      {"limits", limits},
  };
}

Result<Manifest> manifest_from_json(std::string_view text) {
  auto bad = [](const std::string& why) { return Error(ErrorCode::Malformed, "deployment manifest: " + why); };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  Manifest m;
  try {
    m.spec.name = j.at("name").get<std::string>();
    m.version = j.at("version").get<std::string>();
    m.created_ms = j.at("created_ms").get<int64_t>();
    m.expires_ms = j.at("expires_ms").get<int64_t>();
    std::string ttl = j.value("ttl", "");
    std::string format = j.at("format").get<std::string>();
    m.module_size = j.at("module_size").get<uint64_t>();
    m.spec.allow_hosts = j.value("allow_hosts", std::vector<std::string>{});
    m.egress = j.value("egress", "");
    if (format != "wasm" && format != "wat") return bad("unknown format '" + format + "'");
    m.format = format == "wasm" ? SourceFormat::Wasm : SourceFormat::Wat;
    if (!ttl.empty()) {
      auto d = parse_duration(ttl);
      if (!d.ok()) return bad(d.error().message());
      m.spec.ttl = *d;
    }
    if (j.contains("limits")) {
      for (const auto& [key, value] : j.at("limits").items()) {
        auto r = set_limit(m.spec.limits, key, value.get<std::string>());
        if (!r.ok()) return bad(r.error().message());
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  if (auto r = validate_name(m.spec.name); !r.ok()) return bad(r.error().message());
  return m;
}

}  // namespace vivarium::server
