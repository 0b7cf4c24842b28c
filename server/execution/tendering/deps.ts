// What the tendering services need from the platform, passed in (tests use a manual clock).
import type { ModuleContext } from '../../platform';

// `config` for the seal key: bids opened during the decryption window stay sealed under it until
// the opening record is published.
export type TenderingDeps = Pick<ModuleContext, 'db' | 'clock' | 'scheduler' | 'realtime' | 'log' | 'config'>;

export const JOB_OPEN = 'tender.open';
export const JOB_CLOSE_DECRYPTION = 'tender.close-decryption';
export const openJobKey = (tenderId: number) => `tender:${tenderId}:open`;
export const closeJobKey = (tenderId: number) => `tender:${tenderId}:close-decryption`;
export const tenderChannel = (tenderId: number) => `tender:${tenderId}`;
