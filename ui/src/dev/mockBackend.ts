// A fake Rust side for looking at the screens in a plain browser during development.
// Loaded only when VITE_MOCK=1 (see main.tsx); never part of the production build.
//
// Query parameters pick a starting point:
//   ?device=fresh      first run (default: an adviser's device, unlocked)
//   ?device=locked     set up with a passphrase ("riktig hest batteri"), locked
//   ?device=employer   an employer's device, unlocked
//   ?sync=offline|error|quarantine
//   ?empty=1           no placements
//   ?closedDaysAgo=N   when the seeded ended placement (Emma Lie) was closed (default 20;
//                      more than EMPLOYER_ACCESS_DAYS and the employer's access is over, so it cannot be reopened)
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type { AppState } from "../bindings/AppState";
import type { ClosePlacementInput } from "../bindings/ClosePlacementInput";
import type { CommandError } from "../bindings/CommandError";
import type { ExportProgress } from "../bindings/ExportProgress";
import type { ConsentInput } from "../bindings/ConsentInput";
import type { ConsentView } from "../bindings/ConsentView";
import type { NewPlacementInput } from "../bindings/NewPlacementInput";
import type { NoteInput } from "../bindings/NoteInput";
import type { ObservationInput } from "../bindings/ObservationInput";
import type { Overview } from "../bindings/Overview";
import type { PairingCode } from "../bindings/PairingCode";
import type { PlacementMembers } from "../bindings/PlacementMembers";
import type { PlacementSyncLog } from "../bindings/PlacementSyncLog";
import type { PlacementSummary } from "../bindings/PlacementSummary";
import type { PlanItem } from "../bindings/PlanItem";
import type { RecordValues } from "../bindings/RecordValues";
import type { SearchHit } from "../bindings/SearchHit";
import type { SetupInput } from "../bindings/SetupInput";
import type { SyncLogLine } from "../bindings/SyncLogLine";
import type { SyncStatus } from "../bindings/SyncStatus";
import type { TimelineItem } from "../bindings/TimelineItem";
import type { TrainingTaskInput } from "../bindings/TrainingTaskInput";
import type { VisitInput } from "../bindings/VisitInput";
import type { VisitRecord } from "../bindings/VisitRecord";
import {
  EMPLOYER_ACCESS_DAYS,
  LOCK_AFTER_DEFAULT_MINUTES,
  RESPONSE_WORKING_DAYS_DEFAULT,
  RESPONSE_WORKING_DAYS_MAX,
  RESPONSE_WORKING_DAYS_MIN,
  LOCK_AFTER_MAX_MINUTES,
  LOCK_AFTER_MIN_MINUTES,
  MAX_PASSPHRASE_CHARS,
  MIN_PASSPHRASE_CHARS,
  SHORT_MAX,
} from "../bindings/rules";
import { ACTION_STATUSES, CLOSE_REASONS, TASK_STATUSES } from "../codes";
import { isoDaysFromToday, parseIsoDate, toIsoDate, todayIso } from "../format";

const PASSPHRASE = "riktig hest batteri";

function fail(kind: string, message: string, params: CommandError["params"] = {}): never {
  const error: CommandError = { kind, message, params };
  // Tauri rejects with the plain serialised object, not an Error: mimic that.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw error;
}

/** The values an edit form starts from, as far as the preview's overview holds them. */
function valuesOf(p: Placement, recordId: string | null): RecordValues | null {
  if (recordId === null) {
    const f = p.overview.facts;
    return {
      kind: "placement",
      candidateName: f.candidateName,
      employerName: f.employerName,
      employerOrgNumber: f.employerOrg,
      workplaceAddress: p.workplaceAddress ?? "",
      measure: f.measure,
      startDate: f.startDate,
      endDate: f.endDate,
      hoursPerWeek: f.hoursPerWeek,
    };
  }
  const o = p.overview;
  const goal = o.goals.find((i) => i.id === recordId);
  if (goal) return { kind: "goal", category: goal.detail ?? "other", description: goal.text };
  const adaptation = o.adaptations.find((i) => i.id === recordId);
  if (adaptation)
    return { kind: "adaptation", description: adaptation.text, agreedOn: adaptation.detail ?? todayIso(), active: adaptation.status === "active" };
  const person = o.contactPersons.find((i) => i.id === recordId);
  if (person) {
    const [role = "", phone = "", email = ""] = (person.detail ?? "").split(" · ");
    return { kind: "contact_person", name: person.text, role, phone, email };
  }
  const task = o.trainingPlan.find((i) => i.id === recordId);
  if (task) {
    const [responsible = "", targetDate = null] = (task.detail ?? "").split(" · ");
    return { kind: "training_task", title: task.text, description: "", responsible, targetDate };
  }
  const action = o.timeline.find((i) => i.kind === "action" && i.id === recordId);
  if (action?.kind === "action") return { kind: "action", what: action.text, owner: action.owner, due: action.due };
  return null;
}

/** A contact person's line on the overview: role, phone and e-mail, as the preview shows them. */
function contactDetail(v: { role: string; phone: string; email: string }): string {
  return [v.role, v.phone, v.email].filter((x) => x.trim()).join(" · ");
}

