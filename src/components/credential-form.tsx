import { useState, type FormEvent } from 'react';
import type { CreateCredentialInput, CredentialField, CredentialType } from '../api/client';
import { t } from '../i18n/en';
import { credentialFieldLabel } from '../i18n/labels';
import { FormFooter, errorMessage } from './states';

export const DEFAULT_CREDENTIAL_FIELDS: CredentialField[] = [
  { key: 'api_key', label: t('credentials.apiKey'), secret: true, required: true },
];

export interface CredentialFieldInputsProps {
  fields: CredentialField[];
  values: Record<string, string>;
  onChange: (key: string, value: string) => void;
  errors?: Record<string, string>;
  /** Prefix of each input's data-testid: `<prefix>-field-<key>`. */
  testIdPrefix: string;
  /** Mark required fields as required (false when the whole credential is optional). */
  enforceRequired?: boolean;
}

export function CredentialFieldInputs({ fields, values, onChange, errors = {}, testIdPrefix, enforceRequired = true }: CredentialFieldInputsProps) {
  return (
    <>
      {fields.map((field) => (
        <label className="field" key={field.key}>
          <span>
            {credentialFieldLabel(field)}
            {field.required && enforceRequired ? <span className="required" aria-hidden="true"> *</span> : null}
          </span>
          <input
            name={field.key}
            type={field.secret ? 'password' : 'text'}
            autoComplete="off"
            spellCheck={false}
            value={values[field.key] ?? ''}
            onChange={(e) => onChange(field.key, e.target.value)}
            aria-invalid={errors[field.key] ? true : undefined}
            required={field.required && enforceRequired}
            data-testid={`${testIdPrefix}-field-${field.key}`}
          />
          {errors[field.key] ? <small className="field-error">{errors[field.key]}</small> : null}
        </label>
      ))}
    </>
  );
}

/** Missing required fields; an empty object when the values are complete. */
export function missingCredentialFields(fields: CredentialField[], values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.required && !(values[field.key] ?? '').trim()) errors[field.key] = t('providers.fieldRequired', { field: credentialFieldLabel(field) });
  }
  return errors;
}

/** Only the filled fields, trimmed. */
export function credentialValueOf(fields: CredentialField[], values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const value = (values[field.key] ?? '').trim();
    if (value) out[field.key] = value;
  }
  return out;
}

export interface CredentialFormProps {
  fields: CredentialField[];
  credentialType?: CredentialType;
  onSubmit: (input: CreateCredentialInput) => Promise<void>;
  onCancel?: () => void;
}

export function CredentialForm({ fields, credentialType, onSubmit, onCancel }: CredentialFormProps) {
  const usable = fields.length > 0 ? fields : DEFAULT_CREDENTIAL_FIELDS;
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [weight, setWeight] = useState('100');
  const [validate, setValidate] = useState(true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const next = missingCredentialFields(usable, values);
    const weightNumber = Number(weight);
    if (!/^\d+$/.test(weight.trim()) || weightNumber < 1 || weightNumber > 10_000) next.weight = t('credentials.weightInvalid');
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    setBusy(true);
    setFormError(null);
    try {
      await onSubmit({
        name: name.trim() || t('credentials.defaultName'),
        credentialValue: credentialValueOf(usable, values),
        ...(credentialType ? { credentialType } : {}),
        weight: weightNumber,
        validate,
      });
    } catch (error) {
      setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form-card" onSubmit={submit} noValidate data-testid="credential-form">
      <div className="form-grid">
        <label className="field">
          <span>{t('credentials.name')}</span>
          <input
            value={name}
            placeholder={t('credentials.defaultName')}
            onChange={(e) => setName(e.target.value)}
            data-testid="credential-form-name"
          />
        </label>
        <CredentialFieldInputs
          fields={usable}
          values={values}
          errors={errors}
          testIdPrefix="credential-form"
          onChange={(key, value) => setValues((v) => ({ ...v, [key]: value }))}
        />
        <label className="field">
          <span>{t('credentials.weight')}</span>
          <input
            type="number"
            min={1}
            max={10000}
            step={1}
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
            aria-invalid={errors.weight ? true : undefined}
            data-testid="credential-form-weight"
          />
          {errors.weight ? <small className="field-error">{errors.weight}</small> : null}
        </label>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={validate} onChange={(e) => setValidate(e.target.checked)} data-testid="credential-form-validate" />
        {t('credentials.validate')}
      </label>
      <FormFooter error={formError} busy={busy} submitLabel={t('credentials.add')} testId="credential-form" onCancel={onCancel} />
    </form>
  );
}
