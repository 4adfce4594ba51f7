#include "options.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "cli/socket_policy_net.h"
#include "host/wasi/socket_abi.h"
#include "output_sink.h"

namespace vivarium::node {
namespace {

// A non-negative integer option, if present.
Result<bool> number_opt(Napi::Object o, const char* key, double& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return false;
  double d = v.IsBigInt() ? static_cast<double>(v.As<Napi::BigInt>().Uint64Value(nullptr))
                          : (v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1);
  if (!(d >= 0) || !std::isfinite(d)) return Error(ErrorCode::Usage, std::string("limits.") + key + ": expected a non-negative number");
  out = d;
  return true;
}

template <class T>
Result<void> set_opt(Napi::Object o, const char* key, T& field, double scale = 1) {
  double d = 0;
  VIV_TRY_ASSIGN(bool present, number_opt(o, key, d));
  if (present) field = static_cast<T>(std::min(d / scale, static_cast<double>(std::numeric_limits<T>::max())));
  return {};
}

Result<std::vector<std::string>> strings(Napi::Value v, const char* what) {
  std::vector<std::string> out;
  if (v.IsUndefined()) return out;
  if (!v.IsArray()) return Error(ErrorCode::Usage, std::string("wasi.") + what + ": expected an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).ToString().Utf8Value());
  return out;
}

Result<int> stdio(Napi::Value v, int fallback, InstanceState& s, const char* what) {
  if (v.IsUndefined()) return fallback;
  if (v.IsNumber()) return v.As<Napi::Number>().Int32Value();
  if (v.IsFunction()) {
    VIV_TRY_ASSIGN(auto sink, OutputSink::create(v.As<Napi::Function>(), s.rt));
    s.sinks.push_back(sink);
    return sink->write_fd();
  }
  return Error(ErrorCode::Usage, std::string("wasi.") + what + ": expected a descriptor, a function or a stream");
}

// sockets: { connect, bind, dns, abi }: the grants of `vivarium run
// --allow-connect/--allow-bind/--allow-dns` and its --socket-abi. Without
// it the guest has no network, loopback included.
Result<void> read_sockets(Napi::Value v, const Module& module, wasi::WasiConfig& c) {
  cli::SocketGrants grants;
  if (v.IsObject()) {
    Napi::Object o = v.As<Napi::Object>();
    VIV_TRY_ASSIGN(grants.connect, strings(o.Get("connect"), "sockets.connect"));
    VIV_TRY_ASSIGN(grants.bind, strings(o.Get("bind"), "sockets.bind"));
    VIV_TRY_ASSIGN(grants.dns, strings(o.Get("dns"), "sockets.dns"));
  } else if (!v.IsUndefined()) {
    return Error(ErrorCode::Usage, "wasi.sockets: expected { connect, bind, dns, abi }");
  }
  VIV_TRY_ASSIGN(c.sockets, cli::make_socket_policy(grants));
  const wasi::SocketAbiChoice choice = wasi::choose_socket_abi(module);
  c.socket_abi = choice.connect;
  c.two_arg_accept = choice.two_arg_accept;
  Napi::Value abi = v.IsObject() ? v.As<Napi::Object>().Get("abi") : v;
  if (abi.IsString()) {
    auto parsed = wasi::parse_socket_abi(abi.As<Napi::String>().Utf8Value());
    if (!parsed) return Error(ErrorCode::Usage, "wasi.sockets.abi: expected 'seed', 'wamr' or 'wasmedge'");
    c.socket_abi = *parsed;
  }
  return {};
}

// Given bytes as the guest's stdin: an anonymous in-memory file holding
// them (the WASI context dups it; ours is closed after that).
Result<int> stdin_from(Napi::Value v, InstanceState& s) {
  std::string data;
  if (v.IsString()) {
    data = v.As<Napi::String>().Utf8Value();
  } else {
    auto ta = v.As<Napi::TypedArray>();
    data.assign(static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength());
  }
  int fd = memfd_create("vivarium-stdin", MFD_CLOEXEC);
  if (fd < 0) return Error(ErrorCode::Io, std::string("wasi.stdin: memfd_create: ") + std::strerror(errno));
  s.owned_fds.push_back(fd);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(ErrorCode::Io, std::string("wasi.stdin: write: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

Result<void> read_limits(Napi::Value v, StoreLimits& l, InstanceDefaults& d) {
  if (v.IsUndefined() || v.IsNull()) return {};
  if (!v.IsObject()) return Error(ErrorCode::Usage, "limits: expected an object");
  Napi::Object o = v.As<Napi::Object>();
  VIV_TRY(set_opt(o, "maxMemoryPages", l.max_memory_pages));
  VIV_TRY(set_opt(o, "maxMemoryBytes", l.max_memory_pages, 65536.0));
  VIV_TRY(set_opt(o, "maxTableElements", l.max_table_elements));
  VIV_TRY(set_opt(o, "maxInstances", l.max_instances));
  VIV_TRY(set_opt(o, "maxCallDepth", l.max_call_depth));
  VIV_TRY(set_opt(o, "maxStackBytes", l.max_stack_bytes));
  VIV_TRY(set_opt(o, "maxTotalBytes", l.max_total_bytes));
  VIV_TRY(set_opt(o, "fuel", d.fuel));
  VIV_TRY(set_opt(o, "timeout", d.timeout_ms));
  return {};
}

Result<wasi::WasiConfig> read_wasi(Napi::Value v, InstanceState& s) {
  wasi::WasiConfig c;
  Napi::Object o = v.As<Napi::Object>();
  VIV_TRY_ASSIGN(c.args, strings(o.Get("args"), "args"));
  if (c.args.empty()) c.args.push_back("module.wasm");
  VIV_TRY_ASSIGN(c.env, strings(o.Get("env"), "env"));
  Napi::Value pre = o.Get("preopens");
  if (pre.IsArray()) {
    Napi::Array a = pre.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Object p = a.Get(i).As<Napi::Object>();
      wasi::PreopenSpec spec;
      spec.guest_path = p.Get("guest").ToString().Utf8Value();
      spec.host_path = p.Get("host").ToString().Utf8Value();
      spec.read_only = p.Get("readOnly").ToBoolean().Value();
      c.preopens.push_back(std::move(spec));
    }
  }
  Napi::Value in = o.Get("stdin");
  if (in.IsFunction()) return Error(ErrorCode::Usage, "wasi.stdin: expected a descriptor, a string or bytes");
  if (in.IsString() || in.IsTypedArray()) {
    VIV_TRY_ASSIGN(c.stdin_fd, stdin_from(in, s));
  } else {
    VIV_TRY_ASSIGN(c.stdin_fd, stdio(in, 0, s, "stdin"));
  }
  VIV_TRY_ASSIGN(c.stdout_fd, stdio(o.Get("stdout"), 1, s, "stdout"));
  VIV_TRY_ASSIGN(c.stderr_fd, stdio(o.Get("stderr"), 2, s, "stderr"));
  VIV_TRY(read_sockets(o.Get("sockets"), s.module, c));
  return c;
}

}  // namespace vivarium::node
