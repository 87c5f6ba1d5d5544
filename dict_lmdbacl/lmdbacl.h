#ifndef _LMDBACL_H_INCLUDED_
#define _LMDBACL_H_INCLUDED_

/*++
/* NAME
/*	lmdbacl 3h
/* SUMMARY
/*	access(5) tables with wildcard and CIDR keys, served from LMDB
/* SYNOPSIS
/*	#include "lmdbacl.h"
/* DESCRIPTION
/*	This is the one public header of the lmdbacl engine. The engine
/*	knows nothing about Postfix: the plugin (dict_lmdbacl.c) and the
/*	command (tools/lmdbacl.c) are thin callers of it, so that
/*	"postmap lmdbacl:FILE" and "lmdbacl compile FILE" cannot drift.
/*
/*	The engine never prints and never exits. Functions that can fail
/*	return an LMDBACL_E* code and fill in an LMDBACL_ERR with a
/*	message that names the file and, where there is one, the line.
/*	Source diagnostics (one per bad line) go to a caller-supplied
/*	callback, so that a compile can list every error.
/*
/*	Pieces, one file each:
/* .IP lmdbacl_key.c
/*	parse and normalise one access(5) key (exact, *.domain, .domain,
/*	CIDR, truncated address).
/* .IP lmdbacl_addr.c
/*	IPv4/IPv6 address text to bytes and back, network arithmetic.
/* .IP lmdbacl_rules.c
/*	the in-memory rule set that a build or an update assembles.
/* .IP lmdbacl_source.c
/*	read access(5) text exactly as postmap(1) does.
/* .IP lmdbacl_store.c
/*	the snapshot file: build, atomic replace, open, raw probes.
/* .IP lmdbacl_match.c
/*	the lookup semantics (SPEC section 4).
/* .IP lmdbacl_import.c
/*	read existing cdb: and lmdb: maps.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

 /*
  * Result codes. Zero is success; LMDBACL_NOTFOUND is not an error.
  */
#define LMDBACL_OK		0
#define LMDBACL_NOTFOUND	1	/* lookup or delete: no such key */
#define LMDBACL_ESYNTAX		3	/* bad source text or key */
#define LMDBACL_EUNAVAIL	4	/* table missing, empty, truncated */
#define LMDBACL_EFORMAT		5	/* not an lmdbacl file, or newer format */
#define LMDBACL_ESYSTEM		6	/* I/O, memory, lock, LMDB failure */

 /*
  * Format version of the table file. A file with a larger version is
  * refused with a message that says so. Format 2 keeps exact and
  * wildcard rules in a hash index (lmdbacl_int.h), format 3 also the
  * network ranges in one sorted record per family; format 1 and 2 files
  * are still read.
  */
#define LMDBACL_FORMAT_VERSION	3

 /*
  * Longest key (in bytes, after folding) that a table can hold. LMDB's
  * default key limit is 511 bytes; one byte is the record tag.
  */
#define LMDBACL_KEY_MAX		510

#define LMDBACL_ERR_SIZE	512

typedef struct LMDBACL_ERR {
    int     code;			/* LMDBACL_E* */
    char    msg[LMDBACL_ERR_SIZE];	/* "file:line: cause" or "file: cause" */
} LMDBACL_ERR;

 /*
  * Severity of a source diagnostic.
  */
#define LMDBACL_DIAG_WARNING	1
#define LMDBACL_DIAG_ERROR	2

 /*
  * Diagnostic callback: file may be null (keys given by a caller such as
  * postmap), line is 0 when unknown. msg has no trailing newline.
  */
typedef void (*LMDBACL_DIAG_FN) (void *ctx, int severity, const char *file,
				         unsigned line, const char *msg);

 /*
  * Key kinds (lmdbacl_key.c).
  */
#define LMDBACL_KIND_EXACT	1	/* plain key, exactly as in hash: */
#define LMDBACL_KIND_WILD	2	/* *.p or .p: strict subdomains of p */
#define LMDBACL_KIND_NET	3	/* a.b.c.d/n or x::/n */

#define LMDBACL_AF_INET		4
#define LMDBACL_AF_INET6	6

typedef struct LMDBACL_KEY {
    int     kind;			/* LMDBACL_KIND_* */
    char    text[LMDBACL_KEY_MAX + 1];	/* EXACT: folded key; WILD: p;
					 * NET: canonical "addr/len" */
    int     is_net;			/* EXACT keys that are also networks
					 * (192.0.2, 192.0.2.10, 2001:db8:1,
					 * full IPv6 address), and NET */
    int     family;			/* LMDBACL_AF_* when is_net */
    unsigned char addr[16];		/* network address, host bits zero */
    int     plen;			/* prefix length */
} LMDBACL_KEY;

 /*
  * Parse one key as written in a source (already split from its value,
  * possibly double-quoted: quotes stay part of the key, as in postmap).
  * The key is folded to lower case (ASCII). On error, returns
  * LMDBACL_ESYNTAX and writes a message that says what to write instead
  * into why (why_len bytes).
  */
