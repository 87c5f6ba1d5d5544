#!/bin/bash
# NAME
#	test-concurrency.sh - growing builds, hundreds of readers, killed
#	postmap builds, racing writers of every kind
# DESCRIPTION
#	The fault and concurrency cases of issue 3 that test-faults.sh does
#	not cover; the tables are read through "lmdbacl query" and through
#	the real postmap(1) with the plugin, in a private, never started
#	instance (tests/lib/postfix-instance.sh).
#
#	1. A 300,000-line table whose first map is too small is built
#	   twice in a row into the same target, by "lmdbacl compile" and
#	   by "postmap lmdbacl:", while a reader loops: both builds grow
#	   the map and succeed; the reader only ever sees whole snapshots;
#	   a reader that opened the old table keeps answering from it.
#	   The engine's own estimate is generous enough for this input
#	   (nested networks whose values are just over LMDB's leaf node
#	   limit); LMDBACL_BUILD_MAP_SIZE starts both builds at 4 MiB, and
#	   strace, when it works, shows the map sizes of the first.
#	2. 300 postmap -q - readers hold the table open (more than LMDB's
#	   default 126 reader slots: the table is opened MDB_NOLOCK, with
#	   no lock file), 50 are killed with SIGKILL, the table is
#	   replaced, 100 more start: every reader answers from the
#	   snapshot it opened and exits within a timeout.
#	3. "postmap lmdbacl:FILE" killed with SIGKILL at random moments:
#	   the previous table always answers; a stale FILE.lmdbacl.new
#	   from a killed build is removed by the next build.
#	4. 4 writers x 100 updates (lmdbacl add, lmdbacl del, postmap -i,
#	   postmap -r -i, postmap -d) while 16 readers loop: no update
#	   lost, no writer error, every answer belongs to some snapshot.
#	Needs root (a private Postfix configuration); skipped otherwise.
# ENVIRONMENT
#	LMDBACL_CONC_SCALE	percent of the reader counts of case 2
#				(default 100: 300 readers, 50 killed, 100
#				late; 10 under LMDBACL_VALGRIND)
#	LMDBACL_CONC_KILLS	killed postmap builds in case 3 (default
#				100; 10 under LMDBACL_VALGRIND)
#	LMDBACL_CONC_UPDATES	updates per writer in case 4 (default 100;
#				10 under LMDBACL_VALGRIND)
#	LMDBACL_CONC_READERS	looping readers in case 4 (default 16; 2
#				under LMDBACL_VALGRIND)
#	LMDBACL_CONC_TIMEOUT	seconds a reader may take to answer once
#				its input ends (default 30; 300 under
#				LMDBACL_VALGRIND)
#	LMDBACL_VALGRIND	run lmdbacl and postmap under this command
#				(the builds killed in case 3 run without it)
set -u
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix-instance.sh"
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
if ! command -v postmap >/dev/null 2>&1 || [ ! -f "$LMDBACL_PLUGIN" ]; then
	echo "SKIP: needs postmap and the plugin ($LMDBACL_PLUGIN)"
	exit 77
fi
# On tmpfs when there is one: the point is the race, not the disk.
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm
mktest_dir
cd "$T" || exit 1

vg=${LMDBACL_VALGRIND:+1}
SCALE=${LMDBACL_CONC_SCALE:-${vg:+10}}
SCALE=${SCALE:-100}
KILLS=${LMDBACL_CONC_KILLS:-${vg:+10}}
KILLS=${KILLS:-100}
UPDATES=${LMDBACL_CONC_UPDATES:-${vg:+10}}
UPDATES=${UPDATES:-100}
UREADERS=${LMDBACL_CONC_READERS:-${vg:+2}}
UREADERS=${UREADERS:-16}
TIMEOUT=${LMDBACL_CONC_TIMEOUT:-${vg:+300}}
TIMEOUT=${TIMEOUT:-30}

# Every background process is remembered by its pid, so that an early
# exit leaves none behind; a reader that dies must not kill the test
# with SIGPIPE when it is written to.
bg_pids=()
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap '' PIPE

# postmap needs only the configuration; the instance is never started.
pfi_create "$T/pf" 10099 "$LMDBACL_PLUGIN" >/dev/null || exit 99
PFC=$T/pf/etc

