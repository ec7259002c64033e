import { FolderFileIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, BodyShort, Button, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { exportAccess } from "../../api";
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
          onClick={() => void copy.run(t("access.choose"), (into) => exportAccess(placementId, into))}
          data-testid="access-export"
        >
          {t("access.export")}
        </Button>
      </div>
      <Written path={copy.written} text={t("access.written")} testId="access-written" />
      {copy.error && (
        <Alert variant="error" data-testid="access-error">
          {copy.error}
        </Alert>
      )}
    </VStack>
  );
}

/** Where an export was saved, once it was. */
export function Written({ path, text, testId }: { path: string | null; text: string; testId: string }) {
  if (!path) return null;
  return (
    <Alert variant="success" size="small" role="status" data-testid={testId}>
      <BodyShort size="small">{text}</BodyShort>
      <BodyShort size="small" className="break-all">
        {path}
      </BodyShort>
    </Alert>
  );
}
