/** Client addresses as counted by per-address limits. No domain imports. */
import ipaddr from 'ipaddr.js';

/**
 * One bucket per IPv4 address (IPv4-mapped IPv6 included) and one per IPv6 /64, the block one
 * host or one customer usually holds: rotating through a /64 buys nothing.
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return 'unknown';
  try {
    const ip = ipaddr.process(address.replace(/%.*$/, ''));
    if (ip.kind() === 'ipv4') return ip.toString();
    return `${(ip as ipaddr.IPv6).toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
  } catch {
    return address;
  }
}
