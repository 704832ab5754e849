/** The process environment as configuration reads it: every variable may be missing. */
export type Environment = Readonly<Record<string, string | undefined>>;
