import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { MemoryCommands } from '../commands/memory-commands.port.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';

export const MAINTENANCE_ACTOR = { subject: 'system:memory', authMethod: 'system', apiKeyId: null };

/**
 * The scheduled maintenance job: every tick it looks for projects with memory whose last pass
 * is older than their policy's `maintenance.intervalMinutes`, and runs one pass for each (decay,
 * forgetting, consolidation, conflicts; one MemoryMaintenanceCompleted per pass). Passes of one
 * process never overlap; a failed pass is logged and tried again at a later tick.
 */
export class MaintenanceScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: MemoryCommands,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(tickMs: number): void {
    if (tickMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One look for due projects (of one tenant, for tests and operators); answers how many passes ran. */
  tick(tenantId: string | null = null): Promise<number> {
    this.running ??= this.runDue(tenantId).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runDue(tenantId: string | null): Promise<number> {
    const projects: { tenant_id: string; project_id: string; last_run_at: Date | null }[] = await this.dataSource.query(
      `SELECT p.tenant_id, p.project_id, m.last_run_at
       FROM (SELECT DISTINCT tenant_id, project_id FROM ${S}.facts
             UNION SELECT tenant_id, project_id FROM ${S}.policies) p
       LEFT JOIN ${S}.maintenance m ON m.tenant_id = p.tenant_id AND m.project_id = p.project_id
       WHERE $1::text IS NULL OR p.tenant_id = $1`,
      [tenantId],
    );
    let passes = 0;
    for (const project of projects) {
      const scope = { tenantId: project.tenant_id, projectId: project.project_id };
      try {
        const { policy } = await this.commands.policy(scope);
        const due = (project.last_run_at?.getTime() ?? 0) + policy.maintenance.intervalMinutes * 60_000;
        if (due > this.now()) continue;
        await this.commands.maintain(
          { ...scope, actor: MAINTENANCE_ACTOR, correlationId: randomUUID(), causationId: null },
          'schedule',
        );
        passes += 1;
      } catch (error) {
        this.logger.error({ err: error, ...scope }, 'memory maintenance pass failed');
      }
    }
    return passes;
  }
}
