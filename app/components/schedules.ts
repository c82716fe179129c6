/**
 * The schedule choices the page offers (Training options, Compare columns), each with its label. A Record over
 * ScheduleChoice: a schedule added to the core does not type-check here until the page offers it. Labels avoid the word
 * 'zero' (ZB-H1 is zero-bubble): the select's label takes in its options' text, and 'ZeRO' names the field beside it.
 */
import type { ScheduleChoice } from '../../workers/core/plan/types.ts';

const LABELS: Readonly<Record<ScheduleChoice, string>> = {
  '1f1b': '1F1B',
  interleaved: 'interleaved 1F1B',
  'zb-h1': 'ZB-H1',
  'zb-v': 'ZB-V (V of 2 chunks per device)',
  auto: 'auto (search picks)',
  'eager-1f1b': 'eager 1F1B',
  gpipe: 'GPipe',
  inference: 'inference',
};

export const SCHEDULE_CHOICES: readonly { readonly value: ScheduleChoice; readonly label: string }[] =
  (Object.keys(LABELS) as ScheduleChoice[]).map((value) => ({ value, label: LABELS[value] }));
