/**
 * The live heap of a service process started with `--inspect=127.0.0.1:0`, read over the inspector
 * protocol after a full garbage collection: what the process keeps, without the garbage that its
 * resident set carries until V8 collects it (tens of MB of buffers between two full collections).
 * A leak shows as live heap growing with the cases scored; a flat process keeps it level.
 */
export class HeapProbe {
  private nextId = 1;
  private readonly pending = new Map<number, (result: Record<string, unknown>) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (message) => {
      const { id, result } = JSON.parse(String(message.data)) as { id?: number; result?: Record<string, unknown> };
      if (id !== undefined) this.pending.get(id)?.(result ?? {});
      if (id !== undefined) this.pending.delete(id);
    });
  }

  /** Connects to the inspector the process announced in its output ("Debugger listening on ws://…"). */
  static async attach(output: () => string): Promise<HeapProbe> {
    const deadline = Date.now() + 10_000;
    let url: string | undefined;
    while (!(url = /Debugger listening on (ws:\/\/\S+)/.exec(output())?.[1])) {
      if (Date.now() > deadline) throw new Error('the process announced no inspector (start it with --inspect)');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true });
    });
    return new HeapProbe(socket);
  }

  /** MB of JavaScript heap still in use after a full collection. */
  async liveHeapMb(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage');
    const { usedSize } = await this.send('Runtime.getHeapUsage');
    return Number(usedSize) / 1024 / 1024;
  }

  close(): void {
    this.socket.close();
  }

  private send(method: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method }));
    });
  }
}

/** Each worker's live heap when the run had scored a given share of its cases. */
export interface HeapCheckpoint {
  share: number;
  scored: number;
  liveMb: number[];
}

/**
 * Reads the probes' live heaps each time `scored()` passes the next share of `total`, until every
 * share is read or `stop` resolves.
 */
export async function heapCheckpoints(
  probes: readonly HeapProbe[],
  shares: readonly number[],
  total: number,
  scored: () => number,
  stop: Promise<unknown>,
): Promise<HeapCheckpoint[]> {
  const checkpoints: HeapCheckpoint[] = [];
  let stopped = false;
  void stop.finally(() => {
    stopped = true;
  });
  for (const share of shares) {
    while (!stopped && scored() < share * total) await new Promise((resolve) => setTimeout(resolve, 50));
    if (stopped && scored() < share * total) break;
    const at = scored();
    checkpoints.push({ share, scored: at, liveMb: await Promise.all(probes.map((probe) => probe.liveHeapMb())) });
  }
  return checkpoints;
}
