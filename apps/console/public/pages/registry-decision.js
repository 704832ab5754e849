import { api } from '../api.js';
import { badge, errorBox, h, when } from '../dom.js';

/**
 * A version's decision cell: approved, rejected (with who and why) or undecided; for an undecided
 * version, Approve and Reject (a reason required) for the roles the role matrix allows. The registry
 * decides each version once, so a decided version offers nothing.
 */
export function decisionCell(ctx, versionUrl, label, version) {
  const cell = h('td', {}, decided(version));
  if (version.approval || version.rejection) return cell;
  const act = async (what, body) => {
    try {
      const updated = await api(`${versionUrl}/${what}`, { method: 'POST', body });
      cell.replaceChildren(decided(updated));
    } catch (error) {
      cell.querySelector('.error')?.remove();
      cell.append(errorBox(error));
    }
  };
  if (ctx.can('registry.approve'))
    cell.append(
      ' ',
      h('button', { type: 'button', 'aria-label': `Approve ${label}`, onclick: () => act('approve', {}) }, 'Approve'),
    );
  if (ctx.can('registry.reject'))
    cell.append(
      ' ',
      rejectForm(label, (reason) => act('reject', { reason })),
    );
  return cell;
}

function decided(version) {
  if (version.approval)
    return h(
      'span',
      { title: `approved by ${version.approval.approvedBy ?? '?'} ${when(version.approval.approvedAt)}` },
      badge('approved', 'passed'),
    );
  if (version.rejection)
    return h(
      'span',
      {},
      badge('rejected', 'failed'),
      ' ',
      h(
        'span',
        { class: 'rejection' },
        `${version.rejection.reason} — ${version.rejection.rejectedBy ?? '?'} ${when(version.rejection.rejectedAt)}`,
      ),
    );
  return badge('not approved', 'none');
}

/** Reject with a reason: the browser refuses an empty one, the gateway and the registry refuse a blank one. */
function rejectForm(label, reject) {
  const reason = h('input', {
    'aria-label': `Reason for rejecting ${label}`,
    placeholder: 'reason (required)',
    required: true,
    maxlength: 2000,
  });
  return h(
    'form',
    {
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        reject(reason.value);
      },
    },
    reason,
    h('button', { type: 'submit', 'aria-label': `Reject ${label}` }, 'Reject'),
  );
}
