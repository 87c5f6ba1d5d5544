/*++
/* NAME
/*	lmdbacl_err 3
/* SUMMARY
/*	engine error reporting
/* SYNOPSIS
/*	#include "lmdbacl.h"
/*
/*	int	lmdbacl_err_set(err, code, fmt, ...)
/* DESCRIPTION
/*	lmdbacl_err_set() records an error code and message (when err is
/*	not null) and returns the code, so that error paths read
/*	"return (lmdbacl_err_set(err, LMDBACL_ESYSTEM, "%s: ...", path))".
/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#include <stdarg.h>
#include <stdio.h>

#include "lmdbacl.h"

int     lmdbacl_err_set(LMDBACL_ERR *err, int code, const char *fmt,...)
{
    va_list ap;

    if (err != 0) {
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
    }
    return (code);
}
