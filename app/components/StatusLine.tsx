/** What the page must tell right now: a replaced worker, a cancelled search, why no plan came back. */
import { useApp } from '../store/store.ts';

export function StatusLine() {
  const notice = useApp((s) => s.notice);
  const failure = useApp((s) => s.planFailure);
  const setNotice = useApp((s) => s.setNotice);
  if (!notice && !failure) return null;
  return (
    <div role="status" className="space-y-1 text-sm">
      {notice && (
        <p className="flex justify-between rounded border border-amber-300 bg-amber-50 px-3 py-1.5 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          <span>{notice}</span>
          <button type="button" className="text-xs underline" onClick={() => setNotice(undefined)}>Dismiss</button>
        </p>
      )}
      {failure && <p className="rounded border border-orange-300 bg-orange-50 px-3 py-1.5 text-orange-900 dark:border-orange-700 dark:bg-orange-950 dark:text-orange-100">No plan: {failure}</p>}
    </div>
  );
}
