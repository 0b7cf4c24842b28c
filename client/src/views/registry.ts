// Pages and the roles that see them in the navigation. A page appears only once it is built.
import type { MessageKey } from '../i18n';
import { homeView } from './home';
import { budgetLinesView } from './budget-lines';
import { suppliersView } from './suppliers/list';
import { supplierDetailView } from './suppliers/detail';
import { myCompanyView } from './suppliers/my-company';
import { supplierRegistrationView } from './portal-registration';
import { expertsView } from './experts/list';
import { expertDetailView, myExpertView } from './experts/detail';
import { myInvitationsView } from './experts/invitations';
import { drawsView } from './draws/list';
import { drawDetailView } from './draws/detail';
import { publicDrawsView, publicDrawView } from './draws/public';
import { auditCheckpointsView } from './audit-public/checkpoints';
import { myReceiptsView } from './audit-public/receipts';
import { auditView } from './audit';
import { catalogueView } from './catalogue';
import { requisitionsView, requisitionFormView, requisitionView } from './workflow/requisitions';
import { inboxView } from './workflow/inbox';
import { deskView, projectsView, projectView } from './workflow/desk';
import { paymentsView } from './workflow/payments';
import { portalHomeView, portalNoticesView, portalNoticeView } from './portal/notices';
import { portalResultsView, portalProjectView } from './portal/results';
import { reportsView } from './reports/reports';
import { tendersView, tenderView } from './tendering/tenders';
import { consultationsView, consultationView } from './consultation/consultations';
import { boardView } from './supervision/board';
import { alertsView, alertDetailView } from './supervision/alerts';
import { traceView } from './supervision/trace';
import { evaluationsView, evaluationWatchView } from './supervision/evaluations/view';
import { performanceView } from './supervision/performance';
import { riskPointsView, rulesView } from './supervision/risk';
import { auctionsView } from './auctions/list';
import { auctionRoomView } from './auctions/room';
import { calendarView } from './calendar/calendar';
import { mySupplierInvitationsView } from './invitations/views';

export interface View {
  /** Path pattern; ':name' segments are passed to render as params. */
  path: string;
  nav: MessageKey | (string & {});
  /** 'public': the portal, no login; 'all': any logged-in role. */
  roles: string[] | 'all' | 'public';
  /** Listed in the navigation (false for detail pages). */
  inNav?: boolean;
  render: (params: Record<string, string>) => HTMLElement;
}

export function matchView(views: View[], pathname: string): { view: View; params: Record<string, string> } | null {
  const want = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const parts = want.split('/');
  for (const view of views) {
    const pattern = view.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((seg, i) => {
      if (!seg.startsWith(':')) return seg === parts[i];
      if (!parts[i]) return false;
      params[seg.slice(1)] = decodeURIComponent(parts[i]);
      return true;
    });
    if (ok) return { view, params };
  }
  return null;
}

