// Régua console: live inbox and transcript (server-sent events), the count
// of conversations waiting in the title, confirmations, and forms posted
// without leaving the conversation page.
(function () {
  'use strict';
  const body = document.body;
  const baseTitle = document.title;

  function setWaiting(n) {
    const badge = document.getElementById('waiting-count');
    if (badge) badge.textContent = n > 0 ? String(n) : '';
    document.title = (n > 0 ? '(' + n + ') ' : '') + baseTitle;
  }

  // Confirmation before destructive or money-moving actions.
  let leaving = false;
  document.addEventListener('submit', function (ev) {
    const f = ev.target;
    const msg = f.getAttribute('data-confirm') || (ev.submitter && ev.submitter.getAttribute('data-confirm'));
    if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
    if (!f.hasAttribute('data-async')) leaving = true; // the page is being replaced: no reload
  }, true);

  if (body.dataset.live) {
    const es = new EventSource('/console/events');
    let refreshing = false;
    es.addEventListener('inbox', function (ev) {
      const d = JSON.parse(ev.data);
      setWaiting(d.waiting);
      const tbody = document.getElementById('inbox-rows');
      if (tbody && !refreshing) {
        refreshing = true;
        fetch('/console/inbox/rows' + window.location.search, { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) { tbody.innerHTML = html; })
          .catch(function () {})
          .finally(function () { refreshing = false; });
      }
    });
  }

  const tr = document.getElementById('transcript');
  if (tr) {
    const id = tr.dataset.conversation;
    tr.scrollTop = tr.scrollHeight;
    const seen = new Set([...tr.querySelectorAll('[data-id]')].map(function (e) { return e.dataset.id; }));
    function add(m) {
      if (m.id && seen.has(String(m.id))) return;
      if (m.id) seen.add(String(m.id));
      const div = document.createElement('div');
      div.className = 'msg ' + m.direction + (m.sender === 'agent' ? ' agent' : '');
      if (m.id) div.dataset.id = m.id;
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = ({ debtor: 'Devedor', bot: 'Robô', agent: 'Atendente', system: 'Sistema' })[m.sender] || m.sender;
      div.appendChild(who);
      div.appendChild(document.createTextNode(m.text || ''));
      if (m.pix) {
        const c = document.createElement('code'); c.className = 'pix'; c.textContent = m.pix.payload; div.appendChild(c);
      }
      tr.appendChild(div);
      tr.scrollTop = tr.scrollHeight;
    }
    const es2 = new EventSource('/console/conversations/' + id + '/events');
    es2.addEventListener('message', function (ev) { add(JSON.parse(ev.data)); });
    es2.addEventListener('status', function (ev) {
      const d = JSON.parse(ev.data);
      const st = document.getElementById('conv-status');
      if (st && st.dataset.status !== d.status && !leaving) { window.location.reload(); }
    });
    // Reply, quick actions and notes post in the background.
    document.querySelectorAll('form[data-async]').forEach(function (f) {
      f.addEventListener('submit', function (ev) {
        if (ev.defaultPrevented) return;
        ev.preventDefault();
        const data = new URLSearchParams(new FormData(f, ev.submitter));
        const status = document.getElementById('async-status');
        fetch(f.getAttribute('action'), { method: 'POST', body: data, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
          .then(function (r) {
            if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
            if (f.dataset.async === 'reload') { window.location.reload(); return; }
            const ta = f.querySelector('textarea'); if (ta) ta.value = '';
            if (status) status.textContent = '';
          })
          .catch(function (e) { if (status) status.textContent = e.message; });
      });
    });
  }
})();

// Live preview of the régua's texts while the admin edits them.
(function () {
  'use strict';
  const ta = document.querySelector('textarea[data-preview]');
  const box = document.getElementById('regua-preview-box');
  if (!ta || !box) return;
  let timer = null;
  ta.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const body = new URLSearchParams({ config: ta.value, preview: '1' });
      fetch(ta.dataset.preview, { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
        .then(function (r) { return r.text(); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () {});
    }, 400);
  });
})();

// WhatsApp pairing: the QR code (or the phone code) arrives as server-sent
// events on the POST's answer and is drawn as it changes.
(function () {
  'use strict';
  const form = document.getElementById('wa-pair');
  if (!form) return;
  const status = document.getElementById('wa-pair-status');
  const img = document.getElementById('wa-qr');
  const code = document.getElementById('wa-code');
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    status.textContent = 'Aguardando o WhatsApp…';
    fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' })
      .then(function (res) {
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        let buf = '';
        function handle(block) {
          let event = 'message', data = '';
          block.split('\n').forEach(function (l) {
            if (l.startsWith('event: ')) event = l.slice(7);
            if (l.startsWith('data: ')) data += l.slice(6);
          });
          if (!data) return;
          const d = JSON.parse(data);
          if (event === 'qr') { img.src = d.png; img.hidden = false; status.textContent = 'Abra o WhatsApp no celular → Aparelhos conectados → Conectar um aparelho, e leia o código.'; }
          if (event === 'pairing_code') { code.textContent = d.code; code.hidden = false; status.textContent = 'No celular, escolha “Conectar com número de telefone” e digite o código.'; }
          if (event === 'paired') { img.hidden = true; code.hidden = true; status.textContent = 'Pareado: ' + d.number; setTimeout(function () { window.location.reload(); }, 1500); }
          if (event === 'error') { status.textContent = 'Não foi possível: ' + d.error; }
        }
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) return;
            buf += dec.decode(r.value, { stream: true });
            let i;
            while ((i = buf.indexOf('\n\n')) >= 0) { handle(buf.slice(0, i)); buf = buf.slice(i + 2); }
            return pump();
          });
        }
        return pump();
      })
      .catch(function (e) { status.textContent = 'Falhou: ' + e.message; });
  });
})();
