/*++
/* NAME
/*	lmdbacl 1
/* SUMMARY
/*	compile, check, query and maintain lmdbacl access tables
/* SYNOPSIS
/*	lmdbacl compile [--strict] SOURCE [TABLE]
/*	lmdbacl check [--strict] SOURCE...
/*	lmdbacl query [--explain] [--parent-style=yes|no|auto]
/*		[--as helo|client|sender|recipient] [--delimiter=CHARS]
/*		TABLE KEY...|-
/*	lmdbacl dump TABLE
/*	lmdbacl add TABLE KEY VALUE...|-
/*	lmdbacl del TABLE KEY...|-
/*	lmdbacl import [--strict] cdb:NAME|lmdb:NAME [TABLE]
/*	lmdbacl stats TABLE
/* DESCRIPTION
/*	The command-line face of the lmdbacl engine; the full manual is
/*	tools/lmdbacl.1. This file only parses arguments, calls the
/*	engine, and turns its results into output and an exit status:
/*	0 success or found, 1 not found, 2 usage, 3 bad input (syntax or
/*	key errors), 4 table unavailable or not an lmdbacl table, 5 system
/*	error (I/O, lock, memory, disk full).
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

 /*
  * Application-specific.
  */
#include "lmdbacl.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define EXIT_FOUND	0
#define EXIT_NOTFOUND	1
#define EXIT_USAGE	2
#define EXIT_INPUT	3
#define EXIT_UNAVAIL	4
#define EXIT_SYSTEM	5

static const char *progname = "lmdbacl";
static const char *config_dir = 0;

 /*
  * What a command allocates lives until the process exits, and many paths
  * end in exit(): release it all at exit, so that memory checkers see no
  * leak on any path.
  */
#define OWN_MAX 32

typedef struct OWNED {
    void    (*release) (void *);
    void   *ptr;
} OWNED;

static OWNED owned[OWN_MAX];
static int nowned;

static void release_owned(void)
{
    while (nowned > 0) {
	nowned--;
	owned[nowned].release(owned[nowned].ptr);
    }
}

static void *own(void (*release) (void *), void *ptr)
{
    if (ptr == 0) {
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(5);
    }
    if (nowned == OWN_MAX) {
	fprintf(stderr, "%s: internal error: too many allocations\n", progname);
	exit(5);
    }
    owned[nowned].release = release;
    owned[nowned].ptr = ptr;
    nowned++;
    return (ptr);
}

static void release_rules(void *ptr)
{
    lmdbacl_rules_free((LMDBACL_RULES *) ptr);
}

static void release_table(void *ptr)
{
    lmdbacl_close((LMDBACL *) ptr);
}

#define OWN_MEM(p)	own(free, (p))
#define OWN_RULES(p)	((LMDBACL_RULES *) own(release_rules, (p)))
#define OWN_TABLE(p)	((LMDBACL *) own(release_table, (p)))

static const char usage_text[] =
"Usage: lmdbacl [-c CONFIG_DIR] COMMAND [OPTIONS] ARGS\n"
"\n"
"Compile and query Postfix access(5) tables with *.domain wildcards and\n"
"CIDR networks, served by the lmdbacl: table type.\n"
"\n"
"Commands:\n"
"  compile [--strict] SOURCE [TABLE]   build TABLE.lmdbacl (default SOURCE.lmdbacl)\n"
"                                      atomically; on any error nothing changes\n"
"  check [--strict] SOURCE...          report every syntax and key error\n"
"  query [--explain] [--parent-style=yes|no|auto]\n"
"        [--as helo|client|sender|recipient] [--delimiter=CHARS] TABLE KEY...|-\n"
"                                      look keys up as smtpd would; with --as,\n"
"                                      run smtpd's whole lookup sequence (client\n"
"                                      as name[address]) and print the decision\n"
"  dump TABLE                          print the rules as access(5) text\n"
"  add TABLE KEY VALUE...|-            add or replace entries (one new snapshot)\n"
"  del TABLE KEY...|-                  delete entries (one new snapshot)\n"
"  import [--strict] cdb:NAME|lmdb:NAME [TABLE]\n"
"                                      convert an existing Postfix map\n"
"  stats TABLE                         counts, format version, file size\n"
"\n"
"TABLE is lmdbacl:NAME or NAME; the file is NAME.lmdbacl.\n"
"Options: -c DIR  Postfix configuration directory (for --parent-style=auto)\n"
"         --help, --version\n"
"Exit status: 0 found/success, 1 not found, 2 usage, 3 bad input,\n"
"4 table unavailable, 5 system error.  See lmdbacl(1), lmdbacl_table(5).\n";

