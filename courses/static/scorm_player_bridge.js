// The player's half of the postMessage bridge (COURSE_CONTENT_ORIGIN set; the launcher's half
// and the messages are in scorm_bridge.js). `create()` returns what scorm_player.js uses as a
// launch's runtime when the runtime itself lives in the launcher on the content origin: the
// session's state and its unconfirmed changes as the launcher last reported them, and its
// commits stored with the player's `onCommit`, as a local runtime's are (sequence numbers
// and retries stay in the player, sent from the portal's origin with its cookie; when the tab
// closes, the launcher's farewell beacon ends the session). The player ends a session left open (`end`: LMSFinish or Terminate) by storing those
// changes itself, the launcher being gone by then. `receive(message)` takes the launcher's
// messages, which the player has checked come from the frame, the content origin and this
// launch.
(function () {
  "use strict";

  function create(options) {
    const { frame, origin, version, table, state, end, onCommit, isOpen } = options;
    let status = "not initialized";
    let pending = [];
    let launched = false;
    let closed = null; // resolves the close asked of the launcher
    const flights = new Set();
    const send = (message) => { // nowhere once the frame is gone (the page is closing)
      if (frame.contentWindow) frame.contentWindow.postMessage(message, origin);
    };
    const track = (promise) => {
      flights.add(promise);
      promise.finally(() => flights.delete(promise));
      return promise;
    };
    // Stored: no longer pending, though the launcher (gone, perhaps) has not said so yet.
    const confirmed = (changes) => {
      const head = JSON.stringify(pending.slice(0, changes.length));
      if (head === JSON.stringify(changes)) pending = pending.slice(changes.length);
    };
    const stored = (changes, terminate) => Promise.resolve(onCommit(changes, { terminate }))
      .then((ok) => ok === true, () => false)
      .then((ok) => {
        if (ok) confirmed(changes);
        return ok;
      });

    return {
      state: () => status,
      initializeCalled: () => status !== "not initialized",
      pendingChanges: () => pending.map((change) => change.slice()),
      settled: () => Promise.all([...flights]).then(() => undefined),
      // The launcher unloads the SCO (whose unload handler may still end its session), then
      // says so; suspend: it sets cmi.exit (cmi.core.exit) to "suspend" first.
      closeContent: (suspend) => new Promise((resolve) => {
        closed = resolve;
        send({ type: "close", suspend });
      }),
      [end]: () => {
        if (status !== "running") return "false";
        status = "terminated";
        track(stored(pending, true));
        return "true";
      },
      receive(message) {
        switch (message.type) {
          case "ready":
            if (launched) return;
            launched = true;
            send({ type: "launch", version, table, values: state.values || {},
                   launch: state.launch, final: state.final });
            break;
          case "initialized":
            if (status === "not initialized") status = "running";
            break;
          case "terminated":
            status = "terminated";
            break;
          case "pending":
            if (Array.isArray(message.changes)) pending = message.changes;
            break;
          case "commit":
            if (!Array.isArray(message.changes)) return;
            track(stored(message.changes, message.terminate === true).then((ok) => {
              if (isOpen()) send({ type: "committed", id: message.id, ok });
            }));
            break;
          case "closed":
            if (closed) closed();
            break;
          default:
        }
      },
    };
  }

  window.ScormPlayerBridge = { create };
})();
