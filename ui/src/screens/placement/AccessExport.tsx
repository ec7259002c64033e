import { FolderFileIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, BodyShort, Button, Heading, VStack } from "@navikt/ds-react";
import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { exportAccess } from "../../api";
import { useErrorText } from "../../errorText";

/**
 * «Innsyn»: the candidate may ask to see everything stored about them (GDPR art. 15). The user
 * chooses a folder; the device writes into it a folder with everything it holds about the
 * placement (`docs/export.md`), which the audit log records. An employer's device holds, and so
 * writes, what the employer shares only.
 */
export function AccessExport({ placementId }: { placementId: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [written, setWritten] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    setWritten(null);
    const into = await open({ directory: true, multiple: false, title: t("access.choose") }).catch(() => null);
    // Cancelled in the dialog: nothing is written.
    if (typeof into !== "string") return;
    setBusy(true);
    try {
      setWritten(await exportAccess(placementId, into));
    } catch (e) {
      setError(t("access.failed", { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

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
          loading={busy}
          onClick={() => void run()}
          data-testid="access-export"
        >
          {t("access.export")}
        </Button>
      </div>
      {written && (
        <Alert variant="success" role="status" data-testid="access-written">
          <BodyShort>{t("access.written")}</BodyShort>
          <BodyShort className="break-all">{written}</BodyShort>
        </Alert>
      )}
      {error && (
        <Alert variant="error" data-testid="access-error">
          {error}
        </Alert>
      )}
    </VStack>
  );
}
