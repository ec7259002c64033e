import { CheckmarkIcon, EyeIcon } from "@navikt/aksel-icons";
import { Alert, Box, Button, Textarea, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { acknowledgeRequest, resolveRequest } from "../../api";
import { useErrorText } from "../../errorText";
import { charCount } from "../../format";
import { draftKey, useDraft } from "../../hooks/useDraft";
import { FIELD_MAX } from "../../bindings/rules";

/** What the Rust side accepts as an answer to a contact request. */
const RESOLUTION_MAX = FIELD_MAX;

/** The adviser's answer to an open contact request: "seen", and a resolution to write. */
export function RequestActions({
  requestId,
  placementId,
  open,
  onChanged,
}: {
  requestId: string;
  placementId: string;
  /** Not yet seen: "Marker som sett" is offered too. */
  open: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // The answer is kept as a draft while it is typed, like every other form.
  const draft = useDraft(draftKey("request-resolution", requestId), { resolution: "" });
  const [busy, setBusy] = useState<"acknowledge" | "resolve" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const resolution = draft.value.resolution;
  const tooLong = charCount(resolution) > RESOLUTION_MAX;
  const fieldId = `request-resolution-${requestId}`;

  async function run(action: "acknowledge" | "resolve") {
    if (action === "resolve" && tooLong) return;
    setBusy(action);
    setError(null);
    try {
      if (action === "acknowledge") {
        await acknowledgeRequest(placementId, requestId);
      } else {
        await resolveRequest(placementId, requestId, resolution.trim());
        draft.clear();
      }
      setBusy(null);
      onChanged();
    } catch (e) {
      setError(errorText(e));
      setBusy(null);
    }
  }

  return (
    <Box
      padding="space-12"
      background="neutral-soft"
      borderRadius="8"
      data-testid="request-actions"
    >
      <VStack gap="space-12">
        {open && (
          <div>
            <Button
              size="small"
              variant="secondary"
              icon={<EyeIcon aria-hidden />}
              loading={busy === "acknowledge"}
              disabled={busy !== null}
              onClick={() => void run("acknowledge")}
              data-testid="request-acknowledge"
            >
              {t("request.acknowledge")}
            </Button>
          </div>
        )}
        <Textarea
          id={fieldId}
          label={t("request.resolution")}
          description={t("request.resolutionDescription")}
          size="small"
          minRows={2}
          maxLength={RESOLUTION_MAX}
          value={resolution}
          onChange={(e) => draft.update({ resolution: e.target.value })}
          error={tooLong ? t("request.tooLong", { max: RESOLUTION_MAX }) : undefined}
          data-testid="request-resolution"
        />
        <div>
          <Button
            size="small"
            icon={<CheckmarkIcon aria-hidden />}
            loading={busy === "resolve"}
            disabled={busy !== null}
            onClick={() => void run("resolve")}
            data-testid="request-resolve"
          >
            {t("request.resolve")}
          </Button>
        </div>
        {error && (
          <Alert variant="error" size="small" data-testid="request-error">
            {error}
          </Alert>
        )}
      </VStack>
    </Box>
  );
}
