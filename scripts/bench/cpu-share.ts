/** CPU used since `since`, as a share of one core over the wall time since `t0`. */
export function cpuShare(since: NodeJS.CpuUsage, t0: number): number {
  const u = process.cpuUsage(since);
  return Math.round(((u.user + u.system) / 1000 / (performance.now() - t0)) * 100) / 100;
}
