/**
 * Argo's JSON schema (as @kubernetes-models/argo-workflows compiles it) checks types and required fields but
 * lets unknown fields through, so a misspelt key (`retryStrategy.retries`) would pass it; Argo itself refuses
 * such a workflow (strict decoding). This lists the field names Argo's field reference documents for each
 * object the example uses, to catch those. Objects the example does not use are not described (`undefined`).
 */
interface Shape {
  fields: readonly string[];
  children?: Record<string, Shape>;
}

const leaf = (...fields: string[]): Shape => ({ fields });

const SECRET_KEY = leaf('name', 'key', 'optional');
const ENV_VAR: Shape = {
  fields: ['name', 'value', 'valueFrom'],
  children: {
    valueFrom: {
      fields: ['secretKeyRef', 'configMapKeyRef', 'fieldRef', 'resourceFieldRef'],
      children: { secretKeyRef: SECRET_KEY, configMapKeyRef: SECRET_KEY },
    },
  },
};
const PARAMETER = leaf('name', 'value', 'default', 'description', 'enum', 'globalName', 'valueFrom');
const ARTIFACT: Shape = {
  // Artifact: where it goes, and one of the artifact locations.
  fields: [
    ...['name', 'path', 'mode', 'from', 'fromExpression', 'archive', 'archiveLogs', 'optional', 'subPath'],
    ...['globalName', 'recurseMode', 'deleted', 'artifactGC'],
    ...['git', 's3', 'gcs', 'http', 'hdfs', 'oss', 'azure', 'artifactory', 'raw', 'plugin'],
  ],
  children: {
    git: leaf(
      ...['repo', 'revision', 'depth', 'fetch', 'branch', 'singleBranch', 'disableSubmodules'],
      ...['usernameSecret', 'passwordSecret', 'sshPrivateKeySecret', 'insecureIgnoreHostKey', 'insecureSkipTLS'],
    ),
    archive: leaf('none', 'tar', 'zip'),
  },
};
const CONTAINER: Shape = {
  fields: [
    ...['name', 'image', 'command', 'args', 'workingDir', 'env', 'envFrom', 'resources', 'volumeMounts', 'ports'],
    ...['imagePullPolicy', 'securityContext', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'],
    ...['stdin', 'stdinOnce', 'tty', 'terminationMessagePath', 'terminationMessagePolicy', 'volumeDevices'],
    ...['resizePolicy', 'restartPolicy'],
  ],
  children: { env: ENV_VAR, resources: leaf('requests', 'limits', 'claims') },
};
const TEMPLATE: Shape = {
  fields: [
    ...['name', 'inputs', 'outputs', 'container', 'script', 'steps', 'dag', 'resource', 'suspend', 'http', 'data'],
    ...['containerSet', 'plugin', 'retryStrategy', 'activeDeadlineSeconds', 'timeout', 'metadata', 'metrics'],
    ...['affinity', 'nodeSelector', 'tolerations', 'volumes', 'initContainers', 'sidecars', 'archiveLocation'],
    ...['daemon', 'failFast', 'parallelism', 'memoize', 'synchronization', 'podSpecPatch', 'priorityClassName'],
    ...['schedulerName', 'securityContext', 'serviceAccountName', 'automountServiceAccountToken', 'executor'],
    'hostAliases',
  ],
  children: {
    retryStrategy: {
      fields: ['limit', 'retryPolicy', 'expression', 'backoff', 'affinity'],
      children: { backoff: leaf('duration', 'factor', 'maxDuration', 'cap') },
    },
    inputs: { fields: ['parameters', 'artifacts'], children: { parameters: PARAMETER, artifacts: ARTIFACT } },
    outputs: {
      fields: ['parameters', 'artifacts', 'result', 'exitCode'],
      children: { parameters: PARAMETER, artifacts: ARTIFACT },
    },
    container: CONTAINER,
  },
};
export const WORKFLOW: Shape = {
  fields: ['apiVersion', 'kind', 'metadata', 'spec'],
  children: {
    metadata: leaf('name', 'generateName', 'namespace', 'labels', 'annotations'),
    spec: {
      fields: [
        ...['entrypoint', 'arguments', 'templates', 'activeDeadlineSeconds', 'onExit', 'hooks', 'parallelism'],
        ...['serviceAccountName', 'automountServiceAccountToken', 'executor', 'volumes', 'volumeClaimTemplates'],
        ...['volumeClaimGC', 'nodeSelector', 'affinity', 'tolerations', 'imagePullSecrets', 'hostNetwork'],
        ...['dnsPolicy', 'dnsConfig', 'hostAliases', 'securityContext', 'podPriorityClassName', 'podSpecPatch'],
        ...['podGC', 'podMetadata', 'podDisruptionBudget', 'schedulerName', 'retryStrategy', 'ttlStrategy'],
        ...['artifactRepositoryRef', 'artifactGC', 'archiveLogs', 'metrics', 'shutdown', 'suspend'],
        ...['synchronization', 'templateDefaults', 'workflowMetadata', 'workflowTemplateRef'],
      ],
      children: {
        arguments: { fields: ['parameters', 'artifacts'], children: { parameters: PARAMETER, artifacts: ARTIFACT } },
        templates: TEMPLATE,
      },
    },
  },
};

/** Paths of the keys that the documented fields do not name, e.g. `spec.templates[0].retryStrategy.retries`. */
export function unknownFields(value: unknown, shape: Shape, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => unknownFields(item, shape, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    if (!shape.fields.includes(key)) return [at];
    const childShape = shape.children?.[key];
    return childShape ? unknownFields(child, childShape, at) : [];
  });
}
