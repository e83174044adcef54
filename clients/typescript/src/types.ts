/**
 * Types read from a generated package: its `Envelope` union (discriminated by `type` and
 * `v`, found through the signature of its `upgrade`), and, when it exports a `PROTOCOL`
 * descriptor declared `as const`, each message's direction.
 *
 *     LatestData<typeof proto, "chat.message_sent">   // the data of the latest version
 *     Sendable<typeof proto>                           // names the client may send
 *     Receivable<typeof proto>                         // names the server may send
 */

/** The `Envelope` union of a generated package. */
export type EnvelopeOf<P> = P extends { upgrade(msg: infer E, ...rest: any[]): unknown } ? E : never;

type TypeOf<E> = E extends { type: infer T extends string } ? T : never;

/** The names of the package's messages (the runtime's own `wiretype.*` left out). */
export type MessageName<P> = Exclude<TypeOf<EnvelopeOf<P>>, `wiretype.${string}`>;

type VersionOf<E, T> = E extends { type: T; v: infer V extends number } ? V : never;

/** The largest of a union of small non-negative integer literals. */
type Max<U extends number, Count extends unknown[] = [], Found extends number = never> = number extends U
  ? number
  : [U] extends [never]
    ? Found
    : Max<Exclude<U, Count["length"]>, [...Count, unknown], Count["length"] extends U ? Count["length"] : Found>;

/** The latest version number of message `T`. */
export type LatestVersion<P, T extends string> = Max<VersionOf<EnvelopeOf<P>, T>>;

/** The data of message `T` at its latest version: what handlers get and `send` takes. */
export type LatestData<P, T extends string> =
  Extract<EnvelopeOf<P>, { type: T; v: LatestVersion<P, T> }> extends { data: infer D } ? D : never;

type Described<P> = P extends { PROTOCOL: { messages: infer M } } ? M : {};
type WithDirection<P, D extends string> = {
  [K in keyof Described<P>]: Described<P>[K] extends { direction: D } ? K : never;
}[keyof Described<P>];

/** What the client may send: every message but those the registry says only the server sends. */
export type Sendable<P> = Exclude<MessageName<P>, WithDirection<P, "server_to_client">>;

/** What the client may receive: every message but those only a client sends. */
export type Receivable<P> = Exclude<MessageName<P>, WithDirection<P, "client_to_server">>;

/** One message as `on("*", ...)` gets it: its name and its latest data. */
export type AnyMessage<P> = { [T in Receivable<P>]: { type: T; data: LatestData<P, T> } }[Receivable<P>];
