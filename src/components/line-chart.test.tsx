import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LineChart, linePath, niceMax } from './line-chart';

describe('niceMax', () => {
  it.each([
    [0, 1],
    [-5, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [18, 20],
    [240, 250],
    [0.03, 0.05],
  ])('niceMax(%d) = %d', (input, expected) => {
    expect(niceMax(input)).toBeCloseTo(expected, 10);
  });
});

describe('linePath', () => {
  it('maps values to the plot area and breaks on gaps', () => {
    const path = linePath([0, 10, null, 5], 10, 640, 220);
    // two segments: M..L.. then M..
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path.startsWith('M48.0,192.0')).toBe(true); // value 0 sits on the bottom line
    expect(path).toContain('L240.7,12.0'); // the max touches the top
  });
});

describe('LineChart', () => {
  it('draws one path per series and a point per value', () => {
    const { getByTestId } = render(
      <LineChart
        title="Calls"
        testId="usage-chart-calls"
        labels={['2025-01-01', '2025-01-02', '2025-01-03']}
        series={[
          { label: 'Calls', color: '#00f', values: [1, 4, 2] },
          { label: 'Errors', color: '#f00', values: [0, 1, 0] },
        ]}
      />,
    );
    const chart = getByTestId('usage-chart-calls');
    expect(chart.querySelectorAll('path[data-series]')).toHaveLength(2);
    expect(chart.querySelectorAll('circle')).toHaveLength(6);
    expect(chart.textContent).toContain('01-03');
    expect(chart.querySelector('circle title')?.textContent).toBe('2025-01-01 · Calls: 1');
  });
});
