/*
 * queue.c: the event queue, a binary heap ordered by (time, sequence).
 *
 * The sequence number is what makes a run replay exactly: two events due
 * at the same millisecond always run in the order they were scheduled.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim_msg *
sim_msg_new(enum sim_ev_type type, int64_t at, int node)
{
    struct sim_msg *m = sn_calloc(1, sizeof(*m));

    m->type = type;
    m->at = at;
    m->node = node;
    m->vote.group = -1;
    m->vote.voter = -1;
    m->vote.info_priority = -1;
    return m;
}

void
sim_msg_free(struct sim_msg *m)
{
    if (m == NULL)
        return;
    sim_argv_free(&m->req);
    sim_reply_free(m->reply);
    free(m->channel);
    free(m->payload);
    free(m->err);
    if (m->fault != NULL) {
        free(m->fault->sides);
        free(m->fault);
    }
    free(m);
}

void
sim_queue_init(struct sim_queue *q)
{
    memset(q, 0, sizeof(*q));
}

void
sim_queue_free(struct sim_queue *q)
{
    size_t i;

    for (i = 0; i < q->len; i++)
        sim_msg_free(q->heap[i]);
    free(q->heap);
    memset(q, 0, sizeof(*q));
}

static bool
before(const struct sim_msg *a, const struct sim_msg *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    return a->seq < b->seq;
}

static void
sift_up(struct sim_queue *q, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        struct sim_msg *t;

        if (!before(q->heap[i], q->heap[parent]))
            break;
        t = q->heap[i];
        q->heap[i] = q->heap[parent];
        q->heap[parent] = t;
        i = parent;
    }
}

static void
sift_down(struct sim_queue *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        struct sim_msg *t;

        if (l < q->len && before(q->heap[l], q->heap[m]))
            m = l;
        if (r < q->len && before(q->heap[r], q->heap[m]))
            m = r;
        if (m == i)
            return;
        t = q->heap[i];
        q->heap[i] = q->heap[m];
        q->heap[m] = t;
        i = m;
    }
}

void
sim_queue_push(struct sim_queue *q, struct sim_msg *m)
{
    if (q->len == q->cap) {
        q->cap = q->cap == 0 ? 256 : q->cap * 2;
        q->heap = sn_realloc(q->heap, q->cap * sizeof(*q->heap));
    }
    m->seq = ++q->seq;
    m->next = NULL;
    q->heap[q->len] = m;
    sift_up(q, q->len);
    q->len++;
}

void
sim_queue_repush(struct sim_queue *q, struct sim_msg *m, int64_t at)
{
    m->at = at;
    sim_queue_push(q, m);
}

struct sim_msg *
sim_queue_pop(struct sim_queue *q)
{
    struct sim_msg *m;

    if (q->len == 0)
        return NULL;
    m = q->heap[0];
    q->len--;
    if (q->len > 0) {
        q->heap[0] = q->heap[q->len];
        sift_down(q, 0);
    }
    return m;
}

int64_t
sim_queue_next_at(const struct sim_queue *q)
{
    return q->len == 0 ? INT64_MAX : q->heap[0]->at;
}
