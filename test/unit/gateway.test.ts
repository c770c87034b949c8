import { describe, expect, it } from 'vitest';
import { isAdminPath } from '../helpers/plane';

describe('which plane a request belongs to', () => {
  it('sends /_keygate and everything below it to the admin plane', () => {
    for (const url of [
      'https://h.example/_keygate',
      'https://h.example/_keygate/',
      'https://h.example/_keygate?x=1',
      'https://h.example/_keygate#f',
      'https://h.example/_keygate/v1/keys',
      'http://h.example:8787/_keygate/ui/',
    ]) {
      expect(isAdminPath(url), url).toBe(true);
    }
  });

  // Escaped spellings (`/%5Fkeygate`) reach the data plane here and are refused there as
  // non-canonical (test/proxy.test.ts): never routed to the admin API, never proxied.
  it('sends every other path to the data plane, look-alikes included', () => {
    for (const url of [
      'https://h.example/',
      'https://h.example',
      'https://h.example/_keygatex',
      'https://h.example/_keygate-admin/v1',
      'https://h.example/api/_keygate/v1',
      'https://h.example/_KEYGATE/v1',
      'https://h.example/%5Fkeygate/v1',
      'https://h.example/x?next=/_keygate/v1',
    ]) {
      expect(isAdminPath(url), url).toBe(false);
    }
  });
});
