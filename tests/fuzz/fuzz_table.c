/*++
/* NAME
/*	fuzz_table 1
/* SUMMARY
/*	libFuzzer target: the table-file reader
/* DESCRIPTION
/*	Every input, as a table file, is opened; an accepted file answers
/*	lookups and lists its rules without a crash, a refused one says why.
/*	Seeds (tests/fuzz/corpus/table) are real tables, so mutations reach
/*	the trailer, the header and the records.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmdbacl.h"

int     LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static char path[64];
    static const char *queries[] = {
	"a.example.com", "example.com", "192.0.2.1", "2001:db8::1",
	"user@example.org", ".example.net", "x.y.z", 0,
    };
    const char **q;
    LMDBACL_MATCH m;
    LMDBACL_RULES *rules;
    LMDBACL_ERR err;
    LMDBACL *t;
    FILE   *fp;

    if (path[0] == 0)
	snprintf(path, sizeof(path), "/tmp/fuzz_table.%ld", (long) getpid());
    if ((fp = fopen(path, "w")) == 0)
	return (0);
    fwrite(data, 1, size, fp);
    fclose(fp);
    err.msg[0] = 0;
    if ((t = lmdbacl_open(path, &err)) == 0) {
	if (err.msg[0] == 0)
	    abort();
	return (0);
    }
    for (q = queries; *q; q++)
	(void) lmdbacl_lookup(t, *q, (q - queries) & 1, &m);
    rules = lmdbacl_rules_create();
    (void) lmdbacl_load_rules(t, rules, &err);
    lmdbacl_rules_free(rules);
    lmdbacl_close(t);
    return (0);
}
