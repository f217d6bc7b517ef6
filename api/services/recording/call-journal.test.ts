/** The call journal's files: what is written, when a file rotates and goes, and what a restart finds. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../tests/helpers/temp-dir.js';
import { openCallJournal } from './call-journal.js';

const line = (id: string, status = 'success') => `${JSON.stringify({ row: { id, status } })}\n`;
const filesIn = (dir: string) => fs.readdirSync(dir).sort();
const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('call journal', () => {
  it('makes its directory private and each file readable by the hub alone', () => {
    const dir = path.join(makeTempDir(), 'journal', 'nested');
    const journal = openCallJournal({ dir });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    journal.append('a', line('a'));
    const [file] = filesIn(dir);
    expect(file).toMatch(new RegExp(`^calls-\\d+-${process.pid}-0\\.ndjson$`));
    expect(fs.statSync(path.join(dir, file!)).mode & 0o777).toBe(0o600);
    expect(read(dir, file!)).toBe(line('a'));
    journal.close();
  });

  it('writes several entries with one write, in order, and nothing for none', () => {
    const dir = makeTempDir();
    const journal = openCallJournal({ dir, entriesPerFile: 3 });
    journal.appendAll([]);
    expect(filesIn(dir)).toEqual([]);
    journal.appendAll([
      { id: 'a', line: line('a') },
      { id: 'b', line: line('b') },
    ]);
    expect(filesIn(dir)).toHaveLength(1);
    expect(read(dir, filesIn(dir)[0]!)).toBe(line('a') + line('b'));
    // The file holds 3 entries: a batch that starts at 2 goes whole into it, the next starts a file.
    journal.appendAll([
      { id: 'c', line: line('c') },
      { id: 'd', line: line('d') },
    ]);
    journal.append('e', line('e'));
    const files = filesIn(dir);
    expect(files).toHaveLength(2);
    expect(files.map((f) => read(dir, f))).toEqual([line('a') + line('b') + line('c') + line('d'), line('e')]);
    journal.close();
  });

  it('rotates every N entries and deletes a file once all of its rows committed and it is not the current one', () => {
    const dir = makeTempDir();
    const journal = openCallJournal({ dir, entriesPerFile: 2 });
    for (const id of ['a', 'b', 'c']) journal.append(id, line(id));
    const [first, second] = filesIn(dir);
    expect([first, second].map((f) => f!.replace(/^calls-\d+-\d+-/, ''))).toEqual(['0.ndjson', '1.ndjson']);
    journal.committed(['a']);
    expect(filesIn(dir)).toEqual([first, second]);
    journal.committed(['b', 'never-written']);
    expect(filesIn(dir)).toEqual([second]);
    // The current file stays while it is written to, even with nothing left in it.
    journal.committed(['c']);
    expect(filesIn(dir)).toEqual([second]);
    journal.append('d', line('d'));
    journal.committed(['d']);
    expect(filesIn(dir)).toEqual([second]);
    // It goes at the next rotation, or at close.
    journal.append('e', line('e'));
    expect(filesIn(dir)).toHaveLength(1);
    expect(filesIn(dir)[0]).not.toBe(second);
    journal.committed(['e']);
    journal.close();
    expect(filesIn(dir)).toEqual([]);
  });

  it('deletes a file once every entry in it was superseded by a later entry of its row in a newer file', () => {
    const dir = makeTempDir();
    const journal = openCallJournal({ dir, entriesPerFile: 2 });
    journal.append('a', line('a', 'failed'));
    journal.append('b', line('b', 'failed'));
    const [first] = filesIn(dir);
    // Written again in the second file: the first still holds b's only entry, so it stays.
    journal.append('a', line('a', 'success'));
    expect(filesIn(dir)).toHaveLength(2);
    expect(filesIn(dir)[0]).toBe(first);
    // Once b's entry is superseded too, the first file has nothing a restart would need.
    journal.append('b', line('b', 'success'));
    const [second] = filesIn(dir);
    expect(filesIn(dir)).toEqual([second]);
    expect(second).not.toBe(first);
    // Written again within the current file, a row's earlier entry keeps the file (it is being written to).
    journal.append('c', line('c', 'failed'));
    journal.append('c', line('c', 'success'));
    expect(filesIn(dir)).toHaveLength(2);
    // A restart now finds the last entry of each row, none of the superseded ones.
    const after = openCallJournal({ dir });
    expect(after.leftovers().entries).toEqual([
      { row: { id: 'a', status: 'success' } },
      { row: { id: 'b', status: 'success' } },
      { row: { id: 'c', status: 'success' } },
    ]);
    after.close();
    // Committing the later copies empties the second file (no longer current) and deletes it.
    journal.committed(['a', 'b']);
    expect(filesIn(dir)).toHaveLength(1);
    journal.committed(['c']);
    journal.close();
    expect(filesIn(dir)).toEqual([]);
  });

  it('hands a restart the last entry of each row, oldest file first, skipping lines cut short and others', () => {
    const dir = makeTempDir();
    const old = openCallJournal({ dir, entriesPerFile: 2 });
    old.append('a', line('a', 'failed'));
    old.append('b', line('b'));
    old.append('a', line('a', 'success'));
    fs.appendFileSync(path.join(dir, filesIn(dir).at(-1)!), '{"row":{"id":"x","sta');
    fs.writeFileSync(path.join(dir, 'calls-1-1-0.ndjson'), `${line('z')}\n{"row":{"id":7}}\n{"other":1}\nnull\n`);
    fs.writeFileSync(path.join(dir, 'unrelated.txt'), line('nope'));
    const files = filesIn(dir).filter((f) => f.endsWith('.ndjson'));

    const after = openCallJournal({ dir });
    const { files: left, entries } = after.leftovers();
    expect(left).toEqual(['calls-1-1-0.ndjson', ...files.filter((f) => f !== 'calls-1-1-0.ndjson')]);
    expect(entries).toEqual([{ row: { id: 'z', status: 'success' } }, { row: { id: 'a', status: 'success' } }, { row: { id: 'b', status: 'success' } }]);
    after.discard(left);
    expect(filesIn(dir)).toEqual(['unrelated.txt']);
    after.close();
    old.close();
  });

  it('orders earlier runs by start time, then by sequence', () => {
    const dir = makeTempDir();
    for (const [name, id] of [
      ['calls-200-1-10.ndjson', 'c'],
      ['calls-200-1-9.ndjson', 'b'],
      ['calls-100-1-0.ndjson', 'a'],
    ]) {
      fs.writeFileSync(path.join(dir, name!), line(id!));
    }
    const journal = openCallJournal({ dir });
    expect(journal.leftovers()).toEqual({
      files: ['calls-100-1-0.ndjson', 'calls-200-1-9.ndjson', 'calls-200-1-10.ndjson'],
      entries: [{ row: { id: 'a', status: 'success' } }, { row: { id: 'b', status: 'success' } }, { row: { id: 'c', status: 'success' } }],
    });
    journal.close();
  });

  it('fails an append when its file cannot be written', () => {
    const dir = makeTempDir();
    const journal = openCallJournal({ dir });
    journal.append('a', line('a'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, 'a file where the directory was');
    const broken = openCallJournal.bind(null, { dir });
    expect(broken).toThrow();
    journal.close();
  });
});
