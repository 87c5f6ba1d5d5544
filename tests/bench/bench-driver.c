/*++
/* NAME
/*	bench-driver 1
/* SUMMARY
/*	replay smtpd's access-table lookups through Postfix's own dict API
/* SYNOPSIS
/*	MAIL_CONFIG=DIR bench-driver MODE TYPE:NAME QUERIES REPEAT
/* DESCRIPTION
/*	bench-driver opens one table the way smtpd opens its access maps
/*	(maps_create() with DICT_FLAG_LOCK | DICT_FLAG_FOLD_FIX |
/*	DICT_FLAG_UTF8_REQUEST), loads the dynamic maps of the Postfix
/*	configuration in MAIL_CONFIG (so lmdbacl:, lmdb:, cdb:, pcre: come
/*	from their plugins, as in smtpd), reads one query per line from
/*	QUERIES, and replays them REPEAT times with the lookup sequence of
/*	smtpd_check.c:
/* .IP plain
/*	one maps_find() per query (a fixed-string lookup).
/* .IP helo
/*	check_domain_access(): the name, then each parent domain as a
/*	partial (DICT_FLAG_FIXED) lookup, in the parent style of
/*	parent_domain_matches_subdomains; numerical names get no walk.
/* .IP client
/*	check_addr_access(): the address, then its truncations at '.' or
/*	':' as partial lookups.
/* .IP hold
/*	replay once, print the process's private memory in KiB
/*	(Private_Clean + Private_Dirty of /proc/self/smaps_rollup), then
/*	wait for end of file on standard input.
/* .PP
/*	It prints "found N checks M lookups L ns_per_check X": N answers
/*	(the answers are asserted by the caller, never the times), M
/*	checks per pass, L dict lookups per pass.
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

 /*
  * System library.
  */
#include <sys_defs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

 /*
  * Utility library.
  */
#include <msg.h>
#include <msg_vstream.h>
#include <vstream.h>
#include <dict.h>
#include <valid_hostname.h>

 /*
  * Global library.
  */
#include <mail_conf.h>
#include <mail_dict.h>
#include <mail_params.h>
#include <maps.h>
#include <match_parent_style.h>

#define FULL	0
#define PARTIAL	DICT_FLAG_FIXED

static unsigned long lookups;
static int parent_style;

static const char *find(MAPS *maps, const char *name, int flags)
{
    const char *value;

    lookups++;
    value = maps_find(maps, name, flags);
    if (value == 0 && maps->error)
	msg_fatal("lookup error for %s", name);
    return (value);
}

/* check_domain - smtpd_check.c check_domain_access() */

static int check_domain(MAPS *maps, const char *domain)
{
    const char *name;
    const char *next;
    int     flags = FULL;
    int     maybe_numerical = 1;

    for (name = domain; *name != 0; name = next) {
	if (find(maps, name, flags) != 0)
	    return (1);
	if (maybe_numerical
	    && (maybe_numerical = valid_hostaddr(domain, DONT_GRIPE)) != 0)
	    break;
	if ((next = strchr(name + 1, '.')) == 0)
	    break;
	if (parent_style)
	    next += 1;
	flags = PARTIAL;
    }
    return (0);
}

/* check_addr - smtpd_check.c check_addr_access() */

static int check_addr(MAPS *maps, const char *address)
{
    char    addr[256];
    int     delim = strchr(address, ':') ? ':' : '.';
    int     flags = FULL;
    char   *cp;

    snprintf(addr, sizeof(addr), "%s", address);
    do {
	if (find(maps, addr, flags) != 0)
	    return (1);
	flags = PARTIAL;
    } while ((cp = strrchr(addr, delim)) != 0 && (*cp = 0, 1));
    return (0);
}

static long private_kib(void)
{
    FILE   *fp = fopen("/proc/self/smaps_rollup", "r");
    char    line[256];
    long    kib = 0;
    long    n;

    if (fp == 0)
	return (-1);
    while (fgets(line, sizeof(line), fp)) {
	if (sscanf(line, "Private_Clean: %ld kB", &n) == 1
	    || sscanf(line, "Private_Dirty: %ld kB", &n) == 1)
	    kib += n;
    }
    fclose(fp);
    return (kib);
}

int     main(int argc, char **argv)
{
    MAPS   *maps;
    FILE   *fp;
    char  **queries = 0;
    size_t  nq = 0;
    size_t  size = 0;
    char   *line = 0;
    size_t  lsize = 0;
    ssize_t len;
    long    repeat;
    long    r;
    size_t  i;
    unsigned long found = 0;
    struct timespec t0;
    struct timespec t1;
    const char *mode;
    double  ns;

    msg_vstream_init(argv[0], VSTREAM_ERR);
    if (argc != 5)
	msg_fatal("usage: MAIL_CONFIG=DIR %s plain|helo|client|hold TYPE:NAME"
		  " QUERIES REPEAT", argv[0]);
    mode = argv[1];
    repeat = atol(argv[4]);
    mail_conf_read();
    mail_dict_init();
    parent_style = (match_parent_style(SMTPD_ACCESS_MAPS) != 0);

    if ((fp = fopen(argv[3], "r")) == 0)
	msg_fatal("open %s: %m", argv[3]);
    while ((len = getline(&line, &lsize, fp)) >= 0) {
	if (len > 0 && line[len - 1] == '\n')
	    line[--len] = 0;
	if (nq == size) {
	    size = size ? 2 * size : 1024;
	    if ((queries = realloc(queries, size * sizeof(*queries))) == 0)
		msg_fatal("out of memory");
	}
	if ((queries[nq++] = strdup(line)) == 0)
	    msg_fatal("out of memory");
    }
    fclose(fp);

    maps = maps_create("bench", argv[2], DICT_FLAG_LOCK | DICT_FLAG_FOLD_FIX
		       | DICT_FLAG_UTF8_REQUEST);
    if (strcmp(mode, "hold") == 0)
	repeat = 1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (r = 0; r < repeat; r++) {
	found = 0;
	lookups = 0;
	for (i = 0; i < nq; i++) {
	    if (strcmp(mode, "plain") == 0)
		found += (find(maps, queries[i], FULL) != 0);
	    else if (strcmp(mode, "helo") == 0 || strcmp(mode, "hold") == 0)
		found += check_domain(maps, queries[i]);
	    else if (strcmp(mode, "client") == 0)
		found += check_addr(maps, queries[i]);
	    else
		msg_fatal("unknown mode %s", mode);
	}
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec))
	/ ((double) repeat * (nq ? nq : 1));
    printf("found %lu checks %zu lookups %lu ns_per_check %.1f",
	   found, nq, lookups, ns);
    if (strcmp(mode, "hold") == 0) {
	printf(" private_kib %ld\n", private_kib());
	fflush(stdout);
	while (getchar() != EOF)
	     /* void */ ;
    } else {
	printf("\n");
    }
    return (0);
}
