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
  /**
   * A turn of the host's event loop, awaited at each cancellation point, so that a cancel request can arrive while
   * the search runs (a Ctrl-C handler, a worker message): the search is otherwise synchronous between its awaits.
   * Absent: no yielding (an AbortSignal as is).
   */
  readonly yieldToHost?: () => Promise<void>;
}

/** A cancellation point of the search: yields to the host when the signal asks to, then throws its reason if set. */
export async function cancellationPoint(signal: CancelSignal | undefined): Promise<void> {
  if (!signal) return;
  if (signal.yieldToHost) await signal.yieldToHost();
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
}
