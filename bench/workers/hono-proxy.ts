// B1: the same pass-through as a Hono app, to separate the framework's cost from keygate's.
import { Hono } from 'hono';

const app = new Hono<{ Bindings: { ORIGIN_URL: string } }>();
app.all('*', (c) => {
  const url = new URL(c.req.url);
  return fetch(c.env.ORIGIN_URL + url.pathname + url.search, {
    method: c.req.method,
    headers: c.req.raw.headers,
    body: c.req.raw.body,
    redirect: 'manual',
  });
});
export default app;
