#include "vivarium/store.h"

#include "engine/runtime/engine_impl.h"
#include "engine/runtime/objects.h"
#include "vivarium/host_func.h"

namespace vivarium {
namespace {

// The public Store as the store the runtime calls into: host functions get
// their Caller here, the one place below the API that builds one.
class ApiStoreHost final : public detail::StoreHost {
 public:
  explicit ApiStoreHost(Store& s) : store_(s) {}
  Result<void> call_host(const detail::FuncInst& f, detail::InstanceImpl* caller, const RawSlot* args,
                         RawSlot* results) override {
    Caller c(store_, caller);
    return f.host->fn(c, args, results);
  }

 private:
  Store& store_;
};

}  // namespace

Store::Store(StoreLimits limits) : Store(Engine::default_engine(), limits) {}
Store::Store(Engine& engine, StoreLimits limits)
    : impl_(std::make_unique<detail::StoreImpl>(limits, *engine.impl().allocator, engine.impl().types)) {
  impl_->owner = std::make_unique<ApiStoreHost>(*this);
}
Store::~Store() = default;

const StoreLimits& Store::limits() const { return impl_->limits; }

void Store::set_fuel(uint64_t fuel) {
  impl_->fuel_enabled = fuel != 0;
  impl_->fuel = fuel;
}
uint64_t Store::fuel_remaining() const { return impl_->fuel; }

void Store::set_deadline(std::chrono::steady_clock::time_point when) {
  impl_->deadline = when;
  impl_->has_deadline = true;
}
void Store::clear_deadline() { impl_->has_deadline = false; }

void Store::set_check_hook(CheckHook hook, void* arg) {
  impl_->check_hook = hook;
  impl_->check_hook_arg = arg;
}

// The one member another thread may touch: the interpreter polls it at
// back-edges and calls and clears it when it stops.
void Store::interrupt() { impl_->interrupt_requested.store(true, std::memory_order_relaxed); }

void Store::set_user_data(void* p) { impl_->user_data = p; }
void* Store::user_data() const { return impl_->user_data; }

}  // namespace vivarium
