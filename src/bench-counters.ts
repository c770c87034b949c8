// Storage calls made by this isolate, for `npm run bench` (served only when BENCH_MODE=true).
// Plain increments: cheap enough to keep on in production, so the benchmark measures the real code.

export const storageCounters = { kvReads: 0, registryCalls: 0, replicaCalls: 0, limiterCalls: 0, usageCalls: 0 };
