import { Module } from '@nestjs/common';

/** The public REST API: authentication, RBAC, tenants; sends commands to owning services. */
@Module({})
export class GatewayModule {}
