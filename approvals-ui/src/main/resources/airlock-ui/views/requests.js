// Pieces of a request that agents, managers and security all see the same way.

import {h} from '../dom.js';

export function approvalsLine(r) {
  const approvers = (r.reviews || []).filter((v) => v.verdict === 'approve').map((v) => v.reviewer);
  return h('p', {class: 'approvals'},
      h('span', {class: 'label'}, 'Approvals: '),
      `${r.approvals} of ${r.requiredApprovals} required`,
      approvers.length ? ` (${approvers.join(', ')})` : '',
      r.securityApprovalRequired
          ? h('span', {class: 'needs-security', 'data-role': 'needs-security'},
              r.status === 'pending' ? ' · needs a security approver' : ' · security approval required')
          : null);
}

export function reviewsList(r) {
  const reviews = r.reviews || [];
  if (reviews.length === 0) return null;
  return h('ul', {class: 'reviews', 'aria-label': 'Reviews'},
      reviews.map((v) => h('li', {class: `review ${v.verdict}`},
          h('strong', {}, v.reviewer), ` ${v.verdict === 'approve' ? 'approved' : 'denied'}`,
          v.comment ? [': ', h('q', {}, v.comment)] : '')));
}
