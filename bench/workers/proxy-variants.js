// The bare proxy with keygate's proxy costs added one at a time (VARIANT), to price each of them.
export default {
  async fetch(request, env) {
    const variant = env.VARIANT;
    const init = { method: request.method, redirect: 'manual', headers: request.headers };
    if (variant === 'headers') {
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.append(name, value);
      init.headers = headers;
    }
    let timer;
    if (variant === 'timeout') {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(), 30_000);
      init.signal = controller.signal;
    }
    if (variant === 'timer-only') timer = setTimeout(() => {}, 30_000);
    if (variant === 'no-store') init.cache = 'no-store';
    const response = await fetch(env.ORIGIN_URL + '/bench', init);
    if (timer !== undefined) clearTimeout(timer);
    if (variant === 'rewrap') {
      const headers = new Headers();
      for (const [name, value] of response.headers) headers.append(name, value);
      return new Response(response.body, { status: response.status, headers });
    }
    return response;
  },
};
