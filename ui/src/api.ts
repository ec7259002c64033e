// The typed command layer: the only place the UI talks to the Rust side.
// One function per Tauri command; types come from Rust through ts-rs (src/bindings/).
import { invoke, type Channel, type InvokeArgs } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppState } from "./bindings/AppState";
import type { AdaptationInput } from "./bindings/AdaptationInput";
import type { ClosePlacementInput } from "./bindings/ClosePlacementInput";
import type { CommandError } from "./bindings/CommandError";
import type { ConsentInput } from "./bindings/ConsentInput";
import type { DevicePairingCode } from "./bindings/DevicePairingCode";
import type { DeviceRemoved } from "./bindings/DeviceRemoved";
import type { ConsentView } from "./bindings/ConsentView";
import type { ConsentWithdrawn } from "./bindings/ConsentWithdrawn";
import type { ContactPersonInput } from "./bindings/ContactPersonInput";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { GoalInput } from "./bindings/GoalInput";
import type { Joined } from "./bindings/Joined";
import type { NewPlacementInput } from "./bindings/NewPlacementInput";
import type { ObservationInput } from "./bindings/ObservationInput";
import type { NoteInput } from "./bindings/NoteInput";
import type { Overview } from "./bindings/Overview";
import type { PairingCode } from "./bindings/PairingCode";
import type { PlacementMembers } from "./bindings/PlacementMembers";
import type { PlacementSyncLog } from "./bindings/PlacementSyncLog";
import type { VisitInput } from "./bindings/VisitInput";
import type { VisitRecord } from "./bindings/VisitRecord";
import type { PlacementSummary } from "./bindings/PlacementSummary";
import type { SearchHit } from "./bindings/SearchHit";
import type { RecordHistory } from "./bindings/RecordHistory";
import type { RecordValues } from "./bindings/RecordValues";
import type { SettleConflictInput } from "./bindings/SettleConflictInput";
import type { SetupInput } from "./bindings/SetupInput";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { TrainingTaskInput } from "./bindings/TrainingTaskInput";

/** What every command rejects with: a `CommandError` that is also an `Error`. */
export class CommandFailure extends Error implements CommandError {
  readonly kind: string;
  /** The values `kind` names, for the UI's own sentence (none for a failure the UI made itself). */
  readonly params: CommandError["params"];