# pm_exec ARGS - become the real postmap, as pm does: run in a
# subshell, "( pm_exec ... ) &" leaves postmap's own pid in $!.
pm_exec() {
	if [ -n "${LMDBACL_PRELOAD:-}" ]; then
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
			LD_PRELOAD="$LMDBACL_PRELOAD" exec ${LMDBACL_VALGRIND:-} postmap "$@"
	else
		# shellcheck disable=SC2086
		exec ${LMDBACL_VALGRIND:-} postmap "$@"
	fi
}

# holding FILE PID... - how many of the processes have FILE open,
# also after it was renamed over ("FILE (deleted)")
holding() {
	local file=$1 p dirs=()
	shift
	for p in "$@"; do
		dirs+=("/proc/$p/fd")
	done
	find "${dirs[@]}" -maxdepth 1 \( -lname "$file" -o \
	    -lname "$file (deleted)" \) -printf '%h\n' 2>/dev/null |
	    sort -u | wc -l
}

# wait_holding N FILE PID... - wait until N of the processes hold FILE
wait_holding() {
	local want=$1 file=$2 n i
	shift 2
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		n=$(holding "$file" "$@")
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	echo "$n"
}

# wait_gone SECONDS PID... - print how many are still alive after SECONDS
wait_gone() {
	local secs=$1 p alive i
	shift
	for ((i = 0; i <= secs * 10; i++)); do
		alive=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
		done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	echo "$alive"
}

########################################################################
# 1. A build that outgrows its first map, twice, with readers.
#
# 300,000 lines: one short probe entry, then networks whose values (185
# continuation lines, about 2,050 bytes) are just too large for a leaf
# node, so each record takes an overflow page: groups of a /24 and 60
# /32s at its even addresses, so the /24 is flattened into 61 ranges.
# The table needs 10 MB. The size estimate is generous enough (format 3)
# that such a build fits its first map: LMDBACL_BUILD_MAP_SIZE makes the
# first build start at 4 MiB, so it must grow the map twice.
grow_source() {
	perl -e '
		my ($tag, $lines) = @ARGV;
		my ($n, $e) = (1, 0);
		print "probe.example OK $tag\n";
		while ($n < $lines) {
			my ($g, $h) = (int($e / 61), $e % 61);
			$e++;
			printf "10.%d.%d.%s OK %s v%d", $g >> 8, $g & 255,
			    $h ? (2 * $h) . "/32" : "0/24", $tag, $e;
			$n++;
			for (1 .. 185) {
				last if $n >= $lines;
				print "\n\t", "x" x 10;
				$n++;
			}
			print "\n";
		}' "$1" 300000
}
t0=$SECONDS
mkdir g
grow_source build1 > g/src1
grow_source build2 > grow
printf 'probe.example OK old\n' > g/old
lmdbacl compile g/old grow
check grow_setup_source_has_300000_lines 300000 "$(wc -l < grow)"
check grow_setup_old_table_answers "OK old" "$(lmdbacl query grow probe.example)"

# A reader that opened the old table before the builds, and a reader
# that loops, through lmdbacl and through postmap in turn.
mkfifo g/in
( exec ${LMDBACL_VALGRIND:-} "$LMDBACL" query grow - ) < g/in > g/held 2>&1 &
held=$!
bg_pids+=("$held")
exec {held_fd}>g/in
check grow_setup_reader_holds_old_table 1 "$(wait_holding 1 "$T/grow.lmdbacl" "$held")"
: > g/answers
: > g/errors
(
	exec {held_fd}>&-
	while [ ! -e g/stop ]; do
		lmdbacl query grow probe.example >> g/answers 2>> g/errors ||
		    echo "lmdbacl query rc=$?" >> g/errors
		pm -c "$PFC" -q probe.example "lmdbacl:$T/grow" >> g/answers 2>> g/errors ||
		    echo "postmap -q rc=$?" >> g/errors
	done
) &
loop=$!
bg_pids+=("$loop")

