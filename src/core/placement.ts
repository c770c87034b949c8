// Where the Durable Objects live (README "Placement"). The registry is one object: near the admin
// (REGISTRY_LOCATION_HINT), because every admin write is a round trip to it and the edge never
// waits on it in steady state. Feed replicas are one per region, each created with that region's
// location hint, so an isolate's freshness check is a regional round trip, not a global one.
// Limiters and usage shards take no hint: Cloudflare creates an object near its first caller,
// which for a key's limiter is where that key's traffic is.

/** Cloudflare's Durable Object location hints. */
export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

export function isLocationHint(value: unknown): value is LocationHint {
  return typeof value === 'string' && (LOCATION_HINTS as readonly string[]).includes(value);
}

/** Middle East countries: Cloudflare's `cf.continent` puts them in Asia (or Africa for Egypt). */
const MIDDLE_EAST = new Set(['AE', 'BH', 'EG', 'IL', 'IQ', 'IR', 'JO', 'KW', 'LB', 'OM', 'PS', 'QA', 'SA', 'SY', 'TR', 'YE']);

/** The request's `cf` fields this needs (absent locally, where requests carry no `cf`). */
export interface EdgeGeo {
  continent?: string;
  country?: string;
  longitude?: string;
}

/**
 * The feed region for a request, from where its client is (nearly always near the data center
 * serving it). An isolate takes the region of its first request and keeps it, so it always asks
 * the same replica. 'default' when the request says nothing (local runs, tests).
 */
export function regionFor(geo: EdgeGeo | undefined): LocationHint | 'default' {
  if (geo === undefined || typeof geo.continent !== 'string') return 'default';
  const longitude = Number(geo.longitude);
  if (geo.country !== undefined && MIDDLE_EAST.has(geo.country)) return 'me';
  switch (geo.continent) {
    case 'NA':
      return Number.isFinite(longitude) && longitude < -100 ? 'wnam' : 'enam';
    case 'SA':
      return 'sam';
    case 'EU':
      return Number.isFinite(longitude) && longitude >= 19 ? 'eeur' : 'weur';
    case 'AF':
      return 'afr';
    case 'AS':
      return 'apac';
    case 'OC':
    case 'AN':
      return 'oc';
    default:
      return 'default';
  }
}
