// The Store a request's instance lives in, made in this one place: from the
// process's pooling Engine, with the request's limits.
#pragma once
#include <memory>

#include "host/terrarium/guest_runner.h"
#include "vivarium/store.h"

namespace vivarium::terrarium {

StoreLimits store_limits(const GuestLimits& limits);
std::unique_ptr<Store> new_request_store(const GuestLimits& limits);
// What the requests' pool keeps now (idle memories and interpreter stacks),
// for the server's /metrics.
Engine::PoolStats request_pool_stats();

}  // namespace vivarium::terrarium
