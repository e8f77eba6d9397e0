#!/usr/bin/env bats
# make install: binaries, man pages and PREFIX/share/agentpipe, under DESTDIR.

load helpers

@test "make install puts everything under DESTDIR, and the installed tools find their data" {
	T=$BATS_TEST_TMPDIR
	run make -C "$REPO" --no-print-directory install DESTDIR="$T/root" PREFIX=/opt/ap
	assert_success
	[ -x "$T/root/opt/ap/bin/costsum" ]
	[ -f "$T/root/opt/ap/share/man/man1/costsum.1" ]
	[ -f "$T/root/opt/ap/share/man/man5/agentpipe-records.5" ]
	[ -f "$T/root/opt/ap/share/man/man7/agentpipe.7" ]
	[ -f "$T/root/opt/ap/share/agentpipe/prices.yaml" ]
	[ -f "$T/root/opt/ap/share/agentpipe/schema.sql" ]
	run env -u AGENTPIPE_SHARE "$T/root/opt/ap/bin/costsum" "$FIX/costsum/calls.ndjson"
	assert_success
	assert_output --partial '"cost_usd":0.547}'
}
