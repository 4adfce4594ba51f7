// Umbrella header for embedders.
#pragma once
#include "vivarium/engine.h"
#include "vivarium/error.h"
#include "vivarium/host_func.h"
#include "vivarium/instance.h"
#include "vivarium/linker.h"
#include "vivarium/memory_view.h"
#include "vivarium/module.h"
#include "vivarium/store.h"
#include "vivarium/types.h"
