# NAME
#	harness.sh - shared plumbing of the lmdbacl integration tests
# SYNOPSIS
#	. tests/lib/harness.sh
#
#	harness_init	(exits 77 when the test cannot run)
#	pass NAME
#	fail NAME EXPECTED GOT
#	expect_code NAME EXPECTED REPLY [TEXT]
#	expect_same_reply NAME REPLY_A REPLY_B
#	expect_same NAME A B
#	harness_finish	(prints the totals; exits 1 on any failure)
# DESCRIPTION
#	Every case prints "PASS: name" or "FAIL: name (expected X got Y)";
#	the last line is "N passed, M failed". The exit status follows the
#	automake test protocol: 0 pass, 1 fail, 77 skip.
#
#	expect_code compares the three-digit code of REPLY (an SMTP reply
#	line, as pfi_smtp prints it) with EXPECTED, which is a code
#	("250") or a class ("5xx"); with TEXT, REPLY must also contain
#	TEXT, which tells which table entry decided.
#
#	expect_same_reply passes when two SMTP replies are the same line
#	(two non-replies, such as two timeouts, fail); expect_same passes
#	when any two strings are equal.
#
#	The paths (top_srcdir, top_builddir, LMDBACL, LMDBACL_PLUGIN) and the
#	pm and lmdbacl wrappers come from tests/lib/common.sh; make check
#	sets them all (AM_TESTS_ENVIRONMENT).

# The project's shared helpers: top_srcdir, top_builddir, LMDBACL,
# LMDBACL_PLUGIN defaults, and pm and lmdbacl, which run postmap and the
# command under $LMDBACL_VALGRIND and $LMDBACL_PRELOAD (tools/run-tests).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

harness_passed=0
harness_failed=0

harness_init() {
	PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	export PATH
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: must run as root (starts a private Postfix instance)"
		exit 77
	fi
	if ! command -v postmap >/dev/null 2>&1; then
		echo "SKIP: Postfix is not installed"
		exit 77
	fi
	if [ ! -f "$LMDBACL_PLUGIN" ]; then
		echo "SKIP: no plugin at $LMDBACL_PLUGIN"
		exit 77
	fi
}

# case_name - one word per case: keys with spaces, quotes or <> in them
case_name() {
	printf "%s" "${1//[^A-Za-z0-9_.@:+=-]/_}"
}

pass() {
	harness_passed=$((harness_passed + 1))
	echo "PASS: $(case_name "$1")"
}

fail() {
	harness_failed=$((harness_failed + 1))
	echo "FAIL: $(case_name "$1") (expected $2 got $3)"
}

# reply_code - the code of a reply line; a failed earlier step shows
# as "step:code", which matches no expectation.
reply_code() {
	case $1 in
	[0-9][0-9][0-9]*) printf '%s' "${1:0:3}" ;;
	*) printf '%s' "${1%% *}" ;;
	esac
}

expect_code() {
	local name=$1 want=$2 reply=$3 text=${4:-} code
	code=$(reply_code "$reply")
	case $want in
	[0-9]xx) [[ $code =~ ^${want:0:1}[0-9][0-9]$ ]] ;;
	*) [ "$code" = "$want" ] ;;
	esac || {
		fail "$name" "$want${text:+ \"$text\"}" "$reply"
		return 1
	}
	if [ -n "$text" ] && [[ $reply != *"$text"* ]]; then
		fail "$name" "$want \"$text\"" "$reply"
		return 1
	fi
	pass "$name"
}

expect_same_reply() {
	local name=$1 a=$2 b=$3
	# Two identical failures to get an answer prove nothing.
	if ! [[ $a =~ ^[0-9]{3}\  && $b =~ ^[0-9]{3}\  ]]; then
		fail "$name" "two SMTP replies" "\"$a\" and \"$b\""
		return 1
	fi
	if [ "$a" = "$b" ]; then
		pass "$name"
	else
		fail "$name" "$a" "$b"
		return 1
	fi
}

harness_finish() {
	echo "$harness_passed passed, $harness_failed failed"
	[ "$harness_failed" -eq 0 ]
	exit $?
}

# expect_same NAME A B - any two outputs (postmap results, exit codes)
expect_same() {
	local name=$1 a=$2 b=$3
	if [ "$a" = "$b" ]; then
		pass "$name"
	else
		fail "$name" "$a" "$b"
		return 1
	fi
}
