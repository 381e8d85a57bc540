# The steps bench/run times. Sourced from the project root.

# The functions: every functions/<name> with a main.rs (functions/stackflow is the library).
FUNCTION_PACKAGES=()
for main in functions/*/src/main.rs; do
  FUNCTION_PACKAGES+=(-p "$(basename "$(dirname "$(dirname "$main")")")")
done

BENCH_PYTHON_VENV="${STACKFLOW_BENCH_PYTHON_VENV:-$PWD/.stackflow/bench-python}"

now() { date +%s.%N; }

# Run a step and append "name<TAB>seconds" to $phases.
timed() {
  echo "== $1" >&2
  timed_quietly "$@"
}

# Run "name function" pairs at the same time, each timed into $phases, its output in
# $out/logs/<function>.log; fail with the failed steps' logs.
together() {
  local pids=() names=() logs=() i failed=0
  mkdir -p "$out/logs"
  while [ $# -gt 0 ]; do
    names+=("$1")
    logs+=("$out/logs/$2.log")
    echo "== $1 (log: $out/logs/$2.log)" >&2
    timed_quietly "$1" "$2" >"$out/logs/$2.log" 2>&1 &
    pids+=($!)
    shift 2
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      echo "== ${names[$i]} failed:" >&2
      tail -n 40 "${logs[$i]}" >&2
      failed=1
    fi
  done
  return "$failed"
}

timed_quietly() {
  local name="$1" start
  shift
  start="$(now)"
  "$@"
  echo -e "$name\t$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')" >> "$phases"
}

# What the benchmark measures: the functions alone (their own features, as the arm64 zips), with
# the release profile of the root Cargo.toml (fat LTO, one codegen unit, stripped, opt-level s).
native_release_build() {
  cargo build --release --locked "${FUNCTION_PACKAGES[@]}"
}

# The benchmark and the local environment it measures with: tools, built as `cargo run` builds
# them (dev profile); they are not what is measured.
tools_build() {
  cargo build --locked -p stackflow-local -p stackflow-bench
}

# The arm64 deployment zips, target/lambda/<function>/bootstrap.zip: `sam build` of the SAM
# template with its BuildMethod rust-cargolambda, checked and zipped as `sam deploy` zips them, by
# infra/checks/sam-build (the test command's one arm64 build; quick when it has run already).
arm64_zips() {
  infra/checks/sam-build
}

# The Python comparison's runtime: awslambdaric and boto3, pinned (bench/python/requirements.txt).
python_venv() {
  local requirements=bench/python/requirements.txt marker="$BENCH_PYTHON_VENV/.requirements.txt"
  if ! cmp -s "$requirements" "$marker"; then
    [ -x "$BENCH_PYTHON_VENV/bin/python" ] || python3 -m venv "$BENCH_PYTHON_VENV"
    "$BENCH_PYTHON_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$marker"
  fi
  chmod +x bench/python/bootstrap
}

# moto, which stackflow-local installs into .stackflow/venv on its first start: start and stop
# the environment once, so that the measured start-up does not include the install.
moto_venv() {
  local home="$PWD/target/bench/home"
  STACKFLOW_HOME="$home" STACKFLOW_FUNCTIONS_DIR="$PWD/target/release" target/debug/stackflow-local up >&2
  STACKFLOW_HOME="$home" target/debug/stackflow-local down >&2
}
