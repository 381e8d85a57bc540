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
  local name="$1" start
  shift
  echo "== $name" >&2
  start="$(now)"
  "$@"
  echo -e "$name\t$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')" >> "$phases"
}

# What the local environment runs and the benchmark measures: the release profile of the root
# Cargo.toml (fat LTO, one codegen unit, stripped).
native_release_build() {
  cargo build --release --locked "${FUNCTION_PACKAGES[@]}" -p stackflow-local -p stackflow-bench
}

# The arm64 deployment zips, target/lambda/<function>/bootstrap.zip, built by cargo lambda as
# the SAM template's BuildMethod (rust-cargolambda) builds them. The tools (cargo-lambda and zig,
# pinned, and the aarch64 Rust target) come from infra/checks/install-tools when it is there;
# otherwise from bench_tools below.
arm64_zips() {
  local bin
  if [ -x infra/checks/install-tools ]; then
    bin="$(infra/checks/install-tools)"
  else
    bin="$(bench_tools)"
  fi
  PATH="$bin:$PATH" cargo lambda build --release --arm64 --locked --output-format zip \
    "${FUNCTION_PACKAGES[@]}"
}

# Fallback for arm64_zips: cargo-lambda (it brings zig) from PyPI, pinned, in .stackflow/bench-tools.
bench_tools() {
  local venv="$PWD/.stackflow/bench-tools"
  if [ ! -x "$venv/bin/cargo-lambda" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cargo-lambda==1.9.2 ziglang==0.17.1 >&2
  fi
  rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
    || rustup target add aarch64-unknown-linux-gnu >&2
  echo "$venv/bin"
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
  STACKFLOW_HOME="$home" STACKFLOW_FUNCTIONS_DIR="$PWD/target/release" target/release/stackflow-local up >&2
  STACKFLOW_HOME="$home" target/release/stackflow-local down >&2
}
