/** The page's actions, provided once by main.tsx. */
import { createContext, useContext } from 'react';
import type { Actions } from './actions.ts';
import type { WhatIfActions } from './whatif.ts';
import type { LearnRunner } from './learnRunner.ts';

export const ActionsContext = createContext<Actions | null>(null);

export function useActions(): Actions {
  const a = useContext(ActionsContext);
  if (!a) throw new Error('useActions outside <ActionsContext.Provider>');
  return a;
}

/** Compare and Sweep's actions over the worker pool (whatif.ts), provided once by main.tsx. */
export const WhatIfContext = createContext<WhatIfActions | null>(null);

export function useWhatIf(): WhatIfActions {
  const a = useContext(WhatIfContext);
  if (!a) throw new Error('useWhatIf outside <WhatIfContext.Provider>');
  return a;
}

/** Learn's planner (client/learnRunner.ts), provided once by main.tsx. */
export const LearnContext = createContext<LearnRunner | null>(null);

export function useLearnRunner(): LearnRunner {
  const r = useContext(LearnContext);
  if (!r) throw new Error('useLearnRunner outside <LearnContext.Provider>');
  return r;
}
