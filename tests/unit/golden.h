/*
 * golden.h: reading golden files, for the unit suites.
 *
 * Golden files live under tests/unit/golden/<module>/; meson points
 * SN_GOLDEN_DIR at tests/unit/golden so a suite finds them from its build
 * directory.
 */
#ifndef SN_TEST_GOLDEN_H
#define SN_TEST_GOLDEN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

/* The bytes of golden/<module>/<name>, NUL-terminated, *len set to their
 * number. A file that cannot be opened fails the test. */
static inline char *
sn_test_golden(const char *module, const char *name, size_t *len)
{
    const char *dir = getenv("SN_GOLDEN_DIR");
    char path[1024], chunk[4096];
    struct sn_buf b;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s",
             dir != NULL ? dir : "tests/unit/golden", module, name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    sn_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sn_buf_append(&b, chunk, n);
    fclose(f);
    return sn_buf_steal(&b, len);
}

#endif /* SN_TEST_GOLDEN_H */