/** Writes an edit form's values into the preview's overview. */
function applyValues(p: Placement, recordId: string | null, v: RecordValues): void {
  const o = p.overview;
  const item = (list: PlanItem[]) => list.find((i) => i.id === recordId) ?? fail("unknown_record", "Fant ikke oppføringen.");
  // No switch on the kind here: in this file a switch case names a command (the command-list check).
  if (v.kind === "placement") {
    if (v.endDate && v.endDate < v.startDate)
      fail("end_before_start", "Sluttdato er før startdato.", { start: v.startDate, end: v.endDate });
    Object.assign(o.facts, {
      candidateName: v.candidateName,
      employerName: v.employerName,
      employerOrg: v.employerOrgNumber,
      measure: v.measure,
      startDate: v.startDate,
      endDate: v.endDate,
      hoursPerWeek: v.hoursPerWeek,
    });
    p.workplaceAddress = v.workplaceAddress;
    Object.assign(p.summary, { candidateName: v.candidateName, employerName: v.employerName, startDate: v.startDate, endDate: v.endDate });
  } else if (v.kind === "goal") {
    Object.assign(item(o.goals), { text: v.description, detail: v.category });
  } else if (v.kind === "adaptation") {
    Object.assign(item(o.adaptations), { text: v.description, detail: v.agreedOn, status: v.active === false ? "inactive" : "active" });
  } else if (v.kind === "contact_person") {
    Object.assign(item(o.contactPersons), { text: v.name, detail: contactDetail(v) });
  } else if (v.kind === "training_task") {
    Object.assign(item(o.trainingPlan), { text: v.title, detail: v.responsible + (v.targetDate ? ` · ${v.targetDate}` : "") });
  } else {
    const action = o.timeline.find((i) => i.kind === "action" && i.id === recordId);
    if (action?.kind !== "action") return fail("unknown_record", "Fant ikke tiltaket.");
    Object.assign(action, { text: v.what, owner: v.owner, due: v.due });
  }
}

function plusDays(day: string, days: number): string {
  const d = parseIsoDate(day) ?? new Date();
  d.setDate(d.getDate() + days);
  return toIsoDate(d);
}

function uuid(): string {
  return crypto.randomUUID();
}

function daysAgoAt(days: number, hour: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  d.setHours(hour, 15, 0, 0);
  return d.toISOString();
}

interface Placement {
  overview: Overview;
  summary: PlacementSummary;
  /** The workplace's address, which the overview does not show. */
  workplaceAddress?: string;
  /** In the adviser's private document: what the candidate agreed to share. */
  consents?: ConsentView[];
}

const VISIT_ID = "00000000-0000-4000-8000-0000000000a1";
const CORRECTION_ID = "00000000-0000-4000-8000-0000000000a2";

