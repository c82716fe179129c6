#!/bin/bash
# The device call (README.md "Device runs"), from the repo root on the GPU machine:
#   bash .devwork/bridge/device-run.sh A|B|C|L
# A: the issue's six one-GPU runs (with a kernel-class trace of one step), the profile, then the memory limit by
#    mechanism: each no-remat run again with XLA_PYTHON_CLIENT_MEM_FRACTION set so that bytes_limit is 3% under /
#    over the step's argument + temp (XLA's memory_analysis from the first run), synchronous and back to back
#    (--async), the H100's default arena emulated, larger programs for the OOM side.
# V: after the export fix, the main runs again (fewer steps), one back to back, the fold run.
# C: after the export fix, everything in one call (below); L: the Llama rows after the grouped-query fix.
# B: allocator variants (PREALLOCATE=false, the platform allocator) and the fold / CPU-mesh scripts.
# Every script prints one JSON line; lines are appended under $OUT. A persistent compilation cache makes reruns of
# one program under other allocator settings cheap (compilation does not depend on them).
cd "$(dirname "$0")"
export PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0 JAX_COMPILATION_CACHE_DIR=/tmp/jaxcache \
  JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0
T0=$(date +%s); left() { echo $(( $1 - ($(date +%s) - T0) )); }
BUDGET=${BUDGET:-560}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
TOTAL=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | head -1)  # MiB
python3 -c "import jax; print('jax', jax.__version__, jax.devices())"
run() {  # run SECONDS OUTFILE SCRIPT [ENV=V ...] -- [ARGS]
  local t=$1 out=$2 f=$3; shift 3
  local envs=(); while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  local l; l=$(left "$BUDGET"); [ "$l" -lt 25 ] && { echo "-- skipped (time) $f ${envs[*]}"; return; }
  [ "$t" -gt "$l" ] && t=$l
  echo "== $f ${envs[*]} $* ($(( $(date +%s) - T0 )) s)"
  env "${envs[@]}" MESHPLAN_RUN=1 timeout "$t" python3 "scripts/$f.py" --out "$OUT/$out" "$@" 2>&1 | grep -v '^{' | tail -3
  tail -1 "$OUT/$out" | cut -c1-300
}
# The fraction of HBM whose BFC limit is K x (argument + temp) of SCRIPT's first run.
frac() { python3 - "$OUT/runs.jsonl" "$1" "$2" "$TOTAL" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
name, k, total = sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) * 2**20
for r in rows:
    key = '%s_b%d_remat-%s' % (r['model'], r['globalBatch'], 'on' if r['remat'][0] else 'off')
    if key == name and r.get('memoryAnalysis') and r['memoryAnalysis'][0]:
        m = r['memoryAnalysis'][0]
        print('%.4f' % min(0.99, k * (m['argument_size_in_bytes'] + m['temp_size_in_bytes']) / total)); break
else:
    print('0.75')
PY
}
if [ "${1:-A}" = A ]; then
  run 200 runs.jsonl gpt-350M_b8_remat-on -- --trace /tmp/tr1
  echo "== profile ($(( $(date +%s) - T0 )) s)"; timeout 200 python3 profile.py "$OUT/profile.json" 2>&1 | tail -2
  n=2; for s in gpt-350M_b8_remat-off gpt-350M_b16_remat-on gpt-350M_b16_remat-off gpt-1.3B_b8_remat-on gpt-1.3B_b8_remat-off; do
    run 150 runs.jsonl $s -- --trace /tmp/tr$n; n=$((n + 1))
  done
  for s in gpt-350M_b16_remat-off gpt-1.3B_b8_remat-off; do
    lo=$(frac $s 0.97); hi=$(frac $s 1.03)
    run 90 memory.jsonl $s XLA_PYTHON_CLIENT_MEM_FRACTION=$lo -- --steps 3 --warmup 1
    run 90 memory.jsonl $s XLA_PYTHON_CLIENT_MEM_FRACTION=$hi -- --steps 3 --warmup 1
    run 90 memory.jsonl $s XLA_PYTHON_CLIENT_MEM_FRACTION=$hi -- --steps 5 --warmup 1 --async
  done
  # The H100's default arena (0.75 x 79.18 GiB) on this GPU: the calibration's OOM row gpt-760m b8 single, no remat.
  h100=$(python3 -c "print('%.4f' % (0.75 * 81559 / $TOTAL))")
  run 120 memory.jsonl gpt-760M_b8_remat-off XLA_PYTHON_CLIENT_MEM_FRACTION=$h100 -- --steps 3 --warmup 1
  for s in gpt-760M_b16_remat-off gpt-2.6B_b8_remat-off gpt-1.3B_b16_remat-off; do
    run 150 runs.jsonl $s -- --steps 3 --warmup 1
  done
  run 90 memory.jsonl gpt-1.3B_b8_remat-off XLA_PYTHON_CLIENT_PREALLOCATE=false -- --steps 3 --warmup 1
  run 90 memory.jsonl gpt-1.3B_b8_remat-off XLA_PYTHON_CLIENT_MEM_FRACTION=0.95 -- --steps 3 --warmup 1
