import { DatePicker, useDatepicker, type DateValidationT } from "@navikt/ds-react";
import type { FocusEvent, ReactNode } from "react";
import { parseIsoDate, toIsoDate } from "../format";

/** What is wrong with what the user typed, beyond the value being empty. */
export type DateProblem = "invalid" | "before" | "after" | null;

function problemOf(v: DateValidationT): DateProblem {
  if (v.isEmpty || v.isValidDate) return null;
  if (v.isBefore) return "before";
  if (v.isAfter) return "after";
  return "invalid";
}

interface Props {
  id: string;
  label: ReactNode;
  description?: ReactNode;
  /** `YYYY-MM-DD`, or "" for none. Read when the field mounts: give it a `key` to reset it. */
  value: string;
  onChange: (value: string, problem: DateProblem) => void;
  onBlur?: (e: FocusEvent<HTMLInputElement>) => void;
  error?: ReactNode;
  fromDate?: string;
  toDate?: string;
  testId?: string;
}

/** Aksel's date picker (typed dd.mm.åååå or picked), speaking `YYYY-MM-DD` to the form. */
export function DateField({
  id,
  label,
  description,
  value,
  onChange,
  onBlur,
  error,
  fromDate,
  toDate,
  testId,
}: Props) {
  const { datepickerProps, inputProps } = useDatepicker({
    defaultSelected: parseIsoDate(value),
    fromDate: parseIsoDate(fromDate),
    toDate: parseIsoDate(toDate),
    onDateChange: (date) => onChange(date ? toIsoDate(date) : "", null),
    onValidate: (v) => {
      const problem = problemOf(v);
      if (problem) onChange("", problem);
    },
  });
  return (
    <DatePicker {...datepickerProps}>
      <DatePicker.Input
        {...inputProps}
        id={id}
        label={label}
        description={description}
        error={error}
        data-testid={testId}
        onBlur={(e) => {
          inputProps.onBlur?.(e);
          onBlur?.(e);
        }}
      />
    </DatePicker>
  );
}
