#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on localhost, then that Régua's
# database exists. Uses them when they answer; starts them when installed but
# stopped; installs them from the distribution's packages when missing.
# Idempotent and quiet when all is well; one clear line when it cannot.
set -uo pipefail

PGHOST=127.0.0.1 PGPORT=5432 REDIS_PORT=6379
DB_URL=${REGUA_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/regua?sslmode=disable}

log() { [ -n "${VERBOSE:-}" ] && echo "services: $*" >&2; return 0; }
die() { echo "services: $*" >&2; exit 1; }

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* (no apt-get); install it yourself and re-run"
  log "installing $*"
  if [ ! -f /tmp/.regua-apt-updated ]; then
    sudo_ apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed; cannot install $*"
    touch /tmp/.regua-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq "$@" >/dev/null 2>&1 || die "apt-get install $* failed"
}

pg_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h $PGHOST -p $PGPORT; return; fi
  (exec 3<>/dev/tcp/$PGHOST/$PGPORT) 2>/dev/null
}

redis_up() {
  if command -v redis-cli >/dev/null; then [ "$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping 2>/dev/null)" = PONG ]; return; fi
  (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null
}

wait_for() { # wait_for CHECK SECONDS
  for _ in $(seq 1 $(( $2 * 5 ))); do "$1" && return 0; sleep 0.2; done
  return 1
}

ensure_postgres() {
  pg_up && return 0
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    local ver; ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    if [ -z "$ver" ]; then
      ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
      sudo_ pg_createcluster "$ver" main >/dev/null 2>&1 || die "cannot create a PostgreSQL cluster"
    fi
    # Trust local TCP connections, as SPEC's default URL has no password.
    local hba=/etc/postgresql/$ver/main/pg_hba.conf
    if [ -f "$hba" ] && ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
      sudo_ sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    sudo_ pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 \
      || sudo_ pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true
  elif command -v systemctl >/dev/null; then
    sudo_ systemctl start postgresql >/dev/null 2>&1 || true
  fi
  wait_for pg_up 30 || die "PostgreSQL does not answer on $PGHOST:$PGPORT (tried to start it)"
}

ensure_redis() {
  redis_up && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  command -v redis-cli >/dev/null || apt_install redis-tools
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port $REDIS_PORT --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/regua.log >/dev/null 2>&1 \
    || redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save "" >/dev/null 2>&1 || true
  wait_for redis_up 15 || die "Redis does not answer on 127.0.0.1:$REDIS_PORT (tried to start it)"
}

ensure_database() {
  local db=${DB_URL##*/}; db=${db%%\?*}
  [ -n "$db" ] || return 0
  command -v psql >/dev/null || apt_install postgresql-client
  local admin=${DB_URL%/*}/postgres
  if [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" 2>/dev/null)" != 1 ]; then
    log "creating database $db"
    psql "$admin" -qc "CREATE DATABASE \"$db\"" >/dev/null 2>&1 \
      || [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" 2>/dev/null)" = 1 ] \
      || die "cannot create database $db at ${admin%%@*}@…"
  fi
}

# Headless Chromium for the browser tests of the web chat (and console).
ensure_chromium() {
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || apt_install chromium
}

ensure_postgres
ensure_redis
ensure_database
if [ "${1:-}" = "--with-browser" ]; then ensure_chromium; fi
