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
/*	A bulk read of a source of 1 MB or more reads its two halves on two
/*	threads (the second starts at a line that starts an entry) and
/*	merges them; rules, line numbers and diagnostics are those of one
/*	read in line order. opts->progress is called from the calling
/*	thread only, with the lines read by both.
/*
/*	lmdbacl_source_split() terminates the key at the first white space
/*	that is neither inside double quotes nor escaped by a backslash,
/*	and trims white space around the value. Quotes and backslashes stay
/*	part of the key, as postmap leaves them.
/* DIAGNOSTICS
/*	Every problem is reported through opts->diag, in line order, with
/*	the line of the first physical line of the entry (a bulk read of a
/*	whole file holds errors until the end of the file), so that a caller
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
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

 /*
  * Application-specific.
  */
#include "lmdbacl_int.h"

#define IS_SPACE(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' \
		     || (c) == '\n' || (c) == '\v' || (c) == '\f')

typedef struct SOURCE_NOTE {
    unsigned line;
    int     severity;
    char   *msg;
} SOURCE_NOTE;

typedef struct NOTES {
    SOURCE_NOTE *v;
    size_t  n;
    size_t  size;
} NOTES;

typedef struct SOURCE_STATE {
    const char *path;
    const LMDBACL_SOURCE_OPTS *opts;
    LMDBACL_RULES *rules;
    int     bulk;			/* append now, find duplicates later */
    NOTES   notes;			/* bulk: diagnostics of the lines */
    size_t  emitted;			/* notes already passed on */
    int     nomem;
    unsigned long errors;
    unsigned long warnings;
    char   *text;			/* the lines to read */
    char   *end;
    unsigned lineno;			/* lines read */
    int     progress;			/* call opts->progress */
    unsigned *share;			/* publish lines read here */
    unsigned *peer;			/* add the other half's lines */
    int     fail;			/* out of memory */
} SOURCE_STATE;

 /*
  * A bulk read of a large source reads its second half on a thread of its
  * own, into a rule set of its own, and merges it after the first; below
  * this size one thread is quicker.
  */
#define SOURCE_SPLIT_MIN	(1 << 20)

/* source_emit - pass one diagnostic on */

static void source_emit(SOURCE_STATE *st, int severity, unsigned line,
			        const char *msg)
{
    if (severity == LMDBACL_DIAG_WARNING && st->opts->strict)
	severity = LMDBACL_DIAG_ERROR;
    if (severity == LMDBACL_DIAG_ERROR)
	st->errors++;
    else
	st->warnings++;
    if (st->opts->diag)
	st->opts->diag(st->opts->diag_ctx, severity, st->path, line, msg);
}

/* source_note - keep one diagnostic until the end of the file */

static void source_note(SOURCE_STATE *st, int severity, unsigned line,
			        const char *fmt,...)
{
    char    msg[LMDBACL_ERR_SIZE + LMDBACL_KEY_MAX];
    va_list ap;
    SOURCE_NOTE *np;
    NOTES  *notes = &st->notes;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    /*
     * Only a bulk read finds duplicates after the last line, so only it
     * needs to hold the other diagnostics back to keep line order. The
     * duplicate warnings themselves are never held (source_dup()): a
     * source of many repeated long keys would otherwise keep one message
     * per repeat, up to twice the size of the file.
     */
    if (!st->bulk) {
	source_emit(st, severity, line, msg);
	return;
    }
    if (notes->n == notes->size) {
	size_t  nsize = notes->size ? 2 * notes->size : 16;

	if ((np = realloc(notes->v, nsize * sizeof(*np))) == 0) {
	    st->nomem = 1;
	    return;
	}
	notes->v = np;
	notes->size = nsize;
    }
    np = notes->v + notes->n;
    if ((np->msg = strdup(msg)) == 0) {
	st->nomem = 1;
	return;
    }
    np->line = line;
    np->severity = severity;
    notes->n++;
}

/* source_release - pass on the kept diagnostics of lines up to line */

static void source_release(SOURCE_STATE *st, unsigned line)
{
    SOURCE_NOTE *np;

    for (; st->emitted < st->notes.n; st->emitted++) {
	np = st->notes.v + st->emitted;
	if (np->line > line)
	    break;
	source_emit(st, np->severity, np->line, np->msg);
    }
}

/* source_flush - every kept diagnostic, in line order */

