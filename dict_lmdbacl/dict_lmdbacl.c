/*++
/* NAME
/*	dict_lmdbacl 3
/* SUMMARY
/*	Postfix dictionary interface for lmdbacl access tables
/* SYNOPSIS
/*	#include <dict.h>
/*	#include <mkmap.h>
/*
/*	DICT	*dict_lmdbacl_open(name, open_flags, dict_flags)
/*	const char *name;
/*	int	open_flags;
/*	int	dict_flags;
/*
/*	MKMAP	*mkmap_lmdbacl_open(path)
/*	const char *path;
/* DESCRIPTION
/*	This is the only file of lmdbacl that includes Postfix headers. It
/*	is built into postfix-lmdbacl.so and registered with the line
/*
/*	    lmdbacl postfix-lmdbacl.so dict_lmdbacl_open mkmap_lmdbacl_open
/*
/*	in dynamicmaps.cf.d/lmdbacl. Its symbols (msg_warn, dict_alloc,
/*	...) resolve inside the host program (smtpd, postmap, ...).
/*
/*	dict_lmdbacl_open() opens the table file NAME.lmdbacl. Read-only
/*	opens serve lookups from one read transaction, with no lock and no
/*	system call per lookup. The table declares DICT_FLAG_FIXED, so that
/*	smtpd keeps sending its partial keys (parent domains, user@,
/*	truncated addresses); the first query already gets the answer that
/*	smtpd's whole iteration over a hash: table would reach, with
/*	wildcards and networks at their specificity. The parent-domain
/*	style is that of smtpd_access_maps in parent_domain_matches_subdomains.
/*	stat_fd and mtime are set, so daemons notice a replaced table.
/*
/*	Opens for writing (postmap -i, postmap -d, and the bulk build that
/*	mkmap_lmdbacl_open() sets up for "postmap lmdbacl:FILE") take the
/*	writer lock, collect the changes in memory, and write one new
/*	snapshot when the table is closed, through the same engine code as
/*	"lmdbacl compile". For a source of 1 MB or more, "postmap
/*	lmdbacl:FILE" reads FILE and writes the new file on a thread that
/*	open starts, while postmap reads FILE for itself; close waits for
/*	it, reports its diagnostics, and only then renames the new file
/*	into place or removes it.
/* DIAGNOSTICS
/*	A missing, empty, truncated or foreign table file, or a plugin
/*	built for another Postfix version, gives a surrogate table: Postfix
/*	logs the reason at open (fatal in postmap, an error in daemons) and
/*	a warning at each lookup, which fails with DICT_ERR_RETRY: smtpd
/*	answers 451 4.3.5, never "not found". The surrogate stays until the
/*	daemon exits ("postfix reload" after creating a missing table). A bad key or a failed write
/*	during a build is fatal after the keys are reported, and leaves the
/*	previous table serving.
/* SEE ALSO
/*	lmdbacl_table(5), lmdbacl(1), dict(3), mkmap(3)
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <sys_defs.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

 /*
  * Utility library.
  */
#include <msg.h>
#include <mymalloc.h>
#include <stringops.h>
#include <vstring.h>
#include <dict.h>

 /*
  * Global library.
  */
#include <mail_params.h>
#include <mail_version.h>
#include <match_parent_style.h>
#include <mkmap.h>

 /*
  * Application-specific.
  */
#include "dict_lmdbacl.h"
#include "lmdbacl.h"

typedef struct BULK_JOB BULK_JOB;

typedef struct DICT_LMDBACL {
    DICT    dict;			/* generic members */
    LMDBACL *table;			/* read-only opens */
    int     parent_style;
    LMDBACL_WRITER *writer;		/* opens for writing */
    LMDBACL_RULES *rules;		/* pending snapshot */
    int     bad_keys;
    int     changes;			/* updates and deletes that did something */
    int     bulk;			/* postmap lmdbacl:FILE */
    BULK_JOB *job;			/* bulk: the build on its own thread */
    int     utf8;			/* we do dict_utf8's checks */
    LMDBACL_RULES *seq_rules;		/* sequence state */
    const LMDBACL_RULE **seq;
    size_t  seq_len;
    size_t  seq_pos;
    VSTRING *seq_key;
} DICT_LMDBACL;

