// A fake Rust side for looking at the screens in a plain browser during development.
// Loaded only when VITE_MOCK=1 (see main.tsx); never part of the production build.
//
// Query parameters pick a starting point:
//   ?device=fresh      first run (default: an adviser's device, unlocked)
//   ?device=locked     set up with a passphrase ("riktig hest batteri"), locked
//   ?device=employer   an employer's device, unlocked
//   ?sync=offline|error|quarantine
//   ?empty=1           no placements
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { InvokeArgs } from "@tauri-apps/api/core";
import type { AppState } from "../bindings/AppState";
import type { CommandError } from "../bindings/CommandError";
import type { NewPlacementInput } from "../bindings/NewPlacementInput";
import type { ObservationInput } from "../bindings/ObservationInput";
import type { Overview } from "../bindings/Overview";
import type { PlacementSummary } from "../bindings/PlacementSummary";
import type { SearchHit } from "../bindings/SearchHit";
import type { SetupInput } from "../bindings/SetupInput";
import type { SyncStatus } from "../bindings/SyncStatus";
import { isoDaysFromToday, todayIso } from "../format";

const PASSPHRASE = "riktig hest batteri";

function fail(kind: string, message: string): never {
  const error: CommandError = { kind, message };
  // Tauri rejects with the plain serialised object, not an Error: mimic that.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw error;
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
}

function seed(): Placement[] {
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
        hoursPerWeek: 20,
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
      lastObservation: null,
      ...extra,
    };
    return { overview, summary };
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
          { path: ["visits", "3f2a9c1e-1111-4c3b-8d2e-9a0b1c2d3e4f", "summary"], values: ["Gikk bra, avtalte ny uke.", "Gikk bra. Ny prat om to uker."] },
        ];
        o.timeline = [
          { kind: "observation", id: uuid(), at: daysAgoAt(1, 15), text: "Fylte på meieri og frukt.\nVar blid med kundene.", status: "present" },
          { kind: "contact_request", id: uuid(), at: daysAgoAt(1, 15), text: "Kan vi snakke om arbeidstiden neste uke?", status: "open" },
          { kind: "observation", id: uuid(), at: daysAgoAt(2, 14), text: "Kom 20 min for sent, bussen var forsinket.", status: "late" },
          { kind: "action", id: uuid(), at: daysAgoAt(8, 11), text: "Skaffe vernesko", status: "open" },
          { kind: "visit", id: uuid(), at: daysAgoAt(8, 10), text: "Trepartsmøte på butikken. Ola trives, vil prøve varemottak.", status: null },
          { kind: "note", id: uuid(), at: daysAgoAt(12, 9), text: "Per ønsker en prat om opplæringsplanen.", status: null },
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
  ];
}

export function installMockBackend(): void {
  const params = new URLSearchParams(window.location.search);
  const device = params.get("device") ?? "adviser";
  const syncMode = params.get("sync") ?? "ok";
  let placements = params.get("empty") === "1" ? [] : seed();

  const app: AppState = {
    initialized: device !== "fresh",
    unlocked: device === "adviser" || device === "employer",
    role: device === "fresh" || device === "locked" ? null : device === "employer" ? "employer" : "adviser",
    userName: device === "employer" ? "Per Butikksjef" : device === "fresh" || device === "locked" ? null : "Kari Veileder",
    relay: device === "fresh" ? null : "http://127.0.0.1:8787",
    needsPassphrase: device === "locked",
  };

  let status: SyncStatus = {
    state:
      syncMode === "offline"
        ? { state: "offline", reason: "Fikk ikke kontakt med relayet" }
        : syncMode === "error"
          ? { state: "error", kind: "relay", message: "Relayet svarte med feil 500" }
          : { state: "idle" },
    lastSuccessMs: syncMode === "ok" || syncMode === "quarantine" ? Date.now() - 4 * 60_000 : null,
    pending: syncMode === "offline" ? 3 : 0,
    quarantined: syncMode === "quarantine" ? 1 : 0,
    failures: 0,
    nextAttemptInMs: 15_000,
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
      setStatus({ ...status, state: { state: "idle" }, lastSuccessMs: Date.now(), pending: 0 });
    }, 900);
  }

  const find = (id: unknown): Placement =>
    placements.find((p) => p.summary.id === id) ?? fail("unknown_placement", "Fant ikke oppfølgingsløpet.");

  const delay = <T>(value: T): Promise<T> => new Promise((resolve) => window.setTimeout(() => resolve(value), 120));

  function handle(cmd: string, args: Record<string, unknown>): unknown {
    switch (cmd) {
      case "app_state":
        return { ...app };
      case "setup_device": {
        const input = args.input as SetupInput;
        if (input.passphrase !== null && input.passphrase.length < 12)
          fail("invalid_input", "Passordfrasen må ha minst 12 tegn.");
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
        Object.assign(app, { unlocked: true, role: "adviser", userName: "Kari Veileder" });
        return { ...app };
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
            lastObservation: null,
          },
          overview: {
            id,
            facts: {
              candidateName: input.candidateName,
              employerName: input.employerName,
              employerOrg: input.employerOrgNumber,
              adviserName: app.userName ?? "",
              measure: input.measure,
              status: placementStatus,
              startDate: input.startDate,
              endDate: input.endDate,
              closedOn: null,
              hoursPerWeek: input.hoursPerWeek,
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
        if (input.date > todayIso()) fail("invalid_input", "Dato kan ikke være fram i tid.");
        const at = new Date().toISOString();
        const text = [input.tasksDone, input.wentWell, input.problem].filter(Boolean).join("\n");
        p.overview.timeline.unshift({ kind: "observation", id: uuid(), at, text, status: input.attendance });
        p.summary.lastObservation = input.date;
        if (input.wantsContact) {
          p.overview.timeline.unshift({ kind: "contact_request", id: uuid(), at, text: input.contactMessage, status: "open" });
          p.summary.openRequests += 1;
        }
        setStatus({ ...status, pending: status.pending + 1 });
        return uuid();
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

  mockIPC(
    (cmd: string, args?: InvokeArgs) =>
      delay(null).then(() => handle(cmd, (args ?? {}) as Record<string, unknown>)),
    { shouldMockEvents: true },
  );

  window.setInterval(runSync, 20_000);
}
