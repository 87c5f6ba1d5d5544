/*++
/* NAME
/*	check_store 1t
/* SUMMARY
/*	unit tests for lmdbacl_store.c
/* SYNOPSIS
/*	check_store
/* DESCRIPTION
/*	Pins the snapshot file of SPEC section 5: build then open;
/*	reproducible bytes; atomic replacement (an open handle keeps its
/*	snapshot, a new open sees the new one); no PATH.new left behind,
/*	a stale one removed; a failed build changes nothing and a failed
/*	first build leaves no file; missing, empty, truncated, garbage and
/*	foreign files refused with a message naming the file; the format
/*	version; lmdbacl_load_rules() round trips; updates; writers
/*	serialise.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include "unit.h"
#include "lmdbacl_int.h"

#include <sys/wait.h>
#include <fcntl.h>

 /*
  * new_path - PATH.new, caller frees.
  */
static char *new_path(const char *path)
{
    char   *tmp = malloc(strlen(path) + sizeof(".new"));

    ck_assert_ptr_nonnull(tmp);
    sprintf(tmp, "%s.new", path);
    return (tmp);
}

static ino_t inode_of(const char *path)
{
    struct stat st;

    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return (st.st_ino);
}

 /*
  * same_bytes - two files with identical contents.
  */
static int same_bytes(const char *a, const char *b)
{
    size_t  alen;
    size_t  blen;
    char   *ad = unit_slurp(a, &alen);
    char   *bd = unit_slurp(b, &blen);
    int     same = (alen == blen && memcmp(ad, bd, alen) == 0);

    free(ad);
    free(bd);
    return (same);
}

 /*
  * expect_refused - lmdbacl_open() fails with one of the codes, and a
  * message that names the file.
  */
static void expect_refused(const char *path, int code1, int code2)
{
    LMDBACL_ERR err;
    LMDBACL *t;

    memset(&err, 0, sizeof(err));
    t = lmdbacl_open(path, &err);
    ck_assert_msg(t == 0, "%s: opened", path);
    ck_assert_msg(err.code == code1 || err.code == code2,
		  "%s: code %d (%s), want %d or %d", path, err.code, err.msg,
		  code1, code2);
    ck_assert_msg(strstr(err.msg, path) != 0, "message does not name %s: %s",
		  path, err.msg);
}

 /*
  * meta_record - a header record of this format version.
  */
static void meta_record(UNIT_KV *kv, unsigned char *meta, size_t size,
			        unsigned version)
{
    memset(meta, 0, size);
    if (size >= 4) {
	meta[0] = version >> 24;
	meta[1] = version >> 16;
	meta[2] = version >> 8;
	meta[3] = version;
    }
    kv->key = LMDBACL_META_KEY;
    kv->klen = strlen(LMDBACL_META_KEY);
    kv->val = meta;
    kv->vlen = size;
}

 /*
  * load - every rule of a table file into a fresh rule set.
  */
static LMDBACL_RULES *load(const char *path)
{
    LMDBACL *t = unit_open(path);
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_ERR err;
    int     status;

    memset(&err, 0, sizeof(err));
    status = lmdbacl_load_rules(t, rules, &err);
    ck_assert_msg(status == LMDBACL_OK, "load %s: %d %s", path, status,
		  err.msg);
    lmdbacl_close(t);
    return (rules);
}

/* Build and open. */

START_TEST(path_is_name_with_lmdbacl_suffix)
{
    char   *path = lmdbacl_path("/etc/postfix/access");

    ck_assert_pstr_eq(path, "/etc/postfix/access.lmdbacl");
    free(path);
}
END_TEST

START_TEST(build_then_open_answers)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "*.example.com OK\n"
				  "192.0.2.0/24 REJECT\n");
    LMDBACL *t = unit_open(path);

    UNIT_EXPECT(t, "mail.example.com", 0, "OK");
    UNIT_EXPECT(t, "192.0.2.1", 0, "REJECT");
    UNIT_EXPECT(t, "example.com", 0, 0);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(empty_rule_set_gives_a_table_that_finds_nothing)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "# nothing yet\n");
    LMDBACL *t = unit_open(path);
    LMDBACL_STATS st;

    UNIT_EXPECT(t, "example.com", 1, 0);
    UNIT_EXPECT(t, "192.0.2.1", 0, 0);
    ck_assert_int_eq(lmdbacl_stats(t, &st), LMDBACL_OK);
    ck_assert_uint_eq(st.exact + st.wild + st.nets + st.segments, 0);
    ck_assert_uint_eq(st.format, LMDBACL_FORMAT_VERSION);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(stats_count_rules_and_ranges)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com A\n"
				  "192.0.2.10 B\n*.example.org C\n"
				  ".example.net D\n192.0.2.0/24 E\n");
    LMDBACL *t = unit_open(path);
    LMDBACL_STATS st;
    struct stat fst;

    ck_assert_int_eq(lmdbacl_stats(t, &st), LMDBACL_OK);
    ck_assert_uint_eq(st.exact, 2);
    ck_assert_uint_eq(st.wild, 2);
    ck_assert_uint_eq(st.nets, 2);
    /* 192.0.2.0-9 (/24), 192.0.2.10 (/32), 192.0.2.11-255 (/24). */
    ck_assert_uint_eq(st.segments, 3);
    ck_assert_uint_eq(st.format, LMDBACL_FORMAT_VERSION);
    ck_assert_int_eq(stat(path, &fst), 0);
    ck_assert_int_eq(st.file_size, fst.st_size);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(fd_and_mtime_describe_the_opened_file)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OK\n");
    LMDBACL *t = unit_open(path);
    struct stat fst;
    struct stat pst;

    ck_assert_int_ge(lmdbacl_fd(t), 0);
    ck_assert_int_eq(fstat(lmdbacl_fd(t), &fst), 0);
    ck_assert_int_eq(stat(path, &pst), 0);
    ck_assert_uint_eq(fst.st_ino, pst.st_ino);
    ck_assert_uint_eq(fst.st_dev, pst.st_dev);
    ck_assert_int_eq(lmdbacl_mtime(t), pst.st_mtime);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(open_creates_no_lock_file)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OK\n");
    char   *lock = malloc(strlen(path) + sizeof("-lock"));
    LMDBACL *t;

    sprintf(lock, "%s-lock", path);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OK");
    ck_assert_int_eq(unit_exists(lock), 0);
    lmdbacl_close(t);
    free(lock);
    free(path);
    free(dir);
}
END_TEST

START_TEST(table_file_is_not_group_or_world_writable)
{
    char   *dir = unit_tmpdir();
    char   *path;
    struct stat st;
    mode_t  old = umask(0);

    path = unit_build(dir, "access", "example.com OK\n");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 022, 0);
    ck_assert_uint_eq(st.st_mode & 0400, 0400);

    /* A rebuild does not copy group or world write permission. */
    ck_assert_int_eq(chmod(path, 0666), 0);
    free(path);
    path = unit_build(dir, "access", "example.com OK\n");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    umask(old);
    free(path);
    free(dir);
}
END_TEST