/* fold_key - honour DICT_FLAG_FOLD_FIX; say if the name is not ASCII */

static const char *fold_key(DICT *dict, const char *name, int *non_ascii)
{
    const unsigned char *cp;
    size_t  len;
    int     upper = 0;
    int     high = 0;

    /*
     * With UTF-8 active (smtputf8_enable = yes) the plugin does
     * dict_utf8(3)'s work (see dict_lmdbacl_open()). Most queries
     * (addresses, names smtpd lower-cased) have nothing to fold: one scan
     * finds out, and the copy is skipped. Non-ASCII bytes are left to the
     * engine, which folds them in full.
     */
    len = strlen(name);
    for (cp = (const unsigned char *) name; len >= 8; cp += 8, len -= 8) {
	uint64_t w;
	uint64_t low;

	/*
	 * Eight bytes at a time: a byte's top bit says non-ASCII; for the
	 * others, adding 0x80 - 'A' sets it from 'A' up, adding 0x7f - 'Z'
	 * from past 'Z' on.
	 */
	memcpy(&w, cp, 8);
	low = w & 0x7f7f7f7f7f7f7f7fULL;
	high |= (w & 0x8080808080808080ULL) != 0;
	upper |= ((low + 0x3f3f3f3f3f3f3f3fULL) & ~(low + 0x2525252525252525ULL)
		  & ~w & 0x8080808080808080ULL) != 0;
    }
    for (; len > 0; cp++, len--) {
	if (*cp >= 0x80)
	    high = 1;
	else if (*cp >= 'A' && *cp <= 'Z')
	    upper = 1;
    }
    *non_ascii = high;
    if (!upper || (dict->flags & DICT_FLAG_FOLD_FIX) == 0)
	return (name);
    if (dict->fold_buf == 0)
	dict->fold_buf = vstring_alloc(10);
    vstring_strcpy(dict->fold_buf, name);
    return (lowercase(vstring_str(dict->fold_buf)));
}

/* bad_utf8 - dict_utf8(3)'s test, where Postfix would have applied it */

static int bad_utf8(DICT *dict, const char *text, int non_ascii)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;

    return (dl->utf8 && non_ascii && !valid_utf8_string(text, strlen(text)));
}

#define UTF8_ERR "malformed UTF-8 or invalid codepoint"

/* bad_utf8_key - dict_utf8(3)'s test of a key, and its warning */

static int bad_utf8_key(DICT *dict, const char *name, int non_ascii)
{
    if (!bad_utf8(dict, name, non_ascii))
	return (0);
    msg_warn("%s:%s: non-UTF-8 key \"%s\": %s",
	     dict->type, dict->name, name, UTF8_ERR);
    return (1);
}

/* dict_lmdbacl_lookup - answer one query */

static const char *dict_lmdbacl_lookup(DICT *dict, const char *name)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_MATCH m;
    const char *key;
    int     non_ascii;
    int     rc;

    dict->error = DICT_ERR_NONE;
    if (dl->table == 0)
	return (0);
    key = fold_key(dict, name, &non_ascii);
    if (bad_utf8_key(dict, name, non_ascii))
	return (0);
    rc = lmdbacl_lookup(dl->table, key, dl->parent_style, &m);
    if (rc == LMDBACL_OK) {
	if (bad_utf8(dict, m.value, !allascii(m.value))) {
	    /* dict_utf8 names the key as the caller wrote it. */
	    msg_warn("%s:%s: key \"%s\": non-UTF-8 value \"%s\": %s",
		     dict->type, dict->name, name, m.value, UTF8_ERR);
	    DICT_ERR_VAL_RETURN(dict, DICT_ERR_CONFIG, 0);
	}
	return (m.value);
    }
    if (rc == LMDBACL_NOTFOUND)
	return (0);
    msg_warn("%s:%s: damaged table file: lookup of \"%s\" failed;"
	     " rebuild it with \"lmdbacl compile\" or \"postmap %s:%s\"",
	     dict->type, dict->name, name, dict->type, dict->name);
    DICT_ERR_VAL_RETURN(dict, DICT_ERR_RETRY, 0);
}

