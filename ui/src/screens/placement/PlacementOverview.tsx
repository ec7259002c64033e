import { ArrowLeftIcon, PencilWritingIcon } from "@navikt/aksel-icons";
import { Button, HGrid, HStack, Link, Tag, VStack } from "@navikt/ds-react";
import { useCallback, useEffect, useLayoutEffect } from "react";
import { useTranslation } from "react-i18next";
import { placementOverview } from "../../api";
import type { Overview } from "../../bindings/Overview";
import type { Role } from "../../bindings/Role";
import { codeLabel, statusColor } from "../../codes";
import { LoadError } from "../../components/LoadError";
import { PageTitle } from "../../components/PageTitle";
import { formatDate } from "../../format";
import { currentLanguage } from "../../i18n";
import { useLoad } from "../../hooks/useLoad";
import { useAfterPaint } from "../../hooks/useAfterPaint";
import { usePaintMark } from "../../hooks/usePaintMark";
import { href } from "../../hooks/useRoute";
import { useSyncRevision } from "../../sync";
import { AccessEnds } from "./AccessEnds";
import { Conflicts } from "./Conflicts";
import { ConsentSection } from "./ConsentSection";
import { EmployerDailyLog } from "./EmployerDailyLog";
import { Facts } from "./Facts";
import { InviteEmployer } from "./InviteEmployer";
import { LifecycleSection } from "./LifecycleSection";
import { MembersSection } from "./MembersSection";
import { NeedsAction } from "./NeedsAction";
import { OwnDevice } from "./OwnDevice";
import { PlacementLoading } from "./PlacementLoading";
import { AccessExport } from "./AccessExport";
import { CaseFile } from "./CaseFile";
import { PlanAdd } from "./PlanAdd";
import { PlanSection } from "./PlanSection";
import { SyncLogSection } from "./SyncLogSection";
import { entryElement, Timeline } from "./Timeline";
import { TrainingPlanSection } from "./TrainingPlanSection";

/**
 * One placement: what needs acting on first, then the facts, the plan (only its non-empty parts),
 * conflicts and what happened, newest first.
 */
