// Alarms of the SQLite Durable Objects: one alarm per object, so every reason to wake shares it.

/** Sets the object's alarm to `at` unless it is already set to ring sooner. */
export async function armAlarm(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}
