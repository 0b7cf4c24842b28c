// The finance bureau's copies of the platform's audit checkpoints: each delivered checkpoint is
// checked (signature under the key first seen, no conflicting head for a seq already held) and
// kept, in memory and, when a file is given, in that file, in the shape `npm run audit:verify --
// --checkpoints <file>` reads ({publicKey, items}).
import fs from 'node:fs';
import { checkpointProblem, type Checkpoint, type PublicKeyInfo } from '../../server/supervision/audit/checkpoint-format';

export class CheckpointStore {
  publicKey: PublicKeyInfo | null = null;
  items: Checkpoint[] = [];
  rejected: Array<{ seq: number; reason: string }> = [];

  constructor(private file?: string) {
    if (file && fs.existsSync(file)) {
      const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      this.publicKey = saved.publicKey ?? null;
      this.items = saved.items ?? [];
    }
  }

  /** Takes one delivered `audit.checkpoint` event's data; returns why it was refused, or null. */
  add(data: { checkpoint: Checkpoint; publicKey: PublicKeyInfo }): string | null {
    const cp = data.checkpoint;
    // The key is pinned on first use: a later key change must be agreed outside this link.
    const key = this.publicKey ?? data.publicKey;
    const problem = checkpointProblem(key.hex, cp) ?? (this.items.some((c) => c.seq === cp.seq && c.hash !== cp.hash) ? `conflicts with the checkpoint held for ${cp.seq}` : null);
    if (problem) {
      this.rejected.push({ seq: cp.seq, reason: problem });
      return problem;
    }
    this.publicKey = key;
    if (!this.items.some((c) => c.seq === cp.seq)) this.items.push(cp);
    this.items.sort((a, b) => a.seq - b.seq);
    if (this.file) fs.writeFileSync(this.file, JSON.stringify({ publicKey: this.publicKey, items: this.items }, null, 1));
    return null;
  }

  toJSON() {
    return { publicKey: this.publicKey, items: this.items };
  }
}
