#ifndef _UNIT_H_INCLUDED_
#define _UNIT_H_INCLUDED_

/*++
/* NAME
/*	unit 3h
/* SUMMARY
/*	helpers shared by the Check suites of the lmdbacl engine
/* SYNOPSIS
/*	#include "unit.h"
/*
/*	char	*unit_tmpdir(void)
/*
/*	char	*unit_join(dir, name)
/*
/*	void	unit_write(path, data, len)
/*	void	unit_write_text(path, text)
/*	char	*unit_slurp(path, len)
/*	int	unit_exists(path)
/*
/*	void	unit_diag(diags, severity, file, line, msg)
/*
/*	const LMDBACL_RULE *unit_find(rules, kind, key)
/*
/*	int	unit_read_source(dir, text, strict, rules, diags, err)
/*
/*	char	*unit_build(dir, name, text)
/*	int	unit_try_build(dir, name, text, diags, err)
/*	int	unit_commit_rules(path, rules, diags, err)
/*
/*	LMDBACL	*unit_table(text)
/*	LMDBACL	*unit_open(path)
/*
/*	const char *unit_lookup(table, query, parent_style)
/*	int	unit_lookup_match(table, query, parent_style, match)
/*
/*	UNIT_EXPECT(table, query, parent_style, value)
/*
/*	void	unit_make_lmdb(path, kv, n)
/*
/*	int	unit_run(suite)
/*
/*	UNIT_ADD(suite, test)
/* DESCRIPTION
/*	Every suite is one program with its own scratch directory under
/*	${TMPDIR:-/tmp}, made by unit_run() before the tests run and
/*	removed, with everything in it, after they have run. Each test
/*	makes its own subdirectory with unit_tmpdir(), so that tests are
/*	independent of each other in fork and in no-fork mode alike.
/*
/*	unit_diag() is an LMDBACL_DIAG_FN that counts and records the
/*	diagnostics of a read or a build in a UNIT_DIAGS.
/*
/*	unit_find() returns the live rule of that kind and key, or null.
/*
/*	unit_read_source() writes text to a source file in dir and reads
/*	it with lmdbacl_source_read(), collecting every diagnostic in
/*	diags.
/*
/*	unit_build() compiles text into the table DIR/NAME.lmdbacl the way
/*	the command does it (lmdbacl_source_read(), then
/*	lmdbacl_writer_begin() and lmdbacl_writer_commit()), fails the
/*	test when anything goes wrong, and returns the table path.
/*	unit_try_build() is the same without the assertions.
/*
/*	unit_table() builds text in a fresh directory and opens it.
/*
/*	unit_lookup() folds a copy of the query (as the plugin does) and
/*	returns the value, or a null pointer when nothing matched; any
/*	other result fails the test.
/*
/*	UNIT_EXPECT() fails the test unless the query gives value (a null
/*	value: unless nothing matches), and names the query when it fails.
/*
/*	unit_make_lmdb() writes a plain LMDB file with the given records,
/*	for tables that lmdbacl did not write.
/*
/*	UNIT_ADD() adds a test in a test case of its own name.
/*
/*	unit_run() runs a suite with srunner, verbosity from CK_VERBOSITY,
/*	and returns the exit status for main().
/*
/*	Everything here is static: each suite is one translation unit.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library. nftw() is an X/Open interface.
  */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/stat.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

 /*
  * Check.
  */
#include <check.h>

 /*
  * LMDB, to make foreign and hand-crafted table files.
  */
#include <lmdb.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

#define UNIT_FN static __attribute__((unused))

 /*
  * One Check test case per behaviour, named after it, so that a failure
  * report says which promise broke.
  */
#define UNIT_ADD(suite, fn) do { \
	TCase *_tc = tcase_create(#fn); \
	tcase_add_test(_tc, fn); \
	suite_add_tcase((suite), _tc); \
    } while (0)

 /*
  * The per-program scratch directory.
  */
static char unit_base[PATH_MAX];

 /*
  * Diagnostics collected from the source reader and the store.
  */
