import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { ConfirmButton } from './confirm-button';

/** A row action as the pages use it: its failure shown beside the table, cleared at the next try. */
function Row({ attempts }: { attempts: (() => Promise<void>)[] }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <ConfirmButton label="Revoke" question="Revoke it?" testId="revoke" onError={setError} onConfirm={() => attempts.shift()!()} />
      <p data-testid="error">{error ?? ''}</p>
    </div>
  );
}

describe('ConfirmButton', () => {
  it('asks, acts, and reports a failed action through onError, cleared at the next try', async () => {
    const done: string[] = [];
    render(
      <Row
        attempts={[
          async () => {
            throw new Error('Access key not found');
          },
          async () => {
            done.push('revoked');
          },
        ]}
      />,
    );
    fireEvent.click(screen.getByTestId('revoke'));
    fireEvent.click(screen.getByTestId('revoke-confirm'));
    await waitFor(() => expect(screen.getByTestId('error').textContent).toBe('Access key not found'));
    expect(done).toEqual([]);

    fireEvent.click(screen.getByTestId('revoke'));
    fireEvent.click(screen.getByTestId('revoke-confirm'));
    await waitFor(() => expect(done).toEqual(['revoked']));
    expect(screen.getByTestId('error').textContent).toBe('');
  });
});