/* dict_lmdbacl_update - queue one entry for the new snapshot */

static int dict_lmdbacl_update(DICT *dict, const char *name, const char *value)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    unsigned first;
    const char *folded;
    int     non_ascii;
    int     rc;

    dict->error = DICT_ERR_NONE;

    /*
     * "postmap lmdbacl:FILE": close() reads FILE with the engine's own
     * reader, exactly as lmdbacl compile does; the entries postmap passes
     * here would only be read twice.
     */
    if (dl->bulk)
	return (DICT_STAT_SUCCESS);
    folded = fold_key(dict, name, &non_ascii);
    if (bad_utf8_key(dict, name, non_ascii))
	return (DICT_STAT_SUCCESS);
    if (bad_utf8(dict, value, !allascii(value))) {
	msg_warn("%s:%s: key \"%s\": non-UTF-8 value \"%s\": %s",
		 dict->type, dict->name, name, value, UTF8_ERR);
	return (DICT_STAT_SUCCESS);
    }
    name = folded;
    if (lmdbacl_key_parse(name, &key, why, sizeof(why)) != LMDBACL_OK) {
	msg_warn("%s:%s: %s", dict->type, dict->name, why);
	dl->bad_keys++;
	return (DICT_STAT_FAIL);
    }
    if (*value == 0) {
	msg_warn("%s:%s: empty value for \"%s\"", dict->type, dict->name, name);
	dl->bad_keys++;
	return (DICT_STAT_FAIL);
    }
    rc = lmdbacl_rules_add(dl->rules, &key, value, 0,
			   (dict->flags & DICT_FLAG_DUP_REPLACE) ?
			   LMDBACL_ADD_REPLACE : LMDBACL_ADD_KEEP, &first);
    if (rc < 0)
	msg_fatal("%s:%s: out of memory", dict->type, dict->name);
    if (rc == LMDBACL_DUP && (dict->flags & DICT_FLAG_DUP_REPLACE)) {
	dl->changes++;				/* the new value replaced the old */
	return (DICT_STAT_SUCCESS);
    }
    if (rc == LMDBACL_DUP) {
	if (dict->flags & DICT_FLAG_DUP_IGNORE)
	     /* void */ ;
	else if (dict->flags & DICT_FLAG_DUP_WARN)
	    msg_warn("%s:%s: duplicate entry: \"%s\"",
		     dict->type, dict->name, name);
	else
	    msg_fatal("%s:%s: duplicate entry: \"%s\"",
		      dict->type, dict->name, name);
	return (DICT_STAT_FAIL);
    }
    dl->changes++;
    return (DICT_STAT_SUCCESS);
}

/* dict_lmdbacl_delete - remove one entry from the new snapshot */

static int dict_lmdbacl_delete(DICT *dict, const char *name)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    const char *folded;
    int     non_ascii;

    dict->error = DICT_ERR_NONE;
    folded = fold_key(dict, name, &non_ascii);
    if (bad_utf8_key(dict, name, non_ascii))
	return (DICT_STAT_SUCCESS);
    name = folded;
    if (lmdbacl_key_parse(name, &key, why, sizeof(why)) != LMDBACL_OK)
	return (DICT_STAT_FAIL);
    if (lmdbacl_rules_delete(dl->rules, &key) != LMDBACL_OK)
	return (DICT_STAT_FAIL);
    dl->changes++;
    return (DICT_STAT_SUCCESS);
}

/* dict_lmdbacl_sequence - every rule, as the source would write it */

