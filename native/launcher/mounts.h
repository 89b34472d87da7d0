/* The container's root filesystem: staged on a private tmpfs, then pivoted into. */
#pragma once

#include "plan.h"

/* Runs in the container's init before the payload: mounts everything the plan lists, pivot_root()s
   into the new root and detaches the host's tree. Dies (stage mount/pivot) on any failure. */
void setup_root (const struct plan *plan);