# The first build under strace when there is one: the map sizes it
# asks for are the proof that it started at 4 MiB and grew.
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
	# LeakSanitizer cannot run under ptrace: no leak check there.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		LMDBACL_BUILD_MAP_SIZE=4194304 \
		strace -f -o g/trace -e trace=fallocate "$LMDBACL" compile g/src1 grow
	rc1=$?
	check grow_first_map_is_4_MiB_then_doubles "4194304 8388608 16777216" \
	    "$(sed -n 's/.*fallocate([0-9]*, [A-Z_]*, 0, \([0-9]*\)).*/\1/p' g/trace | tr '\n' ' ' | sed 's/ $//')"
else
	echo "SKIP: grow_first_map_is_4_MiB_then_doubles (no usable strace)"
	LMDBACL_BUILD_MAP_SIZE=4194304 lmdbacl compile g/src1 grow
	rc1=$?
fi
check grow_after_first_build "OK build1" "$(lmdbacl query grow probe.example)"
# The second build: the real postmap, into the same target.
LMDBACL_BUILD_MAP_SIZE=4194304 pm -c "$PFC" "lmdbacl:$T/grow"
rc2=$?
touch g/stop
wait "$loop"
check grow_both_builds_succeed "0 0" "$rc1 $rc2"
size=$(stat -c %s grow.lmdbacl)
check grow_table_outgrows_two_maps yes "$([ "$size" -gt 8388608 ] && echo yes || echo "no: $size bytes")"
check grow_table_answers_second_build "OK build2" "$(lmdbacl query grow probe.example)"
# 10.0.0.1 falls between the /32s: the /24 of the first group answers.
want=$(perl -e 'print "OK build2 v1", ("\t" . "x" x 10) x 185')
check grow_table_long_value_is_whole "$want" "$(lmdbacl query grow 10.0.0.1)"
check grow_no_temporary_file_left "" "$(ls grow.lmdbacl.* 2>/dev/null)"
check grow_looping_reader_never_errors "" "$(sort -u g/errors)"
check grow_looping_reader_answered yes "$([ -s g/answers ] && echo yes || echo no)"
check grow_looping_reader_sees_only_whole_snapshots "" \
    "$(sort -u g/answers | grep -v -x -e 'OK old' -e 'OK build1' -e 'OK build2')"
printf 'probe.example\n' >&"$held_fd"
exec {held_fd}>&-
wait "$held"
check grow_reader_keeps_the_snapshot_it_opened "$(printf 'probe.example\tOK old')" "$(cat g/held)"
rm -rf g grow grow.lmdbacl

echo "# growing builds: $((SECONDS - t0)) s"

########################################################################
# 2. Hundreds of readers holding the table, some killed, more started.
R=$((300 * SCALE / 100))
K=$((50 * SCALE / 100))
N=$((100 * SCALE / 100))
[ "$R" -ge 2 ] || R=2
[ "$K" -ge 1 ] || K=1
[ "$N" -ge 1 ] || N=1
ROUNDS=5
echo "# readers: $R, killed: $K, late: $N"
mkdir r
printf 'probe.example OK first\n*.w.example OK wild\n' > r/first
printf 'probe.example OK second\n*.w.example OK wild2\n' > r/second
lmdbacl compile r/first rt
rpid=()
rfd=()
# start_reader I - postmap -q - on fifo r/qI; its first query opens the
# table, which it keeps (one read transaction) until its input ends.
start_reader() {
	local i=$1 fd
	mkfifo "r/q$i"
	# The other readers' fifo ends must not stay open in this one, or
	# they would never see the end of their input.
	(
		for fd in "${rfd[@]}"; do
			exec {fd}>&-
		done
		pm_exec -c "$PFC" -q - "lmdbacl:$T/rt"
	) < "r/q$i" > "r/a$i" 2> "r/e$i" &
	rpid[i]=$!
	bg_pids+=("$!")
	exec {fd}>"r/q$i"
	rfd[i]=$fd
	printf 'probe.example\n' >&"$fd"
}
# round I... - one round of lookups for each reader
round() {
	local i
	for i in "$@"; do
		{ printf 'probe.example\nx.w.example\nnone.example\n' >&"${rfd[i]}"; } 2>/dev/null
	done
}
t0=$SECONDS
for ((i = 0; i < R; i++)); do
	start_reader "$i"
