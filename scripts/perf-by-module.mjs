#!/usr/bin/env node
/**
 * Where a Node process's CPU went, by module, from `perf script` text on stdin (a `perf record -g` of a
 * process started with `node --perf-basic-prof`). Each sample is charged to the innermost JavaScript
 * frame on its stack, so the native code and kernel time a function causes (a socket write, JSON,
 * hashing) count for the module that called it; samples with no JavaScript frame are the event loop's
 * own (I/O polling, the HTTP parser, the microtask runner) or the kernel's. Used by docs/performance.md:
 *
 *   perf script -i perf.data | node scripts/perf-by-module.mjs [--per-answer-us 79.6]
 *
 * With --per-answer-us (the thread's CPU per answer, measured without the profiler), each share is also
 * given in µs per answer.
 */
import { createInterface } from 'node:readline';

const flag = process.argv.indexOf('--per-answer-us');
const perAnswerUs = flag > 0 ? Number(process.argv[flag + 1]) : undefined;

/** The module a JavaScript frame belongs to: an npm package, a built file of this repository, a node: module. */
function moduleOf(frame) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/ :]+)/.exec(frame);
  if (pkg) return pkg[1];
  const own = /\/(libs|services|apps|infra)\/([^/]+)\/dist\/([^ :]+)/.exec(frame);
  if (own) return `${own[1]}/${own[2]}: ${own[3]}`;
  const builtin = /(node:[^ :]+)/.exec(frame);
  return builtin ? builtin[1] : '(other JavaScript)';
}

const counts = new Map();
let samples = 0;
let stack = [];
const flush = () => {
  if (stack.length === 0) return;
  samples += 1;
  const js = stack.find((frame) => frame.includes(' JS:'));
  const where = js
    ? moduleOf(js)
    : stack[0].includes('[kernel')
      ? '(kernel, no JavaScript on the stack)'
      : '(event loop: native, no JavaScript)';
  counts.set(where, (counts.get(where) ?? 0) + 1);
  stack = [];
};
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') flush();
  else if (/^\s/.test(line)) stack.push(line.trim());
}
flush();
if (samples === 0) {
  console.error('no samples on stdin: pipe `perf script -i perf.data` into this script');
  process.exit(1);
}
console.log(`${samples} samples`);
for (const [where, count] of [...counts].sort((a, b) => b[1] - a[1])) {
  const share = count / samples;
  const us = perAnswerUs === undefined ? '' : `${(share * perAnswerUs).toFixed(1).padStart(7)} µs`;
  console.log(`${(100 * share).toFixed(1).padStart(5)} %${us}  ${where}`);
}