static void source_flush(SOURCE_STATE *st)
{
    size_t  i;

    source_release(st, ~0U);
    for (i = 0; i < st->notes.n; i++)
	free(st->notes.v[i].msg);
    free(st->notes.v);
    memset(&st->notes, 0, sizeof(st->notes));
    st->emitted = 0;
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

/* text_check - 0 plain ASCII, 1 NUL byte, 2 other bytes >= 0x80 */

static int text_check(const char *text, size_t len)
{
    const unsigned char *cp = (const unsigned char *) text;
    const unsigned char *end = cp + len;
    uint64_t w;
    int     high = 0;

    /*
     * Eight bytes at a time: the usual line is short ASCII, and it is
     * checked for NUL and for non-ASCII bytes in one pass.
     */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
    for (; end - cp >= 8; cp += 8) {
	memcpy(&w, cp, 8);
	if (((w - ONES) & ~w & HIGHS) != 0)
	    return (1);
	if ((w & HIGHS) != 0)
	    high = 2;
    }
    for (; cp < end; cp++) {
	if (*cp == 0)
	    return (1);
	if (*cp & 0x80)
	    high = 2;
    }
    return (high);
}

 /*
  * The bytes that end a run of plain key bytes in source_split(): NUL,
  * backslash, double quote, and IS_SPACE().
  */
static const unsigned char key_stop[256] = {
    [0] = 1, ['\\'] = 1, ['"'] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1,
    ['\n'] = 1, ['\v'] = 1, ['\f'] = 1,
};

/* source_split - postmap's key/value split of a line of known length */

static int source_split(char *line, size_t len, char **key, size_t *key_len,
			        char **value, const char **why)
{
    char   *cp;
    char   *end;
    int     in_quotes = 0;

    /*
     * Most key bytes are none of NUL, backslash, quote or white space:
     * skip those with one table lookup each.
     */
    for (cp = line; /* void */ ; cp++) {
	while (!key_stop[(unsigned char) *cp])
	    cp++;
	if (*cp == 0)
	    break;
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
    *key_len = cp - line;
    if (*cp)
	*cp++ = 0;
    while (IS_SPACE(*cp))
	cp++;
    for (end = line + len; end > cp && IS_SPACE(end[-1]); end--)
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

/* lmdbacl_source_split - postmap's key/value split */

int     lmdbacl_source_split(char *line, char **key, char **value,
			             const char **why)
{
    size_t  key_len;

    return (source_split(line, strlen(line), key, &key_len, value, why));
}

/* source_entry - one logical line, null-terminated at text[len] */

static int source_entry(SOURCE_STATE *st, char *text, size_t len,
			        unsigned line)
{
    LMDBACL_KEY key;
    char    why[LMDBACL_ERR_SIZE];
    const char *split_why;
    char   *kp;
    char   *vp;
    size_t  klen;
    unsigned first = 0;
    int     status;
    int     check = text_check(text, len);

    if (check == 1) {
	source_note(st, LMDBACL_DIAG_ERROR, line,
		    "line contains a NUL byte");
	return (0);
    }
    if (check == 2 && !valid_utf8((unsigned char *) text, len)) {
	source_note(st, LMDBACL_DIAG_ERROR, line,
		    "non-UTF-8 input");
	return (0);
    }
    if (IS_SPACE(*text)) {
	source_note(st, LMDBACL_DIAG_ERROR, line, "logical line"
		    " must not start with whitespace: continuation line"
		    " without an entry to continue");
	return (0);
    }
    if (source_split(text, len, &kp, &klen, &vp, &split_why) < 0) {
	source_note(st, LMDBACL_DIAG_ERROR, line, "%s", split_why);
	return (0);
    }
    if (kp[klen - 1] == ':')
	source_note(st, LMDBACL_DIAG_WARNING, line, "record is in"
		    " \"key: value\" format; is this an alias file?");
    if (lmdbacl_key_parse(kp, &key, why, sizeof(why)) != LMDBACL_OK) {
	source_note(st, LMDBACL_DIAG_ERROR, line, "%s", why);
	return (0);
    }
    if (st->bulk)
	return (lmdbacl_rules_append(st->rules, &key, vp, line, kp));
    status = lmdbacl_rules_add(st->rules, &key, vp, line, st->opts->replace ?
			       LMDBACL_ADD_REPLACE : LMDBACL_ADD_KEEP, &first);
    if (status < 0)
	return (-1);
    if (status == LMDBACL_DUP && !st->opts->replace)
	source_note(st, LMDBACL_DIAG_WARNING, line, "duplicate"
		    " entry for \"%s\" (first at line %u); keeping the value"
		    " of line %u", kp, first, first);
    return (0);
}

/* source_dup - a duplicate found by the sort */

static void source_dup(void *ctx, const LMDBACL_RULE *later, const char *raw,
		               const LMDBACL_RULE *kept)
{
    SOURCE_STATE *st = ctx;
    char    msg[LMDBACL_ERR_SIZE + LMDBACL_KEY_MAX];

    /*
     * Duplicates come in line order, each reported at its line after
     * any other diagnostic of that line, as the one-line-at-a-time
     * reader did.
     */
    snprintf(msg, sizeof(msg), "duplicate entry for \"%s\" (first at line"
	     " %u); keeping the value of line %u", raw, kept->line,
	     kept->line);
    source_release(st, later->line);
    source_emit(st, LMDBACL_DIAG_WARNING, later->line, msg);
}

/* source_same_net - one network written twice */

static void source_same_net(void *ctx, const LMDBACL_RULE *later,
			            const LMDBACL_RULE *first)
{
    char    msg[LMDBACL_ERR_SIZE + 2 * LMDBACL_KEY_MAX];

    snprintf(msg, sizeof(msg), "\"%s\" is the same network as \"%s\""
	     " (line %u); keeping the value of line %u", later->key,
	     first->key, first->line, first->line);
    source_emit((SOURCE_STATE *) ctx, LMDBACL_DIAG_WARNING, later->line, msg);
}

/* source_pread - read len bytes at off, or fewer at the end of the file */

typedef struct SLURP_PART {
    int     fd;
    char   *buf;
    off_t   off;
    size_t  len;
    size_t  got;			/* short: the file ended, or an error */
} SLURP_PART;

static void *source_pread(void *ctx)
{
    SLURP_PART *sp = ctx;
    ssize_t n;

    while (sp->got < sp->len) {
	n = pread(sp->fd, sp->buf + sp->got, sp->len - sp->got,
		  sp->off + (off_t) sp->got);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    break;
	sp->got += n;
    }
    return (0);
}

/* source_read_two - a large regular file read in two halves at once */

static size_t source_read_two(int fd, char *buf, size_t size)
{
    SLURP_PART part[2];

    /*
     * Half of a slurp is the first touch of fresh memory: two threads
     * share it. Anything short of the whole file is read again the
     * plain way (the file changed size, or a read failed).
     */
    memset(part, 0, sizeof(part));
    part[0].fd = part[1].fd = fd;
    part[0].buf = buf;
    part[0].len = size / 2;
    part[1].buf = buf + size / 2;
    part[1].off = (off_t) (size / 2);
    part[1].len = size - size / 2;
    lmdbacl_run_two(source_pread, part, part + 1);
    if (part[0].got != part[0].len || part[1].got != part[1].len
	|| lseek(fd, (off_t) size, SEEK_SET) < 0) {
	(void) lseek(fd, 0, SEEK_SET);
	return (0);
    }
    return (size);
}

/* source_slurp - the whole file in one buffer, one byte to spare */

static char *source_slurp(const char *path, size_t *lenp, LMDBACL_ERR *err)
{
    struct stat sb;
    char   *buf = 0;
    char   *nb;
    size_t  size;
    size_t  len = 0;
    ssize_t got;
    int     fd;
    int     saved;

    /*
     * One read of a regular file (its size is known), a growing buffer
     * for anything else (/dev/stdin): either way the lines are then
     * split in place, without a copy or an allocation per line.
     */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
	lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: cannot open: %s",
			path, strerror(errno));
	return (0);
    }
    size = (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) ?
	(size_t) sb.st_size + 2 : 65536;
    if (size >= SOURCE_SPLIT_MIN && S_ISREG(sb.st_mode)) {
	if ((buf = malloc(size)) == 0) {
	    close(fd);
	    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
	    return (0);
	}
	len = source_read_two(fd, buf, size - 2);
    }
    for (;;) {
	if (buf == 0 || len + 1 >= size) {
	    if (buf != 0) {
		if (size > SIZE_MAX / 2) {
		    free(buf);
		    close(fd);
		    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: too large", path);
		    return (0);
		}
		size *= 2;
	    }
	    if ((nb = realloc(buf, size)) == 0) {
		free(buf);
		close(fd);
		lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory", path);
		return (0);
	    }
	    buf = nb;
	}
	if ((got = read(fd, buf + len, size - len - 1)) < 0) {
	    if (errno == EINTR)
		continue;
	    saved = errno;
	    free(buf);
	    close(fd);
	    lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: read error: %s",
			    path, strerror(saved));
	    return (0);
	}
	if (got == 0)
	    break;
	len += got;
    }
    close(fd);
    buf[len] = 0;
    *lenp = len;
    return (buf);
}

