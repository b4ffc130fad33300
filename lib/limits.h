/*
 * limits.h: a shim. lib/ is on the include path, so a file here named
 * limits.h would hide the system's <limits.h>; this one passes the system
 * header through and adds the sentinel's own limits (sn_limits.h).
 * Include "sn_limits.h" in new code.
 */
#include_next <limits.h>
#include "sn_limits.h"