function seed(app: AppState, closedDaysAgo: number): Placement[] {
  const make = (
    id: string,
    candidateName: string,
    employerName: string,
    measure: string,
    status: string,
    startDays: number,
    extra: Partial<PlacementSummary>,
    fill: (o: Overview) => void,
  ): Placement => {
    const startDate = isoDaysFromToday(startDays);
    const endDate = isoDaysFromToday(startDays + 180);
    const overview: Overview = {
      id,
      facts: {
        candidateName,
        employerName,
        employerOrg: "889640782",
        adviserName: "Kari Veileder",
        measure,
        status,
        startDate,
        endDate,
        closedOn: null,
        closedReason: null,
        employerAccessEnds: null,
        hoursPerWeek: 20,
        nextVisit: extra.nextVisit ?? null,
        lastObservation: extra.lastObservation ?? null,
        responseWorkingDays: RESPONSE_WORKING_DAYS_DEFAULT,
      },
      goals: [],
      adaptations: [],
      contactPersons: [],
      trainingPlan: [],
      timeline: [],
      conflicts: [],
    };
    fill(overview);
    const summary: PlacementSummary = {
      id,
      candidateName,
      employerName,
      measure,
      status,
      startDate,
      endDate,
      nextVisit: null,
      openRequests: 0,
      overdueActions: 0,
      lateRequests: 0,
      lastObservation: null,
      ...extra,
    };
    const consents: ConsentView[] = [
      {
        id: uuid(),
        scopes: ["adaptations", "follow_up", "goals"],
        textVersion: "2026-1",
        givenAt: daysAgoAt(Math.max(1, 7 - startDays), 10),
        givenBy: app.userName ?? "Kari Veileder",
        withdrawnAt: null,
        withdrawnBy: null,
        allowsEmployer: true,
      },
    ];
    return { overview, summary, consents };
  };

  return [
    make(
      "00000000-0000-4000-8000-000000000001",
      "Ola Nordmann",
      "Rema 1000 Storgata",
      "work_training",
      "active",
      -40,
      { nextVisit: isoDaysFromToday(5), openRequests: 1, overdueActions: 1, lastObservation: isoDaysFromToday(-1) },
      (o) => {
        o.goals = [
          { id: uuid(), text: "Få fast jobb i butikk innen ett år", detail: "job_at_employer", status: null },
          { id: uuid(), text: "Bli trygg på å jobbe i kassa", detail: "work_experience", status: null },
        ];
        o.adaptations = [
          { id: uuid(), text: "Starter kl. 10 de første ukene", detail: isoDaysFromToday(-40), status: "active" },
          { id: uuid(), text: "Fast pause kl. 12 på bakrommet", detail: isoDaysFromToday(-30), status: "active" },
        ];
        o.contactPersons = [
          { id: uuid(), text: "Per Butikksjef", detail: "Butikksjef 900 00 000 per@example.no", status: null },
        ];
        o.trainingPlan = [
          { id: uuid(), text: "Fylle på varer i hyllene", detail: "Per · " + isoDaysFromToday(-20), status: "can_do" },
          { id: uuid(), text: "Ta imot varelevering", detail: "Per · " + isoDaysFromToday(10), status: "with_adaptation" },
          { id: uuid(), text: "Stå i kassa", detail: "Per · " + isoDaysFromToday(40), status: "not_started" },
        ];
        o.conflicts = [
          {
            path: ["actions", "3f2a9c1e-1111-4c3b-8d2e-9a0b1c2d3e4f", "status"],
            values: [
              { value: "done", device: "d-adviser", at: daysAgoAt(2, 9), by: "Kari Veileder" },
              { value: "cancelled", device: "d-employer", at: daysAgoAt(2, 11), by: "Per Verksmester" },
            ],
            private: false,
            maySettle: app.role === "adviser",
          },
        ];
        o.timeline = [
          { kind: "observation", id: uuid(), at: daysAgoAt(1, 15), text: "Fylte på meieri og frukt.\nVar blid med kundene.", status: "present" },
          { kind: "contact_request", id: uuid(), at: daysAgoAt(1, 15), text: "Kan vi snakke om arbeidstiden neste uke?", status: "open", answeredAt: null, resolution: null, answerBy: isoDaysFromToday(1) },
          { kind: "observation", id: uuid(), at: daysAgoAt(2, 14), text: "Kom 20 min for sent, bussen var forsinket.", status: "late" },
          { kind: "contact_request", id: uuid(), at: daysAgoAt(5, 9), text: "Vernesko i riktig størrelse?", status: "resolved", answeredAt: daysAgoAt(5, 11).replace(":15:", ":30:"), resolution: "Ringte Per, NAV dekker skoene.", answerBy: null },
          { kind: "action", id: uuid(), at: daysAgoAt(8, 11), text: "Skaffe vernesko", status: "open", due: isoDaysFromToday(-1), owner: "employer" },
          { kind: "visit", id: CORRECTION_ID, at: daysAgoAt(8, 10), text: "Trepartsmøte på butikken. Ola trives, vil prøve varemottak.", status: "correction", corrects: VISIT_ID, correctedSummary: "Trepartsmøte på butikken. Ola trives." },
          { kind: "visit", id: VISIT_ID, at: daysAgoAt(8, 10), text: "Trepartsmøte på butikken. Ola trives.", status: "corrected", corrects: null, correctedSummary: null },
          ...(app.role === "adviser"
            ? [{ kind: "adviser_note", id: uuid(), at: daysAgoAt(8, 10), text: "Ola virket sliten, følg opp.", author: "Kari Veileder" } as const]
            : []),
          { kind: "action", id: uuid(), at: daysAgoAt(8, 11), text: "Avtale fast pausetid", status: "in_progress", due: isoDaysFromToday(6), owner: "adviser" },
          { kind: "note", id: uuid(), at: daysAgoAt(12, 9), text: "Per ønsker en prat om opplæringsplanen.", author: "Per Butikksjef", authorRole: "employer" },
        ];
      },
    ),
    make(
      "00000000-0000-4000-8000-000000000002",
      "Sara Ahmed",
      "Kafé Kråkeslottet",
      "mentor",
      "active",
      -100,
      { nextVisit: isoDaysFromToday(12), lastObservation: isoDaysFromToday(-3) },
      (o) => {
        o.timeline = [
          { kind: "observation", id: uuid(), at: daysAgoAt(3, 16), text: "Lagde lunsj sammen med kokken.", status: "present" },
        ];
      },
    ),
    make("00000000-0000-4000-8000-000000000003", "Jonas Berg", "Gårdsbruket Vestre", "supported_employment", "planned", 14, {}, () => {}),
    make(
      "00000000-0000-4000-8000-000000000004",
      "Emma Lie",
      "Bakeriet på hjørnet",
      "temporary_wage_subsidy",
      "ended",
      -closedDaysAgo - 150,
      { lastObservation: isoDaysFromToday(-closedDaysAgo - 1) },
      (o) => {
        const closedOn = isoDaysFromToday(-closedDaysAgo);
        o.facts.closedOn = closedOn;
        o.facts.closedReason = "got_job";
        o.facts.employerAccessEnds = plusDays(closedOn, EMPLOYER_ACCESS_DAYS);
        o.timeline = [
          { kind: "note", id: uuid(), at: daysAgoAt(closedDaysAgo, 10), text: "Emma får fast stilling fra neste måned.", author: "Kari Veileder", authorRole: "adviser" },
        ];
      },
    ),
  ];
}

/** An export's progress told on its channel, as the Rust side tells it (mock exports take no time). */
function progressed(channel: unknown) {
  const onmessage = (channel as { onmessage?: (p: ExportProgress) => void } | undefined)?.onmessage;
  for (const p of [
    { stage: "reading", percent: 0 },
    { stage: "drawing", percent: 90 },
    { stage: "saving", percent: 100 },
  ] as ExportProgress[])
    onmessage?.(p);
}

