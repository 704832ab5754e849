import { Module } from '@nestjs/common';

/** Datasets, prompts and model profiles, versioned and hashed. */
@Module({})
export class RegistryModule {}
