// A second Worker that keygate reaches through a service binding (UPSTREAMS { "service": "TOOLS" }),
// bound to it in the "workers" test project (vitest.config.ts). Not a fake of anything Cloudflare
// runs: a Worker upstream as an API owner would write one. It answers what it received — method,
// URL, headers — and echoes WebSocket messages, so the tests can see what keygate forwarded.

export default {
  fetch(request) {
    if (request.headers.get('upgrade') === 'websocket') {
      const { 0: client, 1: server } = new WebSocketPair();
      server.accept();
      server.addEventListener('message', (event) => server.send(`tools: ${event.data}`));
      return new Response(null, { status: 101, webSocket: client });
    }
    const headers = Object.fromEntries(request.headers);
    return Response.json({ upstream: 'tools-worker', method: request.method, url: request.url, headers });
  },
};
