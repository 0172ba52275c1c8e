"""Would an offline transcript help a reviewer? The word error rate of pocketsphinx's English
model on generated speech.

    python bench/transcript_wer.py

Speaks a dozen customer-call sentences with espeak-ng (two voices), converts each to 16 kHz
mono with ffmpeg, recognises it with pocketsphinx (PyPI; its bundled US English model) and
counts word errors (substitutions, insertions and deletions against the sentence, lowercase,
punctuation dropped). Synthetic speech is clean and evenly paced, so this is a best case: a
candidate's headset in a home office does worse. Neither tool is part of the portal; without
them the bench says what to install and stops. The portal would show a transcript only at a
word error rate of 25 % or less; above that it keeps to the speech measures (loudness,
silence). The last line is machine-readable: `RESULT name=transcript_wer ratio=<WER> ...`.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

USEFUL_WER = 0.25
VOICES = ("en-us", "en-us+f3")
SENTENCES = (
    "I am sorry your order has not arrived yet, let me check what happened",
    "your standing desk is held at the local depot after a failed delivery",
    "I can arrange a delivery on Saturday at no cost to you",
    "could you confirm your address and a contact number please",
    "thank you for calling and have a wonderful day",
    "I understand how frustrating this must be when you start a new job on Monday",
)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def word_errors(reference: list[str], heard: list[str]) -> int:
    """Levenshtein distance over words."""
    previous = list(range(len(heard) + 1))
    for i, said in enumerate(reference, start=1):
        current = [i]
        for j, got in enumerate(heard, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (said != got)))
        previous = current
    return previous[-1]


def recognise(decoder, raw: bytes) -> str:
    decoder.start_utt()
    decoder.process_raw(raw, full_utt=True)
    decoder.end_utt()
    return decoder.hyp().hypstr if decoder.hyp() else ""


def main() -> None:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        Decoder = None
    missing = [name for name, ok in (("pip install pocketsphinx", Decoder is not None),
                                     ("apt-get install espeak-ng", shutil.which("espeak-ng")),
                                     ("apt-get install ffmpeg", shutil.which("ffmpeg"))) if not ok]
    if missing:
        sys.exit("needs: " + "; ".join(missing))
    decoder = Decoder(samprate=16000)
    errors = total = 0
    with tempfile.TemporaryDirectory() as folder:
        for n, (voice, sentence) in enumerate((v, s) for v in VOICES for s in SENTENCES):
            spoken, raw = Path(folder) / f"{n}.wav", Path(folder) / f"{n}.raw"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(spoken), sentence],
                           check=True)
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(spoken), "-ar", "16000",
                            "-ac", "1", "-f", "s16le", str(raw)], check=True)
            heard = recognise(decoder, raw.read_bytes())
            wrong = word_errors(words(sentence), words(heard))
            errors, total = errors + wrong, total + len(words(sentence))
            print(f"{wrong:2d}/{len(words(sentence)):2d} {voice:9s} heard: {heard}")
    rate = errors / total
    print(f"word error rate {rate:.1%} over {total} words; useful to a reviewer at "
          f"<= {USEFUL_WER:.0%}: {'yes' if rate <= USEFUL_WER else 'no'}")
    print(f"RESULT name=transcript_wer ratio={rate:.3f} words={total} errors={errors} "
          f"target_max={USEFUL_WER}")


if __name__ == "__main__":
    main()
