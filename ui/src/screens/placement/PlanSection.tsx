import { BodyShort, Box, Detail, Heading, HStack, Tag, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { PlanItem } from "../../bindings/PlanItem";
import { codeLabel, type CodeList } from "../../codes";
import { planStatusColor } from "./planItems";

interface PlanSectionProps {
  title: string;
  items: PlanItem[];
  testId: string;
  detail: (item: PlanItem) => string;
  statusList?: CodeList;
}

/** One part of the plan (goals, adaptations, contact persons) as a titled list; nothing if empty. */
export function PlanSection({ title, items, testId, detail, statusList }: PlanSectionProps) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-label={title}
      data-testid={testId}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {title}
        </Heading>
        <ul className="plain-list">
            {items.map((item) => {
              const d = detail(item);
              return (
                <li key={item.id} data-testid="plan-item" data-status={item.status ?? undefined} data-id={item.id}>
                  <HStack gap="space-8" justify="space-between" align="start" wrap={false}>
                    <VStack gap="space-0">
                      <BodyShort className="pre-line">{item.text}</BodyShort>
                      {d && <Detail textColor="subtle">{d}</Detail>}
                    </VStack>
                    {statusList && item.status && (
                      <Tag size="xsmall" variant="moderate" data-color={planStatusColor(item.status)}>
                        {codeLabel(t, statusList, item.status)}
                      </Tag>
                    )}
                  </HStack>
                </li>
              );
            })}
          </ul>
      </VStack>
    </Box>
  );
}
