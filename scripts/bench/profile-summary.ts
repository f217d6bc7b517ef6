/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package/file and by function,
 * and inclusive time by function. CLI: tsx scripts/bench/profile-summary.ts <file.cpuprofile> [--top N] [--skip-ms N]
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byPackage: ProfileRow[];
  selfByFunction: ProfileRow[];
  inclusiveByFunction: ProfileRow[];
}

/** `node_modules/<pkg>` (scoped too), the app file relative to the repo, or `node:internal`. */
export function packageOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /\/(dist\/)?(api|scripts|migrations)\/(.*)$/.exec(url);
  return m ? `${m[2]}/${m[3]}` : url.replace(/^file:\/\//, '');
}

function frameName(f: CallFrame): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  return `${fn} ${packageOf(f.url)}:${f.lineNumber + 1}`;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** `skipMs` leaves out the first milliseconds of the profile (start-up, module loading). */
export function summarizeProfile(profile: CpuProfile, top = 25, skipMs = 0): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let totalUs = 0;
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    elapsedUs += dt;
    if (elapsedUs < skipMs * 1000) continue;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    totalUs += dt;
  }

  const pkg = new Map<string, number>();
  const selfFn = new Map<string, number>();
  const inclFn = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    if (f.functionName === '(idle)') idleUs += us;
    const special = SPECIAL.has(f.functionName);
    const p = special ? f.functionName : packageOf(f.url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
    const name = special ? f.functionName : frameName(f);
    selfFn.set(name, (selfFn.get(name) ?? 0) + us);
    // Inclusive: charge every distinct frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (cf.functionName === '(root)') break;
      const n = SPECIAL.has(cf.functionName) ? cf.functionName : frameName(cf);
      if (seen.has(n)) continue;
      seen.add(n);
      inclFn.set(n, (inclFn.get(n) ?? 0) + us);
    }
  }

  const busyUs = Math.max(1, totalUs - idleUs);
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, share: Math.round((us / busyUs) * 1000) / 10 }));
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    byPackage: rows(pkg),
    selfByFunction: rows(selfFn),
    inclusiveByFunction: rows(inclFn),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const lines = [`profile: ${s.totalMs} ms sampled, ${s.idleMs} ms idle; shares are of busy time`];
  const section = (title: string, rows: ProfileRow[]) => {
    lines.push('', title);
    for (const r of rows) lines.push(`  ${r.share.toFixed(1).padStart(5)}%  ${r.ms.toFixed(1).padStart(9)} ms  ${r.name}`);
  };
  section('self time by package / file', s.byPackage);
  section('self time by function', s.selfByFunction);
  section('inclusive time by function', s.inclusiveByFunction);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx scripts/bench/profile-summary.ts <file.cpuprofile> [--top N] [--skip-ms N]\n');
    process.exit(2);
  }
  const flag = (name: string, def: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfileSummary(summarizeProfile(profile, flag('--top', 25), flag('--skip-ms', 0)))}\n`);
}