/* usage - complain and exit */

static void usage(const char *fmt,...)
{
    va_list ap;

    if (fmt) {
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'lmdbacl --help'.\n");
    }
    exit(EXIT_USAGE);
}

/* exit_for - exit status for an engine error */

static int exit_for(int code)
{
    switch (code) {
    case LMDBACL_OK:
	return (EXIT_FOUND);
    case LMDBACL_NOTFOUND:
	return (EXIT_NOTFOUND);
    case LMDBACL_ESYNTAX:
	return (EXIT_INPUT);
    case LMDBACL_EUNAVAIL:
    case LMDBACL_EFORMAT:
	return (EXIT_UNAVAIL);
    default:
	return (EXIT_SYSTEM);
    }
}

/* fail - report an engine error and exit */

static void fail(const LMDBACL_ERR *err)
{
    fprintf(stderr, "%s: %s\n", progname, err->msg);
    exit(exit_for(err->code));
}

 /*
  * Diagnostics from the engine.
  */
typedef struct DIAG_CTX {
    const char *file;			/* when the engine has none */
    unsigned long errors;
} DIAG_CTX;

static void print_diag(void *ctx, int severity, const char *file,
		               unsigned line, const char *msg)
{
    DIAG_CTX *dc = ctx;

    if (file == 0)
	file = dc && dc->file ? dc->file : "(input)";
    if (severity == LMDBACL_DIAG_ERROR && dc)
	dc->errors++;
    if (line)
	fprintf(stderr, "%s: %s:%u: %s%s\n", progname, file, line,
		severity == LMDBACL_DIAG_WARNING ? "warning: " : "", msg);
    else
	fprintf(stderr, "%s: %s: %s%s\n", progname, file,
		severity == LMDBACL_DIAG_WARNING ? "warning: " : "", msg);
}

 /*
  * Progress on a terminal, quiet otherwise.
  */
static void show_progress(void *ctx, unsigned long lines)
{
    fprintf(stderr, "\r%s: %s: %lu lines", progname, (const char *) ctx, lines);
    fflush(stderr);
}

/* table_path - TABLE argument to the .lmdbacl file */

static char *table_path(const char *arg)
{
    size_t  len;
    char   *path;

    if (strncmp(arg, "lmdbacl:", 8) == 0)
	arg += 8;
    len = strlen(arg);
    if (len == 0)
	usage("empty table name");
    if (len > 8 && strcmp(arg + len - 8, ".lmdbacl") == 0)
	path = strdup(arg);
    else
	path = lmdbacl_path(arg);
    return (OWN_MEM(path));
}

/* open_table - open or exit */

static LMDBACL *open_table(const char *arg, char **pathp)
{
    LMDBACL_ERR err;
    LMDBACL *t;
    char   *path = table_path(arg);

    if ((t = lmdbacl_open(path, &err)) == 0)
	fail(&err);
    if (pathp)
	*pathp = path;
    return (OWN_TABLE(t));
}

/* parse_strict - the one option of compile, check, import */

static int parse_common(int argc, char **argv, int *strict)
{
    static const struct option opts[] = {
	{"strict", no_argument, 0, 's'},
	{"help", no_argument, 0, 'h'},
	{0, 0, 0, 0},
    };
    int     ch;

    *strict = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+s", opts, 0)) != -1) {
	switch (ch) {
	case 's':
	    *strict = 1;
	    break;
	case 'h':
	    fputs(usage_text, stdout);
	    exit(0);
	default:
	    usage(0);
	}
    }
    return (optind);
}

/* install_rules - rules as the new snapshot of path, or nothing */

static int install_rules(const char *path, LMDBACL_RULES *rules, DIAG_CTX *dc)
{
    LMDBACL_RULES *old;
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;

    if ((w = lmdbacl_writer_begin(path, 0, &old, &err)) == 0)
	fail(&err);
    lmdbacl_rules_free(old);
    if (lmdbacl_writer_commit(w, rules, print_diag, dc, &err) != LMDBACL_OK) {
	fprintf(stderr, "%s: %s; %s left unchanged\n", progname, err.msg, path);
	return (exit_for(err.code));
    }
    return (0);
}

