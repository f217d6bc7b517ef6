import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ModelRateInput } from '../api/client';
import { RateForm } from './rate-form';

const set = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });
const value = (testId: string) => (screen.getByTestId(testId) as HTMLInputElement).value;

describe('RateForm', () => {
  it('derives exact rates from cost per 1M tokens and a margin', () => {
    render(<RateForm onSubmit={vi.fn()} />);
    set('rate-form-unit-cost-input', '0.3');
    set('rate-form-unit-cost-output', '1.2');
    set('rate-form-margin', '10');
    fireEvent.click(screen.getByTestId('rate-form-derive'));
    // 0.3 × 1.1 in floating point is 0.33000000000000007
    expect(value('rate-form-input-rate')).toBe('0.00000033');
    expect(value('rate-form-output-rate')).toBe('0.00000132');
  });

  it('derives per-image rates without the per-million division', () => {
    render(<RateForm onSubmit={vi.fn()} />);
    set('rate-form-type', 'imageGeneration');
    set('rate-form-unit-cost-output', '0.04');
    set('rate-form-margin', '25');
    fireEvent.click(screen.getByTestId('rate-form-derive'));
    expect(value('rate-form-output-rate')).toBe('0.05');
  });

  it('offers audio (per second or character) and video (per second) rates, derived per unit', async () => {
    const onSubmit = vi.fn(async (_: ModelRateInput) => undefined);
    render(<RateForm onSubmit={onSubmit} />);
    set('rate-form-model', 'whisper-1');
    set('rate-form-type', 'audio');
    expect(screen.getByTestId('rate-form-type-hint').textContent).toContain('per second of audio transcribed');
    expect(screen.getByText('Cost per second or character')).toBeTruthy();
    set('rate-form-unit-cost-input', '0.0001');
    set('rate-form-margin', '50');
    fireEvent.click(screen.getByTestId('rate-form-derive'));
    expect(value('rate-form-input-rate')).toBe('0.00015');
    set('rate-form-output-rate', '0');
    fireEvent.click(screen.getByTestId('rate-form-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0]).toMatchObject({ model: 'whisper-1', type: 'audio', inputRate: '0.00015', outputRate: '0' });
    set('rate-form-type', 'video');
    expect(screen.getByText('Cost per second of video')).toBeTruthy();
    expect(screen.getByTestId('rate-form-type-hint').textContent).toContain('per second of video generated');
  });

  it('sends rates as the decimal strings typed, with per-token unit costs', async () => {
    const onSubmit = vi.fn(async (_: ModelRateInput) => undefined);
    render(<RateForm onSubmit={onSubmit} />);
    set('rate-form-model', 'gpt-4o-mini');
    set('rate-form-input-rate', '0.000000150000000000000001');
    set('rate-form-output-rate', '0.0000006');
    set('rate-form-unit-cost-input', '0.15');
    set('rate-form-unit-cost-output', '0.6');
    fireEvent.click(screen.getByTestId('rate-form-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0]).toEqual({
      model: 'gpt-4o-mini',
      type: 'chatCompletion',
      inputRate: '0.000000150000000000000001',
      outputRate: '0.0000006',
      unitCosts: { input: '0.00000015', output: '0.0000006' },
    });
  });

  it('refuses rates that are not plain non-negative decimals', async () => {
    const onSubmit = vi.fn();
    render(<RateForm onSubmit={onSubmit} />);
    set('rate-form-model', 'm');
    set('rate-form-input-rate', '1e-7');
    set('rate-form-output-rate', '-1');
    fireEvent.click(screen.getByTestId('rate-form-submit'));
    expect(await screen.findByText('Input rate must be a non-negative decimal number.')).toBeTruthy();
    expect(screen.getByText('Output rate must be a non-negative decimal number.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('edits an existing rate, showing its stored per-token cost per 1M tokens', () => {
    render(
      <RateForm
        initial={{
          id: 'r1',
          providerId: 'p1',
          model: 'gpt-4o',
          type: 'chatCompletion',
          inputRate: '0.0000025',
          outputRate: '0.00001',
          cacheReadRate: null,
          cacheWriteRate: null,
          unitCosts: { input: '0.0000025', output: '0.00001' },
          modelMetadata: null,
          createdAt: '2025-01-01T00:00:00Z',
          updatedAt: '2025-01-01T00:00:00Z',
        }}
        onSubmit={vi.fn()}
      />,
    );
    expect(value('rate-form-model')).toBe('gpt-4o');
    expect(value('rate-form-unit-cost-input')).toBe('2.5');
    expect(value('rate-form-unit-cost-output')).toBe('10');
  });
});