START_TEST(readable_table_opens_without_write_permission)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OK\n");
    LMDBACL *t;

    ck_assert_int_eq(chmod(path, 0444), 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OK");
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

/* Reproducible builds. */

START_TEST(same_input_gives_byte_identical_file)
{
    static const char *text = "example.com OK\n*.example.org REJECT\n"
    "192.0.2.0/24 DUNNO\n192.0.2.10 HOLD\n2001:db8::/32 OK\n"
    "user@example.com DISCARD\n10.1 OK\n";
    char   *dir1 = unit_tmpdir();
    char   *dir2 = unit_tmpdir();
    char   *p1 = unit_build(dir1, "access", text);
    char   *p2 = unit_build(dir2, "access", text);
    char   *p3 = unit_build(dir2, "other", "example.com NOT OK\n");

    ck_assert_msg(same_bytes(p1, p2), "%s and %s differ", p1, p2);
    /* The comparison can tell tables apart. */
    ck_assert_int_eq(same_bytes(p1, p3), 0);
    free(p1);
    free(p2);
    free(p3);
    free(dir1);
    free(dir2);
}
END_TEST

START_TEST(rebuild_of_same_input_gives_byte_identical_file)
{
    static const char *text = "*.example.com OK\n198.51.100.0/24 REJECT\n";
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", text);
    char   *copy = unit_join(dir, "first-build");
    size_t  len;
    char   *data = unit_slurp(path, &len);

    unit_write(copy, data, len);
    free(path);
    path = unit_build(dir, "access", text);
    ck_assert_msg(same_bytes(path, copy), "rebuild of %s differs", path);
    free(data);
    free(copy);
    free(path);
    free(dir);
}
END_TEST

START_TEST(large_build_is_reproducible)
{
    char   *text = malloc(20000 * 40);
    char   *dir1 = unit_tmpdir();
    char   *dir2 = unit_tmpdir();
    char   *p1;
    char   *p2;
    size_t  len = 0;
    int     i;

    ck_assert_ptr_nonnull(text);
    for (i = 0; i < 20000; i++)
	len += sprintf(text + len, "%s%d.example %s %d\n",
		       i % 3 == 0 ? "*.h" : "h", i, i % 2 ? "OK" : "REJECT", i);
    p1 = unit_build(dir1, "access", text);
    p2 = unit_build(dir2, "access", text);
    ck_assert_msg(same_bytes(p1, p2), "%s and %s differ", p1, p2);
    free(p1);
    free(p2);
    free(dir1);
    free(dir2);
    free(text);
}
END_TEST

/* Atomic replacement. */

START_TEST(rebuilt_table_replaces_old_one_atomically)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "a.example OLD\n");
    ino_t   old_ino = inode_of(path);
    LMDBACL *before = unit_open(path);
    LMDBACL *after;
    struct stat fst;

    free(path);
    path = unit_build(dir, "access", "a.example NEW\nb.example ADDED\n");

    /* A new file took the name; the old handle still has the old one. */
    ck_assert_uint_ne(inode_of(path), old_ino);
    ck_assert_int_eq(fstat(lmdbacl_fd(before), &fst), 0);
    ck_assert_uint_eq(fst.st_ino, old_ino);

    UNIT_EXPECT(before, "a.example", 0, "OLD");
    UNIT_EXPECT(before, "b.example", 0, 0);
    after = unit_open(path);
    UNIT_EXPECT(after, "a.example", 0, "NEW");
    UNIT_EXPECT(after, "b.example", 0, "ADDED");
    /* And the old handle is unchanged by the new one. */
    UNIT_EXPECT(before, "a.example", 0, "OLD");
    lmdbacl_close(before);
    lmdbacl_close(after);
    free(path);
    free(dir);
}
END_TEST

START_TEST(no_new_file_left_after_successful_commit)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OK\n");
    char   *tmp = new_path(path);

    ck_assert_int_eq(unit_exists(path), 1);
    ck_assert_int_eq(unit_exists(tmp), 0);
    free(path);
    path = unit_build(dir, "access", "example.com NO\n");
    ck_assert_int_eq(unit_exists(tmp), 0);
    free(tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(stale_new_file_is_removed_by_next_build)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "access");
    char   *path = lmdbacl_path(src);
    char   *tmp = new_path(path);
    LMDBACL *t;

    /* What a killed build leaves: a partial file. */
    unit_write_text(tmp, "half a table from a killed build");
    free(path);
    path = unit_build(dir, "access", "example.com OK\n");
    ck_assert_int_eq(unit_exists(tmp), 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OK");
    lmdbacl_close(t);

    /* Also when a table exists already. */
    unit_write_text(tmp, "another leftover");
    free(path);
    path = unit_build(dir, "access", "example.com AGAIN\n");
    ck_assert_int_eq(unit_exists(tmp), 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "AGAIN");
    lmdbacl_close(t);
    free(tmp);
    free(path);
    free(src);
    free(dir);
}
END_TEST

/* Failed changes. */

START_TEST(failed_first_build_leaves_no_file)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "access");
    char   *path = lmdbacl_path(src);
    char   *tmp = new_path(path);
    UNIT_DIAGS diags;
    LMDBACL_ERR err;

    memset(&diags, 0, sizeof(diags));
    ck_assert_int_eq(unit_try_build(dir, "access", "*@example.com OK\n",
				    &diags, &err), LMDBACL_ESYNTAX);
    ck_assert_int_eq(diags.errors, 1);
    ck_assert_int_eq(unit_exists(path), 0);
    ck_assert_int_eq(unit_exists(tmp), 0);
    free(tmp);
    free(path);
    free(src);
    free(dir);
}
END_TEST

START_TEST(failed_first_commit_leaves_no_file)
{
    char   *dir = unit_tmpdir();
    char   *src = unit_join(dir, "access");
    char   *path = lmdbacl_path(src);
    char   *tmp = new_path(path);
    UNIT_DIAGS diags;
    LMDBACL_ERR err;

    /* PATH.new cannot be created: a directory is in the way. */
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    memset(&diags, 0, sizeof(diags));
    memset(&err, 0, sizeof(err));
    ck_assert_int_eq(unit_try_build(dir, "access", "example.com OK\n",
				    &diags, &err), LMDBACL_ESYSTEM);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_int_eq(unit_exists(path), 0);
    ck_assert_int_eq(rmdir(tmp), 0);
    free(tmp);
    free(path);
    free(src);
    free(dir);
}
END_TEST

