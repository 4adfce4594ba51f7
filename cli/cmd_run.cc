// `vivarium run`: run a WASI command (_start), a reactor (_initialize, then
// --invoke), or any exported function, with exactly the capabilities given
// on the command line. Flags follow wasmtime's where they overlap.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/parse_args.h"
#include "cli/socket_policy_net.h"
#include "cli/tier_auto.h"
#include "host/wasi/listen_socket.h"
#include "host/wasi/socket_abi.h"
#include "host/wasi/wasi.h"
#include "vivarium/vivarium.h"

namespace vivarium::cli {
namespace {

// Exit statuses of `vivarium run` itself. A guest's proc_exit code below
// wasi::kExitCodeLimit (126) is passed through; 126 and up belong to
// Vivarium alone, so a guest cannot pass itself off as a trap or a timeout.
constexpr int kExitFailure = 1;         // cannot load, link or set up the module
constexpr int kExitBadGuestCode = 126;  // proc_exit with a code >= 126 (wasmtime: an error too)
constexpr int kExitTrap = 134;          // trap, fuel or stack exhausted (128+SIGABRT, as wasmtime on Unix)
constexpr int kExitTimeout = 142;       // --timeout expired (128+SIGALRM: the timer's signal)

constexpr const char* kFooter = R"(Arguments after the module are passed to the guest (argv[0] is the module
path); with --invoke they are the function's arguments instead.

Descriptors: 0-2 are stdio; then one per --dir/--dir-ro in command-line order
(fd 3 is the first); then one per --listen socket (fd 3 when there is no
directory). Paths
resolve strictly beneath their preopen: "..", absolute paths and symlinks that
leave it are refused with ENOTCAPABLE.

Exit status: 0 when _start returns; the guest's proc_exit code when it is
0-125; 126 (and a message) when the guest calls proc_exit with 126 or more,
which WASI runners reserve; 134 on a trap (message and backtrace on stderr),
fuel exhaustion or stack overflow; 142 when --timeout expires; 1 when the
module cannot be loaded, linked or set up; 2 for a bad command line. A guest
can produce 0-125 only, so 126, 134 and 142 always come from Vivarium.

Environment: VIVARIUM_WASI_RESOLVE=walk|openat2 forces one path resolver
(default: openat2 when the kernel has it, else a component walk).)";

void print_backtrace(const Error& e) {
  if (e.backtrace().empty()) return;
  std::fprintf(stderr, "backtrace:\n%s", e.backtrace().c_str());
  if (e.backtrace().back() != '\n') std::fputc('\n', stderr);
}

void print_error(const Error& e) {
  std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
  print_backtrace(e);
}

// "10", "10s", "250ms", "2m", "1h", "1.5s" -> duration.
std::optional<std::chrono::nanoseconds> parse_duration(const std::string& s) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || errno != 0 || !(v >= 0) || std::isinf(v)) return std::nullopt;
  std::string unit(end);
  double scale;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else if (unit == "m") scale = 60e9;
  else if (unit == "h") scale = 3600e9;
  else return std::nullopt;
  double ns = v * scale;
  if (ns > 9e18) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

// "65536", "64K", "64KiB", "16M", "1G" (binary multiples) -> bytes.
std::optional<uint64_t> parse_size(const std::string& s) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (end == s.c_str() || errno != 0 || s[0] == '-') return std::nullopt;
  std::string unit(end);
  for (auto& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  uint64_t mul;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") mul = 1ull << 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") mul = 1ull << 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") mul = 1ull << 30;
  else return std::nullopt;
  if (v > UINT64_MAX / mul) return std::nullopt;
  return v * mul;
}

// HOST[::GUEST] -> (host, guest); the guest path defaults to HOST as given.
wasi::PreopenSpec parse_dir(const std::string& spec, bool read_only) {
  wasi::PreopenSpec p;
  size_t sep = spec.find("::");
  p.host_path = sep == std::string::npos ? spec : spec.substr(0, sep);
  p.guest_path = sep == std::string::npos ? spec : spec.substr(sep + 2);
  p.read_only = read_only;
  return p;
}

