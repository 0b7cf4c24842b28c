// What the consultation services need from the platform, passed in (tests use a manual clock).
import type { TenderingDeps } from '../tendering/deps';

// The same platform pieces as tendering: the final quotations run on its services.
export type ConsultationDeps = TenderingDeps;

export const JOB_CLOSE_RESPONSES = 'consultation.close-responses';
export const closeResponsesKey = (id: number) => `consultation:${id}:close-responses`;
export const consultationChannel = (id: number) => `consultation:${id}`;
