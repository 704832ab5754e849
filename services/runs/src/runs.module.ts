import { Module } from '@nestjs/common';

/** Evaluation workers: scores cases, aggregates metrics, decides gates. */
@Module({})
export class RunsModule {}
