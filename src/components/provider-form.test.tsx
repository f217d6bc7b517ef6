import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CatalogEntry } from '../api/client';
import { ProviderForm, buildProviderSubmission, type ProviderSubmission } from './provider-form';

const openai: CatalogEntry = {
  id: 'openai',
  displayName: 'OpenAI',
  credentialType: 'api_key',
  credentialFields: [{ key: 'api_key', label: 'API key', secret: true, required: true }],
  defaultBaseUrl: 'https://api.openai.com/v1',
  requiresBaseUrl: false,
  capabilities: ['chat', 'embedding', 'image'],
  env: { apiKey: 'OPENAI_API_KEY' },
};

const bedrock: CatalogEntry = {
  id: 'bedrock',
  displayName: 'AWS Bedrock',
  credentialType: 'access_key_pair',
  credentialFields: [
    { key: 'access_key_id', label: 'Access key ID', secret: false, required: true },
    { key: 'secret_access_key', label: 'Secret access key', secret: true, required: true },
  ],
  defaultBaseUrl: null,
  requiresBaseUrl: false,
  capabilities: ['chat'],
  env: {},
};

const compatible: CatalogEntry = {
  id: 'openai-compatible',
  displayName: 'OpenAI-compatible server',
  credentialType: 'api_key',
  credentialFields: [{ key: 'api_key', label: 'API key', secret: true, required: false }],
  defaultBaseUrl: null,
  requiresBaseUrl: true,
  capabilities: ['chat'],
  env: {},
};

const catalog = [openai, bedrock, compatible];

function select(id: string) {
  fireEvent.change(screen.getByTestId('provider-form-select'), { target: { value: id } });
}

describe('ProviderForm', () => {
  it('renders the credential inputs the catalog entry declares', () => {
    render(<ProviderForm catalog={catalog} onSubmit={vi.fn()} />);
    expect(screen.queryByTestId('provider-form-base-url')).toBeNull();

    select('bedrock');
    const id = screen.getByTestId('provider-form-field-access_key_id') as HTMLInputElement;
    const secret = screen.getByTestId('provider-form-field-secret_access_key') as HTMLInputElement;
    expect(id.type).toBe('text');
    expect(secret.type).toBe('password');
    expect(screen.getByText('Secret access key')).toBeTruthy();
    expect(screen.getByTestId('provider-form-region')).toBeTruthy();
    expect(screen.queryByTestId('provider-form-field-api_key')).toBeNull();

    select('openai');
    expect((screen.getByTestId('provider-form-field-api_key') as HTMLInputElement).type).toBe('password');
    expect((screen.getByTestId('provider-form-base-url') as HTMLInputElement).placeholder).toBe('https://api.openai.com/v1');
    expect(screen.queryByTestId('provider-form-region')).toBeNull();
    expect(screen.queryByTestId('provider-form-field-access_key_id')).toBeNull();
  });

  it('submits the provider and its first credential in the API shape', async () => {
    const onSubmit = vi.fn(async (_: ProviderSubmission) => undefined);
    render(<ProviderForm catalog={catalog} onSubmit={onSubmit} />);
    select('bedrock');
    fireEvent.change(screen.getByTestId('provider-form-region'), { target: { value: 'eu-west-1' } });
    fireEvent.change(screen.getByTestId('provider-form-field-access_key_id'), { target: { value: 'AKIA123' } });
    fireEvent.change(screen.getByTestId('provider-form-field-secret_access_key'), { target: { value: ' s3cr3t ' } });
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0]![0]).toEqual({
      provider: { name: 'bedrock', enabled: true, region: 'eu-west-1' },
      credential: {
        name: 'default',
        credentialType: 'access_key_pair',
        credentialValue: { access_key_id: 'AKIA123', secret_access_key: 's3cr3t' },
        validate: true,
      },
    });
  });

  it('requires the rest of a credential once part of it is filled', async () => {
    const onSubmit = vi.fn();
    render(<ProviderForm catalog={catalog} onSubmit={onSubmit} />);
    select('bedrock');
    fireEvent.change(screen.getByTestId('provider-form-field-access_key_id'), { target: { value: 'AKIA123' } });
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    expect(await screen.findByText('Secret access key is required.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('insists on a base URL where the provider has no default', async () => {
    const onSubmit = vi.fn(async () => undefined);
    render(<ProviderForm catalog={catalog} onSubmit={onSubmit} />);
    select('openai-compatible');
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    expect(await screen.findByText('This provider needs a base URL.')).toBeTruthy();
    fireEvent.change(screen.getByTestId('provider-form-base-url'), { target: { value: 'not a url' } });
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    expect(await screen.findByText('Enter a full http(s) URL.')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId('provider-form-base-url'), { target: { value: 'http://127.0.0.1:8000/v1' } });
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ provider: { name: 'openai-compatible', enabled: true, baseUrl: 'http://127.0.0.1:8000/v1' } }));
  });

  it('shows the server error (e.g. a failed validation call) in the form', async () => {
    render(
      <ProviderForm
        catalog={[openai]}
        onSubmit={async () => {
          throw new Error('provider openai already exists');
        }}
      />,
    );
    // With one entry left it is preselected.
    expect((screen.getByTestId('provider-form-select') as HTMLSelectElement).value).toBe('openai');
    fireEvent.click(screen.getByTestId('provider-form-submit'));
    expect((await screen.findByTestId('provider-form-error')).textContent).toBe('provider openai already exists');
  });
});

describe('buildProviderSubmission', () => {
  const base = { providerId: 'openai', displayName: '', baseUrl: '', region: '', enabled: false, validate: false, credential: {} };
  it('omits the credential when nothing was typed and keeps the flags', () => {
    expect(buildProviderSubmission(openai, base)).toEqual({ errors: {}, submission: { provider: { name: 'openai', enabled: false } } });
  });
  it('needs an entry', () => {
    expect(buildProviderSubmission(undefined, base).submission).toBeUndefined();
  });
});
