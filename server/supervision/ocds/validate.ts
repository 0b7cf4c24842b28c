// Validation of our OCDS packages against the official OCDS 1.1 schemas (JSON Schema draft-04)
// with the bids and auction extensions merged in as JSON Merge Patches (RFC 7386).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

/** Where the official schemas are kept: vendored beside this file (./schema), or OCDS_SCHEMA_DIR. */
export const OCDS_SCHEMA_DIR = process.env.OCDS_SCHEMA_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'schema');

export const EXTENSIONS = {
  bids: 'https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json',
  auction: 'https://raw.githubusercontent.com/openprocurement/ocds_auction_extension/master/extension.json',
} as const;

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

type Validators = { releasePackage: ValidateFunction; recordPackage: ValidateFunction };
const cache = new Map<string, Validators>();

/** Validators built from the schemas in `dir` (the vendored set unless told otherwise). */
export function ocdsValidators(dir = OCDS_SCHEMA_DIR): Validators {
  const hit = cache.get(dir);
  if (hit) return hit;
  const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(dir, p), 'utf8'));
  let release = readJson('release-schema.json');
  for (const ext of ['bids', 'auction']) release = mergePatch(release, readJson(`extensions/${ext}/release-schema.json`));
  const Ctor = (Ajv04 as unknown as { default?: typeof Ajv04 }).default ?? Ajv04;
  const ajv = new Ctor({ strict: false, allErrors: true });
  const fmts = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats;
  fmts(ajv as never);
  ajv.addSchema(release);
  // Records may carry a versionedRelease; its schema is referenced by id.
  ajv.addSchema(readJson('versioned-release-validation-schema.json'));
  const recordSchema = readJson('record-package-schema.json');
  const built: Validators = {
    releasePackage: ajv.compile(readJson('release-package-schema.json')) as unknown as ValidateFunction,
    recordPackage: ajv.compile(recordSchema) as unknown as ValidateFunction,
  };
  cache.set(dir, built);
  return built;
}
