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
/*
/*	The trailer's checksum stops nearly every mutation of a whole
/*	table at the door, so an input that starts with the index magic
/*	("LAIX") is instead taken as the value of an index record, and
/*	goes straight to the index checks, probes and listing walk that
/*	lmdbacl_open(), lookups and lmdbacl_load_rules() apply to it.
/*	One that starts with the range magic ("LARX") is checked as the
/*	range record of each family and probed.
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lmdbacl_int.h"

/* fuzz_index - an index value: header check, probes, listing walk */

static void fuzz_index(const unsigned char *data, size_t size)
{
    static const char *keys[] = {
	"Ea.example.com", "Eexample.com", "Wexample.com", "Ex", "W", 0,
    };
    const char **kp;
    const unsigned char *key;
    const unsigned char *val;
    size_t  klen;
    size_t  vlen;
    size_t  off;
    LMDBACL_INDEX ix;
    LMDBACL_MATCH m;
    unsigned char *copy;

    /* An exact-size heap copy: ASan sees any read past the value. */
    if ((copy = malloc(size ? size : 1)) == 0)
	return;
    memcpy(copy, data, size);
    if (lmdbacl_index_check(copy, size, &ix) == LMDBACL_OK) {
	for (kp = keys; *kp; kp++) {
	    size_t  len = strlen(*kp);

	    if (lmdbacl_index_get(&ix, lmdbacl_filter_hash((const unsigned char *) *kp, len),
				  (const unsigned char *) *kp, len, &val,
				  &vlen) == LMDBACL_OK)
		(void) lmdbacl_record_decode(val, vlen, &m);
	}
	for (off = 0; off < ix.recs_size;
	     off += LMDBACL_INDEX_ENTRY_HDR + klen + vlen) {
	    if (lmdbacl_index_entry(&ix, off, &key, &klen, &val, &vlen) != 0)
		break;
	    (void) lmdbacl_record_decode(val, vlen, &m);
	}
    }
    free(copy);
}

/* fuzz_ranges - a range record value: size checks, probes */

static void fuzz_ranges(const unsigned char *data, size_t size)
{
    static const unsigned char probes[][16] = {
	{0}, {10, 0, 0, 1}, {192, 0, 2, 1}, {255, 255, 255, 255},
	{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
    };
    unsigned char *copy;
    LMDBACL t;
    LMDBACL_MATCH m;
    size_t  i;
    int     f;

    /*
     * The same bytes as IPv4 ranges and as IPv6 ranges, in a handle
     * that has nothing else: format 3 probes read only the record.
     */
    if ((copy = malloc(size ? size : 1)) == 0)
	return;
    memcpy(copy, data, size);
    for (f = 0; f < 2; f++) {
	memset(&t, 0, sizeof(t));
	t.format = 3;
	if (lmdbacl_ranges_check(copy, size, f ? 16 : 4, t.ranges + f)
	    != LMDBACL_OK)
	    continue;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
	    (void) lmdbacl_store_range(&t, f ? LMDBACL_AF_INET6 :
				       LMDBACL_AF_INET, probes[i], &m);
    }
    free(copy);
}

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

    if (size >= 4 && memcmp(data, LMDBACL_INDEX_MAGIC, 4) == 0) {
	fuzz_index(data, size);
	return (0);
    }
    if (size >= 4 && memcmp(data, LMDBACL_RANGES_MAGIC, 4) == 0) {
	fuzz_ranges(data, size);
	return (0);
    }
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
