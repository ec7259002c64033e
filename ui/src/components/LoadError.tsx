import { Alert, BodyShort, Button, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { CommandFailure } from "../api";

/** A command failed while loading: its (Norwegian) message and a retry. */
export function LoadError({ error, onRetry }: { error: CommandFailure; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert variant="error" data-testid="load-error">
      <VStack gap="space-8" align="start">
        <Heading level="2" size="small">
          {t("app.loadFailed")}
        </Heading>
        <BodyShort>{error.message}</BodyShort>
        <Button size="small" variant="secondary" onClick={onRetry}>
          {t("app.retry")}
        </Button>
      </VStack>
    </Alert>
  );
}
