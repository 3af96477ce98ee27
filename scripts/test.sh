#!/usr/bin/env bash
# The whole test suite: TypeScript type check, vitest (unit, render and
# headless-Chromium tests) and the trainer's Python tests.
# Installs what the suite needs when missing (as root, via apt-get):
#   chromium          for the browser tests (WebGPU via SwiftShader, wasm)
#   python3-torch     for training/ tests (Debian's PyTorch 1.13, CPU)
# Ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1 || need+=(python3-torch python3-numpy)
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing missing Debian packages: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null \
      || { echo "test: apt-get install ${need[*]} failed"; exit 1; }
  else
    echo "test: not root; install them with: sudo apt-get install ${need[*]}"; exit 1
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: installing npm dependencies (npm install)"
  npm install --no-audit --no-fund >/dev/null || { echo "test: npm install failed"; exit 1; }
fi

mkdir -p .cache
passed=0; failed=0

echo "== typecheck"
if npx tsc --noEmit -p .; then passed=$((passed+1)); else failed=$((failed+1)); echo "typecheck FAILED"; fi

echo "== vitest"
rm -f .cache/vitest-results.json
npx vitest run
if [ -f .cache/vitest-results.json ]; then
  read -r vp vf < <(node -e 'const r=require("./.cache/vitest-results.json");console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0) + (r.testResults||[]).filter(s=>s.status==="failed"&&s.assertionResults.length===0).length)')
  passed=$((passed+vp)); failed=$((failed+vf))
else
  echo "vitest produced no results"; failed=$((failed+1))
fi

echo "== training/ (python unittest)"
/usr/bin/python3 -m unittest discover -s training/tests -t . -v > .cache/pytest.log 2>&1
cat .cache/pytest.log | tail -30
pp=$(grep -cE ' \.\.\. ok$' .cache/pytest.log || true)
pf=$(grep -cE ' \.\.\. (FAIL|ERROR)$' .cache/pytest.log || true)
grep -qE '^(FAILED|OK)' .cache/pytest.log || pf=$((pf+1))
passed=$((passed+pp)); failed=$((failed+pf))

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
