#ifndef _DICT_LMDBACL_H_INCLUDED_
#define _DICT_LMDBACL_H_INCLUDED_

/*++
/* NAME
/*	dict_lmdbacl 3h
/* SUMMARY
/*	Postfix dictionary interface for lmdbacl access tables
/* SYNOPSIS
/*	#include <dict_lmdbacl.h>
/* DESCRIPTION
/* .nf
/*--*/

 /*
  * Utility library.
  */
#include <dict.h>
#include <mkmap.h>

 /*
  * External interface.
  */
#define DICT_TYPE_LMDBACL	"lmdbacl"

extern DICT *dict_lmdbacl_open(const char *, int, int);
extern MKMAP *mkmap_lmdbacl_open(const char *);

/* LICENSE
/* .ad
/* .fi
/*	See the COPYING file in the top-level directory.
/*--*/

#endif
