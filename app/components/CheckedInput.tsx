/**
 * A text field whose value the planner must accept before it is applied (bandwidths, counts). A value it cannot take
 * (0, 2.5 nodes, 1e400, text) is not applied: the field keeps what was typed and says why under it, naming the field,
 * until a usable value is typed or the scenario's value changes from elsewhere.
 */
import { useState } from 'react';

export type Checked = { ok: true; value: number } | { ok: false; reason: string };

export function CheckedInput({ value, parse, format, inputMode, onChange, className, label }: {
  value: number;
  /** The typed text as a value, or why it cannot be used (the reason names the field). */
  parse: (text: string) => Checked;
  /** The scenario's value as the field shows it. */
  format: (value: number) => string;
  inputMode: 'decimal' | 'numeric' | 'text';
  onChange: (value: number) => void;
  className: string;
  /** Accessible name, where the field is not the first control of its label. */
  label?: string;
}) {
  const [typed, setTyped] = useState<{ text: string; over: number }>();
  // What was typed is kept only while the scenario's value is the one it was typed over.
  const held = typed && typed.over === value ? typed.text : undefined;
  const problem = held !== undefined && held.trim() !== '' ? parse(held) : undefined;
  return (
    <>
      {/* Text, not type=number: a number input hands over '' for 1e400 (it parses past the largest double), so
          the page could not say what was typed. */}
      <input type="text" inputMode={inputMode} className={className} value={held ?? format(value)} aria-label={label}
        aria-invalid={problem && !problem.ok ? true : undefined}
        onChange={(e) => {
          const r = parse(e.target.value);
          if (r.ok && r.value !== value) { setTyped(undefined); onChange(r.value); }
          else setTyped({ text: e.target.value, over: value });
        }} />
      {problem && !problem.ok && <span role="alert" className="text-[11px] font-normal text-red-700 dark:text-red-300">{problem.reason}</span>}
    </>
  );
}
