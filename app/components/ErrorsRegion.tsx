/** The "Errors" region: present only while there is an error; each says what failed and where. Text only. */
import { useApp } from '../store/store.ts';

export function ErrorsRegion() {
  const errors = useApp((s) => s.errors);
  const dismiss = useApp((s) => s.dismissError);
  if (errors.length === 0) return null;
  return (
    <section role="region" aria-label="Errors" className="rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide">Errors</h2>
      <ul className="space-y-1">
        {errors.map((e) => (
          <li key={e.id} className="flex items-start justify-between gap-3">
            <div>
              <span className="font-medium">{e.what}</span>: <span>{e.message}</span>
              {e.where && <span className="ml-1 text-red-700 dark:text-red-300">(at {e.where})</span>}
            </div>
            <button type="button" className="shrink-0 text-xs underline" aria-label={`Dismiss error: ${e.what}`} onClick={() => dismiss(e.id)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
