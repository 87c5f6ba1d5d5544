/*++
/* NAME
/*	fuzz_key 1
/* SUMMARY
/*	libFuzzer target: the key parser
/* DESCRIPTION
/*	Every input, as one key, must parse or be refused with a message;
/*	a parsed key must parse again to itself (normalisation is stable).
/*--*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmdbacl.h"

int     LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    LMDBACL_KEY key;
    LMDBACL_KEY again;
    char    why[LMDBACL_ERR_SIZE];
    char    text[LMDBACL_KEY_MAX + 3];
    char   *raw;

    if ((raw = malloc(size + 1)) == 0)
	return (0);
    memcpy(raw, data, size);
    raw[size] = 0;
    why[0] = 0;
    if (lmdbacl_key_parse(raw, &key, why, sizeof(why)) == LMDBACL_OK) {
	snprintf(text, sizeof(text), "%s%s",
		 key.kind == LMDBACL_KIND_WILD ? "." : "", key.text);
	if (lmdbacl_key_parse(text, &again, why, sizeof(why)) != LMDBACL_OK
	    || again.kind != key.kind || strcmp(again.text, key.text) != 0)
	    abort();
    } else if (why[0] == 0) {
	abort();				/* a refusal says why */
    }
    free(raw);
    return (0);
}
