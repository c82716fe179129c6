/**
 * A link bandwidth field, in the unit the user reads (GB/s inside a node, Gbit/s between nodes). A value the planner
 * cannot take (0, 1e400, text) is not applied: the field keeps what was typed and says why under it, naming the field,
 * until a usable value is typed or the scenario's value changes from elsewhere.
 */
import { useState } from 'react';
import { BANDWIDTH_UNITS, parseBandwidth, type BandwidthUnit } from '../cluster/edit.ts';
import { sig3 } from '../format.ts';

export function BandwidthInput({ field, unit, bytesPerSecond, onChange, className }: {
  /** The field's name as its label shows it ("inter-node (Gbit/s)"), used in the message. */
  field: string;
  unit: BandwidthUnit;
  bytesPerSecond: number;
  onChange: (bytesPerSecond: number) => void;
  className: string;
}) {
  const [typed, setTyped] = useState<{ text: string; over: number }>();
  // What was typed is kept only while the scenario's value is the one it was typed over.
  const held = typed && typed.over === bytesPerSecond ? typed.text : undefined;
  const problem = held !== undefined && held.trim() !== '' ? parseBandwidth(field, held, unit) : undefined;
  return (
    <>
      {/* Text, not type=number: a number input hands over '' for 1e400 (it parses past the largest double), so
          the page could not say what was typed. */}
      <input type="text" inputMode="decimal" className={className} value={held ?? sig3(bytesPerSecond / BANDWIDTH_UNITS[unit])}
        aria-invalid={problem && !problem.ok ? true : undefined}
        onChange={(e) => {
          const r = parseBandwidth(field, e.target.value, unit);
          if (r.ok && r.bytesPerSecond !== bytesPerSecond) { setTyped(undefined); onChange(r.bytesPerSecond); }
          else setTyped({ text: e.target.value, over: bytesPerSecond });
        }} />
      {problem && !problem.ok && <span role="alert" className="text-[11px] font-normal text-red-700 dark:text-red-300">{problem.reason}</span>}
    </>
  );
}
