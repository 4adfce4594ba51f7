// The native tier's registration slot (see native_slot.h).
#include "engine/tier/native_slot.h"

#include <atomic>

namespace vivarium::detail {
namespace {
// Set once, before or while modules compile on other threads.
std::atomic<NativeTierFactory> g_factory{nullptr};
}  // namespace

void set_native_tier_factory(NativeTierFactory factory) { g_factory.store(factory, std::memory_order_release); }

NativeTierFactory native_tier_factory() { return g_factory.load(std::memory_order_acquire); }

}  // namespace vivarium::detail
