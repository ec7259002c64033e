import { Alert, BodyShort, Button, HStack, ProgressBar, VStack } from "@navikt/ds-react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { FolderExport } from "../hooks/useFolderExport";

/**
 * Where an export stands: how far it has come with «Avbryt» (once it takes more than a moment),
 * where it was saved, that it was stopped and nothing saved, or what went wrong. `testId` prefixes
 * each part (`-progress`, `-cancel`, `-written`, `-cancelled`, `-error`).
 */
export function ExportStatus({ exp, written, testId }: { exp: FolderExport; written: string; testId: string }) {
  const { t } = useTranslation();
  const label = useId();
  return (
    <>
      {exp.progress && (
        <VStack gap="space-4" data-testid={`${testId}-progress`}>
          <BodyShort size="small" id={label} aria-live="polite">
            {t(`export.${exp.progress.stage}`)}
          </BodyShort>
          <HStack gap="space-8" align="center" wrap={false}>
            <div className="grow">
              <ProgressBar size="small" value={exp.progress.percent} valueMax={100} aria-labelledby={label} />
            </div>
            <Button size="xsmall" variant="secondary" onClick={exp.cancel} data-testid={`${testId}-cancel`}>
              {t("export.cancel")}
            </Button>
          </HStack>
        </VStack>
      )}
      {exp.written && (
        <Alert variant="success" size="small" role="status" data-testid={`${testId}-written`}>
          <BodyShort size="small">{written}</BodyShort>
          <BodyShort size="small" className="break-all">
            {exp.written}
          </BodyShort>
        </Alert>
      )}
      {exp.cancelled && (
        <Alert variant="info" size="small" role="status" data-testid={`${testId}-cancelled`}>
          {t("export.cancelled")}
        </Alert>
      )}
      {exp.error && (
        <Alert variant="error" size="small" data-testid={`${testId}-error`}>
          {exp.error}
        </Alert>
      )}
    </>
  );
}
