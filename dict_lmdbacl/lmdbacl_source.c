/*++
/* NAME
/*	lmdbacl_source 3
/* SUMMARY
/*	read access(5) source text exactly as postmap does
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_source_read(path, rules, opts, err)
/*	const char *path;
/*	LMDBACL_RULES *rules;
/*	const LMDBACL_SOURCE_OPTS *opts;
/*	LMDBACL_ERR *err;
/*
/*	int	lmdbacl_source_split(line, key, value, why)
/*	char	*line;
/*	char	**key;
/*	char	**value;
/*	const char **why;
/* DESCRIPTION
/*	lmdbacl_source_read() reads path one logical line at a time, with
/*	the rules of Postfix's readllines(3) and postmap(1): "#" comment
/*	lines and blank lines are skipped; a line that starts with white
/*	space continues the previous logical line, and comment and blank
/*	lines in between do not end it; CR is white space. Each logical
/*	line is split by lmdbacl_source_split(), its key parsed by
/*	lmdbacl_key_parse(), and the pair added to rules. A duplicate key
/*	keeps the first value and is a warning that names both lines.
/*
/*	lmdbacl_source_split() terminates the key at the first white space
/*	that is neither inside double quotes nor escaped by a backslash,
/*	and trims white space around the value. Quotes and backslashes stay
/*	part of the key, as postmap leaves them.
/* DIAGNOSTICS
/*	Every problem is reported through opts->diag as it is found, with
/*	the line of the first physical line of the entry, so that a caller
/*	can list every error at once: non-UTF-8 text, a NUL byte, unbalanced
/*	quotes, a missing value, a continuation line that continues
/*	nothing, a bad key. Warnings: duplicates, "key: value" records.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

#define IS_SPACE(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' \
		     || (c) == '\n' || (c) == '\v' || (c) == '\f')

typedef struct SOURCE_STATE {
    const char *path;
    const LMDBACL_SOURCE_OPTS *opts;
    LMDBACL_RULES *rules;
    unsigned long errors;
    unsigned long warnings;
} SOURCE_STATE;

/* source_diag - report one problem */

static void source_diag(SOURCE_STATE *st, int severity, unsigned line,
			        const char *fmt,...)
{
    char    msg[LMDBACL_ERR_SIZE + LMDBACL_KEY_MAX];
    va_list ap;

    if (severity == LMDBACL_DIAG_WARNING && st->opts->strict)
	severity = LMDBACL_DIAG_ERROR;
    if (severity == LMDBACL_DIAG_ERROR)
	st->errors++;
    else
	st->warnings++;
    if (st->opts->diag == 0)
	return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    st->opts->diag(st->opts->diag_ctx, severity, st->path, line, msg);
}

/* valid_utf8 - RFC 3629 UTF-8, no overlongs, no surrogates */

