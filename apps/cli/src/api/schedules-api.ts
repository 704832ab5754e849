import { dataOf } from '@evalvault/client';
import type { ScheduleView } from '@evalvault/service-apis';
import type { ApiClient } from './api-client.js';
import type { CreateScheduleBody } from './api-types.js';
import { viewOf } from './view-of.js';

const SCHEDULES = '/v1/projects/{project}/schedules';
const SCHEDULE = '/v1/projects/{project}/schedules/{scheduleId}';

/** The schedules routes of the public API (`/v1/projects/{project}/schedules`), for one project. */
export class SchedulesApi {
  constructor(
    private readonly client: ApiClient,
    readonly project: string,
  ) {}

  private schedule(scheduleId: string) {
    return { path: { project: this.project, scheduleId } };
  }

  create(request: CreateScheduleBody): Promise<ScheduleView> {
    return viewOf(this.client.api.POST(SCHEDULES, { params: { path: { project: this.project } }, body: request }));
  }

  async list(): Promise<ScheduleView[]> {
    const page: { items: ScheduleView[] } = await viewOf(
      this.client.api.GET(SCHEDULES, { params: { path: { project: this.project } } }),
    );
    return page.items;
  }

  get(scheduleId: string): Promise<ScheduleView> {
    return viewOf(this.client.api.GET(SCHEDULE, { params: this.schedule(scheduleId) }));
  }

  pause(scheduleId: string, reason?: string): Promise<ScheduleView> {
    return viewOf(
      this.client.api.POST(`${SCHEDULE}/pause`, { params: this.schedule(scheduleId), body: reason ? { reason } : {} }),
    );
  }

  resume(scheduleId: string): Promise<ScheduleView> {
    return viewOf(this.client.api.POST(`${SCHEDULE}/resume`, { params: this.schedule(scheduleId) }));
  }

  /** The document gives no schema for the answer, which is `{scheduleId, deleted: true}` (unchecked). */
  delete(scheduleId: string): Promise<{ scheduleId: string; deleted: true }> {
    return dataOf<{ scheduleId: string; deleted: true }>(
      this.client.api.DELETE(SCHEDULE, { params: this.schedule(scheduleId) }),
    );
  }
}