export function installMockBackend(): void {
  const params = new URLSearchParams(window.location.search);
  const device = params.get("device") ?? "adviser";
  const syncMode = params.get("sync") ?? "ok";
  const mockPairing = (shortCode: string): PairingCode => ({
    shortCode,
    fullCode: "FS2-" + "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4TTOR2XMZ3YPF5A".repeat(4),
    qrSize: 21,
    qrPath: "M0 0h7v1h-7zM0 6h7v1h-7zM0 0h1v7h-1zM6 0h1v7h-1zM2 2h3v3h-3zM14 0h7v1h-7zM14 6h7v1h-7zM14 0h1v7h-1zM20 0h1v7h-1zM16 2h3v3h-3zM0 14h7v1h-7zM0 20h7v1h-7zM0 14h1v7h-1zM6 14h1v7h-1zM2 16h3v3h-3zM9 9h3v3h-3zM14 14h2v2h-2zM18 18h3v3h-3z",
    qrHolds: "full",
    registered: syncMode !== "offline",
    expiresAtMs: Date.now() + 7 * 86_400_000,
  });
  const app: AppState = {
    initialized: device !== "fresh",
    unlocked: device === "adviser" || device === "employer",
    role: device === "fresh" || device === "locked" ? null : device === "employer" ? "employer" : "adviser",
    userName: device === "employer" ? "Per Butikksjef" : device === "fresh" || device === "locked" ? null : "Kari Veileder",
    relay: device === "fresh" ? null : "http://127.0.0.1:8787",
    needsPassphrase: device === "locked",
    locked: false,
    lockAfterMinutes: LOCK_AFTER_DEFAULT_MINUTES,
    lockAfterMs: Number(params.get("lockAfterMs") ?? LOCK_AFTER_DEFAULT_MINUTES * 60_000),
  };
  const closedDaysAgo = Number(params.get("closedDaysAgo") ?? "20");
  let placements = params.get("empty") === "1" ? [] : seed(app, Number.isFinite(closedDaysAgo) ? closedDaysAgo : 20);

  let status: SyncStatus = {
    state:
      syncMode === "offline"
        ? { state: "offline", reason: "Fikk ikke kontakt med relayet" }
        : syncMode === "error"
          ? { state: "error", kind: "relay_refused", params: { status: "500" }, message: "Relayet svarte med feil 500" }
          : { state: "idle" },
    lastSuccessMs: syncMode === "ok" || syncMode === "quarantine" ? Date.now() - 4 * 60_000 : null,
    pending: syncMode === "offline" ? 3 : 0,
    quarantined: syncMode === "quarantine" ? 1 : 0,
    failures: 0,
    nextAttemptInMs: 15_000,
    applied: 0,
  };

  function setStatus(next: SyncStatus) {
    status = next;
    void emit("sync-status", status);
  }

  function runSync() {
    if (syncMode === "offline" || syncMode === "error") {
      setStatus({ ...status, failures: status.failures + 1 });
      return;
    }
    setStatus({ ...status, state: { state: "syncing" } });
    window.setTimeout(() => {
      setStatus({ ...status, state: { state: "idle" }, lastSuccessMs: Date.now(), pending: 0, applied: status.applied + 1 });
    }, 900);
  }

  function setPlacementStatus(p: Placement, next: string) {
    p.overview.facts.status = next;
    p.summary.status = next;
  }

  const find = (id: unknown): Placement =>
    placements.find((p) => p.summary.id === id) ?? fail("unknown_placement", "Fant ikke oppfølgingsløpet.");

  /** A timeline entry of one kind, by its id. */
  const entry = <K extends TimelineItem["kind"]>(p: Placement, kind: K, id: string) =>
    p.overview.timeline.find((i): i is Extract<TimelineItem, { kind: K }> => i.kind === kind && i.id === id);

  const delay = <T>(value: T): Promise<T> => new Promise((resolve) => window.setTimeout(() => resolve(value), 120));

  // Visits recorded in this session, whole (the overview's timeline holds only their summary).
  const visits = new Map<string, VisitRecord>();

  function handle(cmd: string, args: Record<string, unknown>): unknown {
    switch (cmd) {
      case "app_state":
        return { ...app };
      case "setup_device": {
        const input = args.input as SetupInput;
        if (input.passphrase !== null && input.passphrase.length < MIN_PASSPHRASE_CHARS)
          fail("invalid_input", `Passordfrasen må ha minst ${MIN_PASSPHRASE_CHARS} tegn.`, {
            validation: "out_of_range",
            field: "passphrase_length",
            min: String(MIN_PASSPHRASE_CHARS),
            max: String(MAX_PASSPHRASE_CHARS),
          });
        Object.assign(app, {
          initialized: true,
          unlocked: true,
          role: input.role,
          userName: input.userName,
          relay: input.relay,
          needsPassphrase: input.passphrase !== null,
        });
        placements = [];
        return { ...app };
      }
      case "unlock":
        if (app.needsPassphrase && args.passphrase !== PASSPHRASE)
          fail("wrong_passphrase", "Feil passordfrase. Prøv igjen.");
        Object.assign(app, { unlocked: true, locked: false, role: app.role ?? "adviser", userName: app.userName ?? "Kari Veileder" });
        return { ...app };
      case "lock_device":
        Object.assign(app, { unlocked: false, locked: true });
        return { ...app };
      case "set_lock_after": {
        const minutes = Number(args.minutes);
        if (!Number.isInteger(minutes) || minutes < LOCK_AFTER_MIN_MINUTES || minutes > LOCK_AFTER_MAX_MINUTES)
          fail("invalid_input", "Ugyldig tid før låsing.", {
            validation: "out_of_range",
            field: "lock_after",
            min: String(LOCK_AFTER_MIN_MINUTES),
            max: String(LOCK_AFTER_MAX_MINUTES),
          });
        Object.assign(app, { lockAfterMinutes: minutes, lockAfterMs: minutes * 60_000 });
        return { ...app };
      }
      case "list_placements":
        return placements.map((p) => p.summary);
      case "search_placements": {
        const q = String(args.query).toLowerCase();
        const hits: SearchHit[] = [];
        for (const p of placements) {
          for (const item of p.overview.timeline) {
            const i = item.text.toLowerCase().indexOf(q);
            if (q && i >= 0) {
              const word = item.text.slice(i, i + q.length);
              hits.push({
                placementId: p.summary.id,
                candidateName: p.summary.candidateName,
                recordId: item.id,
                kind: item.kind,
                snippet: item.text.replace(word, `[${word}]`),
              });
            }
          }
        }
        return hits;
      }
      case "create_placement": {
        const input = args.input as NewPlacementInput;
        const id = uuid();
        const placementStatus = input.startDate > todayIso() ? "planned" : "active";
        placements.push({
          summary: {
            id,
            candidateName: input.candidateName,
            employerName: input.employerName,
            measure: input.measure,
            status: placementStatus,
            startDate: input.startDate,
            endDate: input.endDate,
            nextVisit: null,
            openRequests: 0,
            overdueActions: 0,
            lateRequests: 0,
            lastObservation: null,
          },
          overview: {
            id,
            facts: {
              candidateName: input.candidateName,
              employerName: input.employerName,
              employerOrg: input.employerOrgNumber,
              adviserName: app.userName ?? "",
              nextVisit: null,
              lastObservation: null,
              measure: input.measure,
              status: placementStatus,
              startDate: input.startDate,
              endDate: input.endDate,
              closedOn: null,
              closedReason: null,
              employerAccessEnds: null,
              hoursPerWeek: input.hoursPerWeek,
              responseWorkingDays: RESPONSE_WORKING_DAYS_DEFAULT,
            },
            goals: [],
            adaptations: [],
            contactPersons: [],
            trainingPlan: [],
            timeline: [],
            conflicts: [],
          },
        });
        setStatus({ ...status, pending: status.pending + 1 });
        return id;
      }
      case "placement_overview":
        return find(args.placementId).overview;
      case "log_observation": {
        const p = find(args.placementId);
        const input = args.input as ObservationInput;
        if (input.date > todayIso()) fail("invalid_input", "Dato kan ikke være fram i tid.", { validation: "in_future", field: "date" });
        const at = new Date().toISOString();
        const text = [input.tasksDone, input.wentWell, input.problem].filter(Boolean).join("\n");
        p.overview.timeline.unshift({ kind: "observation", id: uuid(), at, text, status: input.attendance });
        p.summary.lastObservation = input.date;
        p.overview.facts.lastObservation = input.date;
        if (input.wantsContact) {
          p.overview.timeline.unshift({ kind: "contact_request", id: uuid(), at, text: input.contactMessage, status: "open", answeredAt: null, resolution: null, answerBy: isoDaysFromToday(2) });
          p.summary.openRequests += 1;
        }
        setStatus({ ...status, pending: status.pending + 1 });
        return uuid();
      }
      case "record_visit": {
        const p = find(args.placementId);
        const input = args.input as VisitInput;
        const at = new Date(input.at);
        if (Number.isNaN(at.getTime())) fail("invalid_input", "Ugyldig tidspunkt for besøket.", { validation: "invalid_date", field: "visit_time" });
        if (at.getTime() > Date.now() + 86_400_000) fail("invalid_input", "Tidspunkt for besøket kan ikke være fram i tid.", { validation: "in_future", field: "visit_time" });
        const id = uuid();
        const original = input.corrects ? entry(p, "visit", input.corrects) : undefined;
        if (input.corrects && !original) fail("unknown_record", "Fant ikke besøket som skal rettes.");
        if (original) original.status = "corrected";
        p.overview.timeline.unshift({
          kind: "visit",
          id,
          at: input.at,
          text: input.summary,
          status: original ? "correction" : null,
          corrects: original ? original.id : null,
          correctedSummary: original ? original.text : null,
        });
        visits.set(id, {
          id,
          at: input.at,
          kind: input.kind,
          place: input.place,
          attendees: input.attendees,
          summary: input.summary,
          attendanceSinceLast: input.attendanceSinceLast,
          taskProgress: input.taskProgress,
          employerRating: input.employerRating,
          candidateRating: input.candidateRating,
          nextVisit: input.nextVisit,
          corrects: input.corrects,
        });
        if (input.adviserNote) {
          p.overview.timeline.unshift({ kind: "adviser_note", id: uuid(), at: input.at, text: input.adviserNote, author: app.userName ?? "" });
        }
        for (const a of input.actions) {
          p.overview.timeline.unshift({ kind: "action", id: uuid(), at: input.at, text: a.what, status: "open", due: a.due, owner: a.owner });
        }
        if (input.nextVisit) p.summary.nextVisit = p.overview.facts.nextVisit = input.nextVisit;
        syncLog.push({ at: new Date().toISOString(), document: "shared", kind: "sent_received", params: { sent: "1", received: "0" } });
        setStatus({ ...status, pending: status.pending + 1 });
        return id;
      }
      case "get_visit": {
        const p = find(args.placementId);
        const visitId = args.visitId as string;
        const recorded = visits.get(visitId);
        if (recorded) return recorded;
        // The seeded visits: what their timeline entry says.
        const item = entry(p, "visit", visitId);
        if (!item) fail("unknown_record", "Fant ikke besøket i dette oppfølgingsløpet.");
        return {
          id: item.id,
          at: item.at,
          kind: "on_site",
          place: "",
          attendees: [],
          summary: item.text,
          attendanceSinceLast: "",
          taskProgress: "",
          employerRating: null,
          candidateRating: null,
          nextVisit: null,
          corrects: item.corrects,
        } satisfies VisitRecord;
      }
      case "acknowledge_request":
      case "resolve_request": {
        const p = find(args.placementId);
        const request = entry(p, "contact_request", String(args.requestId));
        if (!request) return fail("unknown_record", "Fant ikke ønsket om kontakt.");
        if (request.status === "resolved") fail("already_resolved", "Ønsket om kontakt er allerede løst.");
        request.answeredAt = new Date().toISOString();
        if (cmd === "resolve_request") {
          request.status = "resolved";
          request.resolution = String(args.resolution) || null;
          p.summary.openRequests = Math.max(0, p.summary.openRequests - 1);
        } else {
          request.status = "acknowledged";
        }
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "add_training_task": {
        const p = find(args.placementId);
        const input = args.input as TrainingTaskInput;
        if (!input.title.trim()) fail("invalid_input", "Oppgave mangler.", { validation: "required", field: "task" });
        if (input.title.length > SHORT_MAX) fail("invalid_input", `Oppgave kan ha høyst ${SHORT_MAX} tegn.`, {
            validation: "too_long",
            field: "task",
            max: String(SHORT_MAX),
            len: String(input.title.length),
          });
        const id = uuid();
        p.overview.trainingPlan.push({
          id,
          text: input.title,
          detail: input.responsible + (input.targetDate ? ` · ${input.targetDate}` : ""),
          status: "not_started",
        });
        setStatus({ ...status, pending: status.pending + 1 });
        return id;
      }
      case "set_task_status": {
        const p = find(args.placementId);
        const task = p.overview.trainingPlan.find((i) => i.id === args.taskId);
        if (!task) return fail("unknown_record", "Fant ikke oppgaven i opplæringsplanen.");
        if (!(TASK_STATUSES as readonly unknown[]).includes(args.status)) fail("invalid_input", `Ukjent status: ${String(args.status)}`);
        task.status = String(args.status);
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "set_action_status": {
        const p = find(args.placementId);
        const action = entry(p, "action", String(args.actionId));
        if (!action) return fail("unknown_record", "Fant ikke tiltaket.");
        if (!(ACTION_STATUSES as readonly unknown[]).includes(args.status)) fail("invalid_input", `Ukjent status: ${String(args.status)}`);
        action.status = String(args.status);
        const today = todayIso();
        p.summary.overdueActions = p.overview.timeline.filter(
          (i) => i.kind === "action" && (i.status === "open" || i.status === "in_progress") && i.due !== null && i.due < today,
        ).length;
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "edit_note": {
        const p = find(args.placementId);
        const body = String(args.body);
        if (!body.trim()) fail("invalid_input", "Notat mangler.", { validation: "required", field: "note" });
        const note = p.overview.timeline.find(
          (i): i is Extract<TimelineItem, { kind: "note" | "adviser_note" }> =>
            (i.kind === "note" || i.kind === "adviser_note") && i.id === args.noteId,
        );
        if (!note) return fail("unknown_record", "Fant ikke notatet.");
        note.text = body;
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "add_note": {
        const p = find(args.placementId);
        const input = args.input as NoteInput;
        if (!input.body.trim()) fail("invalid_input", "Notat mangler.", { validation: "required", field: "note" });
        const id = uuid();
        p.overview.timeline.unshift({ kind: "note", id, at: new Date().toISOString(), text: input.body, author: app.userName ?? "", authorRole: app.role });
        setStatus({ ...status, pending: status.pending + 1 });
        return id;
      }
      case "add_goal": {
        const p = find(args.placementId);
        const input = args.input as { category: string; description: string };
        if (!input.description.trim()) fail("invalid_input", "Beskrivelse av målet mangler.", { validation: "required", field: "goal_description" });
        const id = uuid();
        p.overview.goals.push({ id, text: input.description, detail: input.category, status: null });
        return id;
      }
      case "add_adaptation": {
        const p = find(args.placementId);
        const input = args.input as { description: string; agreedOn: string };
        if (!input.description.trim()) fail("invalid_input", "Tilrettelegging mangler.", { validation: "required", field: "adaptation" });
        const id = uuid();
        p.overview.adaptations.push({ id, text: input.description, detail: input.agreedOn, status: "active" });
        return id;
      }
      case "add_contact_person": {
        const p = find(args.placementId);
        const input = args.input as { name: string; role: string; phone: string; email: string };
        if (!input.name.trim()) fail("invalid_input", "Navn på kontaktperson mangler.", { validation: "required", field: "contact_name" });
        const id = uuid();
        p.overview.contactPersons.push({ id, text: input.name, detail: contactDetail(input), status: null });
        return id;
      }
      case "set_response_time": {
        const p = find(args.placementId);
        const days = Number(args.workingDays);
        if (!Number.isInteger(days) || days < RESPONSE_WORKING_DAYS_MIN || days > RESPONSE_WORKING_DAYS_MAX)
          fail("invalid_input", `Svarfristen må være mellom ${RESPONSE_WORKING_DAYS_MIN} og ${RESPONSE_WORKING_DAYS_MAX}.`, {
            validation: "out_of_range",
            field: "response_time",
            min: String(RESPONSE_WORKING_DAYS_MIN),
            max: String(RESPONSE_WORKING_DAYS_MAX),
          });
        p.overview.facts.responseWorkingDays = days;
        return null;
      }
      case "record_history": {
        const p = find(args.placementId);
        const item = p.overview.timeline.find((i) => i.id === args.recordId);
        if (!item) return fail("unknown_record", "Fant ikke oppføringen.");
        const text = "text" in item ? item.text : null;
        const first = { at: item.at, device: "d-adviser", by: "Kari Veileder", fields: [], text: null };
        return {
          collection: item.kind,
          entries:
            item.kind === "note" || item.kind === "adviser_note"
              ? [{ ...first, change: "note.add", by: item.author, text }]
              : [{ ...first, change: item.kind === "observation" ? "observation.log" : "action.add" }],
        };
      }
      case "cancel_export":
        return false;
      case "export_access": {
        find(args.placementId);
        progressed(args.onProgress);
        return `${String(args.into)}/folgesvenn-innsyn-${todayIso()}-${String(args.placementId).slice(0, 8)}`;
      }
      case "export_visit_report": {
        find(args.placementId);
        progressed(args.onProgress);
        return `${String(args.into)}/besoksrapport-${todayIso()}-${String(args.visitId).slice(0, 8)}${args.internal ? "-intern" : ""}.pdf`;
      }
      case "export_placement_summary": {
        find(args.placementId);
        progressed(args.onProgress);
        return `${String(args.into)}/oppsummering-${String(args.from)}-${String(args.to)}.pdf`;
      }
      case "record_values": {
        const p = find(args.placementId);
        return valuesOf(p, (args.recordId as string | null) ?? null) ?? fail("unknown_record", "Fant ikke oppføringen.");
      }
      case "edit_record": {
        const p = find(args.placementId);
        applyValues(p, (args.recordId as string | null) ?? null, args.values as RecordValues);
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "settle_conflict": {
        const p = find(args.placementId);
        const input = args.input as { path: string[]; value: string };
        const key = input.path.join("/");
        const c = p.overview.conflicts.find((x) => x.path.join("/") === key);
        if (!c?.values.some((v) => v.value === input.value))
          fail("invalid_input", "Feltet er endret siden verdiene ble vist. Se på dem på nytt.", { validation: "inconsistent", rule: "conflict_gone" });
        p.overview.conflicts = p.overview.conflicts.filter((x) => x !== c);
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "placement_consents":
        return find(args.placementId).consents ?? [];
      case "give_consent": {
        const p = find(args.placementId);
        const input = args.input as ConsentInput;
        if (!input.textVersion.trim())
          fail("invalid_input", "Versjon av samtykketeksten mangler.", { validation: "required", field: "consent_version" });
        if (input.scopes.length === 0) fail("invalid_input", "Samtykke mangler.", { validation: "required", field: "consent" });
        const id = uuid();
        p.consents = [
          ...(p.consents ?? []),
          {
            id,
            scopes: [...new Set(input.scopes)].sort(),
            textVersion: input.textVersion.trim(),
            givenAt: new Date().toISOString(),
            givenBy: app.userName ?? "",
            withdrawnAt: null,
            withdrawnBy: null,
            allowsEmployer: input.scopes.includes("follow_up"),
          },
        ];
        return id;
      }
      case "withdraw_consent": {
        const p = find(args.placementId);
        const consent = p.consents?.find((c) => c.id === args.consentId);
        if (!consent) return fail("unknown_record", "Fant ikke samtykket.");
        if (consent.withdrawnAt) fail("invalid_input", "Samtykket er allerede trukket tilbake.", { validation: "inconsistent", rule: "consent_already_withdrawn" });
        consent.withdrawnAt = new Date().toISOString();
        consent.withdrawnBy = app.userName ?? "";
        consent.allowsEmployer = false;
        const still = p.consents?.some((c) => c.allowsEmployer) ?? false;
        return { employerDevicesRemoved: still ? 0 : 1 };
      }
      case "invite_new_device": {
        if (placements.length === 0)
          fail("nothing_to_pair", "Det er ingen oppfølgingsløp å hente til en ny enhet.");
        return { code: { ...mockPairing("WXYZ-ABCD-EFGH-JKLM"), fullCode: "", qrHolds: "short" }, placements: placements.length, documents: placements.length * 2 };
      }
      case "invite_own_device":
        find(args.placementId);
        return [mockPairing("ABCD-EFGH-JKLM-NPQR"), mockPairing("QRST-UVWX-YZAB-CDEF")];
      case "invite_employer": {
        if (!(find(args.placementId).consents ?? []).some((c) => c.allowsEmployer))
          fail(
            "consent_missing",
            "Arbeidsgiveren kan ikke inviteres før kandidatens samtykke til oppfølging sammen med arbeidsgiveren er registrert.",
          );
        return mockPairing("ABCD-EFGH-JKLM-NPQR");
      }
      case "placement_members": {
        find(args.placementId);
        const members: PlacementMembers = {
          keyEpoch: 1,
          devices: [
            { deviceId: "d-adviser", name: "Kari Veileder", role: "adviser", thisDevice: true, creator: true, removed: false },
            { deviceId: "d-employer", name: "Per Verksmester", role: "employer", thisDevice: false, creator: false, removed: false },
          ],
        };
        return members;
      }
      case "activate_placement": {
        const p = find(args.placementId);
        if (p.overview.facts.status !== "planned")
          fail("status_transition", `Et oppfølgingsløp med status «${p.overview.facts.status}» kan ikke startes.`);
        setPlacementStatus(p, "active");
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "close_placement": {
        const p = find(args.placementId);
        const input = args.input as ClosePlacementInput;
        const facts = p.overview.facts;
        if (input.status !== "ended" && input.status !== "cancelled")
          fail("unknown_choice", `Ukjent status: ${input.status}`);
        if (!(CLOSE_REASONS as readonly string[]).includes(input.reason))
          fail("unknown_choice", `Ukjent årsak: ${input.reason}`);
        if (!parseIsoDate(input.on)) fail("invalid_date", "Sluttdato er ikke en gyldig dato.", { field: "end_date" });
        const allowed = input.status === "ended" ? ["active"] : ["planned", "active"];
        if (!allowed.includes(facts.status))
          fail("status_transition", `Et oppfølgingsløp med status «${facts.status}» kan ikke få status «${input.status}».`);
        if (input.on > todayIso()) fail("in_future", "Sluttdato kan ikke være fram i tid.", { field: "end_date" });
        if (input.on < plusDays(todayIso(), -EMPLOYER_ACCESS_DAYS))
          fail("out_of_range", "Sluttdato kan være høyst 12 uker tilbake i tid.", { field: "end_date" });
        if (input.status === "ended" && input.on < facts.startDate)
          fail("before_placement_start", `Sluttdato kan ikke være før oppfølgingsløpet startet (${facts.startDate}).`, {
            field: "end_date",
            start: facts.startDate,
          });
        setPlacementStatus(p, input.status);
        facts.closedOn = input.on;
        facts.closedReason = input.reason;
        facts.employerAccessEnds = plusDays(input.on, EMPLOYER_ACCESS_DAYS);
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "reopen_placement": {
        const p = find(args.placementId);
        const facts = p.overview.facts;
        const closed = facts.status === "ended" || facts.status === "cancelled";
        if (!closed || !facts.closedOn || !facts.employerAccessEnds)
          fail("status_transition", `Et oppfølgingsløp med status «${facts.status}» kan ikke åpnes igjen.`);
        if (todayIso() > facts.employerAccessEnds)
          fail(
            "reopen_too_late",
            `Oppfølgingsløpet ble avsluttet ${facts.closedOn}, og arbeidsgiveren hadde tilgang til og med ${facts.employerAccessEnds}. Det kan ikke åpnes igjen.`,
          );
        setPlacementStatus(p, todayIso() < facts.startDate ? "planned" : "active");
        facts.closedOn = null;
        facts.closedReason = null;
        facts.employerAccessEnds = null;
        setStatus({ ...status, pending: status.pending + 1 });
        return null;
      }
      case "remove_device":
        find(args.placementId);
        return null;
      case "remove_device_everywhere":
        return { placements: placements.length };
      case "join_placement": {
        const code = String(args.code).trim().toUpperCase();
        const fullCode = typeof args.fullCode === "string" ? args.fullCode.trim().toUpperCase() : "";
        if (!code) fail("invalid_input", "Skriv inn eller lim inn koden.", { validation: "required", field: "invitation_code" });
        const first = placements[0];
        const full = fullCode.startsWith("FS2-");
        if (code.startsWith("FS2-"))
          fail("short_code_missing", "Den lange koden er låst. Skriv også den korte koden som står ved siden av QR-koden.");
        if (full && code.replace(/[^A-Z]/g, "").length !== 16)
          fail("short_code_mismatch", "Den korte koden hører ikke til den lange koden. Skriv den korte koden som står ved siden av QR-koden.");
        if (fullCode.startsWith("FS2-ANNEN") && !args.allowNewRelay)
          fail(
            "unfamiliar_relay",
            "Koden sender notatene via en relay denne enheten ikke bruker: https://relay.example.org. Fortsett bare hvis veilederen har bekreftet denne adressen.",
            { relay: "https://relay.example.org" },
          );
        const one = (id: string) => ({ placementId: id, placements: 1, missing: 0 });
        if (full && first) return one(first.summary.id);
        if (code.replace(/[^A-Z]/g, "").length !== 16) fail("bad_invitation", "Koden er ikke gyldig. Sjekk at du har skrevet den riktig.");
        if (syncMode === "offline") fail("offline", "Fikk ikke kontakt med synkroniseringstjenesten. Bruk den lange koden, den virker uten nett.");
        if (!first) return fail("bad_invitation", "Fant ingen invitasjon med denne koden.");
        return one(first.summary.id);
      }
      case "placement_sync_log": {
        find(args.placementId);
        const log: PlacementSyncLog = {
          lines: syncLog,
          quarantined:
            syncMode === "quarantine"
              ? [{ receivedAt: daysAgoAt(0, 8), document: "shared", kind: "no_key_for_epoch", params: { epoch: "2" } }]
              : [],
        };
        return log;
      }
      case "sync_status":
        return status;
      case "sync_now":
        runSync();
        return null;
      case "save_draft":
        drafts.set(String(args.key), String(args.value));
        return null;
      case "load_draft":
        return drafts.get(String(args.key)) ?? null;
      case "clear_draft":
        drafts.delete(String(args.key));
        return null;
      default:
        return fail("unknown_command", `Ukjent kommando: ${cmd}`);
    }
  }

  // Drafts live in the encrypted store in the app; here, in memory.
  const drafts = new Map<string, string>();
  const syncLog: SyncLogLine[] = [
    { at: daysAgoAt(2, 9), document: "shared", kind: "sent_received", params: { sent: "2", received: "0" } },
    { at: daysAgoAt(1, 16), document: "private", kind: "sent_received", params: { sent: "1", received: "0" } },
    { at: daysAgoAt(0, 8), document: "shared", kind: "sent_received", params: { sent: "0", received: "1" } },
  ];

  mockIPC(
    (cmd: string, args?: InvokeArgs) =>
      delay(null).then(() => handle(cmd, (args ?? {}) as Record<string, unknown>)),
    { shouldMockEvents: true },
  );

  window.setInterval(runSync, 20_000);
}