START_TEST(failed_rebuild_leaves_previous_table_serving)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OLD\n");
    char   *tmp = new_path(path);
    char   *copy = unit_join(dir, "before");
    UNIT_DIAGS diags;
    LMDBACL_ERR err;
    LMDBACL *t;
    size_t  len;
    char   *data = unit_slurp(path, &len);

    unit_write(copy, data, len);

    /* A bad line. */
    memset(&diags, 0, sizeof(diags));
    ck_assert_int_eq(unit_try_build(dir, "access", "example.com NEW\n"
				    "@example.org NO\n", &diags, &err),
		     LMDBACL_ESYNTAX);
    ck_assert_msg(same_bytes(path, copy), "table changed by a failed build");
    ck_assert_int_eq(unit_exists(tmp), 0);

    /* A failed commit. */
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    ck_assert_int_eq(unit_try_build(dir, "access", "example.com NEW\n",
				    &diags, &err), LMDBACL_ESYSTEM);
    ck_assert_int_eq(rmdir(tmp), 0);
    ck_assert_msg(same_bytes(path, copy), "table changed by a failed commit");
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OLD");
    lmdbacl_close(t);
    free(data);
    free(copy);
    free(tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(abort_changes_nothing)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OLD\n");
    char   *tmp = new_path(path);
    ino_t   ino = inode_of(path);
    LMDBACL_RULES *rules = 0;
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;
    LMDBACL *t;

    w = lmdbacl_writer_begin(path, 1, &rules, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 1);
    lmdbacl_writer_abort(w);
    lmdbacl_rules_free(rules);
    ck_assert_uint_eq(inode_of(path), ino);
    ck_assert_int_eq(unit_exists(tmp), 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OLD");
    lmdbacl_close(t);
    free(tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(built_snapshot_waits_for_commit)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OLD\n");
    char   *tmp = new_path(path);
    ino_t   ino = inode_of(path);
    LMDBACL_RULES *old = 0;
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    LMDBACL *t;

    /*
     * The plugin builds on a thread and installs at close: until the
     * commit, the old table serves and the new one waits beside it.
     */
    ck_assert_int_eq(lmdbacl_key_parse("example.com", &key, why,
				       sizeof(why)), LMDBACL_OK);
    ck_assert_int_eq(lmdbacl_rules_add(rules, &key, "NEW", 1,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_OK);
    w = lmdbacl_writer_begin(path, 0, &old, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    lmdbacl_rules_free(old);
    ck_assert_int_eq(lmdbacl_writer_build(w, rules, &err), LMDBACL_OK);
    ck_assert_int_eq(unit_exists(tmp), 1);
    ck_assert_uint_eq(inode_of(path), ino);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OLD");
    lmdbacl_close(t);
    ck_assert_int_eq(lmdbacl_writer_commit(w, rules, 0, 0, &err), LMDBACL_OK);
    ck_assert_int_eq(unit_exists(tmp), 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "NEW");
    lmdbacl_close(t);
    lmdbacl_rules_free(rules);
    free(tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(built_snapshot_is_dropped_by_abort)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OLD\n");
    char   *tmp = new_path(path);
    ino_t   ino = inode_of(path);
    LMDBACL_RULES *rules = 0;
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;
    LMDBACL *t;

    w = lmdbacl_writer_begin(path, 1, &rules, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    ck_assert_int_eq(lmdbacl_writer_build(w, rules, &err), LMDBACL_OK);
    ck_assert_int_eq(unit_exists(tmp), 1);
    lmdbacl_writer_abort(w);
    lmdbacl_rules_free(rules);
    ck_assert_int_eq(unit_exists(tmp), 0);
    ck_assert_uint_eq(inode_of(path), ino);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, "OLD");
    lmdbacl_close(t);
    free(tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(large_build_on_two_threads_finds_every_key)
{
    /* Above the size where hashes, filter and index use two threads. */
    enum {
	N = 100000
    };
    char   *text = malloc((size_t) N * 48);
    char   *dir = unit_tmpdir();
    char    query[64];
    char    value[32];
    char   *path;
    size_t  len = 0;
    LMDBACL *t;
    int     i;

    ck_assert_ptr_nonnull(text);
    for (i = 0; i < N; i++)
	len += sprintf(text + len, "%sk%d.example V%d\n",
		       i % 4 == 0 ? "*." : "", i, i);
    path = unit_build(dir, "access", text);
    t = unit_open(path);
    for (i = 0; i < N; i++) {
	snprintf(query, sizeof(query), "%sk%d.example", i % 4 == 0 ?
		 "x." : "", i);
	snprintf(value, sizeof(value), "V%d", i);
	UNIT_EXPECT(t, query, 0, value);
    }
    UNIT_EXPECT(t, "k0.example", 0, 0);
    UNIT_EXPECT(t, "k100000.example", 0, 0);
    lmdbacl_close(t);
    free(path);
    free(dir);
    free(text);
}
END_TEST

START_TEST(placeholder_of_first_build_reads_as_unavailable)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "access.lmdbacl");
    LMDBACL_RULES *rules = 0;
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;

    w = lmdbacl_writer_begin(path, 1, &rules, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 0);
    /* While the first build runs, readers see no table, not an error. */
    expect_refused(path, LMDBACL_EUNAVAIL, LMDBACL_EUNAVAIL);
    lmdbacl_writer_abort(w);
    lmdbacl_rules_free(rules);
    ck_assert_int_eq(unit_exists(path), 0);
    free(path);
    free(dir);
}
END_TEST

START_TEST(writer_in_missing_directory_is_system_error_naming_file)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "no/such/dir/access.lmdbacl");
    LMDBACL_RULES *rules = 0;
    LMDBACL_ERR err;

    memset(&err, 0, sizeof(err));
    ck_assert_ptr_null(lmdbacl_writer_begin(path, 0, &rules, &err));
    ck_assert_int_eq(err.code, LMDBACL_ESYSTEM);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    free(path);
    free(dir);
}
END_TEST

/* Files that are no table. */

START_TEST(missing_table_is_unavailable)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "missing.lmdbacl");

    expect_refused(path, LMDBACL_EUNAVAIL, LMDBACL_EUNAVAIL);
    free(path);
    free(dir);
}
END_TEST

START_TEST(empty_table_file_is_unavailable)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "empty.lmdbacl");

    unit_write(path, "", 0);
    expect_refused(path, LMDBACL_EUNAVAIL, LMDBACL_EUNAVAIL);
    free(path);
    free(dir);
}
END_TEST

START_TEST(truncated_table_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *text = malloc(5000 * 40);
    char   *path;
    struct stat st;
    size_t  len = 0;
    int     i;

    ck_assert_ptr_nonnull(text);
    for (i = 0; i < 5000; i++)
	len += sprintf(text + len, "host%d.example REJECT number %d\n", i, i);
    path = unit_build(dir, "access", text);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_gt(st.st_size, 16 * 4096);
    ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
    expect_refused(path, LMDBACL_EUNAVAIL, LMDBACL_EFORMAT);
    free(path);
    free(text);
    free(dir);
}
END_TEST

