// Vitest global setup (Node): starts the recording fake origin and hands its port to the pool.

import type { TestProject } from 'vitest/node';
import { startFakeOrigin } from './helpers/fake-origin';

declare module 'vitest' {
  export interface ProvidedContext {
    originPort: number;
  }
}

export default async function setup(project: TestProject) {
  const { server, port } = await startFakeOrigin();
  project.provide('originPort', port);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
