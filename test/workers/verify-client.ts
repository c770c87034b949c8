// A second Worker for the tests, as a user of keygate would write one: it binds keygate's
// KeygateVerifier entrypoint (service binding KEYGATE, vitest.config.ts) and calls it two ways —
// POST /rpc hands its body to verify() and answers the result; /forms/* is a small Hono app behind
// keygate/hono's middleware, answering the outcome it set. Bundled by vitest.config.ts (esbuild).

import { Hono } from 'hono';
import { keygateAuth, type KeygateResult, type KeygateVerifierBinding } from '../../src/hono/index.mjs';

type Env = { Bindings: { KEYGATE: KeygateVerifierBinding }; Variables: { keygate: KeygateResult } };

const app = new Hono<Env>();

app.post('/rpc', async (c) => c.json(await c.env.KEYGATE.verify(await c.req.json())));

app.use('/forms/*', keygateAuth());
app.all('/forms/*', (c) => c.json({ servedBy: 'hono-app', path: c.req.path, keygate: c.get('keygate') }));

export default app;
