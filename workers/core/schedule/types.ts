/** Pipeline schedules and the timeline they produce (schedule/pipelineSchedule.ts). */
/** 'interleaved': Megatron-LM's interleaved 1F1B, each device holding `virtualStages` chunks (schedule/interleaved.ts);
 * 'zb-h1': zero-bubble ZB-H1, backward split into input and weight gradients (schedule/zeroBubble.ts);
 * 'zb-v': zero-bubble ZB-V, two chunks per device in a V (schedule/zeroBubbleV.ts). */
export type ScheduleKind = 'gpipe' | '1f1b' | 'eager-1f1b' | 'interleaved' | 'zb-h1' | 'zb-v' | 'inference';

export type TimelineEventKind = 'forward' | 'backward' | 'send' | 'gradient-sync' | 'update';

export interface TimelineEvent {
  readonly stage: number;
  /** Micro-batch index; -1 for per-step events (gradient-sync, update). */
  readonly microbatch: number;
  readonly kind: TimelineEventKind;
  /** For 'send' events: the receiving stage (`stage` is the sender). */
  readonly toStage?: number;
  /** Interleaved 1F1B and ZB-V: which of the device's chunks (virtual stages) ran it, 0 its first. */
  readonly chunk?: number;
  /** ZB-H1, ZB-V: a backward's weight-gradient part (W), run where the stage would idle. */
  readonly weightGradient?: boolean;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface ScheduleStageInput {
  /** Forward of one micro-batch on this stage. */
  readonly forwardSeconds: number;
  /** Backward of one micro-batch (ignored by the inference schedule). */
  readonly backwardSeconds: number;
  /** The zero-bubble schedules' weight-gradient part (W) of backwardSeconds; the rest is the input gradient (B).
   * Absent: half the backward (schedule/splitBackward.ts). */
  readonly weightGradientSeconds?: number;
  /** Transfer of this stage's boundary activations to the next stage (and of their gradient back), per
   * micro-batch; ignored for the last stage. */
  readonly sendSeconds: number;
  /** Gradient synchronisation of this stage, once per step (ignored by the inference schedule). */
  readonly gradientSyncSeconds: number;
}

export interface ScheduleResult {
  /** End of the last event: the step time. */
  readonly stepSeconds: number;
  /** Compute events (forward, backward), transfers ('send': `stage` sends to `toStage`) and one 'gradient-sync'
   * per stage (microbatch -1), in the order they were simulated (each stage's own events in time order); not
   * globally sorted, since sorting tens of thousands of events costs more than the simulation. */
  readonly events: TimelineEvent[];
  /** Mean over stages of the time a stage's devices sit idle during the step (neither computing nor
   * synchronising gradients): stepSeconds = busy + bubble on an average stage. */
  readonly bubbleSeconds: number;
  /** bubbleSeconds / stepSeconds (0 for an empty step). */
  readonly bubbleFraction: number;
  /** Idle seconds of each stage within the step. */
  readonly stageIdleSeconds: readonly number[];
  /** Most micro-batches whose activations a stage holds at once (forward done, backward not yet done): the
   * activation-memory multiplier. 1F1B: min(S-i, B); eager 1F1B: min(2(S-i)-1, B); GPipe: B; inference: 1. */
  readonly peakInFlight: readonly number[];
}