done
first=("${!rpid[@]}")
check "readers_${R}_hold_the_table_at_once" "$R" \
    "$(wait_holding "$R" "$T/rt.lmdbacl" "${rpid[@]}")"
for ((j = 0; j < ROUNDS; j++)); do
	round "${first[@]}"
done
# Kill K readers, spread over the first batch, in the middle of their
# lives (their read transactions open).
bad=0
for ((j = 0; j < K; j++)); do
	i=$((j * R / K))
	kill -9 "${rpid[i]}" 2>/dev/null
	wait "${rpid[i]}" 2>/dev/null
	[ $? = 137 ] || bad=$((bad + 1))
	fd=${rfd[i]}
	exec {fd}>&-
	unset "rpid[i]" "rfd[i]"
done
check "readers_${K}_killed_with_sigkill" 0 "$bad"
lmdbacl compile r/second rt
check table_replaced_while_readers_hold_it "OK second" "$(lmdbacl query rt probe.example)"
for ((i = R; i < R + N; i++)); do
	start_reader "$i"
done
live=("${!rpid[@]}")
late=()
for ((i = R; i < R + N; i++)); do
	late+=("$i")
done
# shellcheck disable=SC2046
check "readers_$((R - K + N))_hold_a_table_after_kills" "$((R - K + N))" \
    "$(wait_holding $((R - K + N)) "$T/rt.lmdbacl" "${rpid[@]}")"
check readers_use_no_lock_file "$T/rt.lmdbacl" "$(echo "$T"/rt.lmdbacl*)"
maps=$(for i in "${live[@]}"; do grep -l -e 'rt\.lmdbacl-lock' "/proc/${rpid[i]}/maps" 2>/dev/null; done)
check readers_map_no_lock_file "" "$maps"
for ((j = 0; j < ROUNDS; j++)); do
	round "${live[@]}"
done
# End every reader's input: each must answer everything and exit.
for i in "${live[@]}"; do
	fd=${rfd[i]}
	exec {fd}>&-
done
stuck=$(wait_gone "$TIMEOUT" "${rpid[@]}")
check "readers_none_stuck_after_${TIMEOUT}s" 0 "$stuck"
{
	printf 'probe.example\tOK first\n'
	for ((j = 0; j < 2 * ROUNDS; j++)); do
		printf 'probe.example\tOK first\nx.w.example\tOK wild\n'
	done
} > r/want-first
{
	printf 'probe.example\tOK second\n'
	for ((j = 0; j < ROUNDS; j++)); do
		printf 'probe.example\tOK second\nx.w.example\tOK wild2\n'
	done
} > r/want-late
badrc=0
badans=0
errs=
for i in "${live[@]}"; do
	kill -9 "${rpid[i]}" 2>/dev/null
	wait "${rpid[i]}"
	[ $? = 0 ] || badrc=$((badrc + 1))
	if [ "$i" -lt "$R" ]; then
		cmp -s "r/a$i" r/want-first || badans=$((badans + 1))
	else
		cmp -s "r/a$i" r/want-late || badans=$((badans + 1))
	fi
	[ -s "r/e$i" ] && errs="$errs$(head -n 2 "r/e$i")"
done
check readers_all_exit_0 0 "$badrc"
check readers_answer_from_the_snapshot_they_opened 0 "$badans"
check readers_report_no_error "" "$errs"
echo "# readers: $((SECONDS - t0)) s"
rm -rf r rt.lmdbacl

########################################################################
# 3. The real postmap killed with SIGKILL while it builds.
mkdir p
perl -e 'for my $i (1 .. 200000) { printf "h%d.example.net REJECT %d\n", $i, $i; }' > pbig
printf '*.old.example OK old table\n' > p/small
lmdbacl compile p/small pbig
old_ans=$(printf 'a.old.example\tOK old table')
new_ans=$(printf 'h77.example.net\tREJECT 77')
check postmap_kill_setup_old_table_answers "$old_ans" \
    "$(lmdbacl query pbig a.old.example h77.example.net)"
