import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** USER_HZ of /proc/<pid>/stat: 100 on Linux. */
export const CLOCK_TICKS = 100;

/** A memory field of a live process's /proc/<pid>/status, in MB; null once it is gone or where /proc is not there. */
function statusMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident set of a live process (VmHWM), in MB. */
export const peakRssMb = (pid: number | undefined): number | null => statusMb(pid, 'VmHWM');

/** Resident set of a live process (VmRSS), in MB. */
export const rssMb = (pid: number | undefined): number | null => statusMb(pid, 'VmRSS');

/** CPU seconds (user + system) a live process has used so far; null where /proc is not there. */
export function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds used so far by the PostgreSQL server's processes and the Kafka broker's JVM (read from /proc). */
export function serverCpuSeconds(): { postgres: number; kafka: number | null } | null {
  try {
    let postgres = 0;
    for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === 'postgres') postgres += cpuSeconds(Number(entry)) ?? 0;
    }
    return { postgres, kafka: cpuSeconds(brokerPid()) };
  } catch {
    return null;
  }
}

/** The broker infra/kafka/kafka.sh started on 127.0.0.1:9092 (its pid file), not the other brokers a test may run. */
function brokerPid(): number | undefined {
  const cache = process.env['XDG_CACHE_HOME'] || join(process.env['HOME'] ?? '', '.cache');
  const instance =
    process.env['EVALVAULT_KAFKA_INSTANCE'] || process.env['EVALVAULT_KAFKA_HOME'] || join(cache, 'evalvault', 'kafka');
  try {
    return Number(readFileSync(join(instance, 'broker.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine so far (/proc/stat), in ticks. */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((sum, ticks) => sum + ticks, 0);
    return { busy: total - cpu[3]! - (cpu[4] ?? 0), total }; // idle and iowait are not busy
  } catch {
    return null;
  }
}
