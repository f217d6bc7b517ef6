/**
 * The call journal: a settled call's final ModelCall row (and what the flush hooks need to write
 * with it, such as its credit charge) appended to a local file before the response's last byte,
 * so the response need not wait for the database's group commit. Rows leave the journal once their
 * batch has committed; at start, entries whose row is not final in the database are written again.
 *
 * An append is one synchronous write() to a file in the data directory (`appendAll`: one for several
 * entries), with no fsync: it survives the process being killed, as a commit under
 * `synchronous=NORMAL` does, and like it may be lost to a power cut. Files rotate; a file is
 * deleted once every row in it has committed.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface JournalEntry<Row = unknown> {
  row: Row;
  /** Data of the flush hooks, by hook name. */
  hooks?: Record<string, unknown>;
}

/** An entry as its line, with the id of its row. */
export interface JournalLine {
  id: string;
  line: string;
}

export interface CallJournal {
  /**
   * Appends an entry, given as its line (`JSON.stringify` of a JournalEntry and a newline); throws
   * when the file cannot be written (the caller then waits for the database).
   */
  append(id: string, line: string): void;
  /** Appends several entries with one write (the lines joined in their order); throws like `append`. */
  appendAll(entries: readonly JournalLine[]): void;
  /** The rows with these ids have committed to the database. */
  committed(ids: Iterable<string>): void;
  /** Entries left by earlier runs (last entry per id), oldest file first. */
  leftovers(): { files: string[]; entries: JournalEntry[] };
  /** Deletes files whose entries have all been written back. */
  discard(files: string[]): void;
  close(): void;
}

export interface CallJournalOptions {
  dir: string;
  /** Entries per file before the next file is started. */
  entriesPerFile?: number;
}

const FILE = /^calls-(\d+)-\d+-(\d+)\.ndjson$/;

export function openCallJournal(options: CallJournalOptions): CallJournal {
  const { dir } = options;
  const perFile = options.entriesPerFile ?? 5000;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = fs
    .readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort((a, b) => {
      const [, at, as] = FILE.exec(a)!;
      const [, bt, bs] = FILE.exec(b)!;
      return Number(at) - Number(bt) || Number(as) - Number(bs);
    });

  const run = Date.now();
  let seq = 0;
  let fd: number | null = null;
  let current = '';
  let written = 0;
  /** Entries not yet committed, per file of this run. */
  const open = new Map<string, number>();
  const fileOf = new Map<string, string>();

  const rotate = () => {
    if (fd !== null) fs.closeSync(fd);
    const previous = current;
    current = `calls-${run}-${process.pid}-${seq++}.ndjson`;
    fd = fs.openSync(path.join(dir, current), 'a', 0o600);
    written = 0;
    open.set(current, 0);
    if (previous && open.get(previous) === 0) remove(previous);
  };

  const remove = (file: string) => {
    open.delete(file);
    fs.rmSync(path.join(dir, file), { force: true });
  };

  /** Books an entry written to the current file. */
  const wrote = (id: string) => {
    written += 1;
    const before = fileOf.get(id);
    if (before) {
      // The row's earlier entry is superseded: its file may now hold nothing left to commit.
      const left = (open.get(before) ?? 1) - 1;
      open.set(before, left);
      if (left === 0 && before !== current) remove(before);
    }
    fileOf.set(id, current);
    open.set(current, (open.get(current) ?? 0) + 1);
  };

  return {
    append(id, line) {
      if (fd === null || written >= perFile) rotate();
      fs.writeSync(fd!, line);
      wrote(id);
    },
    appendAll(entries) {
      if (entries.length === 0) return;
      if (fd === null || written >= perFile) rotate();
      let text = '';
      for (const e of entries) text += e.line;
      fs.writeSync(fd!, text);
      for (const e of entries) wrote(e.id);
    },
    committed(ids) {
      for (const id of ids) {
        const file = fileOf.get(id);
        if (!file) continue;
        fileOf.delete(id);
        const left = (open.get(file) ?? 1) - 1;
        open.set(file, left);
        if (left === 0 && file !== current) remove(file);
      }
    },
    leftovers() {
      const byId = new Map<string, JournalEntry>();
      for (const file of existing) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        for (const line of text.split('\n')) {
          if (!line) continue;
          try {
            const entry = JSON.parse(line) as JournalEntry<{ id?: unknown }>;
            if (entry?.row && typeof entry.row.id === 'string') byId.set(entry.row.id, entry);
          } catch {
            // A line cut short by a crash mid-write: its response never finished either.
          }
        }
      }
      return { files: existing, entries: [...byId.values()] };
    },
    discard(files) {
      for (const f of files) fs.rmSync(path.join(dir, f), { force: true });
    },
    close() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
      if (current && open.get(current) === 0) remove(current);
    },
  };
}
