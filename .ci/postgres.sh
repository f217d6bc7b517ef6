#!/usr/bin/env bash
# Starts a local PostgreSQL server for the PostgreSQL test suite and exports TEST_DATABASE_URL.
# Meant to be sourced as root on a Debian machine with the `postgresql` package installed:
#   source .ci/postgres.sh
# It reuses (or creates) the Debian cluster `<version>/main`, starts it, creates a role that may
# create databases (each test file makes its own) and a database for it. Safe to source twice.

_pg_setup() {
  local version port role password db
  role="${PG_TEST_ROLE:-aigne_hub}"
  password="${PG_TEST_PASSWORD:-aigne_hub}"
  db="${PG_TEST_DB:-aigne_hub_test}"

  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$version" ]; then
    echo "postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
    return 1
  fi

  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}' | grep -qx "$version/main"; then
    pg_createcluster "$version" main >/dev/null || { echo "postgres.sh: pg_createcluster failed" >&2; return 1; }
  fi
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start || { echo "postgres.sh: pg_ctlcluster start failed" >&2; return 1; }
  fi

  local i
  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p "$port" || { echo "postgres.sh: server on port $port is not ready" >&2; return 1; }

  _psql() { (cd / && su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qAt $*"); }
  if [ "$(_psql "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$role'\"")" != "1" ]; then
    _psql "-c \"CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'\"" || return 1
  fi
  if [ "$(_psql "-c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"")" != "1" ]; then
    _psql "-c \"CREATE DATABASE $db OWNER $role\"" || return 1
  fi
  unset -f _psql

  export TEST_DATABASE_URL="postgres://$role:$password@127.0.0.1:$port/$db"
  echo "PostgreSQL $version is running on 127.0.0.1:$port; TEST_DATABASE_URL is set"
}

_pg_setup
_pg_status=$?
unset -f _pg_setup
(exit $_pg_status)
