// One ajv instance for the whole server: request bodies, queries, config and exchanged documents.
import Ajv2020 from 'ajv';
import addFormats from 'ajv-formats';

const AjvCtor = (Ajv2020 as unknown as { default?: typeof Ajv2020 }).default ?? Ajv2020;
export const ajv = new AjvCtor({ allErrors: true, coerceTypes: false, useDefaults: true, removeAdditional: false, strict: false });
const fmts = (addFormats as unknown as { default?: typeof addFormats }).default ?? addFormats;
fmts(ajv);

/** Query strings arrive as strings; this instance coerces them to the declared types. */
export const ajvQuery = new AjvCtor({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
fmts(ajvQuery);
