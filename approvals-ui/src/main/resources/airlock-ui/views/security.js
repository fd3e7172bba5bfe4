// Security: kill every session (typed confirmation), lockdown, node acknowledgements,
// suspensions, and the live audit feed. The API decides who may do this; a refusal is shown
// in its own words.

import {get, post, query} from '../api.js';
import {h, replace, field, loading, empty, errorBox, timeOf, announce} from '../dom.js';

const CONFIRM_PHRASE = 'KILL ALL';
const STATUS_MS = 2000;
const AUDIT_MS = 3000;

export function mountSecurity(root, ctx) {
  const {events} = ctx;
  let disposed = false;
  let forbidden = false;
  let lastStatus = null;

  // --- status ---------------------------------------------------------------------------
  const statusBox = h('div', {id: 'status', 'aria-busy': 'true'}, loading('gateway status'));
  const nodesBox = h('div', {id: 'nodes'});
  const suspendedBox = h('div', {id: 'suspended'});

  function renderStatus(s) {
    lastStatus = s;
    replace(statusBox, h('dl', {class: 'stats'},
        h('div', {}, h('dt', {}, 'Epoch'), h('dd', {id: 'epoch'}, String(s.epoch))),
        h('div', {class: s.lockdown ? 'alarm' : ''}, h('dt', {}, 'Lockdown'), h('dd', {id: 'lockdown-state'}, s.lockdown ? 'ON: no grants are issued' : 'off')),
        h('div', {class: s.thisNodeFresh ? '' : 'alarm'}, h('dt', {}, 'This node'), h('dd', {}, s.thisNodeFresh ? 'revocation state fresh' : 'STALE: failing closed')),
        h('div', {}, h('dt', {}, 'Revoked grants'), h('dd', {}, String(s.revokedGrants)))));
    liftBtn.disabled = !s.lockdown;
    replace(nodesBox, s.nodes.length
        ? h('table', {class: 'table', id: 'nodes-table'},
            h('caption', {}, 'Live nodes and the epoch each acknowledged'),
            h('thead', {}, h('tr', {}, ['Node', 'Acknowledged epoch', 'Last seen', ''].map((t) => h('th', {scope: 'col'}, t)))),
            h('tbody', {}, s.nodes.map((n) => h('tr', {'data-node': n.node},
                h('td', {}, n.node),
                h('td', {}, String(n.acknowledgedEpoch)),
                h('td', {}, timeOf(n.lastSeen)),
                h('td', {}, n.acknowledgedEpoch >= s.epoch ? h('span', {class: 'badge status-approved'}, 'current') : h('span', {class: 'badge status-denied'}, 'behind'))))))
        : empty('No live nodes reported.'));
    replace(suspendedBox, s.suspendedAgents.length
        ? h('ul', {class: 'plain', id: 'suspended-list'}, s.suspendedAgents.map((a) => h('li', {'data-agent': a},
            h('strong', {}, a), ' ',
            h('button', {type: 'button', class: 'secondary', onclick: () => agentAction(a, 'resume', '')}, `Resume ${a}`))))
        : empty('No agent is suspended.'));
  }

  function showForbidden(err) {
    forbidden = true;
    replace(root, h('div', {class: 'layout-security'},
        h('h1', {}, 'Security'),
        h('div', {class: 'state error forbidden', role: 'alert', id: 'forbidden'},
            h('strong', {}, 'The gateway refused: '), err.message,
            err.code ? h('span', {class: 'code'}, ` (${err.code}, HTTP ${err.status})`) : null,
            h('p', {}, 'This page is for the security team. ', h('a', {href: '#/'}, 'Back to your own page')))));
  }

  async function refreshStatus() {
    try {
      const s = await get('/api/status');
      if (disposed || forbidden) return;
      statusBox.setAttribute('aria-busy', 'false');
      renderStatus(s);
    } catch (err) {
      if (disposed || forbidden) return;
      if (err.status === 403) {
        showForbidden(err);
        return;
      }
      statusBox.setAttribute('aria-busy', 'false');
      replace(statusBox, errorBox(err, 'load the gateway status'));
    }
  }

  // --- kill-all -----------------------------------------------------------------------------
  const killReason = field('Reason', h('textarea', {id: 'kill-reason', rows: 2, name: 'reason', required: true}), 'Recorded in the audit log.');
  const killLockdown = h('input', {type: 'checkbox', id: 'kill-lockdown', name: 'lockdown'});
  const killConfirm = field(`Type ${CONFIRM_PHRASE} to confirm`, h('input', {type: 'text', id: 'kill-confirm', autocomplete: 'off', spellcheck: 'false'}),
      'Every grant on every node stops working at once; agents must ask again.');
  const killBtn = h('button', {type: 'submit', class: 'danger big', id: 'kill-all', disabled: true}, 'Kill all sessions');
  const killStatus = h('div', {id: 'kill-status', 'aria-live': 'assertive'});
  const armKill = () => { killBtn.disabled = killConfirm.input.value.trim() !== CONFIRM_PHRASE || !killReason.input.value.trim(); };
  killConfirm.input.addEventListener('input', armKill);
  killReason.input.addEventListener('input', armKill);

  async function killAll(e) {
    e.preventDefault();
    if (killConfirm.input.value.trim() !== CONFIRM_PHRASE) return;
    killBtn.disabled = true;
    replace(killStatus, h('p', {class: 'state loading', role: 'status'}, 'Killing every session…'));
    try {
      const r = await post('/api/kill-all', {reason: killReason.input.value.trim(), lockdown: killLockdown.checked});
      const msg = `Every session killed: epoch ${r.epoch}, acknowledged by ${r.acknowledged} nodes in ${Number(r.elapsedMs).toFixed(1)} ms${r.lockdown ? '; lockdown is on' : ''}.`;
      replace(killStatus, h('p', {class: 'state ok', role: 'status', id: 'kill-result'}, msg));
      announce(msg);
      killConfirm.input.value = '';
      killReason.input.value = '';
      killLockdown.checked = false;
      refreshStatus();
    } catch (err) {
      replace(killStatus, errorBox(err, 'kill all sessions'));
    } finally {
      armKill();
    }
  }

  const liftBtn = h('button', {type: 'button', class: 'secondary', id: 'lift-lockdown', disabled: true, onclick: async () => {
    liftBtn.disabled = true;
    try {
      await post('/api/lockdown/lift', {});
      replace(killStatus, h('p', {class: 'state ok', role: 'status'}, 'Lockdown lifted: grants can be issued again.'));
      refreshStatus();
    } catch (err) {
      replace(killStatus, errorBox(err, 'lift the lockdown'));
      liftBtn.disabled = !(lastStatus && lastStatus.lockdown);
    }
  }}, 'Lift lockdown');

  // --- suspend / resume ---------------------------------------------------------------------
  const suspendAgent = field('Agent id', h('input', {type: 'text', id: 'suspend-agent', autocomplete: 'off', spellcheck: 'false'}));
  const suspendReason = field('Reason', h('input', {type: 'text', id: 'suspend-reason'}));
  const agentStatus = h('div', {id: 'agent-status', 'aria-live': 'polite'});

  async function agentAction(agent, verb, reason) {
    const id = String(agent || '').trim();
    if (!id) {
      replace(agentStatus, h('p', {class: 'state error', role: 'alert'}, 'Type the agent id.'));
      suspendAgent.input.focus();
      return;
    }
    try {
      await post(`/api/agents/${encodeURIComponent(id)}/${verb}`, reason ? {reason} : {});
      const msg = verb === 'suspend' ? `${id} suspended: their grants stop working.` : `${id} resumed.`;
      replace(agentStatus, h('p', {class: 'state ok', role: 'status'}, msg));
      announce(msg);
      refreshStatus();
    } catch (err) {
      replace(agentStatus, errorBox(err, `${verb} ${id}`));
    }
  }

  // --- audit feed -----------------------------------------------------------------------------
  const fAgent = field('Agent', h('input', {type: 'text', id: 'audit-agent', autocomplete: 'off'}));
  const fClient = field('Client', h('input', {type: 'text', id: 'audit-client', autocomplete: 'off'}));
  // what security looks for, as the API's type filter (record types, or prefixes ending in *)
  const EVENT_KINDS = [
    ['', 'All events'],
    ['access,completion', 'Reads'],
    ['denied', 'Refusals'],
    ['request.*,grant.*', 'Requests and grants'],
    ['agent.*,kill_all,lockdown*', 'Suspensions and kills'],
    ['security.alert', 'Alerts'],
    ['login*', 'Sign-ins'],
  ];
  const fType = field('Event', h('select', {id: 'audit-type'}, EVENT_KINDS.map(([v, label]) => h('option', {value: v}, label))));
  const fSince = field('Since', h('input', {type: 'datetime-local', id: 'audit-since', step: 1}));
  const fLimit = field('Limit', h('input', {type: 'number', id: 'audit-limit', min: 1, max: 1000, value: 50}));
  const fLive = h('input', {type: 'checkbox', id: 'audit-live', checked: true});
  const auditBox = h('div', {id: 'audit', 'aria-busy': 'true'}, loading('the audit feed'));
  let auditUnavailable = false;

  function cell(rec, ...keys) {
    for (const k of keys) {
      const v = rec[k] ?? (rec.details && rec.details[k]) ?? (rec.attributes && rec.attributes[k]);
      if (v !== undefined && v !== null && v !== '') return Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return '';
  }

  function auditRow(rec) {
    const shown = new Set(['at', 'ts', 'time', 'timestamp', 'type', 'event', 'kind', 'agent', 'actor', 'sub', 'client', 'clients', 'ticket', 'outcome', 'status', 'result', 'hash', 'prev']);
    const rest = Object.entries(rec).filter(([k]) => !shown.has(k))
        .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`).join(' ');
    return h('tr', {},
        h('td', {class: 'nowrap'}, timeOf(cell(rec, 'at', 'ts', 'time', 'timestamp'))),
        h('td', {}, cell(rec, 'type', 'event', 'kind')),
        h('td', {}, cell(rec, 'agent', 'actor', 'sub')),
        h('td', {}, cell(rec, 'client', 'clients')),
        h('td', {}, cell(rec, 'ticket')),
        h('td', {}, cell(rec, 'outcome', 'status', 'result')),
        h('td', {class: 'details'}, rest));
  }

  // the API stops searching after a fixed number of records and says so in this header
  // ("scanned N records back to <ts>"): without the note, an empty answer would read as "none"
  function partialNote(header) {
    const m = /^scanned (\d+) records back to (\S+)$/.exec(header);
    const when = m && new Date(m[2]);
    return h('p', {class: 'state notice', id: 'audit-partial', role: 'status'},
        m ? `Only the newest ${Number(m[1]).toLocaleString('en-US')} records were searched (back to ${Number.isNaN(when.getTime()) ? m[2] : when.toLocaleString()}): older records may match too. `
          : `Not every record was searched (${header}): older records may match too. `,
        'The audit files on each node hold the whole trail.');
  }

  // One search per tab at a time, live ones at most every AUDIT_MS: a search may examine up to
  // 200,000 records and a node runs only two at once (429 audit_search_busy beyond that).
  let aseq = 0;
  let auditInFlight = false;
  let auditLastStart = 0;
  let auditApplyPending = false; // "Apply filters" while a search ran: runs as soon as it ends
  let auditLivePending = false;  // a live update or a retry while one ran: runs at the next slot
  let auditTimeout = null;

  function applyAudit() {
    if (auditInFlight) {
      aseq++; // the running search has the old filters: its answer is dropped
      auditApplyPending = true;
      return;
    }
    refreshAudit();
  }

  function liveAudit() {
    if (fLive.checked && !auditUnavailable && !forbidden) scheduleAudit();
  }

  function scheduleAudit() {
    if (disposed || forbidden || auditTimeout) return;
    if (auditInFlight) {
      auditLivePending = true;
      return;
    }
    const wait = auditLastStart + AUDIT_MS - Date.now();
    if (wait <= 0) {
      refreshAudit();
      return;
    }
    auditTimeout = setTimeout(() => { auditTimeout = null; scheduleAudit(); }, wait);
  }

  function busyNote() {
    const old = document.getElementById('audit-busy');
    if (old) old.remove();
    auditBox.prepend(h('p', {class: 'state notice', id: 'audit-busy', role: 'status'},
        'Another audit search is running on this node: retrying in a moment.'));
  }

  async function refreshAudit() {
    const mine = ++aseq;
    const since = fSince.input.value ? new Date(fSince.input.value).toISOString() : '';
    let partial = null;
    if (auditTimeout) {
      clearTimeout(auditTimeout);
      auditTimeout = null;
    }
    auditInFlight = true;
    auditLastStart = Date.now();
    try {
      const out = await get(`/api/audit${query({agent: fAgent.input.value.trim(), client: fClient.input.value.trim(), type: fType.input.value, since, limit: fLimit.input.value})}`,
          {onHeaders: (hs) => { partial = hs.get('X-Airlock-Audit-Partial'); }});
      if (disposed || forbidden || mine !== aseq) return;
      auditUnavailable = false;
      auditBox.setAttribute('aria-busy', 'false');
      const records = Array.isArray(out) ? out : (out && (out.records || out.items)) || [];
      replace(auditBox, partial ? partialNote(partial) : null, records.length
          ? h('div', {class: 'table-wrap'}, h('table', {class: 'table', id: 'audit-table'},
              h('caption', {class: 'visually-hidden'}, 'Audit records, newest first'),
              h('thead', {}, h('tr', {}, ['Time', 'Event', 'Agent', 'Client', 'Ticket', 'Outcome', 'Details'].map((t) => h('th', {scope: 'col'}, t)))),
              h('tbody', {}, records.map(auditRow))))
          : empty('No audit records match these filters.'));
    } catch (err) {
      if (disposed || forbidden || mine !== aseq) return;
      if (err.status === 403) {
        showForbidden(err);
        return;
      }
      auditBox.setAttribute('aria-busy', 'false');
      if (err.status === 429) {
        busyNote();
        auditLivePending = true;
      } else if (err.status === 404) {
        auditUnavailable = true;
        replace(auditBox, h('p', {class: 'state empty', id: 'audit-unavailable'},
            'The audit feed is not available on this node yet (the API answered: ', err.message, ').'));
      } else {
        replace(auditBox, errorBox(err, 'load the audit feed'));
      }
    } finally {
      auditInFlight = false;
      if (auditApplyPending) {
        auditApplyPending = false;
        auditLivePending = false;
        if (!disposed && !forbidden) refreshAudit();
      } else if (auditLivePending) {
        auditLivePending = false;
        scheduleAudit();
      }
    }
  }

  // --- layout -------------------------------------------------------------------------------
  replace(root,
      h('div', {class: 'layout-security'},
          h('h1', {}, 'Security'),
          h('div', {class: 'cols'},
              h('div', {class: 'col'},
                  h('section', {class: 'card', 'aria-labelledby': 'status-h'},
                      h('h2', {id: 'status-h'}, 'Gateway'), statusBox, nodesBox),
                  h('form', {class: 'card danger-zone', id: 'kill-form', novalidate: true, onsubmit: killAll, 'aria-labelledby': 'kill-h'},
                      h('h2', {id: 'kill-h'}, 'Kill switch'),
                      killReason.row,
                      h('div', {class: 'field check'}, killLockdown, h('label', {for: 'kill-lockdown'}, ' Also lock down (no new grants until lifted)')),
                      killConfirm.row,
                      h('div', {class: 'card-actions'}, killBtn, liftBtn),
                      killStatus)),
              h('div', {class: 'col'},
                  h('form', {class: 'card', id: 'suspend-form', novalidate: true, 'aria-labelledby': 'agents-h',
                    onsubmit: (e) => { e.preventDefault(); agentAction(suspendAgent.input.value, 'suspend', suspendReason.input.value.trim()); }},
                  h('h2', {id: 'agents-h'}, 'Agents'),
                  h('div', {class: 'grid-2'}, suspendAgent.row, suspendReason.row),
                  h('div', {class: 'card-actions'}, h('button', {type: 'submit', class: 'danger', id: 'suspend'}, 'Suspend agent')),
                  agentStatus,
                  h('h3', {}, 'Suspended'), suspendedBox))),
          h('section', {class: 'card', 'aria-labelledby': 'audit-h'},
              h('h2', {id: 'audit-h'}, 'Audit feed'),
              h('form', {class: 'filters', id: 'audit-filters', onsubmit: (e) => { e.preventDefault(); applyAudit(); }},
                  fAgent.row, fClient.row, fType.row, fSince.row, fLimit.row,
                  h('div', {class: 'field check'}, fLive, h('label', {for: 'audit-live'}, ' Live')),
                  h('button', {type: 'submit'}, 'Apply filters')),
              auditBox)));

  const unsubscribe = events.subscribe((e) => {
    if (forbidden) return;
    if (['kill_all', 'lockdown_lifted', 'agent_suspended', 'agent_resumed', 'resync'].includes(e.type)) refreshStatus();
    liveAudit();
  });
  refreshStatus();
  refreshAudit();
  const statusTimer = setInterval(refreshStatus, STATUS_MS);
  const auditTimer = setInterval(liveAudit, AUDIT_MS);
  return () => {
    disposed = true;
    clearInterval(statusTimer);
    clearInterval(auditTimer);
    clearTimeout(auditTimeout);
    unsubscribe();
  };
}
