/*
 * main.c: sentinel-sim's command line.
 *
 *   sentinel-sim [--seed S | --seeds A..B] [--scenario NAME] [--verbose]
 *                [--break RULE] [--delay MS] [--replay-check]
 *   sentinel-sim --list
 *   sentinel-sim --selftest
 *
 * Without --scenario each seed runs a random schedule. SIM_SEED in the
 * environment is the default seed. The last line is always
 * `simulated N seeds: M invariant violations`; the exit status is 1 when
 * M > 0, 2 on a usage error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: sentinel-sim [--seed S | --seeds A..B] [--scenario NAME]\n"
            "                    [--verbose] [--break RULE] [--delay MS]\n"
            "                    [--replay-check]\n"
            "       sentinel-sim --list | --selftest\n"
            "rules for --break: vote-twice, no-save, forge-vote\n");
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

struct stats {
    int64_t *ms;
    int len;
    int cap;
};

static void
stats_add(struct stats *st, const int64_t *ms, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (st->len == st->cap) {
            st->cap = st->cap == 0 ? 64 : st->cap * 2;
            st->ms = realloc(st->ms, (size_t)st->cap * sizeof(*st->ms));
            if (st->ms == NULL)
                abort();
        }
        st->ms[st->len++] = ms[i];
    }
}

static void
stats_print(struct stats *st)
{
    int64_t med, p90, max;

    if (st->len == 0) {
        printf("failover time (master death -> every live sentinel's config "
               "names the new master): no failovers\n");
        return;
    }
    qsort(st->ms, (size_t)st->len, sizeof(*st->ms), cmp_i64);
    med = st->ms[(st->len - 1) / 2];
    p90 = st->ms[(st->len * 9 + 9) / 10 - 1];
    max = st->ms[st->len - 1];
    printf("failover time (master death -> every live sentinel's config "
           "names the new master): n=%d median=%" PRId64 " ms p90=%" PRId64
           " ms max=%" PRId64 " ms\n", st->len, med, p90, max);
}

static int
parse_break(const char *s, unsigned *out)
{
    if (strcmp(s, "vote-twice") == 0)
        *out |= SIM_BREAK_VOTE_TWICE;
    else if (strcmp(s, "no-save") == 0)
        *out |= SIM_BREAK_NO_SAVE;
    else if (strcmp(s, "forge-vote") == 0)
        *out |= SIM_BREAK_FORGE_VOTE;
    else
        return -1;
    return 0;
}

static int
parse_range(const char *s, uint64_t *a, uint64_t *b)
{
    const char *dots = strstr(s, "..");
    char first[32];

    if (dots == NULL || (size_t)(dots - s) >= sizeof(first))
        return -1;
    memcpy(first, s, (size_t)(dots - s));
    first[dots - s] = '\0';
    if (sn_parse_u64(first, a) != 0 || sn_parse_u64(dots + 2, b) != 0 ||
        *b < *a)
        return -1;
    return 0;
}

/* One seed; returns its violations, -1 for an unknown scenario. */
static int
run_one(const struct sim_opts *opts, struct stats *st, bool report,
        uint64_t *digest)
{
    struct sim *sim = sim_new(opts);
    int v = sim_scenario_run(sim);

    if (v >= 0) {
        stats_add(st, sim->failover_ms, sim->failover_len);
        if (report)
            printf("seed %" PRIu64 ": %s, %" PRIu64 " steps, %" PRId64
                   ".%03" PRId64 " s virtual, converged %s, digest %016"
                   PRIx64 ", %d violations\n", opts->seed,
                   opts->scenario != NULL ? opts->scenario : "random",
                   sim->step, (sim->now - sim->start_at) / 1000,
                   (sim->now - sim->start_at) % 1000,
                   sim->converged_at < 0 ? "never" : "yes", sim->digest, v);
        *digest = sim->digest;
    }
    sim_free(sim);
    return v;
}

/* Returns -1 to go on, else the exit status (--list, --selftest, usage). */
static int
parse_args(int argc, char **argv, struct sim_opts *opts, uint64_t *first,
           uint64_t *last, bool *replay)
{
    int i, n;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--list") == 0) {
            const struct sim_scenario *all = sim_scenarios(&n);

            for (i = 0; i < n; i++)
                printf("%-30s %s\n", all[i].name, all[i].summary);
            return 0;
        } else if (strcmp(a, "--selftest") == 0) {
            return sim_selftest() == 0 ? 0 : 1;
        } else if (strcmp(a, "--verbose") == 0) {
            opts->verbose = true;
        } else if (strcmp(a, "--replay-check") == 0) {
            *replay = true;
        } else if (strcmp(a, "--seed") == 0 && val != NULL &&
                   sn_parse_u64(val, first) == 0) {
            *last = *first;
            i++;
        } else if (strcmp(a, "--seeds") == 0 && val != NULL &&
                   parse_range(val, first, last) == 0) {
            i++;
        } else if (strcmp(a, "--scenario") == 0 && val != NULL &&
                   sim_scenario_find(val) != NULL) {
            opts->scenario = val;
            i++;
        } else if (strcmp(a, "--break") == 0 && val != NULL &&
                   parse_break(val, &opts->breaks) == 0) {
            i++;
        } else if (strcmp(a, "--delay") == 0 && val != NULL &&
                   sn_parse_i64(val, 0, 10000, &opts->delay_max_ms) == 0) {
            i++;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "sentinel-sim: bad argument '%s'%s\n", a,
                    strcmp(a, "--scenario") == 0 ? " (see --list)" : "");
            usage(stderr);
            return 2;
        }
    }
    return -1;
}

int
main(int argc, char **argv)
{
    struct sim_opts opts;
    struct stats st = { NULL, 0, 0 };
    uint64_t first = 1, last = 1;
    bool replay = false;
    const char *env = getenv("SIM_SEED");
    uint64_t s, runs = 0, violations = 0;
    int rc;

    memset(&opts, 0, sizeof(opts));
    opts.delay_max_ms = -1;
    if (env != NULL && sn_parse_u64(env, &first) == 0)
        last = first;
    if ((rc = parse_args(argc, argv, &opts, &first, &last, &replay)) >= 0)
        return rc;
    for (s = first; s <= last; s++) {
        uint64_t d1 = 0, d2 = 0;
        int v;

        opts.seed = s;
        v = run_one(&opts, &st, first == last || opts.verbose, &d1);
        runs++;
        violations += (uint64_t)v;
        if (replay) {
            struct stats ignore = { NULL, 0, 0 };

            run_one(&opts, &ignore, false, &d2);
            free(ignore.ms);
            if (d1 != d2) {
                printf("REPLAY MISMATCH seed=%" PRIu64 ": digest %016" PRIx64
                       " then %016" PRIx64 "\n", s, d1, d2);
                violations++;
            }
        }
        if (s == UINT64_MAX)
            break;
    }
    stats_print(&st);
    free(st.ms);
    printf("simulated %" PRIu64 " seeds: %" PRIu64 " invariant violations\n",
           runs, violations);
    return violations > 0 ? 1 : 0;
}
