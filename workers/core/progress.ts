/** Progress reported between named phases, at most ~10 times a second. */
export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}
export type ProgressCallback = (p: Progress) => void;

/** What cancellation needs of an AbortSignal (core compiles without DOM types). */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
}
