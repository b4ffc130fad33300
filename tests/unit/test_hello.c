/*
 * test_hello.c: the __sentinel__:hello payload, its round trip, each
 * numbered rejection of hello.h, and a seeded loop of hostile payloads.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hello.h"
#include "util.h"

#define RUNID_A "0123456789abcdef0123456789abcdef01234567"
#define GOOD "10.0.0.5,26379," RUNID_A ",7,mymaster,10.0.0.1,6379,3"

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

static void
sample(struct sn_hello *h)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->sentinel_ip, sizeof(h->sentinel_ip), "10.0.0.5");
    h->sentinel_port = 26379;
    snprintf(h->sentinel_runid, sizeof(h->sentinel_runid), RUNID_A);
    h->current_epoch = 7;
    snprintf(h->master_name, sizeof(h->master_name), "mymaster");
    snprintf(h->master_ip, sizeof(h->master_ip), "10.0.0.1");
    h->master_port = 6379;
    h->master_config_epoch = 3;
}

static void
assert_hello_eq(const struct sn_hello *a, const struct sn_hello *b)
{
    ck_assert_str_eq(a->sentinel_ip, b->sentinel_ip);
    ck_assert_int_eq(a->sentinel_port, b->sentinel_port);
    ck_assert_str_eq(a->sentinel_runid, b->sentinel_runid);
    ck_assert_uint_eq(a->current_epoch, b->current_epoch);
    ck_assert_str_eq(a->master_name, b->master_name);
    ck_assert_str_eq(a->master_ip, b->master_ip);
    ck_assert_int_eq(a->master_port, b->master_port);
    ck_assert_uint_eq(a->master_config_epoch, b->master_config_epoch);
}

/* The payload must be refused, for the numbered reason `rule`. */
static void
assert_refused(const char *payload, size_t len, char rule)
{
    struct sn_hello h;

    ck_assert_msg(sn_hello_parse(&h, payload, len) == -1, "accepted: %.*s",
                  (int)len, payload);
    ck_assert_ptr_nonnull(h.error);
    ck_assert_msg(h.error[0] == rule, "%.*s: wanted rule %c, got \"%s\"",
                  (int)len, payload, rule, h.error);
}

static void
refused(const char *payload, char rule)
{
    assert_refused(payload, strlen(payload), rule);
}

static void
accepted(const char *payload, struct sn_hello *h)
{
    ck_assert_msg(sn_hello_parse(h, payload, strlen(payload)) == 0,
                  "refused: %s (%s)", payload, h->error);
    ck_assert_ptr_null(h->error);
}

/* GOOD with token i replaced by `with`. */
static char *
with_token(int i, const char *with)
{
    const char *tok[8] = {"10.0.0.5", "26379", RUNID_A, "7",
                          "mymaster", "10.0.0.1", "6379", "3"};

    tok[i] = with;
    return sn_printf("%s,%s,%s,%s,%s,%s,%s,%s", tok[0], tok[1], tok[2],
                     tok[3], tok[4], tok[5], tok[6], tok[7]);
}

static void
token_refused(int i, const char *with, char rule)
{
    char *p = with_token(i, with);

    refused(p, rule);
    free(p);
}

static void
token_accepted(int i, const char *with)
{
    struct sn_hello h;
    char *p = with_token(i, with);

    accepted(p, &h);
    free(p);
}

/* ---------------------------------------------------------------------
 * Round trip
 * ------------------------------------------------------------------- */

START_TEST(test_format_exact_bytes)
{
    struct sn_hello h;
    size_t len;
    char *s;

    sample(&h);
    s = sn_hello_format(&h, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, GOOD);
    ck_assert_uint_eq(len, strlen(GOOD));
    free(s);
}
END_TEST

START_TEST(test_parse_fields)
{
    struct sn_hello h, want;

    sample(&want);
    accepted(GOOD, &h);
    assert_hello_eq(&h, &want);
}
END_TEST

