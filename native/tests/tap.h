/* The few TAP helpers the C test programs share: one `ok`/`not ok` line per check, a plan at the end. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

static int tap_tests, tap_failed;

static inline void
ok (bool condition, const char *name)
{
  tap_tests++;
  if (!condition)
    tap_failed++;
  printf ("%sok %d - %s\n", condition ? "" : "not ", tap_tests, name);
}

static inline void
skip (const char *name, const char *why)
{
  tap_tests++;
  printf ("ok %d - %s # SKIP %s\n", tap_tests, name, why);
}

/* Prints the plan line; the exit status of the test program. */
static inline int
tap_done (void)
{
  printf ("1..%d\n", tap_tests);
  return tap_failed ? 1 : 0;
}
