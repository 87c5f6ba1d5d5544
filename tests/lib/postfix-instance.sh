# NAME
#	postfix-instance.sh - private Postfix instances for lmdbacl tests
# SYNOPSIS
#	. tests/lib/postfix-instance.sh
#
#	pfi_free_port
#	pfi_create DIR PORT [PLUGIN_SO]
#	pfi_start DIR
#	pfi_reload DIR
#	pfi_stop DIR
#	pfi_conf DIR NAME=VALUE...
#	pfi_sanitizers DIR
#	pfi_sanitizer_reports DIR
#	pfi_smtp PORT [options]
#	pfi_smtp_code PORT [options]
# DESCRIPTION
#	Sourceable bash functions that build, start and stop a Postfix
#	instance that lives entirely under DIR, so that tests drive the
#	real postmap(1) and the real smtpd(8) without touching the
#	system instance (which need not even be configured: these
#	functions never read or write /etc/postfix/main.cf).
#
#	pfi_free_port prints the first TCP port in 10025-10099 (starting
#	at a pseudo-random offset) that nothing listens on at 127.0.0.1.
#
#	pfi_create writes DIR/etc/main.cf, DIR/etc/master.cf (one smtpd on
#	127.0.0.1:PORT plus the services that smtpd needs), a private
#	DIR/etc/dynamicmaps.cf (the system's lines, plus a line for the
#	lmdbacl plugin when PLUGIN_SO is given; the plugin is copied to
#	DIR/lib, root-owned, mode 0755, because Postfix ignores a
#	dynamicmaps.cf or a plugin that is not owned by root or is group
#	or world writable) and a copy of postfix-files(.d) because
#	DIR/etc is also the meta_directory. The queue is DIR/queue, the
#	data directory DIR/data, the log DIR/maillog. The instance may
#	be used at once for postmap -c DIR/etc, without being started.
#
#	pfi_start, pfi_reload and pfi_stop run postfix -c DIR/etc.
#	pfi_reload returns only after the smtpd processes that were
#	started under the old configuration have exited, so the next
#	connection sees the new main.cf. pfi_stop is safe to call from an
#	EXIT trap: it does nothing when DIR holds no running instance, and
#	kills (by the pid in DIR's own master.pid) a master that does not
#	stop when asked.
#
#	pfi_conf DIR NAME=VALUE... is postconf -c DIR/etc -e.
#
#	pfi_sanitizers DIR: under tools/run-tests --asan ($LMDBACL_PRELOAD
#	set), the ASan-built plugin needs the sanitizer runtimes preloaded
#	in every daemon: the master passes them on through
#	import_environment; reports go to DIR/san/. Does nothing otherwise.
#	pfi_sanitizer_reports DIR prints what the daemons reported.
#
#	pfi_smtp talks SMTP to 127.0.0.1:PORT and prints the last line of
#	the reply to the step under test ("250 2.1.5 Ok"). Options:
#	  --addr A      XCLIENT ADDR=A (IPV6:2001:db8::1 for IPv6)
#	  --name N      XCLIENT NAME=N ([UNAVAILABLE] for an unknown client)
#	  --xhelo H     XCLIENT HELO=H
#	  --xclient KV  add a raw XCLIENT attribute (repeatable)
#	  --helo H      the EHLO argument (default lmdbacl-client.localdomain)
#	  --use-helo    send HELO rather than EHLO
#	  --from S      MAIL FROM address (default: the null sender)
#	  --rcpt R      RCPT TO address (default postmaster@localhost)
#	  --step S      which reply to print: connect, xclient, helo, mail
#	                or rcpt (default rcpt; with smtpd_delay_reject=yes
#	                every restriction decides at RCPT)
#	  --verbose     copy the dialogue to stderr
#	A session that takes longer than $PFI_SMTP_TIMEOUT seconds (default
#	15) prints "timeout" (a throttled smtpd accepts but never answers).
#	XCLIENT is followed by a new EHLO, as the protocol requires. Every
#	session ends with QUIT. When a step before the one under test
#	fails (a 4xx or 5xx reply), the output is "STEP:CODE TEXT", which
#	no expected code matches, and the exit status is 2.
#
#	pfi_smtp_code (alias pfi_smtp_step) prints only the reply code (or
#	"STEP:CODE" when an earlier step failed).
# DIAGNOSTICS
#	Functions print what failed on stderr and return non-zero.
# SEE ALSO
#	postconf(5), master(5), smtpd(8), XCLIENT_README

# Postfix's own programs. Tests may override them.
: "${PFI_POSTFIX:=/usr/sbin/postfix}"
: "${PFI_POSTCONF:=/usr/sbin/postconf}"