#define UNIT_DIAG_MAX	32

typedef struct UNIT_DIAG {
    int     severity;
    char    file[1024];			/* empty when null */
    unsigned line;
    char    msg[2 * LMDBACL_ERR_SIZE + LMDBACL_KEY_MAX];
} UNIT_DIAG;

typedef struct UNIT_DIAGS {
    int     count;			/* all diagnostics, also past MAX */
    int     errors;
    int     warnings;
    UNIT_DIAG d[UNIT_DIAG_MAX];
} UNIT_DIAGS;

/* unit_diag - LMDBACL_DIAG_FN that records into a UNIT_DIAGS */

UNIT_FN void unit_diag(void *ctx, int severity, const char *file,
		               unsigned line, const char *msg)
{
    UNIT_DIAGS *ds = ctx;
    UNIT_DIAG *d;

    if (ds == 0)
	return;
    if (severity == LMDBACL_DIAG_ERROR)
	ds->errors++;
    else
	ds->warnings++;
    if (ds->count < UNIT_DIAG_MAX) {
	d = ds->d + ds->count;
	d->severity = severity;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
    }
    ds->count++;
}

/* unit_tmpdir - a fresh directory for one test */

UNIT_FN char *unit_tmpdir(void)
{
    char   *dir;

    ck_assert_msg(unit_base[0] != 0, "unit_run() made no scratch directory");
    dir = malloc(strlen(unit_base) + sizeof("/t.XXXXXX"));
    ck_assert_ptr_nonnull(dir);
    sprintf(dir, "%s/t.XXXXXX", unit_base);
    ck_assert_msg(mkdtemp(dir) != 0, "mkdtemp %s: %s", dir, strerror(errno));
    return (dir);
}

/* unit_join - dir/name, caller frees */

UNIT_FN char *unit_join(const char *dir, const char *name)
{
    char   *path = malloc(strlen(dir) + strlen(name) + 2);

    ck_assert_ptr_nonnull(path);
    sprintf(path, "%s/%s", dir, name);
    return (path);
}

/* unit_write - create or replace a file with exactly these bytes */