START_TEST(small_table_truncated_anywhere_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "example.com OK\n");
    char   *cut = unit_join(dir, "cut.lmdbacl");
    struct stat st;
    size_t  len;
    char   *data = unit_slurp(path, &len);
    size_t  sizes[5];
    int     i;

    ck_assert_int_eq(stat(path, &st), 0);
    sizes[0] = len / 2;
    sizes[1] = len - 1;
    sizes[2] = 4096;
    sizes[3] = 100;
    sizes[4] = 1;
    for (i = 0; i < 5; i++) {
	ck_assert_uint_lt(sizes[i], len);
	unit_write(cut, data, sizes[i]);
	expect_refused(cut, LMDBACL_EUNAVAIL, LMDBACL_EFORMAT);
    }
    free(data);
    free(cut);
    free(path);
    free(dir);
}
END_TEST

START_TEST(garbage_file_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "garbage.lmdbacl");
    unsigned char junk[16384];
    size_t  i;
    uint32_t x = 12345;

    for (i = 0; i < sizeof(junk); i++) {
	x = x * 1103515245 + 12345;
	junk[i] = x >> 16;
    }
    unit_write(path, junk, sizeof(junk));
    expect_refused(path, LMDBACL_EFORMAT, LMDBACL_EUNAVAIL);
    unit_write_text(path, "example.com OK\n");
    expect_refused(path, LMDBACL_EFORMAT, LMDBACL_EUNAVAIL);
    free(path);
    free(dir);
}
END_TEST

START_TEST(lmdb_file_that_is_not_lmdbacl_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "foreign.lmdbacl");
    UNIT_KV kv[] = {
	{"example.com", 12, "OK", 3},	/* as postmap writes lmdb: */
	{"Eexample.org", 12, "x", 1},
    };
    LMDBACL_ERR err;

    unit_make_lmdb(path, kv, 2);
    expect_refused(path, LMDBACL_EFORMAT, LMDBACL_EFORMAT);
    ck_assert_ptr_null(lmdbacl_open(path, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "not an lmdbacl table"));
    free(path);
    free(dir);
}
END_TEST

START_TEST(newer_format_is_refused_with_message_saying_so)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "newer.lmdbacl");
    unsigned char meta[LMDBACL_META_SIZE];
    UNIT_KV kv[1];
    LMDBACL_ERR err;

    meta_record(kv, meta, sizeof(meta), LMDBACL_FORMAT_VERSION + 1);
    unit_make_sealed(path, kv, 1);
    expect_refused(path, LMDBACL_EFORMAT, LMDBACL_EFORMAT);
    ck_assert_ptr_null(lmdbacl_open(path, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "newer"));
    free(path);
    free(dir);
}
END_TEST

START_TEST(current_format_header_is_accepted)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "current.lmdbacl");
    unsigned char meta[LMDBACL_META_SIZE];
    UNIT_KV kv[1];
    LMDBACL *t;

    /* The control for the format tests: only the version differs. */
    meta_record(kv, meta, sizeof(meta), LMDBACL_FORMAT_VERSION);
    unit_make_sealed(path, kv, 1);
    t = unit_open(path);
    UNIT_EXPECT(t, "example.com", 0, 0);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(format_zero_or_short_header_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *zero = unit_join(dir, "zero.lmdbacl");
    char   *shorth = unit_join(dir, "short.lmdbacl");
    unsigned char meta[LMDBACL_META_SIZE];
    UNIT_KV kv[1];

    meta_record(kv, meta, sizeof(meta), 0);
    unit_make_sealed(zero, kv, 1);
    expect_refused(zero, LMDBACL_EFORMAT, LMDBACL_EFORMAT);
    meta_record(kv, meta, 8, LMDBACL_FORMAT_VERSION);
    unit_make_sealed(shorth, kv, 1);
    expect_refused(shorth, LMDBACL_EFORMAT, LMDBACL_EFORMAT);
    free(zero);
    free(shorth);
    free(dir);
}
END_TEST


START_TEST(bit_flip_anywhere_is_refused_not_crashed)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access",
			      "*.example.com OK\n192.0.2.0/24 REJECT\n"
			      "user@example.org OK\n");
    struct stat st;
    LMDBACL_ERR err;
    LMDBACL *t;
    off_t   off;
    int     fd;
    unsigned char c;

    ck_assert_int_eq(stat(path, &st), 0);
    for (off = 0; off < st.st_size; off += st.st_size / 61 + 1) {
	ck_assert_int_ge(fd = open(path, O_RDWR), 0);
	ck_assert_int_eq(pread(fd, &c, 1, off), 1);
	c ^= 0x10;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	t = lmdbacl_open(path, &err);
	ck_assert_msg(t == 0, "flipped byte %lld accepted", (long long) off);
	ck_assert_msg(err.code == LMDBACL_EFORMAT || err.code == LMDBACL_EUNAVAIL,
		      "byte %lld: code %d", (long long) off, err.code);
	c ^= 0x10;
	ck_assert_int_eq(pwrite(fd, &c, 1, off), 1);
	close(fd);
    }
    /* The control: restored, the table opens and answers. */
    t = unit_open(path);
    UNIT_EXPECT(t, "a.example.com", 0, "OK");
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(checksum_mismatch_message_says_damaged)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "a.example OK\n");
    LMDBACL_ERR err;
    int     fd;
    unsigned char c = 0xff;

    ck_assert_int_ge(fd = open(path, O_RDWR), 0);
    ck_assert_int_eq(pwrite(fd, &c, 1, 5000), 1);
    close(fd);
    ck_assert_ptr_null(lmdbacl_open(path, &err));
    ck_assert_int_eq(err.code, LMDBACL_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "checksum mismatch"));
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    free(path);
    free(dir);
}
END_TEST

/* Reading rules back. */

typedef struct COMPARE {
    LMDBACL_RULES *other;
    int     compared;
} COMPARE;

static int compare_fn(void *ctx, const LMDBACL_RULE *r)
{
    COMPARE *c = ctx;
    const LMDBACL_RULE *o = unit_find(c->other, r->kind, r->key);

    ck_assert_msg(o != 0, "rule %d \"%s\" lost", r->kind, r->key);
    ck_assert_str_eq(o->value, r->value);
    ck_assert_uint_eq(o->line, r->line);
    ck_assert_int_eq(o->is_net, r->is_net);
    ck_assert_int_eq(o->family, r->family);
    ck_assert_int_eq(o->plen, r->plen);
    ck_assert_mem_eq(o->addr, r->addr, 16);
    c->compared++;
    return (0);
}

