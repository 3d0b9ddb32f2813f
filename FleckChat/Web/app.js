'use strict';
// FleckChat's browser client: speaks the JSON format of docs/protocol.md (subprotocol
// fleckchat.v1.json). Everything from the server is inserted with textContent, never as HTML.
(() => {
  const SUBPROTOCOL = 'fleckchat.v1.json';
  const MAX_LINES = 500;
  // Closes worth another try: no close frame at all (a dead network, a reset), or the server's
  // "internal error", "restarting", "try again later". Any other code is the server's last word
  // (a /quit, flooding, shutting down, resumed on another connection, a protocol error).
  // 1001: the daemon is stopping, usually to be started again (an upgrade, a restart): come back to it.
  const RETRY_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);
  const FIRST_DELAY_MS = 500;
  const MAX_DELAY_MS = 15000;
  const chatPath = (document.querySelector('meta[name="fleckchat-path"]').content || '/chat').replace(/\/+$/, '');
  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $('status'), me: $('me'), currentRoom: $('current-room'), name: $('name'), nameForm: $('name-form'),
    room: $('room'), roomForm: $('room-form'), roomList: $('room-list'), messages: $('messages'),
    sendForm: $('send-form'), message: $('message'), members: $('members'), memberCount: $('member-count'),
  };
  const state = {
    socket: null, me: '', room: roomFromHash(), members: [], attempt: 0, timer: 0, roomsAsked: false,
    wantedName: sessionStorage.getItem('fleckchat.name') || '', asked: '', closedFor: '', lost: false,
    // Where to resume (docs/protocol.md, "Reconnecting"): the room's epoch, the last room event's id
    // seen in it, and the resume token of the latest welcome. Cleared when the room changes.
    epoch: '', lastId: 0, resume: '',
  };

  // The server's rule for room names (NameRules): letters, digits, _ . - and at most 32 of them.
  function validRoom(room) { return /^[A-Za-z0-9_.-]{1,32}$/.test(room); }
  function roomFromHash() {
    let room = '';
    try { room = decodeURIComponent(location.hash.slice(1)); } catch { room = ''; }
    return validRoom(room) ? room : 'lobby';
  }

  function endpoint() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const path = state.room === 'lobby' ? chatPath : chatPath + '/' + encodeURIComponent(state.room);
    const params = [];
    if (state.wantedName) { params.push('name=' + encodeURIComponent(state.wantedName)); }
    if (state.epoch) {
      params.push('since=' + state.lastId, 'epoch=' + encodeURIComponent(state.epoch));
      if (state.resume) { params.push('resume=' + encodeURIComponent(state.resume)); }
    }
    return scheme + '//' + location.host + path + (params.length ? '?' + params.join('&') : '');
  }

  function setStatus(kind, text) {
    ui.status.className = 'status ' + kind;
    ui.status.textContent = text;
    document.body.dataset.state = kind;
  }

  function connect() {
    clearTimeout(state.timer);
    ui.currentRoom.textContent = state.room;
    ui.room.value = state.room;
    setStatus('connecting', (state.lost ? 'Reconnecting to ' : 'Connecting to ') + state.room + '…');
    let socket;
    try {
      socket = new WebSocket(endpoint(), SUBPROTOCOL);
    } catch (e) {
      setStatus('disconnected', 'Cannot connect: ' + e.message);
      return;
    }
    state.socket = socket;
    socket.onmessage = (e) => {
      if (socket !== state.socket) { return; }
      let event;
      try { event = JSON.parse(e.data); } catch { return; }
      if (event && typeof event.type === 'string' && fresh(event)) { handle(event, false); }
    };
    socket.onclose = (e) => {
      if (socket !== state.socket) { return; }
      state.socket = null;
      if (RETRY_CODES.has(e.code)) { reconnectLater(e); } else { closedForGood(e); }
    };
  }

  // Exponential backoff with ±30 % jitter, so pages that lost the same server do not all come back
  // in the same instant. One line tells the person; failed attempts only update the status.
  function reconnectLater(close) {
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** state.attempt) * (0.7 + Math.random() * 0.6);
    state.attempt += 1;
    // A reconnection that fails has no reason of its own: the one the server closed with stays.
    const why = close.code === 1006 && state.closedFor ? state.closedFor : closeReason(close);
    state.closedFor = why;
    if (!state.lost) {
      state.lost = true;
      addLine('error', null, why + '; reconnecting…', null);
    }
    setStatus('reconnecting', 'Disconnected (' + why + '). Reconnecting in ' + Math.ceil(delay / 1000) + ' s…');
    state.timer = setTimeout(connect, delay);
  }

  // The server said its last word: shown with its code, and no reconnection (Join connects again).
  function closedForGood(close) {
    const why = close.code + (close.reason ? ' ' + close.reason : '');
    state.lost = false;
    state.attempt = 0;
    state.closedFor = '';
    setStatus('disconnected', 'Disconnected (' + why + '). Not reconnecting.');
    addLine('error', null, 'Disconnected by the server (' + why + '). Join a room to connect again.', null);
  }

  // Each room event is shown once: ids grow within an epoch, so one already seen (replayed by a
  // resume that overlapped, or in the history after a gap) is dropped. Events without an id pass.
  function fresh(event) {
    if (event.type === 'welcome') {
      if (event.epoch !== state.epoch) { state.lastId = 0; }
      state.epoch = typeof event.epoch === 'string' ? event.epoch : '';
      state.resume = typeof event.resume === 'string' ? event.resume : '';
      return true;
    }
    if (typeof event.id !== 'number') { return true; }
    if (event.id <= state.lastId) { return false; }
    state.lastId = event.id;
    return true;
  }

  // The server's reason ("server shutting down", "flooding", a /quit's words) when it gave one;
  // 1006 means no close frame came at all.
  function closeReason(close) {
    if (close.reason) { return close.reason; }
    return close.code === 1006 ? 'connection lost' : 'closed ' + close.code;
  }

  function switchRoom(room) {
    if (!validRoom(room)) { addLine('error', null, 'A room name has 1 to 32 letters, digits, _ . or -.', null); return; }
    if (room === state.room && state.socket) { return; }
    state.room = room;
    const hash = room === 'lobby' ? '' : '#' + encodeURIComponent(room);
    if (location.hash !== hash) { history.replaceState(null, '', location.pathname + location.search + hash); }
    const old = state.socket;
    state.socket = null;
    if (old) { old.close(1000, 'switching rooms'); }
    ui.messages.replaceChildren();
    setMembers([]);
    state.attempt = 0;
    state.lost = false;
    state.epoch = '';
    state.lastId = 0;
    state.resume = '';
    connect();
  }

  function send(payload) {
    const socket = state.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      addLine('error', null, 'Not connected: not sent.', null);
      return false;
    }
    socket.send(JSON.stringify(payload));
    return true;
  }

  function sendText(text) {
    if (text.startsWith('//')) { return send({ type: 'message', text: text.slice(1) }); }
    if (text.startsWith('/')) {
      if (/^\/rooms\b/i.test(text)) { state.roomsAsked = true; }
      const nick = /^\/nick\s+(\S+)/i.exec(text);
      if (nick) { state.asked = nick[1]; }
      return send({ type: 'command', text: text });
    }
    return send({ type: 'message', text: text });
  }

  function handle(event, fromHistory) {
    switch (event.type) {
      case 'welcome':
        state.attempt = 0;
        state.closedFor = '';
        setMe(event.name);
        setMembers(Array.isArray(event.members) ? event.members : []);
        setStatus('connected', 'Connected');
        addLine('notice', null, state.lost ? 'Reconnected.' : event.text || 'Connected.', event.ts);
        state.lost = false;
        send({ type: 'command', text: '/rooms' });
        break;
      case 'history':
        (Array.isArray(event.events) ? event.events : []).filter(fresh).forEach((e) => handle(e, true));
        break;
      case 'gap': addLine('error', null, event.text, event.ts); break;
      case 'message': addLine('message', event.from, event.text, event.ts, fromHistory); break;
      case 'action': addLine('action', event.from, event.text, event.ts, fromHistory); break;
      case 'whisper': addLine('whisper', event.from + ' → ' + event.to, event.text, event.ts, fromHistory); break;
      case 'join':
        addLine('join', null, event.name + ' joined', event.ts, fromHistory);
        if (!fromHistory) { setMembers(state.members.concat([event.name])); }
        break;
      case 'leave':
        addLine('leave', null, event.name + ' left' + (event.text ? ': ' + event.text : ''), event.ts, fromHistory);
        if (!fromHistory) { setMembers(state.members.filter((m) => m !== event.name)); }
        break;
      case 'presence': addLine('notice', null, event.text, event.ts); break;
      case 'rename':
        addLine('rename', null, event.from + ' is now known as ' + event.name, event.ts, fromHistory);
        if (!fromHistory) {
          if (event.from === state.me) { setMe(event.name); }
          setMembers(state.members.map((m) => (m === event.from ? event.name : m)));
        }
        break;
      case 'who':
        if (event.room === state.room && Array.isArray(event.members)) { setMembers(event.members); }
        addLine('notice', null, 'Members of ' + event.room + ': ' + (event.members || []).join(', '), event.ts);
        break;
      case 'rooms': showRooms(Array.isArray(event.rooms) ? event.rooms : [], event.ts); break;
      case 'error':
        if (state.asked) { showMe(state.asked); }
        addLine('error', null, event.text, event.ts);
        break;
      case 'info': addLine('notice', null, event.text, event.ts); break;
      default: break;
    }
  }

  function setMe(name) {
    if (typeof name !== 'string' || !name) { return; }
    const asked = state.asked || state.wantedName;
    state.me = name;
    state.wantedName = name;
    sessionStorage.setItem('fleckchat.name', name);
    ui.me.textContent = name;
    showMe(asked);
    renderMembers();
  }

  // The Name field shows the name the member really has, also after the server refused the one
  // asked for (taken, invalid): only a name the user is still typing is left alone.
  function showMe(asked) {
    state.asked = '';
    if (document.activeElement !== ui.name || ui.name.value.trim() === asked) { ui.name.value = state.me; }
  }

  function setMembers(members) {
    state.members = Array.from(new Set(members.filter((m) => typeof m === 'string'))).sort((a, b) => a.localeCompare(b));
    renderMembers();
  }

  function renderMembers() {
    ui.members.replaceChildren(...state.members.map((name) => {
      const li = document.createElement('li');
      li.textContent = name;
      if (name === state.me) { li.className = 'self'; }
      return li;
    }));
    ui.memberCount.textContent = String(state.members.length);
  }

  function showRooms(rooms, ts) {
    ui.roomList.replaceChildren(...rooms.map((r) => {
      const option = document.createElement('option');
      option.value = String(r.room);
      return option;
    }));
    if (state.roomsAsked) {
      state.roomsAsked = false;
      addLine('notice', null, 'Rooms: ' + rooms.map((r) => r.room + ' (' + r.members + ')').join(', '), ts);
    }
  }

  function addLine(type, from, text, ts, fromHistory) {
    const atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
    const li = document.createElement('li');
    li.className = 'event ' + type + (fromHistory ? ' history' : '');
    li.dataset.type = type;
    const when = ts ? new Date(ts) : new Date();
    const time = document.createElement('time');
    if (!Number.isNaN(when.getTime())) {
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    }
    li.append(time);
    if (from !== null && from !== undefined) {
      const sender = document.createElement('span');
      sender.className = 'from';
      sender.textContent = String(from);
      li.append(sender);
    }
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = String(text ?? '');
    li.append(body);
    ui.messages.append(li);
    while (ui.messages.childElementCount > MAX_LINES) { ui.messages.firstElementChild.remove(); }
    if (atBottom) { ui.messages.scrollTop = ui.messages.scrollHeight; }
  }

  ui.sendForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = ui.message.value;
    if (text.trim() && sendText(text)) { ui.message.value = ''; }
  });
  ui.nameForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = ui.name.value.trim();
    if (!name || name === state.me) { return; }
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.asked = name;
      send({ type: 'command', text: '/nick ' + name });
    } else {
      state.wantedName = name;
      sessionStorage.setItem('fleckchat.name', name);
    }
  });
  ui.roomForm.addEventListener('submit', (e) => {
    e.preventDefault();
    switchRoom(ui.room.value.trim() || 'lobby');
  });
  window.addEventListener('hashchange', () => switchRoom(roomFromHash()));
  // Back online while waiting to retry: try now rather than at the end of a long backoff.
  window.addEventListener('online', () => {
    if (!state.socket && state.lost) { state.attempt = 0; connect(); }
  });
  connect();
})();
