import type { BehaviourRecordedPayload, MemorySource } from '@evalvault/contracts';
import { isUnitScore, type Decided } from './memory-events.js';
import { domainInvalidInput } from './memory-domain.errors.js';
import { newSources, sourceKey } from './memory-ids.js';

/** One behaviour, folded from its stream (`memorybehaviour-<behaviourId>`). */
export interface BehaviourState {
  exists: boolean;
  forgotten: boolean;
  /** Uses that succeeded; successRate = successes / useCount. */
  successes: number;
  useCount: number;
  successRate: number;
  tokensSaved: number;
  sources: string[];
}

export const initialBehaviourState: BehaviourState = {
  exists: false,
  forgotten: false,
  successes: 0,
  useCount: 0,
  successRate: 0,
  tokensSaved: 0,
  sources: [],
};

export type BehaviourCommand =
  /** Learned from a case that went well: a new behaviour, or one more successful use of the known one. */
  | { type: 'RecordBehaviour'; behaviour: BehaviourRecordedPayload }
  /** One more case matched the trigger; it went well or not. Only for a behaviour that exists. */
  | { type: 'ObserveBehaviour'; behaviourId: string; succeeded: boolean; tokensSaved: number; source: MemorySource }
  | { type: 'ForgetBehaviour'; behaviourId: string; reason: string; requestId: string | null };

export type BehaviourEvent = Decided<'BehaviourRecorded' | 'BehaviourObserved' | 'BehaviourForgotten'>;

function checkedRecord(behaviour: BehaviourRecordedPayload): void {
  const problems: string[] = [];
  if (!isUnitScore(behaviour.successRate)) problems.push('successRate: a number from 0 to 1');
  if (!Number.isInteger(behaviour.useCount) || behaviour.useCount < 1)
    problems.push('useCount: a whole number, 1 or more');
  if (!Number.isInteger(behaviour.tokensSaved) || behaviour.tokensSaved < 0) problems.push('tokensSaved: 0 or more');
  if (behaviour.sealed.length === 0) problems.push('sealed: the sealed trigger and action');
  if (problems.length > 0) throw domainInvalidInput(`invalid behaviour: ${problems.join('; ')}`, problems);
}

/**
 * A behaviour's decisions: every source (a case of a run) counts once; a failed case never creates
 * a behaviour, it only counts against one that exists; a forgotten behaviour stays forgotten.
 */
export function decideBehaviour(command: BehaviourCommand, state: BehaviourState): BehaviourEvent[] {
  if (state.forgotten) return [];
  switch (command.type) {
    case 'RecordBehaviour': {
      const behaviour = command.behaviour;
      if (!state.exists) {
        checkedRecord(behaviour);
        return [{ type: 'BehaviourRecorded', payload: behaviour }];
      }
      return newSources(state.sources, behaviour.sources).map((source) => ({
        type: 'BehaviourObserved' as const,
        payload: { behaviourId: behaviour.behaviourId, succeeded: true, tokensSaved: behaviour.tokensSaved, source },
      }));
    }
    case 'ObserveBehaviour': {
      if (!state.exists || state.sources.includes(sourceKey(command.source))) return [];
      if (!Number.isInteger(command.tokensSaved) || command.tokensSaved < 0)
        throw domainInvalidInput('tokensSaved: 0 or more');
      const { behaviourId, succeeded, tokensSaved, source } = command;
      return [{ type: 'BehaviourObserved', payload: { behaviourId, succeeded, tokensSaved, source } }];
    }
    case 'ForgetBehaviour':
      if (!state.exists) return [];
      return [
        {
          type: 'BehaviourForgotten',
          payload: { behaviourId: command.behaviourId, reason: command.reason, requestId: command.requestId },
        },
      ];
    default:
      return unreachable(command);
  }
}

export function evolveBehaviour(state: BehaviourState, event: BehaviourEvent): BehaviourState {
  switch (event.type) {
    case 'BehaviourRecorded': {
      const p = event.payload;
      return {
        ...state,
        exists: true,
        successes: Math.round(p.successRate * p.useCount),
        useCount: p.useCount,
        successRate: p.successRate,
        tokensSaved: p.tokensSaved,
        sources: p.sources.map(sourceKey),
      };
    }
    case 'BehaviourObserved': {
      const p = event.payload;
      const successes = state.successes + (p.succeeded ? 1 : 0);
      const useCount = state.useCount + 1;
      return {
        ...state,
        successes,
        useCount,
        successRate: successes / useCount,
        tokensSaved: state.tokensSaved + p.tokensSaved,
        sources: [...state.sources, sourceKey(p.source)],
      };
    }
    case 'BehaviourForgotten':
      return { ...state, forgotten: true };
    default:
      return state;
  }
}

export const BEHAVIOUR_DECIDER = {
  decide: decideBehaviour,
  evolveWith: (state: BehaviourState, events: readonly BehaviourEvent[]): BehaviourState =>
    events.reduce(evolveBehaviour, state),
  initialState: initialBehaviourState,
};

function unreachable(command: never): never {
  throw new Error(`unknown behaviour command ${(command as { type: string }).type}`);
}
