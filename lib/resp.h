/*
 * resp.h: the Redis protocol as a server speaks it, sans I/O.
 *
 * A request parser in the shape of hiredis' reader: feed it the bytes a
 * client sent, then drain the commands they complete.
 *
 *     sn_resp_feed(&p, buf, n);
 *     while ((rc = sn_resp_next(&p, &cmd)) == 1)
 *         run cmd.argc, cmd.argv, cmd.argvlen;
 *     if (rc == -1) {
 *         sn_resp_write_error(&w, sn_resp_parser_error(&p));
 *         flush the output, then close the connection;
 *     }
 *
 * Both request forms Redis accepts are understood: multibulk
 * (`*2\r\n$4\r\nPING\r\n$2\r\nhi\r\n`) and inline (`PING hi\r\n`, with the
 * quoting rules of redis-cli and Redis' sdssplitargs). Errors carry the
 * text Redis 7 sends for the same input.
 *
 * And a reply encoder that appends to a struct sn_buf, for RESP2 or, once
 * a client said HELLO 3, RESP3.
 */
#ifndef SN_RESP_H
#define SN_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* ---------------------------------------------------------------------
 * Request parser
 * ------------------------------------------------------------------- */

/* Why a parser refused its input. Each has its own text (see
 * sn_resp_parser_error), the one Redis 7 replies with before it closes. */
enum sn_resp_error {
    SN_RESP_ERR_NONE = 0,
    SN_RESP_ERR_INLINE_TOO_BIG,     /* too big inline request */
    SN_RESP_ERR_UNBALANCED_QUOTES,  /* unbalanced quotes in request */
    SN_RESP_ERR_MBULK_COUNT_TOO_BIG, /* too big mbulk count string */
    SN_RESP_ERR_MBULK_LEN,          /* invalid multibulk length */
    SN_RESP_ERR_MBULK_UNAUTH,       /* unauthenticated multibulk length */
    SN_RESP_ERR_BULK_COUNT_TOO_BIG, /* too big bulk count string */
    SN_RESP_ERR_EXPECTED_DOLLAR,    /* expected '$', got 'X' */
    SN_RESP_ERR_BULK_LEN,           /* invalid bulk length */
    SN_RESP_ERR_BULK_UNAUTH,        /* unauthenticated bulk length */
    SN_RESP_ERR_QUERY_BUF,          /* a command larger than the query
                                       buffer limit (Redis closes silently) */
};

/* The form of the request being parsed. */
enum sn_resp_reqtype {
    SN_RESP_REQ_NONE = 0,           /* between commands */
    SN_RESP_REQ_INLINE,
    SN_RESP_REQ_MULTIBULK,
};

/* A complete command. argv[i] points at argvlen[i] bytes (binary-safe:
 * NUL, CR and LF may appear inside) followed by a NUL, so a command name
 * can be compared as a C string. argc >= 1.
 *
 * Ownership: the arrays and the bytes belong to the parser and stay valid
 * until the next call to sn_resp_next, sn_resp_feed or
 * sn_resp_parser_free on the same parser. Copy what must live longer. */
struct sn_resp_cmd {
    int argc;
    char **argv;
    size_t *argvlen;
};

/* The parser. Its fields are private: use the functions below. It is a
 * plain struct so that it can live inside a client without another
 * allocation. */
struct sn_resp_parser {
    char *buf;                  /* bytes fed, [start, len) not consumed */
    size_t len;
    size_t cap;
    size_t start;               /* first byte of the current command */
    size_t pos;                 /* parse cursor, relative to start */
    size_t scan;                /* relative to start: [pos, scan) holds no
                                   line end (so a slow header is not
                                   scanned again on every byte) */
    enum sn_resp_reqtype reqtype;
    int64_t mbulk_left;         /* bulks still to read; -1: count unknown */
    int64_t bulk_len;           /* -1: the next bulk header is unread */
    int argc;                   /* arguments of the current command */
    size_t args_cap;
    size_t *arg_off;            /* offsets into buf (relative to start) or
                                   into inline_args */
    size_t *arg_len;
    char **argv;
    struct sn_buf inline_args;  /* unquoted inline arguments, NUL after
                                   each */
    size_t query_buf_max;
    bool auth_required;
    enum sn_resp_error err;
    char errstr[96];
};

/* Initialise an empty parser with the default query buffer limit
 * (SN_QUERY_BUF_MAX). Never fails; sn_resp_parser_free releases it. */
void sn_resp_parser_init(struct sn_resp_parser *p);

/* Release everything the parser holds; it may be initialised again. */
void sn_resp_parser_free(struct sn_resp_parser *p);

/* The largest command, in bytes as sent (framing included), the parser
 * accepts: Redis' client-query-buffer-limit. A longer one is the error
 * SN_RESP_ERR_QUERY_BUF. max must be > 0. Set it before feeding. */
void sn_resp_parser_set_query_buf_max(struct sn_resp_parser *p, size_t max);

