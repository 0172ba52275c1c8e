"""What candidates record, as the pages and the reviewers read it: a script (the sample call's
scenario and its customer turns, or a one-way interview's questions) and its prompts. Scripts
are stored as versions (scripts.py); these are the shipped defaults, version 1 of their keys,
that an opening uses until its managers choose another."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str              # the customer's line, or the question
    think_seconds: int = 0
    max_seconds: int = 120
    retakes: int = 2       # takes after the first
    audio_file_id: int | None = None  # the prompt spoken (prompt_audio.py), when recorded


@dataclass(frozen=True)
class Script:
    step_key: str
    title: str
    kind: str              # audio | video
    introduction: str
    prompts: tuple[Prompt, ...]
    key: str = ""          # the template's key; its version, once stored
    version: int = 0

    def prompt(self, key: str) -> Prompt | None:
        return next((p for p in self.prompts if p.key == key), None)


SAMPLE_CALL = Script(
    "sample_call", "A delayed order", "audio",
    "You are an agent at Brightline, an online home-goods store. Dana Whitfield calls: the "
    "standing desk she ordered two weeks ago has not arrived, and she needs it for a new job on "
    "Monday. Your goal: calm the call, find out what happened, and leave her with a plan she "
    "trusts. Talking points: apologise and own it; check the order (it is held at the local "
    "depot after a failed delivery); offer Saturday delivery at no cost or a refund of the "
    "shipping; confirm the address and a contact number; close warmly.",
    (Prompt("t1", "Hi, I'm calling about my order. It was supposed to be here last week and "
                  "it still isn't. I'm honestly getting really frustrated.", max_seconds=90),
     Prompt("t2", "It's order 4471-B, a standing desk. I start a new job from home on Monday "
                  "and I need it set up by then.", max_seconds=90),
     Prompt("t3", "A failed delivery? Nobody came! I was home all day. So what are you going "
                  "to do about it?", max_seconds=120),
     Prompt("t4", "Okay... Saturday works. Is there anything else I need to do?",
            max_seconds=90)),
    key="delayed_order",
)

INTERVIEW = Script(
    "video_interview", "One-way interview", "video",
    "Answer each question as you would in a live interview. You get a moment to think, then "
    "the recording starts; you may record each answer again twice.",
    (Prompt("q1", "Tell us about a time you helped an upset customer. What did you do, and "
                  "how did it end?", think_seconds=30, max_seconds=120),
     Prompt("q2", "Working from home, how do you keep yourself focused and on schedule "
                  "through a full shift?", think_seconds=30, max_seconds=120),
     Prompt("q3", "Why do you want to work in customer support?", think_seconds=20,
            max_seconds=90)),
    key="one_way_interview",
)

# Each recording step's shipped default, and the shipped scripts by key.
DEFAULTS = {script.step_key: script for script in (SAMPLE_CALL, INTERVIEW)}
SHIPPED = {script.key: script for script in (SAMPLE_CALL, INTERVIEW)}
STEP_KEYS = tuple(DEFAULTS)
