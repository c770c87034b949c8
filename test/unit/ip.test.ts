import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '../../src/core/ip';

const inRange = (cidr: string, ip: string) => cidrContains(parseCidr(cidr)!, parseIp(ip)!);

describe('IP addresses and CIDR ranges', () => {
  it('parses IPv4 and rejects malformed addresses', () => {
    expect(Array.from(parseIp('192.0.2.1')!)).toEqual([192, 0, 2, 1]);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '', '1.2.3.4 ']) expect(parseIp(bad)).toBeNull();
  });

  it('parses IPv6 forms, including :: and embedded IPv4', () => {
    expect(parseIp('::')).toEqual(new Uint8Array(16));
    expect(parseIp('::1')![15]).toBe(1);
    expect(Array.from(parseIp('2001:db8::8a2e:370:7334')!.slice(0, 4))).toEqual([0x20, 0x01, 0x0d, 0xb8]);
    expect(Array.from(parseIp('::ffff:198.51.100.7')!)).toEqual([198, 51, 100, 7]);
    expect(parseIp('64:ff9b::192.0.2.33')).toHaveLength(16);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', ':1', '12345::1', '1:2:3:4:5:6:7']) expect(parseIp(bad)).toBeNull();
  });

  it('matches IPv4 ranges', () => {
    expect(inRange('192.0.2.0/24', '192.0.2.200')).toBe(true);
    expect(inRange('192.0.2.0/24', '192.0.3.1')).toBe(false);
    expect(inRange('10.0.0.0/8', '10.255.1.1')).toBe(true);
    expect(inRange('198.51.100.7', '198.51.100.7')).toBe(true);
    expect(inRange('198.51.100.7', '198.51.100.8')).toBe(false);
    expect(inRange('0.0.0.0/0', '203.0.113.9')).toBe(true);
    expect(inRange('192.0.2.128/25', '192.0.2.127')).toBe(false);
  });

  it('matches IPv6 ranges and IPv4-mapped clients against IPv4 ranges', () => {
    expect(inRange('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(inRange('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(inRange('2001:db8:abcd:12::/63', '2001:db8:abcd:13::1')).toBe(true);
    expect(inRange('192.0.2.0/24', '::ffff:192.0.2.5')).toBe(true);
    expect(inRange('2001:db8::/32', '192.0.2.5')).toBe(false);
  });

  it('rejects bad ranges', () => {
    for (const bad of ['192.0.2.0/33', '2001:db8::/129', '192.0.2.0/', '192.0.2.0/-1', 'x/8']) expect(parseCidr(bad)).toBeNull();
  });
});