static void expect_round_trip(const char *text, size_t count)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", text);
    char   *again = unit_join(dir, "again.lmdbacl");
    LMDBACL_RULES *orig = lmdbacl_rules_create();
    LMDBACL_RULES *back;
    UNIT_DIAGS diags;
    LMDBACL_ERR err;
    COMPARE c;

    memset(&diags, 0, sizeof(diags));
    ck_assert_int_eq(unit_read_source(dir, text, 0, orig, &diags, &err),
		     LMDBACL_OK);
    ck_assert_uint_eq(lmdbacl_rules_count(orig), count);
    back = load(path);
    ck_assert_uint_eq(lmdbacl_rules_count(back), count);
    memset(&c, 0, sizeof(c));
    c.other = back;
    lmdbacl_rules_walk(orig, compare_fn, &c);
    ck_assert_int_eq(c.compared, (int) count);

    /* What was read back builds the same file again. */
    ck_assert_int_eq(unit_commit_rules(again, back, &diags, &err), LMDBACL_OK);
    ck_assert_msg(same_bytes(path, again), "rebuilt from loaded rules differs");
    lmdbacl_rules_free(orig);
    lmdbacl_rules_free(back);
    free(again);
    free(path);
    free(dir);
}

START_TEST(load_rules_round_trips_every_kind)
{
    expect_round_trip("# comment\n"
		      "example.com OK\n"
		      "*.example.org REJECT go away\n"
		      ".example.net HOLD\n"
		      "192.0.2.0/24 DUNNO\n"
		      "[2001:db8::]/32 OK\n"
		      "192.0.2.10 DISCARD\n"
		      "10.1 OK\n"
		      "2001:db8:1:2 OK\n"
		      "user@example.com REJECT\n"
		      "postmaster@ OK\n"
		      "<> REJECT null\n", 11);
}
END_TEST

START_TEST(load_rules_round_trips_longest_keys)
{
    char    text[4 * LMDBACL_KEY_MAX];
    size_t  len = 0;
    int     k;
    int     i;

    /* The longest key of each form: exact, "*.p" and ".p". */
    for (k = 0; k < 3; k++) {
	int     n = k == 0 ? LMDBACL_KEY_MAX : k == 1 ? LMDBACL_KEY_MAX - 2
	    : LMDBACL_KEY_MAX - 1;

	if (k == 1) {
	    text[len++] = '*';
	    text[len++] = '.';
	} else if (k == 2) {
	    text[len++] = '.';
	}
	for (i = 0; i < n; i++)
	    text[len++] = (i % 40 == 39) ? '.' : 'a' + (i + k) % 26;
	len += sprintf(text + len, " LONG%d\n", k);
    }
    expect_round_trip(text, 3);
}
END_TEST

START_TEST(load_rules_adds_to_what_is_there)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "a.example FROM TABLE\n");
    LMDBACL *t = unit_open(path);
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    LMDBACL_ERR err;

    ck_assert_int_eq(lmdbacl_key_parse("b.example", &key, why, sizeof(why)), 0);
    lmdbacl_rules_add(rules, &key, "KEPT", 0, LMDBACL_ADD_KEEP, 0);
    ck_assert_int_eq(lmdbacl_load_rules(t, rules, &err), LMDBACL_OK);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 2);
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_EXACT, "a.example")->value,
		     "FROM TABLE");
    ck_assert_str_eq(unit_find(rules, LMDBACL_KIND_EXACT, "b.example")->value,
		     "KEPT");
    lmdbacl_rules_free(rules);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

/* Updates. */

static void update(const char *path, const char *add_key, const char *value,
		           const char *del_key)
{
    LMDBACL_RULES *rules = 0;
    LMDBACL_WRITER *w;
    LMDBACL_KEY key;
    LMDBACL_ERR err;
    char    why[LMDBACL_ERR_SIZE];

    w = lmdbacl_writer_begin(path, 1, &rules, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    if (add_key) {
	ck_assert_int_eq(lmdbacl_key_parse(add_key, &key, why, sizeof(why)), 0);
	ck_assert_int_ge(lmdbacl_rules_add(rules, &key, value, 0,
					   LMDBACL_ADD_REPLACE, 0), 0);
    }
    if (del_key) {
	ck_assert_int_eq(lmdbacl_key_parse(del_key, &key, why, sizeof(why)), 0);
	ck_assert_int_eq(lmdbacl_rules_delete(rules, &key), LMDBACL_OK);
    }
    ck_assert_int_eq(lmdbacl_writer_commit(w, rules, 0, 0, &err), LMDBACL_OK);
    lmdbacl_rules_free(rules);
}

START_TEST(update_keeps_existing_rules)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "a.example A\n*.b.example B\n"
				  "192.0.2.0/24 C\n");
    LMDBACL *t;

    update(path, "d.example", "D", 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "a.example", 0, "A");
    UNIT_EXPECT(t, "x.b.example", 0, "B");
    UNIT_EXPECT(t, "192.0.2.1", 0, "C");
    UNIT_EXPECT(t, "d.example", 0, "D");
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(update_replaces_and_deletes)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "a.example A\n*.b.example B\n"
				  "192.0.2.0/24 C\n");
    LMDBACL *t;

    update(path, "a.example", "CHANGED", ".b.example");
    update(path, 0, 0, "192.0.2.0/24");
    t = unit_open(path);
    UNIT_EXPECT(t, "a.example", 0, "CHANGED");
    UNIT_EXPECT(t, "x.b.example", 0, 0);
    UNIT_EXPECT(t, "192.0.2.1", 0, 0);
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(update_of_missing_table_creates_it)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "new.lmdbacl");
    LMDBACL *t;

    update(path, "*.example.com", "OK", 0);
    t = unit_open(path);
    UNIT_EXPECT(t, "mail.example.com", 0, "OK");
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST

START_TEST(one_network_written_twice_keeps_lower_line)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "access.lmdbacl");
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_KEY key;
    UNIT_DIAGS diags;
    LMDBACL_ERR err;
    LMDBACL *t;
    char    why[LMDBACL_ERR_SIZE];

    /* Added in the other order than their lines: the line decides. */
    ck_assert_int_eq(lmdbacl_key_parse("192.0.2", &key, why, sizeof(why)), 0);
    ck_assert_int_eq(lmdbacl_rules_add(rules, &key, "LATER", 5,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_OK);
    ck_assert_int_eq(lmdbacl_key_parse("192.0.2.0/24", &key, why,
				       sizeof(why)), 0);
    ck_assert_int_eq(lmdbacl_rules_add(rules, &key, "EARLIER", 2,
				       LMDBACL_ADD_KEEP, 0), LMDBACL_OK);
    memset(&diags, 0, sizeof(diags));
    ck_assert_int_eq(unit_commit_rules(path, rules, &diags, &err), LMDBACL_OK);
    t = unit_open(path);
    UNIT_EXPECT(t, "192.0.2.7", 0, "EARLIER");
    /* The exact key still answers its own exact query. */
    UNIT_EXPECT(t, "192.0.2", 0, "LATER");
    lmdbacl_close(t);
    lmdbacl_rules_free(rules);
    free(path);
    free(dir);
}
END_TEST

