import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Credential } from '../api/client';
import { CredentialList } from './credential-list';

const base: Omit<Credential, 'id' | 'name' | 'status'> = {
  providerId: 'p1',
  credentialType: 'api_key',
  maskedValue: { api_key: 'sk-a****wxyz' },
  weight: 100,
  cooldownUntil: null,
  disabledReason: null,
  failureCount: 0,
  lastUsedAt: null,
  usageCount: 0,
  createdAt: '2025-01-01T00:00:00Z',
};

const credentials: Credential[] = [
  { ...base, id: 'c1', name: 'primary', status: 'active', usageCount: 1234 },
  { ...base, id: 'c2', name: 'backup', status: 'cooldown', cooldownUntil: '2030-01-01T10:00:00Z' },
  { ...base, id: 'c3', name: 'old', status: 'disabled', disabledReason: 'invalid api key' },
  { ...base, id: 'c4', name: 'aws', status: 'active', credentialType: 'access_key_pair', maskedValue: { access_key_id: 'AKIA****WXYZ', secret_access_key: 'abcd****wxyz' } },
];

afterEach(() => vi.unstubAllGlobals());

describe('CredentialList', () => {
  it('disables an active credential and re-enables a disabled one', async () => {
    const onEnabledChange = vi.fn(async () => undefined);
    render(
      <CredentialList providerId="p1" credentials={[credentials[0]!, credentials[2]!]} onDelete={vi.fn()} onWeightChange={vi.fn()} onEnabledChange={onEnabledChange} />,
    );
    const [active, disabled] = screen.getAllByTestId('credential-toggle');
    expect(active!.textContent).toBe('Disable');
    expect(disabled!.textContent).toBe('Enable');
    fireEvent.click(active!);
    fireEvent.click(disabled!);
    await waitFor(() => expect(onEnabledChange).toHaveBeenCalledTimes(2));
    expect(onEnabledChange).toHaveBeenNthCalledWith(1, credentials[0], false);
    expect(onEnabledChange).toHaveBeenNthCalledWith(2, credentials[2], true);
  });

  it('refuses a weight of zero', async () => {
    const onWeightChange = vi.fn(async () => undefined);
    render(<CredentialList providerId="p1" credentials={[credentials[0]!]} onDelete={vi.fn()} onWeightChange={onWeightChange} />);
    fireEvent.click(screen.getByTestId('credential-weight'));
    fireEvent.change(screen.getByTestId('credential-weight-input'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('credential-weight-save'));
    expect(await screen.findByText('Weight must be a whole number from 1 to 10000.')).toBeTruthy();
    expect(onWeightChange).not.toHaveBeenCalled();
  });

  it('shows masked values and each status', () => {
    render(<CredentialList providerId="p1" credentials={credentials} onDelete={vi.fn()} onWeightChange={vi.fn()} />);
    const rows = screen.getAllByTestId('credential-row');
    expect(rows).toHaveLength(4);
    expect(within(rows[0]!).getByTestId('credential-masked').textContent).toBe('sk-a****wxyz');
    expect(within(rows[0]!).getByTestId('credential-status').textContent).toBe('Active');
    expect(within(rows[1]!).getByTestId('credential-status').textContent).toMatch(/^Cooling down until .*2030/);
    expect(within(rows[2]!).getByTestId('credential-status').textContent).toBe('Disabled: invalid api key');
    expect(within(rows[3]!).getByTestId('credential-masked').textContent).toBe('access_key_id: AKIA****WXYZ · secret_access_key: abcd****wxyz');
  });

  it('tests a credential and reports the provider reason', async () => {
    const fetchMock = vi.fn(async () =>
      new Response(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }), {
        status: 400,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    vi.stubGlobal('fetch', fetchMock);
    render(<CredentialList providerId="p1" credentials={[credentials[0]!]} onDelete={vi.fn()} onWeightChange={vi.fn()} />);
    fireEvent.click(screen.getByTestId('credential-test'));
    const result = await screen.findByTestId('credential-test-result');
    expect(result.getAttribute('data-ok')).toBe('false');
    expect(result.textContent).toBe('Test failed: Incorrect API key provided');
    expect(fetchMock).toHaveBeenCalledWith('/api/ai-providers/p1/credentials/c1/test', expect.objectContaining({ method: 'POST' }));
  });

  it('deletes only after the inline confirmation and saves a new weight', async () => {
    const onDelete = vi.fn(async () => undefined);
    const onWeightChange = vi.fn(async () => undefined);
    render(<CredentialList providerId="p1" credentials={[credentials[0]!]} onDelete={onDelete} onWeightChange={onWeightChange} />);
    fireEvent.click(screen.getByTestId('credential-delete'));
    expect(onDelete).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('credential-delete-confirm'));
    await waitFor(() => expect(onDelete).toHaveBeenCalledWith(credentials[0]));

    fireEvent.click(screen.getByTestId('credential-weight'));
    fireEvent.change(screen.getByTestId('credential-weight-input'), { target: { value: '250' } });
    fireEvent.click(screen.getByTestId('credential-weight-save'));
    await waitFor(() => expect(onWeightChange).toHaveBeenCalledWith(credentials[0], 250));
  });
});
