/*
 * crypto.h: what the daemon takes from OpenSSL's libcrypto (libssl-dev):
 * SHA-256 for ACL passwords and random bytes for ACL GENPASS. lib/ links
 * no crypto library; the daemon hands these in (sn_acl_set_hasher,
 * struct sn_acl_env).
 */
#ifndef SN_CRYPTO_H
#define SN_CRYPTO_H

#include <stddef.h>

/* SHA-256 of len bytes into out[32]. A failure of libcrypto here (it has
 * no reason to fail) aborts: a wrong hash would let a wrong password in
 * or keep every right one out. Matches sn_acl_hash_fn. */
void sn_crypto_sha256(const void *data, size_t len, unsigned char out[32]);

/* Fill buf with len bytes from OpenSSL's CSPRNG (seeded from the OS).
 * Returns 0, or -1 if it could not (buf is then zeroed). */
int sn_crypto_random(void *buf, size_t len);

#endif /* SN_CRYPTO_H */
