import { FilePdfIcon } from "@navikt/aksel-icons";
import { BodyLong, Button, Heading, HStack, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { exportPlacementSummary } from "../../api";
import { DateField } from "../../components/DateField";
import { ExportStatus } from "../../components/ExportStatus";
import { todayIso } from "../../format";
import { useFolderExport } from "../../hooks/useFolderExport";

/**
 * «Til saksmappen»: the placement summary over a period the adviser chooses, as a PDF/A file for
 * NAV's case archive (the visit reports are made from each visit in the timeline).
 */
export function CaseFile({ placementId, startDate }: { placementId: string; startDate: string }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState(startDate);
  const [to, setTo] = useState(todayIso());
  const [invalid, setInvalid] = useState(false);
  const summary = useFolderExport((message) => t("caseFile.failed", { message }));
  const make = () => {
    const bad = !from || !to || to < from;
    setInvalid(bad);
    if (!bad) void summary.run(t("caseFile.choose"), (into, job) => exportPlacementSummary(placementId, from, to, into, job));
  };
  return (
    <VStack as="section" gap="space-12" aria-labelledby="case-file-heading" data-testid="case-file">
      <Heading level="2" size="medium" id="case-file-heading">
        {t("caseFile.heading")}
      </Heading>
      <BodyLong>{t("caseFile.intro")}</BodyLong>
      <HStack gap="space-16" align="start" wrap>
        <DateField id="case-file-from" label={t("caseFile.from")} value={from} onChange={(v) => setFrom(v)} testId="case-file-from" />
        <DateField
          id="case-file-to"
          label={t("caseFile.to")}
          value={to}
          onChange={(v) => setTo(v)}
          error={invalid ? t("caseFile.errors.period") : undefined}
          testId="case-file-to"
        />
      </HStack>
      <div>
        <Button
          variant="secondary"
          icon={<FilePdfIcon aria-hidden />}
          loading={summary.busy}
          onClick={make}
          data-testid="case-file-summary"
        >
          {t("caseFile.summary")}
        </Button>
      </div>
      <ExportStatus exp={summary} written={t("caseFile.written")} testId="case-file" />
    </VStack>
  );
}
