import type { CreateScheduleRequest, ScheduleView } from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';

/** The schedules routes of the public API (`/v1/projects/{project}/schedules`), for one project. */
export class SchedulesApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private path(scheduleId?: string, suffix = ''): string {
    const base = `v1/projects/${encodeURIComponent(this.project)}/schedules`;
    return scheduleId === undefined ? base : `${base}/${encodeURIComponent(scheduleId)}${suffix}`;
  }

  create(request: CreateScheduleRequest): Promise<ScheduleView> {
    return this.client.post(this.path(), { body: request });
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.client.get<{ items: ScheduleView[] }>(this.path())).items;
  }

  get(scheduleId: string): Promise<ScheduleView> {
    return this.client.get(this.path(scheduleId));
  }

  pause(scheduleId: string, reason?: string): Promise<ScheduleView> {
    return this.client.post(this.path(scheduleId, '/pause'), { body: reason ? { reason } : {} });
  }

  resume(scheduleId: string): Promise<ScheduleView> {
    return this.client.post(this.path(scheduleId, '/resume'));
  }

  delete(scheduleId: string): Promise<{ scheduleId: string; deleted: true }> {
    return this.client.delete(this.path(scheduleId));
  }
}