/* cmd_compile - source to snapshot, atomically */

static int cmd_compile(int argc, char **argv)
{
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_RULES *rules;
    LMDBACL_ERR err;
    DIAG_CTX dc;
    const char *source;
    char   *path;
    int     strict;
    int     i = parse_common(argc, argv, &strict);
    int     rc;

    if (argc - i < 1 || argc - i > 2)
	usage("compile: expected SOURCE [TABLE]");
    source = argv[i];
    path = table_path(argc - i == 2 ? argv[i + 1] : source);
    memset(&opts, 0, sizeof(opts));
    memset(&dc, 0, sizeof(dc));
    dc.file = source;
    opts.strict = strict;
    opts.diag = print_diag;
    opts.diag_ctx = &dc;
    if (isatty(2)) {
	opts.progress = show_progress;
	opts.progress_ctx = (void *) source;
    }
    rules = OWN_RULES(lmdbacl_rules_create());
    rc = lmdbacl_source_read(source, rules, &opts, &err);
    if (opts.progress)
	fputc('\n', stderr);
    if (rc != LMDBACL_OK) {
	fprintf(stderr, "%s: %s; %s left unchanged\n", progname, err.msg, path);
	return (exit_for(rc));
    }
    return (install_rules(path, rules, &dc));
}

/* cmd_check - every error, nothing written */

static int cmd_check(int argc, char **argv)
{
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_ERR err;
    DIAG_CTX dc;
    int     strict;
    int     i = parse_common(argc, argv, &strict);
    int     status = 0;
    int     rc;

    if (argc - i < 1)
	usage("check: expected SOURCE...");
    for (; i < argc; i++) {
	LMDBACL_RULES *rules = OWN_RULES(lmdbacl_rules_create());

	memset(&opts, 0, sizeof(opts));
	memset(&dc, 0, sizeof(dc));
	dc.file = argv[i];
	opts.strict = strict;
	opts.diag = print_diag;
	opts.diag_ctx = &dc;
	rc = lmdbacl_source_read(argv[i], rules, &opts, &err);
	if (rc != LMDBACL_OK) {
	    fprintf(stderr, "%s: %s\n", progname, err.msg);
	    if (exit_for(rc) > status)
		status = exit_for(rc);
	}
    }
    return (status);
}

/* postconf_parent_style - does the running Postfix use parent style? */

static int postconf_parent_style(void)
{
    char    cmd[1024];
    char    buf[4096];
    FILE   *fp;
    const char *dir = config_dir ? config_dir : getenv("MAIL_CONFIG");
    char   *tok;
    int     parent = 1;			/* Postfix's default */
    size_t  n;

    if (dir && strchr(dir, '\''))
	return (parent);

    /*
     * No main.cf: Postfix's defaults apply, and postconf would only die
     * (after the one-second sleep of every Postfix fatal error).
     */
    snprintf(cmd, sizeof(cmd), "%s/main.cf", dir ? dir : "/etc/postfix");
    if (access(cmd, R_OK) != 0)
	return (parent);
    if (dir)
	snprintf(cmd, sizeof(cmd), "postconf -c '%s' -h"
		 " parent_domain_matches_subdomains 2>/dev/null", dir);
    else
	snprintf(cmd, sizeof(cmd), "postconf -h"
		 " parent_domain_matches_subdomains 2>/dev/null");
    if ((fp = popen(cmd, "r")) == 0)
	return (parent);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = 0;
    if (pclose(fp) != 0 || n == 0)
	return (parent);
    parent = 0;
    for (tok = strtok(buf, ", \t\r\n"); tok; tok = strtok(0, ", \t\r\n"))
	if (strcmp(tok, "smtpd_access_maps") == 0)
	    parent = 1;
    return (parent);
}

 /*
  * query.
  */
typedef struct QUERY {
    LMDBACL *table;
    int     parent_style;
    int     explain;
    int     keyed;			/* print "key<TAB>value" */
} QUERY;

static const char *how_text(int how)
{
    switch (how) {
    case LMDBACL_HOW_EXACT:
	return ("exact key");
    case LMDBACL_HOW_WILD:
	return ("wildcard: any subdomain");
    case LMDBACL_HOW_PARENT:
	return ("parent domain (parent_domain_matches_subdomains"
		" includes smtpd_access_maps)");
    case LMDBACL_HOW_NET:
	return ("longest-prefix network");
    default:
	return ("?");
    }
}

