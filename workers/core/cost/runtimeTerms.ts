/**
 * Measured properties of the runtimes a plan runs under (XLA's scan loops and SPMD partitioner, NCCL's gradient
 * reductions, JAX's asynchronous dispatch): one set of terms, read by the planner (inter/runtime.ts traits,
 * inter/manualProfile.ts, inter/stageCosts.ts) and by the whole-step oracle (cost/stepModel.ts). Each constant says
 * where it was measured.
 */
import { DTYPE_BYTES, type ModelGraph, type Op, type Tensor } from '../ir/types.ts';

/**
 * XLA, layers under lax.scan without remat: the residuals of each layer are scan outputs. Profiled with JAX 0.11.2
 * (bench/fidelity/jax/steps.py, CUPTI trace per kernel and stream; bench/fidelity/README.md) the extra HBM traffic
 * has two parts:
 * - always, on the compute stream: the fused dynamic-update-slice writing each residual into the stacked
 *   [layers, ...] buffer, the residuals written out by the forward fusions and read back by the backward ones
 *   (with remat they stay inside recomputing fusions): SCAN_RESIDUAL_PASSES passes over the residual bytes
 *   (profiled 2.7-3.5 on one H100 for GPT-125M b16 and GPT-760M b4);
 * - a copy into / out of the stacked buffers in each of the two loops (forward, backward): SCAN_RESIDUAL_COPY_PASSES
 *   per loop (profiled 0.9-0.95). In a loop without collectives XLA runs it as copy kernels on the compute stream;
 *   in a loop whose body holds collectives (Megatron's activation all-reduces, ZeRO-3's gathers; the backward loop of
 *   data parallelism, which holds the gradient all-reduces) it becomes copy-engine transfers on side streams,
 *   concurrent with compute. Those transfers slow the activation / weight collectives running beside them by
 *   COPY_ENGINE_COLLECTIVE_SLOWDOWN (H200 pair: all-reduces 201 against 125 us a call, all-gathers 155 against 93).
 */
export const SCAN_RESIDUAL_PASSES = 4;
export const SCAN_RESIDUAL_COPY_PASSES = 1;
export const COPY_ENGINE_COLLECTIVE_SLOWDOWN = 0.6;

/**
 * Gradient reduction priced as 4 bytes an element at the link's (PyTorch-measured) NCCL bandwidth. Evidence in the
 * rows: 760M single b8 and dp2 b16 with remat do the same per-device work and differ by 10.8 ms, a 3.04 GB
 * all-reduce at that bandwidth (9.9 ms), not a 1.52 GB one (5.0 ms). What it stands for, by runtime: Megatron-LM
 * reduces its fp32 main gradients (4 bytes); JAX/XLA reduces bf16 gradients (the H200 profile,
 * bench/fidelity/jax: ncclDevKernel_AllReduce_Sum_bf16, fp32 only for the tied embedding) but in ~21 MB chunks
 * on NCCL's LL protocol, at about half that bandwidth: the same time.
 */
export const GRADIENT_REDUCTION_BYTES_PER_ELEMENT = 4;

/**
 * XLA: data-parallel gradient all-reduces run inside the backward layer loop, asynchronously. With remat they hide
 * partly behind the next layer's recomputation and backward; without remat hardly at all (H200 pair profiles,
 * bench/fidelity/jax, GPT-760M b8 dp2, two leases: 59% and 58% of the NCCL time exposed with remat, 96% and 87%
 * without; 58% for b16 with remat). The 4-byte pricing above comes from remat rows, so without remat the
 * all-reduce costs (the two runs' means) 0.915 / 0.585 times as much. (ZeRO-3's gradient reduce-scatters do not:
 * 82% exposed with remat, 89% without.)
 */
export const GRADIENT_SYNC_NO_REMAT_FACTOR = 0.915 / 0.585;

/**
 * XLA SPMD partitioner, ZeRO-3 (every weight split on its largest dim): around GEMMs whose weight is split on the
 * contracting dim it reshards activations with all-to-alls instead of only gathering the weight. It emits one
 * such all-to-all per layer without remat and five with checkpointed layers (collectives_in_hlo of the rows).
 * Empirical: bytes per all-to-all, per token x hidden element per layer per device, priced as NCCL send/recv on
 * the link (stepModel.ts zero3ReshardSeconds; inter/manualProfile.ts the same); fitted through the planner (`meshplan plan --runtime
 * xla`, bench/fidelity) on gpt-125m fsdp2 remat (42 bytes for its five, with the logits all-to-all below priced
 * apart), checked on the other five ZeRO-3 rows. The HLO shows what they are: with remat three all-to-alls of the MLP's 4h activations
 * (bf16) and one more per layer in the backward loop; without, activation reduce-scatters and gathers instead.
 */
export const ZERO3_RESHARD_BYTES_PER_ELEMENT = 8.44;
export const ZERO3_ALL_TO_ALLS_PER_LAYER = { remat: 5, noRemat: 1 } as const;

/**
 * XLA SPMD, ZeRO-3: the tied embedding is split on its vocab dim (its largest), so the partitioner computes the
 * logits vocab-split and brings their (fp32) gradient back to batch-split with one all-to-all of the whole logits
 * tensor per step, outside the layer loops (HLO of the rows' plan: f32[2,4,1024,25600] all-to-all for GPT-760M b8;
 * 1.34 ms on the H200 pair, 2.6 ms for GPT-125M b16). The logits: outputs of dots whose last dim is the vocabulary.
 */
export function logitsBytes(graph: ModelGraph): number {
  const vocab = graph.config?.vocab;
  if (!vocab) return 0;
  const byId = new Map(graph.tensors.map((t) => [t.id, t]));
  return graph.ops.reduce((b, op) => b + opLogitsBytes(op, (id) => byId.get(id), vocab), 0);
}

/** Bytes of the logits `op` produces: outputs of a dot with a parameter operand whose last dim is the vocabulary. */
export function opLogitsBytes(op: Op, tensorOf: (id: string) => Tensor | undefined, vocab: number): number {
  if (op.kind !== 'dot' || !op.inputs.some((i) => tensorOf(i)?.kind === 'parameter')) return 0;
  let bytes = 0;
  for (const o of op.outputs) {
    const t = tensorOf(o);
    if (t && t.shape[t.shape.length - 1] === vocab) bytes += t.shape.reduce((a, d) => a * d, 1) * DTYPE_BYTES[t.dtype];
  }
  return bytes;
}

/**
 * JAX runtime, measured on an H100 80GB (JAX 0.11.2, bench/bridge/h100x1-runs.jsonl): a step holds its argument +
 * temp bytes (memory_analysis) and no more (peak_bytes_in_use equal to within 0.01 GiB on 4 runs); a second step's
 * temporaries are not held (the old rule of 2 was fitted to OOMs of a process that had run other programs first).
 */
export const ASYNC_STEPS_IN_FLIGHT = 1;

/**
 * What XLA is given: JAX's allocator takes XLA_PYTHON_CLIENT_MEM_FRACTION of HBM, 0.75 by default (bytes_limit
 * 59.38 GiB of 79.18 on the H100, also with XLA_PYTHON_CLIENT_PREALLOCATE=false); a step whose argument + temp
 * exceeds it fails (gpt-760M b8 without remat: 59.46 GiB, OOM). --memory-gb states another limit.
 */
export const XLA_ARENA_FRACTION = 0.75;
