// The renderer's state: what the board shows and the order being looked at. Every change goes
// through the app API; live events from the core trigger a refresh of what is on screen.
//
// Who is at the desk (staff accounts) comes first: until auth.status says the desk is open nothing
// is loaded, and the moment it closes (locked, signed out, or any call refused with `locked` or
// `unauthorized`) everything about patients is dropped from the state, not just hidden.
import { create } from 'zustand';
import type {
  AppApiError,
  AppApiInput,
  AppApiOutput,
  AppInfo,
  AuthStatus,
  BestRxConnection,
  AppApiReply,
  IncomingPrescriptionView,
  OrderDetail,
  OrderListFilterName,
  OutboxOverview,
  StatusPushState,
  OrderSummary,
  PartnerName,
  PartnerStatusView,
  PrintableDocument,
  PrinterInfo,
  PrintOutcome,
  RenderedDocument,
  TransitionProof,
} from '../../../src-shared/app-api-contract';
import type { OrderStatus, TransitionTarget } from '../../../src-shared/order-status';
import type { AppApiClient } from '../api/app-api-client';
import { closedDesk, deskScreen, mayShow, type View } from '../desk';

export type { View } from '../desk';

/** The partner whose incoming prescriptions staff match to orders (Honeybee's Partner Requested Fills). */
export const INCOMING_PARTNER: PartnerName = 'honeybee';

export interface AppState {
  view: View;
  info: AppInfo | undefined;
  /** Who is signed in at this desk (undefined until the core has said). */
  auth: AuthStatus | undefined;
  /** Said on the sign-in screen (the first administrator was created, …). */
  deskNotice: string | undefined;
  /** The core could not be asked who is signed in (not reachable). */
  deskProblem: AppApiError | undefined;
  /** The username last signed in with (or just created), offered on the sign-in screen. */
  lastUsername: string;
  connection: BestRxConnection | undefined;
  /** The board's rows by position (a sparse window of `total`: pages load as they scroll into view). */
  orders: Array<OrderSummary | undefined>;
  total: number;
  statusFilter: OrderStatus | undefined;
  quickFilters: OrderListFilterName[];
  query: string;
  /** What the last barcode scan found, in words (a scan that matched nothing says so). */
  scanMessage: string | undefined;
  /** Status pushes to BestRx shown on the sync view (undefined state: all). */
  outbox: { state: StatusPushState | undefined; overview: OutboxOverview | undefined; error: AppApiError | undefined; working: number | undefined };
  loading: boolean;
  listError: string | undefined;
  selectedId: string | undefined;
  detail: OrderDetail | undefined;
  /** The order was opened from elsewhere (incoming prescriptions, a reorder): its panel takes the keyboard focus once shown. */
  focusDetail: boolean;
  actionError: AppApiError | undefined;
  busy: boolean;
  /** The fulfilment partners' connections (sync status, settings, the dispatch form). */
  partners: {
    list: PartnerStatusView[] | undefined;
    error: AppApiError | undefined;
    /** The partner a "Sync now" is running for. */
    syncing: PartnerName | undefined;
    /** What the last "Sync now" found, in words. */
    message: string | undefined;
  };
  /** Prescriptions Honeybee took in, waiting for staff to match them to an order (the nav badge counts the waiting ones). */
  incoming: {
    list: IncomingPrescriptionView[] | undefined;
    /** Also those a fill was requested for and those set aside. */
    includeDone: boolean;
    error: AppApiError | undefined;
  };

