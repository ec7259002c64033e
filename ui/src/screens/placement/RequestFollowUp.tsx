import { BodyLong, Box, Detail, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../bindings/Role";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { RequestActions } from "./RequestActions";
import { durationText } from "./timeline";

/** A contact request's answer (time taken, resolution), and the adviser's buttons while it is open. */
export function RequestFollowUp({
  item,
  placementId,
  role,
  onChanged,
}: {
  item: Extract<TimelineItem, { kind: "contact_request" }>;
  placementId: string;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const taken = item.answeredAt ? Date.parse(item.answeredAt) - Date.parse(item.at) : Number.NaN;
  return (
    <VStack gap="space-8">
      {!Number.isNaN(taken) && (
        <Detail textColor="subtle" data-testid="request-time-taken">
          {item.status === "resolved"
            ? t("overview.answeredAfter", { duration: durationText(t, taken) })
            : t("overview.seenAfter", { duration: durationText(t, taken) })}
        </Detail>
      )}
      {item.resolution && (
        <Box padding="space-12" background="success-soft" borderRadius="8">
          <VStack gap="space-4">
            <Detail weight="semibold">{t("overview.resolutionHeading")}</Detail>
            <BodyLong size="small" className="pre-line" data-testid="request-resolution-text">
              {item.resolution}
            </BodyLong>
          </VStack>
        </Box>
      )}
      {role === "adviser" && (item.status === "open" || item.status === "acknowledged") && (
        <RequestActions requestId={item.id} placementId={placementId} open={item.status === "open"} onChanged={onChanged} />
      )}
    </VStack>
  );
}
