/*
 * hello.h: the payload sentinels PUBLISH on __sentinel__:hello (Redis's
 * sentinelSendHello / sentinelProcessHelloMessage):
 *
 *   <sentinel_ip>,<sentinel_port>,<sentinel_runid>,<current_epoch>,
 *   <master_name>,<master_ip>,<master_port>,<master_config_epoch>
 *
 * Redis splits the payload on ',' and drops it unless there are exactly 8
 * tokens, so a master name with a comma makes hellos nobody accepts; we do
 * the same. IPv6 addresses hold ':' and never ',', so they need no quoting.
 */
#ifndef SN_HELLO_H
#define SN_HELLO_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"

struct sn_hello {
    /* Why sn_hello_parse() returned -1 (a static string), else NULL. */
    const char *error;

    char sentinel_ip[SN_HOST_MAX + 1];
    int sentinel_port;                      /* 1..65535 */
    char sentinel_runid[SN_RUNID_LEN + 1];  /* 40 hex characters */
    uint64_t current_epoch;
    char master_name[SN_MASTER_NAME_MAX + 1];
    char master_ip[SN_HOST_MAX + 1];
    int master_port;                        /* 1..65535 */
    uint64_t master_config_epoch;
};

/*
 * Parse len bytes (need not be NUL-terminated) into out. Returns 0, or -1
 * with out->error set (the other fields are then unspecified) when:
 *   1. the payload is empty or longer than SN_HELLO_BYTES_MAX;
 *   2. it holds a control character (below 0x20, or 0x7f), NUL included;
 *   3. it does not split into exactly 8 comma-separated tokens;
 *   4. a token is empty;
 *   5. an address is longer than SN_HOST_MAX or holds a space;
 *      the master name is longer than SN_MASTER_NAME_MAX;
 *   6. a port is not a decimal in 1..65535;
 *   7. the run id is not 40 hex characters;
 *   8. an epoch is not a decimal in 0..UINT64_MAX.
 * Digits only: no sign, no spaces; leading zeros are accepted.
 */
int sn_hello_parse(struct sn_hello *out, const char *payload, size_t len);

/*
 * The payload for h, malloc'd and NUL-terminated, its length in *len if
 * len is not NULL. Returns NULL when sn_hello_parse() would refuse the
 * result (a master name with a comma or a control character, a port out
 * of range, a bad run id, an empty field): Redis would send such a hello
 * and every peer would drop it; we tell the caller instead.
 */
char *sn_hello_format(const struct sn_hello *h, size_t *len);

#endif /* SN_HELLO_H */
