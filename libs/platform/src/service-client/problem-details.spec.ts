import { errorFromProblem, problemFor } from './problem-details.js';
import { HTTP_STATUS_BY_CODE, ServiceClientError, ServiceClientErrorCode } from './service-client.errors.js';

describe('problem details', () => {
  it.each(Object.values(ServiceClientErrorCode))('carries %s there and back with its status', (code) => {
    const problem = problemFor(new ServiceClientError(code, 'what happened'));
    expect(problem).toEqual({
      type: expect.stringMatching(/^urn:evalvault:problem:/),
      title: expect.any(String),
      status: HTTP_STATUS_BY_CODE[code],
      detail: 'what happened',
      code,
    });
    const back = errorFromProblem(problem.status, JSON.stringify(problem));
    expect(back).toMatchObject({ code, status: HTTP_STATUS_BY_CODE[code], message: 'what happened' });
  });

  it('carries the foreign flag of a not-found, and only of a not-found', () => {
    const foreign = errorFromProblem(404, JSON.stringify(problemFor(ServiceClientError.foreign('run r not found'))));
    expect(foreign).toMatchObject({ code: ServiceClientErrorCode.NotFound, foreign: true, message: 'run r not found' });
    expect(
      errorFromProblem(404, JSON.stringify(problemFor(new ServiceClientError(ServiceClientErrorCode.NotFound, 'gone'))))
        .foreign,
    ).toBe(false);
    expect(new ServiceClientError(ServiceClientErrorCode.Conflict, 'x', { foreign: true }).foreign).toBe(false);
  });

  it('carries the public code that names a refusal more precisely', () => {
    const refused = new ServiceClientError(ServiceClientErrorCode.InvalidInput, 'no judge', {
      status: 422,
      publicCode: 'JUDGE_NOT_CONFIGURED',
    });
    const back = errorFromProblem(422, JSON.stringify(problemFor(refused)));
    expect(back).toMatchObject({
      code: ServiceClientErrorCode.InvalidInput,
      status: 422,
      publicCode: 'JUDGE_NOT_CONFIGURED',
    });
    expect(new ServiceClientError(ServiceClientErrorCode.Conflict, 'x').publicCode).toBeNull();
  });

  it('reads answers that are not ours by their status', () => {
    expect(errorFromProblem(502, '<html>Bad Gateway</html>')).toMatchObject({
      code: ServiceClientErrorCode.Unavailable,
      status: 502,
    });
    expect(errorFromProblem(404, '')).toMatchObject({ code: ServiceClientErrorCode.NotFound, status: 404 });
    expect(errorFromProblem(418, '{"title":"teapot"}')).toMatchObject({
      code: ServiceClientErrorCode.Internal,
      status: 418,
      message: 'teapot',
    });
    expect(errorFromProblem(409, '{"code":"NOT_A_CODE"}')).toMatchObject({ code: ServiceClientErrorCode.Conflict });
  });
});