/* source_lines - the entries of st->text .. st->end, in order */

static void source_lines(SOURCE_STATE *st)
{
    LMDBACL_RULES *rules = st->rules;
    const LMDBACL_SOURCE_OPTS *opts = st->opts;
    char   *cp;
    char   *end = st->end;
    char   *eol;
    char   *scan;
    char   *pend = 0;			/* the entry being assembled */
    size_t  pend_len = 0;
    unsigned pend_line = 0;
    char   *join = 0;			/* pend spans physical lines */
    size_t  join_size = 0;
    int     joined = 0;
    unsigned lineno = st->lineno;
    int     fail = 0;

    /*
     * The rules of readllines(3): comment and blank lines are skipped
     * and do not end an entry; a line that starts with white space
     * continues it. An entry that is one physical line (nearly all) is
     * used where it lies; only a continued one is assembled elsewhere.
     */
#define FLUSH_ENTRY() do { \
	if (pend_len > 0) { \
	    if (joined && (pend = lmdbacl_rules_save(rules, join, \
						     pend_len)) == 0) \
		fail = 1; \
	    else { \
		pend[pend_len] = 0; \
		if (source_entry(st, pend, pend_len, pend_line) < 0) \
		    fail = 1; \
	    } \
	    pend_len = 0; \
	    joined = 0; \
	} \
    } while (0)

    for (cp = st->text; !fail && cp < end; cp = eol + 1) {
	if ((eol = memchr(cp, '\n', end - cp)) == 0)
	    eol = end;
	lineno++;
	if ((lineno & 0xffff) == 0) {
	    if (st->share)
		__atomic_store_n(st->share, lineno, __ATOMIC_RELAXED);
	    if (st->progress)
		opts->progress(opts->progress_ctx, lineno + (st->peer ?
			     __atomic_load_n(st->peer, __ATOMIC_RELAXED) : 0));
	}
	for (scan = cp; scan < eol && IS_SPACE(*scan); scan++)
	     /* void */ ;
	if (scan == eol || *scan == '#')
	    continue;				/* comment or blank line */
	if (!IS_SPACE(*cp) || pend_len == 0) {
	    FLUSH_ENTRY();
	    pend = cp;
	    pend_len = eol - cp;
	    pend_line = lineno;
	    continue;
	}
	if (!joined || pend_len + (eol - cp) + 1 > join_size) {
	    size_t  nsize = 2 * (pend_len + (eol - cp) + 1);
	    char   *nj;

	    if (nsize > join_size) {
		if ((nj = realloc(join, nsize)) == 0) {
		    fail = 1;
		    break;
		}
		join = nj;
		join_size = nsize;
	    }
	    if (!joined)
		memcpy(join, pend, pend_len);
	    joined = 1;
	}
	memcpy(join + pend_len, cp, eol - cp);
	pend_len += eol - cp;
    }
    if (!fail)
	FLUSH_ENTRY();
    free(join);
    st->lineno = lineno;
    st->fail = fail;
}

