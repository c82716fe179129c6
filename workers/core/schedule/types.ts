/** Pipeline schedules and the timeline they produce (schedule/pipelineSchedule.ts). */
export type ScheduleKind = 'gpipe' | '1f1b' | 'eager-1f1b' | 'inference';

export type TimelineEventKind = 'forward' | 'backward' | 'send' | 'gradient-sync' | 'update';

export interface TimelineEvent {
  readonly stage: number;
  /** Micro-batch index; -1 for per-step events (gradient-sync, update). */
  readonly microbatch: number;
  readonly kind: TimelineEventKind;
  /** For 'send' events: the receiving stage (`stage` is the sender). */
  readonly toStage?: number;
  readonly startSeconds: number;
  readonly endSeconds: number;
}
