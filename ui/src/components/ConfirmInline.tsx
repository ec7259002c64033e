import { BodyLong, Box, Button, HStack, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";

/**
 * A step that cannot be undone, confirmed in place: what will happen, a danger button that does
 * it, and a way back. `children` (a choice about how far it goes) sit between the text and the
 * buttons.
 */
export function ConfirmInline({
  text,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
  confirmTestId,
  cancelLabel,
  children,
}: {
  text: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  confirmTestId: string;
  cancelLabel?: string;
  children?: React.ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Box padding="space-12" background="warning-soft" borderRadius="8">
      <VStack gap="space-8">
        <BodyLong size="small">{text}</BodyLong>
        {children}
        <HStack gap="space-8">
          <Button type="button" size="small" variant="danger" loading={busy} onClick={onConfirm} data-testid={confirmTestId}>
            {confirmLabel}
          </Button>
          <Button type="button" size="small" variant="tertiary" onClick={onCancel}>
            {cancelLabel ?? t("app.cancel")}
          </Button>
        </HStack>
      </VStack>
    </Box>
  );
}