static int dict_lmdbacl_sequence(DICT *dict, int function,
				         const char **key, const char **value)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_ERR err;
    const LMDBACL_RULE *r;

    dict->error = DICT_ERR_NONE;
    if (function == DICT_SEQ_FUN_FIRST) {
	if (dl->seq)
	    free((void *) dl->seq);
	dl->seq = 0;
	if (dl->seq_rules == 0 && dl->rules == 0) {
	    if ((dl->seq_rules = lmdbacl_rules_create()) == 0)
		msg_fatal("%s:%s: out of memory", dict->type, dict->name);
	    if (lmdbacl_load_rules(dl->table, dl->seq_rules, &err) != 0) {
		msg_warn("%s", err.msg);
		DICT_ERR_VAL_RETURN(dict, DICT_ERR_RETRY, DICT_STAT_ERROR);
	    }
	}
	dl->seq = lmdbacl_rules_sorted(dl->rules ? dl->rules : dl->seq_rules,
				       &dl->seq_len);
	if (dl->seq == 0)
	    msg_fatal("%s:%s: out of memory", dict->type, dict->name);
	dl->seq_pos = 0;
    } else if (function != DICT_SEQ_FUN_NEXT) {
	msg_panic("%s:%s: invalid sequence function %d",
		  dict->type, dict->name, function);
    }
    if (dl->seq == 0 || dl->seq_pos >= dl->seq_len)
	return (DICT_STAT_FAIL);
    r = dl->seq[dl->seq_pos++];
    if (dl->seq_key == 0)
	dl->seq_key = vstring_alloc(100);
    vstring_sprintf(dl->seq_key, "%s%s", r->kind == LMDBACL_KIND_WILD ?
		    "*." : "", r->key);
    *key = vstring_str(dl->seq_key);
    *value = r->value;
    return (DICT_STAT_SUCCESS);
}

/* plugin_diag - engine diagnostics during a build */

static void plugin_diag(void *ctx, int severity, const char *file,
			        unsigned line, const char *msg)
{
    DICT   *dict = ctx;

    /*
     * postmap -w: no word about duplicates; -r: the later entry wins,
     * so "keeping the first" would be wrong.
     */
    if (severity == LMDBACL_DIAG_WARNING
	&& (dict->flags & (DICT_FLAG_DUP_IGNORE | DICT_FLAG_DUP_REPLACE))
	&& (strncmp(msg, "duplicate entry", 15) == 0
	    || strstr(msg, "is the same network as") != 0))
	return;
    if (file && line)
	msg_warn("%s, line %u: %s", file, line, msg);
    else if (line)
	msg_warn("%s:%s: line %u: %s", dict->type, dict->name, line, msg);
    else
	msg_warn("%s:%s: %s", dict->type, dict->name, msg);
}

 /*
  * "postmap lmdbacl:FILE" of a large FILE: postmap spends about as long
  * reading FILE for itself (the entries it passes are ignored, see
  * dict_lmdbacl_update()) as the engine spends reading and writing the
  * table. The engine's part starts at open on a thread of its own and is
  * joined at close. That thread runs engine code only: Postfix's msg(3)
  * and vstring(3) are not thread-safe, so its diagnostics are kept, and
  * passed to msg_warn() by the main thread, in line order, after the
  * join; only then is the new file renamed into place, or dropped.
  */
#define BULK_THREAD_MIN	(1 << 20)	/* smaller sources: no thread */

typedef struct BULK_NOTE {
    int     severity;
    unsigned line;
    char   *msg;
} BULK_NOTE;

struct BULK_JOB {
    pthread_t thread;
    char   *path;			/* the source file */
    LMDBACL_WRITER *writer;		/* the table's, used by the thread */
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_RULES *rules;		/* what the thread read */
    int     read_rc;			/* lmdbacl_source_read() */
    LMDBACL_ERR read_err;
    int     build_rc;			/* lmdbacl_writer_build() */
    LMDBACL_ERR build_err;
    int     nomem;
    BULK_NOTE *notes;			/* diagnostics, in line order */
    size_t  nnotes;
    size_t  notes_size;
};

/* bulk_note - keep one diagnostic of the thread (no Postfix code here) */