START_TEST(test_round_trip_extremes)
{
    struct sn_hello h, back;
    size_t len;
    char *s;

    sample(&h);
    h.sentinel_port = 1;
    h.master_port = 65535;
    h.current_epoch = UINT64_MAX;
    h.master_config_epoch = 0;
    memset(h.master_name, 'n', SN_MASTER_NAME_MAX);
    h.master_name[SN_MASTER_NAME_MAX] = '\0';
    memset(h.master_ip, 'i', SN_HOST_MAX);
    h.master_ip[SN_HOST_MAX] = '\0';
    memset(h.sentinel_ip, 's', SN_HOST_MAX);
    h.sentinel_ip[SN_HOST_MAX] = '\0';
    snprintf(h.sentinel_runid, sizeof(h.sentinel_runid),
             "ABCDEF0123456789abcdef0123456789ABCDEF01");
    s = sn_hello_format(&h, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(sn_hello_parse(&back, s, len), 0);
    assert_hello_eq(&h, &back);
    free(s);
}
END_TEST

START_TEST(test_ipv6_addresses)
{
    struct sn_hello h, back;
    size_t len;
    char *s;

    sample(&h);
    snprintf(h.sentinel_ip, sizeof(h.sentinel_ip), "::1");
    snprintf(h.master_ip, sizeof(h.master_ip), "fe80::1%%eth0");
    s = sn_hello_format(&h, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "::1,26379," RUNID_A ",7,mymaster,fe80::1%eth0,"
                        "6379,3");
    ck_assert_int_eq(sn_hello_parse(&back, s, len), 0);
    assert_hello_eq(&h, &back);
    free(s);
    accepted("2001:db8::7,26379," RUNID_A ",0,m,2001:db8:0:0:0:0:0:1,1,0",
             &back);
    ck_assert_str_eq(back.sentinel_ip, "2001:db8::7");
    ck_assert_str_eq(back.master_ip, "2001:db8:0:0:0:0:0:1");
}
END_TEST

START_TEST(test_parse_not_nul_terminated)
{
    struct sn_hello h;
    char buf[sizeof(GOOD) + 8];

    memcpy(buf, GOOD, strlen(GOOD));
    memcpy(buf + strlen(GOOD), "9,9,9,9", 8);   /* trailing, not counted */
    ck_assert_int_eq(sn_hello_parse(&h, buf, strlen(GOOD)), 0);
    ck_assert_uint_eq(h.master_config_epoch, 3);
}
END_TEST

START_TEST(test_names_and_leading_zeros_accepted)
{
    struct sn_hello h;

    token_accepted(4, "my master");         /* Redis allows quoted names */
    token_accepted(4, "m\xc3\xa9tal");      /* UTF-8 */
    token_accepted(4, "a:b@c");
    accepted("h,026379," RUNID_A ",007,m,h,06379,0003", &h);
    ck_assert_int_eq(h.sentinel_port, 26379);
    ck_assert_uint_eq(h.current_epoch, 7);
    ck_assert_uint_eq(h.master_config_epoch, 3);
}
END_TEST

/* ---------------------------------------------------------------------
 * Every rejection, by its number in hello.h
 * ------------------------------------------------------------------- */

START_TEST(test_reject_rule1_size)
{
    char *big;

    refused("", '1');
    assert_refused(NULL, 0, '1');
    /* One byte past the limit, otherwise a fine hello. */
    big = sn_malloc(SN_HELLO_BYTES_MAX + 2);
    memset(big, '0', SN_HELLO_BYTES_MAX + 1);
    memcpy(big, GOOD, strlen(GOOD));
    big[SN_HELLO_BYTES_MAX + 1] = '\0';
    refused(big, '1');
    free(big);
}
END_TEST

START_TEST(test_reject_rule2_control_characters)
{
    static const char with_nul[] = "10.0.0.5,26379," RUNID_A ",7,my\0m,"
                                   "10.0.0.1,6379,3";

    assert_refused(with_nul, sizeof(with_nul) - 1, '2');
    token_refused(4, "my\nmaster", '2');
    token_refused(4, "my\rmaster", '2');
    token_refused(4, "my\tmaster", '2');
    token_refused(4, "my\x7fmaster", '2');
    token_refused(4, "\x1b[31m", '2');
    refused(GOOD "\r\n", '2');
}
END_TEST

START_TEST(test_reject_rule3_not_8_tokens)
{
    refused("a", '3');
    refused("1,2,3,4,5,6,7", '3');
    refused(GOOD ",", '3');                 /* trailing comma: 9 */
    refused("," GOOD, '3');
    token_refused(4, "my,master", '3');     /* comma in the name */
    refused(",,,,,,,,,,,,,,,,,,,,,,,,", '3');
}
END_TEST

START_TEST(test_reject_rule4_empty_field)
{
    int i;

    for (i = 0; i < 8; i++)
        token_refused(i, "", '4');
    refused(",,,,,,,", '4');
}
END_TEST

START_TEST(test_reject_rule5_long_or_spaced_fields)
{
    char name[SN_MASTER_NAME_MAX + 2], host[SN_HOST_MAX + 2];

    memset(name, 'n', SN_MASTER_NAME_MAX + 1);
    name[SN_MASTER_NAME_MAX + 1] = '\0';
    token_refused(4, name, '5');
    name[SN_MASTER_NAME_MAX] = '\0';
    token_accepted(4, name);
    memset(host, 'h', SN_HOST_MAX + 1);
    host[SN_HOST_MAX + 1] = '\0';
    token_refused(0, host, '5');
    token_refused(5, host, '5');
    host[SN_HOST_MAX] = '\0';
    token_accepted(0, host);
    token_accepted(5, host);
    token_refused(0, "10.0.0.5 ", '5');
    token_refused(5, " 10.0.0.1", '5');
}
END_TEST

START_TEST(test_reject_rule6_ports)
{
    static const char *const bad[] = {
        "0", "65536", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0",
        "99999999999999999999999999", "18446744073709551617",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        token_refused(1, bad[i], '6');
        token_refused(6, bad[i], '6');
    }
    token_accepted(1, "1");
    token_accepted(6, "65535");
}
END_TEST

START_TEST(test_reject_rule7_runid)
{
    token_refused(2, "0123456789abcdef0123456789abcdef0123456", '7');
    token_refused(2, RUNID_A "8", '7');
    token_refused(2, "0123456789abcdef0123456789abcdef0123456g", '7');
    token_refused(2, "0123456789abcdef 123456789abcdef01234567", '7');
    token_refused(2, "*", '7');
}
END_TEST

START_TEST(test_reject_rule8_epochs)
{
    static const char *const bad[] = {
        "-1", "+1", "1.0", "1e3", " 1", "x", "18446744073709551616",
        "99999999999999999999999999",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        token_refused(3, bad[i], '8');
        token_refused(7, bad[i], '8');
    }
    token_accepted(3, "18446744073709551615");
    token_accepted(7, "0");
}
END_TEST

/* What a peer would drop, we do not format. */
START_TEST(test_format_refuses_what_parse_refuses)
{
    struct sn_hello h;

    sample(&h);
    snprintf(h.master_name, sizeof(h.master_name), "my,master");
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    snprintf(h.master_name, sizeof(h.master_name), "a\nb");
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    h.master_name[0] = '\0';
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    h.sentinel_port = 0;
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    h.master_port = 65536;
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    h.sentinel_runid[5] = 'z';
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
    sample(&h);
    h.sentinel_ip[0] = '\0';
    ck_assert_ptr_null(sn_hello_format(&h, NULL));
}
END_TEST

/* ---------------------------------------------------------------------
 * Hostile input
 * ------------------------------------------------------------------- */

static char
fuzz_byte(struct sn_rng *rng)
{
    static const char interesting[] = ",,,:0123456789abcdef \x01\x7f\xff";

    if (sn_rng_below(rng, 2) == 0)
        return interesting[sn_rng_below(rng, sizeof(interesting) - 1)];
    return (char)sn_rng_below(rng, 256);
}

/*
 * 100000 payloads: random bytes of random length (up to past the limit)
 * and mutations of a good hello. None may crash or read out of bounds (the
 * sanitizer build checks); a refusal names its reason; what parses formats
 * back to a payload that parses to the same thing.
 */
START_TEST(test_hostile_payloads_fuzz)
{
    const uint64_t seed = 0x5e171e1;
    struct sn_rng rng;
    char buf[SN_HELLO_BYTES_MAX + 64];
    size_t round, accepted_count = 0;

    sn_rng_seed(&rng, seed);
    for (round = 0; round < 100000; round++) {
        struct sn_hello h, back;
        size_t len, k, n;
        char *s, *p;

        if (round % 2 == 0) {
            len = sn_rng_below(&rng, sizeof(buf) + 1);
            for (k = 0; k < len; k++)
                buf[k] = fuzz_byte(&rng);
        } else {
            len = strlen(GOOD);
            memcpy(buf, GOOD, len);
            n = 1 + sn_rng_below(&rng, 3);
            for (k = 0; k < n; k++)
                buf[sn_rng_below(&rng, len)] = fuzz_byte(&rng);
            if (sn_rng_below(&rng, 4) == 0)
                len = sn_rng_below(&rng, len + 1);
        }
        /* An exact-size copy so that a read past len is caught. */
        p = sn_malloc(len ? len : 1);
        memcpy(p, buf, len);
        if (sn_hello_parse(&h, p, len) != 0) {
            ck_assert_msg(h.error != NULL, "seed %llu round %zu",
                          (unsigned long long)seed, round);
            free(p);
            continue;
        }
        accepted_count++;
        s = sn_hello_format(&h, &n);
        ck_assert_msg(s != NULL, "seed %llu round %zu: %.*s",
                      (unsigned long long)seed, round, (int)len, p);
        ck_assert_int_eq(sn_hello_parse(&back, s, n), 0);
        assert_hello_eq(&h, &back);
        free(s);
        free(p);
    }
    /* The mutations must reach the accepting paths too. */
    ck_assert_uint_gt(accepted_count, 1000);
}
END_TEST

static Suite *
hello_suite(void)
{
    Suite *s = suite_create("hello");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_format_exact_bytes);
    tcase_add_test(tc, test_parse_fields);
    tcase_add_test(tc, test_round_trip_extremes);
    tcase_add_test(tc, test_ipv6_addresses);
    tcase_add_test(tc, test_parse_not_nul_terminated);
    tcase_add_test(tc, test_names_and_leading_zeros_accepted);
    tcase_add_test(tc, test_reject_rule1_size);
    tcase_add_test(tc, test_reject_rule2_control_characters);
    tcase_add_test(tc, test_reject_rule3_not_8_tokens);
    tcase_add_test(tc, test_reject_rule4_empty_field);
    tcase_add_test(tc, test_reject_rule5_long_or_spaced_fields);
    tcase_add_test(tc, test_reject_rule6_ports);
    tcase_add_test(tc, test_reject_rule7_runid);
    tcase_add_test(tc, test_reject_rule8_epochs);
    tcase_add_test(tc, test_format_refuses_what_parse_refuses);
    tcase_add_test(tc, test_hostile_payloads_fuzz);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(hello_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
