import { Module } from '@nestjs/common';

/** Jira tickets, PagerDuty incidents, Teams and Slack messages on gate failures. */
@Module({})
export class NotifierModule {}
