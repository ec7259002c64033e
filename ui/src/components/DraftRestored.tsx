import { Alert, Button, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";

/** "A draft was restored", with the button that throws it away (`Form.clear`). */
export function DraftRestored({ onDiscard, testId = "draft-restored" }: { onDiscard: () => void; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Alert variant="info" size="small" data-testid={testId}>
      <VStack gap="space-8" align="start">
        {t("app.draftRestored")}
        <Button type="button" size="small" variant="tertiary" onClick={onDiscard}>
          {t("app.discardDraft")}
        </Button>
      </VStack>
    </Alert>
  );
}
