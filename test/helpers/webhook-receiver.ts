// A webhook receiver in Node, outside keygate like the fake origin: it checks every delivery with
// the `standardwebhooks` package (Webhook(secret).verify) and records it under the event's
// projectId. Tests read GET /__webhooks/<projectId> and can make it fail the next N deliveries of
// a project (POST /__fail/<projectId>/<n>, answered 503) to prove retries.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ReceivedWebhook } from './webhook-types';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the receiver on a free loopback port; deliveries go to POST /hooks. */
export async function startWebhookReceiver(secret: string): Promise<{ server: Server; port: number }> {
  const verifier = new Webhook(secret);
  const received = new Map<string, ReceivedWebhook[]>();
  const failures = new Map<string, number>();
  let rejected = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const [, what, project = '', n = '0'] = (req.url ?? '/').split('/');
      if (what === '__webhooks') return json(res, 200, received.get(project) ?? []);
      if (what === '__rejected') return json(res, 200, { rejected });
      if (what === '__fail') {
        failures.set(project, Number(n));
        return json(res, 200, { failing: Number(n) });
      }
      if (what !== 'hooks' || req.method !== 'POST') return json(res, 404, {});
      const body = await readBody(req);
      let event: { type: string; data: Record<string, unknown> };
      try {
        event = verifier.verify(body, req.headers as Record<string, string>) as typeof event;
      } catch {
        rejected++;
        return json(res, 400, { error: 'signature' });
      }
      const projectId = String(event.data.projectId);
      const failing = failures.get(projectId) ?? 0;
      if (failing > 0) failures.set(projectId, failing - 1);
      const answered = failing > 0 ? 503 : 204;
      const list = received.get(projectId) ?? [];
      list.push({
        id: String(req.headers['webhook-id']),
        timestamp: Number(req.headers['webhook-timestamp']),
        type: event.type,
        data: event.data,
        answered,
        receivedAt: Date.now(),
      });
      received.set(projectId, list);
      res.writeHead(answered);
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
