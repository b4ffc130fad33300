/*
 * crypto.c: SHA-256 and random bytes from OpenSSL's libcrypto.
 */
#include "crypto.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

void
sn_crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        /* No safe answer exists: see crypto.h. */
        fprintf(stderr, "libcrypto failed to compute a SHA-256 digest\n");
        abort();
    }
}

int
sn_crypto_random(void *buf, size_t len)
{
    if (len > (size_t)INT32_MAX || RAND_bytes(buf, (int)len) != 1) {
        memset(buf, 0, len);
        return -1;
    }
    return 0;
}
