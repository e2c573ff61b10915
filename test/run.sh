#!/usr/bin/env bash
# The one test command: installs what the test suites need when it is missing, runs every suite with
# `dotnet test OrleansLog.sln`, and ends with one line "N passed, N failed" summed over all suites.
# Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Log").
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the suites use; each later suite adds its own here (postgresql: the cluster-mode tests
# start their own server from its binaries; the service Debian sets up is not used; kcat: the Kafka
# listener's tests drive it as a real Kafka client; chromium: the web console's tests drive it headless
# through Playwright, which cannot download a browser here; nats-server, redis-server: the peers the
# benchmark's compare command starts itself, run by the benchmark smoke test).
apt_packages=(util-linux postgresql kcat chromium nats-server redis-server)

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    echo "Installing ${missing[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK is missing: install the dotnet-sdk-10.0 package, then run test/run.sh again." >&2
  exit 1
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
set +e
# -m:1 runs the suites one after another: side by side on two cores, three broker processes, a browser and
# TestClusters starved each other, and a failover test once waited 37 s for a death to be declared. One at a
# time took the same 4 min 40 s.
# The hang timeout sits above the longest test's own deadline: the quick peer comparison (eight workloads on five
# drivers, about 5 minutes) gives its benchmark process 10 minutes, and a 5-minute timeout killed it mid-run once.
dotnet test OrleansLog.sln -m:1 --logger trx --results-directory "$results" --blame-hang-timeout 12m "$@"
status=$?
set -e

passed=0
failed=0
aborted=0
for trx in "$results"/*.trx; do
  [[ -e $trx ]] || continue
  # A test host that crashed or hung (the blame collector's hang timeout) leaves an unfinished run, whose
  # counters show only what ran before: count it, so the summary never reads "0 failed" after an abort.
  grep -qE '<ResultSummary outcome="(Completed|Failed)"' "$trx" || aborted=$((aborted + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

echo "$passed passed, $failed failed, $aborted test run(s) aborted"
if ((status != 0 || failed > 0 || aborted > 0 || passed == 0)); then
  exit 1
fi
