"use client";

import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { toCsv, type Column } from "./csv";

/** Saves text as a file in the browser. */
function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * A chart with its data: "Data" shows the same rows as a table (readable without the picture) and
 * "CSV" downloads exactly those rows and columns.
 */
export function ChartCard<Row>(props: {
  name: string;
  title: string;
  description?: ReactNode;
  columns: Column<Row>[];
  rows: Row[];
  children: ReactNode;
  className?: string;
}) {
  const [asTable, setAsTable] = useState(false);
  return (
    <Card
      className={props.className}
      title={props.title}
      actions={
        <div className="flex gap-2">
          <Button size="sm" variant="ghost" onClick={() => setAsTable((v) => !v)} aria-pressed={asTable}>
            {asTable ? "Chart" : "Data"}
          </Button>
          <Button
            size="sm"
            variant="secondary"
            onClick={() => download(`${props.name}.csv`, toCsv(props.columns, props.rows))}
            aria-label={`Download ${props.title} as CSV`}
          >
            CSV
          </Button>
        </div>
      }
    >
      {props.description ? <p className="-mt-1 mb-3 text-xs text-slate-500">{props.description}</p> : null}
      {asTable ? (
        <div className="max-h-72 overflow-auto">
          <table className="w-full text-left text-xs" data-testid={`table-${props.name}`}>
            <thead className="sticky top-0 bg-white">
              <tr>
                {props.columns.map((c) => (
                  <th key={c.key} className="px-2 py-1 font-medium text-slate-500">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {props.rows.map((row, i) => (
                <tr key={i}>
                  {props.columns.map((c) => (
                    <td key={c.key} className="px-2 py-1 font-mono">
                      {c.display ? <time dateTime={String(c.value(row) ?? "")}>{c.display(row)}</time> : (c.value(row) ?? "")}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div className="h-64" data-testid={`chart-${props.name}`} data-points={props.rows.length}>
          {props.children}
        </div>
      )}
    </Card>
  );
}
