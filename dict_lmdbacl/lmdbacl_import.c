/*++
/* NAME
/*	lmdbacl_import 3
/* SUMMARY
/*	read existing Postfix cdb: and lmdb: maps
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_import(type, path, rules, strict, diag, ctx, err)
/*	const char *type;
/*	const char *path;
/*	LMDBACL_RULES *rules;
/*	int	strict;
/*	LMDBACL_DIAG_FN diag;
/*	void	*ctx;
/*	LMDBACL_ERR *err;
/* DESCRIPTION
/*	lmdbacl_import() reads every record of the map file path (the
/*	file itself: access.cdb, access.lmdb) of the given type ("cdb" or
/*	"lmdb"), strips the terminating null byte that postmap may have
/*	stored with keys and values, and adds each pair to rules through
/*	lmdbacl_key_parse(), so that an imported table means what a compiled
/*	one means. Keys that were dead in the old map (such as
/*	"*.example.com", which a hash: table never matches) come alive.
/* DIAGNOSTICS
/*	Bad keys are reported through diag (with the map as the file and
/*	the record number as the line) and make the import fail with
/*	LMDBACL_ESYNTAX; duplicates are warnings (errors when strict).
/*	Unreadable maps give LMDBACL_ESYSTEM or LMDBACL_EFORMAT.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

 /*
  * Utility library.
  */
#include <cdb.h>
#include <lmdb.h>

 /*
  * Application-specific.
  */
#include "lmdbacl.h"

typedef struct IMPORT {
    const char *label;			/* "cdb:/path" for diagnostics */
    LMDBACL_RULES *rules;
    int     strict;
    LMDBACL_DIAG_FN diag;
    void   *ctx;
    unsigned long errors;
    char   *kbuf;
    char   *vbuf;
    size_t  ksize;
    size_t  vsize;
} IMPORT;

/* copy_str - counted bytes to a string, minus postmap's null byte */

static char *copy_str(char **buf, size_t *size, const void *data, size_t len)
{
    if (len > 0 && ((const char *) data)[len - 1] == 0)
	len--;
    if (len + 1 > *size) {
	char   *nb = realloc(*buf, len + 1);

	if (nb == 0)
	    return (0);
	*buf = nb;
	*size = len + 1;
    }
    memcpy(*buf, data, len);
    (*buf)[len] = 0;
    return (*buf);
}

static void import_diag(IMPORT *im, int severity, unsigned recno,
			        const char *msg)
{
    if (severity == LMDBACL_DIAG_WARNING && im->strict)
	severity = LMDBACL_DIAG_ERROR;
    if (severity == LMDBACL_DIAG_ERROR)
	im->errors++;
    if (im->diag)
	im->diag(im->ctx, severity, im->label, recno, msg);
}

/* import_pair - one record */

static int import_pair(IMPORT *im, unsigned recno, const void *k, size_t klen,
		               const void *v, size_t vlen)
{
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    char    msg[LMDBACL_ERR_SIZE + 64];
    const char *ks;
    const char *vs;
    unsigned first;
    int     rc;

    if ((ks = copy_str(&im->kbuf, &im->ksize, k, klen)) == 0
	|| (vs = copy_str(&im->vbuf, &im->vsize, v, vlen)) == 0)
	return (-1);
    if (strlen(ks) != (klen && ((const char *) k)[klen - 1] == 0 ? klen - 1 : klen)) {
	import_diag(im, LMDBACL_DIAG_ERROR, recno, "key contains a NUL byte");
	return (0);
    }
    if (*vs == 0) {
	import_diag(im, LMDBACL_DIAG_ERROR, recno, "empty value");
	return (0);
    }
    if (lmdbacl_key_parse(ks, &key, why, sizeof(why)) != LMDBACL_OK) {
	import_diag(im, LMDBACL_DIAG_ERROR, recno, why);
	return (0);
    }
    if ((rc = lmdbacl_rules_add(im->rules, &key, vs, recno, LMDBACL_ADD_KEEP,
				&first)) < 0)
	return (-1);
    if (rc == LMDBACL_DUP) {
	snprintf(msg, sizeof(msg), "duplicate entry for \"%s\" (first at"
		 " record %u); keeping the first value", ks, first);
	import_diag(im, LMDBACL_DIAG_WARNING, recno, msg);
    }
    return (0);
}

