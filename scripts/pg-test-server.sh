#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server on 127.0.0.1 for tests and benches (Debian's postgresql-15):
#   pg-test-server.sh start DIR PORT [durable]   initdb in DIR/data, start on PORT (socket in DIR), trust auth
#   pg-test-server.sh stop DIR                   immediate stop (the folder is the caller's to remove)
# PostgreSQL refuses to run as root: as root, everything runs as the `postgres` user. Tests skip fsync (nothing here
# must survive a power cut); `durable` keeps PostgreSQL's defaults (benches).
set -euo pipefail
# Close every descriptor but 0-2: the server left running must not hold the caller's pipes open (Foundation's Process
# waits until every process holding its internal pipe has exited).
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
BIN=/usr/lib/postgresql/15/bin
command=$1 dir=$2
as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
case "$command" in
start)
    port=$3
    settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${4:-}" = durable ] && settings=""
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    as_server_user "$BIN/initdb -D '$dir/data' -U postgres -A trust -E UTF8 --no-sync >'$dir/initdb.log' 2>&1"
    as_server_user "$BIN/pg_ctl -D '$dir/data' -l '$dir/server.log' -w -t 60 \
        -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=50 $settings\" start >/dev/null"
    ;;
stop)
    as_server_user "$BIN/pg_ctl -D '$dir/data' -m immediate -w stop >/dev/null" || true
    ;;
*)
    echo "usage: $0 start DIR PORT [durable] | stop DIR" >&2
    exit 2
    ;;
esac