/* While a client has not authenticated (requirepass is set), Redis 7
 * refuses a multibulk count over 10 and a bulk over 16384 bytes; pass true
 * to do the same, false once AUTH succeeded. A command is parsed only when
 * sn_resp_next is called for it, so a change made after AUTH was returned
 * applies to the very next command of the same pipeline. */
void sn_resp_parser_set_auth_required(struct sn_resp_parser *p, bool on);

/* Append len bytes a client sent. Never fails (memory comes from
 * sn_realloc). Bytes fed after an error are ignored. Invalidates the
 * command last returned by sn_resp_next. */
void sn_resp_feed(struct sn_resp_parser *p, const void *buf, size_t len);

/* Parse the next command. Returns:
 *    1  a command is in *cmd (see struct sn_resp_cmd for how long it lives);
 *    0  the bytes fed so far hold no complete command: feed more;
 *   -1  a protocol error. sn_resp_parser_error tells which; every later
 *       call returns -1 again. Commands completed before the bad bytes
 *       were returned first, as Redis runs them before it answers.
 * Empty inline lines, lines of blanks, `*0` and negative counts (`*-1`)
 * are consumed and skipped, as Redis does. */
int sn_resp_next(struct sn_resp_parser *p, struct sn_resp_cmd *cmd);

/* The error text to reply with, code included and without the leading
 * '-': "ERR Protocol error: invalid bulk length". Empty if no error. */
const char *sn_resp_parser_error(const struct sn_resp_parser *p);

/* Which error (SN_RESP_ERR_NONE if none). */
enum sn_resp_error sn_resp_parser_error_code(const struct sn_resp_parser *p);

/* Bytes fed and not yet consumed by a returned command: the client's
 * query buffer as CLIENT LIST shows it (qbuf). */
size_t sn_resp_parser_pending(const struct sn_resp_parser *p);

/* ---------------------------------------------------------------------
 * Reply encoder
 * ------------------------------------------------------------------- */

/* Appends replies to out in protocol version proto (2 or 3). The writer
 * holds no memory of its own: declare one where it is needed,
 *     struct sn_resp_writer w;
 *     sn_resp_writer_init(&w, &client->out, client->proto);
 * An aggregate header (array, map, set, push) is followed by its elements,
 * written with the same functions: a map's by key, value, key, value. */
struct sn_resp_writer {
    struct sn_buf *out;
    int proto;
};

/* proto must be 2 or 3 (an assertion). */
void sn_resp_writer_init(struct sn_resp_writer *w, struct sn_buf *out,
                         int proto);

/* +text: CR and LF inside become spaces, as Redis does, so a reply cannot
 * break the framing. */
void sn_resp_write_status(struct sn_resp_writer *w, const char *text);
void sn_resp_write_statusf(struct sn_resp_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* -text: the caller gives the whole text, code first ("ERR no such
 * master", "NOGOODSLAVE No suitable replica to promote"); a leading '-'
 * is not doubled. As Redis does, CR and LF at either end are trimmed and
 * those inside become spaces. */
void sn_resp_write_error(struct sn_resp_writer *w, const char *text);
void sn_resp_write_errorf(struct sn_resp_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* :n */
void sn_resp_write_int(struct sn_resp_writer *w, int64_t n);

/* $len, the bytes, CRLF: binary-safe. */
void sn_resp_write_bulk(struct sn_resp_writer *w, const void *p, size_t len);
/* A C string as a bulk string; NULL writes a null bulk. */
void sn_resp_write_bulk_str(struct sn_resp_writer *w, const char *s);
void sn_resp_write_bulkf(struct sn_resp_writer *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Null bulk string: RESP2 $-1, RESP3 _. */
void sn_resp_write_null(struct sn_resp_writer *w);
/* Null array: RESP2 *-1, RESP3 _. */
void sn_resp_write_null_array(struct sn_resp_writer *w);

/* *n */
void sn_resp_write_array(struct sn_resp_writer *w, size_t n);
/* n key/value pairs: RESP3 %n, RESP2 an array of 2n elements. */
void sn_resp_write_map(struct sn_resp_writer *w, size_t n);
/* RESP3 ~n, RESP2 *n. */
void sn_resp_write_set(struct sn_resp_writer *w, size_t n);
/* An out-of-band message (pub/sub): RESP3 >n, RESP2 *n. */
void sn_resp_write_push(struct sn_resp_writer *w, size_t n);

/* RESP3 ,d; RESP2 the same text as a bulk string. Formatted as Redis 7.0
 * does (%.17g; inf, -inf and nan spelled so). */
void sn_resp_write_double(struct sn_resp_writer *w, double d);

/* RESP3 #t / #f; RESP2 :1 / :0. */
void sn_resp_write_bool(struct sn_resp_writer *w, bool b);

/* RESP3 =len+4, "txt:" (ext is exactly 3 characters), the bytes; RESP2 a
 * plain bulk string of the bytes. INFO answers with ext "txt". */
void sn_resp_write_verbatim(struct sn_resp_writer *w, const char *ext,
                            const void *p, size_t len);

#endif /* SN_RESP_H */
