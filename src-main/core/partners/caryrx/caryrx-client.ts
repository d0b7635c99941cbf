// RxRelay's HTTP client for CaryRx's Fulfilment API (../shared/seeds/caryrx-fulfilment-api.txt):
// one method per documented endpoint, every request checked against the rules in caryrx-api.ts
// before it is sent, every answer parsed against the shapes there, and every failure reported as
// a PartnerRequestError whose kind tells the sync engine what to do next.
//
// CaryRx authenticates with one static key per environment (`apikey` header): there is no token
// to renew, so a 401 or 403 means the key itself is wrong or withdrawn and only staff can fix it.
// The key is never logged and never put in an error.
import { Agent } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import { PartnerRequestError } from '../partner-connector';
import {
  APIKEY_HEADER,
  CARYRX_PATHS,
  callbackUrlProblems,
  entityRefSchema,
  errorBodySchema,
  findPatientInputSchema,
  findPatientProblems,
  locationInputSchema,
  locationProblems,
  orderInputSchema,
  orderProblems,
  orderRecordSchema,
  patientInputSchema,
  patientProblems,
  patientRecordSchema,
  prescriptionInputSchema,
  prescriptionProblems,
  prescriptionRecordSchema,
  type CaryRxCallbackRegistrationBody,
  type CaryRxEntityRef,
  type CaryRxFindPatientInput,
  type CaryRxLocationInput,
  type CaryRxOrder,
  type CaryRxOrderInput,
  type CaryRxPatient,
  type CaryRxPatientInput,
  type CaryRxPrescription,
  type CaryRxPrescriptionInput,
} from './caryrx-api';
import { PartnerHttp, zodProblems, type PartnerAnswer } from '../partner-http';


export const CARYRX_DEFAULT_TIMEOUT_MS = 15_000;
/** A patient id nobody has: `ping` reads it, and CaryRx's 404 proves the key was accepted. */
export const CARYRX_PING_PATIENT_ID = 'rxrelay-connection-check';

const UNAUTHORIZED_MESSAGE = "CaryRx refused RxRelay's API key — check it in Settings";

export interface CaryRxClientOptions {
  /** The environment's base URL, in front of `/v1/...` (e.g. http://127.0.0.1:8083). */
  baseUrl: string;
  apiKey: string;
  clock: Clock;
  logger: Logger;
  /** Connect, headers and body timeouts each; default 15 s. */
  timeoutMs?: number;
}

/** A location as RxRelay asks for it: the patient comes from the call; the body may repeat it (it must match). */
export type CaryRxNewLocation = Omit<CaryRxLocationInput, 'patient_id'> & { patient_id?: string };

type Method = 'GET' | 'POST';

interface Exchange {
  method: Method;
  /** From CARYRX_PATHS, ids already encoded. */
  path: string;
  body?: unknown;
  /** What the request does, in words for an error message ("create the order"). */
  purpose: string;
}

export class CaryRxClient {
  private readonly root: string;
  private readonly apiKey: string;
  private readonly agent: Agent;
  private readonly clock: Clock;
  private readonly http: PartnerHttp;

  constructor(options: CaryRxClientOptions) {
    this.root = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    const timeout = options.timeoutMs ?? CARYRX_DEFAULT_TIMEOUT_MS;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
    this.clock = options.clock;
    this.http = new PartnerHttp({
      partnerName: 'CaryRx',
      logPrefix: 'caryrx',
      agent: this.agent,
      clock: options.clock,
      logger: options.logger,
      errorBody: errorBodySchema,
      unauthorizedMessage: UNAUTHORIZED_MESSAGE,
      unauthorizedStatuses: [401, 403],
    });
  }

  get baseUrl(): string {
    return this.root;
  }

  // ---- webhooks -----------------------------------------------------------------------------

  /** CaryRx answers the first registration of a URL by posting its test payload there. */
  async registerPrescriptionEvents(callbackUrl: string): Promise<CaryRxEntityRef> {
    return this.registerCallback(CARYRX_PATHS.prescriptionEvents, callbackUrl, 'register for prescription events');
  }

  async registerOrderEvents(callbackUrl: string): Promise<CaryRxEntityRef> {
    return this.registerCallback(CARYRX_PATHS.orderEvents, callbackUrl, 'register for order events');
  }

  // ---- patients -----------------------------------------------------------------------------

  async createPatient(input: CaryRxPatientInput): Promise<CaryRxEntityRef> {
    const patient = checked(patientInputSchema, input, 'The patient record');
    refuseIfAny(patientProblems(patient, this.clock.now().toISOString().slice(0, 10)), 'The patient record');
    return this.call({ method: 'POST', path: CARYRX_PATHS.patients, body: patient, purpose: 'register the patient' }, entityRefSchema);
  }

  /** The patient CaryRx matches on name and email; undefined when there is none (404). */
  async findPatient(query: CaryRxFindPatientInput): Promise<CaryRxEntityRef | undefined> {
    const body = checked(findPatientInputSchema, query, 'The patient search');
    refuseIfAny(findPatientProblems(body), 'The patient search');
    const exchange: Exchange = { method: 'POST', path: CARYRX_PATHS.findPatient, body, purpose: 'look the patient up' };
    const answer = await this.send(exchange);
    if (answer.status === 404) return undefined;
    return this.http.interpret(answer, entityRefSchema, exchange.purpose);
  }