# pfi_free_port - print an unused loopback port in 10025-10099
pfi_free_port() {
	perl -MIO::Socket::INET -e '
		my $span = 75; my $start = ($$ + time) % $span;
		for my $i (0 .. $span - 1) {
			my $port = 10025 + ($start + $i) % $span;
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => $port, Proto => "tcp", ReuseAddr => 1,
			    Listen => 1) or next;
			close $s; print "$port\n"; exit 0;
		}
		print STDERR "pfi_free_port: no free port in 10025-10099\n";
		exit 1;'
}

# pfi_ipv6_loopback - succeed when ::1 can be bound
pfi_ipv6_loopback() {
	perl -MIO::Socket::IP -e '
		IO::Socket::IP->new(LocalHost => "::1", LocalPort => 0,
		    Proto => "tcp", Listen => 1) or exit 1; exit 0;' 2>/dev/null
}

# pfi_conf - postconf -e for the instance in DIR
pfi_conf() {
	local dir=$1
	shift
	"$PFI_POSTCONF" -c "$dir/etc" -e "$@"
}

# pfi_sanitizers - preload the sanitizer runtimes in DIR's daemons
pfi_sanitizers() {
	local dir=$1 san
	[ -n "${LMDBACL_PRELOAD:-}" ] || return 0
	mkdir -p -m 0755 "$dir/san" && chown postfix "$dir/san" || return 1
	san="LD_PRELOAD=${LMDBACL_PRELOAD// /:}"
	san="$san ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0:log_path=$dir/san/asan"
	san="$san UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$dir/san/ubsan"
	pfi_conf "$dir" "import_environment = $("$PFI_POSTCONF" -dh import_environment) $san"
}