export function PlacementOverview({ id, record, role }: { id: string; record?: string; role: Role | null }) {
  const { t } = useTranslation();
  const dataVersion = useSyncRevision();
  // The marks split opening's time (BENCHMARKS.md, the app table): before the command, the
  // command itself, and React's render and the paint after it.
  const load = useCallback(() => {
    performance.mark("asked:overview");
    return placementOverview(id).then((o) => {
      performance.mark("answered:overview");
      return o;
    });
  }, [id]);
  const overview = useLoad(load, dataVersion);
  usePaintMark("painted:overview", overview.data !== undefined, id);
  // The first screenful (down to the plan and the newest timeline entries) is drawn in the frame
  // after the data; the rest of the timeline and the sections below it in the task after that
  // paint. A link to one record draws everything at once, so the record is there to be shown.
  const whole = useAfterPaint(overview.data !== undefined, id) || record !== undefined;
  usePaintMark("painted:overview-whole", whole, id);
  // After React has put the overview in the page, before the browser lays it out and paints.
  useLayoutEffect(() => {
    if (overview.data !== undefined) performance.mark("rendered:overview");
  }, [overview.data]);
  useShowRecord(record, overview.data !== undefined);

  const back = (
    <Link href={href({ name: "list" })} data-testid="back-to-list">
      <ArrowLeftIcon aria-hidden />
      {t("overview.back")}
    </Link>
  );

  if (!overview.data) return <PlacementLoading back={back} overview={overview} />;

  const o = overview.data;
  return (
    <VStack gap="space-32" paddingBlock="space-32" data-testid="placement-overview" data-placement-id={o.id}>
      <VStack gap="space-16">
        {back}
        <HStack gap="space-12" align="center" wrap>
          <PageTitle testId="overview-candidate-name">{o.facts.candidateName}</PageTitle>
          <Tag variant="moderate" data-color={statusColor(o.facts.status)} data-testid="overview-status">
            {codeLabel(t, "status", o.facts.status)}
          </Tag>
        </HStack>
        {role === "employer" && o.facts.employerAccessEnds && (
          <AccessEnds status={o.facts.status} accessEnds={o.facts.employerAccessEnds} />
        )}
      </VStack>

      {overview.error && <LoadError error={overview.error} onRetry={overview.reload} />}

      {/* What this user acts on today comes first; the facts and the plan follow. */}
      <NeedsAction overview={o} role={role} />
      {/* Right below it, always in the same place (a saved log's confirmation stays put). */}
      {role === "employer" && (
        <EmployerDailyLog placementId={o.id} facts={o.facts} onSaved={overview.reload} />
      )}

      {role === "adviser" && (
        <HStack gap="space-16" wrap>
          <Button
            as="a"
            href={href({ name: "visit", id: o.id })}
            icon={<PencilWritingIcon aria-hidden />}
            data-testid="record-visit"
          >
            {t("overview.recordVisit")}
          </Button>
        </HStack>
      )}

      <Facts overview={o} role={role} onChanged={overview.reload} />

      {o.conflicts.length > 0 && (
        <Conflicts placementId={o.id} conflicts={o.conflicts} onSettled={overview.reload} />
      )}

      <HGrid columns={{ xs: 1, md: 2 }} gap="space-24">
        <PlanSection
          title={t("overview.goals")}
          items={o.goals}
          testId="overview-goals"
          placementId={o.id}
          canEdit={role === "adviser"}
          onChanged={overview.reload}
          detail={(item) => codeLabel(t, "goalCategory", item.detail)}
        />
        <TrainingPlanSection
          placementId={o.id}
          items={o.trainingPlan}
          onChanged={overview.reload}
          canAdd={role === "adviser"}
        />
        <PlanSection
          title={t("overview.adaptations")}
          items={o.adaptations}
          testId="overview-adaptations"
          placementId={o.id}
          canEdit={role === "adviser"}
          onChanged={overview.reload}
          statusList="adaptationStatus"
          detail={(item) => formatDate(item.detail, currentLanguage())}
        />
        <PlanSection
          title={t("overview.contactPersons")}
          items={o.contactPersons}
          testId="overview-contact-persons"
          placementId={o.id}
          canEdit={role === "adviser"}
          onChanged={overview.reload}
          detail={(item) => item.detail ?? ""}
        />
      </HGrid>

      {whole && role === "adviser" && <PlanAdd placementId={o.id} onSaved={overview.reload} />}

      <Timeline
        items={o.timeline}
        placementId={o.id}
        role={role}
        onChanged={overview.reload}
        show={record}
        firstScreen={!whole}
      />
      {whole && <Below overview={o} role={role} dataVersion={dataVersion} onChanged={overview.reload} />}
    </VStack>
  );
}

/** The sections below the timeline: drawn after the first screenful has been painted. */
function Below({
  overview: o,
  role,
  dataVersion,
  onChanged,
}: {
  overview: Overview;
  role: Role | null;
  dataVersion: unknown;
  onChanged: () => void;
}) {
  return (
    <>
      {role === "adviser" && (
        <LifecycleSection key={o.id} placementId={o.id} facts={o.facts} onChanged={onChanged} />
      )}
      {role === "adviser" && <ConsentSection placementId={o.id} refresh={dataVersion} onChanged={onChanged} />}
      {role === "adviser" && <InviteEmployer placementId={o.id} />}
      {role === "adviser" && <OwnDevice placementId={o.id} />}
      {role === "adviser" && <MembersSection placementId={o.id} refresh={dataVersion} />}

      {role === "adviser" && <CaseFile placementId={o.id} startDate={o.facts.startDate} />}
      <AccessExport placementId={o.id} />
      <SyncLogSection placementId={o.id} refresh={dataVersion} />
    </>
  );
}

/**
 * Once the overview is on screen, shows the record a link named (a search hit): scrolled to the
 * middle, focused, marked until the next click. A record not on this overview is left alone.
 */
function useShowRecord(record: string | undefined, ready: boolean) {
  useEffect(() => {
    if (!record || !ready) return;
    const el = entryElement(record, ["timeline-item", "plan-item"]);
    if (!el) return;
    el.setAttribute("tabindex", "-1");
    el.classList.add("shown-record");
    el.scrollIntoView?.({ block: "center" });
    el.focus({ preventScroll: true });
    const unmark = () => el.classList.remove("shown-record");
    window.addEventListener("pointerdown", unmark, { once: true });
    return () => window.removeEventListener("pointerdown", unmark);
  }, [record, ready]);
}
