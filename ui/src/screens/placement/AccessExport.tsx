import { FolderFileIcon } from "@navikt/aksel-icons";
import { BodyLong, Button, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { exportAccess } from "../../api";
import { ExportStatus } from "../../components/ExportStatus";
import { useFolderExport } from "../../hooks/useFolderExport";

/**
 * «Innsyn»: the candidate may ask to see everything stored about them (GDPR art. 15). The user
 * chooses a folder; the device writes into it a folder with everything it holds about the
 * placement (`docs/export.md`), which the audit log records. An employer's device holds, and so
 * writes, what the employer shares only.
 */
export function AccessExport({ placementId }: { placementId: string }) {
  const { t } = useTranslation();
  const copy = useFolderExport((message) => t("access.failed", { message }));
  return (
    <VStack as="section" gap="space-12" aria-labelledby="access-heading" data-testid="access-section">
      <Heading level="2" size="medium" id="access-heading">
        {t("access.heading")}
      </Heading>
      <BodyLong>{t("access.intro")}</BodyLong>
      <div>
        <Button
          variant="secondary"
          icon={<FolderFileIcon aria-hidden />}
          loading={copy.busy}
          onClick={() => void copy.run(t("access.choose"), (into, job) => exportAccess(placementId, into, job))}
          data-testid="access-export"
        >
          {t("access.export")}
        </Button>
      </div>
      <ExportStatus exp={copy} written={t("access.written")} testId="access" />
    </VStack>
  );
}

