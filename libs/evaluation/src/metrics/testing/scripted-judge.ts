import type { JudgeRequest, LlmJudge } from '../../model/llm-judge.port.js';

/** A scripted answer: raw text, an object sent as JSON, or computed from the request. */
export type ScriptedAnswer =
  | string
  | Record<string, unknown>
  | ((request: JudgeRequest) => string | Record<string, unknown>);

/**
 * A fake judge for unit tests of the LLM metrics: answers by purpose, from a script, and records
 * every request. A list of answers is served in order, its last answer repeating.
 * It tests our prompts, parsing and arithmetic, not any model.
 */
export class ScriptedJudge implements LlmJudge {
  readonly requests: JudgeRequest[] = [];
  private readonly served = new Map<string, number>();

  constructor(private readonly script: Readonly<Record<string, ScriptedAnswer | readonly ScriptedAnswer[]>>) {}

  async complete(request: JudgeRequest): Promise<string> {
    this.requests.push(request);
    const answer = this.nextAnswer(request.purpose);
    const value = typeof answer === 'function' ? answer(request) : answer;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  purposes(): string[] {
    return this.requests.map((request) => request.purpose);
  }

  promptsFor(purpose: string): string[] {
    return this.requests.filter((request) => request.purpose === purpose).map((request) => request.prompt);
  }

  private nextAnswer(purpose: string): ScriptedAnswer {
    const scripted = this.script[purpose];
    if (scripted === undefined) throw new Error(`ScriptedJudge: nothing scripted for purpose "${purpose}"`);
    if (!Array.isArray(scripted)) return scripted as ScriptedAnswer;
    const index = this.served.get(purpose) ?? 0;
    this.served.set(purpose, index + 1);
    const answer = scripted[Math.min(index, scripted.length - 1)] as ScriptedAnswer | undefined;
    if (answer === undefined) throw new Error(`ScriptedJudge: empty script for purpose "${purpose}"`);
    return answer;
  }
}

/** A judge that fails the test if any metric calls it (for "fails before spending a call"). */
export const UNCALLABLE_JUDGE: LlmJudge = {
  complete: (request) => Promise.reject(new Error(`the judge should not have been called (${request.purpose})`)),
};
