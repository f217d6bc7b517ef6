/** API.md §4: `GET /api/ai/models`, the list the AIGNE clients and the playground read. */

export interface HubModel {
  /** The model name without its provider. */
  model: string;
  type: 'chat' | 'embedding' | 'image' | 'audio' | 'video';
  provider: string;
  providerDisplayName: string;
  /** Decimal strings. */
  input_credits_per_token: string;
  output_credits_per_token: string;
  modelMetadata: Record<string, unknown> | null;
  status: { available: boolean };
}