extern int lmdbacl_key_parse(const char *raw, LMDBACL_KEY *key,
			             char *why, size_t why_len);

 /*
  * Fold a key or query to lower case in place (ASCII letters only).
  */
extern void lmdbacl_fold(char *text);

 /*
  * Full (ICU) case folding of UTF-8 text into dst, as Postfix casefold().
  * Returns the folded length, or -1 when dst is too small or the text is
  * not valid UTF-8.
  */
extern int lmdbacl_fold_utf8(const char *src, char *dst, size_t dst_len);

 /*
  * Address handling (lmdbacl_addr.c). lmdbacl_addr_parse() accepts an
  * IPv4 dotted quad or IPv6 in any text form, optionally in [brackets],
  * with an optional %scope suffix that is dropped. Returns the family
  * (LMDBACL_AF_*), or 0 when the text is not an address.
  */
extern int lmdbacl_addr_parse(const char *text, unsigned char addr[16]);
extern size_t lmdbacl_addr_len(int family);
extern void lmdbacl_addr_format(int family, const unsigned char *addr,
				        char *buf, size_t len);
extern int lmdbacl_addr_host_bits_zero(int family, const unsigned char *addr,
				               int plen);

 /*
  * The rule set (lmdbacl_rules.c): what a build or an update assembles
  * in memory before it writes a snapshot. Adding a duplicate key keeps
  * the first value unless replace is set.
  */
typedef struct LMDBACL_RULE {
    int     kind;			/* LMDBACL_KIND_* */
    const char *key;			/* LMDBACL_KEY.text */
    const char *value;
    unsigned line;			/* source line, 0 when unknown */
    int     is_net;			/* network attributes as in LMDBACL_KEY */
    int     family;
    int     plen;
    unsigned char addr[16];
} LMDBACL_RULE;

typedef struct LMDBACL_RULES LMDBACL_RULES;

#define LMDBACL_ADD_KEEP	0	/* duplicate: keep the first */
#define LMDBACL_ADD_REPLACE	1	/* duplicate: take the new value */

extern LMDBACL_RULES *lmdbacl_rules_create(void);
extern void lmdbacl_rules_free(LMDBACL_RULES *);

 /*
  * Add a parsed key. Returns LMDBACL_OK; LMDBACL_DUP when the key was
  * already present (*first is then the line of the earlier entry); -1
  * when out of memory.
  */
#define LMDBACL_DUP		1
extern int lmdbacl_rules_add(LMDBACL_RULES *, const LMDBACL_KEY *,
			             const char *value, unsigned line,
			             int mode, unsigned *first);
extern int lmdbacl_rules_delete(LMDBACL_RULES *, const LMDBACL_KEY *);
extern const LMDBACL_RULE *lmdbacl_rules_find(LMDBACL_RULES *, int kind,
					              const char *key);
extern size_t lmdbacl_rules_count(const LMDBACL_RULES *);

 /*
  * Visit live rules in storage order (sorted, independent of the order
  * of addition).
  */
typedef int (*LMDBACL_RULE_FN) (void *ctx, const LMDBACL_RULE *);
extern int lmdbacl_rules_walk(LMDBACL_RULES *, LMDBACL_RULE_FN, void *ctx);

 /*
  * The same order as an array (caller frees the array, not the rules);
  * null when out of memory.
  */
extern const LMDBACL_RULE **lmdbacl_rules_sorted(LMDBACL_RULES *, size_t *n);

 /*
  * The same network written in two forms (192.0.2 and 192.0.2.0/24) is a
  * duplicate too: report calls fn for each later one with the rule that
  * wins (the lower line). Returns the number reported, -1 out of memory.
  */
typedef void (*LMDBACL_SAME_NET_FN) (void *ctx, const LMDBACL_RULE *later,
				             const LMDBACL_RULE *first);
extern int lmdbacl_rules_same_nets(LMDBACL_RULES *, LMDBACL_SAME_NET_FN,
				           void *ctx);

 /*
  * Source reader (lmdbacl_source.c): read access(5) text from path into
  * rules. Reports each problem through diag (file:line of the first
  * physical line of the entry). With strict set, warnings count as
  * errors. Returns LMDBACL_OK when no error was reported, LMDBACL_ESYNTAX
  * when at least one was (err says how many), LMDBACL_ESYSTEM when the
  * file cannot be read. progress, when not null, is called every
  * 65536 lines with the line count.
  */
typedef void (*LMDBACL_PROGRESS_FN) (void *ctx, unsigned long lines);

typedef struct LMDBACL_SOURCE_OPTS {
    int     strict;
    int     replace;			/* duplicates: the later wins, quietly
					 * (postmap -r) */
    LMDBACL_DIAG_FN diag;
    void   *diag_ctx;
    LMDBACL_PROGRESS_FN progress;
    void   *progress_ctx;
} LMDBACL_SOURCE_OPTS;

extern int lmdbacl_source_read(const char *path, LMDBACL_RULES *rules,
			               const LMDBACL_SOURCE_OPTS *opts,
			               LMDBACL_ERR *err);

 /*
  * Split one logical line into key and value in place, exactly as
  * postmap does (key ends at the first unquoted, unescaped white space;
  * value trimmed). Returns 0, or -1 with *why set.
  */
