// Interactive messages for the agent console: renders the templates of
// application/vnd.amazonaws.connect.message.interactive (ListPicker, Panel,
// QuickReply, TimePicker, Carousel, ViewResource) and builds the customer's
// answer as the hosted communications widget sends it, the same rules as
// the Go package interactive. Images are not loaded: the console loads
// nothing from elsewhere; their descriptions are shown instead.
'use strict';
window.Interactive = (() => {
  const TYPE = 'application/vnd.amazonaws.connect.message.interactive';
  const RESPONSE = TYPE + '.response';
  const TEXT = 'text/plain';
  const MAX_BYTES = 64 << 10;
  const MAX_ELEMENTS = 100;

  // el builds an element: attributes (class, text, on* listeners, the rest
  // as attributes; undefined, null and false left out) and children.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
    return e;
  }

  const str = (v) => (typeof v === 'string' ? v : '');
  const list = (v) => (Array.isArray(v) ? v.slice(0, MAX_ELEMENTS) : []);
  const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

  // parse decodes an interactive message's content: {templateType, version,
  // data} or null.
  function parse(content) {
    if (typeof content !== 'string' || content.length > MAX_BYTES) return null;
    let m;
    try { m = JSON.parse(content); } catch (e) { return null; }
    if (!m || typeof m !== 'object' || typeof m.templateType !== 'string' || !m.templateType) return null;
    return { templateType: m.templateType, version: str(m.version), data: obj(m.data) };
  }

  const isLink = (e) => str(e.type).toLowerCase() === 'hyperlink';

  // elementReply is a ListPicker or Panel element's answer: its title as
  // text, or for a paging button the interactive.response.
  function elementReply(e, templateType, c) {
    if (e.actionDetail === 'SHOW_MORE' || e.actionDetail === 'PREVIOUS_OPTIONS') {
      return {
        type: RESPONSE,
        content: JSON.stringify({
          version: '1.0',
          data: { actionName: e.actionDetail, preIndex: c.preIndex, nextIndex: c.nextIndex, listId: c.listId, templateType, referenceId: c.referenceId },
          action: e.actionDetail,
        }),
      };
    }
    return { type: TEXT, content: str(e.title) };
  }

  function slotLabel(slot, offset) {
    const d = new Date(str(slot.date));
    let label = str(slot.date);
    if (!isNaN(d)) {
      const off = Number.isInteger(offset) && Math.abs(offset) < 24 * 60 ? offset : 0;
      const shifted = new Date(d.getTime() + off * 60000);
      const sign = off < 0 ? '-' : '+';
      const a = Math.abs(off);
      const zone = `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
      label = shifted.toLocaleString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) + ' ' + zone;
    }
    if (slot.duration > 0) label += `, ${slot.duration} min`;
    return label;
  }

  // choice is a button that sends reply, or a disabled one for a reader.
  function choice(label, reply, opts, sub) {
    return el('button', {
      type: 'button', class: 'choice', disabled: !opts.answer || opts.answered,
      'data-reply-type': reply.type,
      onclick: () => opts.answer(reply),
    }, el('span', { class: 'choice-title', text: label }), sub ? el('span', { class: 'choice-sub', text: sub }) : null);
  }

  function link(e) {
    const url = str(e.url);
    if (!/^https?:\/\//i.test(url)) return el('span', { class: 'choice-link', text: str(e.title) });
    return el('a', { class: 'choice-link', href: url, target: '_blank', rel: 'noopener noreferrer', text: str(e.title) });
  }

  function image(c) {
    const d = str(c.imageDescription);
    return str(c.imageData) ? el('div', { class: 'im-image', text: `[image${d ? ': ' + d : ''}]` }) : null;
  }

  function head(c) {
    return [el('div', { class: 'im-title', text: str(c.title) }), str(c.subtitle) ? el('div', { class: 'im-sub', text: str(c.subtitle) }) : null];
  }

  // picker renders a ListPicker's or Panel's content; reply(e) answers an
  // element.
  function picker(c, opts, reply) {
    return [image(c), ...head(c), el('div', { class: 'im-choices', role: 'group', 'aria-label': str(c.title) },
      ...list(c.elements).map((e) => (isLink(e) ? link(e) : choice(str(e.title), reply(e), opts, str(e.subtitle)))))];
  }

  function carousel(c, opts) {
    return [el('div', { class: 'im-title', text: str(c.title) }), el('div', { class: 'im-cards' },
      ...list(c.elements).map((card) => {
        const cc = obj(obj(obj(card).data).content);
        const title = str(cc.title);
        return el('div', { class: 'im-card', role: 'group', 'aria-label': title },
          ...picker(cc, opts, (e) => ({
            type: TEXT, content: JSON.stringify({ templateIdentifier: str(card.templateIdentifier), listTitle: title, selectionText: str(e.title) }),
          })));
      }))];
  }

  function view(c, opts) {
    let data = c.viewData;
    if (typeof data === 'string') { try { data = JSON.parse(data); } catch (e) { /* shown as written */ } }
    const input = el('input', { class: 'im-view-input', type: 'text', 'aria-label': 'Your answer to the form', disabled: !opts.answer || opts.answered });
    const send = () => {
      const text = input.value.trim();
      if (text) opts.answer({ type: RESPONSE, content: JSON.stringify({ templateType: 'ViewResource', version: '1.0', action: ' ', data: { content: text } }) });
    };
    input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); send(); } });
    return [
      el('div', { class: 'im-title', text: `A form to fill in (view ${str(c.viewId) || '-'})` }),
      data !== undefined ? el('pre', { class: 'im-view-data', text: typeof data === 'string' ? data : JSON.stringify(data, null, 2) }) : null,
      el('div', { class: 'im-view-form' }, input, el('button', { type: 'button', class: 'choice', disabled: !opts.answer || opts.answered, onclick: send, text: 'Send' })),
    ];
  }

  // render draws an interactive message. opts.answer(reply), when set,
  // sends the customer's answer; opts.answered disables the choices and
  // shows the template's replyMessage. It returns null when the content is
  // not an interactive message, for the caller to show as text.
  function render(content, opts) {
    const m = parse(content);
    if (!m) return null;
    const c = obj(m.data.content);
    let body;
    switch (m.templateType) {
      case 'ListPicker':
      case 'Panel':
        body = picker(c, opts, (e) => elementReply(e, m.templateType, c));
        break;
      case 'QuickReply':
        body = [...head(c), el('div', { class: 'im-choices im-quick', role: 'group', 'aria-label': str(c.title) },
          ...list(c.elements).map((e) => choice(str(e.title), { type: TEXT, content: str(e.title) }, opts)))];
        break;
      case 'TimePicker': {
        const loc = obj(c.location);
        body = [...head(c), str(loc.title) ? el('div', { class: 'im-sub', text: `Where: ${loc.title}` }) : null,
          el('div', { class: 'im-choices', role: 'group', 'aria-label': str(c.title) },
            ...list(c.timeslots).map((s) => choice(slotLabel(obj(s), c.timeZoneOffset), { type: TEXT, content: str(obj(s).date) }, opts)))];
        break;
      }
      case 'Carousel':
        body = carousel(c, opts);
        break;
      case 'ViewResource':
        body = view(c, opts);
        break;
      default:
        body = [el('div', { class: 'im-title', text: `An interactive message this console cannot show (${m.templateType}):` }),
          el('pre', { class: 'im-raw', text: content })];
    }
    const reply = obj(m.data.replyMessage);
    return el('div', { class: 'interactive', 'data-template': m.templateType },
      ...body,
      opts.answered && str(reply.title) ? el('div', { class: 'im-replied', text: str(reply.title) + (str(reply.subtitle) ? ` · ${reply.subtitle}` : '') }) : null);
  }

  // describe turns a customer's answer into words for the transcript: an
  // interactive.response's action or typed text, a carousel selection's
  // "card - choice"; null for anything else.
  function describe(contentType, content) {
    let v;
    try { v = JSON.parse(content); } catch (e) { return null; }
    if (!v || typeof v !== 'object') return null;
    if (contentType === RESPONSE) {
      const typed = obj(v.data).content;
      if (str(v.action).trim() === '' && typeof typed === 'string') return typed;
      return str(v.action) ? `[${v.action}]` : null;
    }
    if (contentType === TEXT && typeof v.listTitle === 'string' && typeof v.selectionText === 'string' && typeof v.templateIdentifier === 'string') {
      return `${v.listTitle} - ${v.selectionText}`;
    }
    return null;
  }

  // el is the console's one element builder: console.js takes it from here.
  return { TYPE, RESPONSE, render, describe, el };
})();
