// Shared by the live pages: one WebSocket to /ws, reconnecting, speaking the protocol of docs/websocket.md.
"use strict";
const Live = (() => {
  function url() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  }
  function log(line, cls) {
    const el = document.getElementById("log");
    if (!el) return;
    const div = document.createElement("div");
    if (cls) div.className = cls;
    div.textContent = new Date().toISOString().substring(11, 23) + " " + line;
    el.prepend(div);
    while (el.childNodes.length > 200) el.removeChild(el.lastChild);
  }
  function status(text, cls) {
    const el = document.getElementById("status");
    el.textContent = text;
    el.className = cls || "";
  }
  // connect(onOpen(send), onFrame(frame)) -> {send, close}
  function connect(onOpen, onFrame) {
    let ws, closedByUs = false;
    const api = {
      send(frame) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame)); },
      close() { closedByUs = true; if (ws) ws.close(1000, "page closed"); }
    };
    function open() {
      ws = new WebSocket(url());
      status("connecting to " + url() + " ...");
      ws.onopen = () => {
        status("connected", "open");
        api.send({ type: "init" });
        onOpen(api);
      };
      ws.onmessage = (m) => {
        let f;
        try { f = JSON.parse(m.data); } catch (e) { log("not JSON: " + m.data, "err"); return; }
        if (f.type === "heartbeat") { api.send({ type: "ping" }); return; }
        if (f.type === "pong" || f.type === "ready") return;
        if (f.type === "error") log("error " + f.error_code + ": " + f.message, "err");
        onFrame(f);
      };
      ws.onclose = (e) => {
        status("disconnected (" + e.code + (e.reason ? " " + e.reason : "") + "), reconnecting ...", "closed");
        if (!closedByUs) setTimeout(open, 1000);
      };
    }
    open();
    return api;
  }
  function text(f, field) {
    if (f[field] !== undefined && f[field] !== null) {
      return typeof f[field] === "string" ? f[field] : JSON.stringify(f[field]);
    }
    if (f[field + "_base64"] !== undefined) return "base64:" + f[field + "_base64"];
    return "";
  }
  return { connect, log, status, text };
})();
