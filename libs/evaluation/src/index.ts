// Public API of @evalvault/evaluation; each area adds its exports below.
export {};