/* Writers serialise. */

START_TEST(writer_lock_serialises_writers)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", "base.example BASE\n");
    LMDBACL_RULES *rules = 0;
    LMDBACL_WRITER *w;
    LMDBACL_KEY key;
    LMDBACL_ERR err;
    LMDBACL *t;
    char    why[LMDBACL_ERR_SIZE];
    int     ready[2];
    char    c;
    pid_t   pid;
    int     status;

    ck_assert_int_eq(pipe(ready), 0);
    if ((pid = fork()) == 0) {
	/* Child: take the lock, say so, hold it, then commit a change. */
	close(ready[0]);
	if ((w = lmdbacl_writer_begin(path, 1, &rules, &err)) == 0)
	    _exit(2);
	if (lmdbacl_key_parse("child.example", &key, why, sizeof(why)) != 0
	    || lmdbacl_rules_add(rules, &key, "CHILD", 0,
				 LMDBACL_ADD_KEEP, 0) != 0)
	    _exit(3);
	if (write(ready[1], "L", 1) != 1)
	    _exit(4);
	usleep(300 * 1000);
	status = lmdbacl_writer_commit(w, rules, 0, 0, &err);
	lmdbacl_rules_free(rules);
	free(path);
	free(dir);
	_exit(status == LMDBACL_OK ? 0 : 5);
    }
    ck_assert_int_ge(pid, 0);
    close(ready[1]);
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    close(ready[0]);

    /*
     * The child holds the lock: this must wait until it has committed,
     * and then see the child's table (the one renamed over the file it
     * waited for).
     */
    w = lmdbacl_writer_begin(path, 1, &rules, &err);
    ck_assert_msg(w != 0, "%s", err.msg);
    ck_assert_msg(unit_find(rules, LMDBACL_KIND_EXACT, "child.example") != 0,
		  "second writer did not wait for the first");
    ck_assert_int_eq(lmdbacl_key_parse("parent.example", &key, why,
				       sizeof(why)), 0);
    ck_assert_int_eq(lmdbacl_rules_add(rules, &key, "PARENT", 0,
				       LMDBACL_ADD_KEEP, 0), 0);
    ck_assert_int_eq(lmdbacl_writer_commit(w, rules, 0, 0, &err), LMDBACL_OK);
    lmdbacl_rules_free(rules);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "child writer failed: status 0x%x", status);

    /* No update was lost. */
    t = unit_open(path);
    UNIT_EXPECT(t, "base.example", 0, "BASE");
    UNIT_EXPECT(t, "child.example", 0, "CHILD");
    UNIT_EXPECT(t, "parent.example", 0, "PARENT");
    lmdbacl_close(t);
    free(path);
    free(dir);
}
END_TEST


/* The hash index of exact and wildcard rules. */

 /*
  * index_source - n exact keys and n / 4 wildcards, each with its own
  * value, so that a hit on the wrong entry shows.
  */
static char *index_source(int n)
{
    size_t  size = (size_t) n * 80 + 1;
    char   *text = malloc(size);
    size_t  len = 0;
    int     i;

    ck_assert_ptr_nonnull(text);
    for (i = 1; i <= n; i++)
	len += snprintf(text + len, size - len, "k%d.d%d.example.net v%d\n",
			i, i % 97, i);
    for (i = 1; i <= n / 4; i++)
	len += snprintf(text + len, size - len, "*.w%d.example.com w%d\n",
			i, i);
    len += snprintf(text + len, size - len, "192.0.2.0/24 net\n");
    return (text);
}

START_TEST(index_finds_every_key_and_misses_near_misses)
{
    char   *dir = unit_tmpdir();
    char   *text = index_source(3000);
    char   *path = unit_build(dir, "access", text);
    LMDBACL_RULES *rules;
    LMDBACL *t = unit_open(path);
    char    q[100];
    char    want[20];
    int     i;

    ck_assert_ptr_nonnull(t->index.slots);
    ck_assert_uint_eq(t->index.entries, 3000 + 750);
    for (i = 1; i <= 3000; i++) {
	snprintf(q, sizeof(q), "k%d.d%d.example.net", i, i % 97);
	snprintf(want, sizeof(want), "v%d", i);
	UNIT_EXPECT(t, q, 0, want);
	/* Near misses: one character more, less, or different. */
	snprintf(q, sizeof(q), "k%d.d%d.example.ne", i, i % 97);
	UNIT_EXPECT(t, q, 0, 0);
	snprintf(q, sizeof(q), "k%d.d%d.example.nett", i, i % 97);
	UNIT_EXPECT(t, q, 0, 0);
	snprintf(q, sizeof(q), "k%d.d%d.example.net", i, (i + 1) % 97);
	UNIT_EXPECT(t, q, 0, 0);
	snprintf(q, sizeof(q), "j%d.d%d.example.net", i, i % 97);
	UNIT_EXPECT(t, q, 0, 0);
    }
    for (i = 1; i <= 750; i++) {
	snprintf(q, sizeof(q), "a.b.w%d.example.com", i);
	snprintf(want, sizeof(want), "w%d", i);
	UNIT_EXPECT(t, q, 0, want);
	/* *.p never matches p itself, and an exact probe is not a 'W'. */
	snprintf(q, sizeof(q), "w%d.example.com", i);
	UNIT_EXPECT(t, q, 1, 0);
	snprintf(q, sizeof(q), "a.w%d.example.co", i);
	UNIT_EXPECT(t, q, 0, 0);
    }
    UNIT_EXPECT(t, "192.0.2.7", 0, "net");
    lmdbacl_close(t);
    rules = load(path);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 3000 + 750 + 1);
    lmdbacl_rules_free(rules);
    free(text);
    free(path);
    free(dir);
}
END_TEST

START_TEST(format_1_table_is_answered_from_the_tree)
{
    static const unsigned char exact[] = {0, 0, 0, 3, 0, 0, 'O', 'K', 0};
    static const unsigned char wild[] = {0, 0, 0, 4, 0, 0, 'N', 'O', 0};
    char   *dir = unit_tmpdir();
    char   *path = unit_join(dir, "v1.lmdbacl");
    unsigned char meta[LMDBACL_META_SIZE];
    UNIT_KV kv[3] = {
	{"Ea.example", 10, exact, sizeof(exact)},
	{0, 0, 0, 0},
	{"Wexample.org", 12, wild, sizeof(wild)},
    };
    LMDBACL_RULES *rules;
    LMDBACL *t;

    meta_record(kv + 1, meta, sizeof(meta), 1);
    unit_make_sealed(path, kv, 3);
    t = unit_open(path);
    ck_assert_ptr_null(t->index.slots);
    UNIT_EXPECT(t, "a.example", 0, "OK");
    UNIT_EXPECT(t, "x.example.org", 0, "NO");
    UNIT_EXPECT(t, "b.example", 0, 0);
    lmdbacl_close(t);
    rules = load(path);
    ck_assert_uint_eq(lmdbacl_rules_count(rules), 2);
    lmdbacl_rules_free(rules);
    free(path);
    free(dir);
}
END_TEST

 /*
  * index_offset - where the index value starts in a table file.
  */
