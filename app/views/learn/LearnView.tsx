/** The Learn region (placeholder). */
import { Region } from '../../components/Region.tsx';

export function LearnView() {
  return <Region name="Learn"><p className="text-sm text-slate-500 dark:text-slate-400">Coming soon.</p></Region>;
}