/* print_rule - the rule as the administrator wrote it */

static void print_rule(const LMDBACL_MATCH *m)
{
    if (m->how == LMDBACL_HOW_WILD)
	printf("*.%.*s", (int) m->rule_len, m->rule);
    else
	printf("%.*s", (int) m->rule_len, m->rule);
}

static void explain(const char *query, int rc, const LMDBACL_MATCH *m,
		            int parent_style)
{
    if (rc == LMDBACL_OK) {
	printf("%s: %s\n    rule \"", query, m->value);
	print_rule(m);
	printf("\"");
	if (m->line)
	    printf(" (line %u)", m->line);
	printf(": %s", how_text(m->how));
	if (m->how == LMDBACL_HOW_NET)
	    printf(", /%d", m->plen);
	printf("\n");
    } else {
	printf("%s: not found\n    searched: exact key", query);
	if (strchr(query, '@') == 0) {
	    unsigned char addr[16];

	    if (query[0] != '[' && lmdbacl_addr_parse(query, addr))
		printf(", networks containing the address");
	    else if (strchr(query, ':') == 0)
		printf(", *.parent for each parent domain%s",
		       parent_style ? " and plain parent domains" : "");
	}
	printf("\n");
    }
}

static int lookup_one(QUERY *q, const char *key, LMDBACL_MATCH *m)
{
    char   *buf;
    int     rc;

    if ((buf = strdup(key)) == 0) {
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(EXIT_SYSTEM);
    }
    lmdbacl_fold(buf);
    rc = lmdbacl_lookup(q->table, buf, q->parent_style, m);
    free(buf);
    if (rc == LMDBACL_EFORMAT) {
	fprintf(stderr, "%s: damaged table record while looking up \"%s\"\n",
		progname, key);
	exit(EXIT_UNAVAIL);
    }
    return (rc);
}

static int query_key(QUERY *q, const char *key)
{
    LMDBACL_MATCH m;
    int     rc = lookup_one(q, key, &m);

    if (q->explain)
	explain(key, rc, &m, q->parent_style);
    else if (rc == LMDBACL_OK && q->keyed)
	printf("%s\t%s\n", key, m.value);
    else if (rc == LMDBACL_OK)
	printf("%s\n", m.value);
    return (rc == LMDBACL_OK);
}

 /*
  * smtpd's lookup sequences (smtpd_check.c, mail_addr_find.c), so that
  * "--as" shows what smtpd concludes from the table.
  */
typedef struct SEQ {
    QUERY  *q;
    int     found;
    LMDBACL_MATCH m;
    char    asked[LMDBACL_KEY_MAX + 1];
} SEQ;

static int seq_ask(SEQ *s, const char *key, int partial)
{
    int     rc = lookup_one(s->q, key, &s->m);

    if (s->q->explain)
	printf("    query \"%s\"%s: %s\n", key, partial ? " (partial)" : "",
	       rc == LMDBACL_OK ? s->m.value : "not found");
    if (rc == LMDBACL_OK) {
	s->found = 1;
	snprintf(s->asked, sizeof(s->asked), "%s", key);
    }
    return (rc == LMDBACL_OK);
}

/* seq_domain - check_domain_access() */

static int seq_domain(SEQ *s, const char *domain)
{
    const char *name;
    const char *next;
    unsigned char addr[16];
    int     partial = 0;

    for (name = domain; *name; name = next) {
	if (seq_ask(s, name, partial))
	    return (1);
	/* smtpd: no subdomain magic for numerical host names */
	if (lmdbacl_addr_parse(domain, addr))
	    break;
	if ((next = strchr(name + 1, '.')) == 0)
	    break;
	if (s->q->parent_style)
	    next += 1;
	partial = 1;
    }
    return (0);
}

/* seq_addr - check_addr_access() */

static int seq_addr(SEQ *s, const char *address)
{
    char    buf[LMDBACL_KEY_MAX + 1];
    int     delim = strchr(address, ':') ? ':' : '.';
    char   *cp;
    int     partial = 0;

    snprintf(buf, sizeof(buf), "%s", address);
    do {
	if (seq_ask(s, buf, partial))
	    return (1);
	partial = 1;
    } while ((cp = strrchr(buf, delim)) != 0 && (*cp = 0, 1));
    return (0);
}