static off_t index_offset(const char *path, size_t *fsize)
{
    size_t  len;
    char   *data = unit_slurp(path, &len);
    static const char magic[8] = {'L', 'A', 'I', 'X', 0, 0, 0, 1};
    char   *hit = memmem(data, len, magic, sizeof(magic));
    off_t   off;

    ck_assert_ptr_nonnull(hit);
    off = hit - data;
    free(data);
    *fsize = len;
    return (off);
}

 /*
  * patch_and_reseal - write bytes at off, then a new trailer, so that
  * only the index checks stand between the damage and the reader.
  */
static void patch_and_reseal(const char *path, size_t fsize, off_t off,
			             const void *bytes, size_t n)
{
    LMDBACL_ERR err;
    int     fd;

    ck_assert_int_ge(fd = open(path, O_RDWR), 0);
    ck_assert_int_eq(pwrite(fd, bytes, n, off), (ssize_t) n);
    ck_assert_int_eq(ftruncate(fd, (off_t) fsize - LMDBACL_TRAILER_SIZE), 0);
    close(fd);
    ck_assert_int_eq(lmdbacl_store_seal(path, &err), LMDBACL_OK);
}

 /*
  * exercise - every lookup and a listing of a table that opened: any
  * answer will do, a crash or an out-of-bounds read will not.
  */
static void exercise(LMDBACL *t, int n)
{
    LMDBACL_RULES *rules = lmdbacl_rules_create();
    LMDBACL_MATCH m;
    LMDBACL_ERR err;
    char    q[100];
    int     i;
    int     rc;

    for (i = 1; i <= n; i++) {
	snprintf(q, sizeof(q), "k%d.d%d.example.net", i, i % 97);
	rc = lmdbacl_lookup(t, q, i & 1, &m);
	ck_assert(rc == LMDBACL_OK || rc == LMDBACL_NOTFOUND
		  || rc == LMDBACL_EFORMAT);
	if (rc == LMDBACL_OK)
	    ck_assert_ptr_nonnull(m.value);
	snprintf(q, sizeof(q), "x.w%d.example.com", i);
	rc = lmdbacl_lookup(t, q, i & 1, &m);
	ck_assert(rc == LMDBACL_OK || rc == LMDBACL_NOTFOUND
		  || rc == LMDBACL_EFORMAT);
    }
    rc = lmdbacl_load_rules(t, rules, &err);
    ck_assert(rc == LMDBACL_OK || rc == LMDBACL_EFORMAT);
    lmdbacl_rules_free(rules);
}

START_TEST(damaged_index_header_is_refused)
{
    char   *dir = unit_tmpdir();
    char   *text = index_source(40);
    char   *path = unit_build(dir, "access", text);
    char   *copy = unit_join(dir, "copy.lmdbacl");
    size_t  len;
    char   *orig = unit_slurp(path, &len);
    size_t  fsize;
    off_t   ix = index_offset(path, &fsize);
    static const struct {
	int     field;			/* byte offset in the header */
	unsigned char bytes[4];
    }       cases[] = {
	{0, {'X', 'A', 'I', 'X'}},		/* magic */
	{4, {0, 0, 0, 2}},			/* layout */
	{8, {0, 0, 0, 3}},			/* log2 too small */
	{8, {0, 0, 0, 32}},			/* log2 too large */
	{8, {0, 0, 0, 9}},			/* slots past the value */
	{12, {0, 0, 0x10, 0}},			/* more entries than slots / 2 */
	{20, {0, 0, 0, 0}},			/* records area size */
	{20, {0xff, 0xff, 0xff, 0xff}},
	{16, {0, 0, 0, 1}},			/* 4 GiB more records */
    };
    LMDBACL_ERR err;
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	unit_write(copy, orig, len);
	patch_and_reseal(copy, fsize, ix + cases[i].field, cases[i].bytes, 4);
	ck_assert_msg(lmdbacl_open(copy, &err) == 0, "case %zu accepted", i);
	ck_assert_int_eq(err.code, LMDBACL_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "index"));
    }
    free(orig);
    free(text);
    free(copy);
    free(path);
    free(dir);
}
END_TEST

START_TEST(damaged_index_slots_and_entries_give_eformat_not_a_crash)
{
    char   *dir = unit_tmpdir();
    char   *text = index_source(40);
    char   *path = unit_build(dir, "access", text);
    char   *copy = unit_join(dir, "copy.lmdbacl");
    size_t  len;
    char   *orig = unit_slurp(path, &len);
    size_t  fsize;
    off_t   ix = index_offset(path, &fsize);
    LMDBACL_INDEX index;
    LMDBACL_RULES *rules;
    LMDBACL_MATCH m;
    LMDBACL_ERR err;
    LMDBACL *t;
    unsigned char *full;
    size_t  slots_size;
    size_t  i;
    int     found;
    static const unsigned char far[4] = {0xff, 0xff, 0xff, 0xf0};
    static const unsigned char klen[2] = {0xff, 0xff};
    static const unsigned char vlen[4] = {0x7f, 0xff, 0xff, 0xff};

    t = unit_open(path);
    index = t->index;
    slots_size = (size_t) 8 << index.log2;
    lmdbacl_close(t);

    /*
     * The header check on its own: the value must be exactly header,
     * slots and records area.
     */
    i = LMDBACL_INDEX_HDR + slots_size + index.recs_size;
    ck_assert_int_eq(lmdbacl_index_check((unsigned char *) orig + ix, i,
					 &index), LMDBACL_OK);
    ck_assert_int_eq(lmdbacl_index_check((unsigned char *) orig + ix, i - 1,
					 &index), LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_index_check((unsigned char *) orig + ix, i + 1,
					 &index), LMDBACL_EFORMAT);
    ck_assert_int_eq(lmdbacl_index_check((unsigned char *) orig + ix,
					 LMDBACL_INDEX_HDR - 1, &index),
		     LMDBACL_EFORMAT);

    /*
     * Every slot offset pointing past the records area: every exact
     * probe that passes the filter fails its checks.
     */
    unit_write(copy, orig, len);
    for (i = 0; i < slots_size / 8; i++) {
	if (memcmp(orig + ix + LMDBACL_INDEX_HDR + 8 * i, "\0\0\0\0", 4) != 0)
	    patch_and_reseal(copy, fsize, ix + LMDBACL_INDEX_HDR + 8 * i + 4,
			     far, 4);
    }
    t = unit_open(copy);
    ck_assert_int_eq(lmdbacl_lookup(t, "k1.d1.example.net", 0, &m),
		     LMDBACL_EFORMAT);
    exercise(t, 40);
    lmdbacl_close(t);

    /*
     * The first entry's key and value lengths past the end: its probe
     * and the listing fail their checks.
     */
    unit_write(copy, orig, len);
    patch_and_reseal(copy, fsize, ix + LMDBACL_INDEX_HDR + slots_size,
		     klen, 2);
    t = unit_open(copy);
    rules = lmdbacl_rules_create();
    ck_assert_int_eq(lmdbacl_load_rules(t, rules, &err), LMDBACL_EFORMAT);
    lmdbacl_rules_free(rules);
    exercise(t, 40);
    lmdbacl_close(t);
    unit_write(copy, orig, len);
    patch_and_reseal(copy, fsize, ix + LMDBACL_INDEX_HDR + slots_size + 2,
		     vlen, 4);
    t = unit_open(copy);
    ck_assert_int_eq(lmdbacl_lookup(t, "k1.d1.example.net", 0, &m),
		     LMDBACL_EFORMAT);
    exercise(t, 40);
    lmdbacl_close(t);

    /*
     * No empty slot at all: a probe still ends.
     */
    unit_write(copy, orig, len);
    full = malloc(slots_size);
    ck_assert_ptr_nonnull(full);
    memset(full, 0x5a, slots_size);
    patch_and_reseal(copy, fsize, ix + LMDBACL_INDEX_HDR, full, slots_size);
    free(full);
    t = unit_open(copy);
    found = lmdbacl_lookup(t, "k1.d1.example.net", 0, &m);
    ck_assert(found == LMDBACL_NOTFOUND || found == LMDBACL_EFORMAT);
    exercise(t, 40);
    lmdbacl_close(t);

    free(orig);
    free(text);
    free(copy);
    free(path);
    free(dir);
}
END_TEST

