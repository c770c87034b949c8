// How keygate runs: its log level, the benchmark counters, where the registry object is created.

import { z } from 'zod';
import { isLocationHint, LOCATION_HINTS } from '../core/placement';
import { isLogLevel, type LogLevel } from '../log';
import { flag } from './setting';

const LEVEL = 'LOG_LEVEL must be debug, info, warn or error';
const HINT = `REGISTRY_LOCATION_HINT must be one of ${LOCATION_HINTS.join(', ')}`;

export const RUNTIME_SETTINGS = {
  LOG_LEVEL: z
    .string({ error: LEVEL })
    .optional()
    .transform((raw) => raw || 'info')
    .pipe(z.custom<LogLevel>((raw) => typeof raw === 'string' && isLogLevel(raw), LEVEL)),
  /** "true" serves storage-call counters at /_keygate/v1/bench/counters (benchmarks only). */
  BENCH_MODE: flag(),
  /**
   * Checked here so that a bad hint fails closed; objects/registry/client.ts reads the binding
   * itself (the Durable Objects and the admin API reach the registry without a Config).
   */
  REGISTRY_LOCATION_HINT: z
    .string({ error: HINT })
    .optional()
    .refine((raw) => raw === undefined || raw === '' || isLocationHint(raw), HINT),
};