  constructor(error: Omit<CommandError, "params"> & Partial<Pick<CommandError, "params">>) {
    super(error.message);
    this.name = "CommandFailure";
    this.kind = error.kind;
    this.params = error.params ?? {};
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).kind === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** Any rejection (a command's `CommandError`, a string, an `Error`) as a `CommandError`. */
export function toCommandError(error: unknown): CommandFailure {
  if (error instanceof CommandFailure) return error;
  if (isCommandError(error)) return new CommandFailure(error);
  if (typeof error === "string") return new CommandFailure({ kind: "unknown", message: error });
  if (error instanceof Error) return new CommandFailure({ kind: "unknown", message: error.message });
  return new CommandFailure({ kind: "unknown", message: String(error) });
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Where the device stands: set up, unlocked, whose it is. Opens a keystore-protected store. */
export function appState(): Promise<AppState> {
  return call<AppState>("app_state");
}

/** First run: creates the encrypted store. */
export function setupDevice(input: SetupInput): Promise<AppState> {
  return call<AppState>("setup_device", { input });
}

/** Opens the store; `null` means: with the key from the OS keystore. */
export function unlock(passphrase: string | null): Promise<AppState> {
  return call<AppState>("unlock", { passphrase });
}

/** Locks the app: the store closes (its key and the loaded documents leave memory) until `unlock`. */
export function lockDevice(): Promise<AppState> {
  return call<AppState>("lock_device");
}

/** How many minutes without use before the app locks itself (`LOCK_AFTER_*_MINUTES`). */
export function setLockAfter(minutes: number): Promise<AppState> {
  return call<AppState>("set_lock_after", { minutes });
}

export function listPlacements(): Promise<PlacementSummary[]> {
  return call<PlacementSummary[]>("list_placements");
}

export function searchPlacements(query: string): Promise<SearchHit[]> {
  return call<SearchHit[]>("search_placements", { query });
}

/** Creates a placement (advisers only); resolves with its id. */
export function createPlacement(input: NewPlacementInput): Promise<string> {
  return call<string>("create_placement", { input });
}

export function placementOverview(placementId: string): Promise<Overview> {
  return call<Overview>("placement_overview", { placementId });
}

/** The employer's daily log; resolves with the new observation's id. */
export function logObservation(placementId: string, input: ObservationInput): Promise<string> {
  return call<string>("log_observation", { placementId, input });
}

/** Records a visit (or, with `corrects`, a correction as a new linked entry); resolves with its id. */
/** One visit, however far back in the timeline (a correction starts from it). */
export function getVisit(placementId: string, visitId: string): Promise<VisitRecord> {
  return call<VisitRecord>("get_visit", { placementId, visitId });
}

export function recordVisit(placementId: string, input: VisitInput): Promise<string> {
  return call<string>("record_visit", { placementId, input });
}

/** The adviser has seen a contact request. */
export function acknowledgeRequest(placementId: string, requestId: string): Promise<void> {
  return call<void>("acknowledge_request", { placementId, requestId });
}

/** The adviser has answered a contact request; `resolution` says how. */
export function resolveRequest(placementId: string, requestId: string, resolution: string): Promise<void> {
  return call<void>("resolve_request", { placementId, requestId, resolution });
}

/** A fresh invitation for the employer: short code, full code and QR code. Works offline. */
export function inviteEmployer(placementId: string): Promise<PairingCode> {
  return call<PairingCode>("invite_employer", { placementId });
}

/** Two codes for the adviser's own other device: the shared document's, then her own notes'. */
export function inviteOwnDevice(placementId: string): Promise<PairingCode[]> {
  return call<PairingCode[]>("invite_own_device", { placementId });
}

/**
 * Joins with a code. A long code that names a relay this device does not use fails with
 * `unfamiliar_relay` (its message names the address) until `allowNewRelay` is set, after the user
 * has seen the address.
 */
/** Joins with the short code alone, or with the full code (`FS2-…`) beside it, which it opens. */
export function joinPlacement(code: string, fullCode: string | null, allowNewRelay = false): Promise<Joined> {
  return call<Joined>("join_placement", { code, fullCode, allowNewRelay });
}

/**
 * One short code for the adviser's new device that brings every placement she follows (a device
 * pairing). Valid for an hour; needs the relay on both devices.
 */
export function inviteNewDevice(): Promise<DevicePairingCode> {
  return call<DevicePairingCode>("invite_new_device", {});
}

/** The placement's devices, current and removed, as their signed invitations prove them. */
export function placementMembers(placementId: string): Promise<PlacementMembers> {
  return call<PlacementMembers>("placement_members", { placementId });
}

/** Removes a device from the placement: the key rotates, the relay refuses it from the next sync. */
/** Removes a device from every placement this adviser device follows that it is a member of. */
export function removeDeviceEverywhere(deviceId: string): Promise<DeviceRemoved> {
  return call<DeviceRemoved>("remove_device_everywhere", { deviceId });
}

export function removeDevice(placementId: string, deviceId: string): Promise<void> {
  return call<void>("remove_device", { placementId, deviceId });
}

/** Starts a planned placement: planned → active. */
export function activatePlacement(placementId: string): Promise<void> {
  return call<void>("activate_placement", { placementId });
}

/**
 * Ends (from active) or cancels (from planned or active) a placement as of a day no later than
 * today, with a reason code. The employer keeps access for 12 weeks after that day.
 */
export function closePlacement(placementId: string, input: ClosePlacementInput): Promise<void> {
  return call<void>("close_placement", { placementId, input });
}

/** Opens an ended or cancelled placement again, while the employer still has access. */
export function reopenPlacement(placementId: string): Promise<void> {
  return call<void>("reopen_placement", { placementId });
}

/** What sync did for one placement, and what it could not apply (quarantine). */
export function placementSyncLog(placementId: string): Promise<PlacementSyncLog> {
  return call<PlacementSyncLog>("placement_sync_log", { placementId });
}

/** Adds a task to the training plan; resolves with its id. */
export function addTrainingTask(placementId: string, input: TrainingTaskInput): Promise<string> {
  return call<string>("add_training_task", { placementId, input });
}

/** A task's progress: `not_started`, `with_adaptation` or `can_do`. */
export function setTaskStatus(placementId: string, taskId: string, status: string): Promise<void> {
  return call<void>("set_task_status", { placementId, taskId, status });
}

/** An action's state: `open`, `in_progress`, `done` or `cancelled`. */
export function setActionStatus(placementId: string, actionId: string, status: string): Promise<void> {
  return call<void>("set_action_status", { placementId, actionId, status });
}

/** A note both the adviser and the employer see; resolves with its id. */
export function addNote(placementId: string, input: NoteInput): Promise<string> {
  return call<string>("add_note", { placementId, input });
}

/** A written note's new text; `isPrivate`: the adviser's own note. Its earlier text stays in history. */
export function editNote(placementId: string, noteId: string, body: string, isPrivate: boolean): Promise<null> {
  return call<null>("edit_note", { placementId, noteId, body, private: isPrivate });
}

/** Adds a goal to the plan (the adviser); resolves with its id. */
export function addGoal(placementId: string, input: GoalInput): Promise<string> {
  return call<string>("add_goal", { placementId, input });
}

/** Adds an adaptation agreed for the candidate (the adviser); resolves with its id. */
export function addAdaptation(placementId: string, input: AdaptationInput): Promise<string> {
  return call<string>("add_adaptation", { placementId, input });
}

/** Adds a contact person at the workplace (the adviser); resolves with its id. */
export function addContactPerson(placementId: string, input: ContactPersonInput): Promise<string> {
  return call<string>("add_contact_person", { placementId, input });
}

/** Agrees how many Norwegian working days NAV has to answer a contact request (the adviser). */
export function setResponseTime(placementId: string, workingDays: number): Promise<null> {
  return call<null>("set_response_time", { placementId, workingDays });
}

/** Who changed a record and when, oldest first, from the document's own history. */
export function recordHistory(placementId: string, recordId: string): Promise<RecordHistory> {
  return call<RecordHistory>("record_history", { placementId, recordId });
}

/** A record's values as its edit form starts from them; `recordId` `null`: the placement's own facts. */
export function recordValues(placementId: string, recordId: string | null): Promise<RecordValues> {
  return call<RecordValues>("record_values", { placementId, recordId });
}

/** Changes a record (`null`: the placement's facts) to the form's values; only what differs is written. */
export function editRecord(placementId: string, recordId: string | null, values: RecordValues): Promise<null> {
  return call<null>("edit_record", { placementId, recordId, values });
}

/** Writes the chosen value over a field two devices changed while apart; it syncs like an edit. */
export function settleConflict(placementId: string, input: SettleConflictInput): Promise<null> {
  return call<null>("settle_conflict", { placementId, input });
}

/** An export under way: the name `cancelExport` stops it by, and the channel its progress comes on. */
export interface ExportJob {
  id: string;
  onProgress: Channel<ExportProgress>;
}

/**
 * The candidate's right of access: everything this device holds about the placement, written as
 * a folder inside `into` (a folder the user chose). Resolves with the folder written.
 */
export function exportAccess(placementId: string, into: string, job: ExportJob): Promise<string> {
  return call<string>("export_access", { placementId, into, job: job.id, onProgress: job.onProgress });
}

/**
 * A visit report for NAV's case file (PDF/A), written inside `into` (a folder the user chose);
 * `internal`: with the adviser's own notes from the visit. Resolves with the file written.
 */
export function exportVisitReport(
  placementId: string,
  visitId: string,
  internal: boolean,
  into: string,
  job: ExportJob,
): Promise<string> {
  return call<string>("export_visit_report", { placementId, visitId, internal, into, job: job.id, onProgress: job.onProgress });
}

/** The placement summary for NAV's case file over `from`–`to` (PDF/A), written inside `into`. */
export function exportPlacementSummary(
  placementId: string,
  from: string,
  to: string,
  into: string,
  job: ExportJob,
): Promise<string> {
  return call<string>("export_placement_summary", { placementId, from, to, into, job: job.id, onProgress: job.onProgress });
}

/** Stops the export running as `job`; it leaves nothing behind and fails as `cancelled`. */
export function cancelExport(job: string): Promise<boolean> {
  return call<boolean>("cancel_export", { job });
}

/** Every consent recorded for the placement, oldest first (the adviser's devices). */
export function placementConsents(placementId: string): Promise<ConsentView[]> {
  return call<ConsentView[]>("placement_consents", { placementId });
}

/** Records the candidate's consent; with `follow_up` it lets the adviser invite the employer. */
export function giveConsent(placementId: string, input: ConsentInput): Promise<string> {
  return call<string>("give_consent", { placementId, input });
}

/** Records a withdrawal; without another consent, the employer's devices are removed at once. */
export function withdrawConsent(placementId: string, consentId: string): Promise<ConsentWithdrawn> {
  return call<ConsentWithdrawn>("withdraw_consent", { placementId, consentId });
}

export function syncStatus(): Promise<SyncStatus> {
  return call<SyncStatus>("sync_status");
}

export function syncNow(): Promise<void> {
  return call<void>("sync_now");
}

/** Every change of the sync status, as the Rust side emits it ("sync-status"). */
export async function onSyncStatus(callback: (status: SyncStatus) => void): Promise<UnlistenFn> {
  try {
    return await listen<SyncStatus>("sync-status", (event) => callback(event.payload));
  } catch (error) {
    throw toCommandError(error);
  }
}

/** Saves a half-written form in the encrypted store (never in the webview's own storage). */
export function saveDraft(key: string, value: string): Promise<void> {
  return call<void>("save_draft", { key, value });
}

/** A saved half-written form, or null. */
export function loadDraft(key: string): Promise<string | null> {
  return call<string | null>("load_draft", { key });
}

/** Forgets a half-written form (after it was saved for real). */
export function clearDraft(key: string): Promise<void> {
  return call<void>("clear_draft", { key });
}