START_TEST(byte_flip_in_index_is_refused_or_answered_never_a_crash)
{
    char   *dir = unit_tmpdir();
    char   *text = index_source(20);
    char   *path = unit_build(dir, "access", text);
    char   *copy = unit_join(dir, "copy.lmdbacl");
    size_t  len;
    char   *orig = unit_slurp(path, &len);
    size_t  fsize;
    off_t   ix = index_offset(path, &fsize);
    size_t  end;
    off_t   off;
    LMDBACL_ERR err;
    LMDBACL *t;
    unsigned char c;
    LMDBACL_INDEX index;

    t = unit_open(path);
    index = t->index;
    end = (size_t) (index.recs - index.slots) + LMDBACL_INDEX_HDR
	+ index.recs_size;
    lmdbacl_close(t);
    for (off = ix; off < ix + (off_t) end; off += 3) {
	unit_write(copy, orig, len);
	c = orig[off] ^ (off & 1 ? 0x80 : 0x01);
	patch_and_reseal(copy, fsize, off, &c, 1);
	if ((t = lmdbacl_open(copy, &err)) == 0) {
	    ck_assert_int_eq(err.code, LMDBACL_EFORMAT);
	    continue;
	}
	exercise(t, 20);
	lmdbacl_close(t);
    }
    free(orig);
    free(text);
    free(copy);
    free(path);
    free(dir);
}
END_TEST

static Suite *store_suite(void)
{
    Suite  *s = suite_create("lmdbacl_store");

    UNIT_ADD(s, path_is_name_with_lmdbacl_suffix);
    UNIT_ADD(s, build_then_open_answers);
    UNIT_ADD(s, empty_rule_set_gives_a_table_that_finds_nothing);
    UNIT_ADD(s, stats_count_rules_and_ranges);
    UNIT_ADD(s, fd_and_mtime_describe_the_opened_file);
    UNIT_ADD(s, open_creates_no_lock_file);
    UNIT_ADD(s, table_file_is_not_group_or_world_writable);
    UNIT_ADD(s, readable_table_opens_without_write_permission);
    UNIT_ADD(s, same_input_gives_byte_identical_file);
    UNIT_ADD(s, rebuild_of_same_input_gives_byte_identical_file);
    UNIT_ADD(s, large_build_is_reproducible);
    UNIT_ADD(s, rebuilt_table_replaces_old_one_atomically);
    UNIT_ADD(s, no_new_file_left_after_successful_commit);
    UNIT_ADD(s, stale_new_file_is_removed_by_next_build);
    UNIT_ADD(s, failed_first_build_leaves_no_file);
    UNIT_ADD(s, failed_first_commit_leaves_no_file);
    UNIT_ADD(s, failed_rebuild_leaves_previous_table_serving);
    UNIT_ADD(s, abort_changes_nothing);
    UNIT_ADD(s, built_snapshot_waits_for_commit);
    UNIT_ADD(s, built_snapshot_is_dropped_by_abort);
    UNIT_ADD(s, large_build_on_two_threads_finds_every_key);
    UNIT_ADD(s, placeholder_of_first_build_reads_as_unavailable);
    UNIT_ADD(s, writer_in_missing_directory_is_system_error_naming_file);
    UNIT_ADD(s, missing_table_is_unavailable);
    UNIT_ADD(s, empty_table_file_is_unavailable);
    UNIT_ADD(s, truncated_table_is_refused);
    UNIT_ADD(s, small_table_truncated_anywhere_is_refused);
    UNIT_ADD(s, garbage_file_is_refused);
    UNIT_ADD(s, lmdb_file_that_is_not_lmdbacl_is_refused);
    UNIT_ADD(s, newer_format_is_refused_with_message_saying_so);
    UNIT_ADD(s, current_format_header_is_accepted);
    UNIT_ADD(s, format_zero_or_short_header_is_refused);
    UNIT_ADD(s, load_rules_round_trips_every_kind);
    UNIT_ADD(s, load_rules_round_trips_longest_keys);
    UNIT_ADD(s, load_rules_adds_to_what_is_there);
    UNIT_ADD(s, update_keeps_existing_rules);
    UNIT_ADD(s, update_replaces_and_deletes);
    UNIT_ADD(s, update_of_missing_table_creates_it);
    UNIT_ADD(s, one_network_written_twice_keeps_lower_line);
    UNIT_ADD(s, writer_lock_serialises_writers);
    UNIT_ADD(s, bit_flip_anywhere_is_refused_not_crashed);
    UNIT_ADD(s, checksum_mismatch_message_says_damaged);
    UNIT_ADD(s, index_finds_every_key_and_misses_near_misses);
    UNIT_ADD(s, format_1_table_is_answered_from_the_tree);
    UNIT_ADD(s, damaged_index_header_is_refused);
    UNIT_ADD(s, damaged_index_slots_and_entries_give_eformat_not_a_crash);
    UNIT_ADD(s, byte_flip_in_index_is_refused_or_answered_never_a_crash);
    return (s);
}

int     main(void)
{
    return (unit_run(store_suite()));
}
