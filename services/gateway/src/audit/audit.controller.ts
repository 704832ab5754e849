import { tenantIdentityOf } from '../access/identity-of.js';
import { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Put, Query, Req, Res, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceClient, StreamingServiceClient } from '@evalvault/platform';
import type {
  AuditExportQuery,
  AuditOperations,
  AuditPage,
  AuditQuery,
  AuditReplayReport,
  AuditStreams,
  CancelRetentionShorteningRequest,
  ForgetSubjectRequest,
  RetentionChangeRequest,
  RetentionChangeView,
  RetentionView,
} from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { AuthError } from '../auth/auth.errors.js';
import { CREDENTIAL_WATCH, type CredentialWatch } from '../auth/credential-watch.js';
import {
  AUDIT_PAGE,
  AUDIT_QUERY,
  CANCEL_QUERY,
  EXPORT_QUERY,
  FORGET_BODY,
  FORGOTTEN,
  REPLAY_REPORT,
  RETENTION_BODY,
  RETENTION_CHANGE_VIEW,
  RETENTION_VIEW,
} from './audit.schemas.js';

export const AUDIT_CLIENT = Symbol('AUDIT_CLIENT');

/** The audit service as the gateway sees it: JSON operations and the streamed export. */
export type AuditClient = ServiceClient<AuditOperations> & StreamingServiceClient<AuditStreams>;

/**
 * /v1/audit: the tenant's audit log for its auditors (read, replay, export, see the retention)
 * and audit-admins (also change the retention and forget subjects); each route is one call to
 * the audit service, which checks the roles again and decides retention changes.
 */
@Controller('v1/audit')
@UseGuards(AccessGuard)
export class AuditController {
  constructor(
    @Inject(AUDIT_CLIENT) private readonly audit: AuditClient,
    @Inject(CREDENTIAL_WATCH) private readonly credentials: CredentialWatch | null,
  ) {}

  @Get()
  @Requires('audit.read')
  @RouteSchema({ querystring: AUDIT_QUERY, response: { 200: AUDIT_PAGE } })
  list(@Req() request: FastifyRequest, @Query() query: AuditQuery): Promise<AuditPage> {
    return this.audit.call('listEntries', query, tenantIdentityOf(request));
  }

  @Post('replay')
  @HttpCode(200)
  @Requires('audit.replay')
  @RouteSchema({ response: { 200: REPLAY_REPORT } })
  replay(@Req() request: FastifyRequest): Promise<AuditReplayReport> {
    return this.audit.call('replay', {}, tenantIdentityOf(request));
  }

  /**
   * Piped chunk by chunk from the audit service to the client: constant memory for a log of any size.
   * The credential is re-checked while it streams; when it lapses the stream is destroyed, so the
   * client sees a broken download (no terminating chunk), never a shorter file that looks complete.
   */
  @Get('export')
  @Requires('audit.export')
  @RouteSchema({ querystring: EXPORT_QUERY, produces: ['application/x-ndjson', 'text/csv'] })
  async export(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Partial<AuditExportQuery>,
  ): Promise<void> {
    const format = query.format ?? 'jsonl';
    const { contentType, body } = await this.audit.stream(
      'exportEntries',
      { ...query, format },
      tenantIdentityOf(request),
    );
    const source = Readable.from(body, { objectMode: false });
    const stopWatching = this.credentials?.watch(request, 'audit.export', (ended) => source.destroy(ended));
    if (stopWatching) source.once('close', stopWatching);
    await reply
      .type(contentType)
      .header('content-disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.${format}"`)
      .send(source);
  }

  /** The retention in force, a shortening waiting for its delay, and what was purged: auditors see it coming. */
  @Get('retention')
  @Requires('audit.retention.read')
  @RouteSchema({ response: { 200: RETENTION_VIEW } })
  retention(@Req() request: FastifyRequest): Promise<RetentionView> {
    return this.audit.call('getRetention', {}, tenantIdentityOf(request));
  }

  /**
   * 200 when the retention asked for is in force now (not shorter than before; nothing to do is
   * also 200), 202 when it is a shortening: it needs a `reason` (else 400) and waits for the audit
   * service's delay, during which purges keep the longer retention and it can be cancelled.
   */
  @Put('retention')
  @Requires('audit.retention')
  @RouteSchema({ body: RETENTION_BODY, response: { 200: RETENTION_CHANGE_VIEW, 202: RETENTION_CHANGE_VIEW } })
  async setRetention(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: RetentionChangeRequest,
  ): Promise<RetentionChangeView> {
    const view = await this.audit.call(
      'setRetention',
      { retentionDays: body.retentionDays, reason: body.reason ?? null },
      tenantIdentityOf(request),
    );
    if (view.change === 'shortening-scheduled') void reply.status(202);
    return view;
  }

  /** Drops the shortening waiting for its delay (404 when none waits); `?reason=` is recorded with it. */
  @Delete('retention/pending')
  @Requires('audit.retention')
  @RouteSchema({ querystring: CANCEL_QUERY, response: { 200: RETENTION_CHANGE_VIEW } })
  cancelShortening(
    @Req() request: FastifyRequest,
    @Query() query: CancelRetentionShorteningRequest,
  ): Promise<RetentionChangeView> {
    return this.audit.call('cancelRetentionShortening', { reason: query.reason ?? null }, tenantIdentityOf(request));
  }

  /** Another subject only: no one forgets themselves (the audit service refuses it too). */
  @Post('subjects/forget')
  @HttpCode(200)
  @Requires('audit.forget')
  @RouteSchema({ body: FORGET_BODY, response: { 200: FORGOTTEN } })
  forget(
    @Req() request: FastifyRequest,
    @Body() body: ForgetSubjectRequest,
  ): Promise<{ pseudonym: string; eventId: string }> {
    const { subject, apiKeyId } = request.principal!;
    if (body.subject === subject || (apiKeyId !== null && body.subject === `api-key:${apiKeyId}`))
      throw AuthError.forbidden('you cannot forget your own subject: another audit-admin must make the request');
    return this.audit.call(
      'forgetSubject',
      { subject: body.subject, reason: body.reason ?? null },
      tenantIdentityOf(request),
    );
  }
}
