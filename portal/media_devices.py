"""What to tell a person whose microphone or camera the browser could not open, by the state
the page maps the browser's error to (NotAllowedError: denied, NotReadableError: busy,
NotFoundError: missing; no getUserMedia: unsupported; anything else: error). Shared by every
page that records or measures a device."""

MICROPHONE_ADVICE = {
    "denied": "Allow the microphone: click the lock or camera icon at the left of the address "
              "bar, set Microphone to Allow, then reload the page and try again.",
    "busy": "Another app is using the microphone: quit Zoom, Teams, Skype or any other call "
            "app (and other tabs using it), then try again.",
    "missing": "No microphone was found: plug in your headset (try another USB port), then "
               "try again.",
    "unsupported": "This browser cannot use a microphone on this page: use a current Chrome, "
                   "Edge, Firefox or Safari.",
    "error": "The microphone could not be started: unplug and plug in the headset, close other "
             "call apps, reload the page and try again.",
}

CAMERA_AND_MICROPHONE_ADVICE = {
    "denied": "Allow the camera and the microphone: click the lock or camera icon at the left "
              "of the address bar, set Camera and Microphone to Allow, then reload the page.",
    "busy": "Another app is using the camera or the microphone: quit Zoom, Teams, Skype or any "
            "other call or camera app (and other tabs using them), then try again.",
    "missing": "No camera or no microphone was found: plug in your webcam and headset (try "
               "another USB port), then try again.",
    "unsupported": "This browser cannot use a camera on this page: use a current Chrome, Edge, "
                   "Firefox or Safari.",
    "error": "The camera or the microphone could not be started: unplug and plug them in, close "
             "other call apps, reload the page and try again.",
}

# What a recording of each kind needs explained.
ADVICE_FOR = {"audio": MICROPHONE_ADVICE, "video": CAMERA_AND_MICROPHONE_ADVICE}