UNIT_FN void unit_write(const char *path, const void *data, size_t len)
{
    FILE   *fp = fopen(path, "w");

    ck_assert_msg(fp != 0, "fopen %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

UNIT_FN void unit_write_text(const char *path, const char *text)
{
    unit_write(path, text, strlen(text));
}

/* unit_slurp - a whole file into memory, caller frees */

UNIT_FN char *unit_slurp(const char *path, size_t *len)
{
    FILE   *fp = fopen(path, "r");
    char   *data;
    long    size;

    ck_assert_msg(fp != 0, "fopen %s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    ck_assert_int_ge(size, 0);
    rewind(fp);
    data = malloc(size + 1);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(fread(data, 1, size, fp), (size_t) size);
    data[size] = 0;
    fclose(fp);
    *len = (size_t) size;
    return (data);
}

/* unit_exists - does path name anything? */

UNIT_FN int unit_exists(const char *path)
{
    struct stat st;

    return (lstat(path, &st) == 0);
}

/* unit_find - the live rule (kind, key) of a rule set, or null */

typedef struct UNIT_FIND {
    int     kind;
    const char *key;
    const LMDBACL_RULE *found;
    int     matches;
} UNIT_FIND;

static int unit_find_fn(void *ctx, const LMDBACL_RULE *rule)
{
    UNIT_FIND *f = ctx;

    if (rule->kind == f->kind && strcmp(rule->key, f->key) == 0) {
	f->found = rule;
	f->matches++;
    }
    return (0);
}

UNIT_FN const LMDBACL_RULE *unit_find(LMDBACL_RULES *rules, int kind,
				              const char *key)
{
    UNIT_FIND f;

    memset(&f, 0, sizeof(f));
    f.kind = kind;
    f.key = key;
    ck_assert_int_eq(lmdbacl_rules_walk(rules, unit_find_fn, &f), 0);
    ck_assert_int_le(f.matches, 1);
    return (f.found);
}

/* unit_read_source - write text as dir/source and read it into rules */

UNIT_FN int unit_read_source(const char *dir, const char *text, int strict,
			             LMDBACL_RULES *rules, UNIT_DIAGS *diags,
			             LMDBACL_ERR *err)
{
    LMDBACL_SOURCE_OPTS opts;
    char   *src = unit_join(dir, "source");
    int     status;

    unit_write_text(src, text);
    memset(&opts, 0, sizeof(opts));
    opts.strict = strict;
    opts.diag = unit_diag;
    opts.diag_ctx = diags;
    status = lmdbacl_source_read(src, rules, &opts, err);
    free(src);
    return (status);
}

/* unit_commit_rules - write rules as the table at path */

UNIT_FN int unit_commit_rules(const char *path, LMDBACL_RULES *rules,
			              UNIT_DIAGS *diags, LMDBACL_ERR *err)
{
    LMDBACL_WRITER *w;
    LMDBACL_RULES *fresh = 0;
    int     status;

    if ((w = lmdbacl_writer_begin(path, 0, &fresh, err)) == 0)
	return (err->code);
    lmdbacl_rules_free(fresh);
    status = lmdbacl_writer_commit(w, rules, unit_diag, diags, err);
    return (status);
}

/* unit_try_build - compile text into DIR/NAME.lmdbacl, no assertions */

UNIT_FN int unit_try_build(const char *dir, const char *name,
			           const char *text, UNIT_DIAGS *diags,
			           LMDBACL_ERR *err)
{
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_WRITER *w;
    LMDBACL_RULES *rules = 0;
    char   *src = unit_join(dir, name);
    char   *path = lmdbacl_path(src);
    int     status;

    ck_assert_ptr_nonnull(path);
    unit_write_text(src, text);
    memset(&opts, 0, sizeof(opts));
    opts.diag = unit_diag;
    opts.diag_ctx = diags;
    if ((w = lmdbacl_writer_begin(path, 0, &rules, err)) == 0) {
	status = err->code;
    } else if ((status = lmdbacl_source_read(src, rules, &opts, err))
	       != LMDBACL_OK) {
	lmdbacl_writer_abort(w);
    } else {
	status = lmdbacl_writer_commit(w, rules, unit_diag, diags, err);
    }
    lmdbacl_rules_free(rules);
    free(src);
    free(path);
    return (status);
}

/* unit_build - compile text into DIR/NAME.lmdbacl or fail the test */

UNIT_FN char *unit_build(const char *dir, const char *name, const char *text)
{
    UNIT_DIAGS diags;
    LMDBACL_ERR err;
    char   *src = unit_join(dir, name);
    char   *path = lmdbacl_path(src);
    int     status;

    memset(&diags, 0, sizeof(diags));
    memset(&err, 0, sizeof(err));
    status = unit_try_build(dir, name, text, &diags, &err);
    ck_assert_msg(status == LMDBACL_OK, "build %s: status %d: %s (first"
		  " diagnostic: line %u: %s)", path, status, err.msg,
		  diags.count ? diags.d[0].line : 0,
		  diags.count ? diags.d[0].msg : "none");
    ck_assert_msg(diags.errors == 0, "build %s: %d errors", path,
		  diags.errors);
    free(src);
    return (path);
}

/* unit_open - open a table or fail the test */

UNIT_FN LMDBACL *unit_open(const char *path)
{
    LMDBACL_ERR err;
    LMDBACL *t;

    memset(&err, 0, sizeof(err));
    t = lmdbacl_open(path, &err);
    ck_assert_msg(t != 0, "open %s: %s", path, err.msg);
    return (t);
}

/* unit_table - build text in a fresh directory and open it */

UNIT_FN LMDBACL *unit_table(const char *text)
{
    char   *dir = unit_tmpdir();
    char   *path = unit_build(dir, "access", text);
    LMDBACL *t = unit_open(path);

    free(path);
    free(dir);
    return (t);
}

/* unit_lookup_match - fold a copy of the query, look it up */

UNIT_FN int unit_lookup_match(LMDBACL *t, const char *query, int parent_style,
			              LMDBACL_MATCH *m)
{
    char    folded[2 * LMDBACL_KEY_MAX];
    int     status;

    ck_assert_uint_lt(strlen(query), sizeof(folded));
    strcpy(folded, query);
    lmdbacl_fold(folded);
    status = lmdbacl_lookup(t, folded, parent_style, m);
    ck_assert_msg(status == LMDBACL_OK || status == LMDBACL_NOTFOUND,
		  "lookup \"%s\": status %d", query, status);
    return (status);
}

/* unit_lookup - the value, or null when nothing matched */

UNIT_FN const char *unit_lookup(LMDBACL *t, const char *query,
				        int parent_style)
{
    LMDBACL_MATCH m;

    if (unit_lookup_match(t, query, parent_style, &m) == LMDBACL_NOTFOUND)
	return (0);
    ck_assert_ptr_nonnull(m.value);
    return (m.value);
}

/* UNIT_EXPECT - one lookup and its answer (null: nothing matches) */

#define UNIT_EXPECT(t, query, parent_style, want) do { \
	const char *_q = (query); \
	const char *_want = (want); \
	const char *_got = unit_lookup((t), _q, (parent_style)); \
	ck_assert_msg(_want ? _got != 0 && strcmp(_got, _want) == 0 \
		      : _got == 0, \
		      "lookup \"%s\" (parent_style %d): got %s, want %s", \
		      _q, (parent_style), _got ? _got : "not found", \
		      _want ? _want : "not found"); \
    } while (0)

 /*
  * unit_make_lmdb - a plain LMDB file (no subdirectory, no lock file)
  * holding exactly these records: foreign and hand-crafted tables.
  */
typedef struct UNIT_KV {
    const void *key;
    size_t  klen;
    const void *val;
    size_t  vlen;
} UNIT_KV;

UNIT_FN void unit_make_lmdb(const char *path, const UNIT_KV *kv, size_t n)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_val k;
    MDB_val v;
    size_t  i;

    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_mapsize(env, 1 << 20), 0);
    ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0644),
		     0);
    ck_assert_int_eq(mdb_txn_begin(env, 0, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, 0, 0, &dbi), 0);
    for (i = 0; i < n; i++) {
	k.mv_data = (void *) kv[i].key;
	k.mv_size = kv[i].klen;
	v.mv_data = (void *) kv[i].val;
	v.mv_size = kv[i].vlen;
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    }
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* unit_make_sealed - the same, with the lmdbacl trailer a build appends */

