// `npm start`: runs the six services, each in its own process on its default port,
// until Ctrl-C, which stops them all cleanly. (Replaced by the single-process
// embedded platform once it lands; see README "Status".)
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const services = { gateway: 8080, runs: 8081, registry: 8082, memory: 8083, audit: 8084, notifier: 8085 };
const children = Object.entries(services).map(([name, defaultPort]) => {
  const port = name === 'gateway' && process.env.PORT ? process.env.PORT : String(defaultPort);
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], {
    env: { ...process.env, PORT: port },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
  return child;
});

let stopping = false;
function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  let alive = children.length;
  for (const child of children) {
    child.once('exit', () => { if (--alive === 0) process.exit(exitCode); });
    if (child.exitCode === null) child.kill('SIGTERM'); else alive--;
  }
  if (alive === 0) process.exit(exitCode);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
console.error(`EvalVault services starting: gateway http://127.0.0.1:${process.env.PORT ?? 8080}/healthz (Ctrl-C stops all)`);