# pm_build - a "postmap lmdbacl:pbig" to kill; never under valgrind (a
# killed process reports nothing, and valgrind's start-up would take
# all the time before the kill).
pm_build() {
	( LMDBACL_VALGRIND=; pm_exec -c "$PFC" "lmdbacl:$T/pbig" ) 2>/dev/null &
	pb=$!
	bg_pids+=("$pb")
}
t0=$SECONDS
bad=0
olds=0
news=0
for ((i = 0; i < KILLS; i++)); do
	pm_build
	sleep "0.$(printf '%03d' $((RANDOM % 300)))"
	kill -9 "$pb" 2>/dev/null
	wait "$pb" 2>/dev/null
	got=$(lmdbacl query pbig a.old.example h77.example.net 2>&1)
	# Either the old table, or (the build won the race) the whole new one.
	if [ "$got" = "$old_ans" ]; then
		olds=$((olds + 1))
	elif [ "$got" = "$new_ans" ]; then
		news=$((news + 1))
		lmdbacl compile p/small pbig	# back to the old table
	else
		bad=$((bad + 1))
	fi
done
echo "# killed postmap builds: $KILLS ($olds old, $news completed) in $((SECONDS - t0)) s"
check "killed_postmap_builds_${KILLS}_leave_a_whole_table" 0 "$bad"
# Kill one build while it writes its temporary file, for certain.
stale=
for ((i = 0; i < 5; i++)); do
	[ -n "$stale" ] && break
	pm_build
	for ((n = 0; n < 5000; n++)); do
		[ -e pbig.lmdbacl.new ] && break
		sleep 0.002
	done
	kill -9 "$pb" 2>/dev/null
	wait "$pb" 2>/dev/null
	if [ -e pbig.lmdbacl.new ]; then
		stale=$(ls pbig.lmdbacl.*)
	else
		lmdbacl compile p/small pbig
	fi
done
check postmap_killed_while_writing_leaves_temporary_file pbig.lmdbacl.new "$stale"
check postmap_killed_while_writing_old_table_answers "$old_ans" \
    "$(lmdbacl query pbig a.old.example h77.example.net)"
pm -c "$PFC" "lmdbacl:$T/pbig"
check postmap_next_build_succeeds 0 $?
check postmap_next_build_leaves_no_temporary_file "" "$(ls pbig.lmdbacl.* 2>/dev/null)"
check postmap_next_build_answers "$new_ans" \
    "$(lmdbacl query pbig a.old.example h77.example.net)"
rm -rf p pbig pbig.lmdbacl

########################################################################
# 4. 4 writers x UPDATES updates of every kind while readers loop.
#
# update_op W U - the U-th update of writer W, "OP KEY [VALUE]". Each
# writer adds its own keys (lmdbacl add, postmap -i), deletes some of
# them again (lmdbacl del, postmap -d), and replaces the one key that
# all writers share (lmdbacl add, postmap -r -i).
update_op() {
	local w=$1 u=$2
	case $((u % 10)) in
	0 | 5) echo "add w$w-$u.example OK $w $u" ;;
	1 | 6) echo "pmi w$w-$u.example OK $w $u" ;;
	2 | 7) echo "pmr hot.example OK $w $u" ;;
	3 | 8) echo "add hot.example OK $w $u" ;;
	4) echo "del w$w-$((u - 4)).example" ;;
	9) echo "pmd w$w-$((u - 8)).example" ;;
	esac
}
mkdir u
printf 'base.example BASE\n' > u/base
lmdbacl compile u/base upd
# The expected end: every writer's own keys are its own business; the
# shared key holds the last value some writer gave it.
declare -A want_keys=()
last_hot=()
for w in 1 2 3 4; do
	for ((n = 0; n < UPDATES; n++)); do
		read -r op key value <<< "$(update_op "$w" "$n")"
		case $op:$key in
		*:hot.example) last_hot[w]=$value ;;
		add:* | pmi:*) want_keys[$key]=$value ;;
		del:* | pmd:*) unset "want_keys[$key]" ;;
		esac
	done
