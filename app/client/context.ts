/** The page's actions, provided once by main.tsx. */
import { createContext, useContext } from 'react';
import type { Actions } from './actions.ts';

export const ActionsContext = createContext<Actions | null>(null);

export function useActions(): Actions {
  const a = useContext(ActionsContext);
  if (!a) throw new Error('useActions outside <ActionsContext.Provider>');
  return a;
}
