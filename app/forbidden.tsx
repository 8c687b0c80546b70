import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold">Your role does not reach this page</h1>
      <p className="mt-2 text-slate-600">An admin can change your role in Settings → Users.</p>
      <Link href="/" className="mt-6 inline-block text-brand-600 underline">
        Back to the console
      </Link>
    </main>
  );
}