/* seq_mail - mail_addr_find() with smtpd's access strategy */

static int seq_mail(SEQ *s, const char *address, const char *delim)
{
    char    full[LMDBACL_KEY_MAX + 1];
    char    bare[LMDBACL_KEY_MAX + 1];
    char    local[LMDBACL_KEY_MAX + 2];
    char   *at;
    const char *name;
    const char *next;

    snprintf(full, sizeof(full), "%s", address);
    lmdbacl_fold(full);
    if ((at = strrchr(full, '@')) == 0) {
	fprintf(stderr, "%s: \"%s\" is not user@domain\n", progname, address);
	exit(EXIT_USAGE);
    }
    bare[0] = 0;
    if (delim && *delim) {
	char   *ext = strpbrk(full, delim);

	if (ext && ext < at) {
	    snprintf(bare, sizeof(bare), "%.*s%s", (int) (ext - full), full, at);
	}
    }
    if (seq_ask(s, full, 0))
	return (1);
    if (bare[0] && seq_ask(s, bare, 1))
	return (1);
    for (name = at + 1; *name; name = next) {
	if (seq_ask(s, name, 1))
	    return (1);
	if ((next = strchr(name + 1, '.')) == 0)
	    break;
	if (s->q->parent_style)
	    next++;
    }
    snprintf(local, sizeof(local), "%.*s@", (int) (at - full), full);
    if (seq_ask(s, local, 1))
	return (1);
    if (bare[0]) {
	char   *bat = strrchr(bare, '@');

	snprintf(local, sizeof(local), "%.*s@", (int) (bat - bare), bare);
	if (seq_ask(s, local, 1))
	    return (1);
    }
    return (0);
}

static int query_as(QUERY *q, const char *as, const char *arg,
		            const char *delim)
{
    SEQ     s;
    char    name[LMDBACL_KEY_MAX + 1];
    char    addr[LMDBACL_KEY_MAX + 1];
    const char *lb;
    const char *word;
    size_t  wlen;

    memset(&s, 0, sizeof(s));
    s.q = q;
    if (q->explain)
	printf("%s %s\n", as, arg);
    if (strcmp(as, "helo") == 0) {
	snprintf(name, sizeof(name), "%s", arg);
	lmdbacl_fold(name);
	seq_domain(&s, name);
    } else if (strcmp(as, "client") == 0) {
	size_t  len = strlen(arg);

	if ((lb = strchr(arg, '[')) == 0 || len < 3 || arg[len - 1] != ']'
	    || (size_t) (lb - arg) > LMDBACL_KEY_MAX || len - (lb - arg) > LMDBACL_KEY_MAX)
	    usage("query --as client: expected name[address], for example"
		  " unknown[192.0.2.1] or mail.example.com[192.0.2.1]");
	snprintf(name, sizeof(name), "%.*s", (int) (lb - arg), arg);
	snprintf(addr, sizeof(addr), "%.*s", (int) (len - (lb - arg) - 2), lb + 1);
	lmdbacl_fold(name);
	lmdbacl_fold(addr);
	if (!(*name && seq_domain(&s, name)))
	    seq_addr(&s, addr);
    } else if (strcmp(as, "sender") == 0 || strcmp(as, "recipient") == 0) {
	if (strcmp(arg, "<>") == 0 || *arg == 0) {
	    /* smtpd looks up the null sender as smtpd_null_access_lookup_key */
	    seq_ask(&s, "<>", 0);
	} else
	    seq_mail(&s, arg, delim);
    } else {
	usage("query --as: expected helo, client, sender or recipient");
    }
    if (s.found) {
	word = s.m.value;
	wlen = strcspn(word, " \t");
	if (q->explain) {
	    printf("    decision: %s\n    rule \"", s.m.value);
	    print_rule(&s.m);
	    printf("\"");
	    if (s.m.line)
		printf(" (line %u)", s.m.line);
	    printf(": %s\n", how_text(s.m.how));
	} else {
	    printf("%s %s: %.*s%s%s\n", as, arg, (int) wlen, word,
		   word[wlen] ? " " : "", word[wlen] ? word + wlen + 1 : "");
	}
    } else {
	if (q->explain)
	    printf("    decision: DUNNO (no rule matched; smtpd goes on with"
		   " the next restriction)\n");
	else
	    printf("%s %s: DUNNO (no rule matched)\n", as, arg);
    }
    return (s.found);
}

