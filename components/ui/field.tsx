import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";

const CONTROL =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-500 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100 aria-invalid:border-red-500 disabled:cursor-default disabled:border-slate-200 disabled:bg-slate-100 disabled:text-slate-700 disabled:shadow-none";

/**
 * A field that can only be read (a viewer's copy of the policy) must not look like one that can be
 * typed in: no white box, no shadow, no focus ring. Only for inputs and textareas: a <select>
 * always matches :read-only, so it signals "read-only" with `disabled` instead.
 */
export const READ_ONLY_CONTROL =
  "read-only:cursor-default read-only:border-slate-200 read-only:bg-slate-100 read-only:text-slate-700 read-only:shadow-none read-only:focus:ring-0";

export function Field({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string | null; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label className="block space-y-1">
        <span className="text-sm font-medium text-slate-700">{label}</span>
        {children}
      </label>
      {error ? <p className="text-xs text-red-600">{error}</p> : hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

export function Input({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={`${CONTROL} ${READ_ONLY_CONTROL} ${className}`} {...props} />;
}

export function Select({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={`${CONTROL} ${className}`} {...props} />;
}

export function Textarea({ className = "", ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={`${CONTROL} ${READ_ONLY_CONTROL} ${className}`} {...props} />;
}
