/** JSON Schema pieces every route shares: ids in paths and the project parameter. */
export const ID_SCHEMA = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' } as const;
export const PROJECT_PARAMS = { type: 'object', required: ['project'], properties: { project: ID_SCHEMA } } as const;
