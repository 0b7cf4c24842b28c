// Demo consultations (filled in below once the flow is in place).
import type { ConsultationDeps } from './deps';

export async function seedConsultations(_deps: ConsultationDeps): Promise<void> {}
