"""Running ffmpeg and ffprobe (the Debian package the project's set-up installs) on a file, for
the takes' processing (media.py) and the spoken prompts (prompt_audio.py)."""

import json
import subprocess
from pathlib import Path

FFMPEG_SECONDS = 300      # no file of ours needs longer; a stuck ffmpeg is stopped


class MediaError(Exception):
    """Why a file cannot be used, in words for the person who sent it."""


def run_tool(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=FFMPEG_SECONDS, check=False,
                              **kwargs)
    except subprocess.TimeoutExpired:
        raise MediaError("The recording took too long to process.") from None
    except FileNotFoundError as missing:  # the server's fault, not the file's: the job fails
        raise RuntimeError(f"{args[0]} is not installed on this server (Debian: apt-get "
                           "install ffmpeg); then run `flask jobs retry-failed --queue media`"
                           ) from missing


def probe(path: Path) -> dict:
    done = run_tool(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                     "-show_streams", str(path)])
    if done.returncode != 0:
        raise MediaError("The file is not a recording the portal can read.")
    return json.loads(done.stdout or b"{}")