UNIT_FN void unit_make_sealed(const char *path, const UNIT_KV *kv, size_t n)
{
    LMDBACL_ERR err;

    unit_make_lmdb(path, kv, n);
    ck_assert_int_eq(lmdbacl_store_seal(path, &err), LMDBACL_OK);
}

/* unit_rm - nftw callback for unit_run's cleanup */

static int unit_rm(const char *path, const struct stat *st, int flag,
		           struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    return (remove(path) < 0 ? -1 : 0);
}

/* unit_run - run one suite, clean up, exit status for main() */

UNIT_FN int unit_run(Suite *s)
{
    SRunner *sr;
    const char *tmp = getenv("TMPDIR");
    int     failed;

    if (tmp == 0 || *tmp == 0)
	tmp = "/tmp";
    snprintf(unit_base, sizeof(unit_base), "%s/lmdbacl-unit.XXXXXX", tmp);
    if (mkdtemp(unit_base) == 0) {
	fprintf(stderr, "mkdtemp %s: %s\n", unit_base, strerror(errno));
	return (99);
    }
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (nftw(unit_base, unit_rm, 16, FTW_DEPTH | FTW_PHYS) < 0)
	fprintf(stderr, "cannot remove %s: %s\n", unit_base, strerror(errno));
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}

#endif