/* source_lines_run - source_lines() on a thread of its own, and a sort */

static void *source_lines_run(void *ctx)
{
    SOURCE_STATE *st = ctx;

    source_lines(st);
    if (!st->fail)
	(void) lmdbacl_rules_presort(st->rules);	/* optional */
    return (0);
}

/* source_half - where the second half of a large source starts, or null */

static char *source_half(char *text, char *end)
{
    char   *cp;
    char   *eol;

    /*
     * At a line that starts an entry: one that starts with neither white
     * space (a continuation, or a blank line) nor "#" (a comment, which
     * may sit inside a continued entry). Everything before it belongs to
     * entries that end before it.
     */
    if ((cp = memchr(text + (end - text) / 2, '\n', end - text - (end - text) / 2)) == 0)
	return (0);
    for (cp++; cp < end; cp = eol + 1) {
	if (!IS_SPACE(*cp) && *cp != '#')
	    return (cp);
	if ((eol = memchr(cp, '\n', end - cp)) == 0)
	    break;
    }
    return (0);
}

/* source_notes_join - the notes of part after those of st */

static void source_notes_join(SOURCE_STATE *st, SOURCE_STATE *part,
			              unsigned line_offset)
{
    NOTES  *notes = &st->notes;
    size_t  i;

    if (notes->n + part->notes.n > notes->size) {
	size_t  nsize = notes->n + part->notes.n;
	SOURCE_NOTE *np = realloc(notes->v, nsize * sizeof(*np));

	if (np == 0) {
	    st->nomem = 1;
	    for (i = 0; i < part->notes.n; i++)
		free(part->notes.v[i].msg);
	    free(part->notes.v);
	    return;
	}
	notes->v = np;
	notes->size = nsize;
    }
    for (i = 0; i < part->notes.n; i++) {
	notes->v[notes->n] = part->notes.v[i];
	notes->v[notes->n++].line += line_offset;
    }
    free(part->notes.v);
}

