import Link from "next/link";

// Warden's own 404 (Next.js's default page writes an inline <style>, which the CSP refuses).
export default function NotFound() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold">There is no such page</h1>
      <p className="mt-2 text-slate-600">The address may be mistyped, or what it pointed to was removed.</p>
      <Link href="/" className="mt-6 inline-block text-brand-600 underline">
        Back to the console
      </Link>
    </main>
  );
}
