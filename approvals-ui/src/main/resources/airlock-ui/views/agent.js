// The agent's page: request access, follow my requests (live), open a client under a grant.

import {get, post} from '../api.js';
import {h, replace, field, loading, empty, errorBox, startCountdowns, remaining, when, announce, badge} from '../dom.js';
import {openViewer} from './viewer.js';
import {reviewsList, approvalsLine} from './requests.js';

const UNMASKABLE = ['email', 'phone', 'address', 'dob', 'ssn', 'bank', 'card', 'document'];
const REFRESH_MS = 15000;

// grants this tab learned are dead (the request API does not say so): kept in memory only
const deadGrants = new Map();

export function mountAgent(root, ctx) {
  const {session, events} = ctx;
  let closeViewer = null;
  let refreshTimer = null;
  let disposed = false;

  const formStatus = h('div', {id: 'request-status', 'aria-live': 'polite'});
  // a suspension is not the end of a grant: once security resumes the agent it works again
  const suspendedBox = h('div', {id: 'suspended-notice', 'aria-live': 'assertive'});
  const listBox = h('div', {id: 'my-requests', 'aria-live': 'polite', 'aria-busy': 'true'}, loading('your requests'));
  const viewerBox = h('div', {id: 'viewer-box'});

  // --- the request form -------------------------------------------------------------------
  const ticket = field('Ticket', h('input', {type: 'text', name: 'ticket', id: 'req-ticket', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'SUP-1234'}),
      'The support ticket this access is for.');
  const clients = field('Clients', h('input', {type: 'text', name: 'clients', id: 'req-clients', required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'c-0001, c-0002'}),
      'Client ids, separated by commas or spaces.');
  const reason = field('Reason', h('textarea', {name: 'reason', id: 'req-reason', rows: 3, required: true}),
      'What you need to do and why; your manager reads this.');
  const duration = field('Duration (minutes)', h('input', {type: 'number', name: 'durationMinutes', id: 'req-duration', min: 1, max: 60, step: 1, value: 15, inputmode: 'numeric'}));
  const unmaskBoxes = UNMASKABLE.map((c) => h('input', {type: 'checkbox', name: 'unmask', value: c, id: `unmask-${c}`}));
  const unmask = h('fieldset', {class: 'checks', id: 'req-unmask'},
      h('legend', {}, 'Show in clear (unmask)'),
      unmaskBoxes.map((b) => h('label', {for: b.id}, b, ` ${b.value}`)),
      h('p', {class: 'hint'}, 'Everything else stays masked. Sensitive classes (e.g. ssn) may need a security approver too.'));
  const readBox = h('input', {type: 'checkbox', name: 'actions', value: 'read', id: 'action-read', checked: true});
  const writeBox = h('input', {type: 'checkbox', name: 'actions', value: 'write', id: 'action-write'});
  const actions = h('fieldset', {class: 'checks', id: 'req-actions'},
      h('legend', {}, 'Actions'),
      h('label', {for: readBox.id}, readBox, ' read'),
      h('label', {for: writeBox.id}, writeBox, ' write'));
  const submit = h('button', {type: 'submit', id: 'req-submit'}, 'Request access');
  const inputs = {ticket: ticket.input, clients: clients.input, reason: reason.input, durationMinutes: duration.input, unmask, actions};

  function clearFieldErrors() {
    for (const el of root.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    for (const el of root.querySelectorAll('.field-error')) el.remove();
  }

  async function onSubmit(e) {
    e.preventDefault();
    clearFieldErrors();
    const body = {
      ticket: ticket.input.value.trim(),
      clients: clients.input.value.split(/[\s,]+/).filter(Boolean),
      reason: reason.input.value.trim(),
      durationMinutes: Number.parseInt(duration.input.value, 10),
      unmask: unmaskBoxes.filter((b) => b.checked).map((b) => b.value),
      actions: [readBox, writeBox].filter((b) => b.checked).map((b) => b.value),
    };
    if (Number.isNaN(body.durationMinutes)) delete body.durationMinutes;
    submit.disabled = true;
    replace(formStatus, h('p', {class: 'state loading', role: 'status'}, 'Sending the request…'));
    try {
      const r = await post('/api/requests', body);
      const needs = `${r.requiredApprovals} approval${r.requiredApprovals === 1 ? '' : 's'}`;
      replace(formStatus, h('div', {class: 'state ok', role: 'status', id: 'request-created', 'data-request-id': r.id},
          h('strong', {}, 'Request sent. '), `${body.ticket}: waiting for ${needs}.`,
          r.securityApprovalRequired ? h('p', {class: 'needs-security'}, 'It unmasks a sensitive class, so it also needs a security approver.') : null));
      announce(`Request for ${body.ticket} sent`);
      reason.input.value = '';
      for (const b of unmaskBoxes) b.checked = false;
      refresh();
    } catch (err) {
      replace(formStatus, errorBox(err, 'send the request'));
      const target = err.field && inputs[err.field];
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        const id = `${target.id}-error`;
        target.after(h('p', {class: 'field-error', id}, err.message));
        target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') || ''} ${id}`.trim());
        target.focus();
      }
    } finally {
      submit.disabled = false;
    }
  }

  const form = h('form', {class: 'card request-form', id: 'request-form', novalidate: true, onsubmit: onSubmit, 'aria-labelledby': 'request-h'},
      h('h2', {id: 'request-h'}, 'Request access'),
      h('div', {class: 'grid-2'}, ticket.row, duration.row),
      clients.row, reason.row,
      h('div', {class: 'grid-2'}, unmask, actions),
      h('div', {class: 'form-actions'}, submit),
      formStatus);

  // --- my requests ------------------------------------------------------------------------
  function requestCard(r) {
    const pending = r.status === 'pending';
    const grant = r.grant;
    // what this tab saw happen, else what the server knows (a reload forgets the former)
    const dead = grant && (deadGrants.get(grant.jti) || (grant.revoked ? 'revoked' : null));
    const live = r.status === 'approved' && grant && !dead && Date.parse(grant.expiresAt) > Date.now();
    return h('li', {class: `card request status-${r.status}`, 'data-request-id': r.id, 'data-ticket': r.ticket},
        h('div', {class: 'card-head'},
            h('h3', {}, r.ticket, ' ', badge(r.status)),
            h('span', {class: 'muted small'}, when(r.createdAt))),
        h('p', {}, h('span', {class: 'label'}, 'Clients: '), r.clients.join(', ')),
        h('p', {}, h('span', {class: 'label'}, 'Reason: '), r.reason),
        h('p', {class: 'small'},
            `${r.durationMinutes} min · ${r.actions.join(', ')}`,
            r.unmask.length ? ` · unmask ${r.unmask.join(', ')}` : ' · all masked'),
        approvalsLine(r),
        r.status === 'denied'
            ? h('p', {class: 'decision denied', 'data-role': 'decision'}, h('strong', {}, 'Denied: '), r.decisionReason || '(no reason given)')
            : r.decisionReason ? h('p', {class: 'decision'}, r.decisionReason) : null,
        reviewsList(r),
        pending ? h('p', {class: 'small'}, 'Waiting for approval; lapses in ',
            h('span', {'data-expires-at': r.pendingUntil, 'data-expired-text': 'lapsed'}, remaining(r.pendingUntil))) : null,
        dead ? h('p', {class: 'grant-line dead', 'data-role': 'grant-dead'}, `Grant ended: ${dead}`) : null,
        live ? h('p', {class: 'grant-line'}, 'Grant ',
            h('span', {class: 'countdown', 'data-expires-at': grant.expiresAt, 'data-prefix': 'expires in ', 'data-expired-text': 'expired', 'data-jti': grant.jti},
                `expires in ${remaining(grant.expiresAt)}`)) : null,
        h('div', {class: 'card-actions'},
            live ? r.clients.map((c) => h('button', {type: 'button', class: 'open-client', 'data-client': c, onclick: () => open(r.id, c)}, `Open ${c}`)) : null,
            pending ? h('button', {type: 'button', class: 'secondary', onclick: () => cancel(r)}, 'Cancel request') : null));
  }

  async function cancel(r) {
    try {
      await post(`/api/requests/${encodeURIComponent(r.id)}/cancel`, {});
      announce(`Request ${r.ticket} cancelled`);
      refresh();
    } catch (err) {
      replace(formStatus, errorBox(err, 'cancel the request'));
    }
  }

  let loadSeq = 0;
  async function refresh() {
    const seq = ++loadSeq;
    try {
      const list = await get('/api/requests');
      if (disposed || seq !== loadSeq) return;
      list.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
      shown = list;
      listBox.setAttribute('aria-busy', 'false');
      if (list.length === 0) {
        replace(listBox, empty('No requests yet. Ask for access above; it appears here and updates live.'));
      } else {
        // the list keeps its place: the button that had focus gets it back after a redraw
        const focused = document.activeElement && listBox.contains(document.activeElement)
            ? [document.activeElement.closest('[data-request-id]')?.dataset.requestId, document.activeElement.textContent] : null;
        replace(listBox, h('ul', {class: 'request-list', role: 'list'}, list.map(requestCard)));
        if (focused) {
          const card = listBox.querySelector(`[data-request-id="${CSS.escape(focused[0] || '')}"]`);
          const again = card && [...card.querySelectorAll('button')].find((b) => b.textContent === focused[1]);
          if (again) again.focus();
        }
      }
    } catch (err) {
      if (disposed || seq !== loadSeq) return;
      listBox.setAttribute('aria-busy', 'false');
      replace(listBox, errorBox(err, 'load your requests'));
    }
  }

  function open(requestId, client) {
    if (closeViewer) closeViewer();
    closeViewer = openViewer(viewerBox, {requestId, client}, {
      ...ctx,
      onClosed: () => { closeViewer = null; },
      onEnded: (code, why, jti) => {
        if (jti && ['grant_revoked', 'grant_expired'].includes(code)) deadGrants.set(jti, why);
        if (code === 'agent_suspended') showSuspended();
        refresh();
      },
    });
    viewerBox.scrollIntoView({block: 'nearest'});
  }

  let suspended = false;
  function showSuspended() {
    suspended = true;
    replace(suspendedBox, h('p', {class: 'state error', role: 'alert'},
        h('strong', {}, 'Security suspended your account. '),
        'Nothing can be read with your grants until they resume you; grants that have not expired work again then.'));
  }

  function showResumed() {
    if (!suspended) return;
    suspended = false;
    replace(suspendedBox, h('p', {class: 'state ok', role: 'status'}, 'Security resumed your account: your grants work again.'));
    announce('Security resumed your account');
    refresh();
  }

  let shown = [];
  const unsubscribe = events.subscribe((e) => {
    const a = e.attributes || {};
    if (e.type === 'agent_suspended' && a.agent === session.user) showSuspended();
    if (e.type === 'agent_resumed' && a.agent === session.user) showResumed();
    // sent first on every (re)connect: a suspended agent's stream is cut, so the resume itself
    // may never arrive
    if (e.type === 'agent_state' && a.agent === session.user) {
      if (a.suspended === 'true') showSuspended();
      else showResumed();
    }
    if (e.type === 'kill_all') {
      for (const r of shown) if (r.grant) deadGrants.set(r.grant.jti, 'security killed every session');
    } else if (e.type === 'grant.revoked' && a.jti) {
      deadGrants.set(a.jti, `revoked${a.by ? ` by ${a.by}` : ''}${a.reason ? `: ${a.reason}` : ''}`);
    }
    if ((e.type.startsWith('request.') && (!a.requester || a.requester === session.user))
        || (e.type === 'grant.revoked' && (!a.agent || a.agent === session.user))
        || e.type === 'kill_all' || e.type === 'resync') {
      if (e.type === 'request.decided' && a.requester === session.user) announce(`Your request was ${a.status || 'decided'}`);
      refresh();
    }
  });

  replace(root,
      h('div', {class: 'layout-agent'},
          h('div', {class: 'col'},
              h('h1', {}, 'My access'),
              suspendedBox,
              form,
              h('section', {'aria-labelledby': 'mine-h'},
                  h('h2', {id: 'mine-h'}, 'My requests and grants'),
                  listBox)),
          h('div', {class: 'col col-viewer'},
              h('h2', {class: 'visually-hidden'}, 'Client viewer'),
              viewerBox)));
  const stopCountdowns = startCountdowns(root, (el) => { if (el.dataset.jti) refresh(); });
  refresh();
  refreshTimer = setInterval(refresh, REFRESH_MS);

  return () => {
    disposed = true;
    clearInterval(refreshTimer);
    stopCountdowns();
    unsubscribe();
    if (closeViewer) closeViewer();
  };
}