static int import_cdb(IMPORT *im, const char *path, LMDBACL_ERR *err)
{
    struct cdb cdb;
    unsigned pos;
    unsigned recno = 0;
    int     fd;
    int     rc;
    int     status = LMDBACL_OK;

    if ((fd = open(path, O_RDONLY)) < 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot open: %s",
				path, strerror(errno)));
    if (cdb_init(&cdb, fd) < 0) {
	close(fd);
	return (lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: not a cdb file",
				path));
    }
    cdb_seqinit(&pos, &cdb);
    while ((rc = cdb_seqnext(&pos, &cdb)) > 0) {
	const void *k = cdb_getkey(&cdb);
	const void *v = cdb_getdata(&cdb);

	if (k == 0 || v == 0) {
	    rc = -1;
	    break;
	}
	if (import_pair(im, ++recno, k, cdb_keylen(&cdb), v,
			cdb_datalen(&cdb)) < 0) {
	    status = lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				     path);
	    break;
	}
    }
    if (rc < 0 && status == LMDBACL_OK)
	status = lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: damaged cdb file",
				 path);
    cdb_free(&cdb);
    close(fd);
    return (status);
}

static int import_lmdb(IMPORT *im, const char *path, LMDBACL_ERR *err)
{
    MDB_env *env = 0;
    MDB_txn *txn = 0;
    MDB_dbi dbi;
    MDB_cursor *c = 0;
    MDB_val k;
    MDB_val v;
    unsigned recno = 0;
    int     rc;
    int     status = LMDBACL_OK;

    if ((rc = mdb_env_create(&env)) != 0
	|| (rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOSUBDIR
			      | MDB_NOLOCK, 0)) != 0
	|| (rc = mdb_txn_begin(env, 0, MDB_RDONLY, &txn)) != 0
	|| (rc = mdb_dbi_open(txn, 0, 0, &dbi)) != 0
	|| (rc = mdb_cursor_open(txn, dbi, &c)) != 0) {
	status = lmdbacl_err_set(err, rc == ENOENT || rc == EACCES ?
				 LMDBACL_ESYSTEM : LMDBACL_EFORMAT,
				 "%s: cannot open as an LMDB map: %s", path,
				 mdb_strerror(rc));
    } else {
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
	    if (import_pair(im, ++recno, k.mv_data, k.mv_size, v.mv_data,
			    v.mv_size) < 0) {
		status = lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of"
					 " memory", path);
		break;
	    }
	}
	if (status == LMDBACL_OK && rc != MDB_NOTFOUND)
	    status = lmdbacl_err_set(err, LMDBACL_EFORMAT, "%s: read error:"
				     " %s", path, mdb_strerror(rc));
    }
    if (c)
	mdb_cursor_close(c);
    if (txn)
	mdb_txn_abort(txn);
    if (env)
	mdb_env_close(env);
    return (status);
}

static void import_same_net(void *ctx, const LMDBACL_RULE *later,
			            const LMDBACL_RULE *first)
{
    char    msg[2 * LMDBACL_KEY_MAX + 100];

    snprintf(msg, sizeof(msg), "\"%s\" is the same network as \"%s\""
	     " (record %u); keeping the value of record %u", later->key,
	     first->key, first->line, first->line);
    import_diag((IMPORT *) ctx, LMDBACL_DIAG_WARNING, later->line, msg);
}

int     lmdbacl_import(const char *type, const char *path,
		               LMDBACL_RULES *rules, int strict,
		               LMDBACL_DIAG_FN diag, void *ctx,
		               LMDBACL_ERR *err)
{
    IMPORT  im;
    char    label[LMDBACL_ERR_SIZE];
    int     status;

    memset(&im, 0, sizeof(im));
    snprintf(label, sizeof(label), "%s:%s", type, path);
    im.label = label;
    im.rules = rules;
    im.strict = strict;
    im.diag = diag;
    im.ctx = ctx;
    if (strcmp(type, "cdb") == 0)
	status = import_cdb(&im, path, err);
    else if (strcmp(type, "lmdb") == 0)
	status = import_lmdb(&im, path, err);
    else
	status = lmdbacl_err_set(err, LMDBACL_ESYNTAX, "unsupported map type"
				 " \"%s\" (lmdbacl imports cdb: and lmdb:)",
				 type);
    free(im.kbuf);
    free(im.vbuf);
    if (status == LMDBACL_OK
	&& lmdbacl_rules_same_nets(rules, import_same_net, &im) < 0)
	status = lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				 label);
    if (status == LMDBACL_OK && im.errors > 0)
	status = lmdbacl_err_set(err, LMDBACL_ESYNTAX, "%s: %lu error%s",
				 label, im.errors, im.errors == 1 ? "" : "s");
    return (status);
}
