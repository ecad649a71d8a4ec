#!/usr/bin/env bash
# The README's quick start, as one command on a fresh Debian/Ubuntu machine:
#   sudo ./src/workshop/quickstart.sh
# installs what the workshop needs (busybox-static, the npm packages) and what its
# tests need (strace for a chapter 3.3 test, chromium for the docs rendering check, so
# that `sudo npm test` runs as it does in CI), checks the machine, and starts the
# chapter 4.3 container with a volume:
#   npm run chapter 4.3 -- run -ti -v /root/volume:/test sh
# Extra arguments replace that run command, e.g. sudo ./src/workshop/quickstart.sh run -ti sh;
# --no-run installs and checks only (a CI job, a handout without chapter 4.3's stage).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != 0 ]; then
  echo "quickstart: run me as root: sudo $0 $*" >&2
  exit 1
fi
if ! command -v node >/dev/null || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "quickstart: Node.js 20.19 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "  Debian/Ubuntu: see docs/setup.md (NodeSource, or Debian 13's nodejs package)." >&2
  exit 1
fi
missing=()
for pkg in busybox-static strace chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Ubuntu ships chromium as a snap only (no deb to install): skip what apt cannot offer.
  install=()
  for pkg in "${missing[@]}"; do
    policy=$(apt-cache policy "$pkg" 2>/dev/null || true)
    if [[ $policy == *"Candidate: "[0-9]* ]]; then
      install+=("$pkg")
    else
      echo "quickstart: apt offers no $pkg package here; skipped (see docs/setup.md)" >&2
    fi
  done
  [ ${#install[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${install[@]}"
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent doctor || true
if [ "${1:-}" = --no-run ]; then exit 0; fi
if [ $# -eq 0 ]; then set -- run -ti -v /root/volume:/test sh; fi
exec npm run --silent chapter 4.3 -- "$@"