elif [ "$1" = C ]; then
  # After the export fix (multi-head attention scored as the calibration's program), in one call: the rows the last
  # session measured (what the fix was derived from), each with a kernel trace; then rows the cost model has not
  # seen (other sizes, micro-batch counts, fp16 / bf16 with master weights, a GQA Llama), two steps back to back,
  # the out-of-memory side, the fold run and the CPU meshes not yet run under JAX on this machine.
  for s in gpt-350M_b8_remat-on gpt-350M_b8_remat-off gpt-350M_b16_remat-on gpt-1.3B_b8_remat-on gpt-760M_b8_remat-off; do
    run 90 runs-c.jsonl $s -- --steps 5 --warmup 2 --trace /tmp/trace-$s
  done
  for s in gpt-760M_b8_remat-on gpt-2.6B_b8_remat-on gpt-350M_b8_remat-on_mb2 gpt-350M_b8_remat-on_fp16-mixed \
    tinyllama-1.1B_b8_remat-on gpt-350M_b8_remat-off_fp16-mixed gpt-1.3B_b8_remat-on_bf16-mixed gpt-350M_b16_remat-off_mb4 \
    tinyllama-1.1B_b4_remat-off gpt-1.3B_b16_remat-on gpt-1.3B_b8_remat-on_fp16-mixed gpt-760M_b16_remat-on; do
    run 90 runs-c.jsonl $s -- --steps 5 --warmup 2 --trace /tmp/trace-$s
  done
  # two steps dispatched back to back: time, and whether a second step's temporaries are held at once
  run 60 memory-c.jsonl gpt-350M_b8_remat-on -- --steps 8 --warmup 2 --async
  run 60 memory-c.jsonl gpt-350M_b8_remat-off -- --steps 6 --warmup 2 --async
  for s in gpt-350M_b16_remat-off gpt-1.3B_b8_remat-off; do run 60 runs-c.jsonl $s -- --steps 3 --warmup 1; done
  echo "== fold"; timeout 90 python3 scripts/fold_gpt-350M_b8_pp2.py --fold --steps 5 --warmup 2 --out "$OUT/fold-c.jsonl" 2>&1 | tail -2 | cut -c1-600
  for f in scripts/cpu_gpt-tiny_zero3x4.py scripts/cpu_llama-tiny_searched4.py scripts/cpu_llama-tiny_dp2tp2pp2.py; do
    [ "$(left "$BUDGET")" -lt 40 ] && break
    echo "== $f"; JAX_PLATFORMS=cpu XLA_FLAGS=--xla_force_host_platform_device_count=8 timeout 60 python3 "$f" --steps 2 --warmup 1 --out "$OUT/cpu-c.jsonl" 2>&1 | tail -1 | cut -c1-300
  done
elif [ "$1" = L ]; then
  # After the grouped-query fix (scores in the dot's own order, scaled before the fp32 convert): the two Llama rows
  # of C again, and the Llama CPU mesh C had no time for.
  for s in tinyllama-1.1B_b8_remat-on tinyllama-1.1B_b4_remat-off; do
    run 60 runs-l.jsonl $s -- --steps 5 --warmup 2 --trace /tmp/trace-$s
  done
  [ "$(left "$BUDGET")" -lt 30 ] && exit 0
  f=scripts/cpu_llama-tiny_dp2tp2pp2.py; echo "== $f"; JAX_PLATFORMS=cpu XLA_FLAGS=--xla_force_host_platform_device_count=8 \
    timeout "$(left "$BUDGET")" python3 "$f" --steps 2 --warmup 1 --out "$OUT/cpu-l.jsonl" 2>&1 | tail -1 | cut -c1-300
elif [ "$1" = V ]; then
  # After the export fix (multi-head attention as the calibration's program): the runs again, fewer steps, and one
  # no-remat run dispatched back to back (two steps' temporaries would not fit 59.4 GiB: 2 x 45 GiB + arguments).
  for s in gpt-350M_b8_remat-on gpt-350M_b8_remat-off gpt-1.3B_b8_remat-on gpt-760M_b8_remat-off; do
    run 60 runs-v.jsonl $s -- --steps 5 --warmup 2
  done
  run 60 memory-v.jsonl gpt-350M_b8_remat-off -- --steps 6 --warmup 2 --async
  run 60 runs-v.jsonl gpt-350M_b16_remat-on -- --steps 5 --warmup 2
  echo "== fold"; timeout "$(left "$BUDGET")" python3 scripts/fold_gpt-350M_b8_pp2.py --fold --steps 5 --warmup 2 --out "$OUT/fold.jsonl" 2>&1 | tail -2 | cut -c1-600
else
  for s in gpt-1.3B_b8_remat-off gpt-350M_b16_remat-off; do
    for v in XLA_PYTHON_CLIENT_PREALLOCATE=false XLA_PYTHON_CLIENT_ALLOCATOR=platform; do
      run 120 memory.jsonl $s $v -- --steps 3 --warmup 1
    done
  done
  echo "== fold"; timeout 120 python3 scripts/fold_gpt-350M_b8_pp2.py --fold --out "$OUT/fold.jsonl" 2>&1 | tail -2 | cut -c1-400
  for f in scripts/cpu_*.py; do
    [ "$(left "$BUDGET")" -lt 40 ] && break
    echo "== $f"; JAX_PLATFORMS=cpu XLA_FLAGS=--xla_force_host_platform_device_count=8 timeout 60 python3 "$f" --steps 2 --warmup 1 --out "$OUT/cpu.jsonl" 2>&1 | tail -1 | cut -c1-300
  done
fi
echo "done in $(( $(date +%s) - T0 )) s"