done
{
	printf 'base.example\tBASE\n'
	for key in "${!want_keys[@]}"; do
		printf '%s\t%s\n' "$key" "${want_keys[$key]}"
	done
} | sort > u/want
# Readers ask for the base key, the shared key, and keys that come and
# go: w1-0 (lmdbacl add, then del), w2-1 (postmap -i, then -d), w3-5
# and w4-6 (added, kept).
rkeys="base.example hot.example w1-0.example w2-1.example w3-5.example w4-6.example"
t0=$SECONDS
upids=()
for ((r = 0; r < UREADERS; r++)); do
	(
		while [ ! -e u/stop ]; do
			if [ $((r % 2)) = 0 ]; then
				# shellcheck disable=SC2086
				lmdbacl query upd $rkeys >> "u/ra$r" 2>> "u/re$r"
			else
				# shellcheck disable=SC2086
				printf '%s\n' $rkeys |
				    pm -c "$PFC" -q - "lmdbacl:$T/upd" >> "u/ra$r" 2>> "u/re$r"
			fi
			rc=$?
			[ "$rc" -le 1 ] || echo "reader $r: rc=$rc" >> "u/re$r"
			echo >> "u/rn$r"
		done
	) &
	upids+=("$!")
	bg_pids+=("$!")
done
wpids=()
for w in 1 2 3 4; do
	(
		for ((n = 0; n < UPDATES; n++)); do
			read -r op key value <<< "$(update_op "$w" "$n")"
			case $op in
			add) lmdbacl add upd "$key" "$value" ;;
			del) lmdbacl del upd "$key" ;;
			pmi) printf '%s %s\n' "$key" "$value" | pm -c "$PFC" -i "lmdbacl:$T/upd" ;;
			pmr) printf '%s %s\n' "$key" "$value" | pm -c "$PFC" -r -i "lmdbacl:$T/upd" ;;
			pmd) pm -c "$PFC" -d "$key" "lmdbacl:$T/upd" ;;
			esac > "u/wout$w" 2>&1
			rc=$?
			if [ "$rc" != 0 ] || [ -s "u/wout$w" ]; then
				echo "writer $w update $n ($op $key): rc=$rc $(head -c 200 "u/wout$w")" >> u/writer-errors
			fi
		done
	) &
	wpids+=("$!")
	bg_pids+=("$!")
done
wait "${wpids[@]}"
touch u/stop
wait "${upids[@]}"
echo "# updates: 4 x $UPDATES with $UREADERS readers in $((SECONDS - t0)) s"
lmdbacl dump upd | grep -v '^hot\.example	' | sort > u/got
check "updates_4x${UPDATES}_mixed_none_lost" "$(cat u/want)" "$(cat u/got)"
hot=$(lmdbacl query upd hot.example)
ok=no
for w in 1 2 3 4; do
	[ "$hot" = "${last_hot[w]}" ] && ok=yes
done
echo "# shared key: \"$hot\"; the writers' last values: ${last_hot[*]}"
check updates_shared_key_holds_a_last_write yes "$ok"
check updates_writers_no_error "" "$(cat u/writer-errors 2>/dev/null)"
check updates_no_temporary_file_left "" "$(ls upd.lmdbacl.* 2>/dev/null)"
check updates_readers_never_error "" "$(cat u/re* 2>/dev/null | sort -u | head -n 5)"
# One base.example answer per lookup round: the table never went away.
rounds=$(cat u/rn* 2>/dev/null | wc -l)
check updates_readers_looped yes "$([ "$rounds" -ge "$UREADERS" ] && echo yes || echo "no: $rounds")"
check updates_readers_always_see_base "$rounds" "$(cat u/ra* | grep -c '^base\.example	BASE$')"
# Any other answer must be a value that was written for that key.
badans=$(cat u/ra* | awk -F'\t' -v U="$UPDATES" '
	$1 == "base.example" && $2 == "BASE" { next }
	$1 == "hot.example" && $2 ~ /^OK [1-4] [0-9]+$/ {
		split($2, a, " ")
		if (a[3] < U && (a[3] % 5 == 2 || a[3] % 5 == 3)) next
	}
	$1 ~ /^w[1-4]-[0-9]+\.example$/ {
		k = $1; sub(/^w/, "", k); sub(/\.example$/, "", k)
		split(k, b, "-")
		if ($2 == "OK " b[1] " " b[2]) next
	}
	{ print }' | sort -u | head -n 5)
check updates_reader_answers_belong_to_a_snapshot "" "$badans"
rm -rf u upd upd.lmdbacl

finish