static void bulk_note(void *ctx, int severity, const char *unused_file,
		              unsigned line, const char *msg)
{
    BULK_JOB *job = ctx;
    BULK_NOTE *np;

    (void) unused_file;				/* always job->path */
    if (job->nnotes == job->notes_size) {
	size_t  nsize = job->notes_size ? 2 * job->notes_size : 64;

	if ((np = realloc(job->notes, nsize * sizeof(*np))) == 0) {
	    job->nomem = 1;
	    return;
	}
	job->notes = np;
	job->notes_size = nsize;
    }
    np = job->notes + job->nnotes;
    if ((np->msg = strdup(msg)) == 0) {
	job->nomem = 1;
	return;
    }
    np->severity = severity;
    np->line = line;
    job->nnotes++;
}

/* bulk_run - read the source, write the new file; no rename */

static void *bulk_run(void *ctx)
{
    BULK_JOB *job = ctx;

    if ((job->rules = lmdbacl_rules_create()) == 0) {
	job->nomem = 1;
	return (0);
    }
    job->read_rc = lmdbacl_source_read(job->path, job->rules, &job->opts,
				       &job->read_err);
    if (job->read_rc == LMDBACL_OK && !job->nomem)
	job->build_rc = lmdbacl_writer_build(job->writer, job->rules,
					     &job->build_err);
    return (0);
}

/* bulk_start - start the build of a large source, or leave it to close */

static BULK_JOB *bulk_start(const char *path, LMDBACL_WRITER *writer,
			            int dict_flags)
{
    struct stat st;
    BULK_JOB *job;
    sigset_t all;
    sigset_t saved;
    int     err;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)
	|| st.st_size < BULK_THREAD_MIN)
	return (0);
    job = (BULK_JOB *) mymalloc(sizeof(*job));
    memset(job, 0, sizeof(*job));
    job->path = mystrdup(path);
    job->writer = writer;
    job->opts.diag = bulk_note;
    job->opts.diag_ctx = job;
    job->opts.replace = (dict_flags & DICT_FLAG_DUP_REPLACE) != 0;

    /*
     * Signals stay with the main thread, whose handlers are Postfix's.
     */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    err = pthread_create(&job->thread, 0, bulk_run, job);
    pthread_sigmask(SIG_SETMASK, &saved, 0);
    if (err != 0) {
	/* Not fatal: close() reads the source itself, as for a small one. */
	myfree(job->path);
	myfree((void *) job);
	return (0);
    }
    return (job);
}

/* bulk_finish - join the thread, report as check_source() would */

static void bulk_finish(DICT *dict)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    BULK_JOB *job = dl->job;
    size_t  i;
    int     err;

    if ((err = pthread_join(job->thread, 0)) != 0)
	msg_fatal("%s:%s: cannot join the build thread: %s",
		  dict->type, dict->name, strerror(err));
    dl->job = 0;
    for (i = 0; i < job->nnotes; i++) {
	plugin_diag(dict, job->notes[i].severity, job->path,
		    job->notes[i].line, job->notes[i].msg);
	free(job->notes[i].msg);
    }
    free(job->notes);
    if (job->nomem) {
	/* Some diagnostics were lost: say so, whatever else failed. */
	lmdbacl_writer_abort(dl->writer);
	msg_fatal("%s:%s: out of memory%s%s; the table was not changed",
		  dict->type, dict->name,
		  job->read_rc != LMDBACL_OK ? "; " : "",
		  job->read_rc != LMDBACL_OK ? job->read_err.msg : "");
    }
    if (job->read_rc != LMDBACL_OK) {
	lmdbacl_writer_abort(dl->writer);
	msg_fatal("%s:%s: %s; the table was not changed", dict->type,
		  dict->name, job->read_err.msg);
    }
    if (job->build_rc != LMDBACL_OK) {
	lmdbacl_writer_abort(dl->writer);
	msg_fatal("%s:%s: %s; the table was not changed", dict->type,
		  dict->name, job->build_err.msg);
    }
    lmdbacl_rules_free(dl->rules);
    dl->rules = job->rules;
    myfree(job->path);
    myfree((void *) job);
}