/* source_read_halves - read a large source on two threads */

static void source_read_halves(SOURCE_STATE *st)
{
    SOURCE_STATE part;
    pthread_t thread;
    char   *half;
    unsigned peer_lines = 0;

    /*
     * The second half counts its lines from its own start, and keeps its
     * rules and notes apart; both are renumbered as they are merged after
     * those of the first half, so that the result is that of one read in
     * line order. The progress report (from this thread only) counts
     * the lines of both halves, the other's as it publishes them.
     * Each half is also sorted on its thread; the merge joins the two
     * sorted runs, and settle then finds the rule set in order.
     */
    if ((half = source_half(st->text, st->end)) == 0) {
	source_lines(st);
	return;
    }
    part = *st;
    memset(&part.notes, 0, sizeof(part.notes));
    part.text = half;
    part.lineno = 0;
    part.progress = 0;
    part.share = &peer_lines;
    part.peer = 0;
    if ((part.rules = lmdbacl_rules_create()) == 0) {
	source_lines(st);
	return;
    }
    if (pthread_create(&thread, 0, source_lines_run, &part) != 0) {
	lmdbacl_rules_free(part.rules);
	source_lines(st);
	return;
    }
    st->end = half;
    st->peer = &peer_lines;
    source_lines(st);
    st->peer = 0;
    if (!st->fail)
	(void) lmdbacl_rules_presort(st->rules);
    (void) pthread_join(thread, 0);
    if (part.fail || part.nomem)
	st->nomem = 1;
    if (!st->fail
	&& lmdbacl_rules_merge(st->rules, part.rules, st->lineno) < 0)
	st->fail = 1;
    source_notes_join(st, &part, st->lineno);
    st->lineno += part.lineno;
    lmdbacl_rules_free(part.rules);
}

/* lmdbacl_source_read - read a whole source file into rules */

int     lmdbacl_source_read(const char *path, LMDBACL_RULES *rules,
			            const LMDBACL_SOURCE_OPTS *opts,
			            LMDBACL_ERR *err)
{
    SOURCE_STATE st;
    char   *text;
    size_t  text_len;
    int     fail = 0;

    memset(&st, 0, sizeof(st));
    st.path = path;
    st.opts = opts;
    st.rules = rules;

    /*
     * A fresh rule set takes the whole file at once and finds duplicates
     * with one sort; one that already holds rules takes them one at a
     * time, each checked against what is there.
     */
    st.bulk = (lmdbacl_rules_count(rules) == 0);
    if ((text = source_slurp(path, &text_len, err)) == 0)
	return (err ? err->code : LMDBACL_ESYSTEM);
    if (lmdbacl_rules_adopt(rules, text) < 0) {
	free(text);
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				path));
    }
    st.text = text;
    st.end = text + text_len;
    st.progress = (opts->progress != 0);
    if (st.bulk && text_len >= SOURCE_SPLIT_MIN)
	source_read_halves(&st);
    else
	source_lines(&st);
    fail = st.fail;
    if (!fail && st.bulk
	&& lmdbacl_rules_settle(rules, opts->replace ? LMDBACL_ADD_REPLACE :
				LMDBACL_ADD_KEEP, source_dup, &st) < 0)
	fail = 1;
    source_flush(&st);
    if (fail || st.nomem)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				path));
    if (opts->progress)
	opts->progress(opts->progress_ctx, st.lineno);
    if (lmdbacl_rules_same_nets(rules, source_same_net, &st) < 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: out of memory",
				path));
    if (st.errors > 0)
	return (lmdbacl_err_set(err, LMDBACL_ESYNTAX, "%s: %lu error%s",
				path, st.errors, st.errors == 1 ? "" : "s"));
    return (LMDBACL_OK);
}
