// The agent console of participanttest (`participant local`). Plain
// JavaScript, no build step, no dependencies. It is a client of the
// emulator's public endpoints (StartChatContact, CreateParticipant,
// StopContact, the Participant Service operations, the WebSocket) and of the
// same-origin control API under /console/api/. Tokens live in this tab's
// memory only: never in URLs, storage or logs.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const INSTANCE = 'participant-local-console';
  const EV = 'application/vnd.amazonaws.connect.event.';
  const CT = {
    typing: EV + 'typing', read: EV + 'message.read', delivered: EV + 'message.delivered',
    joined: EV + 'participant.joined', left: EV + 'participant.left', ended: EV + 'chat.ended',
    rehydrated: EV + 'chat.rehydrated',
  };
  const HEARTBEAT_MS = 10000;
  const TYPING_SEND_MS = 5000;
  const TYPING_SHOW_MS = 12000;
  const AGENT_NAME = 'Console agent';

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // call sends a JSON request and returns the decoded answer. An error
  // answer throws an Error with status, code (X-Amzn-ErrorType) and message.
  async function call(method, path, body, bearer) {
    const headers = { 'Content-Type': 'application/json' };
    if (bearer) headers['X-Amz-Bearer'] = bearer;
    const res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data = {};
    try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { message: text }; }
    if (!res.ok) {
      const code = res.headers.get('x-amzn-ErrorType') || String(res.status);
      const err = new Error(`${code}: ${data.message || res.statusText}`);
      err.status = res.status; err.code = code; err.serverMessage = data.message || '';
      err.reason = res.headers.get('X-Participanttest-Reason') || ''; // machine-readable: token-expired, chat-ended, ...
      throw err;
    }
    return data;
  }

  function clock(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString([], { hour12: false });
  }

  const el = window.Interactive.el; // interactive.js loads first

  // log writes a line in the fault log, with the fault's spec, if any,
  // behind a details toggle.
  function log(text, kind, spec) {
    const li = el('li', { class: kind || '' }, el('time', { text: new Date().toLocaleTimeString([], { hour12: false }) }), text,
      spec ? el('details', { class: 'spec' }, el('summary', { text: 'spec' }), el('code', { class: 'desc', text: spec })) : null);
    const ol = $('fault-log');
    ol.prepend(li);
    while (ol.children.length > 200) ol.lastChild.remove();
  }

  // ChatClient is one participant's seat in a chat, as a widget or an agent
  // app has it: a ConnectionToken, a subscribed WebSocket with heartbeats,
  // reconnects with a fresh CreateParticipantConnection and a transcript
  // read after each (re)connect.
  class ChatClient {
    constructor(participantToken, me, onChange) {
      this.ptoken = participantToken;
      this.me = me; // {id, name, role, contactId}
      this.onChange = onChange;
      this.items = new Map();
      this.arrival = 0;
      this.typing = new Map();
      this.readSent = new Set();
      this.downloaded = new Map();
      this.answered = new Set(); // ids of interactive messages answered here
      this.state = 'connecting';
      this.ended = false;
      this.closed = false;
      this.note = '';
      this.attempt = 0;
      this.lastTyping = 0;
    }

    changed() { if (this.onChange) this.onChange(this); }

    setState(s) {
      if (this.state === s) return;
      const was = this.state;
      this.state = s;
      if (s === 'reconnecting') log(`${this.me.name}: socket lost, reconnecting`, 'fired');
      if (s === 'connected' && was === 'reconnecting') log(`${this.me.name}: reconnected, transcript read again`);
      this.changed();
    }

    async connect() {
      const out = await call('POST', '/participant/connection',
        { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ConnectParticipant: true }, this.ptoken);
      this.ctoken = out.ConnectionCredentials.ConnectionToken;
      this.open(out.Websocket.Url);
    }

    open(url) {
      const ws = new WebSocket(url);
      this.ws = ws;
      let awaiting = false;
      ws.onopen = () => ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }));
      ws.onmessage = (ev) => {
        if (ws !== this.ws) return;
        let f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (f.topic === 'aws/heartbeat') { awaiting = false; return; }
        this.frame(f);
      };
      ws.onclose = () => {
        clearInterval(hb);
        if (ws !== this.ws) return;
        this.ws = null;
        if (this.closed || this.ended) { this.setState(this.ended ? 'ended' : 'closed'); return; }
        this.setState('reconnecting');
        this.reconnect();
      };
      const hb = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (awaiting) { // the last heartbeat went unanswered
          log(`${this.me.name}: heartbeat unanswered, reconnecting`, 'fired');
          ws.close();
          return;
        }
        awaiting = true;
        ws.send(JSON.stringify({ topic: 'aws/heartbeat' }));
      }, HEARTBEAT_MS);
    }

    async reconnect() {
      if (this.closed || this.ended) return;
      const wait = Math.min(500 * 2 ** this.attempt, 4000);
      this.attempt++;
      await new Promise((r) => setTimeout(r, wait));
      if (this.closed || this.ended) return;
      try {
        await this.connect();
      } catch (err) {
        if (err.status === 403) { // the chat ended or we left while away
          this.ended = true;
          this.note = 'The chat is over: ' + err.serverMessage;
          this.setState('ended');
          return;
        }
        log(`${this.me.name}: reconnect failed: ${err.message}`, 'fired');
        this.reconnect();
      }
    }

    frame(f) {
      if (f.topic === 'aws/subscribe') {
        if (f.content && f.content.status === 'success') {
          this.attempt = 0;
          this.setState('connected');
          this.fill().catch((err) => this.fail('GetTranscript', err));
        } else {
          log(`${this.me.name}: subscribe failed`, 'fired');
          if (this.ws) this.ws.close();
        }
        return;
      }
      if (f.topic !== 'aws/chat' || typeof f.content !== 'string') {
        if (!f.topic && f.message) log(`${this.me.name}: error frame: ${f.message}`, 'fired');
        return;
      }
      let it;
      try { it = JSON.parse(f.content); } catch (e) { return; }
      this.item(it);
    }

    // fill reads the transcript from the most recent item back, page by page,
    // and merges it: what was missed while the socket was away shows up.
    async fill() {
      let next;
      for (let page = 0; page < 20; page++) {
        const body = { MaxResults: 100, ScanDirection: 'BACKWARD', SortOrder: 'ASCENDING' };
        if (next) body.NextToken = next;
        const out = await this.api('/participant/transcript', body);
        for (const it of out.Transcript || []) this.item(it);
        next = out.NextToken;
        if (!next) break;
      }
    }

    item(it) {
      if (!it || !it.Type) return;
      if (it.Type === 'MESSAGEMETADATA') {
        const mm = it.MessageMetadata || {};
        const msg = this.items.get(mm.MessageId);
        if (msg) {
          const receipts = new Map(((msg.MessageMetadata || {}).Receipts || []).map((r) => [r.RecipientParticipantId, r]));
          for (const r of mm.Receipts || []) receipts.set(r.RecipientParticipantId, Object.assign({}, receipts.get(r.RecipientParticipantId), r));
          msg.MessageMetadata = { MessageId: msg.Id, Receipts: [...receipts.values()] };
          this.changed();
        }
        return;
      }
      if (it.ContentType === CT.typing) {
        if (it.ParticipantId !== this.me.id) {
          this.typing.set(it.ParticipantId, { name: it.DisplayName || it.ParticipantRole, until: Date.now() + TYPING_SHOW_MS });
          setTimeout(() => this.changed(), TYPING_SHOW_MS + 50);
          this.changed();
        }
        return;
      }
      const old = this.items.get(it.Id);
      const merged = Object.assign({}, old, it);
      if (old && old.MessageMetadata && !it.MessageMetadata) merged.MessageMetadata = old.MessageMetadata;
      merged.arrival = old ? old.arrival : this.arrival++;
      this.items.set(it.Id, merged);
      if (it.Type === 'MESSAGE' || it.Type === 'ATTACHMENT') this.typing.delete(it.ParticipantId);
      if (it.ContentType === CT.ended) { this.ended = true; this.setState('ended'); if (this.ws) this.ws.close(); }
      if ((it.Type === 'MESSAGE' || it.Type === 'ATTACHMENT') && it.ParticipantId !== this.me.id && !this.readSent.has(it.Id) && !this.ended) {
        this.readSent.add(it.Id);
        this.sendRead(it.Id);
      }
      this.changed();
    }

    // api calls an operation with the ConnectionToken; when the token has
    // expired it gets a new one with CreateParticipantConnection, once.
    async api(path, body, retried) {
      try {
        return await call('POST', path, body, this.ctoken);
      } catch (err) {
        if (err.status === 403 && err.reason === 'token-expired' && !retried) {
          log(`${this.me.name}: ConnectionToken expired, getting a new one`, 'fired');
          const out = await call('POST', '/participant/connection', { Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }, this.ptoken);
          this.ctoken = out.ConnectionCredentials.ConnectionToken;
          return this.api(path, body, true);
        }
        throw err;
      }
    }

    fail(what, err) {
      this.note = `${what} failed: ${err.message}`;
      log(`${this.me.name}: ${this.note}`, 'fired');
      this.changed();
    }

    // sendMessage sends a message and shows it in the transcript at once,
    // marked as sending until SendMessage answers, whatever the socket is
    // doing; the answer's Id and time replace the mark.
    async sendMessage(text, contentType) {
      this.note = '';
      const type = contentType || 'text/plain';
      const local = {
        Id: 'local-' + uuid(), Type: 'MESSAGE', ContentType: type, Content: text, ParticipantId: this.me.id,
        DisplayName: this.me.name, ParticipantRole: this.me.role, AbsoluteTime: new Date().toISOString(),
        sending: true, arrival: this.arrival++,
      };
      this.items.set(local.Id, local);
      this.changed();
      let out;
      try {
        out = await this.api('/participant/message', { ContentType: type, Content: text, ClientToken: uuid() });
      } catch (err) {
        local.sending = false;
        local.failed = true;
        this.changed();
        throw err;
      }
      this.items.delete(local.Id);
      if (this.items.has(out.Id)) this.changed();
      else this.item(Object.assign({}, local, { Id: out.Id, AbsoluteTime: out.AbsoluteTime, sending: false }));
    }

    // answer sends the customer's answer to an interactive message.
    async answer(it, reply) {
      this.answered.add(it.Id);
      this.changed();
      try { await this.sendMessage(reply.content, reply.type); } catch (err) { this.answered.delete(it.Id); this.fail('SendMessage (interactive answer)', err); }
    }

    // leaveOnClose sends DisconnectParticipant as the tab goes away, with
    // keepalive so that it outlives the page.
    leaveOnClose() {
      if (this.closed || this.ended || !this.ctoken) return;
      this.closed = true;
      fetch('/participant/disconnect', {
        method: 'POST', keepalive: true, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Amz-Bearer': this.ctoken },
        body: JSON.stringify({ ClientToken: uuid() }),
      }).catch(() => {});
    }

    sendTyping() {
      const now = Date.now();
      if (this.ended || now - this.lastTyping < TYPING_SEND_MS) return;
      this.lastTyping = now;
      this.api('/participant/event', { ContentType: CT.typing, ClientToken: uuid() }).catch((err) => this.fail('SendEvent (typing)', err));
    }

    sendRead(messageId) {
      this.api('/participant/event', { ContentType: CT.read, Content: JSON.stringify({ messageId }), ClientToken: uuid() })
        .catch((err) => {
          if (err.status === 409) { this.note = 'Read receipts refused: more than two participants are active (409).'; this.changed(); return; }
          this.fail('SendEvent (read receipt)', err);
        });
    }

    async upload(file) {
      const type = file.type || 'application/octet-stream';
      const st = await this.api('/participant/start-attachment-upload',
        { ContentType: type, AttachmentSizeInBytes: file.size, AttachmentName: file.name, ClientToken: uuid() });
      const res = await fetch(st.UploadMetadata.Url, { method: 'PUT', headers: st.UploadMetadata.HeadersToInclude, body: file });
      if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
      await this.api('/participant/complete-attachment-upload', { AttachmentIds: [st.AttachmentId], ClientToken: uuid() });
    }

    async download(att) {
      const g = await this.api('/participant/attachment', { AttachmentId: att.AttachmentId });
      const res = await fetch(g.Url);
      if (!res.ok) throw new Error(`download: ${res.status}`);
      const blob = await res.blob();
      this.downloaded.set(att.AttachmentId, blob.size);
      const a = el('a', { href: URL.createObjectURL(blob), download: att.AttachmentName || 'attachment' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      this.changed();
    }

    async disconnect() {
      await this.api('/participant/disconnect', { ClientToken: uuid() });
      this.closed = true;
      if (this.ws) this.ws.close();
    }

    sorted() {
      return [...this.items.values()].sort((a, b) =>
        (a.AbsoluteTime || '').localeCompare(b.AbsoluteTime || '') || a.arrival - b.arrival);
    }
  }

  // The page's state.
  const page = {
    snapshot: null,
    view: 'welcome', // welcome, agent, customer
    contactId: '',
    agents: new Map(), // contactId -> ChatClient of this tab's agent
    customer: null, // this tab's customer ChatClient
    watched: [], // a watched chat's transcript, from the control API
    watchedTyping: [], // who types in the watched chat, from the control API
    faults: new Map(), // id -> fault, as last seen
    faultsSeen: false,
  };

  function currentClient() {
    if (page.view === 'customer') return page.customer && page.customer.me.contactId === page.contactId ? page.customer : null;
    if (page.view === 'agent') return page.agents.get(page.contactId) || null;
    return null;
  }

  function currentContact() {
    const snap = page.snapshot;
    return snap && snap.contacts.find((c) => c.id === page.contactId);
  }

  function route() {
    const h = location.hash.replace(/^#/, '');
    const [kind, id] = h.split('/');
    if (kind === 'chat' && id) { page.view = 'agent'; page.contactId = id; }
    else if (kind === 'customer') { page.view = 'customer'; page.contactId = id || (page.customer ? page.customer.me.contactId : ''); }
    else { page.view = 'welcome'; page.contactId = ''; }
    page.watched = [];
    page.watchedTyping = [];
    render();
    if (page.view === 'agent' && !currentClient()) pollTranscript();
  }

  function render() {
    const client = currentClient();
    const contact = currentContact();
    document.body.dataset.role = page.view === 'customer' ? 'customer' : 'agent';
    $('welcome').hidden = page.view !== 'welcome';
    $('start-form').hidden = !(page.view === 'customer' && !client);
    $('chat-view').hidden = !((page.view === 'agent' && page.contactId) || (page.view === 'customer' && client));
    $('chat-faults').hidden = !page.contactId || !contact;
    renderContacts();
    renderFaultTargets(contact);
    renderQuick(contact);
    if ($('chat-view').hidden) return;

    const customer = contact && contact.participants.find((p) => p.role === 'CUSTOMER');
    $('chat-title').textContent = page.view === 'customer'
      ? `You are ${client.me.name} (customer)`
      : `Chat with ${customer ? customer.name : 'a customer'}`;
    $('chat-sub').textContent = `contact ${page.contactId}` + (contact ? ` · started ${clock(contact.started)}` + (contact.ended ? ` · ended ${clock(contact.ended)}` : '') : '');
    const active = contact ? contact.active : !(client && client.ended);
    const state = client ? client.state : (active ? 'watching' : 'ended');
    const badge = $('conn-state');
    badge.textContent = state;
    badge.className = 'badge ' + state;
    const scripted = contact && contact.participants.some((p) => p.scripted && !p.left);
    const joined = client && !client.ended && !client.closed;
    $('takeover').hidden = page.view !== 'agent' || !!client || !active || !scripted;
    $('join').hidden = page.view !== 'agent' || !!client || !active || scripted;
    $('leave').hidden = !joined;
    $('end-chat').hidden = page.view !== 'agent' || !active;
    $('composer').hidden = !joined;
    $('participants').replaceChildren(...(contact ? contact.participants.map(personChip) : []));

    const items = client ? client.sorted() : page.watched;
    renderTranscript(items, client);
    const now = Date.now();
    const typers = client ? [...client.typing.values()].filter((t) => t.until > now).map((t) => t.name) : page.watchedTyping.map((t) => t.name);
    $('typing').textContent = typers.length ? `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…` : '';
    $('chat-error').textContent = client ? client.note : '';
    $('chat-hint').textContent = !client && page.view === 'agent' ? 'Watching: take over or join to answer and send receipts.' : '';
  }

  function personChip(p) {
    const sockets = p.sockets ? el('span', { class: 'sock', text: ` ●${p.sockets}`, title: `${p.sockets} open WebSocket(s)` }) : null;
    return el('span', { class: 'person' + (p.left ? ' left' : ''), title: p.id, 'data-participant': p.id },
      `${p.name} · ${p.role.toLowerCase()}${p.scripted ? ' (built-in)' : ''}`, sockets);
  }

  function describeEvent(it) {
    const who = it.DisplayName || it.ParticipantRole || '';
    switch (it.ContentType) {
      case CT.joined: return `${who} (${(it.ParticipantRole || '').toLowerCase()}) joined`;
      case CT.left: return `${who} (${(it.ParticipantRole || '').toLowerCase()}) left`;
      case CT.ended: return 'The chat ended';
      case CT.rehydrated: return 'Continued from a past chat';
      default: return it.ContentType.replace(EV, '') + (who ? ` · ${who}` : '');
    }
  }

  function receiptText(it) {
    const rs = (it.MessageMetadata || {}).Receipts || [];
    if (rs.some((r) => r.ReadTimestamp)) return 'Read ' + clock(rs.find((r) => r.ReadTimestamp).ReadTimestamp);
    if (rs.some((r) => r.DeliveredTimestamp)) return 'Delivered';
    return '';
  }

  // renderTranscript redraws the transcript when it changed, so that a
  // selection or a click in it survives the page's polling.
  let lastTranscript = '';
  function renderTranscript(items, client) {
    const me = client ? client.me.id : '';
    const ol = $('transcript');
    const key = JSON.stringify([me, items, client ? [...client.downloaded] : [], client ? [...client.answered] : [], client ? client.ended : true]);
    if (key === lastTranscript) return;
    lastTranscript = key;
    const stick = ol.scrollTop + ol.clientHeight >= ol.scrollHeight - 30;
    const lis = items.map((it) => {
      if (it.Type === 'EVENT') {
        return el('li', { class: 'event', 'data-id': it.Id, 'data-type': it.ContentType.replace(EV, '') }, `${describeEvent(it)} · ${clock(it.AbsoluteTime)}`);
      }
      const mine = it.ParticipantId === me;
      const meta = el('div', { class: 'meta' },
        el('span', { text: `${it.DisplayName || ''} · ${(it.ParticipantRole || '').toLowerCase()}` }),
        el('span', { text: clock(it.AbsoluteTime) }));
      const li = el('li', { class: `msg ${it.ParticipantRole || ''}${mine ? ' mine' : ''}${it.sending ? ' sending' : ''}${it.failed ? ' failed' : ''}`, 'data-id': it.Id, 'data-type': it.Type, 'data-content-type': it.ContentType || '' }, meta);
      if (it.Type === 'ATTACHMENT') {
        for (const a of it.Attachments || []) {
          const size = client && client.downloaded.get(a.AttachmentId);
          li.append(el('div', { class: 'attachment' },
            el('span', { class: 'name', text: a.AttachmentName }),
            el('span', { class: 'badge status', text: a.Status || '' }),
            client ? el('button', {
              class: 'download', type: 'button', text: 'Download',
              onclick: () => client.download(a).catch((err) => client.fail('GetAttachment', err)),
            }) : null,
            size !== undefined && size !== false ? el('span', { class: 'downloaded', text: `downloaded, ${size} bytes` }) : null));
        }
      } else if (it.ContentType === Interactive.TYPE) {
        const canAnswer = client && client.me.role === 'CUSTOMER' && !client.ended && !client.closed && !mine;
        const answered = !!client && (client.answered.has(it.Id) || items.some((o) => o.ParticipantId === me && o.Type === 'MESSAGE' && o.AbsoluteTime > it.AbsoluteTime));
        const view = Interactive.render(it.Content || '', { answer: canAnswer ? (r) => client.answer(it, r) : null, answered });
        li.classList.add('has-interactive');
        li.append(view || el('div', { class: 'body', text: it.Content || '' }));
      } else {
        const words = Interactive.describe(it.ContentType, it.Content || '');
        li.append(el('div', { class: 'body' + (words ? ' im-answer' : ''), text: words || it.Content || '', title: words ? it.Content : null }));
      }
      if (it.sending) li.append(el('div', { class: 'status', text: 'sending…' }));
      if (it.failed) li.append(el('div', { class: 'status', text: 'not sent' }));
      if (mine || !client) {
        const r = receiptText(it);
        if (r) li.append(el('div', { class: 'receipt', text: r }));
      }
      return li;
    });
    ol.replaceChildren(...lis);
    if (stick) ol.scrollTop = ol.scrollHeight;
  }

  let lastContacts = '';
  function renderContacts() {
    const snap = page.snapshot;
    if (!snap) return;
    const key = JSON.stringify(snap.contacts) + page.contactId;
    if (key === lastContacts) return;
    lastContacts = key;
    $('contact-count').textContent = `(${snap.contacts.filter((c) => c.active).length} active, ${snap.contacts.length} in all)`;
    $('no-contacts').hidden = snap.contacts.length > 0;
    // Redrawing keeps the keyboard focus on the card that had it.
    const had = document.activeElement && document.activeElement.closest ? document.activeElement.closest('#contacts li[data-contact]') : null;
    const focused = had ? had.dataset.contact : '';
    $('contacts').replaceChildren(...snap.contacts.map((c) => {
      const cust = c.participants.find((p) => p.role === 'CUSTOMER');
      return el('li', {
        class: c.id === page.contactId ? 'selected' : '', 'data-contact': c.id,
        onclick: (ev) => { if (!ev.target.closest('a')) location.hash = `#chat/${c.id}`; },
      },
      el('a', {
        class: 'card-link', href: `#chat/${c.id}`, 'aria-current': c.id === page.contactId ? 'page' : null,
        'aria-label': `Chat with ${cust ? cust.name : 'no customer'}, ${c.active ? 'active' : 'ended'}, started ${clock(c.started)}${c.last ? `, last message from ${c.last.name}` : ''}`,
      }, el('div', { class: 'row' },
        el('span', { class: 'who', text: cust ? cust.name : '(no customer)' }),
        el('span', { class: 'badge' + (c.active ? '' : ' ended'), text: c.active ? 'active' : 'ended' })),
      el('div', { class: 'row' },
        el('span', { class: 'id', text: c.id.slice(0, 8) }),
        el('span', { class: 'id', text: clock(c.started) + (c.ended ? ' – ' + clock(c.ended) : '') })),
      el('div', { class: 'people' }, ...c.participants.map(personChip)),
      c.last ? el('div', { class: 'last', text: `${c.last.name}: ${c.last.content}` }) : null));
    }));
    if (focused) {
      const card = [...$('contacts').children].find((li) => li.dataset.contact === focused);
      if (card) card.querySelector('a').focus();
    }
  }

  function renderFaultTargets(contact) {
    const sel = $('f-target');
    const want = [['', 'every chat']];
    if (contact) {
      want.push(['c:' + contact.id, 'this chat']);
      for (const p of contact.participants) if (!p.left) want.push(['p:' + p.id, `${p.name} (${p.role.toLowerCase()}) only`]);
    }
    const key = JSON.stringify(want);
    if (sel.dataset.key === key) return;
    const was = sel.value;
    sel.dataset.key = key;
    sel.replaceChildren(...want.map(([v, t]) => el('option', { value: v, text: t })));
    sel.value = want.some(([v]) => v === was) ? was : (contact ? 'c:' + contact.id : '');
  }

  // contactFaults returns the faults that apply to the contact and are of
  // one of kinds, permanent ones.
  function contactFaults(contact, ...kinds) {
    if (!page.snapshot || !contact) return [];
    return page.snapshot.faults.filter((f) => f.contactId === contact.id && !f.participantId && f.always && kinds.includes(f.kind));
  }

  function renderQuick(contact) {
    $('q-silence').classList.toggle('on', contactFaults(contact, 'SilenceHeartbeats', 'SilencePings').length > 0);
    $('q-refuse').classList.toggle('on', contactFaults(contact, 'RefuseWebSocket').length > 0);
  }

  function renderFaults(faults) {
    const list = $('fault-list');
    list.replaceChildren(...faults.map((f) => el('li', { class: f.live ? '' : 'spent', 'data-fault': f.id },
      el('div', { class: 'fault-main' },
        el('span', { class: 'words', text: f.words || f.description }),
        el('details', { class: 'spec' }, el('summary', { text: 'spec' }), el('code', { class: 'desc', text: f.description }))),
      el('span', { class: 'fired', text: `fired ${f.fired}×` }),
      el('button', { class: 'link', type: 'button', text: 'remove', 'aria-label': `remove: ${f.words || f.description}`, onclick: () => removeFault(f) }))));
    // The log: what was injected, what fired, what went.
    const seen = new Map(faults.map((f) => [f.id, f]));
    for (const f of faults) {
      const old = page.faults.get(f.id);
      if (!old && page.faultsSeen) log(`injected: ${f.words}`, '', f.description);
      if (!old && !page.faultsSeen) log(`injected at start: ${f.words}`, '', f.description);
      if (f.fired > (old ? old.fired : 0)) log(`fired (${f.fired}×): ${f.words}`, 'fired', f.description);
    }
    for (const [id, f] of page.faults) if (!seen.has(id)) log(`removed: ${f.words}`, '', f.description);
    page.faults = seen;
    page.faultsSeen = true;
  }

  async function removeFault(f) {
    try { await call('DELETE', `/console/api/faults/${f.id}`); } catch (err) { $('fault-error').textContent = err.message; }
    poll();
  }

  async function inject(spec) {
    $('fault-error').textContent = '';
    try {
      return await call('POST', '/console/api/faults', spec);
    } catch (err) {
      $('fault-error').textContent = err.message;
      return null;
    } finally {
      poll();
    }
  }

  async function quick(action) {
    const contact = currentContact();
    if (!contact) return;
    const id = contact.id;
    try {
      switch (action) {
        case 'drop': {
          const out = await call('POST', `/console/api/contacts/${id}/sockets`, { action: 'drop' });
          log(`dropped ${out.sockets} socket(s) of ${id.slice(0, 8)}`, 'fired');
          break;
        }
        case 'close': {
          const out = await call('POST', `/console/api/contacts/${id}/sockets`, { action: 'close', code: 1000, reason: 'closed from the console' });
          log(`closed ${out.sockets} socket(s) of ${id.slice(0, 8)} with 1000`, 'fired');
          break;
        }
        case 'silence': {
          const on = contactFaults(contact, 'SilenceHeartbeats', 'SilencePings');
          if (on.length) for (const f of on) await call('DELETE', `/console/api/faults/${f.id}`);
          else {
            await inject({ kind: 'SilenceHeartbeats', contactId: id, always: true });
            await inject({ kind: 'SilencePings', contactId: id, always: true });
          }
          break;
        }
        case 'refuse': {
          const on = contactFaults(contact, 'RefuseWebSocket');
          if (on.length) for (const f of on) await call('DELETE', `/console/api/faults/${f.id}`);
          else await inject({ kind: 'RefuseWebSocket', contactId: id, always: true });
          break;
        }
        case 'expire':
        case 'expire-all': {
          const out = await call('POST', `/console/api/contacts/${id}/tokens`, { participant: action === 'expire-all' });
          log(`expired ${out.expired} token(s) of ${id.slice(0, 8)}`, 'fired');
          break;
        }
      }
    } catch (err) {
      $('fault-error').textContent = err.message;
    }
    poll();
  }

  function showFormFields() {
    const kind = $('f-kind').value;
    for (const label of document.querySelectorAll('#fault-form [data-for]')) {
      label.hidden = !label.dataset.for.split(' ').includes(kind);
    }
  }

  async function submitFault(ev) {
    ev.preventDefault();
    const kind = $('f-kind').value;
    const spec = { kind };
    if (['Fail', 'Throttle', 'Latency'].includes(kind)) spec.op = $('f-op').value;
    else {
      const t = $('f-target').value;
      if (t.startsWith('c:')) spec.contactId = t.slice(2);
      if (t.startsWith('p:')) spec.participantId = t.slice(2);
    }
    if (kind === 'Fail') spec.code = $('f-code').value;
    if (kind === 'Latency') spec.delay = $('f-delay').value;
    if (kind === 'Throttle') { spec.rate = Number($('f-rate').value); spec.burst = Number($('f-burst').value); }
    if (kind === 'CloseSocket') { spec.closeCode = Number($('f-close').value); spec.reason = 'closed from the console'; }
    if (kind === 'RefuseWebSocket') spec.status = Number($('f-status').value);
    const times = $('f-times').value;
    if (times === 'always') spec.always = true; else spec.times = Number(times);
    const p = $('f-prob').value;
    if (p !== '') spec.probability = Number(p);
    await inject(spec);
  }

  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const agents = [...page.agents.values()].filter((c) => !c.closed && !c.ended).map((c) => `${c.me.contactId}:${c.me.id}`);
      const snap = await call('GET', '/console/api/state' + (agents.length ? '?agents=' + agents.map(encodeURIComponent).join(',') : ''));
      page.snapshot = snap;
      $('server-info').textContent = `${snap.url} · seed ${snap.seed}`;
      renderFaults(snap.faults);
      render();
    } catch (err) {
      $('server-info').textContent = 'the local service does not answer: ' + err.message;
    } finally {
      polling = false;
    }
  }

  let watching = false;
  async function pollTranscript() {
    if (watching || page.view !== 'agent' || !page.contactId || currentClient()) return;
    watching = true;
    const id = page.contactId;
    try {
      const out = await call('GET', `/console/api/contacts/${id}/transcript`);
      if (page.contactId === id && !currentClient()) { page.watched = out.transcript; page.watchedTyping = out.typing || []; render(); }
    } catch (err) {
      $('chat-error').textContent = err.message;
    } finally {
      watching = false;
    }
  }

  async function join() {
    const id = page.contactId;
    $('chat-error').textContent = '';
    try {
      const out = await call('POST', '/contact/create-participant', {
        InstanceId: INSTANCE, ContactId: id, ClientToken: uuid(),
        ParticipantDetails: { ParticipantRole: 'AGENT', DisplayName: AGENT_NAME },
      });
      const c = new ChatClient(out.ParticipantCredentials.ParticipantToken,
        { id: out.ParticipantId, name: AGENT_NAME, role: 'AGENT', contactId: id }, changed);
      page.agents.set(id, c);
      render();
      await c.connect();
    } catch (err) {
      $('chat-error').textContent = 'Could not join: ' + err.message;
    }
    poll();
  }

  async function endChat() {
    try {
      await call('POST', '/contact/stop', { InstanceId: INSTANCE, ContactId: page.contactId });
    } catch (err) {
      $('chat-error').textContent = 'StopContact: ' + err.message;
    }
    poll();
    pollTranscript();
  }

  async function startCustomer(ev) {
    ev.preventDefault();
    const name = $('start-name').value.trim() || 'Customer';
    const first = $('start-message').value.trim();
    const req = {
      InstanceId: INSTANCE, ContactFlowId: 'console', ParticipantDetails: { DisplayName: name }, ClientToken: uuid(),
      SupportedMessagingContentTypes: ['text/plain', Interactive.RESPONSE],
    };
    if (first) req.InitialMessage = { ContentType: 'text/plain', Content: first };
    try {
      const out = await call('PUT', '/contact/chat', req);
      const c = new ChatClient(out.ParticipantToken, { id: out.ParticipantId, name, role: 'CUSTOMER', contactId: out.ContactId }, changed);
      if (page.customer) page.customer.closed = true;
      page.customer = c;
      location.hash = `#customer/${out.ContactId}`;
      await c.connect();
    } catch (err) {
      $('chat-error').textContent = 'StartChatContact: ' + err.message;
      alert('Could not start the chat: ' + err.message);
    }
    poll();
  }

  function changed(c) {
    if (c === currentClient()) render();
  }

  function init() {
    $('start-form').addEventListener('submit', startCustomer);
    $('takeover').addEventListener('click', join);
    $('join').addEventListener('click', join);
    $('end-chat').addEventListener('click', endChat);
    $('leave').addEventListener('click', async () => {
      const c = currentClient();
      if (!c) return;
      try { await c.disconnect(); } catch (err) { c.fail('DisconnectParticipant', err); }
      render();
      poll();
    });
    $('composer').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const c = currentClient();
      const box = $('message');
      const text = box.value.trim();
      if (!c || !text) return;
      box.value = '';
      try { await c.sendMessage(text); } catch (err) { box.value = text; c.fail('SendMessage', err); }
    });
    $('message').addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); $('composer').requestSubmit(); }
    });
    $('message').addEventListener('input', () => { const c = currentClient(); if (c) c.sendTyping(); });
    $('attach').addEventListener('change', async (ev) => {
      const c = currentClient();
      const file = ev.target.files[0];
      ev.target.value = '';
      if (!c || !file) return;
      try { await c.upload(file); } catch (err) { c.fail('attachment upload', err); }
    });
    for (const b of document.querySelectorAll('[data-quick]')) b.addEventListener('click', () => quick(b.dataset.quick));
    $('f-kind').addEventListener('change', showFormFields);
    $('fault-form').addEventListener('submit', submitFault);
    $('f-clear').addEventListener('click', async () => {
      try { await call('DELETE', '/console/api/faults'); } catch (err) { $('fault-error').textContent = err.message; }
      poll();
    });
    window.addEventListener('hashchange', route);
    // An agent tab that closes leaves its chats, as an agent app would.
    window.addEventListener('pagehide', () => { for (const c of page.agents.values()) c.leaveOnClose(); });
    showFormFields();
    route();
    poll();
    setInterval(poll, 700);
    setInterval(pollTranscript, 1000);
    setInterval(() => { const c = currentClient(); if (c && c.typing.size) render(); }, 1000);
  }

  init();
})();
