// Which of the states portal/media_devices.py explains a getUserMedia error is: the pages that
// record or measure a microphone show that state's advice.
window.mediaDeviceProblem = (error) => {
  "use strict";
  switch (error && error.name) {
    case "NotAllowedError": case "SecurityError": return "denied";
    case "NotReadableError": case "AbortError": return "busy";
    case "NotFoundError": case "OverconstrainedError": return "missing";
    default: return "error";
  }
};
