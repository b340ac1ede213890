#!/usr/bin/env bash
# The README's promise, checked as a new user meets it: a clone of the current commit, a PATH
# without the system's ffmpeg/ffprobe and without Debian's Chromium (the browser tests then use
# the one npm installs), and the README's commands: `npm install && npm test`, then `npm run demo`
# (its analysis must print events and its server must answer /api/health).
#
#   npm run test:fresh                    # or: bash scripts/fresh-machine-check.sh [options]
#   --system-tests   afterwards, in the same clone and with the system's ffmpeg visible, run the
#                    tests whose outcome depends on which ffmpeg is used (CI does this)
#   --keep           keep the temporary clone (its path is printed)
#
# It tests the last commit, not uncommitted edits. Test requirements follow test/support/requirements.ts:
# VIGIL_TEST_STRICT=1 (set by .ci/run) makes a skipped test fail, except the system ffmpeg here,
# which is hidden on purpose (VIGIL_TEST_MAY_SKIP=system-ffmpeg).
set -euo pipefail

system_tests=0
keep=0
for arg in "$@"; do
  case "$arg" in
    --system-tests) system_tests=1 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--system-tests] [--keep]" >&2; exit 2 ;;
  esac
done

repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
commit="$(git -C "$repo" rev-parse HEAD)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "fresh: note: uncommitted changes in $repo are not part of this check (it clones $commit)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/vigil-fresh-XXXXXX")"
demo_pid=""
cleanup() {
  if [ -n "$demo_pid" ]; then kill -- "-$demo_pid" 2>/dev/null || true; fi
  if [ "$keep" = 1 ]; then echo "fresh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

started=$SECONDS
step() { echo "fresh: [$((SECONDS - started)) s] $*"; }

# A bin folder with everything on PATH except what a fresh machine lacks.
hidden=" ffmpeg ffprobe ffplay chromium chromium-browser google-chrome google-chrome-stable chrome "
bin="$work/bin"
mkdir -p "$bin"
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [ -d "$dir" ] || continue
  for file in "$dir"/*; do
    name="${file##*/}"
    case "$hidden" in *" $name "*) continue ;; esac
    if [ -x "$file" ] && [ ! -d "$file" ] && [ ! -e "$bin/$name" ]; then ln -s "$file" "$bin/$name"; fi
  done
done

fresh_env=(
  env PATH="$bin"
  VIGIL_CHROMIUM=bundled
  VIGIL_TEST_MAY_SKIP="system-ffmpeg${VIGIL_TEST_MAY_SKIP:+,$VIGIL_TEST_MAY_SKIP}"
)
if "${fresh_env[@]}" sh -c 'command -v ffmpeg || command -v ffprobe || command -v chromium' >/dev/null; then
  echo "fresh: could not hide ffmpeg/chromium from PATH" >&2
  exit 1
fi

step "cloning $commit into $work/vigil"
git clone --quiet "$repo" "$work/vigil"
git -C "$work/vigil" checkout --quiet "$commit"
cd "$work/vigil"

step "npm install (no system ffmpeg, no Debian Chromium on PATH)"
"${fresh_env[@]}" npm install
for binary in node_modules/@ffmpeg-installer/linux-x64/ffmpeg node_modules/@ffprobe-installer/linux-x64/ffprobe; do
  if [ ! -x "$binary" ]; then
    echo "fresh: $binary is missing or not executable after npm install (allowScripts in package.json?)" >&2
    exit 1
  fi
done

step "npm test"
log="$work/npm-test.log"
"${fresh_env[@]}" npm test 2>&1 | tee "$log"
install_and_test=$((SECONDS - started))

step "npm run demo"
port="$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
demo_log="$work/demo.log"
# npm appends the extra arguments to the demo's last command, `vigil serve`.
setsid "${fresh_env[@]}" npm run demo -- --port "$port" >"$demo_log" 2>&1 &
demo_pid=$!
healthy=0
for _ in $(seq 1 600); do
  if ! kill -0 "$demo_pid" 2>/dev/null; then break; fi
  if node -e "fetch('http://127.0.0.1:$port/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    healthy=1
    break
  fi
  sleep 1
done
kill -- "-$demo_pid" 2>/dev/null || true
wait "$demo_pid" 2>/dev/null || true
demo_pid=""
cat "$demo_log"
if [ "$healthy" != 1 ]; then
  echo "fresh: the demo server did not answer /api/health on port $port" >&2
  exit 1
fi
# Event lines end with the event id in brackets, e.g. "- Person p3 crossed ... [street-r1-line_crossing-path-4-p3]".
events="$(grep -cE '^\s+- .*\[street-' "$demo_log" || true)"
if [ "$events" -lt 1 ]; then
  echo "fresh: the demo's analysis printed no events" >&2
  exit 1
fi

if [ "$system_tests" = 1 ]; then
  # The same clone with the system's ffmpeg visible (CI installs it): the tests whose result
  # depends on which ffmpeg runs, each with both, nothing allowed to skip. (The browser tests
  # with Debian's Chromium: `npm run test:e2e` where it is installed; not here, for CI's time.)
  step "system ffmpeg: the tests that depend on which ffmpeg is used"
  env -u VIGIL_TEST_MAY_SKIP VIGIL_TEST_STRICT=1 npx vitest run test/medium/http-camera.test.ts src/adapters/ffmpeg
fi

step "done"
echo "fresh: commit $commit"
echo "fresh: npm install && npm test took ${install_and_test} s; the demo printed $events event line(s) and answered /api/health"
skips="$(grep -ho 'SKIPPED: .*' "$log" | sort -u || true)"
if [ -n "$skips" ]; then
  echo "fresh: skipped tests (each with its reason):"
  echo "$skips"
fi
