// Vitest global setup (Node): starts the recording fake origin and the webhook receiver and hands
// their ports to the pool.

import type { TestProject } from 'vitest/node';
import { startFakeOrigin } from './helpers/fake-origin';
import { startWebhookReceiver } from './helpers/webhook-receiver';
import { TEST_WEBHOOK_SECRET } from '../vitest.config';

declare module 'vitest' {
  export interface ProvidedContext {
    originPort: number;
    receiverPort: number;
  }
}

export default async function setup(project: TestProject) {
  const { server, port } = await startFakeOrigin();
  project.provide('originPort', port);
  const receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  project.provide('receiverPort', receiver.port);
  return async () => {
    for (const s of [server, receiver.server]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  };
}
