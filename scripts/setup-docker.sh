#!/usr/bin/env bash
# Make a Docker daemon answer and the offline sandbox image exist (idempotent).
#
#   bash scripts/setup-docker.sh
#
# Works on a fresh Debian 12 machine as root with no internet except the apt
# mirror: installs Debian's docker.io when dockerd is absent, starts dockerd in
# the background when no daemon answers `docker info`, waits for it, then
# builds the sandbox image from Debian packages (sandboxes/images/build_rootfs.sh;
# cached by a hash of its inputs, so a second call takes about a second).
#
# Environment:
#   AROLLOUT_NO_DOCKER=1   do nothing (the docker-marked tests then skip, saying why)
#   AROLLOUT_DOCKERD_LOG   where a dockerd started here logs (default /var/log/arollout-dockerd.log)
#   AROLLOUT_DOCKER_WAIT_S how long to wait for the daemon (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${AROLLOUT_NO_DOCKER:-0}" = 1 ]; then
  echo "setup-docker: AROLLOUT_NO_DOCKER=1, leaving Docker alone"
  exit 0
fi
LOG=${AROLLOUT_DOCKERD_LOG:-/var/log/arollout-dockerd.log}
WAIT_S=${AROLLOUT_DOCKER_WAIT_S:-60}
t0=$(date +%s)

daemon_answers() { timeout 10 docker info >/dev/null 2>&1; }

if ! daemon_answers; then
  if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { echo "setup-docker: dockerd is missing; run as root to install docker.io" >&2; exit 1; }
    echo "setup-docker: installing Debian docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # Service start-up is ours to do (machines without systemd): tell the
    # maintainer scripts not to try, then restore the policy.
    policy=/usr/sbin/policy-rc.d
    had_policy=0; [ -e "$policy" ] && had_policy=1
    [ "$had_policy" = 1 ] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; }
    apt-get install -y -q --no-install-recommends docker.io >/dev/null
    [ "$had_policy" = 1 ] || rm -f "$policy"
  fi
  if ! daemon_answers; then
    echo "setup-docker: starting dockerd (log: $LOG)"
    # The sandbox containers have no network, so the daemon needs no bridge
    # and no iptables rules (kernels without netfilter modules work too).
    nohup dockerd --bridge=none --iptables=false >>"$LOG" 2>&1 </dev/null &
    for _ in $(seq "$WAIT_S"); do
      daemon_answers && break
      sleep 1
    done
    if ! daemon_answers; then
      echo "setup-docker: dockerd did not answer within ${WAIT_S}s; last log lines:" >&2
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
  fi
fi
echo "setup-docker: daemon $(docker version --format '{{.Server.Version}}') answers ($(( $(date +%s) - t0 ))s)"
bash sandboxes/images/build_rootfs.sh
echo "setup-docker: done in $(( $(date +%s) - t0 ))s"
