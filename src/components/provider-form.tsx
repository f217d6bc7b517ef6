import { useMemo, useState, type FormEvent } from 'react';
import type { CatalogEntry, CreateCredentialInput, CreateProviderInput } from '../api/client';
import { t } from '../i18n/en';
import { capabilityLabel, catalogDisplayName } from '../i18n/labels';
import { CredentialFieldInputs, credentialValueOf, missingCredentialFields } from './credential-form';
import { FormFooter, errorMessage } from './states';

export interface ProviderSubmission {
  provider: CreateProviderInput;
  /** Present when the admin filled the credential fields. */
  credential?: CreateCredentialInput;
}

export interface ProviderFormValues {
  providerId: string;
  displayName: string;
  baseUrl: string;
  region: string;
  enabled: boolean;
  validate: boolean;
  credential: Record<string, string>;
}

export function needsRegion(entry: CatalogEntry): boolean {
  return entry.credentialType === 'access_key_pair' || entry.credentialFields.some((f) => f.key === 'access_key_id');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Validates the form against its catalog entry; returns field errors or what to send. */
export function buildProviderSubmission(
  entry: CatalogEntry | undefined,
  values: ProviderFormValues,
): { errors: Record<string, string>; submission?: ProviderSubmission } {
  const errors: Record<string, string> = {};
  if (!entry) return { errors: { providerId: t('providers.chooseProvider') } };
  const baseUrl = values.baseUrl.trim();
  if (!baseUrl && entry.requiresBaseUrl) errors.baseUrl = t('providers.baseUrlRequired');
  else if (baseUrl && !isHttpUrl(baseUrl)) errors.baseUrl = t('providers.invalidUrl');

  const filled = credentialValueOf(entry.credentialFields, values.credential);
  const wantsCredential = Object.keys(filled).length > 0;
  if (wantsCredential) Object.assign(errors, missingCredentialFields(entry.credentialFields, values.credential));
  if (Object.keys(errors).length > 0) return { errors };

  const provider: CreateProviderInput = { name: entry.id, enabled: values.enabled };
  if (values.displayName.trim()) provider.displayName = values.displayName.trim();
  if (baseUrl) provider.baseUrl = baseUrl;
  if (values.region.trim() && needsRegion(entry)) provider.region = values.region.trim();

  const submission: ProviderSubmission = { provider };
  if (wantsCredential) {
    submission.credential = {
      name: t('credentials.defaultName'),
      credentialValue: filled,
      ...(entry.credentialType ? { credentialType: entry.credentialType } : {}),
      validate: values.validate,
    };
  }
  return { errors, submission };
}

export interface ProviderFormProps {
  /** Registry entries that can still be added. */
  catalog: CatalogEntry[];
  onSubmit: (submission: ProviderSubmission) => Promise<void>;
  onCancel?: () => void;
}

const EMPTY: ProviderFormValues = {
  providerId: '',
  displayName: '',
  baseUrl: '',
  region: '',
  enabled: true,
  validate: true,
  credential: {},
};

export function ProviderForm({ catalog, onSubmit, onCancel }: ProviderFormProps) {
  const [values, setValues] = useState<ProviderFormValues>(() => ({
    ...EMPTY,
    providerId: catalog.length === 1 ? catalog[0]!.id : '',
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const entry = useMemo(() => catalog.find((e) => e.id === values.providerId), [catalog, values.providerId]);

  function set<K extends keyof ProviderFormValues>(key: K, value: ProviderFormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = buildProviderSubmission(entry, values);
    setErrors(result.errors);
    if (!result.submission) return;
    setBusy(true);
    setFormError(null);
    try {
      await onSubmit(result.submission);
    } catch (error) {
      setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form-card" onSubmit={submit} noValidate data-testid="provider-form">
      <div className="form-grid">
        <label className="field">
          <span>{t('providers.provider')}</span>
          <select
            value={values.providerId}
            onChange={(e) => setValues({ ...EMPTY, providerId: e.target.value, enabled: values.enabled, validate: values.validate })}
            aria-invalid={errors.providerId ? true : undefined}
            data-testid="provider-form-select"
          >
            <option value="">{t('providers.chooseProvider')}</option>
            {catalog.map((e) => (
              <option key={e.id} value={e.id}>
                {catalogDisplayName(e)}
              </option>
            ))}
          </select>
          {errors.providerId ? <small className="field-error">{errors.providerId}</small> : null}
        </label>
        {entry ? (
          <>
            <label className="field">
              <span>{t('providers.displayName')}</span>
              <input
                value={values.displayName}
                placeholder={catalogDisplayName(entry)}
                onChange={(e) => set('displayName', e.target.value)}
                data-testid="provider-form-display-name"
              />
            </label>
            <label className="field field-wide">
              <span>
                {t('providers.baseUrl')}
                {entry.requiresBaseUrl ? <span className="required" aria-hidden="true"> *</span> : null}
              </span>
              <input
                type="url"
                value={values.baseUrl}
                placeholder={entry.defaultBaseUrl ?? (entry.requiresBaseUrl ? 'http://127.0.0.1:8000/v1' : '')}
                onChange={(e) => set('baseUrl', e.target.value)}
                aria-invalid={errors.baseUrl ? true : undefined}
                required={entry.requiresBaseUrl}
                data-testid="provider-form-base-url"
              />
              {errors.baseUrl ? (
                <small className="field-error">{errors.baseUrl}</small>
              ) : entry.defaultBaseUrl ? (
                <small className="muted">{t('providers.baseUrlHint', { url: entry.defaultBaseUrl })}</small>
              ) : null}
            </label>
            {needsRegion(entry) ? (
              <label className="field">
                <span>{t('providers.region')}</span>
                <input
                  value={values.region}
                  placeholder="us-east-1"
                  onChange={(e) => set('region', e.target.value)}
                  data-testid="provider-form-region"
                />
              </label>
            ) : null}
          </>
        ) : null}
      </div>
      {entry && entry.credentialFields.length > 0 ? (
        <fieldset className="fieldset">
          <legend>{t('providers.initialCredential')}</legend>
          <div className="form-grid">
            <CredentialFieldInputs
              fields={entry.credentialFields}
              values={values.credential}
              errors={errors}
              enforceRequired={Object.values(values.credential).some((v) => v.trim() !== '')}
              testIdPrefix="provider-form"
              onChange={(key, value) => setValues((v) => ({ ...v, credential: { ...v.credential, [key]: value } }))}
            />
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={values.validate}
              onChange={(e) => set('validate', e.target.checked)}
              data-testid="provider-form-validate"
            />
            {t('credentials.validate')}
          </label>
        </fieldset>
      ) : null}
      {entry ? (
        <div className="chips" aria-label={t('providers.capabilities')}>
          {entry.capabilities.map((c) => (
            <span key={c} className="chip">
              {capabilityLabel(c)}
            </span>
          ))}
        </div>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" checked={values.enabled} onChange={(e) => set('enabled', e.target.checked)} data-testid="provider-form-enabled" />
        {t('providers.enabled')}
      </label>
      <FormFooter error={formError} busy={busy} submitLabel={t('providers.create')} testId="provider-form" onCancel={onCancel} />
    </form>
  );
}