  /** Asks the core who is at this desk, and shows the app, the sign-in or the lock screen. */
  checkDesk(): Promise<void>;
  signIn(username: string, secret: string): Promise<AppApiReply<AuthStatus>>;
  unlock(secret: string): Promise<AppApiReply<AuthStatus>>;
  /** Signs out (from the app, or "Sign in as someone else" on the lock screen). */
  signOut(): Promise<void>;
  /** Locks the desk now (the Lock button, or the screen's idle lock). */
  lockDesk(): Promise<void>;
  /** The person at the screen is active: the core, which only counts calls, hears of it. */
  stillHere(): void;
  /** An answer of the core about this desk (staff.setIdleLock's, or after the first administrator was created). */
  deskChanged(status: AuthStatus, notice?: string, username?: string): void;
  showView(view: View): void;
  /** Opens an order on the board (from incoming prescriptions, or a reorder). */
  openOrder(id: string): Promise<void>;
  loadIncoming(): Promise<void>;
  setIncludeDone(includeDone: boolean): void;
  /** `orderId: null` undoes the match (and puts a set-aside prescription back). */
  matchPrescription(prescriptionId: string, orderId: string | null): Promise<AppApiReply<IncomingPrescriptionView>>;
  dismissPrescription(prescriptionId: string): Promise<AppApiReply<IncomingPrescriptionView>>;
  /** All of the partner's incoming prescriptions, done ones too (the dispatch form picks those matched to the order). */
  incomingPrescriptions(partner: PartnerName): Promise<AppApiReply<AppApiOutput<'partners.incomingPrescriptions'>>>;
  /** A new shipping address for the selected order at its partner (Honeybee's address holds). */
  changeShippingAddress(input: Omit<AppApiInput<'partners.changeShippingAddress'>, 'id'>): Promise<AppApiReply<OrderDetail>>;
  /** The partner ships the selected order again as a new order; on success that order is opened. */
  reorder(): Promise<AppApiReply<OrderDetail>>;

  start(): () => void;
  setStatusFilter(status: OrderStatus | undefined): void;
  toggleQuickFilter(filter: OrderListFilterName): void;
  showOutbox(state: StatusPushState | undefined): Promise<void>;
  loadOutbox(): Promise<void>;
  actOnPush(action: 'outbox.retry' | 'outbox.skip', id: number): Promise<void>;
  /** A label's barcode (tracking id), its QR (tracking URL) or an order id: opens that order. */
  openScanned(code: string): Promise<void>;
  setQuery(query: string): void;
  refresh(): Promise<void>;
  /** Makes sure rows [start, end) are loaded (the list calls it as it scrolls). */
  loadRange(start: number, end: number): void;
  select(id: string | undefined): Promise<void>;
  /** `capturedAt`: when it happened at the door (the moment the courier saved it), ISO 8601. */
  transition(to: TransitionTarget, notes?: string, proof?: TransitionProof, capturedAt?: string): Promise<boolean>;
  /** A preview of the selected order's label or packing slip (PNG), or the label as ZPL. */
  renderDocument(document: PrintableDocument, format?: 'png' | 'zpl'): Promise<AppApiReply<RenderedDocument>>;
  printDocument(document: PrintableDocument, printer: string | undefined, copies: number): Promise<AppApiReply<PrintOutcome>>;
  printers(): Promise<AppApiReply<{ printers: PrinterInfo[]; prints_directly: boolean }>>;
  loadPartners(): Promise<void>;
  syncPartner(partner: PartnerName): Promise<void>;
  /** Hands the selected order to a partner; on success the order on screen is the answer. */
  dispatch(partner: PartnerName, details: NonNullable<AppApiInput<'orders.dispatch'>['details']>): Promise<AppApiReply<OrderDetail>>;
  /** Fetches the open order again (its partner's progress moves on without a status change). */
  reloadSelected(): Promise<void>;
  partnerPharmacies(partner: PartnerName): Promise<AppApiReply<AppApiOutput<'partners.pharmacies'>>>;
  partnerMedications(partner: PartnerName, pharmacyId: string, page: number): Promise<AppApiReply<AppApiOutput<'partners.medications'>>>;
  /** The selected order's patient's prescriptions at the partner (CaryRx live), found by name and this email. */
  patientPrescriptions(partner: PartnerName, patientEmail: string): Promise<AppApiReply<AppApiOutput<'partners.patientPrescriptions'>>>;
  /** Sandbox mode: make the partner's simulator move the selected order on, fail it, cancel it or hold it. */
  sandboxPartnerOrder(partner: PartnerName, action: AppApiInput<'sandbox.partnerOrder'>['action']): Promise<AppApiReply<AppApiOutput<'sandbox.partnerOrder'>>>;
}

