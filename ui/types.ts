// What the admin API answers, typed from the same zod schemas the Worker answers with (type-only
// imports: nothing of the Worker is bundled into the dashboard).

import type { z } from 'zod';
import type {
  AuditPage as AuditPageSchema,
  Customer as CustomerSchema,
  Delivery as DeliverySchema,
  Key as KeySchema,
  Page,
  KeyCreated as KeyCreatedSchema,
  Plan as PlanSchema,
  Project as ProjectSchema,
  RequestLogEntry as RequestLogEntrySchema,
  Traffic as TrafficSchema,
  Usage as UsageSchema,
} from '../src/admin/responses';

export type { Page };

export type Project = z.infer<typeof ProjectSchema>;
export type Key = z.infer<typeof KeySchema>;
export type KeyCreated = z.infer<typeof KeyCreatedSchema>;
export type Customer = z.infer<typeof CustomerSchema>;
export type Plan = z.infer<typeof PlanSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type Traffic = z.infer<typeof TrafficSchema>;
export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;
export type AuditPage = z.infer<typeof AuditPageSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
