// The Linker: named definitions (host functions and store externs), import
// resolution by (module, name), then instantiation (engine/runtime/instantiate).
#include "vivarium/linker.h"

#include <map>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "engine/runtime/extern_match.h"
#include "engine/runtime/instantiate.h"
#include "engine/runtime/module_impl.h"
#include "engine/runtime/store_extras.h"

namespace vivarium {

struct Linker::Impl {
  // A host function is defined once and materialized lazily in each store
  // that uses it (one FuncInst per store, cached in the store).
  struct HostEntry {
    std::shared_ptr<const HostFuncDef> def;
  };
  using Entry = std::variant<HostEntry, Extern>;
  // Nested maps with transparent comparison: lookups take string_views
  // without building a key string.
  std::map<std::string, std::map<std::string, Entry, std::less<>>, std::less<>> defs;
  uint64_t generation = 0;  // bumped by every define: invalidates `resolutions`

  // Import resolution per module, reused while no definition changes. The
  // edge server instantiates one module with one linker per request, and the
  // string lookups would otherwise be a large share of instantiation. Guarded
  // by a mutex because a const Linker may be shared by threads.
  using Resolution = std::vector<const Entry*>;  // one per import; nullptr = unknown
  struct Cached {
    std::weak_ptr<const detail::ModuleImpl> module;  // alive => the key address is not reused
    uint64_t generation = 0;
    std::shared_ptr<const Resolution> entries;
  };
  mutable std::mutex cache_mu;
  mutable std::unordered_map<const detail::ModuleImpl*, Cached> resolutions;

  Impl() = default;
  Impl(const Impl& o) : defs(o.defs), generation(o.generation) {}

  const Entry* find(std::string_view module, std::string_view name) const {
    auto m = defs.find(module);
    if (m == defs.end()) return nullptr;
    auto e = m->second.find(name);
    return e == m->second.end() ? nullptr : &e->second;
  }

  std::shared_ptr<const Resolution> resolve(const detail::ModuleImpl& m) const {
    {
      std::lock_guard<std::mutex> lock(cache_mu);
      auto it = resolutions.find(&m);
      if (it != resolutions.end() && it->second.generation == generation && !it->second.module.expired()) {
        return it->second.entries;
      }
    }
    auto entries = std::make_shared<Resolution>();
    entries->reserve(m.imports.size());
    for (const ImportDesc& d : m.imports) entries->push_back(find(d.module, d.name));
    std::lock_guard<std::mutex> lock(cache_mu);
    if (resolutions.size() >= 256) std::erase_if(resolutions, [](const auto& kv) { return kv.second.module.expired(); });
    resolutions.insert_or_assign(&m, Cached{m.weak_from_this(), generation, entries});
    return entries;
  }

  static Extern materialize(Store& store, const Entry& e) {
    if (const Extern* ext = std::get_if<Extern>(&e)) return *ext;
    const HostEntry& h = std::get<HostEntry>(e);
    detail::StoreImpl& s = store.impl();
    auto& cache = detail::extras_of(s).host_funcs;
    auto it = cache.find(h.def.get());
    if (it != cache.end()) return Function(&store, it->second);
    auto f = std::make_unique<detail::FuncInst>();
    f->type = &h.def->type;
    f->type_id = s.types->intern(h.def->type);  // once per store and host function
    f->host = h.def;
    detail::FuncInst* raw = f.get();
    s.funcs.push_back(std::move(f));
    cache.emplace(h.def.get(), raw);
    detail::extras_of(s).host_func_set.insert(raw);
    return Function(&store, raw);
  }
};

Linker::Linker() : impl_(std::make_unique<Impl>()) {}
Linker::~Linker() = default;
Linker::Linker(const Linker& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}

Linker& Linker::define(std::string module, std::string name, HostFuncDef def) {
  Impl::HostEntry h;
  h.def = std::make_shared<const HostFuncDef>(std::move(def));
  impl_->defs[std::move(module)].insert_or_assign(std::move(name), Impl::Entry(std::move(h)));
  ++impl_->generation;
  return *this;
}

Linker& Linker::define(std::string module, std::string name, const Extern& ext) {
  impl_->defs[std::move(module)].insert_or_assign(std::move(name), Impl::Entry(ext));
  ++impl_->generation;
  return *this;
}

Linker& Linker::define_instance(const std::string& module, const Instance& inst) {
  for (auto& [name, ext] : inst.exports()) define(module, name, ext);
  return *this;
}

std::optional<Extern> Linker::get(Store& store, std::string_view module, std::string_view name) const {
  const Impl::Entry* e = impl_->find(module, name);
  if (e == nullptr) return std::nullopt;
  return Impl::materialize(store, *e);
}

namespace {

Store* store_of(const Extern& e) {
  return std::visit([](const auto& h) { return h.store(); }, e);
}
bool is_empty(const Extern& e) {
  return std::visit([](const auto& h) { return h.raw() == nullptr; }, e);
}

Error link_error(Error e, const detail::ModuleImpl& m, uint64_t offset) {
  e.where().file = m.file;
  e.where().section = "import";
  e.where().offset = offset;
  return e;
}

}  // namespace

Result<Instance> Linker::instantiate(Store& store, const Module& module) const {
  auto body = [&]() -> Result<Instance> {
    const detail::ModuleImpl& m = module.impl();
    const vivarium::engine::ModuleIR& ir = *m.ir;
    std::shared_ptr<const Impl::Resolution> entries = impl_->resolve(m);
    const auto type_ids = m.type_ids_in(store.impl().types);  // the store's engine's ids
    std::vector<Extern> resolved;
    resolved.reserve(m.imports.size());
    for (size_t k = 0; k < m.imports.size(); ++k) {
      const ImportDesc& d = m.imports[k];
      const vivarium::engine::Import& im = ir.imports[k];
      const Impl::Entry* e = (*entries)[k];
      if (e == nullptr) {
        return link_error(Error(ErrorCode::UnknownImport, "unknown import: module \"" + d.module + "\" has no " +
                                                              to_string(d.kind) + " \"" + d.name + "\""),
                          m, im.offset);
      }
      Extern ext = Impl::materialize(store, *e);
      if (is_empty(ext)) {
        return link_error(Error(ErrorCode::Usage, "import " + d.module + "." + d.name + " is defined by an empty handle"),
                          m, im.offset);
      }
      if (store_of(ext) != &store) {
        return link_error(Error(ErrorCode::Usage, "import " + d.module + "." + d.name +
                                                      " is defined by an extern of a different store"),
                          m, im.offset);
      }
      uint32_t type_id = d.kind == ExternKind::Func ? (*type_ids)[im.type_index] : 0;
      if (auto ok = detail::check_import(d, type_id, ext); !ok) return link_error(std::move(ok).error(), m, im.offset);
      resolved.push_back(ext);
    }
    VIV_TRY_ASSIGN(detail::InstanceImpl * inst, detail::instantiate_module(store, m.shared_from_this(), resolved));
    return Instance(&store, inst);
  };
  // Nothing throws across the API: a module whose tables or segments the
  // host cannot allocate gets an error, not an exception.
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::LimitExceeded, "out of host memory while instantiating");
  } catch (const std::length_error&) {
    return Error(ErrorCode::LimitExceeded, "out of host memory while instantiating");
  }
}

}  // namespace vivarium