const PAGE_SIZE = 100;

export function createAppStore(api: AppApiClient) {
  // Each refresh is numbered; only the newest one's answer is shown, so a slow older answer
  // (a burst of live events, a fast typist) never overwrites a newer list.
  let latestRefresh = 0;
  // Pages asked for since the last refresh; a refresh forgets them (the list may have shifted).
  let requestedPages = new Set<number>();
  let visible = { start: 0, end: PAGE_SIZE };
  let rowsGeneration = 0;
  // Incoming prescriptions: one load at a time; changes meanwhile ask for one more after it.
  let incomingLoading = false;
  let incomingStale = false;
  return create<AppState>()((set, get) => {
    const listInput = (offset: number) => {
      const { statusFilter, query, quickFilters } = get();
      return {
        ...(statusFilter ? { status: statusFilter } : {}),
        ...(quickFilters.length > 0 ? { filters: quickFilters } : {}),
        ...(query.trim() ? { q: query.trim() } : {}),
        limit: PAGE_SIZE,
        offset,
      };
    };
    const loadPage = async (page: number, refresh: number) => {
      const reply = await api.call('orders.list', listInput(page * PAGE_SIZE));
      if (refresh !== latestRefresh) return;
      if (!reply.ok) return set({ listError: reply.error.message, loading: false });
      // The first page of a refresh starts a new list: rows of the previous one may have moved.
      const orders = rowsGeneration === refresh ? get().orders.slice(0, reply.value.total) : [];
      rowsGeneration = refresh;
      orders.length = reply.value.total;
      reply.value.orders.forEach((order, i) => (orders[page * PAGE_SIZE + i] = order));
      set({ orders, total: reply.value.total, listError: undefined, loading: false });
    };
    const reloadSelected = async () => {
      const id = get().selectedId;
      if (!id) return;
      const reply = await api.call('orders.get', { id });
      if (reply.ok && get().selectedId === id && isOpen()) set({ detail: reply.value });
    };
    const isOpen = () => deskScreen(get().auth) === 'open';
    const may = (view: View) => mayShow(view, get().auth);
    /** Drops everything about patients (and what only the last person could see); `everything`: also where they were. */
    const forget = (everything: boolean) => {
      // Answers still on their way belong to the closed desk: a new refresh number makes them stale.
      latestRefresh += 1;
      requestedPages = new Set();
      set({
        orders: [],
        total: 0,
        loading: false,
        listError: undefined,
        detail: undefined,
        actionError: undefined,
        busy: false,
        scanMessage: undefined,
        connection: undefined,
        outbox: { ...get().outbox, overview: undefined, error: undefined, working: undefined },
        partners: { list: undefined, error: undefined, syncing: undefined, message: undefined },
        incoming: { ...get().incoming, list: undefined, error: undefined },
        ...(everything ? { view: 'board' as const, selectedId: undefined, focusDetail: false, query: '', statusFilter: undefined, quickFilters: [] } : {}),
      });
    };
    /** What the desk is now: on opening, load what the person may see; on closing, forget it. */
    const applyAuth = (status: AuthStatus) => {
      const before = get().auth;
      const wasOpen = deskScreen(before) === 'open';
      const samePerson = before !== undefined && before.user?.username === status.user?.username;
      set({ auth: status });
      if (deskScreen(status) !== 'open') return forget(status.user === null || !samePerson);
      if (wasOpen && samePerson) return;
      if (!samePerson) forget(true);
      if (!may(get().view)) set({ view: 'board' });
      if (may('settings')) void api.call('settings.bestrxConnection', {}).then((reply) => reply.ok && isOpen() && set({ connection: reply.value }));
      void get().refresh();
      if (may('incoming')) void loadIncoming();
      // Back from the lock screen: the order that was open, fetched again.
      const id = get().selectedId;
      if (id) void get().select(id);
    };
    const loadIncoming = async (): Promise<void> => {
      if (incomingLoading) {
        incomingStale = true;
        return;
      }
      incomingLoading = true;
      try {
        do {
          incomingStale = false;
          const includeDone = get().incoming.includeDone;
          const reply = await api.call('partners.incomingPrescriptions', { partner: INCOMING_PARTNER, include_done: includeDone });
          if (get().incoming.includeDone !== includeDone) incomingStale = true;
          else if (isOpen()) set({ incoming: { ...get().incoming, ...(reply.ok ? { list: reply.value.prescriptions, error: undefined } : { error: reply.error }) } });
        } while (incomingStale);
      } finally {
        incomingLoading = false;
      }
    };
    return {
      view: 'board',
      info: undefined,
      auth: undefined,
      deskNotice: undefined,
      deskProblem: undefined,
      lastUsername: '',
      connection: undefined,
      orders: [],
      total: 0,
      statusFilter: undefined,
      quickFilters: [],
      query: '',
      scanMessage: undefined,
      outbox: { state: 'dead', overview: undefined, error: undefined, working: undefined },
      loading: false,
      listError: undefined,
      selectedId: undefined,
      detail: undefined,
      focusDetail: false,
      actionError: undefined,
      busy: false,
      partners: { list: undefined, error: undefined, syncing: undefined, message: undefined },
      incoming: { list: undefined, includeDone: false, error: undefined },

      start() {
        void api.call('app.info', {}).then((reply) => reply.ok && set({ info: reply.value }));
        void get().checkDesk();
        const stopWatching = api.onDeskClosed((error) => {
          if (!isOpen()) return;
          // Off the screen at once; then the core says exactly how things stand (locked, or signed out).
          applyAuth(closedDesk(get().auth, error));
          void get().checkDesk();
        });
        const unsubscribe = api.subscribe((event) => {
          // A closed desk shows nothing, so it fetches nothing either.
          if (!isOpen()) return;
          if (event.type === 'partners.changed') {
            if (get().partners.list) void get().loadPartners();
            if (event.partner === INCOMING_PARTNER && may('incoming')) void loadIncoming();
            if (get().detail?.partner?.partner === event.partner) void reloadSelected();
            return;
          }
          if (event.type === 'outbox.changed' || event.type === 'outbox.dead') {
            if (get().outbox.overview) void get().loadOutbox();
            // The open order shows what BestRx was told: keep it current (leaving any message shown).
            void reloadSelected();
            return;
          }
          if (event.type !== 'order.created' && event.type !== 'order.changed') return;
          void get().refresh();
          // The suggestions are orders on the board: a new or moved order may change them.
          if (get().view === 'incoming') void loadIncoming();
          if (event.order_id === get().selectedId) void get().select(event.order_id);
        });
        return () => {
          stopWatching();
          unsubscribe();
        };
      },

      async checkDesk() {
        const reply = await api.call('auth.status', {});
        if (!reply.ok) return set({ deskProblem: reply.error });
        set({ deskProblem: undefined });
        applyAuth(reply.value);
      },

      async signIn(username, secret) {
        const reply = await api.call('auth.login', { username: username.trim(), secret });
        if (reply.ok) {
          set({ deskNotice: undefined, lastUsername: username.trim() });
          applyAuth(reply.value);
        }
        return reply;
      },

      async unlock(secret) {
        const reply = await api.call('auth.unlock', { secret });
        if (reply.ok) applyAuth(reply.value);
        // Nobody to unlock any more (signed out elsewhere, the core restarted): the sign-in screen.
        else if (reply.error.code === 'unauthorized') void get().checkDesk();
        return reply;
      },

      async signOut() {
        const auth = get().auth;
        if (auth) applyAuth({ ...auth, user: null, locked: false });
        const reply = await api.call('auth.logout', {});
        if (reply.ok) applyAuth(reply.value);
      },

      async lockDesk() {
        const auth = get().auth;
        if (!auth?.user) return;
        applyAuth({ ...auth, locked: true });
        const reply = await api.call('auth.lock', {});
        if (reply.ok) applyAuth(reply.value);
      },

      stillHere() {
        // settings.get: allowed to every role, reads nothing about patients, recorded nowhere.
        // A desk the core has locked meanwhile answers `locked`, and the lock screen shows.
        if (isOpen() && get().auth?.user) void api.call('settings.get', {});
      },

      deskChanged(status, notice, username) {
        set({ deskNotice: notice, ...(username ? { lastUsername: username } : {}) });
        applyAuth(status);
      },

      showView(view) {
        if (!may(view)) return;
        set({ view });
        if (view === 'incoming') void loadIncoming();
      },

      async openOrder(id) {
        set({ view: 'board', focusDetail: true });
        await get().select(id);
      },

      loadIncoming,

      setIncludeDone(includeDone) {
        set({ incoming: { ...get().incoming, includeDone } });
        void loadIncoming();
      },

      async matchPrescription(prescriptionId, orderId) {
        const reply = await api.call('partners.matchPrescription', { partner: INCOMING_PARTNER, prescription_id: prescriptionId, order_id: orderId });
        await loadIncoming();
        return reply;
      },

      async dismissPrescription(prescriptionId) {
        const reply = await api.call('partners.dismissPrescription', { partner: INCOMING_PARTNER, prescription_id: prescriptionId });
        await loadIncoming();
        return reply;
      },

      incomingPrescriptions(partner) {
        return api.call('partners.incomingPrescriptions', { partner, include_done: true });
      },

      async changeShippingAddress(input) {
        const id = get().selectedId ?? '';
        const reply = await api.call('partners.changeShippingAddress', { id, ...input });
        if (reply.ok && get().selectedId === id) set({ detail: reply.value });
        return reply;
      },

      async reorder() {
        const reply = await api.call('partners.reorder', { id: get().selectedId ?? '' });
        if (reply.ok) {
          // The new order, as the answer gives it: no "Loading…" in between.
          set({ selectedId: reply.value.id, detail: reply.value, actionError: undefined, focusDetail: true });
          void get().refresh();
        }
        return reply;
      },

      setStatusFilter(status) {
        set({ statusFilter: status });
        void get().refresh();
      },

      async showOutbox(state) {
        set({ outbox: { ...get().outbox, state } });
        await get().loadOutbox();
      },

      async loadOutbox() {
        const { state } = get().outbox;
        const reply = await api.call('outbox.list', { ...(state ? { state } : {}), limit: 200 });
        if (get().outbox.state !== state || !isOpen()) return;
        set({ outbox: { ...get().outbox, ...(reply.ok ? { overview: reply.value, error: undefined } : { error: reply.error }) } });
      },

      async actOnPush(action, id) {
        set({ outbox: { ...get().outbox, working: id } });
        const reply = await api.call(action, { id });
        set({ outbox: { ...get().outbox, working: undefined, error: reply.ok ? undefined : reply.error } });
        await get().loadOutbox();
      },

      toggleQuickFilter(filter) {
        const current = get().quickFilters;
        set({ quickFilters: current.includes(filter) ? current.filter((f) => f !== filter) : [...current, filter] });
        void get().refresh();
      },

      async openScanned(code) {
        if (!isOpen()) return;
        const wanted = scannedOrderKey(code);
        const reply = await api.call('orders.list', { q: wanted, limit: 2 });
        if (!reply.ok) return set({ scanMessage: reply.error.message });
        const [match, another] = reply.value.orders;
        if (!match) return set({ scanMessage: `No order matches the scanned code ${wanted}.` });
        if (another) return set({ scanMessage: `More than one order matches ${wanted}: search for it instead.` });
        set({ scanMessage: `Scanned: opened ${match.recipient_name}, ${match.id}.` });
        await get().select(match.id);
      },

      setQuery(query) {
        set({ query });
        void get().refresh();
      },

      async refresh() {
        const refresh = ++latestRefresh;
        requestedPages = new Set();
        set({ loading: true });
        // The page at the top of the list and the ones on screen, fresh; the rest as they scroll in.
        const pages = new Set([0, Math.floor(visible.start / PAGE_SIZE), Math.floor(Math.max(visible.start, visible.end - 1) / PAGE_SIZE)]);
        for (const page of pages) requestedPages.add(page);
        await Promise.all([...pages].map((page) => loadPage(page, refresh)));
      },

      loadRange(start, end) {
        visible = { start, end };
        const refresh = latestRefresh;
        for (let page = Math.floor(start / PAGE_SIZE); page * PAGE_SIZE < Math.min(end, get().total); page++) {
          if (requestedPages.has(page)) continue;
          requestedPages.add(page);
          void loadPage(page, refresh);
        }
      },

      async select(id) {
        set({ selectedId: id, actionError: undefined, ...(id === get().detail?.id ? {} : { detail: undefined }) });
        if (!id) return;
        const reply = await api.call('orders.get', { id });
        if (get().selectedId !== id || !isOpen()) return;
        if (reply.ok) set({ detail: reply.value });
        else set({ actionError: reply.error });
      },

      async transition(to, notes, proof, capturedAt) {
        const id = get().selectedId;
        if (!id) return false;
        set({ busy: true, actionError: undefined });
        const reply = await api.call('orders.transition', {
          id,
          to,
          ...(notes ? { notes } : {}),
          ...(proof ? { proof } : {}),
          ...(capturedAt ? { captured_at: capturedAt } : {}),
        });
        set({ busy: false });
        if (!reply.ok) {
          set({ actionError: reply.error });
          return false;
        }
        set({ detail: reply.value });
        void get().refresh();
        return true;
      },

      renderDocument(document, format = 'png') {
        return api.call('documents.render', { id: get().selectedId ?? '', document, format });
      },

      printDocument(document, printer, copies) {
        return api.call('documents.print', { id: get().selectedId ?? '', document, copies, ...(printer ? { printer } : {}) });
      },

      printers() {
        return api.call('printers.list', {});
      },

      async loadPartners() {
        const reply = await api.call('partners.status', {});
        set({ partners: { ...get().partners, ...(reply.ok ? { list: reply.value.partners, error: undefined } : { error: reply.error }) } });
      },

      async syncPartner(partner) {
        set({ partners: { ...get().partners, syncing: partner, message: undefined } });
        const reply = await api.call('partners.syncNow', { partner });
        const { list } = get().partners;
        set({
          partners: reply.ok
            ? {
                list: list?.map((p) => (p.partner === partner ? reply.value : p)),
                error: undefined,
                syncing: undefined,
                message: `${reply.value.name}: ${reply.value.connected ? 'synced, connected.' : `still not reachable${reply.value.last_error ? ` (${reply.value.last_error})` : ''}.`}`,
              }
            : { list, error: reply.error, syncing: undefined, message: undefined },
        });
        await get().loadPartners();
      },

      async dispatch(partner, details) {
        const id = get().selectedId ?? '';
        const reply = await api.call('orders.dispatch', { id, partner, details });
        if (reply.ok && get().selectedId === id) {
          set({ detail: reply.value, actionError: undefined });
          void get().refresh();
          if (get().partners.list) void get().loadPartners();
        }
        return reply;
      },

      reloadSelected,

      partnerPharmacies(partner) {
        return api.call('partners.pharmacies', { partner });
      },

      partnerMedications(partner, pharmacyId, page) {
        return api.call('partners.medications', { partner, pharmacy_id: pharmacyId, page });
      },

      patientPrescriptions(partner, patientEmail) {
        return api.call('partners.patientPrescriptions', { partner, id: get().selectedId ?? '', patient_email: patientEmail });
      },

      async sandboxPartnerOrder(partner, action) {
        const reply = await api.call('sandbox.partnerOrder', { partner, id: get().selectedId ?? '', action });
        void reloadSelected();
        return reply;
      },
    };
  });
}

export type AppStore = ReturnType<typeof createAppStore>;

/** The label's QR holds the tracking URL (…/track/<tracking id>?sig=…); its Code 128 the id itself. */
export function scannedOrderKey(code: string): string {
  const trimmed = code.trim();
  const tracked = /\/track\/([^/?#\s]+)/.exec(trimmed);
  return tracked?.[1] ?? trimmed;
}
