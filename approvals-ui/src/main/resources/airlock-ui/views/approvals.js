// Managers (and security, where policy names it): the live queue of requests they may decide,
// and the active grants they may revoke. Updates arrive over /api/events; no refresh needed.

import {get, post, hasRole} from '../api.js';
import {h, replace, loading, empty, errorBox, startCountdowns, remaining, when, announce, badge} from '../dom.js';
import {reviewsList, approvalsLine} from './requests.js';

const SENSITIVE_HINT = new Set(['ssn', 'bank', 'card', 'document']);
const REFRESH_MS = 20000;

export function mountApprovals(root, ctx) {
  const {session, events} = ctx;
  let disposed = false;
  const queueBox = h('div', {id: 'queue', 'aria-busy': 'true'}, loading('the queue'));
  const recentBox = h('div', {id: 'recent'});
  const grantsBox = h('div', {id: 'grants', 'aria-busy': 'true'}, loading('active grants'));
  const queueCount = h('span', {class: 'count', id: 'queue-count'});
  // text typed into a comment box survives the redraws that live updates cause
  const drafts = new Map();
  // and so does the outcome of the last click on a card that is still in the queue
  const notes = new Map();
  // and a reason typed for revoking a grant, by jti
  const revokeReasons = new Map();
  let all = [];

  function activityOf(agent, exceptId) {
    const theirs = all.filter((r) => r.requester === agent && r.id !== exceptId);
    if (theirs.length === 0) return 'no earlier requests visible to you';
    const by = {};
    for (const r of theirs) by[r.status] = (by[r.status] || 0) + 1;
    const clients = new Set(theirs.flatMap((r) => r.clients));
    const last = theirs.map((r) => r.createdAt).sort().pop();
    return `${theirs.length} earlier request${theirs.length === 1 ? '' : 's'} (${Object.entries(by).map(([k, v]) => `${v} ${k}`).join(', ')}), `
        + `${clients.size} distinct client${clients.size === 1 ? '' : 's'}, last ${when(last)}`;
  }

  // the server's risk signals (deciders only) and, for security only, the honey-record flag
  function riskFacts(r) {
    const out = [];
    const k = r.risk;
    if (k) {
      const parts = [`${k.distinctClients24h} distinct client${k.distinctClients24h === 1 ? '' : 's'} read in 24 h`,
        `${k.requestsToday} request${k.requestsToday === 1 ? '' : 's'} today`,
        `${k.deniedThisWeek} denied this week`];
      if (k.outsideUsualHours) parts.push('outside usual hours');
      if (k.unmask.length) parts.push(`unmask ${k.unmask.join(', ')}`);
      out.push(h('dt', {}, 'Risk'), h('dd', {class: 'risk' + (k.outsideUsualHours || k.deniedThisWeek > 0 ? ' sensitive' : '')}, parts.join(' · ')));
    }
    if (r.honey) {
      out.push(h('dt', {}, 'Honey record'), h('dd', {class: 'honey sensitive'}, `names ${r.honeyClients.join(', ')}: security has been alerted`));
    }
    return out;
  }

  function queueCard(r) {
    const own = r.requester === session.user;
    const commentId = `comment-${r.id}`;
    const comment = h('textarea', {id: commentId, rows: 2, name: 'comment', 'data-request-id': r.id,
      oninput: (e) => drafts.set(r.id, e.target.value)});
    comment.value = drafts.get(r.id) || '';
    const status = h('div', {class: 'card-status', 'aria-live': 'polite'},
        notes.has(r.id) ? h('p', {class: 'state ok', role: 'status'}, notes.get(r.id)) : null);
    const approveBtn = h('button', {type: 'button', class: 'approve', onclick: () => decide(r, 'approve', comment, status)}, 'Approve');
    const denyBtn = h('button', {type: 'button', class: 'danger deny', onclick: () => decide(r, 'deny', comment, status)}, 'Deny');
    const sensitive = r.unmask.filter((c) => SENSITIVE_HINT.has(c));
    return h('li', {class: 'card request queue-item', 'data-request-id': r.id, 'data-ticket': r.ticket},
        h('div', {class: 'card-head'},
            h('h3', {}, h('span', {class: 'requester'}, r.requester), ' · ', r.ticket, ' ', badge(r.status)),
            h('span', {class: 'small muted'}, 'lapses in ', h('span', {'data-expires-at': r.pendingUntil, 'data-expired-text': 'lapsed'}, remaining(r.pendingUntil)))),
        h('dl', {class: 'facts'},
            h('dt', {}, 'Clients'), h('dd', {}, r.clients.join(', ')),
            h('dt', {}, 'Reason'), h('dd', {class: 'reason'}, r.reason),
            h('dt', {}, 'Duration'), h('dd', {}, `${r.durationMinutes} min`),
            h('dt', {}, 'Actions'), h('dd', {}, r.actions.join(', ')),
            h('dt', {}, 'Unmask'), h('dd', {}, r.unmask.length ? r.unmask.join(', ') : 'nothing (all masked)',
                sensitive.length ? h('span', {class: 'sensitive'}, ' · sensitive') : null),
            h('dt', {}, 'Recent activity'), h('dd', {class: 'activity'}, activityOf(r.requester, r.id)),
            ...riskFacts(r)),
        approvalsLine(r),
        reviewsList(r),
        own
            ? h('p', {class: 'state notice'}, 'This is your own request: someone else must decide it.')
            : h('div', {class: 'decide'},
                h('label', {for: commentId}, 'Comment (required to deny: the agent sees it)'),
                comment,
                h('div', {class: 'card-actions'}, approveBtn, denyBtn)),
        status);
  }

  async function decide(r, verdict, comment, status) {
    const text = comment.value.trim();
    if (verdict === 'deny' && !text) {
      replace(status, h('p', {class: 'state error', role: 'alert'}, 'Say why you deny it: the agent sees your reason.'));
      comment.setAttribute('aria-invalid', 'true');
      comment.focus();
      return;
    }
    for (const b of status.parentElement.querySelectorAll('button')) b.disabled = true;
    replace(status, h('p', {class: 'state loading', role: 'status'}, verdict === 'approve' ? 'Approving…' : 'Denying…'));
    try {
      const body = verdict === 'approve' ? (text ? {comment: text} : {}) : {reason: text};
      const out = await post(`/api/requests/${encodeURIComponent(r.id)}/${verdict}`, body);
      drafts.delete(r.id);
      const more = out.requiredApprovals - out.approvals;
      const msg = out.status !== 'pending' ? `${r.ticket} ${out.status}.`
          : more > 0 ? `Approval recorded for ${r.ticket}; it still needs ${more} more approval${more === 1 ? '' : 's'}${out.securityApprovalRequired ? ', one of them from security' : ''}.`
          : `Approval recorded for ${r.ticket}; it still needs a security approver.`;
      notes.set(r.id, msg);
      replace(status, h('p', {class: 'state ok', role: 'status'}, msg));
      announce(msg);
      refresh();
    } catch (err) {
      for (const b of status.parentElement.querySelectorAll('button')) b.disabled = false;
      replace(status, errorBox(err, `${verdict} ${r.ticket}`));
    }
  }

  function recentRow(r) {
    return h('tr', {'data-request-id': r.id},
        h('td', {}, r.requester), h('td', {}, r.ticket), h('td', {}, badge(r.status)),
        h('td', {}, (r.reviews || []).map((v) => `${v.reviewer} ${v.verdict === 'approve' ? 'approved' : 'denied'}${v.comment ? ': ' + v.comment : ''}`).join('; ') || r.decisionReason || ''),
        h('td', {class: 'small'}, when(r.createdAt)));
  }

  let seq = 0;
  async function refresh() {
    const mine = ++seq;
    try {
      const list = await get('/api/requests');
      if (disposed || mine !== seq) return;
      all = list;
      const pending = list.filter((r) => r.status === 'pending').sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
      queueBox.setAttribute('aria-busy', 'false');
      queueCount.textContent = `(${pending.length})`;
      const focusedId = document.activeElement && queueBox.contains(document.activeElement) ? document.activeElement.id : null;
      replace(queueBox, pending.length
          ? h('ul', {class: 'request-list', role: 'list'}, pending.map(queueCard))
          : empty('Nothing waiting for you. New requests appear here as soon as they are made.'));
      if (focusedId) {
        const again = document.getElementById(focusedId);
        if (again) again.focus();
      }
      const decided = list.filter((r) => r.status !== 'pending')
          .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt))).slice(0, 15);
      replace(recentBox, decided.length
          ? h('table', {class: 'table'},
              h('caption', {class: 'visually-hidden'}, 'Recently decided requests'),
              h('thead', {}, h('tr', {}, ['Agent', 'Ticket', 'Status', 'Reviews', 'Requested'].map((t) => h('th', {scope: 'col'}, t)))),
              h('tbody', {}, decided.map(recentRow)))
          : empty('No decided requests yet.'));
    } catch (err) {
      if (disposed || mine !== seq) return;
      queueBox.setAttribute('aria-busy', 'false');
      replace(queueBox, errorBox(err, 'load the queue'));
    }
    refreshGrants();
  }

  let gseq = 0;
  async function refreshGrants() {
    const mine = ++gseq;
    try {
      const grants = await get('/api/grants');
      if (disposed || mine !== gseq) return;
      grantsBox.setAttribute('aria-busy', 'false');
      const active = grants.filter((g) => !g.revoked && Date.parse(g.expiresAt) > Date.now());
      const focusedId = document.activeElement && grantsBox.contains(document.activeElement) ? document.activeElement.id : null;
      replace(grantsBox, active.length
          ? h('table', {class: 'table', id: 'grants-table'},
              h('caption', {class: 'visually-hidden'}, 'Active grants'),
              h('thead', {}, h('tr', {}, ['Agent', 'Ticket', 'Clients', 'Unmask', 'Expires', ''].map((t) => h('th', {scope: 'col'}, t)))),
              h('tbody', {}, active.map(grantRow)))
          : empty('No active grants.'));
      const again = focusedId && document.getElementById(focusedId);
      if (again) again.focus();
    } catch (err) {
      if (disposed || mine !== gseq) return;
      grantsBox.setAttribute('aria-busy', 'false');
      replace(grantsBox, errorBox(err, 'load active grants'));
    }
  }

  function grantRow(g) {
    const reasonId = `revoke-reason-${g.jti}`;
    const reason = h('input', {type: 'text', id: reasonId, placeholder: 'reason', name: 'reason',
      oninput: (e) => revokeReasons.set(g.jti, e.target.value)});
    reason.value = revokeReasons.get(g.jti) || '';
    const status = h('span', {class: 'small', 'aria-live': 'polite'});
    const btn = h('button', {type: 'button', class: 'danger', onclick: async () => {
      btn.disabled = true;
      try {
        await post(`/api/grants/${encodeURIComponent(g.jti)}/revoke`, {reason: reason.value.trim() || null});
        revokeReasons.delete(g.jti);
        announce(`Grant of ${g.agent} for ${g.ticket} revoked`);
        refreshGrants();
      } catch (err) {
        btn.disabled = false;
        replace(status, errorBox(err, 'revoke'));
      }
    }}, 'Revoke');
    return h('tr', {'data-jti': g.jti},
        h('td', {}, g.agent), h('td', {}, g.ticket), h('td', {}, g.clients.join(', ')),
        h('td', {}, g.unmask.length ? g.unmask.join(', ') : '—'),
        h('td', {}, h('span', {'data-expires-at': g.expiresAt}, remaining(g.expiresAt))),
        h('td', {class: 'row-actions'}, h('label', {for: reasonId, class: 'visually-hidden'}, `Reason to revoke ${g.agent}'s grant for ${g.ticket}`), reason, btn, status));
  }

  const unsubscribe = events.subscribe((e) => {
    if (e.type === 'request.created') announce(`New request from ${e.attributes.requester || 'an agent'}`);
    if (e.type.startsWith('request.') || e.type === 'grant.revoked' || e.type === 'kill_all' || e.type === 'resync') refresh();
  });

  replace(root,
      h('div', {class: 'layout-approvals'},
          h('h1', {}, 'Approvals'),
          hasRole('security') && !hasRole('manager')
              ? h('p', {class: 'hint'}, 'As security you decide the requests policy names you for (e.g. unmasking ssn).') : null,
          h('div', {class: 'cols'},
              h('section', {class: 'col', 'aria-labelledby': 'queue-h'},
                  h('h2', {id: 'queue-h'}, 'Waiting for a decision ', queueCount),
                  queueBox),
              h('div', {class: 'col'},
                  h('section', {'aria-labelledby': 'grants-h'}, h('h2', {id: 'grants-h'}, 'Active grants'), grantsBox),
                  h('section', {'aria-labelledby': 'recent-h'}, h('h2', {id: 'recent-h'}, 'Recently decided'), recentBox)))));
  const stopCountdowns = startCountdowns(root, () => refresh());
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    disposed = true;
    clearInterval(timer);
    stopCountdowns();
    unsubscribe();
  };
}
