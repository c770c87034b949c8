// KV wrappers for tests: count reads, fail, stall or serve stale data — around miniflare's real KV.

export interface CountingKv extends KVNamespace {
  reads: number;
}

/** Real KV, with `reads` counting every get. */
export function countingKv(kv: KVNamespace): CountingKv {
  const wrapper = {
    reads: 0,
    get: (...args: Parameters<KVNamespace['get']>) => {
      wrapper.reads++;
      return (kv.get as (...a: unknown[]) => unknown)(...args);
    },
    put: kv.put.bind(kv),
    delete: kv.delete.bind(kv),
    list: kv.list.bind(kv),
    getWithMetadata: kv.getWithMetadata.bind(kv),
  };
  return wrapper as unknown as CountingKv;
}

/** A KV whose reads fail (throw) or never answer. */
export function brokenKv(mode: 'throw' | 'hang' | 'corrupt'): KVNamespace {
  const get = () => {
    if (mode === 'throw') return Promise.reject(new Error('KV GET failed: 500 Internal Server Error'));
    if (mode === 'corrupt')
      return Promise.resolve({
        v: 1,
        id: 'key_x',
        projectId: 'prj_x',
        environment: 'live',
        status: 'active',
        expiresAt: null,
        ipAllowlist: null,
      });
    return new Promise(() => {});
  };
  const put = () => (mode === 'throw' ? Promise.reject(new Error('KV PUT failed: 429 Too Many Requests')) : Promise.resolve());
  return { get, getWithMetadata: get, put, delete: () => Promise.resolve(), list: get } as unknown as KVNamespace;
}

/** Real KV, except that `key` always reads as `stale` — KV in another location before propagation. */
export function staleKv(kv: KVNamespace, key: string, stale: string): KVNamespace {
  const get = (name: string, type?: unknown) => {
    if (name === key)
      return Promise.resolve(
        type === 'json' || (typeof type === 'object' && type !== null && (type as { type?: string }).type === 'json')
          ? JSON.parse(stale)
          : stale,
      );
    return (kv.get as (...a: unknown[]) => unknown)(name, type);
  };
  return {
    get,
    put: kv.put.bind(kv),
    delete: kv.delete.bind(kv),
    list: kv.list.bind(kv),
    getWithMetadata: kv.getWithMetadata.bind(kv),
  } as unknown as KVNamespace;
}