static int cmd_query(int argc, char **argv)
{
    static const struct option opts[] = {
	{"explain", no_argument, 0, 'e'},
	{"parent-style", required_argument, 0, 'p'},
	{"as", required_argument, 0, 'a'},
	{"delimiter", required_argument, 0, 'd'},
	{"help", no_argument, 0, 'h'},
	{0, 0, 0, 0},
    };
    QUERY   q;
    const char *as = 0;
    const char *style = "auto";
    const char *delim = 0;
    char   *line = 0;
    size_t  size = 0;
    ssize_t len;
    int     found = 0;
    int     ch;
    int     i;

    memset(&q, 0, sizeof(q));
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+e", opts, 0)) != -1) {
	switch (ch) {
	case 'e':
	    q.explain = 1;
	    break;
	case 'p':
	    style = optarg;
	    break;
	case 'a':
	    as = optarg;
	    break;
	case 'd':
	    delim = optarg;
	    break;
	case 'h':
	    fputs(usage_text, stdout);
	    exit(0);
	default:
	    usage(0);
	}
    }
    if (strcmp(style, "yes") == 0)
	q.parent_style = 1;
    else if (strcmp(style, "no") == 0)
	q.parent_style = 0;
    else if (strcmp(style, "auto") == 0)
	q.parent_style = postconf_parent_style();
    else
	usage("--parent-style: expected yes, no or auto");
    if (as && strcmp(as, "helo") && strcmp(as, "client") && strcmp(as, "sender")
	&& strcmp(as, "recipient"))
	usage("--as: expected helo, client, sender or recipient");
    if (argc - optind < 2)
	usage("query: expected TABLE KEY... or TABLE -");
    q.table = open_table(argv[optind], 0);
    i = optind + 1;
    if (argc - i == 1 && strcmp(argv[i], "-") == 0) {
	q.keyed = 1;
	while ((len = getline(&line, &size, stdin)) >= 0) {
	    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = 0;
	    if (len == 0)
		continue;
	    found |= as ? query_as(&q, as, line, delim) : query_key(&q, line);
	}
	free(line);
    } else {
	q.keyed = (argc - i > 1);
	for (; i < argc; i++)
	    found |= as ? query_as(&q, as, argv[i], delim) : query_key(&q, argv[i]);
    }
    if (fflush(stdout) != 0)
	return (EXIT_SYSTEM);
    return (found ? EXIT_FOUND : EXIT_NOTFOUND);
}

 /*
  * dump: the rules in the order of their source lines.
  */
static int by_line(const void *a, const void *b)
{
    const LMDBACL_RULE *ra = *(const LMDBACL_RULE *const *) a;
    const LMDBACL_RULE *rb = *(const LMDBACL_RULE *const *) b;

    if (ra->line != rb->line)
	return (ra->line < rb->line ? -1 : 1);
    return (strcmp(ra->key, rb->key));
}

static int cmd_dump(int argc, char **argv)
{
    LMDBACL *t;
    LMDBACL_RULES *rules;
    LMDBACL_ERR err;
    const LMDBACL_RULE **order;
    size_t  n;
    size_t  i;

    if (argc != 2)
	usage("dump: expected TABLE");
    t = open_table(argv[1], 0);
    rules = OWN_RULES(lmdbacl_rules_create());
    if (lmdbacl_load_rules(t, rules, &err) != LMDBACL_OK)
	fail(&err);
    order = OWN_MEM(lmdbacl_rules_sorted(rules, &n));
    qsort(order, n, sizeof(*order), by_line);
    for (i = 0; i < n; i++)
	printf("%s%s\t%s\n", order[i]->kind == LMDBACL_KIND_WILD ? "*." : "",
	       order[i]->key, order[i]->value);
    return (fflush(stdout) == 0 ? 0 : EXIT_SYSTEM);
}

/* cmd_update - add or del, one snapshot */

