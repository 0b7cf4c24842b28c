// Files every node of a cluster can read: stored in the database, split into chunks of at most
// 1 MB (MariaDB's max_allowed_packet is 16 MB by default; a chunk never nears it). Used for
// uploaded attachments and finished report exports (README "Running as a cluster": why the
// database rather than a shared directory).
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from './time';
import { withTx } from './tx';
import { isUniqueViolation } from './errors';
import type { Db } from './knex';

export const FILE_CHUNK_BYTES = 1024 * 1024;

export class DbFileStore {
  constructor(
    private db: Db,
    /** The kind of files (requisitions, notices, exports): one namespace of names. */
    readonly store: string,
  ) {}

  async has(name: string): Promise<boolean> {
    return !!(await this.db('stored_files').where({ store: this.store, name }).first('name'));
  }

  /**
   * Stores bytes under a name once; storing the same name again is a no-op (content-addressed
   * stores name by digest). Inside `tx` the file commits or rolls back with the caller's change.
   */
  async put(name: string, bytes: Buffer, tx?: Knex.Transaction): Promise<void> {
    await this.putChunks(name, bytes.length, crypto.createHash('sha256').update(bytes).digest('hex'), (function* () {
      for (let at = 0; at < bytes.length || at === 0; at += FILE_CHUNK_BYTES) {
        yield bytes.subarray(at, at + FILE_CHUNK_BYTES);
        if (bytes.length === 0) return;
      }
    })(), tx);
  }

  /** Stores a file from the local disk (an export just written), reading it a chunk at a time. */
  async putFile(name: string, file: string): Promise<void> {
    const size = fs.statSync(file).size;
    const hash = crypto.createHash('sha256');
    const fd = fs.openSync(file, 'r');
    try {
      const chunks = function* () {
        let at = 0;
        do {
          const buf = Buffer.alloc(Math.min(FILE_CHUNK_BYTES, size - at));
          fs.readSync(fd, buf, 0, buf.length, at);
          hash.update(buf);
          yield buf;
          at += buf.length;
        } while (at < size);
      };
      await this.putChunks(name, size, () => hash.digest('hex'), chunks());
    } finally {
      fs.closeSync(fd);
    }
  }

  private async putChunks(name: string, size: number, sha256: string | (() => string), chunks: Iterable<Buffer>, outer?: Knex.Transaction): Promise<void> {
    const write = async (tx: Knex | Knex.Transaction) => {
      if (await tx('stored_files').where({ store: this.store, name }).first('name')) return;
      let part = 0;
      for (const bytes of chunks) await tx('stored_file_chunks').insert({ store: this.store, name, part: part++, bytes });
      await tx('stored_files').insert({ store: this.store, name, size, chunks: part, sha256: typeof sha256 === 'string' ? sha256 : sha256(), created_at: toDbTime(new Date()) });
    };
    try {
      // In the caller's transaction, a concurrent identical insert waits on the key and then
      // fails as a duplicate: only that statement fails (MySQL and SQLite), the transaction goes on.
      if (outer) await write(outer);
      else await withTx(this.db, write);
    } catch (err) {
      // Another node stored the same name at the same moment: it is there, which is all we want.
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** The file's size in bytes, or null when there is none. */
  async size(name: string): Promise<number | null> {
    const r = await this.db('stored_files').where({ store: this.store, name }).first('size');
    return r ? Number(r.size) : null;
  }

  /** The whole file, or null when there is none. */
  async get(name: string): Promise<Buffer | null> {
    if (!(await this.has(name))) return null;
    const parts: Buffer[] = [];
    for await (const b of this.stream(name)) parts.push(b);
    return Buffer.concat(parts);
  }

  /** The file's chunks in order, one query each (a large export never sits whole in memory); nothing when there is none. */
  async *stream(name: string): AsyncGenerator<Buffer> {
    const r = await this.db('stored_files').where({ store: this.store, name }).first('chunks');
    if (!r) return;
    for (let part = 0; part < Number(r.chunks); part++) {
      const c = await this.db('stored_file_chunks').where({ store: this.store, name, part }).first('bytes');
      if (!c) throw new Error(`stored file ${this.store}/${name} lacks chunk ${part}`);
      yield Buffer.from(c.bytes);
    }
  }

  async remove(name: string, tx: Knex = this.db): Promise<void> {
    await tx('stored_file_chunks').where({ store: this.store, name }).delete();
    await tx('stored_files').where({ store: this.store, name }).delete();
  }
}
