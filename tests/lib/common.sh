# NAME
#	common.sh - shared helpers for the shell test suites
# SYNOPSIS
#	. "$top_srcdir/tests/lib/common.sh"
# DESCRIPTION
#	check NAME EXPECTED ACTUAL: one case; prints PASS:/FAIL: lines.
#	finish: prints "N passed, M failed" and exits non-zero on failure.
#	lmdbacl ARGS: the built command, under $LMDBACL_VALGRIND when set.
#	pm ARGS: the real postmap, under $LMDBACL_VALGRIND when set, with
#	$LMDBACL_PRELOAD (the sanitizer runtimes) preloaded when set.
#	mktest_dir: a fresh temporary directory, removed at exit.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LMDBACL:=$top_builddir/tools/lmdbacl}"
: "${LMDBACL_PLUGIN:=$top_builddir/dict_lmdbacl/.libs/postfix-lmdbacl.so}"

t_pass=0
t_fail=0

check() {
	local name=$1 expected=$2 actual=$3
	if [ "$expected" = "$actual" ]; then
		t_pass=$((t_pass + 1))
		echo "PASS: $name"
	else
		t_fail=$((t_fail + 1))
		echo "FAIL: $name"
		echo "  expected: $(printf '%s' "$expected" | head -c 600)"
		echo "  actual:   $(printf '%s' "$actual" | head -c 600)"
	fi
}

finish() {
	echo "$t_pass passed, $t_fail failed"
	[ "$t_fail" -eq 0 ]
	exit $?
}

lmdbacl() {
	# shellcheck disable=SC2086
	${LMDBACL_VALGRIND:-} "$LMDBACL" "$@"
}

pm() {
	# shellcheck disable=SC2086
	if [ -n "${LMDBACL_PRELOAD:-}" ]; then
		# postmap itself leaks a string in main(): leak checking there
		# would report Postfix, not us.
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
			LD_PRELOAD="$LMDBACL_PRELOAD" ${LMDBACL_VALGRIND:-} postmap "$@"
	else
		${LMDBACL_VALGRIND:-} postmap "$@"
	fi
}

mktest_dir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/lmdbacl-test.XXXXXX")
	chmod 755 "$T"
	trap 'rm -rf "$T"' EXIT
}