# pfi_sanitizer_reports - what the sanitizers in DIR's daemons reported
pfi_sanitizer_reports() {
	cat "$1"/san/* 2>/dev/null | head -n 40
}

# pfi_create - write a private instance under DIR, smtpd on PORT
pfi_create() {
	if [ $# -lt 2 ]; then
		echo "usage: pfi_create DIR PORT [PLUGIN_SO]" >&2
		return 2
	fi
	local dir=$1 port=$2 plugin=${3:-}
	local sysmeta protocols line

	case $dir in
	/*) ;;
	*) dir=$(pwd)/$dir ;;
	esac
	sysmeta=$("$PFI_POSTCONF" -dh meta_directory) || return 1

	# The postfix user must traverse DIR to reach the tables and the
	# queue; everything under DIR/etc must be root-owned.
	mkdir -p "$dir/etc/dynamicmaps.cf.d" "$dir/etc/postfix-files.d" \
	    "$dir/queue" "$dir/data" "$dir/lib" || return 1
	chown root:root "$dir" "$dir/etc" "$dir/queue" "$dir/lib" &&
	    chmod 0755 "$dir" "$dir/etc" "$dir/queue" "$dir/lib" || return 1
	chown postfix "$dir/data" && chmod 0700 "$dir/data" || return 1

	# DIR/etc is the meta_directory too: postfix(1) checks the files
	# that postfix-files lists there, and reads dynamicmaps.cf from it.
	cp "$sysmeta/postfix-files" "$dir/etc/" || return 1
	if [ -d "$sysmeta/postfix-files.d" ]; then
		cp "$sysmeta/postfix-files.d"/* "$dir/etc/postfix-files.d/" \
		    2>/dev/null
	fi
	for line in main.cf.proto master.cf.proto makedefs.out; do
		[ -f "$sysmeta/$line" ] && cp "$sysmeta/$line" "$dir/etc/"
	done

	# dynamicmaps.cf: the system's entries (shlib-relative names still
	# resolve against the default shlib_directory) and the plugin.
	{
		echo "# dict-type	so-name (pathname)	dict-function	mkmap-function"
		cat "$sysmeta/dynamicmaps.cf" "$sysmeta"/dynamicmaps.cf.d/* \
		    2>/dev/null | grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' |
		    grep -v '^lmdbacl[[:space:]]'
		if [ -n "$plugin" ]; then
			if [ ! -f "$plugin" ]; then
				echo "pfi_create: no plugin $plugin" >&2
				return 1
			fi
			cp "$plugin" "$dir/lib/postfix-lmdbacl.so" || return 1
			chown root:root "$dir/lib/postfix-lmdbacl.so"
			chmod 0755 "$dir/lib/postfix-lmdbacl.so"
			printf 'lmdbacl\t%s\tdict_lmdbacl_open\tmkmap_lmdbacl_open\n' \
			    "$dir/lib/postfix-lmdbacl.so"
		fi
	} >"$dir/etc/dynamicmaps.cf" || return 1
	chown -R root:root "$dir/etc" && chmod 0644 "$dir/etc/dynamicmaps.cf" ||
	    return 1

	# XCLIENT ADDR=IPV6:... is refused unless IPv6 is enabled.
	if pfi_ipv6_loopback; then
		protocols=all
	else
		protocols=ipv4
	fi

	cat >"$dir/etc/main.cf" <<EOF
# Private lmdbacl test instance; written by pfi_create.
compatibility_level = 3.6
# postmap -c and postfix -c set config_directory; naming it here too
# only draws "overriding earlier entry" warnings. DIR/etc is also the
# meta_directory, where dynamicmaps.cf and postfix-files are read.
meta_directory = $dir/etc
queue_directory = $dir/queue
data_directory = $dir/data
# Logging goes through the postlog service to this file; its path
# must start with one of maillog_file_prefixes.
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = lmdbacl-test.localdomain
mydomain = localdomain
myorigin = \$myhostname
# RCPT TO:<postmaster@localhost> passes reject_unauth_destination, so
# the restriction under test decides alone.
mydestination = localhost
local_recipient_maps =
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = $protocols
# XCLIENT lets one loopback session stand in for any client.
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_relay_restrictions = reject_unauth_destination
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_recipient_restrictions =
# Every restriction list is evaluated at RCPT TO; errors cost no sleep.
smtpd_delay_reject = yes
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
# No DNS: a client is "unknown" unless XCLIENT NAME= says otherwise.
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP lmdbacl-test
biff = no
alias_maps =
alias_database =
relayhost =
smtputf8_enable = no
# A daemon that dies at start-up is retried after 2s, not 60s, so that
# one broken table does not stall the tests that follow it.
service_throttle_time = 2s
EOF
	# chroot is off everywhere: the tables and the plugin live under
	# DIR, outside any chroot jail.
	cat >"$dir/etc/master.cf" <<EOF
# Private lmdbacl test instance; written by pfi_create. Nothing is
# ever delivered: local, smtp and relay are discard(8).
127.0.0.1:$port inet n  -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       discard
smtp      unix  -       -       n       -       -       discard
relay     unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	chmod 0644 "$dir/etc/main.cf" "$dir/etc/master.cf"
}

# pfi_master_pid - print the pid of DIR's running master, if any
pfi_master_pid() {
	local dir=$1 pid
	[ -f "$dir/queue/pid/master.pid" ] || return 1
	pid=$(awk 'NR == 1 { print $1 }' "$dir/queue/pid/master.pid")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	# The pid file may be stale and the pid reused: it must be a master.
	[ "$(ps -o comm= -p "$pid" 2>/dev/null)" = master ] || return 1
	echo "$pid"
}

# pfi_start - start the instance in DIR
pfi_start() {
	local dir=$1
	if ! "$PFI_POSTFIX" -c "$dir/etc" start >"$dir/postfix-start.log" 2>&1; then
		echo "pfi_start: postfix -c $dir/etc start failed:" >&2
		cat "$dir/postfix-start.log" >&2
		[ -f "$dir/maillog" ] && tail -n 20 "$dir/maillog" >&2
		return 1
	fi
}

# pfi_smtpd_pids - print the smtpd children of DIR's master
pfi_smtpd_pids() {
	local mpid
	mpid=$(pfi_master_pid "$1") || return 0
	ps -o pid=,comm= --ppid "$mpid" 2>/dev/null |
	    awk '$2 == "smtpd" { print $1 }'
}

# pfi_wait_gone - wait up to 10s until none of the given pids exists
pfi_wait_gone() {
	local pid alive
	for _ in $(seq 1 100); do
		alive=
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ -z "$alive" ] && return 0
		sleep 0.1
	done
	echo "pfi_wait_gone: processes $* still running" >&2
	return 1
}

# pfi_reload - reload DIR; return when old smtpd processes are gone
pfi_reload() {
	local dir=$1 old
	# Idle smtpd processes keep the configuration they started with
	# until the master tells them to go; wait for that, so that the
	# next connection is served by a process that read the new main.cf.
	old=$(pfi_smtpd_pids "$dir")
	if ! "$PFI_POSTFIX" -c "$dir/etc" reload >"$dir/postfix-reload.log" 2>&1; then
		echo "pfi_reload: postfix -c $dir/etc reload failed:" >&2
		cat "$dir/postfix-reload.log" >&2
		return 1
	fi
	# shellcheck disable=SC2086
	[ -z "$old" ] || pfi_wait_gone $old
}

# pfi_stop - stop DIR's instance if it runs; safe in an EXIT trap
pfi_stop() {
	local dir=${1:-} pid
	[ -n "$dir" ] && [ -d "$dir/etc" ] || return 0
	pid=$(pfi_master_pid "$dir") || return 0
	"$PFI_POSTFIX" -c "$dir/etc" stop >/dev/null 2>&1
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	# The master did not go: kill it and its process group (the
	# master is a session leader; its children share the group).
	echo "pfi_stop: killing master $pid of $dir" >&2
	kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null
	return 0
}

# pfi_smtp - one SMTP session; print the reply of the step under test
pfi_smtp() {
	perl -MIO::Socket::INET -e '
use strict;
use warnings;
my $port = shift @ARGV;
my (%x, @xraw);
my %o = (helo => "lmdbacl-client.localdomain", from => "",
    rcpt => "postmaster\@localhost", step => "rcpt", verbose => 0,
    cmd => "EHLO");
while (@ARGV) {
	my $a = shift @ARGV;
	if ($a eq "--addr") { $x{ADDR} = shift @ARGV }
	elsif ($a eq "--name") { $x{NAME} = shift @ARGV }
	elsif ($a eq "--xhelo") { $x{HELO} = shift @ARGV }
	elsif ($a eq "--xclient") { push @xraw, shift @ARGV }
	elsif ($a eq "--helo") { $o{helo} = shift @ARGV }
	elsif ($a eq "--use-helo") { $o{cmd} = "HELO" }
	elsif ($a eq "--from") { $o{from} = shift @ARGV }
	elsif ($a eq "--rcpt") { $o{rcpt} = shift @ARGV }
	elsif ($a eq "--step") { $o{step} = shift @ARGV }
	elsif ($a eq "--verbose") { $o{verbose} = 1 }
	else { print STDERR "pfi_smtp: unknown option $a\n"; exit 64 }
}
my %known = map { $_ => 1 } qw(connect xclient helo mail rcpt);
unless (defined $port && $port =~ /^\d+$/ && $known{$o{step}}) {
	print STDERR "usage: pfi_smtp PORT [--addr A] [--name N] [--xhelo H] "
	    . "[--helo H] [--from S] [--rcpt R] "
	    . "[--step connect|xclient|helo|mail|rcpt]\n";
	exit 64;
}
$SIG{ALRM} = sub { print "timeout\n"; exit 3 };
alarm($ENV{PFI_SMTP_TIMEOUT} || 15);
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port,
    Proto => "tcp") or do { print "connect: $!\n"; exit 3 };

sub reply {
	my ($line, $last);
	while (defined($line = <$s>)) {
		$line =~ s/\r?\n$//;
		print STDERR "S: $line\n" if $o{verbose};
		$last = $line;
		last if $line =~ /^\d{3}(?: |$)/;
	}
	defined $last or do { print "lost connection\n"; exit 3 };
	return $last;
}
sub command {
	my ($c) = @_;
	print STDERR "C: $c\n" if $o{verbose};
	print $s "$c\r\n";
	return reply();
}
sub xtext {
	my ($v) = @_;
	$v =~ s/([^\x21-\x2a\x2c-\x3c\x3e-\x7e])/sprintf("+%02X", ord $1)/ge;
	return $v;
}
# Report REPLY when STEP is the one under test; stop early when a step
# before it failed, in a form that no expected code can match.
sub step {
	my ($name, $r) = @_;
	if ($name eq $o{step}) {
		print "$r\n";
		command("QUIT");
		exit 0;
	}
	if ($r !~ /^[23]/) {
		print "$name:$r\n";
		command("QUIT");
		exit 2;
	}
}
step("connect", reply());
my $e = command("$o{cmd} $o{helo}");
my @attrs = ((map { "$_=" . xtext($x{$_}) } sort keys %x), @xraw);
if (@attrs) {
	step("ehlo-before-xclient", $e) if $e !~ /^2/;
	my $r = command("XCLIENT " . join(" ", @attrs));
	step("xclient", $r);
	$e = command("$o{cmd} $o{helo}");
} elsif ($o{step} eq "xclient") {
	print STDERR "pfi_smtp: --step xclient without XCLIENT attributes\n";
	exit 64;
}
step("helo", $e);
step("mail", command("MAIL FROM:<$o{from}>"));
step("rcpt", command("RCPT TO:<$o{rcpt}>"));
' "$@"
}

# pfi_smtp_code - like pfi_smtp, print the reply code only
pfi_smtp_code() {
	local r rc
	r=$(pfi_smtp "$@")
	rc=$?
	case $r in
	[0-9][0-9][0-9]*) printf '%s\n' "${r:0:3}" ;;
	*:[0-9][0-9][0-9]*) printf '%s\n' "${r%%:*}:$(printf '%s' "${r#*:}" | cut -c1-3)" ;;
	*) printf '%s\n' "$r" ;;
	esac
	return $rc
}

pfi_smtp_step() {
	pfi_smtp_code "$@"
}
