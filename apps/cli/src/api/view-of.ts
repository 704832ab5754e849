/** A documented answer without its index signatures (`additionalProperties`), at every level. */
export type Documented<T> = T extends readonly (infer E)[]
  ? readonly Documented<E>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Documented<T[K]> }
    : T;

/**
 * The answer of a route as the service view the CLI renders (@evalvault/service-apis), from the
 * typed client. The OpenAPI document is looser than the views (fields optional, more allowed), so the
 * view is the narrower type, but it must still fit the document: a view that lacks a field the
 * document requires, or types one otherwise, does not compile. The view is the declared return type:
 * `get(id: string): Promise<FactView> { return viewOf(this.api.GET(…)); }`.
 */
export async function viewOf<Data, View extends Documented<Data>>(
  call: Promise<{ data?: Data; response: Response }>,
): Promise<View> {
  return (await call).data as unknown as View;
}
