import type { PlacementSummary } from "../bindings/PlacementSummary";

/** A row of the placement list for tests: an active placement with nothing waiting, logged `today`. */
export function placementSummary(today: string, patch: Partial<PlacementSummary> = {}): PlacementSummary {
  return {
    id: "p1",
    candidateName: "Ola",
    employerName: "Lager AS",
    measure: "work_training",
    status: "active",
    startDate: "2026-01-05",
    endDate: null,
    nextVisit: null,
    openRequests: 0,
    overdueActions: 0,
    lateRequests: 0,
    lastObservation: today,
    ...patch,
  };
}
