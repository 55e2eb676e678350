#!/usr/bin/env bash
# The WebGPU training bench on a lent GPU machine, in one short run (no network there).
#
#   bash scripts/gpu_bench.sh prepare   # here, once: fills .gpu/ and .gl/ (both git-ignored)
#   bash scripts/gpu_bench.sh run       # there: the device tool's `run` with carry [".gpu", ".gl"]
#
# `prepare` packs what the device machine lacks: this Deno (xz-compressed), the training bench
# bundled into one file with its npm packages (`deno bundle`: node_modules is far over the
# 64 MiB a call may carry), the simd kernels beside it, and the Vulkan loader's Debian packages
# (as /work/.library/device/README.md says). `run` unpacks them, prints the WebGPU adapter, and
# runs the equivalent of `deno task bench train --backends webgpu,simd` on the embedded MNIST
# digits (../shared does not travel), writing $OUT/gpu_bench.log and $OUT/gpu_bench.json.
# Flags after `run` go to the bench (default: --samples 6400 --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."

prepare() {
  mkdir -p .gpu/wasm .gl
  printf 'import { runBench } from "../src/bench/train.ts";\nawait runBench(Deno.args);\n' \
    >.gpu/entry.ts
  deno bundle --platform deno --minify -o .gpu/bench.js .gpu/entry.ts
  xz -6 -T2 -f .gpu/bench.js
  cp src/kernels/wasm/kernels.wasm .gpu/wasm/
  xz -6 -T2 -c "$(command -v deno)" >.gpu/deno.xz
  local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
  du -sh .gpu .gl
}

run() {
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
  local bin=/tmp/gpu-bench
  mkdir -p "$bin/wasm"
  xz -dc .gpu/deno.xz >"$bin/deno" && chmod +x "$bin/deno"
  xz -dc .gpu/bench.js.xz >"$bin/bench.js"
  cp .gpu/wasm/kernels.wasm "$bin/wasm/"
  local out=${OUT:-/tmp}
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
  "$bin/deno" eval 'const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
    console.log("WebGPU adapter:", a ? JSON.stringify({ vendor: a.info.vendor,
      architecture: a.info.architecture, device: a.info.device, description: a.info.description,
      isFallbackAdapter: a.info.isFallbackAdapter }) : "none");'
  local flags=("$@")
  [ ${#flags[@]} -gt 0 ] || flags=(--samples 6400 --epochs 1)
  (cd "$bin" && ./deno run -A bench.js --backends webgpu,simd "${flags[@]}" \
    --out "$out/gpu_bench.json") 2>&1 | tee "$out/gpu_bench.log"
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
