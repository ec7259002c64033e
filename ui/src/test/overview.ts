// A placement's overview as the command gives it, for screens under test.
import type { VisitRecord } from "../bindings/VisitRecord";
import type { Overview } from "../bindings/Overview";

export function overview(patch: Partial<Overview> = {}): Overview {
  return {
    id: "p1",
    facts: {
      candidateName: "Kari Nordmann",
      employerName: "Lager AS",
      employerOrg: "889640782",
      adviserName: "Vera Veileder",
      measure: "work_training",
      status: "active",
      startDate: "2026-01-05",
      endDate: null,
      closedOn: null,
      closedReason: null,
      employerAccessEnds: null,
      hoursPerWeek: 37.5,
      nextVisit: null,
      lastObservation: null,
      responseWorkingDays: 2,
    },
    goals: [],
    adaptations: [],
    contactPersons: [],
    trainingPlan: [],
    timeline: [],
    conflicts: [],
    ...patch,
  };
}

/** A recorded visit as `get_visit` returns it, with `patch` over the defaults. */
export function visitRecord(patch: Partial<VisitRecord> = {}): VisitRecord {
  return {
    id: "v1",
    at: "2026-04-02T12:30:00Z",
    kind: "on_site",
    place: "",
    attendees: [],
    summary: "",
    attendanceSinceLast: "",
    taskProgress: "",
    employerRating: null,
    candidateRating: null,
    nextVisit: null,
    corrects: null,
    ...patch,
  };
}
