#!/bin/bash
# NAME
#	test-conformance.sh - the differential tests, reduced (make check)
# DESCRIPTION
#	tests/conformance/run-conformance --reduced: a sample of each real
#	data set (disposable-email-domains, publicsuffix, tor-geoipdb) and a
#	few thousand queries, against hash:, lmdb:, cdb:, pcre: and cidr:
#	through the real postmap and a real smtpd. make conformance runs
#	the whole data sets.
exec "$(dirname "$0")/run-conformance" --reduced
