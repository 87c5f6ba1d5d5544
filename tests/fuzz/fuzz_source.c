/*++
/* NAME
/*	fuzz_source 1
/* SUMMARY
/*	libFuzzer target: the source reader
/* DESCRIPTION
/*	Every input, as a source file, is read into a rule set; every
/*	diagnostic names a line within the file.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmdbacl.h"

static unsigned max_line;

static void diag(void *ctx, int severity, const char *file, unsigned line,
		         const char *msg)
{
    (void) ctx;
    (void) severity;
    (void) file;
    if (line > max_line || msg == 0 || *msg == 0)
	abort();
}

int     LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static char path[64];
    LMDBACL_SOURCE_OPTS opts;
    LMDBACL_RULES *rules;
    LMDBACL_ERR err;
    FILE   *fp;
    size_t  i;

    if (path[0] == 0)
	snprintf(path, sizeof(path), "/tmp/fuzz_source.%ld", (long) getpid());
    if ((fp = fopen(path, "w")) == 0)
	return (0);
    fwrite(data, 1, size, fp);
    fclose(fp);
    for (max_line = 1, i = 0; i < size; i++)
	max_line += (data[i] == '\n');
    memset(&opts, 0, sizeof(opts));
    opts.diag = diag;
    opts.strict = size & 1;
    rules = lmdbacl_rules_create();
    (void) lmdbacl_source_read(path, rules, &opts, &err);
    lmdbacl_rules_free(rules);
    return (0);
}
