// What the admin API answers, typed from the same zod schemas the Worker answers with (type-only
// imports: nothing of the Worker is bundled into the dashboard).

import type { z } from 'zod';
import type {
  Key as KeySchema,
  Page,
  KeyCreated as KeyCreatedSchema,
  Project as ProjectSchema,
  RequestLogEntry as RequestLogEntrySchema,
  Usage as UsageSchema,
} from '../src/admin/responses';

export type { Page };

export type Project = z.infer<typeof ProjectSchema>;
export type Key = z.infer<typeof KeySchema>;
export type KeyCreated = z.infer<typeof KeyCreatedSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;