static int cmd_update(int argc, char **argv, int add)
{
    LMDBACL_RULES *rules;
    LMDBACL_WRITER *w;
    LMDBACL_ERR err;
    LMDBACL_KEY key;
    DIAG_CTX dc;
    char    why[LMDBACL_ERR_SIZE];
    char   *path;
    int     changed = 0;
    int     bad = 0;
    int     i;

    if (argc < 3 || (add && argc < 4 && strcmp(argv[2], "-") != 0))
	usage(add ? "add: expected TABLE KEY VALUE... or TABLE -" :
	      "del: expected TABLE KEY... or TABLE -");
    path = table_path(argv[1]);
    memset(&dc, 0, sizeof(dc));
    dc.file = path;
    if ((w = lmdbacl_writer_begin(path, 1, &rules, &err)) == 0)
	fail(&err);
    OWN_RULES(rules);
    if (add && strcmp(argv[2], "-") == 0) {
	LMDBACL_RULES *incoming = OWN_RULES(lmdbacl_rules_create());
	LMDBACL_SOURCE_OPTS opts;
	const LMDBACL_RULE **order;
	size_t  n;
	size_t  j;

	memset(&opts, 0, sizeof(opts));
	opts.diag = print_diag;
	opts.diag_ctx = &dc;
	if (lmdbacl_source_read("/dev/stdin", incoming, &opts,
				&err) != LMDBACL_OK) {
	    fprintf(stderr, "%s: %s; %s left unchanged\n", progname,
		    err.msg, path);
	    lmdbacl_writer_abort(w);
	    return (EXIT_INPUT);
	}
	order = lmdbacl_rules_sorted(incoming, &n);
	for (j = 0; order && j < n; j++) {
	    char    text[LMDBACL_KEY_MAX + 3];

	    snprintf(text, sizeof(text), "%s%s",
		     order[j]->kind == LMDBACL_KIND_WILD ? "*." : "",
		     order[j]->key);
	    if (lmdbacl_key_parse(text, &key, why, sizeof(why)) == LMDBACL_OK
		&& lmdbacl_rules_add(rules, &key, order[j]->value, 0,
				     LMDBACL_ADD_REPLACE, 0) >= 0)
		changed++;
	}
	free(order);
    } else if (add) {
	size_t  vlen = 0;
	char   *value;

	for (i = 3; i < argc; i++)
	    vlen += strlen(argv[i]) + 1;
	value = OWN_MEM(malloc(vlen + 1));
	value[0] = 0;
	for (i = 3; i < argc; i++) {
	    if (i > 3)
		strcat(value, " ");
	    strcat(value, argv[i]);
	}
	if (lmdbacl_key_parse(argv[2], &key, why, sizeof(why)) != LMDBACL_OK) {
	    fprintf(stderr, "%s: %s\n", progname, why);
	    lmdbacl_writer_abort(w);
	    return (EXIT_INPUT);
	}
	if (*value == 0) {
	    fprintf(stderr, "%s: empty value for \"%s\"\n", progname, argv[2]);
	    lmdbacl_writer_abort(w);
	    return (EXIT_INPUT);
	}
	if (lmdbacl_rules_add(rules, &key, value, 0, LMDBACL_ADD_REPLACE, 0) < 0)
	    return (EXIT_SYSTEM);
	changed++;
    } else {
	char   *line = 0;
	size_t  size = 0;
	ssize_t len;
	int     from_stdin = (argc == 3 && strcmp(argv[2], "-") == 0);

	for (i = 2; from_stdin || i < argc; i++) {
	    const char *k;

	    if (from_stdin) {
		if ((len = getline(&line, &size, stdin)) < 0)
		    break;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		    line[--len] = 0;
		if (len == 0)
		    continue;
		k = line;
	    } else
		k = argv[i];
	    if (lmdbacl_key_parse(k, &key, why, sizeof(why)) != LMDBACL_OK) {
		fprintf(stderr, "%s: %s\n", progname, why);
		bad++;
		continue;
	    }
	    if (lmdbacl_rules_delete(rules, &key) == LMDBACL_OK)
		changed++;
	}
	free(line);
	if (bad) {
	    fprintf(stderr, "%s: %s left unchanged\n", progname, path);
	    lmdbacl_writer_abort(w);
	    return (EXIT_INPUT);
	}
	if (changed == 0) {
	    lmdbacl_writer_abort(w);
	    return (EXIT_NOTFOUND);
	}
    }
    if (lmdbacl_writer_commit(w, rules, print_diag, &dc, &err) != LMDBACL_OK) {
	fprintf(stderr, "%s: %s; %s left unchanged\n", progname, err.msg, path);
	return (exit_for(err.code));
    }
    return (0);
}

