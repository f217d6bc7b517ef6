import { compactNumber } from '../lib/format';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x label; null where there is no data. */
  values: Array<number | null>;
}

export interface LineChartProps {
  title: string;
  labels: string[];
  series: ChartSeries[];
  testId?: string;
  format?: (value: number) => string;
  /** Shorter format for the y axis labels; defaults to `format`. */
  axisFormat?: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 48, right: 14, top: 12, bottom: 28 };

/** The smallest 1, 2, 2.5 or 5 × 10^n at or above `max` (1 for an empty chart). */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

/** Room left of the plot for the longest y-axis label (11px text, about 6.5px a character). */
export function axisLabelRoom(axisLabels: string[]): number {
  const longest = Math.max(0, ...axisLabels.map((label) => label.length));
  return Math.max(PAD.left, Math.ceil(12 + longest * 6.5));
}

/** SVG path through the points; a null breaks the line. */
export function linePath(values: Array<number | null>, max: number, width = WIDTH, height = HEIGHT, left = PAD.left): string {
  const innerW = width - left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const step = values.length > 1 ? innerW / (values.length - 1) : 0;
  let path = '';
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) {
      drawing = false;
      return;
    }
    const x = left + (values.length > 1 ? i * step : innerW / 2);
    const y = PAD.top + innerH - (Math.max(0, value) / max) * innerH;
    path += `${drawing ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    drawing = true;
  });
  return path;
}

function labelIndexes(count: number, wanted = 6): number[] {
  if (count <= wanted) return Array.from({ length: count }, (_, i) => i);
  const out = new Set<number>();
  for (let k = 0; k < wanted; k++) out.add(Math.round((k * (count - 1)) / (wanted - 1)));
  return [...out];
}

export function LineChart({ title, labels, series, testId, format = compactNumber, axisFormat = format }: LineChartProps) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const tickLabels = ticks.map((tick) => axisFormat(max * tick));
  const left = axisLabelRoom(tickLabels);
  const innerW = WIDTH - left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const step = labels.length > 1 ? innerW / (labels.length - 1) : 0;
  const xAt = (i: number) => left + (labels.length > 1 ? i * step : innerW / 2);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="legend">
          {series.map((s) => (
            <span key={s.label} className="legend-item">
              <span className="legend-swatch" style={{ background: s.color }} />
              {s.label}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} className="chart-svg">
        {ticks.map((tick, k) => {
          const y = PAD.top + innerH - tick * innerH;
          return (
            <g key={tick}>
              <line x1={left} x2={WIDTH - PAD.right} y1={y} y2={y} className="chart-gridline" />
              <text x={left - 6} y={y + 4} textAnchor="end" className="chart-axis">
                {tickLabels[k]}
              </text>
            </g>
          );
        })}
        {labelIndexes(labels.length).map((i) => (
          <text
            key={i}
            x={xAt(i)}
            y={HEIGHT - 8}
            textAnchor={labels.length > 1 && i === 0 ? 'start' : labels.length > 1 && i === labels.length - 1 ? 'end' : 'middle'}
            className="chart-axis"
          >
            {labels[i]!.length === 10 ? labels[i]!.slice(5) : labels[i]}
          </text>
        ))}
        {series.map((s) => (
          <g key={s.label}>
            <path d={linePath(s.values, max, WIDTH, HEIGHT, left)} fill="none" stroke={s.color} strokeWidth={2} strokeLinejoin="round" data-series={s.label} />
            {labels.length <= 62
              ? s.values.map((value, i) =>
                  value === null ? null : (
                    <circle key={i} cx={xAt(i)} cy={PAD.top + innerH - (Math.max(0, value) / max) * innerH} r={2.5} fill={s.color}>
                      <title>{`${labels[i]} · ${s.label}: ${format(value)}`}</title>
                    </circle>
                  ),
                )
              : null}
          </g>
        ))}
      </svg>
    </figure>
  );
}
