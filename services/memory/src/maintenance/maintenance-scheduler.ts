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
 * process never overlap, nor do two processes pass one project at once (advisory lock); a failed
 * pass is logged and tried again at a later tick.
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
    // A tick that cannot reach the database (a restart) is logged and tried again at the next one;
    // its rejection unheard would end the process.
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'memory maintenance could not look for due projects; next tick'),
      );
    }, tickMs);
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
    const projects: { tenant_id: string; project_id: string }[] = await this.dataSource.query(
      `SELECT p.tenant_id, p.project_id
       FROM (SELECT DISTINCT tenant_id, project_id FROM ${S}.facts
             UNION SELECT tenant_id, project_id FROM ${S}.behaviours
             UNION SELECT tenant_id, project_id FROM ${S}.policies) p
       WHERE $1::text IS NULL OR p.tenant_id = $1`,
      [tenantId],
    );
    let passes = 0;
    for (const project of projects) {
      const scope = { tenantId: project.tenant_id, projectId: project.project_id };
      try {
        if (await this.passIfDue(scope)) passes += 1;
      } catch (error) {
        this.logger.error({ err: error, ...scope }, 'memory maintenance pass failed');
      }
    }
    return passes;
  }

  /**
   * One pass when the project is due, under a PostgreSQL advisory lock on the project: replicas of
   * the service share the schedule, and the one that finds the lock taken skips the project (the
   * holder is passing it). Due is read again under the lock, so a pass another replica just
   * finished is not repeated.
   */
  private async passIfDue(scope: { tenantId: string; projectId: string }): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = JSON.stringify(['memory-maintenance', scope.tenantId, scope.projectId]);
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key]);
      if (!locked) return false;
      try {
        const rows: { last_run_at: Date }[] = await runner.query(
          `SELECT last_run_at FROM ${S}.maintenance WHERE tenant_id = $1 AND project_id = $2`,
          [scope.tenantId, scope.projectId],
        );
        const { policy } = await this.commands.policy(scope);
        const due = (rows[0]?.last_run_at.getTime() ?? 0) + policy.maintenance.intervalMinutes * 60_000;
        if (due > this.now()) return false;
        const context = { ...scope, actor: MAINTENANCE_ACTOR, correlationId: randomUUID(), causationId: null };
        await this.commands.maintain(context, 'schedule');
        return true;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
