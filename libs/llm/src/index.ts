// Public API of @evalvault/llm.
export {};