export const VIEWS: View[] = [
  { path: '/', nav: 'nav.home', roles: 'all', render: homeView },
  { path: '/budget-lines', nav: 'nav.budgetLines', roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'], render: budgetLinesView },
  { path: '/suppliers', nav: 'nav.suppliers', roles: ['operator', 'supervisor', 'admin'], render: suppliersView },
  { path: '/suppliers/:id', nav: 'nav.suppliers', roles: ['operator', 'supervisor', 'admin'], inNav: false, render: supplierDetailView },
  { path: '/my-company', nav: 'nav.myCompany', roles: ['supplier'], render: myCompanyView },
  { path: '/my/receipts', nav: 'auditReceipts.nav', roles: ['supplier'], render: myReceiptsView },
  { path: '/my/supplier-invitations', nav: 'inv.my.nav', roles: ['supplier'], render: mySupplierInvitationsView },
  { path: '/experts', nav: 'nav.experts', roles: ['operator', 'supervisor', 'admin'], render: expertsView },
  { path: '/experts/:id', nav: 'nav.experts', roles: ['operator', 'supervisor', 'admin'], inNav: false, render: expertDetailView },
  { path: '/draws', nav: 'draws.nav', roles: ['operator', 'supervisor', 'admin'], render: drawsView },
  { path: '/draws/:id', nav: 'draws.nav', roles: ['operator', 'supervisor', 'admin'], inNav: false, render: drawDetailView },
  { path: '/my-invitations', nav: 'experts.inv.nav', roles: ['expert'], render: myInvitationsView },
  { path: '/my-expert', nav: 'experts.my.nav', roles: ['expert'], render: myExpertView },
  { path: '/audit', nav: 'nav.audit', roles: ['supervisor', 'admin'], render: auditView },
  { path: '/catalogue', nav: 'nav.catalogue', roles: 'all', render: catalogueView },
  { path: '/requisitions', nav: 'workflow.nav.requisitions', roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'], render: requisitionsView },
  { path: '/requisitions/new', nav: 'workflow.req.new', roles: ['purchaser'], inNav: false, render: requisitionFormView },
  { path: '/requisitions/:id/edit', nav: 'workflow.req.edit', roles: ['purchaser'], inNav: false, render: requisitionFormView },
  { path: '/requisitions/:id', nav: 'workflow.nav.requisitions', roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'], inNav: false, render: requisitionView },
  { path: '/approvals', nav: 'workflow.nav.inbox', roles: ['approver', 'finance', 'operator'], render: inboxView },
  { path: '/procurement', nav: 'workflow.nav.desk', roles: ['operator', 'supervisor', 'admin'], render: deskView },
  { path: '/projects', nav: 'workflow.nav.projects', roles: ['purchaser', 'approver', 'finance', 'supplier'], render: projectsView },
  { path: '/projects/:id', nav: 'workflow.nav.projects', roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin', 'supplier'], inNav: false, render: projectView },
  { path: '/payments', nav: 'workflow.nav.payments', roles: ['finance', 'supervisor', 'admin'], render: paymentsView },
  { path: '/calendar', nav: 'calendar.nav', roles: ['admin', 'operator', 'supervisor'], render: calendarView },
  // The public portal (no login).
  { path: '/portal', nav: 'portal.home', roles: 'public', render: portalHomeView },
  { path: '/portal/notices', nav: 'portal.notices', roles: 'public', render: portalNoticesView },
  { path: '/portal/notices/:id', nav: 'portal.notices', roles: 'public', inNav: false, render: portalNoticeView },
  { path: '/portal/results', nav: 'portal.results', roles: 'public', render: portalResultsView },
  { path: '/portal/projects/:ref', nav: 'portal.results', roles: 'public', inNav: false, render: portalProjectView },
  { path: '/tenders', nav: 'tendering.nav', roles: ['operator', 'supplier', 'expert', 'purchaser', 'approver', 'finance', 'supervisor', 'admin'], render: tendersView },
  { path: '/tenders/:id', nav: 'tendering.nav', roles: ['operator', 'supplier', 'expert', 'purchaser', 'approver', 'finance', 'supervisor', 'admin'], inNav: false, render: tenderView },
  { path: '/consultations', nav: 'consultation.nav', roles: ['operator', 'purchaser', 'approver', 'supplier', 'expert', 'supervisor', 'admin'], render: consultationsView },
  { path: '/consultations/:id', nav: 'consultation.nav', roles: ['operator', 'purchaser', 'approver', 'supplier', 'expert', 'supervisor', 'admin'], inNav: false, render: consultationView },
  { path: '/auctions', nav: 'auctions.nav', roles: ['operator', 'purchaser', 'approver', 'supplier', 'supervisor', 'admin'], render: auctionsView },
  { path: '/auctions/:id', nav: 'auctions.nav', roles: ['operator', 'purchaser', 'approver', 'supplier', 'supervisor', 'admin'], inNav: false, render: auctionRoomView },
  { path: '/reports', nav: 'reports.nav', roles: ['finance', 'supervisor', 'admin'], render: reportsView },
  { path: '/portal/draws', nav: 'draws.public.nav', roles: 'public', render: publicDrawsView },
  { path: '/portal/draws/:id', nav: 'draws.public.nav', roles: 'public', inNav: false, render: publicDrawView },
  { path: '/portal/supplier-registration', nav: 'portalRegistration.nav', roles: 'public', render: supplierRegistrationView },
  { path: '/portal/audit', nav: 'auditPublic.nav', roles: 'public', render: auditCheckpointsView },
  // The supervisors' office.
  { path: '/supervision', nav: 'supervision.nav.board', roles: ['supervisor'], render: boardView },
  { path: '/supervision/alerts', nav: 'supervision.nav.alerts', roles: ['supervisor', 'admin'], render: alertsView },
  { path: '/supervision/alerts/:id', nav: 'supervision.nav.alerts', roles: ['supervisor', 'admin'], inNav: false, render: alertDetailView },
  { path: '/supervision/evaluations', nav: 'evalWatch.nav', roles: ['supervisor'], render: evaluationsView },
  { path: '/supervision/evaluations/:id', nav: 'evalWatch.nav', roles: ['supervisor'], inNav: false, render: evaluationWatchView },
  { path: '/supervision/trace', nav: 'supervision.nav.trace', roles: ['supervisor', 'admin'], render: traceView },
  { path: '/supervision/performance', nav: 'supervision.nav.performance', roles: ['supervisor', 'admin'], render: performanceView },
  { path: '/supervision/risk-points', nav: 'supervision.nav.risk', roles: ['supervisor', 'admin'], render: riskPointsView },
  { path: '/supervision/rules', nav: 'supervision.nav.rules', roles: ['supervisor', 'admin'], render: rulesView },
];