static int valid_utf8(const unsigned char *cp, size_t len)
{
    const unsigned char *end = cp + len;
    unsigned c;
    int     n;
    unsigned min;

    while (cp < end) {
	c = *cp++;
	if (c < 0x80)
	    continue;
	if (c >= 0xc2 && c <= 0xdf) {
	    n = 1, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
	    n = 2, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
	    n = 3, min = 0x10000, c &= 0x07;
	} else
	    return (0);
	if (end - cp < n)
	    return (0);
	while (n-- > 0) {
	    if ((*cp & 0xc0) != 0x80)
		return (0);
	    c = (c << 6) | (*cp++ & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
	    return (0);
    }
    return (1);
}

/* lmdbacl_source_split - postmap's key/value split */

int     lmdbacl_source_split(char *line, char **key, char **value,
			             const char **why)
{
    char   *cp;
    char   *end;
    int     in_quotes = 0;

    for (cp = line; *cp; cp++) {
	if (*cp == '\\') {
	    if (*++cp == 0)
		break;
	} else if (IS_SPACE(*cp)) {
	    if (!in_quotes)
		break;
	} else if (*cp == '"') {
	    in_quotes = !in_quotes;
	}
    }
    if (in_quotes) {
	*why = "unbalanced '\"'";
	return (-1);
    }
    if (*cp)
	*cp++ = 0;
    while (IS_SPACE(*cp))
	cp++;
    for (end = cp + strlen(cp); end > cp && IS_SPACE(end[-1]); end--)
	 /* void */ ;
    *end = 0;
    *key = line;
    *value = cp;
    if (**key == 0 || **value == 0) {
	*why = "expected format: key whitespace value";
	return (-1);
    }
    return (0);
}

/* source_entry - one logical line */

static int source_entry(SOURCE_STATE *st, char *text, size_t len,
			        unsigned line)
{
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    const char *split_why;
    char   *kp;
    char   *vp;
    unsigned first = 0;
    int     status;

    if (strlen(text) != len) {
	source_diag(st, LMDBACL_DIAG_ERROR, line, "line contains a NUL byte");
	return (0);
    }
    if (!valid_utf8((unsigned char *) text, len)) {
	source_diag(st, LMDBACL_DIAG_ERROR, line, "non-UTF-8 input");
	return (0);
    }
    if (IS_SPACE(*text)) {
	source_diag(st, LMDBACL_DIAG_ERROR, line, "logical line must not"
		    " start with whitespace: continuation line without an"
		    " entry to continue");
	return (0);
    }
    if (lmdbacl_source_split(text, &kp, &vp, &split_why) < 0) {
	source_diag(st, LMDBACL_DIAG_ERROR, line, "%s", split_why);
	return (0);
    }
    if (kp[strlen(kp) - 1] == ':')
	source_diag(st, LMDBACL_DIAG_WARNING, line, "record is in \"key: value\""
		    " format; is this an alias file?");
    if (lmdbacl_key_parse(kp, &key, why, sizeof(why)) != LMDBACL_OK) {
	source_diag(st, LMDBACL_DIAG_ERROR, line, "%s", why);
	return (0);
    }
    status = lmdbacl_rules_add(st->rules, &key, vp, line, st->opts->replace ?
			       LMDBACL_ADD_REPLACE : LMDBACL_ADD_KEEP, &first);
    if (status < 0)
	return (-1);
    if (status == LMDBACL_DUP && !st->opts->replace)
	source_diag(st, LMDBACL_DIAG_WARNING, line, "duplicate entry for"
		    " \"%s\" (first at line %u); keeping the value of line %u",
		    kp, first, first);
    return (0);
}

/* source_same_net - one network written twice */

static void source_same_net(void *ctx, const LMDBACL_RULE *later,
			            const LMDBACL_RULE *first)
{
    source_diag((SOURCE_STATE *) ctx, LMDBACL_DIAG_WARNING, later->line,
		"\"%s\" is the same network as \"%s\" (line %u); keeping"
		" the value of line %u", later->key, first->key, first->line,
		first->line);
}

/* lmdbacl_source_read - read a whole source file into rules */

int     lmdbacl_source_read(const char *path, LMDBACL_RULES *rules,
			            const LMDBACL_SOURCE_OPTS *opts,
			            LMDBACL_ERR *err)
{
    SOURCE_STATE st;
    FILE   *fp;
    char   *phys = 0;
    size_t  phys_size = 0;
    ssize_t plen;
    char   *buf = 0;
    size_t  buf_len = 0;
    size_t  buf_size = 0;
    unsigned lineno = 0;
    unsigned first_line = 0;
    const char *cp;
    int     fail = 0;
    int     saved_errno;

    st.path = path;
    st.opts = opts;
    st.rules = rules;
    st.errors = st.warnings = 0;

    if ((fp = fopen(path, "r")) == 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot open: %s",
				path, strerror(errno)));

#define FLUSH_ENTRY() do { \
	if (buf_len > 0) { \
	    buf[buf_len] = 0; \
	    if (source_entry(&st, buf, buf_len, first_line) < 0) { \
		fail = 1; \
		break; \
	    } \
	    buf_len = 0; \
	} \
    } while (0)

    errno = 0;
    while (!fail && (plen = getline(&phys, &phys_size, fp)) >= 0) {
	lineno++;
	if (opts->progress && (lineno & 0xffff) == 0)
	    opts->progress(opts->progress_ctx, lineno);
	if (plen > 0 && phys[plen - 1] == '\n')
	    phys[--plen] = 0;
	for (cp = phys; cp < phys + plen && IS_SPACE(*cp); cp++)
	     /* void */ ;
	if (cp == phys + plen || *cp == '#')
	    continue;				/* comment or blank line */
	if (!IS_SPACE(*phys)) {
	    FLUSH_ENTRY();
	    if (fail)
		break;
	    first_line = lineno;
	} else if (buf_len == 0) {
	    first_line = lineno;
	}
	if (buf_len + plen + 1 > buf_size) {
	    size_t  nsize = (buf_len + plen + 1) * 2;
	    char   *nb = realloc(buf, nsize);

	    if (nb == 0) {
		fail = 1;
		break;
	    }
	    buf = nb;
	    buf_size = nsize;
	}
	memcpy(buf + buf_len, phys, plen);
	buf_len += plen;
    }
    if (!fail)
	FLUSH_ENTRY();
    saved_errno = errno;
    if (!fail && ferror(fp)) {
	fclose(fp);
	free(phys);
	free(buf);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: read error: %s",
				path, strerror(saved_errno)));
    }
    fclose(fp);
    free(phys);
    free(buf);
    if (fail)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				path));
    if (opts->progress)
	opts->progress(opts->progress_ctx, lineno);
    if (lmdbacl_rules_same_nets(rules, source_same_net, &st) < 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				path));
    if (st.errors > 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYNTAX, "%s: %lu error%s",
				path, st.errors, st.errors == 1 ? "" : "s"));
    return (LMDBACL_OK);
}