Result<Value> parse_arg(const std::string& s, ValType t) {
  char* end = nullptr;
  errno = 0;
  auto bad = [&] {
    return Error(ErrorCode::Usage, "cannot read '" + s + "' as " + to_string(t) + " for --invoke");
  };
  switch (t) {
    case ValType::I32: {
      long long v = std::strtoll(s.c_str(), &end, 0);
      if (*end || end == s.c_str() || errno || v < INT32_MIN || v > static_cast<long long>(UINT32_MAX)) return bad();
      return Value::i32(static_cast<int32_t>(static_cast<uint32_t>(v)));
    }
    case ValType::I64: {
      long long v = std::strtoll(s.c_str(), &end, 0);
      if (errno == ERANGE && s[0] != '-') {  // beyond INT64_MAX: read as unsigned
        errno = 0;
        v = static_cast<long long>(std::strtoull(s.c_str(), &end, 0));
      }
      if (*end || end == s.c_str() || errno) return bad();
      return Value::i64(v);
    }
    case ValType::F32: {
      float v = std::strtof(s.c_str(), &end);
      if (*end || end == s.c_str()) return bad();
      return Value::f32(v);
    }
    case ValType::F64: {
      double v = std::strtod(s.c_str(), &end);
      if (*end || end == s.c_str()) return bad();
      return Value::f64(v);
    }
    default:
      return Error(ErrorCode::Usage, std::string("--invoke cannot pass a ") + to_string(t) + " argument");
  }
}

void print_value(const Value& v) {
  switch (v.type()) {
    case ValType::I32: std::printf("%" PRId32 "\n", v.i32()); break;
    case ValType::I64: std::printf("%" PRId64 "\n", v.i64()); break;
    case ValType::F32: std::printf("%.9g\n", static_cast<double>(v.f32())); break;
    case ValType::F64: std::printf("%.17g\n", v.f64()); break;
    case ValType::V128: {
      std::printf("0x");
      for (int i = 15; i >= 0; --i) std::printf("%02x", v.v128().bytes[i]);
      std::printf("\n");
      break;
    }
    default: std::printf("%s\n", v.ref().is_null() ? "null" : "ref"); break;
  }
}

