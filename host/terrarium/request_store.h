// The Store a request's instance lives in. Made in this one place so that
// switching to the engine's pooled Stores (Store(Engine&, StoreLimits)) is a
// one-line change.
#pragma once
#include <memory>

#include "host/terrarium/guest_runner.h"
#include "vivarium/store.h"

namespace vivarium::terrarium {

StoreLimits store_limits(const GuestLimits& limits);
std::unique_ptr<Store> new_request_store(const GuestLimits& limits);

}  // namespace vivarium::terrarium