extern int lmdbacl_source_split(char *line, char **key, char **value,
				        const char **why);


 /*
  * Snapshot store (lmdbacl_store.c).
  *
  * lmdbacl_path() maps a table name to its file: NAME.lmdbacl (caller
  * frees the result). A change of the table file path is written as a
  * new snapshot beside it (path.new), synced, then renamed into place.
  * Writers serialise with an exclusive fcntl lock on the current file.
  */
extern char *lmdbacl_path(const char *name);

typedef struct LMDBACL_WRITER LMDBACL_WRITER;

 /*
  * Begin a change of the table file path: take the writer lock (creating
  * an empty placeholder only when no table exists yet) and, when load is
  * set, read the current rules into *rules. Commit writes the new
  * snapshot and releases the lock (diag and ctx are reserved for build
  * warnings; none are reported today); abort releases it and leaves the
  * old table serving.
  *
  * lmdbacl_writer_build() is the part of commit before the rename: it
  * writes and syncs path.new and returns LMDBACL_OK or an error (the
  * writer stays valid either way). It calls no callback and uses no
  * global state, so it may run on another thread than the caller of
  * begin, as long as nothing else uses the writer or the rules
  * meanwhile. A later commit installs what it built; abort removes it.
  */
extern LMDBACL_WRITER *lmdbacl_writer_begin(const char *path, int load,
					            LMDBACL_RULES **rules,
					            LMDBACL_ERR *err);
extern int lmdbacl_writer_commit(LMDBACL_WRITER *, LMDBACL_RULES *,
				         LMDBACL_DIAG_FN, void *ctx,
				         LMDBACL_ERR *err);
extern int lmdbacl_writer_build(LMDBACL_WRITER *, LMDBACL_RULES *,
				        LMDBACL_ERR *err);
extern void lmdbacl_writer_abort(LMDBACL_WRITER *);

 /*
  * Readers. lmdbacl_open() opens a snapshot read-only with no lock file
  * and keeps one read transaction for the life of the handle: lookups
  * make no system call. fd is the open descriptor (for change
  * detection), mtime the file's modification time at open.
  */
typedef struct LMDBACL LMDBACL;

extern LMDBACL *lmdbacl_open(const char *path, LMDBACL_ERR *err);
extern void lmdbacl_close(LMDBACL *);
extern int lmdbacl_fd(const LMDBACL *);
extern time_t lmdbacl_mtime(const LMDBACL *);

 /*
  * Read every rule of an open table back (for dump, update, sequence).
  */
extern int lmdbacl_load_rules(LMDBACL *, LMDBACL_RULES *, LMDBACL_ERR *);

typedef struct LMDBACL_STATS {
    unsigned long exact;
    unsigned long wild;
    unsigned long nets;			/* network rules (CIDR and address) */
    unsigned long segments;		/* disjoint address ranges stored */
    unsigned format;
    off_t   file_size;
} LMDBACL_STATS;

extern int lmdbacl_stats(LMDBACL *, LMDBACL_STATS *);

 /*
  * Matcher (lmdbacl_match.c). lmdbacl_lookup() answers one query as
  * SPEC section 4 says. query must already be folded. The returned value
  * points into the mapped file and stays valid until lmdbacl_close();
  * the rule text stays valid until the next lookup on the table.
  * Returns LMDBACL_OK, LMDBACL_NOTFOUND, or LMDBACL_EFORMAT when the file
  * is damaged.
  */
#define LMDBACL_HOW_EXACT	1	/* the key itself */
#define LMDBACL_HOW_WILD	2	/* *.p at ancestor p */
#define LMDBACL_HOW_PARENT	3	/* plain p, parent style */
#define LMDBACL_HOW_NET		4	/* longest-prefix network */

typedef struct LMDBACL_MATCH {
    const char *value;			/* the answer */
    const char *rule;			/* the rule's key as stored */
    size_t  rule_len;
    unsigned line;			/* source line of the rule, 0 unknown */
    int     how;			/* LMDBACL_HOW_* */
    int     plen;			/* NET: prefix length */
} LMDBACL_MATCH;

extern int lmdbacl_lookup(LMDBACL *, const char *query, int parent_style,
			          LMDBACL_MATCH *match);

 /*
  * Import (lmdbacl_import.c): read every key/value of an existing
  * Postfix cdb: or lmdb: map (as postmap wrote it: keys and values
  * null-terminated or not) into rules, through the same key parser.
  */
extern int lmdbacl_import(const char *type, const char *path,
			          LMDBACL_RULES *rules, int strict,
			          LMDBACL_DIAG_FN diag, void *ctx,
			          LMDBACL_ERR *err);

 /*
  * Shared helper: format an error.
  */
extern int lmdbacl_err_set(LMDBACL_ERR *err, int code, const char *fmt,...)
#ifdef __GNUC__
	__attribute__((format(printf, 3, 4)))
#endif
;

#endif
