import { Module } from '@nestjs/common';

/** Domain Memory: facts, learnings and behaviours drawn from runs. */
@Module({})
export class MemoryModule {}
