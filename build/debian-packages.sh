# Sourced by build/test.sh and build/bench.sh, which start servers of their own: installs Debian packages without
# letting them start any service (PostgreSQL's main cluster on 5432, redis-server on 6379).
#
# install_packages LOG PACKAGE...: apt-get update and install, as root or through sudo -n, output appended to LOG.
# Returns non-zero, with a line on stderr, when it cannot or the install failed. Safe to run again.
install_packages() {
  local log=$1; shift
  local sudo="" made_policy="" status=0 package postgres="" rest=()
  if ! command -v apt-get >/dev/null; then
    echo "There is no apt-get to install $* with." >&2; return 1
  fi
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Installing $* needs root or sudo." >&2; return 1; }
    sudo="sudo -n"
  fi
  for package in "$@"; do
    if [ "$package" = postgresql ]; then postgres=1; else rest+=("$package"); fi
  done

  # policy-rc.d answering 101 keeps every service from starting during the install; removed afterwards if made here.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# Written by Tekton'"'"'s build scripts for the duration of an install: start no service.\nexit 101\n' \
      | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  local apt="$sudo env DEBIAN_FRONTEND=noninteractive apt-get"
  local conf=/etc/postgresql-common/createcluster.conf
  {
    $apt update -q || status=$?
    if [ "$status" = 0 ] && [ -n "$postgres" ]; then
      # postgresql-common first, told to make no main cluster (data in /var/lib/postgresql, a server on 5432),
      # then the server; the setting is put back afterwards.
      if $apt install -y -q postgresql-common; then
        $sudo cp "$conf" "$conf.tekton-build"
        $sudo sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' "$conf"
        grep -q '^create_main_cluster = false' "$conf" || echo 'create_main_cluster = false' | $sudo tee -a "$conf" >/dev/null
        $apt install -y -q postgresql || status=$?
        $sudo mv "$conf.tekton-build" "$conf"
      else
        status=1
      fi
    fi
    if [ "$status" = 0 ] && [ ${#rest[@]} -gt 0 ]; then
      $apt install -y -q "${rest[@]}" || status=$?
    fi
  } >>"$log" 2>&1
  [ -z "$made_policy" ] || $sudo rm -f /usr/sbin/policy-rc.d
  if [ "$status" != 0 ]; then
    echo "Installing $* failed; the end of $log:" >&2
    tail -n 5 "$log" >&2
  fi
  return "$status"
}

# has_postgres: PostgreSQL's server programs are installed (on PATH or in Debian's /usr/lib/postgresql/*/bin).
has_postgres() { command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
