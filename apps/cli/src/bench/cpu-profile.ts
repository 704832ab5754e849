import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) a self-time summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time, all of it (µs → ms). */
  totalMs: number;
  /** Sampled time not idle: what the process spent on its CPU. */
  busyMs: number;
  /** Self time per function, most first. */
  functions: { name: string; ms: number }[];
  /**
   * Self time per package or workspace project (`pg`, `kafkajs`, `libs/platform`, `(garbage collector)`…),
   * most first.
   */
  packages: { name: string; ms: number }[];
  /**
   * Total time (self and callees) of the workspace's own functions, most first: where the time of
   * each of a process's jobs goes (the synchronous part of an async function: up to its first await).
   */
  workspace: { name: string; ms: number }[];
}

/** Where a frame's code is: a package under node_modules, a workspace project, node's own, or V8's pseudo-frames. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/((?:libs|services|apps|infra)\/[^/]+)\//.exec(url);
  return workspace ? workspace[1]! : url;
}

function shortUrl(url: string): string {
  const modules = /node_modules\/(.*)$/.exec(url);
  if (modules) return modules[1]!;
  const workspace = /\/((?:libs|services|apps|infra)\/.*)$/.exec(url);
  return workspace ? workspace[1]! : url.replace(/^file:\/\//, '');
}

/** Self time per function and per package of one profile. */
export function summarizeCpuProfile(path: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nameOf = (frame: CpuProfile['nodes'][number]['callFrame']): string =>
    frame.url
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName;
  const workspace = new Map<string, number>();
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = byId.get(id);
    if (!frame) return;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      return;
    }
    const name = nameOf(frame);
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const caller = byId.get(node)!;
      if (/\/(libs|services|apps)\//.test(caller.url) && !caller.url.includes('node_modules'))
        onStack.add(nameOf(caller));
    }
    for (const caller of onStack) workspace.set(caller, (workspace.get(caller) ?? 0) + micros);
    const pkg = packageOf(frame.url, frame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  });
  const ranked = (map: Map<string, number>): { name: string; ms: number }[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000 }));
  return {
    totalMs: total / 1000,
    busyMs: (total - idle) / 1000,
    functions: ranked(functions),
    packages: ranked(packages),
    workspace: ranked(workspace),
  };
}