// --timeout backstop. The interpreter checks the deadline at calls and loop
// back-edges, and poll_oneoff waits no longer than it; but a guest can also
// block in the OS (reading a silent stdin, accepting on a quiet socket). At
// the deadline this asks the store to stop; a second later, if the guest is
// still stuck in a host call, it ends the process with the timeout status.
class Watchdog {
 public:
  Watchdog(Store& store, std::chrono::steady_clock::time_point deadline, std::string what)
      : thread_([this, &store, deadline, what = std::move(what)] {
          std::unique_lock<std::mutex> lock(mu_);
          if (cv_.wait_until(lock, deadline, [this] { return done_; })) return;
          store.interrupt();
          if (cv_.wait_until(lock, deadline + std::chrono::seconds(1), [this] { return done_; })) return;
          std::fprintf(stderr, "error: guest exceeded --timeout %s (blocked in a host call)\n", what.c_str());
          std::fflush(stdout);
          ::_exit(kExitTimeout);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

struct RunOptions {
  std::vector<std::string> dirs, dirs_ro, envs, listens;
  // --dir and --dir-ro in command-line order: preopens are numbered that way.
  std::vector<wasi::PreopenSpec> preopens;
  bool inherit_env = false;
  std::string invoke;
  std::string timeout, max_memory;
  uint64_t fuel = 0;
  SocketGrants sockets;     // --allow-connect/--allow-bind/--allow-dns
  std::string socket_abi;   // --socket-abi: empty chooses from the imports
  std::string tier = "auto";  // --tier: interp, native (the LLVM tier) or auto (cli/tier_auto.h)
  int argc = 0;  // the command line, for exec'ing vivarium-native (cli/tier_auto.h)
  char** argv = nullptr;
};

// Ends the process as soon as the guest is done: tearing down the module,
// store and WASI context (every compiled function freed, memories and the
// value stack unmapped, descriptors closed one by one) is work the kernel
// does anyway at exit, and it was a measurable part of `run hello.wasm`.
// Sanitizer builds take the normal path so their leak check still sees
// everything released.
int finish(int status) {
#ifndef VIVARIUM_SANITIZE
  std::fflush(nullptr);
  ::_exit(status);
#endif
  return status;
}

// The status for an error that ended the guest.
int status_for(const Error& e, const RunOptions& o, const std::string& path) {
  if (e.code() == ErrorCode::Exit) {
    // Never `& 0xff`: proc_exit(256) would exit 0, and 134 would look like a trap.
    if (e.value() >= 0 && e.value() < wasi::kExitCodeLimit) return static_cast<int>(e.value());
    std::fprintf(stderr,
                 "error: %s: guest called proc_exit(%" PRId64 "): exit codes of %" PRId64
                 " and above are reserved for the runtime (WASI commands exit with 0-%" PRId64 "); exit status %d\n",
                 path.c_str(), e.value(), wasi::kExitCodeLimit, wasi::kExitCodeLimit - 1, kExitBadGuestCode);
    return kExitBadGuestCode;
  }
  if (e.code() == ErrorCode::DeadlineExceeded) {
    std::fprintf(stderr, "error: guest exceeded --timeout %s\n", o.timeout.c_str());
    print_backtrace(e);
    return kExitTimeout;
  }
  if (e.code() == ErrorCode::OutOfFuel) {
    std::fprintf(stderr, "error: guest used all its fuel (--fuel %" PRIu64 ")\n", o.fuel);
    print_backtrace(e);
    return kExitTrap;
  }
  if (e.code() == ErrorCode::LimitExceeded) {  // e.g. a memory minimum above --max-memory
    print_error(e);
    return kExitFailure;
  }
  if (e.phase() == Phase::Trap || e.phase() == Phase::Exhaustion) {
    std::fprintf(stderr, "error: %s: wasm trap: %s\n", path.c_str(), e.message().c_str());
    print_backtrace(e);
    return kExitTrap;
  }
  print_error(e);
  return kExitFailure;
}

// The socket capability and ABI (--allow-*, --socket-abi); 0 or an exit status.
int configure_sockets(RunOptions& o, const Module& module, wasi::WasiConfig& cfg) {
  if (const char* log = std::getenv("VIVARIUM_LOG")) o.sockets.debug_log = std::strcmp(log, "debug") == 0;
  auto policy = make_socket_policy(o.sockets);
  if (!policy.ok()) {
    print_error(policy.error());
    return kExitUsage;
  }
  cfg.sockets = *policy;
  const wasi::SocketAbiChoice choice = wasi::choose_socket_abi(module);
  cfg.socket_abi = choice.connect;
  cfg.two_arg_accept = choice.two_arg_accept;
  if (!o.socket_abi.empty()) {
    auto abi = wasi::parse_socket_abi(o.socket_abi);
    if (!abi) {
      std::fprintf(stderr, "error: --socket-abi '%s': expected seed, wamr or wasmedge\n", o.socket_abi.c_str());
      return kExitUsage;
    }
    cfg.socket_abi = *abi;
  }
  return 0;
}

int run(RunOptions& o, const std::vector<std::string>& rest) {
  if (rest.empty()) {
    std::fprintf(stderr, "error: no module given (vivarium run [OPTIONS] MODULE [ARGS...])\n");
    return kExitUsage;
  }
  const std::string& path = rest[0];
  std::vector<std::string> guest_args(rest.begin() + 1, rest.end());

  wasi::WasiConfig cfg;
  cfg.args.push_back(path);
  if (o.invoke.empty()) cfg.args.insert(cfg.args.end(), guest_args.begin(), guest_args.end());
  if (o.inherit_env) {
    for (char** e = environ; e && *e; ++e) cfg.env.emplace_back(*e);
  }
  for (const std::string& kv : o.envs) {
    if (kv.empty() || kv[0] == '=') {
      std::fprintf(stderr, "error: --env '%s': the variable name is empty (use --env KEY=VALUE or --env KEY)\n",
                   kv.c_str());
      return kExitUsage;
    }
    std::string entry = kv;
    if (kv.find('=') == std::string::npos) {  // --env NAME: pass the host's value through
      const char* v = std::getenv(kv.c_str());
      if (!v) continue;
      entry = kv + "=" + v;
    }
    // A later --env replaces an inherited or earlier one of the same name.
    std::string key = entry.substr(0, entry.find('='));
    std::erase_if(cfg.env, [&](const std::string& e) { return e.compare(0, key.size() + 1, key + "=") == 0; });
    cfg.env.push_back(entry);
  }
  cfg.preopens = o.preopens;
  for (const auto& l : o.listens) {
    auto fd = wasi::open_listener(l);
    if (!fd.ok()) {
      print_error(fd.error());
      return fd.error().code() == ErrorCode::Usage ? kExitUsage : kExitFailure;
    }
    cfg.listeners.push_back(*fd);
  }
  if (const char* mode = std::getenv("VIVARIUM_WASI_RESOLVE")) {
    std::string m = mode;
    if (m == "walk") cfg.resolve = wasi::ResolveMode::Walk;
    else if (m == "openat2") cfg.resolve = wasi::ResolveMode::Openat2;
  }

  StoreLimits limits;
  if (!o.max_memory.empty()) {
    auto bytes = parse_size(o.max_memory);
    if (!bytes) {
      std::fprintf(stderr, "error: --max-memory: cannot read '%s' (e.g. 65536, 64KiB, 16M, 1G)\n", o.max_memory.c_str());
      return kExitUsage;
    }
    limits.max_memory_pages = static_cast<uint32_t>(std::min<uint64_t>(*bytes / 65536, 65536));
    limits.max_total_bytes = *bytes;  // every memory and table of the guest together
  }
  std::optional<std::chrono::nanoseconds> timeout;
  if (!o.timeout.empty()) {
    timeout = parse_duration(o.timeout);
    if (!timeout) {
      std::fprintf(stderr, "error: --timeout: cannot read '%s' (e.g. 10, 10s, 250ms, 2m)\n", o.timeout.c_str());
      return kExitUsage;
    }
  }

  CompileOptions copts;
  bool compile_later = false;
  if (o.tier == "auto" && Module::native_tier_available()) {
    copts.tier = ExecutionTier::Auto;
    copts.cache_dir = Module::default_cache_dir();
  } else if (o.tier == "auto") {
#if VIVARIUM_NATIVE  // the static vivarium: vivarium-native next to it has the tier
    if (const std::string cache = Module::default_cache_dir(); !cache.empty()) {
      if (has_tier_hint(cache, path)) return exec_native(o.argc, o.argv);  // starts from the cached code
      compile_later = true;
    }
#endif
  } else if (o.tier == "native") {
    if (!Module::native_tier_available()) {
      std::fprintf(stderr, "error: --tier native: this build has no native tier (built without LLVM)\n");
      return kExitUsage;
    }
    copts.tier = ExecutionTier::Native;
    copts.cache_dir = Module::default_cache_dir();
  }
  auto module = Module::load_file(path, copts);
  if (!module.ok()) {
    print_error(module.error());
    return kExitFailure;
  }
  if (compile_later) compile_in_background_later(path);
  // VIVARIUM_TIER_REPORT=1: which tier the module starts on (tests, tuning).
  if (const char* r = std::getenv("VIVARIUM_TIER_REPORT"); r && *r == '1') {
    std::fprintf(stderr, "vivarium: %s starts on the %s tier\n", path.c_str(), module->tier_status());
  }
  if (int st = configure_sockets(o, *module, cfg); st != 0) return st;

  Store store(limits);
  if (o.fuel) store.set_fuel(o.fuel);
  std::optional<Watchdog> watchdog;
  if (timeout) {
    auto deadline = std::chrono::steady_clock::now() + *timeout;
    store.set_deadline(deadline);
    cfg.deadline = deadline;
    watchdog.emplace(store, deadline, o.timeout);
  }
  auto ctx = wasi::WasiCtx::create(std::move(cfg));
  if (!ctx.ok()) {
    print_error(ctx.error());
    return finish(kExitFailure);
  }
  Linker linker;
  wasi::add_to_linker(linker, **ctx);

  auto inst = linker.instantiate(store, *module);
  if (!inst.ok()) return finish(status_for(inst.error(), o, path));

  auto call = [&](const std::string& name, std::span<const Value> args) -> Result<std::vector<Value>> {
    return inst->call(name, args);
  };
  // Reactors are initialized before anything else is called (wasmtime does
  // the same); a command's _start does its own initialization.
  const bool has_start = inst->func("_start").has_value();
  if (inst->func("_initialize") && (!has_start || !o.invoke.empty())) {
    auto r = call("_initialize", {});
    if (!r.ok()) return finish(status_for(r.error(), o, path));
  }
  std::fflush(stdout);

  if (!o.invoke.empty()) {
    auto f = inst->func(o.invoke);
    if (!f) {
      std::fprintf(stderr, "error: module '%s' exports no function '%s'\n", path.c_str(), o.invoke.c_str());
      return finish(kExitFailure);
    }
    const FuncType& type = f->type();
    if (guest_args.size() != type.params.size()) {
      std::fprintf(stderr, "error: function '%s' %s takes %zu argument(s), %zu given\n", o.invoke.c_str(),
                   type.to_string().c_str(), type.params.size(), guest_args.size());
      return finish(kExitUsage);
    }
    std::vector<Value> args;
    for (size_t i = 0; i < guest_args.size(); ++i) {
      auto v = parse_arg(guest_args[i], type.params[i]);
      if (!v.ok()) {
        print_error(v.error());
        return finish(kExitUsage);
      }
      args.push_back(*v);
    }
    auto r = f->call(args);
    if (!r.ok()) return finish(status_for(r.error(), o, path));
    for (const Value& v : *r) print_value(v);
    std::fflush(stdout);
    return finish(0);
  }
  if (has_start) {
    auto r = call("_start", {});
    if (!r.ok()) return finish(status_for(r.error(), o, path));
  } else if (!inst->func("_initialize")) {
    // Instantiation ran the module's start function, if any; say so rather
    // than exit silently when the user probably meant --invoke.
    std::string names;
    for (const auto& [name, ext] : inst->exports()) {
      if (kind_of(ext) == ExternKind::Func) names += (names.empty() ? "" : ", ") + name;
    }
    std::fprintf(stderr, "warning: '%s' exports no _start or _initialize; only instantiated it. "
                 "Call a function with --invoke NAME%s%s\n", path.c_str(),
                 names.empty() ? "" : " (exports: ", names.empty() ? "" : (names + ")").c_str());
  }
  return finish(0);
}

// The options before the module, parsed with CLI11: nullopt to go on, or
// the status to exit with (--help, a bad command line). `rest` gets the
// module and everything after it.
// CLI11 2.1 cannot name positionals it does not parse (the module and the
// guest's arguments come after prefix_command) in its usage line.
class RunFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "Usage: vivarium run [OPTIONS] MODULE [ARGS...]\n";
  }
};

std::optional<int> parse_options(int argc, char** argv, RunOptions& o, std::vector<std::string>& rest) {
  CLI::App app{"Run a WebAssembly module (.wasm or .wat) with WASI preview1.", "vivarium run"};
  app.formatter(std::make_shared<RunFormatter>());
  app.add_option("--dir", o.dirs,
                 "Preopen host directory HOST for the guest, named GUEST inside it (default: HOST). Repeatable.")
      ->allow_extra_args(false)
      ->type_name("HOST[::GUEST]");
  app.add_option("--dir-ro", o.dirs_ro,
                 "Like --dir, but read-only: the guest gets no right that could create, change or remove anything.")
      ->allow_extra_args(false)
      ->type_name("HOST[::GUEST]");
  app.add_option("--env", o.envs, "Set environment variable KEY to VALUE for the guest; --env KEY passes the host's value. Repeatable.")
      ->allow_extra_args(false)
      ->type_name("KEY[=VALUE]");
  app.add_flag("--inherit-env", o.inherit_env, "Give the guest the whole host environment (--env entries still win).");
  app.add_option("--listen", o.listens,
                 "Open a listening TCP socket on HOST:PORT (HOST: an IPv4 address, a bracketed IPv6 address, "
                 "localhost, or empty for every interface) and hand it to the guest as a descriptor for "
                 "sock_accept/sock_recv/sock_send/sock_shutdown (wasmtime's --tcplisten). Repeatable.")
      ->allow_extra_args(false)
      ->type_name("HOST:PORT");
  app.add_option("--allow-connect", o.sockets.connect,
                 "Let the guest connect to HOST|CIDR[:PORTS] (e.g. 127.0.0.1:8080, 10.0.0.0/8, [::1]:80-90, "
                 "example.com:443); a udp: prefix grants UDP connect/send_to instead of TCP. Nothing is "
                 "allowed by default, loopback included; a refusal is ENOTCAPABLE (EACCES for WAMR's calls). "
                 "Repeatable.")
      ->allow_extra_args(false)
      ->type_name("[udp:]HOST|CIDR[:PORTS]");
  app.add_option("--allow-bind", o.sockets.bind,
                 "Let the guest bind (listen or receive on) ADDR|CIDR[:PORTS]; 0.0.0.0 and [::] only when "
                 "named exactly. Repeatable.")
      ->allow_extra_args(false)
      ->type_name("ADDR[:PORTS]");
  app.add_option("--allow-dns", o.sockets.dns,
                 "Let the guest resolve NAME or *.SUFFIX (sock_addr_resolve); answers keep only addresses an "
                 "--allow-connect grant admits. Repeatable.")
      ->allow_extra_args(false)
      ->type_name("NAME-PATTERN");
  app.add_option("--socket-abi", o.socket_abi,
                 "Which sock_connect/sock_open/sock_bind/sock_accept the guest means: seed (sock_connect(ipv4, "
                 "port, fd_out)), wamr (WAMR lib-socket) or wasmedge (wasmedge_wasi_socket); default: chosen "
                 "from the module's import types.")
      ->type_name("seed|wamr|wasmedge");
  app.add_option("--invoke", o.invoke,
                 "Call exported function NAME (after _initialize, if exported) with the arguments after the "
                 "module, and print its results, one per line.")
      ->type_name("NAME");
  app.add_option("--timeout", o.timeout, "Stop the guest after this long (e.g. 10, 10s, 250ms, 2m); exit status 142.")
      ->type_name("DURATION");
  app.add_option("--max-memory", o.max_memory,
                 "Most host memory the guest's linear memories and tables may take together (e.g. 65536, 64KiB, "
                 "16M, 1G); growing past it fails like memory.grow at its maximum.")
      ->type_name("BYTES");
  app.add_option("--tier", o.tier,
                 "Execution tier: auto (default: native code when the module was compiled before, else the "
                 "interpreter at once, compiling it in the background for later runs once it has run for "
                 "VIVARIUM_TIER_UP_MS, default 250), interp, or native (compiles with LLVM first)")
      ->check(CLI::IsMember({"auto", "interp", "native"}));
  app.add_option("--fuel", o.fuel, "Stop the guest after N units of fuel (one per call and loop iteration); exit status 134.")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {  // a whole number >= 1 (CLI11 would wrap "-3" around)
            const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
            return digits && v.find_first_not_of('0') != std::string::npos
                       ? std::string()
                       : "must be a whole number of at least 1, not '" + v + "'";
          },
          "N >= 1"))
      ->type_name("N");
  app.footer(kFooter);
  app.prefix_command();  // the first non-option is the module; everything after it is the guest's
  if (auto status = parse_args(app, argc, argv)) return *status;
  rest = app.remaining();
  // CLI11 keeps each option's values apart; recover the interleaving of
  // --dir and --dir-ro from the options part of argv (before the module).
  const int options_end = argc - static_cast<int>(rest.size());
  for (int i = 1; i < options_end; ++i) {
    std::string_view a = argv[i];
    for (bool ro : {false, true}) {
      std::string_view flag = ro ? "--dir-ro" : "--dir";
      if (a == flag && i + 1 < options_end) {
        o.preopens.push_back(parse_dir(argv[++i], ro));
      } else if (a.size() > flag.size() && a.substr(0, flag.size() + 1) == std::string(flag) + "=") {
        o.preopens.push_back(parse_dir(std::string(a.substr(flag.size() + 1)), ro));
      }
    }
  }
  if (o.preopens.size() != o.dirs.size() + o.dirs_ro.size()) {  // should not happen; trust CLI11 then
    o.preopens.clear();
    for (const auto& d : o.dirs) o.preopens.push_back(parse_dir(d, false));
    for (const auto& d : o.dirs_ro) o.preopens.push_back(parse_dir(d, true));
  }
  if (!rest.empty() && rest[0] == "--") {
    rest.erase(rest.begin());
  } else if (!rest.empty() && rest[0].size() > 1 && rest[0][0] == '-') {
    // Option parsing stops at the first word it does not know (everything
    // after the module is the guest's), so an unknown option lands here.
    // A module path that starts with '-' can still be given after `--`.
    std::fprintf(stderr, "error: unknown option %s (see vivarium run --help)\n", rest[0].c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace

int cmd_run(int argc, char** argv) {
  // A guest writing to a closed pipe gets EPIPE, not a dead runtime.
  ::signal(SIGPIPE, SIG_IGN);
  RunOptions o;
  o.argc = argc;
  o.argv = argv;
  std::vector<std::string> rest;
  if (argc >= 2 && argv[1][0] != '-') {
    // No option before the module, so nothing for CLI11 to parse: everything
    // from the module on is the guest's. Building the App (an Option, strings
    // and std::functions per flag) and parsing was ~5% of `run hello.wasm`.
    rest.assign(argv + 1, argv + argc);
  } else if (auto status = parse_options(argc, argv, o, rest)) {
    return *status;
  }
  // `vivarium run FILE --invoke NAME ARGS...` (the documented order) as well
  // as `run --invoke NAME FILE ARGS...` (wasmtime's). A guest that wants a
  // literal "--invoke" as its first argument writes `run FILE -- --invoke`.
  if (rest.size() >= 2 && o.invoke.empty()) {
    const std::string& a = rest[1];
    if (a == "--invoke") {
      if (rest.size() < 3) {
        std::fprintf(stderr, "error: --invoke needs a function name (vivarium run FILE --invoke NAME [ARGS...])\n");
        return kExitUsage;
      }
      o.invoke = rest[2];
      rest.erase(rest.begin() + 1, rest.begin() + 3);
    } else if (a.rfind("--invoke=", 0) == 0) {
      o.invoke = a.substr(9);
      rest.erase(rest.begin() + 1);
    } else if (a == "--") {
      rest.erase(rest.begin() + 1);
    }
  }
  return run(o, rest);
}

}  // namespace vivarium::cli
