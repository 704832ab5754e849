import { Module } from '@nestjs/common';

/** Hash-chained audit log, compliance replay and export. */
@Module({})
export class AuditModule {}
