import type { JWTPayload } from 'jose';
import { AuthError } from './auth.errors.js';
import { isRole, isTenantRole, type Principal, type Role, type TenantRole } from './principal.js';
import { isReservedSubject, RESERVED_SUBJECT_PREFIXES } from './reserved-subjects.js';

/**
 * Key in the roles claim that holds tenant-wide roles (`auditor`, `audit-admin`) rather than a
 * project's. `$` keeps it apart from project ids, which are slugs. Example claim:
 *   "evalvault_roles": { "checkout-rag": ["editor"], "search": ["viewer"], "$tenant": ["auditor"] }
 */
export const TENANT_ROLES_KEY = '$tenant';

export interface ClaimNames {
  tenantClaim: string;
  rolesClaim: string;
}

/** The Principal a verified token describes; refuses claims that are missing or of the wrong shape. */
export function principalFromClaims(payload: JWTPayload, names: ClaimNames): Principal {
  const tenantId = payload[names.tenantClaim];
  if (tenantId === undefined) throw AuthError.unauthenticated(`token lacks the tenant claim "${names.tenantClaim}"`);
  if (typeof tenantId !== 'string' || !tenantId) {
    throw AuthError.unauthenticated(`tenant claim "${names.tenantClaim}" must be a non-empty string`);
  }
  if (typeof payload.sub !== 'string' || !payload.sub)
    throw AuthError.unauthenticated('"sub" claim must be a non-empty string');
  if (isReservedSubject(payload.sub))
    throw AuthError.unauthenticated(`"sub" claim uses a reserved prefix (${RESERVED_SUBJECT_PREFIXES.join(', ')})`);
  const { projectRoles, tenantRoles } = rolesFromClaim(payload[names.rolesClaim], names.rolesClaim);
  return { tenantId, subject: payload.sub, authMethod: 'oidc', apiKeyId: null, projectRoles, tenantRoles };
}

/**
 * No roles claim is fine (signed in, allowed nothing). A malformed one, or an unknown role name, is
 * refused rather than skipped: a typo in the issuer's mapping ("Editor") should fail loudly at
 * sign-in, not surface later as a baffling 403.
 */
function rolesFromClaim(claim: unknown, claimName: string): Pick<Principal, 'projectRoles' | 'tenantRoles'> {
  if (claim === undefined) return { projectRoles: {}, tenantRoles: [] };
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) {
    throw AuthError.unauthenticated(`roles claim "${claimName}" must be an object mapping project ids to role lists`);
  }
  let tenantRoles: TenantRole[] = [];
  const projects: Array<[string, Role[]]> = [];
  for (const [key, value] of Object.entries(claim)) {
    if (!Array.isArray(value) || !value.every((role) => typeof role === 'string')) {
      throw AuthError.unauthenticated(`roles claim "${claimName}" must list role names for "${printable(key)}"`);
    }
    if (key === TENANT_ROLES_KEY) {
      tenantRoles = unique(
        value.map((role) => checked(role, isTenantRole, `tenant role "${printable(role)}"`, claimName)),
      );
    } else if (key) {
      projects.push([
        key,
        unique(value.map((role) => checked(role, isRole, `project role "${printable(role)}"`, claimName))),
      ]);
    }
  }
  // fromEntries defines own properties, so a project named "__proto__" cannot reach the prototype.
  return { projectRoles: Object.fromEntries(projects), tenantRoles };
}

function checked<T extends string>(
  role: string,
  guard: (value: unknown) => value is T,
  what: string,
  claimName: string,
): T {
  if (!guard(role)) throw AuthError.unauthenticated(`roles claim "${claimName}" has unknown ${what}`);
  return role;
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** Claim content is the issuer's data, but keep what we echo short and single-line. */
function printable(value: string): string {
  const cleaned = value.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 64 ? `${cleaned.slice(0, 64)}…` : cleaned;
}
