/** Small stroke icons for the navigation (24×24 grid). */
const PATHS: Record<string, string> = {
  providers: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3Zm0 0v6c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12v6c0 1.7 3.6 3 8 3s8-1.3 8-3v-6',
  rates: 'M12 3v18M16.5 7.5C16 6 14.3 5 12 5c-2.8 0-4.5 1.4-4.5 3.2 0 4.3 9 2.5 9 7 0 1.9-1.9 3.3-4.5 3.3-2.4 0-4.2-1.1-4.7-2.8',
  usage: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  calls: 'M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01',
  keys: 'M15 7a4 4 0 1 1-3.9 4.9L3 20v-3h2v-2h2l1.9-1.9A4 4 0 0 1 15 7Zm1 3h.01',
  playground: 'M21 12a8 8 0 0 1-11.7 7.1L4 20l1-4.6A8 8 0 1 1 21 12Z',
  credits: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm0-13v8m-3-4h6',
  pricing: 'M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L3 13V3h10l7.6 7.6a2 2 0 0 1 0 2.8ZM7.5 7.5h.01',
  bell: 'M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0',
  'my-keys': 'M8 14a4 4 0 1 1 3.5-2.1L21 21m-4-4 2-2m-5-1 2-2',
};

export function NavIcon({ name }: { name: string }) {
  const d = PATHS[name];
  if (!d) return null;
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}
