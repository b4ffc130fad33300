/*
 * test_persist.c: reading and atomically replacing config files
 * (sentinel/persist.c), against a real temporary directory.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sn_limits.h"
#include "util.h"

#include "persist.h"

/* Each test has its own directory, removed afterwards; the fixture also
 * resets what a test may change, so the suite passes with CK_FORK=no. */
static char tmpdir[256];
static char err[512];
static int hook_errno;
static int hook_calls;

static void
setup(void)
{
    const char *base = getenv("TMPDIR");

    snprintf(tmpdir, sizeof(tmpdir), "%s/sn-persist-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    err[0] = '\0';
    umask(022);
    sn_persist_set_rename_hook(NULL);
    hook_errno = 0;
    hook_calls = 0;
}

static void
teardown(void)
{
    char cmd[400];

    ck_assert_int_eq(chdir("/"), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *
path_in(const char *name)
{
    return sn_printf("%s/%s", tmpdir, name);
}

static void
put_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    ck_assert_int_eq(fchmod(fd, mode), 0);
    ck_assert_int_eq(close(fd), 0);
}

/* The file's exact bytes, through stdio rather than the code under test. */
static char *
slurp(const char *path)
{
    struct sn_buf b;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "rb");

    ck_assert_ptr_nonnull(f);
    sn_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sn_buf_append(&b, chunk, n);
    fclose(f);
    return sn_buf_steal(&b, NULL);
}

/* The names in tmpdir, sorted, joined by spaces. */
static char *
listing(void)
{
    struct dirent **names;
    struct sn_buf b;
    int n, i;

    n = scandir(tmpdir, &names, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    sn_buf_init(&b);
    for (i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 &&
            strcmp(names[i]->d_name, "..") != 0) {
            if (b.len > 0)
                sn_buf_putc(&b, ' ');
            sn_buf_puts(&b, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    return sn_buf_steal(&b, NULL);
}

static mode_t
mode_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static ino_t
inode_of(const char *path)
{
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_ino;
}

/* ---------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------- */

START_TEST(test_write_new_file)
{
    char *p = path_in("new.conf");
    char *got, *ls;

    ck_assert_int_eq(
        sn_persist_write(p, "[sentinel]\nport = 1\n", 20, err, sizeof(err)), 0);
    got = slurp(p);
    ck_assert_str_eq(got, "[sentinel]\nport = 1\n");
    ck_assert_int_eq(mode_of(p), 0644);
    ls = listing();
    ck_assert_str_eq(ls, "new.conf");
    free(ls);
    free(got);
    free(p);
}
END_TEST

START_TEST(test_write_new_file_honours_umask)
{
    char *p = path_in("new.conf");

    umask(077);
    ck_assert_int_eq(sn_persist_write(p, "x\n", 2, err, sizeof(err)), 0);
    ck_assert_int_eq(mode_of(p), 0600);
    free(p);
}
END_TEST

START_TEST(test_write_replace_keeps_mode_0600)
{
    char *p = path_in("s.conf");
    char *got, *ls;
    ino_t before;

    put_file(p, "port 26379\nsentinel monitor m 127.0.0.1 6379 2\n", 0600);
    before = inode_of(p);
    ck_assert_int_eq(sn_persist_write(p, "port 1\n", 7, err, sizeof(err)), 0);
    got = slurp(p);
    ck_assert_str_eq(got, "port 1\n");
    ck_assert_int_eq(mode_of(p), 0600);
    /* Replaced, not rewritten: rename gives a new inode. */
    ck_assert_uint_ne(inode_of(p), before);
    ls = listing();
    ck_assert_str_eq(ls, "s.conf");
    free(ls);
    free(got);
    free(p);
}
END_TEST

START_TEST(test_write_replace_keeps_mode_0640)
{
    char *p = path_in("s.conf");

    put_file(p, "old\n", 0640);
    ck_assert_int_eq(sn_persist_write(p, "new\n", 4, err, sizeof(err)), 0);
    ck_assert_int_eq(mode_of(p), 0640);
    free(p);
}
END_TEST

START_TEST(test_write_empty_data)
{
    char *p = path_in("s.conf");
    char *got;

    put_file(p, "old contents\n", 0644);
    ck_assert_int_eq(sn_persist_write(p, "", 0, err, sizeof(err)), 0);
    got = slurp(p);
    ck_assert_str_eq(got, "");
    free(got);
    free(p);
}
END_TEST

START_TEST(test_write_binary_bytes_exact)
{
    static const char data[] = "a\0b\r\n\xe6\xa1\x8c\n";
    char *p = path_in("s.conf");
    char *text;
    size_t len;

    ck_assert_int_eq(
        sn_persist_write(p, data, sizeof(data) - 1, err, sizeof(err)), 0);
    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), 0);
    ck_assert_uint_eq(len, sizeof(data) - 1);
    ck_assert_mem_eq(text, data, len);
    ck_assert_int_eq(text[len], '\0');
    free(text);
    free(p);
}
END_TEST

START_TEST(test_write_relative_path)
{
    char *got;

    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(sn_persist_write("rel.conf", "x\n", 2, err, sizeof(err)),
                     0);
    ck_assert_int_eq(sn_persist_write("rel.conf", "y\n", 2, err, sizeof(err)),
                     0);
    got = slurp("rel.conf");
    ck_assert_str_eq(got, "y\n");
    free(got);
}
END_TEST

START_TEST(test_write_through_symlink_keeps_link)
{
    char *target = path_in("real.conf");
    char *link = path_in("link.conf");
    char *got;
    struct stat st;

    put_file(target, "old\n", 0600);
    ck_assert_int_eq(symlink("real.conf", link), 0);
    ck_assert_int_eq(sn_persist_write(link, "new\n", 4, err, sizeof(err)), 0);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    got = slurp(target);
    ck_assert_str_eq(got, "new\n");
    ck_assert_int_eq(mode_of(target), 0600);
    free(got);
    free(link);
    free(target);
}
END_TEST

START_TEST(test_write_missing_dir_clear_error)
{
    char *p = path_in("no/such/dir/s.conf");
    char *want = sn_printf("cannot create a temporary file in %s/no/such/dir"
                           " to replace %s: No such file or directory",
                           tmpdir, p);

    ck_assert_int_eq(sn_persist_write(p, "x\n", 2, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    free(want);
    free(p);
}
END_TEST

START_TEST(test_write_over_limit_refused)
{
    char *p = path_in("s.conf");
    char *ls;

    ck_assert_int_eq(
        sn_persist_write(p, "", SN_CONFIG_BYTES_MAX + 1, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "limit"));
    ls = listing();
    ck_assert_str_eq(ls, "");
    free(ls);
    free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * Rename failures: EXDEV and EBUSY fall back to an in-place write, any
 * other error leaves the original alone. No temp file survives either.
 * ------------------------------------------------------------------- */

static int
failing_rename(const char *from, const char *to)
{
    (void)from;
    (void)to;
    hook_calls++;
    errno = hook_errno;
    return -1;
}

static void
check_in_place_fallback(int rename_errno)
{
    char *p = path_in("s.conf");
    char *got, *ls;
    ino_t before;

    /* The new contents are shorter: the tail must be cut off. */
    put_file(p, "a long original line that must not survive\n", 0600);
    before = inode_of(p);
    hook_errno = rename_errno;
    sn_persist_set_rename_hook(failing_rename);
    ck_assert_int_eq(sn_persist_write(p, "short\n", 6, err, sizeof(err)), 0);
    ck_assert_int_eq(hook_calls, 1);
    got = slurp(p);
    ck_assert_str_eq(got, "short\n");
    ck_assert_uint_eq(inode_of(p), before);
    ck_assert_int_eq(mode_of(p), 0600);
    ls = listing();
    ck_assert_str_eq(ls, "s.conf");
    free(ls);
    free(got);
    free(p);
}

START_TEST(test_write_exdev_falls_back_in_place)
{
    check_in_place_fallback(EXDEV);
}
END_TEST

START_TEST(test_write_ebusy_falls_back_in_place)
{
    check_in_place_fallback(EBUSY);
}
END_TEST

START_TEST(test_write_in_place_longer_contents)
{
    char *p = path_in("s.conf");
    char *got;

    put_file(p, "x\n", 0644);
    hook_errno = EBUSY;
    sn_persist_set_rename_hook(failing_rename);
    ck_assert_int_eq(sn_persist_write(p, "0123456789\n", 11, err, sizeof(err)),
                     0);
    got = slurp(p);
    ck_assert_str_eq(got, "0123456789\n");
    free(got);
    free(p);
}
END_TEST

START_TEST(test_write_in_place_fails_when_file_missing)
{
    char *p = path_in("gone.conf");
    char *want = sn_printf("cannot rewrite %s in place (rename gave: Invalid "
                           "cross-device link): open failed: No such file "
                           "or directory",
                           p);
    char *ls;

    hook_errno = EXDEV;
    sn_persist_set_rename_hook(failing_rename);
    ck_assert_int_eq(sn_persist_write(p, "x\n", 2, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    ls = listing();
    ck_assert_str_eq(ls, "");
    free(ls);
    free(want);
    free(p);
}
END_TEST

START_TEST(test_write_rename_error_keeps_original)
{
    char *p = path_in("s.conf");
    char *got, *ls;

    put_file(p, "original\n", 0644);
    hook_errno = EACCES;
    sn_persist_set_rename_hook(failing_rename);
    ck_assert_int_eq(sn_persist_write(p, "new\n", 4, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot rename "));
    ck_assert_ptr_nonnull(strstr(err, ": Permission denied"));
    got = slurp(p);
    ck_assert_str_eq(got, "original\n");
    ls = listing();
    ck_assert_str_eq(ls, "s.conf");
    free(ls);
    free(got);
    free(p);
}
END_TEST

/* ---------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------- */

START_TEST(test_read_whole_file)
{
    char *p = path_in("s.conf");
    char *text;
    size_t len;

    put_file(p, "port 26379\n", 0644);
    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), 0);
    ck_assert_uint_eq(len, 11);
    ck_assert_str_eq(text, "port 26379\n");
    free(text);
    free(p);
}
END_TEST

START_TEST(test_read_empty_file)
{
    char *p = path_in("s.conf");
    char *text;
    size_t len = 99;

    put_file(p, "", 0644);
    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(text, "");
    free(text);
    free(p);
}
END_TEST

START_TEST(test_read_at_limit_accepted)
{
    char *p = path_in("big.conf");
    char *text;
    size_t len;

    put_file(p, "", 0644);
    ck_assert_int_eq(truncate(p, SN_CONFIG_BYTES_MAX), 0);
    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), 0);
    ck_assert_uint_eq(len, SN_CONFIG_BYTES_MAX);
    free(text);
    free(p);
}
END_TEST

START_TEST(test_read_over_limit_refused)
{
    char *p = path_in("big.conf");
    char *want = sn_printf("cannot read %s: it is larger than the %d-byte "
                           "limit for a config file",
                           p, SN_CONFIG_BYTES_MAX);
    char *text = (char *)1;
    size_t len;

    put_file(p, "", 0644);
    ck_assert_int_eq(truncate(p, SN_CONFIG_BYTES_MAX + 1), 0);
    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), -1);
    ck_assert_ptr_null(text);
    ck_assert_str_eq(err, want);
    free(want);
    free(p);
}
END_TEST

START_TEST(test_read_missing_file)
{
    char *p = path_in("none.conf");
    char *want = sn_printf("cannot open %s: No such file or directory", p);
    char *text;
    size_t len;

    ck_assert_int_eq(sn_persist_read(p, &text, &len, err, sizeof(err)), -1);
    ck_assert_str_eq(err, want);
    free(want);
    free(p);
}
END_TEST

START_TEST(test_read_directory_refused)
{
    char *want = sn_printf("cannot read %s: Is a directory", tmpdir);
    char *text;
    size_t len;

    ck_assert_int_eq(sn_persist_read(tmpdir, &text, &len, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, want);
    free(want);
}
END_TEST

/* ---------------------------------------------------------------------
 * Resolving
 * ------------------------------------------------------------------- */

START_TEST(test_resolve_relative_survives_chdir)
{
    char *real = realpath(tmpdir, NULL);
    char *want = sn_printf("%s/sub/s.conf", real);
    char *abs, *text;
    size_t len;

    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(mkdir("sub", 0755), 0);
    put_file("sub/s.conf", "port 1\n", 0644);
    ck_assert_int_eq(
        sn_persist_resolve("sub/../sub/./s.conf", &abs, err, sizeof(err)), 0);
    ck_assert_str_eq(abs, want);
    ck_assert_int_eq(chdir("/"), 0);
    ck_assert_int_eq(sn_persist_read(abs, &text, &len, err, sizeof(err)), 0);
    ck_assert_str_eq(text, "port 1\n");
    free(text);
    free(abs);
    free(want);
    free(real);
}
END_TEST

START_TEST(test_resolve_bare_name_and_missing_file)
{
    char *real = realpath(tmpdir, NULL);
    char *want = sn_printf("%s/not-yet.conf", real);
    char *abs;

    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(sn_persist_resolve("not-yet.conf", &abs, err, sizeof(err)),
                     0);
    ck_assert_str_eq(abs, want);
    free(abs);
    free(want);
    free(real);
}
END_TEST

START_TEST(test_resolve_root_file)
{
    char *abs;

    ck_assert_int_eq(sn_persist_resolve("/x.conf", &abs, err, sizeof(err)), 0);
    ck_assert_str_eq(abs, "/x.conf");
    free(abs);
}
END_TEST

START_TEST(test_resolve_missing_dir_error)
{
    char *p = path_in("nodir/s.conf");
    char *want = sn_printf("cannot resolve the directory %s/nodir of %s: "
                           "No such file or directory",
                           tmpdir, p);
    char *abs = (char *)1;

    ck_assert_int_eq(sn_persist_resolve(p, &abs, err, sizeof(err)), -1);
    ck_assert_ptr_null(abs);
    ck_assert_str_eq(err, want);
    free(want);
    free(p);
}
END_TEST

START_TEST(test_resolve_directory_refused)
{
    char *abs;

    ck_assert_int_eq(sn_persist_resolve("/tmp/", &abs, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'/tmp/' does not name a file");
    ck_assert_int_eq(sn_persist_resolve("", &abs, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'' does not name a file");
    ck_assert_int_eq(sn_persist_resolve("a/..", &abs, err, sizeof(err)), -1);
}
END_TEST

static Suite *
persist_suite(void)
{
    Suite *s = suite_create("persist");
    TCase *w = tcase_create("write");
    TCase *f = tcase_create("rename_failure");
    TCase *r = tcase_create("read");
    TCase *p = tcase_create("resolve");

    tcase_add_checked_fixture(w, setup, teardown);
    tcase_add_test(w, test_write_new_file);
    tcase_add_test(w, test_write_new_file_honours_umask);
    tcase_add_test(w, test_write_replace_keeps_mode_0600);
    tcase_add_test(w, test_write_replace_keeps_mode_0640);
    tcase_add_test(w, test_write_empty_data);
    tcase_add_test(w, test_write_binary_bytes_exact);
    tcase_add_test(w, test_write_relative_path);
    tcase_add_test(w, test_write_through_symlink_keeps_link);
    tcase_add_test(w, test_write_missing_dir_clear_error);
    tcase_add_test(w, test_write_over_limit_refused);
    suite_add_tcase(s, w);

    tcase_add_checked_fixture(f, setup, teardown);
    tcase_add_test(f, test_write_exdev_falls_back_in_place);
    tcase_add_test(f, test_write_ebusy_falls_back_in_place);
    tcase_add_test(f, test_write_in_place_longer_contents);
    tcase_add_test(f, test_write_in_place_fails_when_file_missing);
    tcase_add_test(f, test_write_rename_error_keeps_original);
    suite_add_tcase(s, f);

    tcase_add_checked_fixture(r, setup, teardown);
    tcase_add_test(r, test_read_whole_file);
    tcase_add_test(r, test_read_empty_file);
    tcase_add_test(r, test_read_at_limit_accepted);
    tcase_add_test(r, test_read_over_limit_refused);
    tcase_add_test(r, test_read_missing_file);
    tcase_add_test(r, test_read_directory_refused);
    suite_add_tcase(s, r);

    tcase_add_checked_fixture(p, setup, teardown);
    tcase_add_test(p, test_resolve_relative_survives_chdir);
    tcase_add_test(p, test_resolve_bare_name_and_missing_file);
    tcase_add_test(p, test_resolve_root_file);
    tcase_add_test(p, test_resolve_missing_dir_error);
    tcase_add_test(p, test_resolve_directory_refused);
    suite_add_tcase(s, p);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(persist_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
