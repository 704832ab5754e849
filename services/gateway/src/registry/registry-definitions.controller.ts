import { Body, Controller, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RegisteredVersion, RegisterModelProfileRequest, RegisterPromptRequest } from '@evalvault/service-apis';
import { AccessGuard, Requires } from '../access/access.guard.js';
import { identityOf, REGISTRY_CLIENT } from './registry-identity.js';
import type { RegistryClient } from './registry-client.js';
import {
  PROJECT_PARAMS,
  REGISTERED_VERSION,
  REGISTER_MODEL_PROFILE_BODY,
  REGISTER_PROMPT_BODY,
} from './registry.schemas.js';

/** 201 for a new version, 200 when the content was already registered (the answer names that version). */
export function statusFor(registered: RegisteredVersion, reply: FastifyReply): RegisteredVersion {
  void reply.code(registered.created ? 201 : 200);
  return registered;
}

/** Registering prompts and model profiles: small JSON definitions, one registry call each. */
@Controller('v1/projects/:project')
@UseGuards(AccessGuard)
export class RegistryDefinitionsController {
  constructor(@Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient) {}

  @Post('prompts')
  @Requires('registry.register')
  @RouteSchema({
    params: PROJECT_PARAMS,
    body: REGISTER_PROMPT_BODY,
    response: { 200: REGISTERED_VERSION, 201: REGISTERED_VERSION },
  })
  async registerPrompt(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('project') project: string,
    @Body() body: RegisterPromptRequest,
  ): Promise<RegisteredVersion> {
    return statusFor(await this.registry.call('registerPrompt', body, identityOf(request, project)), reply);
  }

  @Post('model-profiles')
  @Requires('registry.register')
  @RouteSchema({
    params: PROJECT_PARAMS,
    body: REGISTER_MODEL_PROFILE_BODY,
    response: { 200: REGISTERED_VERSION, 201: REGISTERED_VERSION },
  })
  async registerModelProfile(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('project') project: string,
    @Body() body: RegisterModelProfileRequest,
  ): Promise<RegisteredVersion> {
    return statusFor(await this.registry.call('registerModelProfile', body, identityOf(request, project)), reply);
  }
}