/* check_source - "postmap lmdbacl:FILE" reads FILE as lmdbacl compile does */

static void check_source(DICT *dict)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_RULES *src;
    LMDBACL_ERR err;
    int     rc;

    /*
     * postmap's own reader skips, with a warning, lines that lmdbacl
     * compile refuses (no value, unbalanced quotes, ...), and it passes
     * keys without line numbers. The table is built from the engine's
     * reading of the file instead, the same code as lmdbacl compile: every
     * problem is reported with file and line, any error leaves the old
     * table, the rules carry their source lines, and the file is the one
     * lmdbacl compile writes. postmap -r makes later duplicates win.
     */
    memset(&opts, 0, sizeof(opts));
    opts.diag = plugin_diag;
    opts.diag_ctx = dict;
    opts.replace = (dict->flags & DICT_FLAG_DUP_REPLACE) != 0;
    if ((src = lmdbacl_rules_create()) == 0)
	msg_fatal("%s:%s: out of memory", dict->type, dict->name);
    rc = lmdbacl_source_read(dict->name, src, &opts, &err);
    if (rc != LMDBACL_OK) {
	lmdbacl_writer_abort(dl->writer);
	msg_fatal("%s:%s: %s; the table was not changed", dict->type,
		  dict->name, err.msg);
    }
    lmdbacl_rules_free(dl->rules);
    dl->rules = src;
}

/* dict_lmdbacl_close - write the pending snapshot, release everything */

static void dict_lmdbacl_close(DICT *dict)
{
    DICT_LMDBACL *dl = (DICT_LMDBACL *) dict;
    LMDBACL_ERR err;

    if (dl->writer) {
	if (dl->job)
	    bulk_finish(dict);			/* built, not yet installed */
	else if (dl->bulk)
	    check_source(dict);
	if (dl->bad_keys > 0) {
	    lmdbacl_writer_abort(dl->writer);
	    msg_fatal("%s:%s: %d bad entr%s; the table was not changed",
		      dict->type, dict->name, dl->bad_keys,
		      dl->bad_keys == 1 ? "y" : "ies");
	}
	/* An update that changed nothing restarts no daemon. */
	if (!dl->bulk && dl->changes == 0)
	    lmdbacl_writer_abort(dl->writer);
	else if (lmdbacl_writer_commit(dl->writer, dl->rules, plugin_diag, dict,
				  &err) != LMDBACL_OK)
	    msg_fatal("%s:%s: %s; the table was not changed",
		      dict->type, dict->name, err.msg);
    }
    if (dl->table)
	lmdbacl_close(dl->table);
    lmdbacl_rules_free(dl->rules);
    lmdbacl_rules_free(dl->seq_rules);
    if (dl->seq)
	free((void *) dl->seq);
    if (dl->seq_key)
	vstring_free(dl->seq_key);
    if (dict->fold_buf)
	vstring_free(dict->fold_buf);
    dict_free(dict);
}

/* dict_lmdbacl_open - open a table for lookups or for change */

