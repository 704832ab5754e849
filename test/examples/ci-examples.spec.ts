import { Workflow } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Workflow';
import { WORKFLOW, unknownFields } from './argo-fields.js';
import { argoCommand, argoWorkflow, gitlabCommand, gitlabPipeline, optionOf, type GitLabJob } from './ci-examples.js';

const errorOf = (action: () => void): string | null => {
  try {
    action();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

/** GitLab's CI/CD YAML reference: the top-level keywords and those of a job (no JSON schema of it is at hand). */
const GITLAB_GLOBAL = ['default', 'include', 'stages', 'variables', 'workflow'];
const GITLAB_JOB = [
  ...['after_script', 'allow_failure', 'artifacts', 'before_script', 'cache', 'coverage', 'dependencies'],
  ...['environment', 'extends', 'hooks', 'id_tokens', 'identity', 'image', 'inherit', 'interruptible'],
  ...['manual_confirmation', 'needs', 'pages', 'parallel', 'release', 'resource_group', 'retry', 'rules', 'run'],
  ...['script', 'secrets', 'services', 'stage', 'tags', 'timeout', 'trigger', 'variables', 'when'],
];

describe('the Argo Workflows example (examples/ci/argo-workflow.yaml)', () => {
  it("is valid against Argo's JSON schema, which does refuse a broken workflow", () => {
    expect(errorOf(() => new Workflow(argoWorkflow() as never).validate())).toBeNull();
    const broken = argoWorkflow();
    (broken.spec.templates[0]!.container as { args: unknown }).args = 'npx evalvault run';
    expect(errorOf(() => new Workflow(broken as never).validate())).toMatch(/container\/args must be array/);
  });

  it('uses only the fields Argo documents for each object (the schema lets misspelt ones through)', () => {
    expect(unknownFields(argoWorkflow(), WORKFLOW)).toEqual([]);
    const misspelt = argoWorkflow();
    (misspelt.spec.templates[0]!.retryStrategy as Record<string, unknown>)['retries'] = 2;
    expect(unknownFields(misspelt, WORKFLOW)).toEqual(['spec.templates[0].retryStrategy.retries']);
  });

  it('retries only exit code 2, keeps the JUnit report, takes the API key from a Secret', () => {
    const workflow = argoWorkflow();
    const template = workflow.spec.templates.find((candidate) => candidate.name === workflow.spec.entrypoint)!;
    expect(template.retryStrategy?.expression).toBe('asInt(lastRetry.exitCode) == 2');
    const command = argoCommand({});
    const junit = optionOf(command, '--junit')!;
    const reports = template.outputs?.artifacts?.map((artifact) => artifact.path) ?? [];
    expect(reports).toContain(`${template.container!.workingDir}/${junit.split('/')[0]}`);
    expect(template.container!.env).toEqual(
      expect.arrayContaining([
        { name: 'EVALVAULT_API_KEY', valueFrom: { secretKeyRef: { name: 'evalvault', key: 'api-key' } } },
      ]),
    );
    expect(optionOf(command, '--idempotency-key')).toBe('argo-uid');
  });
});

describe('the GitLab CI example (examples/ci/gitlab-ci.yml)', () => {
  const pipeline = gitlabPipeline();
  const job = pipeline['evalvault'] as GitLabJob;

  it("uses only keywords of GitLab's YAML reference, a declared stage, and a script", () => {
    const jobs = Object.keys(pipeline).filter((key) => !GITLAB_GLOBAL.includes(key));
    expect(jobs).toEqual(['evalvault']);
    expect(Object.keys(job).filter((keyword) => !GITLAB_JOB.includes(keyword))).toEqual([]);
    expect(pipeline['stages']).toContain(job.stage);
    expect(job.script.every((line) => typeof line === 'string')).toBe(true);
    expect(Object.keys(job.retry ?? {}).filter((key) => !['max', 'when', 'exit_codes'].includes(key))).toEqual([]);
    expect(job.retry?.max).toBeLessThanOrEqual(2); // GitLab allows 0, 1 or 2
    expect(['on_success', 'on_failure', 'always']).toContain(job.artifacts?.when);
  });

  it('retries only exit code 2 and publishes the JUnit report the command writes, even when the gate fails', () => {
    expect(job.retry?.exit_codes).toEqual([2]);
    expect(job.artifacts).toMatchObject({ when: 'always', reports: { junit: optionOf(gitlabCommand(), '--junit') } });
    expect(JSON.stringify(pipeline)).not.toMatch(/evk_[A-Za-z0-9]/); // the key is a CI/CD variable, never inline
  });
});
