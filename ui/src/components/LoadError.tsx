import { Alert, BodyShort, Button, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { CommandFailure } from "../api";
import { useErrorText } from "../errorText";

/** A command failed while loading: what went wrong, in the UI's language, and a retry. */
export function LoadError({ error, onRetry }: { error: CommandFailure; onRetry: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <Alert variant="error" data-testid="load-error">
      <VStack gap="space-8" align="start">
        <Heading level="2" size="small">
          {t("app.loadFailed")}
        </Heading>
        <BodyShort>{errorText(error)}</BodyShort>
        <Button size="small" variant="secondary" onClick={onRetry}>
          {t("app.retry")}
        </Button>
      </VStack>
    </Alert>
  );
}
