// An environment switch for comparisons: `name`=0 turns a path off; anything else (or unset)
// leaves it on. Read once per process, cached in `state` (a static of the caller, -1 at start).
#ifndef IMGVEC_ENV_SWITCH_H
#define IMGVEC_ENV_SWITCH_H
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static inline int imgvec_switch_enabled(const char *name, _Atomic int *state) {
    int enabled = atomic_load_explicit(state, memory_order_relaxed);
    if (enabled < 0) {
        const char *flag = getenv(name);
        enabled = !(flag && strcmp(flag, "0") == 0);
        atomic_store_explicit(state, enabled, memory_order_relaxed);
    }
    return enabled;
}

#endif