  async getPatient(patientId: string): Promise<CaryRxPatient> {
    return this.call({ method: 'GET', path: CARYRX_PATHS.patient(idOf(patientId, 'patient id')), purpose: 'read the patient' }, patientRecordSchema);
  }

  async createLocation(patientId: string, input: CaryRxNewLocation): Promise<CaryRxEntityRef> {
    const path = CARYRX_PATHS.patientLocation(idOf(patientId, 'patient id'));
    const location = checked(locationInputSchema, { ...input, patient_id: patientId }, 'The delivery address');
    const problems = locationProblems(location);
    if (input.patient_id !== undefined && input.patient_id !== patientId) problems.push('patient_id: not the patient the address is being added to.');
    refuseIfAny(problems, 'The delivery address');
    return this.call({ method: 'POST', path, body: location, purpose: "add the patient's delivery address" }, entityRefSchema);
  }

  // ---- prescriptions ------------------------------------------------------------------------

  /** CaryRx: for development only — real prescriptions arrive by e-Rx and are announced by webhook. */
  async createPrescription(input: CaryRxPrescriptionInput): Promise<CaryRxEntityRef> {
    const prescription = checked(prescriptionInputSchema, input, 'The prescription');
    refuseIfAny(prescriptionProblems(prescription), 'The prescription');
    return this.call({ method: 'POST', path: CARYRX_PATHS.prescriptions, body: prescription, purpose: 'create the prescription' }, entityRefSchema);
  }

  async getPrescription(prescriptionId: string): Promise<CaryRxPrescription> {
    const path = CARYRX_PATHS.prescription(idOf(prescriptionId, 'prescription id'));
    return this.call({ method: 'GET', path, purpose: 'read the prescription' }, prescriptionRecordSchema);
  }

  // ---- orders -------------------------------------------------------------------------------

  async createOrder(input: CaryRxOrderInput): Promise<CaryRxOrder> {
    const order = checked(orderInputSchema, input, 'The order');
    refuseIfAny(orderProblems(order), 'The order');
    // As the doc's sample: not central fill unless asked, and a new order is "pending".
    const body: CaryRxOrderInput = { ...order, central_fill: order.central_fill ?? false, order_status: 'pending' };
    return this.call({ method: 'POST', path: CARYRX_PATHS.orders, body, purpose: 'create the order' }, orderRecordSchema);
  }

  async getOrder(orderId: string): Promise<CaryRxOrder> {
    return this.call({ method: 'GET', path: CARYRX_PATHS.order(idOf(orderId, 'order id')), purpose: 'read the order' }, orderRecordSchema);
  }

  // ---- connection ---------------------------------------------------------------------------

  /**
   * Proves the address and the key with the cheapest authenticated call CaryRx documents: reading
   * a patient nobody has. 404 (or, improbably, 200) means the key was accepted.
   */
  async ping(): Promise<void> {
    const exchange: Exchange = { method: 'GET', path: CARYRX_PATHS.patient(CARYRX_PING_PATIENT_ID), purpose: 'check the connection' };
    const answer = await this.send(exchange);
    if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return;
    this.http.interpret(answer, z.unknown(), exchange.purpose);
    throw new PartnerRequestError('invalid_response', `CaryRx answered HTTP ${answer.status} when asked to check the connection`, { httpStatus: answer.status });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  private async registerCallback(path: string, callbackUrl: string, purpose: string): Promise<CaryRxEntityRef> {
    refuseIfAny(callbackUrlProblems(callbackUrl), 'The callback address');
    // ASSUMPTION: the doc's body shows the keys with no separator ("callbackurl", "authtype"), so
    // they are sent camelCase as written there; the simulator accepts snake_case too.
    const body: CaryRxCallbackRegistrationBody = { callbackUrl, authType: 'none' };
    return this.call({ method: 'POST', path, body, purpose }, entityRefSchema);
  }

  private async call<T extends z.ZodType>(exchange: Exchange, schema: T): Promise<z.infer<T>> {
    return this.http.interpret(await this.send(exchange), schema, exchange.purpose);
  }

  private send(exchange: Exchange): Promise<PartnerAnswer> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': 'RxRelay',
      [APIKEY_HEADER]: this.apiKey,
    };
    const body = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);
    return this.http.send(this.root + exchange.path, { method: exchange.method, headers, body }, exchange);
  }

}

/** The input as its schema reads it, or `invalid_request` naming the fields (never their values). */
function checked<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new PartnerRequestError('invalid_request', `${what} is incomplete; nothing was sent`, { details: zodProblems(parsed.error) });
  return parsed.data;
}

function refuseIfAny(problems: string[], what: string): void {
  if (problems.length === 0) return;
  throw new PartnerRequestError('invalid_request', `${what} breaks CaryRx's rules; nothing was sent`, { details: problems });
}

function idOf(id: string, label: string): string {
  if (!id.trim()) throw new PartnerRequestError('invalid_request', `The ${label} is missing.`);
  return id;
}



