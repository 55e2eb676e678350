#!/usr/bin/env bash
# The WebGPU training bench on a lent GPU machine, in one short run (no network there).
#
#   bash scripts/gpu_bench.sh prepare   # here, once: fills .gpu/ and .gl/ (both git-ignored)
#   bash scripts/gpu_bench.sh run       # there: the device tool's `run` with carry [".gpu", ".gl"]
#
# `prepare` packs what the device machine lacks: this Deno (xz-compressed), the training bench
# bundled into one file with its npm packages (`deno bundle`: node_modules is far over the
# 64 MiB a call may carry), the simd kernels beside it, and the Vulkan loader's Debian packages
# (as /work/.library/device/README.md says), and tests/backend_webgpu_test.ts bundled likewise.
# `run` unpacks them, prints the WebGPU adapter, runs the WebGPU tests on it (our filter-gradient
# kernel and a few training steps against tfjs' cpu backend), times the filter gradient alone
# with tfjs' kernel and ours (src/bench/webgpu_filter.ts), then the equivalent of
# `deno task bench train --backends webgpu,webgpu-stock,simd` (webgpu-stock: tfjs' own filter
# gradient) on the embedded MNIST digits (../shared does not travel), then webgpu and
# webgpu-stock again at batch $GPU_BENCH_BATCH (default 256; empty skips it), writing
# $OUT/gpu_bench.log, $OUT/gpu_bench.json and $OUT/gpu_bench_batch.json.
# Flags after `run` go to both benches (default: --samples 6400 --epochs 1).
# GPU_BENCH_SKIP_GL=1 leaves / alone (no dpkg -x): for a try on a machine with its own loader;
# GPU_BENCH_FILTER_FLAGS go to the filter bench (default: --batches 32,256 --rounds 3 --reps 20).
set -euo pipefail
cd "$(dirname "$0")/.."

prepare() {
  mkdir -p .gpu/wasm .gl
  cat >.gpu/entry.ts <<'EOF'
import { runBench } from "../src/bench/train.ts";
import { runWebgpuFilterBench } from "../src/bench/webgpu_filter.ts";
if (Deno.args[0] === "filter") await runWebgpuFilterBench(Deno.args.slice(1));
else await runBench(Deno.args);
EOF
  deno bundle --platform deno --minify -o .gpu/bench.js .gpu/entry.ts
  xz -6 -T2 -f .gpu/bench.js
  deno bundle --platform deno --minify -o .gpu/webgpu_test.js tests/backend_webgpu_test.ts
  xz -6 -T2 -f .gpu/webgpu_test.js
  cp src/kernels/wasm/kernels.wasm .gpu/wasm/
  # The slow part (~4 min): skipped when .gpu/deno.xz is newer than this Deno.
  if [ ! .gpu/deno.xz -nt "$(command -v deno)" ]; then
    xz -6 -T2 -c "$(command -v deno)" >.gpu/deno.xz.tmp && mv .gpu/deno.xz.tmp .gpu/deno.xz
  fi
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  du -sh .gpu .gl
}

run() {
  if [ "${GPU_BENCH_SKIP_GL:-}" != 1 ]; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  if ! compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null &&
    ! compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
  local bin=/tmp/gpu-bench
  mkdir -p "$bin/wasm"
  xz -dc .gpu/deno.xz >"$bin/deno" && chmod +x "$bin/deno"
  xz -dc .gpu/bench.js.xz >"$bin/bench.js"
  xz -dc .gpu/webgpu_test.js.xz >"$bin/webgpu_test.js"
  cp .gpu/wasm/kernels.wasm "$bin/wasm/"
  local out=${OUT:-/tmp}
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
  "$bin/deno" eval 'const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
    console.log("WebGPU adapter:", a ? JSON.stringify({ vendor: a.info.vendor,
      architecture: a.info.architecture, device: a.info.device, description: a.info.description,
      isFallbackAdapter: a.info.isFallbackAdapter }) : "none");'
  local flags=("$@")
  [ ${#flags[@]} -gt 0 ] || flags=(--samples 6400 --epochs 1)
  local batch=${GPU_BENCH_BATCH-256}
  (
    cd "$bin"
    echo "== WebGPU tests (tests/backend_webgpu_test.ts) on this adapter"
    timeout 75 ./deno test -A webgpu_test.js || echo "WebGPU tests failed or timed out (rc $?)"
    echo "== the filter gradient alone, stock and split (src/bench/webgpu_filter.ts)"
    # shellcheck disable=SC2086
    timeout 60 ./deno run -A bench.js filter ${GPU_BENCH_FILTER_FLAGS:-} || echo "filter bench failed or timed out (rc $?)"
    echo "== bench train --backends webgpu,webgpu-stock,simd ${flags[*]}"
    timeout 120 ./deno run -A bench.js --backends webgpu,webgpu-stock,simd "${flags[@]}" \
      --out "$out/gpu_bench.json" || echo "bench failed or timed out (rc $?)"
    if [ -n "$batch" ]; then
      echo "== bench train --backends webgpu,webgpu-stock --batch $batch ${flags[*]}"
      timeout 60 ./deno run -A bench.js --backends webgpu,webgpu-stock --batch "$batch" \
        "${flags[@]}" --out "$out/gpu_bench_batch.json" || echo "bench failed or timed out (rc $?)"
    fi
  ) 2>&1 | tee "$out/gpu_bench.log"
}

case "${1:-}" in
prepare) prepare ;;
run)
  shift
  run "$@"
  ;;
*)
  echo "Usage: bash scripts/gpu_bench.sh prepare|run [bench flags]" >&2
  exit 2
  ;;
esac
