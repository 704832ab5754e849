import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { summarizeCpuProfile } from './cpu-profile.js';
import type { Floor } from './durable-floor.js';

const TARGET_CASES_PER_S = 5_000;
const TARGET_FLOOR_RATIO = 3;

export interface Timed {
  runId: string;
  wallMs: number;
  readModelMs: number;
  /** CPU seconds each runs process spent from submit to RunCompleted, and how busy the whole machine was. */
  cpu: {
    planner: number | null;
    workers: (number | null)[];
    /** Every PostgreSQL process and the Kafka broker of the machine (other users' work on them included). */
    postgres: number | null;
    kafka: number | null;
    /** CPU seconds of the whole machine, and their share of all its cores' time. */
    machine: number | null;
    machineBusy: number | null;
  };
  /** When (ms after RunRequested was stored) the run started, its last batch was scheduled, and it completed. */
  timeline?: { started: number; lastScheduled: number; completed: number };
}

export interface Phase {
  workers: number;
  runs: Timed[];
  floors: Floor[];
  workerPeakRssMb: (number | null)[];
  batchesPerWorker: number[];
  check: string;
}

export interface DistributedRunsReport {
  options: { cases: number; metrics: readonly string[] };
  phases: readonly Phase[];
  /** Timed runs per phase: the medians are printed. */
  repeat: number;
  plannerRss: number | null;
  profileDir: string | null;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const cpu = (seconds: number | null): string => (seconds === null ? '?' : `${seconds.toFixed(2)} s`);
/** A floor's time: the INSERTs and the topic (the unnest INSERTs are printed beside it, not counted). */
const floorMs = (floor: Floor): number => floor.insertMs + floor.kafkaMs;
const medianBy = <T>(items: readonly T[], key: (item: T) => number): T =>
  [...items].sort((a, b) => key(a) - key(b))[Math.floor((items.length - 1) / 2)]!;

/** A phase's median run against its median floor. */
interface Figure {
  phase: Phase;
  run: Timed;
  floor: Floor;
  casesPerSecond: number;
  ratio: number;
}

/** Part (b)'s figures on stdout: per phase the median run against the median floor, then the targets. */
export function printDistributedRuns({ options, phases, repeat, plannerRss, profileDir }: DistributedRunsReport): void {
  const figures = phases.map((phase): Figure => {
    const run = medianBy(phase.runs, (r) => r.wallMs);
    const floor = medianBy(phase.floors, floorMs);
    return {
      phase,
      run,
      floor,
      casesPerSecond: options.cases / (run.wallMs / 1000),
      ratio: run.wallMs / floorMs(floor),
    };
  });
  console.log(
    `bench:runs (b) — ${options.cases} deterministic cases (${options.metrics.join(', ')}), Kafka + PostgreSQL, ` +
      `runs processes from dist on this machine (${availableParallelism()} cores); medians of ${repeat} runs`,
  );
  for (const figure of figures) printPhase(figure);
  if (plannerRss !== null)
    console.log(`  planner process (planner, relay, read model) peak RSS ${plannerRss.toFixed(0)} MB`);
  const two = figures.find((figure) => figure.phase.workers === 2);
  if (two) {
    const met = (yes: boolean): string => (yes ? 'met' : 'not met');
    console.log(
      `  targets (2 workers): ≥ ${TARGET_CASES_PER_S.toLocaleString('en-US')} cases/s — ` +
        `${two.casesPerSecond.toFixed(0)} (${met(two.casesPerSecond >= TARGET_CASES_PER_S)}); ` +
        `≤ ${TARGET_FLOOR_RATIO}× the durable floor — ` +
        `${two.ratio.toFixed(1)}× (${met(two.ratio <= TARGET_FLOOR_RATIO)})`,
    );
  }
  if (profileDir) printProfiles(profileDir);
}

/** This benchmark's own process, the system, and whatever else runs on the machine meanwhile. */
function restOfMachine({ cpu: c }: Timed): number | null {
  const parts = [c.planner, ...c.workers, c.postgres, c.kafka];
  return c.machine === null || parts.includes(null) ? null : c.machine - parts.reduce((x, y) => x! + y!, 0)!;
}

function printPhase({ phase, run, floor, casesPerSecond, ratio }: Figure): void {
  const rss = phase.workerPeakRssMb.map((mb) => (mb === null ? '?' : `${mb.toFixed(0)} MB`)).join(' / ');
  console.log(
    `  1 planner + ${phase.workers} worker${phase.workers > 1 ? 's' : ' '}  ` +
      `submit → RunCompleted ${s(run.wallMs)}   ` +
      `${casesPerSecond.toFixed(0)} cases/s   ratio to the durable floor ${ratio.toFixed(1)}×`,
  );
  console.log(
    `      runs ${phase.runs.map((r) => s(r.wallMs)).join(', ')}; ` +
      `the read model showed the run completed at ${s(run.readModelMs)}`,
  );
  if (run.timeline)
    console.log(
      `      after RunRequested: RunStarted (dataset counted) at ${s(run.timeline.started)}, ` +
        `last batch scheduled at ${s(run.timeline.lastScheduled)}, RunCompleted at ${s(run.timeline.completed)}`,
    );
  console.log(
    `      CPU from submit to RunCompleted: planner process ${cpu(run.cpu.planner)}, ` +
      `worker${phase.workers > 1 ? 's' : ''} ${run.cpu.workers.map(cpu).join(' / ')}, ` +
      `PostgreSQL ${cpu(run.cpu.postgres)}, Kafka broker ${cpu(run.cpu.kafka)}, the rest ${cpu(restOfMachine(run))}; ` +
      `machine ${cpu(run.cpu.machine)}, ` +
      `busy ${run.cpu.machineBusy === null ? '?' : `${(run.cpu.machineBusy * 100).toFixed(0)} %`} ` +
      `of ${availableParallelism()} cores`,
  );
  console.log(
    `      durable floor ${s(floorMs(floor))} (${phase.floors.map((f) => s(floorMs(f))).join(', ')}): ` +
      `${floor.events} events, ${(floor.bytes / 1e6).toFixed(1)} MB — batched INSERT ${s(floor.insertMs)} + ` +
      `Kafka produce→consume ${s(floor.kafkaMs)}; the same INSERTs as the event store sends them ` +
      `(unnest of a bytea[]) ${s(floor.unnestMs)}`,
  );
  console.log(
    `      worker peak RSS ${rss}; batches scored per worker ${phase.batchesPerWorker.join(' / ')}; ` +
      `RunCompleted: ${phase.check}`,
  );
}

function printProfiles(profileDir: string): void {
  console.log(`  CPU profiles (${profileDir}), self time, whole process life:`);
  for (const role of readdirSync(profileDir).sort()) {
    for (const file of readdirSync(join(profileDir, role)).filter((name) => name.endsWith('.cpuprofile'))) {
      const summary = summarizeCpuProfile(join(profileDir, role, file));
      const pct = (ms: number): string => `${((ms / summary.busyMs) * 100).toFixed(1)} %`;
      console.log(
        `    ${role}: ${(summary.totalMs / 1000).toFixed(1)} s sampled, ${(summary.busyMs / 1000).toFixed(1)} s on CPU`,
      );
      console.log(
        `      by package: ${summary.packages
          .slice(0, 8)
          .map((p) => `${p.name} ${pct(p.ms)}`)
          .join(', ')}`,
      );
      for (const fn of summary.functions.slice(0, 10))
        console.log(`      ${fn.ms.toFixed(0).padStart(6)} ms  ${pct(fn.ms).padStart(7)}  ${fn.name}`);
    }
  }
}