DICT   *dict_lmdbacl_open(const char *name, int open_flags, int dict_flags)
{
    DICT_LMDBACL *dl;
    LMDBACL *table = 0;
    LMDBACL_WRITER *writer = 0;
    LMDBACL_RULES *rules = 0;
    LMDBACL_ERR err;
    char   *path;

    /*
     * The DICT and MKMAP structures are Postfix's, laid out as the
     * headers we were built with said. Refuse to guess.
     */
    if (var_mail_version != 0
	&& strcmp(var_mail_version, MAIL_VERSION_NUMBER) != 0)
	return (dict_surrogate(DICT_TYPE_LMDBACL, name, open_flags, dict_flags,
			       "%s:%s: postfix-lmdbacl.so was built for Postfix"
			       " %s but runs in Postfix %s: rebuild lmdbacl"
			       " against this Postfix's source",
			       DICT_TYPE_LMDBACL, name, MAIL_VERSION_NUMBER,
			       var_mail_version));

    path = lmdbacl_path(name);
    if ((open_flags & O_ACCMODE) == O_RDONLY) {
	if ((table = lmdbacl_open(path, &err)) == 0) {
	    free(path);
	    return (dict_surrogate(DICT_TYPE_LMDBACL, name, open_flags,
				   dict_flags, "%s:%s: table unavailable: %s",
				   DICT_TYPE_LMDBACL, name, err.msg));
	}
    } else {
	if ((open_flags & O_CREAT) == 0 && access(path, F_OK) < 0) {
	    /* postmap -d of a table that does not exist: as for hash: */
	    msg_fatal("open %s: %m", path);
	}
	writer = lmdbacl_writer_begin(path, (open_flags & O_TRUNC) == 0,
				      &rules, &err);
	if (writer == 0)
	    msg_fatal("%s:%s: %s", DICT_TYPE_LMDBACL, name, err.msg);
    }
    free(path);

    dl = (DICT_LMDBACL *) dict_alloc(DICT_TYPE_LMDBACL, name, sizeof(*dl));
    dl->dict.lookup = dict_lmdbacl_lookup;
    if (writer) {
	dl->dict.update = dict_lmdbacl_update;
	dl->dict.delete = dict_lmdbacl_delete;
    }
    dl->dict.sequence = dict_lmdbacl_sequence;
    dl->dict.close = dict_lmdbacl_close;
    dl->dict.flags = dict_flags | DICT_FLAG_FIXED;

    /*
     * Where Postfix would wrap this table in dict_utf8(3) (smtputf8_enable
     * = yes), the plugin does that wrapper's work itself, with the same
     * tests and messages: the engine folds every query and key in full
     * already, so the wrapper's copy and casefold() of each query would
     * be done twice. The flag is the wrapper's own mark, which
     * dict_open(3) and mkmap_open(3) test before wrapping.
     */
    dl->utf8 = (util_utf8_enable && (dict_flags & DICT_FLAG_UTF8_REQUEST));
    if (dl->utf8)
	dl->dict.flags |= DICT_FLAG_UTF8_ACTIVE;
    dl->dict.owner.status = DICT_OWNER_TRUSTED;
    dl->dict.lock_fd = -1;
    if (table) {
	struct stat st;

	dl->dict.stat_fd = lmdbacl_fd(table);
	dl->dict.mtime = lmdbacl_mtime(table);

	/*
	 * Provenance, as dict_lmdb and dict_cdb report it: the local
	 * delivery agent runs |command and /file deliveries of a table
	 * owned by a user with that user's rights.
	 */
	if (fstat(dl->dict.stat_fd, &st) == 0 && st.st_uid != 0) {
	    dl->dict.owner.status = DICT_OWNER_UNTRUSTED;
	    dl->dict.owner.uid = st.st_uid;
	}
    }
    dl->table = table;
    dl->writer = writer;
    dl->rules = rules;
    dl->parent_style = (match_parent_style(SMTPD_ACCESS_MAPS) != 0);
    dl->bad_keys = 0;
    dl->changes = 0;
    dl->bulk = (writer != 0 && (open_flags & O_TRUNC) != 0
		&& (dict_flags & DICT_FLAG_SRC_RHS_IS_FILE) == 0
		&& access(name, R_OK) == 0);
    dl->job = dl->bulk ? bulk_start(name, writer, dict_flags) : 0;
    dl->seq_rules = 0;
    dl->seq = 0;
    dl->seq_key = 0;
    return (DICT_DEBUG (&dl->dict));
}

/* mkmap_lmdbacl_open - "postmap lmdbacl:FILE" */

MKMAP  *mkmap_lmdbacl_open(const char *unused_path)
{
    MKMAP  *mkmap = (MKMAP *) mymalloc(sizeof(*mkmap));

    (void) unused_path;

    /*
     * The snapshot design needs no global lock around the bulk update:
     * the writer lock is taken at open and the new file replaces the
     * old one at close.
     */
    mkmap->open = dict_lmdbacl_open;
    mkmap->after_open = 0;
    mkmap->after_close = 0;
    return (mkmap);
}