/* cmd_import - cdb: or lmdb: map to a new lmdbacl table */

static int cmd_import(int argc, char **argv)
{
    LMDBACL_RULES *rules;
    LMDBACL_ERR err;
    int     rc;
    DIAG_CTX dc;
    int     strict;
    int     i = parse_common(argc, argv, &strict);
    const char *map;
    const char *colon;
    char    type[16];
    char   *file;
    char   *path;
    const char *name;

    if (argc - i < 1 || argc - i > 2)
	usage("import: expected cdb:NAME or lmdb:NAME, then optionally TABLE");
    map = argv[i];
    if ((colon = strchr(map, ':')) == 0 || colon - map >= (int) sizeof(type))
	usage("import: expected TYPE:NAME, as in cdb:/etc/postfix/access");
    snprintf(type, sizeof(type), "%.*s", (int) (colon - map), map);
    name = colon + 1;
    if (strcmp(type, "cdb") != 0 && strcmp(type, "lmdb") != 0)
	usage("import: unsupported map type \"%s\" (cdb and lmdb are)", type);
    file = OWN_MEM(malloc(strlen(name) + sizeof(type) + 2));
    sprintf(file, "%s.%s", name, type);
    path = table_path(argc - i == 2 ? argv[i + 1] : name);
    memset(&dc, 0, sizeof(dc));
    dc.file = file;
    rules = OWN_RULES(lmdbacl_rules_create());
    if (lmdbacl_import(type, file, rules, strict, print_diag, &dc, &err)
	!= LMDBACL_OK) {
	fprintf(stderr, "%s: %s; %s left unchanged\n", progname, err.msg, path);
	return (exit_for(err.code));
    }
    if ((rc = install_rules(path, rules, &dc)) != 0)
	return (rc);
    fprintf(stderr, "%s: %s: imported %zu entr%s into %s\n", progname, file,
	    lmdbacl_rules_count(rules),
	    lmdbacl_rules_count(rules) == 1 ? "y" : "ies", path);
    return (0);
}

static int cmd_stats(int argc, char **argv)
{
    LMDBACL *t;
    LMDBACL_STATS st;
    char   *path;

    if (argc != 2)
	usage("stats: expected TABLE");
    t = open_table(argv[1], &path);
    lmdbacl_stats(t, &st);
    printf("file\t%s\nformat\t%u\nsize\t%lld\nexact\t%lu\nwildcard\t%lu\n"
	   "network\t%lu\nranges\t%lu\n", path, st.format,
	   (long long) st.file_size, st.exact, st.wild, st.nets, st.segments);
    return (0);
}

int     main(int argc, char **argv)
{
    const char *cmd;

    atexit(release_owned);
    while (argc > 1 && argv[1][0] == '-') {
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
	    fputs(usage_text, stdout);
	    return (0);
	} else if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
	    printf("lmdbacl %s (table format %d)\n", PACKAGE_VERSION,
		   LMDBACL_FORMAT_VERSION);
	    return (0);
	} else if (strcmp(argv[1], "-c") == 0 && argc > 2) {
	    config_dir = argv[2];
	    argv += 2;
	    argc -= 2;
	} else {
	    usage("unknown option \"%s\"", argv[1]);
	}
    }
    if (argc < 2)
	usage("missing command");
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
	fputs(usage_text, stdout);
	return (0);
    }
    cmd = argv[1];
    argv++;
    argc--;
    if (strcmp(cmd, "compile") == 0)
	return (cmd_compile(argc, argv));
    if (strcmp(cmd, "check") == 0)
	return (cmd_check(argc, argv));
    if (strcmp(cmd, "query") == 0)
	return (cmd_query(argc, argv));
    if (strcmp(cmd, "dump") == 0)
	return (cmd_dump(argc, argv));
    if (strcmp(cmd, "add") == 0)
	return (cmd_update(argc, argv, 1));
    if (strcmp(cmd, "del") == 0)
	return (cmd_update(argc, argv, 0));
    if (strcmp(cmd, "import") == 0)
	return (cmd_import(argc, argv));
    if (strcmp(cmd, "stats") == 0)
	return (cmd_stats(argc, argv));
    if (strcmp(cmd, "help") == 0) {
	fputs(usage_text, stdout);
	return (0);
    }
    usage("unknown command \"%s\"", cmd);
    return (EXIT_USAGE);
}
