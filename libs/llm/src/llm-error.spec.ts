import { codeForStatus, LlmError, LlmErrorCode } from './llm-error.js';

describe('LLM error codes', () => {
  it.each([
    [400, LlmErrorCode.BadRequest, false],
    [404, LlmErrorCode.BadRequest, false],
    [422, LlmErrorCode.BadRequest, false],
    [401, LlmErrorCode.Auth, false],
    [403, LlmErrorCode.Auth, false],
    [429, LlmErrorCode.RateLimited, true],
    [408, LlmErrorCode.Unavailable, true],
    [500, LlmErrorCode.Unavailable, true],
    [503, LlmErrorCode.Unavailable, true],
    [529, LlmErrorCode.Unavailable, true],
  ])('status %i is %s (retryable: %s)', (status, code, retryable) => {
    expect(codeForStatus(status)).toBe(code);
    expect(new LlmError(code, 'x', { status }).retryable).toBe(retryable);
  });

  it('treats an exceeded budget as final and a timeout as worth a retry', () => {
    expect(new LlmError(LlmErrorCode.BudgetExceeded, 'x').retryable).toBe(false);
    expect(new LlmError(LlmErrorCode.Timeout, 'x').retryable).toBe(true);
  });
});
