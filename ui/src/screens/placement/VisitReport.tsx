import { FilePdfIcon } from "@navikt/aksel-icons";
import { Button, HStack, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { exportVisitReport } from "../../api";
import { ExportStatus } from "../../components/ExportStatus";
import { useFolderExport } from "../../hooks/useFolderExport";

/**
 * A visit report for NAV's case file (PDF/A), saved in a folder the adviser chooses: the normal
 * version never holds her own notes; the internal one does, and says so on its first page.
 */
export function VisitReport({ placementId, visitId }: { placementId: string; visitId: string }) {
  const { t } = useTranslation();
  const report = useFolderExport((message) => t("visitReport.failed", { message }));
  const make = (internal: boolean) =>
    void report.run(t("visitReport.choose"), (into, job) => exportVisitReport(placementId, visitId, internal, into, job));
  return (
    <VStack gap="space-4">
      <HStack gap="space-8" wrap>
        <Button
          size="xsmall"
          variant="tertiary"
          icon={<FilePdfIcon aria-hidden />}
          loading={report.busy}
          onClick={() => make(false)}
          data-testid="visit-report"
        >
          {t("visitReport.make")}
        </Button>
        <Button
          size="xsmall"
          variant="tertiary"
          icon={<FilePdfIcon aria-hidden />}
          loading={report.busy}
          onClick={() => make(true)}
          data-testid="visit-report-internal"
        >
          {t("visitReport.makeInternal")}
        </Button>
      </HStack>
      <ExportStatus exp={report} written={t("visitReport.written")} testId="visit-report" />
    </VStack>
  );
}
