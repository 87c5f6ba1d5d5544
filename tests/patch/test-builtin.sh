#!/bin/bash
# NAME
#	test-builtin.sh - lmdbacl built into Postfix with patches/
# SYNOPSIS
#	tests/patch/test-builtin.sh POSTFIX_SOURCE_DIR
# DESCRIPTION
#	Copies the Postfix source tree, applies patches/apply-builtin,
#	builds libutil, libglobal and postmap with dynamicmaps=no, then
#	compiles a table with that postmap and checks that its answers equal
#	those of the lmdbacl command, and that its file is byte-identical.
#	make check runs it with the tree given to configure (about 20 s).
set -u
. "$(dirname "$0")/../lib/common.sh"
src=${1:-${LMDBACL_POSTFIX_SOURCE:-}}
if [ -z "$src" ] || [ ! -f "$src/src/global/mail_dict.c" ]; then
	echo "SKIP: no Postfix source tree"
	exit 77
fi
mktest_dir
cp -a "$src" "$T/postfix"
"$top_srcdir/patches/apply-builtin" "$T/postfix" >"$T/build.log" 2>&1
check patch_applies 0 $?
(
	cd "$T/postfix" &&
	make makefiles dynamicmaps=no shared=no \
		CCARGS="-DNO_DB -DNO_NIS -DNO_PCRE -DHAS_LMDB -DHAS_CDB -DHAS_LMDBACL" \
		AUXLIBS_LMDB=-llmdb AUXLIBS_CDB=-lcdb &&
	for d in src/util src/global src/postmap; do
		(cd "$d" && make -j"$(nproc)" update) || exit 1
	done
) >>"$T/build.log" 2>&1
check patched_postfix_builds 0 $?
PM=$T/postfix/bin/postmap
[ -x "$PM" ] || { tail -n 30 "$T/build.log"; finish; }

mkdir "$T/conf" && printf 'compatibility_level = 3.6\n' > "$T/conf/main.cf"
cat > "$T/access" <<'SRC'
*.example.com	OK
example.org	OK
192.0.2.0/24	REJECT
192.0.2.10	OK
2001:db8::/32	REJECT
SRC
"$PM" -c "$T/conf" "lmdbacl:$T/access"
check builtin_postmap_builds 0 $?
cp "$T/access.lmdbacl" "$T/by-postmap"
"$LMDBACL" compile "$T/access"
check builtin_postmap_file_identical_to_compile same \
	"$(cmp -s "$T/access.lmdbacl" "$T/by-postmap" && echo same)"
keys="sppim501.ipc.us.example.com example.com example.org 192.0.2.10 192.0.2.11 2001:db8::1 203.0.113.1"
for k in $keys; do
	check "builtin_postmap_query_$k" \
		"$("$LMDBACL" query --parent-style=yes "$T/access" "$k")" \
		"$("$PM" -c "$T/conf" -q "$k" "lmdbacl:$T/access")"
done
finish
