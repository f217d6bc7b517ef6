import { useState, type FormEvent } from 'react';
import type { ModelRate, ModelRateInput, RateType } from '../api/client';
import { t, type MessageKey } from '../i18n/en';
import { costPerMillion, costPerToken, deriveRate, isDecimalString, type CostUnit } from '../lib/decimal';
import { FormFooter, errorMessage } from './states';

export const RATE_TYPES: RateType[] = ['chatCompletion', 'embedding', 'imageGeneration', 'audio', 'video'];

export function rateTypeLabel(type: string): string {
  const key = `rates.type.${type}` as MessageKey;
  return RATE_TYPES.includes(type as RateType) ? t(key) : type;
}

/** Images, audio and video are priced per unit (image, second, character), tokens per million. */
export function costUnit(type: string): CostUnit {
  return type === 'imageGeneration' || type === 'audio' || type === 'video' ? 'per_unit' : 'per_million_tokens';
}

/** The cost field's label: what one unit of the type is. */
function unitCostLabel(type: RateType, side: 'input' | 'output'): string {
  if (type === 'imageGeneration') return t('rates.unitCostImage');
  if (type === 'audio') return side === 'input' ? t('rates.unitCostAudio') : t('rates.unitCostUnused');
  if (type === 'video') return side === 'output' ? t('rates.unitCostVideo') : t('rates.unitCostUnused');
  return side === 'input' ? t('rates.unitCostInput') : t('rates.unitCostOutput');
}

function storedCostForDisplay(value: string | undefined, type: RateType): string {
  if (!value) return '';
  try {
    return costUnit(type) === 'per_unit' ? value : costPerMillion(value);
  } catch {
    return '';
  }
}

export interface RateFormProps {
  initial?: ModelRate;
  onSubmit: (input: ModelRateInput) => Promise<void>;
  onCancel?: () => void;
}

