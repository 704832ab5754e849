export { identityOf } from '../access/identity-of.js';

export const REGISTRY_CLIENT = Symbol('REGISTRY_CLIENT');
