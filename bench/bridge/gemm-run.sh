#!/bin/bash
# The GEMM / remat probe's device call (README.md "GEMM probe"), from the repo root on the GPU machine:
#   bash .devwork/gemm/gemm-run.sh      (prepared by: bash bench/bridge/gemm-run.sh --prepare DIR, here)
# 1. gemm_probe.py: the steps' GEMM shapes and layouts in PyTorch and as jitted XLA dots, randn and 0.02-scaled,
#    bf16 and fp16, XLA autotuning default; 2. the same XLA dots with --xla_gpu_autotune_level=0 (randn, bf16);
# 3. GPT-350M b8 with remat, and without, one step each: XLA's optimised HLO and the kernel trace, as a tarball.
#   bash .devwork/gemm/gemm-run.sh T    the second call: only 3. for three more remat rows (350M b16, 760M b8, 1.3B b8)
if [ "${1:-}" = --prepare ]; then
  set -euo pipefail
  DIR=${2:-.devwork/gemm}; cd "$(dirname "$0")/../.."; mkdir -p "$DIR/scripts"
  cp bench/bridge/gemm_probe.py bench/bridge/gemm-run.sh "$DIR/"
  for mbr in gpt-350M:8:on gpt-350M:8:off gpt-350M:16:on gpt-760M:8:on gpt-1.3B:8:on; do
    IFS=: read -r m b r <<<"$mbr"
    node bin/meshplan.mjs export --format jax --model zoo:$m --batch $b --remat $r --cluster dgx-h100:1x1 --baseline dp \
      --microbatches 1 --precision bf16-adam32 --runtime xla --seq 1024 -o "$DIR/scripts/${m}_b${b}_remat-$r.py"
  done
  python3 -m py_compile "$DIR"/*.py "$DIR"/scripts/*.py; exit 0
fi
cd "$(dirname "$0")"
export PYTHONUNBUFFERED=1
T0=$(date +%s); at() { echo "== $* ($(( $(date +%s) - T0 )) s)"; }
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,power.limit --format=csv
hlo() {  # hlo NAME SECONDS: one step of scripts/NAME.py with XLA's optimised HLO and the trace, tarred under $OUT
  at "hlo $1"
  XLA_FLAGS="--xla_dump_to=/tmp/hlo-$1 --xla_dump_hlo_as_text" MESHPLAN_RUN=1 timeout $2 \
    python3 scripts/$1.py --steps 2 --warmup 1 --trace /tmp/tr-$1 --out "$OUT/remat-runs.jsonl" 2>&1 | grep -v '^{' | tail -3
  ( cd /tmp && tar czf "$OUT/hlo-$1.tgz" $(ls hlo-$1/*jit_step*after_optimizations.txt 2>/dev/null) $(find tr-$1 -name '*perfetto*' 2>/dev/null) )
  ls -la "$OUT/hlo-$1.tgz"
}
if [ "${1:-}" = T ]; then
  for s in gpt-350M_b16_remat-on gpt-760M_b8_remat-on gpt-1.3B_b8_remat-on; do hlo $s 60; done
  at done; exit 0
fi
at probe default; timeout 150 python3 gemm_probe.py "$OUT/gemm-probe.jsonl" 2>&1 | tail -3
at probe autotune-0; XLA_FLAGS=--xla_gpu_autotune_level=0 timeout 50 python3 gemm_probe.py "$OUT/gemm-probe.jsonl" --jax --randn-only 2>&1 | tail -3
for r in on off; do
  at "hlo remat-$r"
  XLA_FLAGS="--xla_dump_to=/tmp/hlo-$r --xla_dump_hlo_as_text" MESHPLAN_RUN=1 timeout $([ $r = on ] && echo 90 || echo 60) \
    python3 scripts/gpt-350M_b8_remat-$r.py --steps 2 --warmup 1 --trace /tmp/tr-$r --out "$OUT/remat-runs.jsonl" 2>&1 | grep -v '^{' | tail -3
  ( cd /tmp && tar czf "$OUT/hlo-remat-$r.tgz" $(ls hlo-$r/*after_optimizations.txt 2>/dev/null) $(find tr-$r -name '*perfetto*' 2>/dev/null) )
  ls -la "$OUT/hlo-remat-$r.tgz"
done
at done