export function RateForm({ initial, onSubmit, onCancel }: RateFormProps) {
  const initialType: RateType = initial?.type ?? 'chatCompletion';
  const [model, setModel] = useState(initial?.model ?? '');
  const [type, setType] = useState<RateType>(initialType);
  const [inputRate, setInputRate] = useState(initial?.inputRate ?? '');
  const [outputRate, setOutputRate] = useState(initial?.outputRate ?? '');
  const [costInput, setCostInput] = useState(storedCostForDisplay(initial?.unitCosts?.input, initialType));
  const [costOutput, setCostOutput] = useState(storedCostForDisplay(initial?.unitCosts?.output, initialType));
  const [margin, setMargin] = useState('0');
  const [creditsPerUnit, setCreditsPerUnit] = useState('1');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const unit = costUnit(type);

  function derive() {
    const next: Record<string, string> = {};
    if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)$/.test(margin.trim())) next.margin = t('rates.invalidDecimal', { field: t('rates.margin') });
    if (!isDecimalString(creditsPerUnit)) next.creditsPerUnit = t('rates.invalidDecimal', { field: t('rates.creditsPerUnit') });
    if (costInput.trim() && !isDecimalString(costInput)) next.costInput = t('rates.invalidDecimal', { field: t('rates.unitCostInput') });
    if (costOutput.trim() && !isDecimalString(costOutput)) next.costOutput = t('rates.invalidDecimal', { field: t('rates.unitCostOutput') });
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    try {
      if (costInput.trim()) setInputRate(deriveRate({ unitCost: costInput, marginPercent: margin, creditsPerUnit, unit }));
      if (costOutput.trim()) setOutputRate(deriveRate({ unitCost: costOutput, marginPercent: margin, creditsPerUnit, unit }));
    } catch (error) {
      setErrors({ margin: errorMessage(error) });
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (!model.trim()) next.model = t('providers.fieldRequired', { field: t('rates.model') });
    if (!isDecimalString(inputRate)) next.inputRate = t('rates.invalidDecimal', { field: t('rates.inputRate') });
    if (!isDecimalString(outputRate)) next.outputRate = t('rates.invalidDecimal', { field: t('rates.outputRate') });
    if (costInput.trim() && !isDecimalString(costInput)) next.costInput = t('rates.invalidDecimal', { field: t('rates.unitCostInput') });
    if (costOutput.trim() && !isDecimalString(costOutput)) next.costOutput = t('rates.invalidDecimal', { field: t('rates.unitCostOutput') });
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    const input: ModelRateInput = { model: model.trim(), type, inputRate: inputRate.trim(), outputRate: outputRate.trim() };
    if (costInput.trim() || costOutput.trim()) {
      input.unitCosts = {
        input: costPerToken(costInput.trim() || '0', unit),
        output: costPerToken(costOutput.trim() || '0', unit),
      };
    }
    setBusy(true);
    setFormError(null);
    try {
      await onSubmit(input);
    } catch (error) {
      setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (key: string) => (errors[key] ? <small className="field-error">{errors[key]}</small> : null);

  return (
    <form className="card form-card" onSubmit={submit} noValidate data-testid="rate-form">
      <div className="form-grid">
        <label className="field">
          <span>{t('rates.model')}</span>
          <input
            value={model}
            placeholder="gpt-4o-mini"
            onChange={(e) => setModel(e.target.value)}
            aria-invalid={errors.model ? true : undefined}
            data-testid="rate-form-model"
          />
          {fieldError('model')}
        </label>
        <label className="field">
          <span>{t('rates.type')}</span>
          <select value={type} onChange={(e) => setType(e.target.value as RateType)} data-testid="rate-form-type">
            {RATE_TYPES.map((value) => (
              <option key={value} value={value}>
                {rateTypeLabel(value)}
              </option>
            ))}
          </select>
          {type === 'audio' || type === 'video' ? <small className="muted" data-testid="rate-form-type-hint">{t(`rates.typeHint.${type}`)}</small> : null}
        </label>
        <label className="field">
          <span>{t('rates.inputRate')}</span>
          <input
            inputMode="decimal"
            value={inputRate}
            placeholder="0.00000015"
            onChange={(e) => setInputRate(e.target.value)}
            aria-invalid={errors.inputRate ? true : undefined}
            data-testid="rate-form-input-rate"
          />
          {fieldError('inputRate')}
        </label>
        <label className="field">
          <span>{t('rates.outputRate')}</span>
          <input
            inputMode="decimal"
            value={outputRate}
            placeholder="0.0000006"
            onChange={(e) => setOutputRate(e.target.value)}
            aria-invalid={errors.outputRate ? true : undefined}
            data-testid="rate-form-output-rate"
          />
          {fieldError('outputRate')}
        </label>
      </div>
      <fieldset className="fieldset">
        <legend>{t('rates.derive')}</legend>
        <div className="form-grid">
          <label className="field">
            <span>{unitCostLabel(type, 'input')}</span>
            <input inputMode="decimal" value={costInput} onChange={(e) => setCostInput(e.target.value)} data-testid="rate-form-unit-cost-input" />
            {fieldError('costInput')}
          </label>
          <label className="field">
            <span>{unitCostLabel(type, 'output')}</span>
            <input inputMode="decimal" value={costOutput} onChange={(e) => setCostOutput(e.target.value)} data-testid="rate-form-unit-cost-output" />
            {fieldError('costOutput')}
          </label>
          <label className="field">
            <span>{t('rates.margin')}</span>
            <input inputMode="decimal" value={margin} onChange={(e) => setMargin(e.target.value)} data-testid="rate-form-margin" />
            {fieldError('margin')}
          </label>
          <label className="field">
            <span>{t('rates.creditsPerUnit')}</span>
            <input inputMode="decimal" value={creditsPerUnit} onChange={(e) => setCreditsPerUnit(e.target.value)} data-testid="rate-form-credits-per-unit" />
            {fieldError('creditsPerUnit')}
          </label>
        </div>
        <div className="form-actions start">
          <button type="button" className="button" onClick={derive} data-testid="rate-form-derive">
            {t('rates.derive')}
          </button>
          <small className="muted">{t('rates.deriveHint')}</small>
        </div>
      </fieldset>
      <FormFooter error={formError} busy={busy} submitLabel={t('common.save')} testId="rate-form" onCancel={onCancel} />
    </form>
  );
}
