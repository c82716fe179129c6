/**
 * A whole-number field (nodes, GPUs per node, global batch). A value the planner cannot take (0, 2.5, 1e9, text) is
 * not applied: the field keeps what was typed and says why under it, naming the field, as BandwidthInput does.
 */
import { useState } from 'react';
import { parseCount } from '../cluster/edit.ts';

export function CountInput({ field, value, min, max, onChange, className }: {
  /** The field's name as its label shows it, used in the message. */
  field: string;
  value: number;
  min: number;
  max: number;
  onChange: (value: number) => void;
  className: string;
}) {
  const [typed, setTyped] = useState<{ text: string; over: number }>();
  // What was typed is kept only while the scenario's value is the one it was typed over.
  const held = typed && typed.over === value ? typed.text : undefined;
  const problem = held !== undefined ? parseCount(field, held, min, max) : undefined;
  return (
    <>
      <input type="text" inputMode="numeric" className={className} value={held ?? String(value)}
        aria-invalid={problem && !problem.ok ? true : undefined}
        onChange={(e) => {
          const r = parseCount(field, e.target.value, min, max);
          if (r.ok && r.value !== value) { setTyped(undefined); onChange(r.value); }
          else setTyped({ text: e.target.value, over: value });
        }} />
      {problem && !problem.ok && <span role="alert" className="text-[11px] font-normal text-red-700 dark:text-red-300">{problem.reason}</span>}
    </>
  );
}
